"""Deterministic generator of the bundled sample: messy raw activity logs for 2022Q4, calibrated to the seed,
then 2023Q1 and a late 2022Q4 file (:mod:`samplegen.nextquarter`) for the quarterly cycle.

The clean records come first (:func:`canonical_records`): explicit pools of people, each pool belonging to
one or more services, so that centre, activity, sector and donor figures all hold at once (people who used
several centres or services are counted once within a sector). They are then split into the files the field
teams send, each with its own headers, spellings, date formats and encoding, and dirtied with duplicate
exports, out-of-period rows, rows to reject and direct identifiers that only the cleaning removes.

Run ``python -m samplegen [--raw-dir DIR] [--quarter Q] [--force]``. Everything is seeded: two runs give the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from helpers import config
from helpers.paths import RAW_DIR, SAMPLE_LATE_DIR, resolve
from samplegen import nextquarter
from samplegen.formatting import _Formatter, _sheet_name, _sort_key
from samplegen.mess import MESS, REASONS, _dirty
from samplegen.nextquarter import NEXT_SOURCES
from samplegen.people import QUARTER, SEED
from samplegen.records import _clean_records
from samplegen.sources import COPIED_FILE, OCTOBER_EXPORT, SOURCES, Source
from samplegen.workbook import _csv_bytes, _xlsx_bytes

QUARTERS = (QUARTER, nextquarter.NEXT)  # the quarters the sample has, in order
MANIFEST = "sample-manifest.json"
HISTORY = "published-totals.csv"


@dataclass
class Build:
    """Everything the generator decides before writing: clean records and the raw tables per source."""

    records: list[dict]
    tables: dict[tuple[str, str], tuple[Source, list[list]]] = field(default_factory=dict)
    planted: Counter = field(default_factory=Counter)
    identifiers: set[str] = field(default_factory=set)


def canonical_records(quarter: str = QUARTER, *, late: bool = False) -> pd.DataFrame:
    """The hidden clean table the raw files are made from: what the cleaning must get back (one row a record).
    ``late``: 2022Q4 with its late file added."""
    _check_quarter(quarter)
    if quarter == QUARTER:
        records = [*_build().records, *(nextquarter.clean_records(nextquarter.LATE) if late else ())]
    else:
        records = list(nextquarter.clean_records(quarter))
    paths = {**{key: s.path for key, s in SOURCES.items()}, **{key: s.path for key, s in NEXT_SOURCES.items()}}
    frame = pd.DataFrame([{c: r[c] for c in [*config.current().columns(), "source"]} for r in records])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["source"] = frame["source"].map(paths)
    numeric = {"household_size": "Int64", "participants": "Int64", "age": "Int64", "quantity": "Float64",
               "amount_try": "Float64"}
    return frame.astype(numeric)


def _check_quarter(quarter: str) -> None:
    if str(quarter) not in QUARTERS:
        raise ValueError(f"the bundled sample exists for {' and '.join(QUARTERS)} only, not {quarter}")


def _tables(key: str, records: list[dict], build: Build, rng: random.Random) -> list[tuple[dict, list, bool]]:
    """Format one source's rows (defects and in-file duplicates included) into its sheets.

    Returns the (record, raw row, kept) triples in file order.
    """
    source = SOURCES[key]
    fmt = _Formatter(source, rng, build.identifiers)
    sheets: dict[str, list[tuple[dict, list, bool]]] = {}
    for rec, kept in _dirty(key, sorted(records, key=_sort_key), rng, build.planted):
        sheet = sheets.setdefault(_sheet_name(source, rec), [])
        sheet.append((rec, fmt.row(rec, len(sheet) + 1), kept))
    n_dup = dict(MESS.get(key, [])).get("duplicate", 0)
    total = sum(len(sheet) for sheet in sheets.values())
    for name, sheet in sheets.items():
        originals = rng.sample([i for i, (_, _, kept) in enumerate(sheet) if kept], round(n_dup * len(sheet) / total))
        for i in sorted(originals, reverse=True):
            rec, row, _ = sheet[i]
            sheet.insert(rng.randint(i + 1, len(sheet)), (rec, list(row), False))
        build.planted["duplicate"] += len(originals)
        build.tables[(source.path, name)] = (source, [row for _, row, _ in sheet])
    return [triple for sheet in sheets.values() for triple in sheet]


def _october_export(rows: list[tuple[dict, list, bool]], build: Build, rng: random.Random) -> None:
    """The October rows of the case-management export saved again, provinces typed in capitals."""
    fmt = _Formatter(OCTOBER_EXPORT, rng, build.identifiers)
    column = [name for _, name in OCTOBER_EXPORT.columns].index("province")
    copies = []
    for rec, row, kept in rows:
        if kept and rec["date"].month == 10:
            copies.append([fmt.province(rec["province"]) if i == column else v for i, v in enumerate(row)])
    build.tables[(OCTOBER_EXPORT.path, "Sheet1")] = (OCTOBER_EXPORT, copies)
    build.planted["duplicate"] += len(copies)


@lru_cache(maxsize=1)
def _build() -> Build:
    """Clean records, then every source's raw rows with the planted mess (cached: it is deterministic)."""
    build = Build([{**rec, "_raw": dict(rec["_raw"])} for rec in _clean_records()])
    rng = random.Random(f"{SEED}:files")
    by_source: dict[str, list[dict]] = {}
    for rec in build.records:
        by_source.setdefault(rec["source"], []).append(rec)
    for key in SOURCES:
        rows = _tables(key, by_source.get(key, []), build, rng)
        if key == "case_management":
            _october_export(rows, build, rng)
    build.planted["duplicate"] += len(by_source["hygiene_2"])
    return build


# ------------------------------------------------------------------------------------------------ writing
NOTES = {"RSU/community-stabilization-projects.xlsx": (
    "Katılımcı sayıları belediyelerin proje raporlarından alınmıştır.",
    "KKD bağışı: Osmaniye İl Afet ve Acil Durum Müdürlüğü (PDMM).",
)}


def _pack(tables: dict[tuple[str, str], tuple[Source, list[list]]]) -> dict[str, bytes]:
    """Each file's bytes from its sheets' rows: relative path → bytes."""
    grouped: dict[str, list[tuple[Source, str, list[list]]]] = {}
    for (path, sheet), (source, rows) in tables.items():
        grouped.setdefault(path, []).append((source, sheet, rows))
    files = {}
    for path, sheets in grouped.items():
        if path.endswith(".xlsx"):
            tables = [(name, [*([t] if t else [] for t in s.title), [h for h, _ in s.columns], *rows])
                      for s, name, rows in sheets]
            notes = [("Notlar", [[line] for line in NOTES[path]])] if path in NOTES else []
            files[path] = _xlsx_bytes(tables + notes)
        else:
            files[path] = _csv_bytes(sheets[0][0], sheets[0][2])
    return files


@lru_cache(maxsize=1)
def _file_contents() -> dict[str, bytes]:
    """Every data file of the 2022Q4 folder: relative path → bytes (cached: writing workbooks takes seconds)."""
    files = _pack(_build().tables)
    files[COPIED_FILE[1]] = files[COPIED_FILE[0]]
    return files


@lru_cache(maxsize=2)
def _next(quarter: str) -> tuple[dict[str, bytes], frozenset[str]]:
    """The files of 2023Q1 (``quarter`` NEXT) or of the late 2022Q4 file (LATE), and the identifiers in them."""
    identifiers: set[str] = set()
    files = _pack(nextquarter.tables(quarter, identifiers))
    return files, frozenset(identifiers)


def files_of(quarter: str = QUARTER, *, late: bool = False) -> dict[str, bytes]:
    """The data files the sample writes into ``quarter``'s folder (``late``: the late file of 2022Q4 only)."""
    _check_quarter(quarter)
    if late:
        return dict(_next(nextquarter.LATE)[0]) if quarter == nextquarter.LATE else {}
    return dict(_file_contents() if quarter == QUARTER else _next(quarter)[0])


def published_history() -> pd.DataFrame:
    """Published totals of earlier quarters (2016Q1–2022Q3): 3,386,993 in all, 397,777 in 2022."""
    shape = [95, 120, 140, 150, 165, 172, 168, 160, 158, 150, 145, 140, 130, 125, 118, 112, 90, 72, 78, 84,
             88, 92, 96, 101]
    target = 3_386_993 - 397_777
    values = [round(w * target / sum(shape)) for w in shape]
    values[-1] += target - sum(values)
    values += [142_318, 136_904, 397_777 - 142_318 - 136_904]
    quarters = [f"{y}Q{q}" for y in range(2016, 2023) for q in range(1, 5)][: len(values)]
    return pd.DataFrame({"quarter": quarters, "people_reached": values, "source": "Published quarterly update"})


def _manifest(files: dict[str, bytes], quarter: str = QUARTER) -> bytes:
    """The marker of the generated sample: the SHA-256 of each data file, so that only these very files run
    with the demo key (a copied or edited manifest beside other files does not, see ``clean.is_sample``)."""
    made = ("calibrated to the published Q4 2022 figures" if quarter == QUARTER
            else "continuing some of 2022Q4's people")
    note = (f"Synthetic sample generated by samplegen.quarter: invented people, {made}. It runs with the public "
            "demo pseudonymisation key only while the folder's data files are exactly the files listed here; "
            "never put real data in this folder.")
    manifest = {"generator": "samplegen.quarter", "quarter": quarter, "demo_key": True, "note": note,
                "files": {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}}
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


README = """Bundled sample for 2022Q4 (synthetic: written by `python -m samplegen`).

PRU/  Protection and Resilience Unit: case management export, mobile-team logs, centre registers,
      school transportation, attendance sheets, education and capacity-training sheets.
RSU/  Recovery and Stabilization Unit: distribution lists, e-voucher market cards, community
      stabilization projects, shelter and school rehabilitation, livelihoods grants.
The files are deliberately messy (duplicate exports, misspelt provinces, mixed date formats, rows to reject).
"""
README_NEXT = """Bundled sample for 2023Q1 (synthetic: written by `python -m samplegen`), the quarter after 2022Q4.

PRU/  case management export (some of 2022Q4's clients continue), Keçiören centre register, psychosocial
      mobile teams in Adıyaman and Malatya after the February earthquakes.
RSU/  hygiene kit distribution list.
The late 2022Q4 file is written to late/2022Q4/: copy it into 2022Q4/ to revise that quarter.
"""


def generate(raw_dir: Path = RAW_DIR, quarter: str = QUARTER, *, force: bool = False) -> list[Path]:
    """Write the sample's raw files under ``raw_dir/<quarter>/`` and the history table; return the paths.

    2022Q4 also gets its late file, under ``raw_dir/late/2022Q4/`` (outside the quarter's folder until it is
    added). An existing sample is replaced only with ``force``; a folder that is not a generated sample never is.
    """
    _check_quarter(quarter)
    raw_dir = Path(raw_dir)
    folder, history = raw_dir / quarter, raw_dir / HISTORY
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MANIFEST).is_file():
            raise FileExistsError(f"{folder} holds data that is not the generated sample; not touching it")
        if not force:
            raise FileExistsError(f"{folder} already holds the sample; use --force to write it again")
    shutil.rmtree(folder, ignore_errors=True)
    files = files_of(quarter)
    contents = {**files, "README.txt": (README if quarter == QUARTER else README_NEXT).encode("utf-8"),
                MANIFEST: _manifest(files, quarter)}
    written = _write(folder, contents)
    if late := files_of(quarter, late=True):
        shutil.rmtree(late_folder(raw_dir, quarter), ignore_errors=True)
        written += _write(late_folder(raw_dir, quarter), late)
    history.write_bytes(published_history().to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return [*written, history]


def late_folder(raw_dir: Path, quarter: str = nextquarter.LATE) -> Path:
    """Where the late file of ``quarter`` waits to be added to the quarter's folder."""
    return Path(raw_dir) / SAMPLE_LATE_DIR / quarter


def _write(folder: Path, contents: dict[str, bytes]) -> list[Path]:
    written = []
    for relative, data in sorted(contents.items()):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def planted_identifiers(raw_dir: Path = RAW_DIR, quarter: str = QUARTER) -> set[str]:
    """Every direct identifier (name, phone, ID number) written into the sample of ``quarter`` under
    ``raw_dir`` (2022Q4's late file included)."""
    manifest = json.loads((Path(raw_dir) / quarter / MANIFEST).read_text(encoding="utf-8"))
    _check_quarter(manifest["quarter"])
    if quarter == QUARTER:
        return set(_build().identifiers) | set(_next(nextquarter.LATE)[1])
    return set(_next(quarter)[1])


def planted_mess() -> dict[str, int]:
    """Rows the cleaning must drop, by reason, and the tolerated mess (kept rows) by kind."""
    planted = _build().planted
    dropped = Counter()
    for kind, n in planted.items():
        if kind in REASONS:
            dropped[REASONS[kind]] += n
    kept = {k: n for k, n in planted.items() if k not in REASONS}
    return {**dict(sorted(dropped.items())), **{f"kept_{k}": n for k, n in sorted(kept.items())}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samplegen", description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", help="raw data folder (default: data/raw of the repository)")
    parser.add_argument("--quarter", help=f"write this quarter's sample only ({', '.join(QUARTERS)}; another "
                                          "quarter has no sample: nothing is written or said)")
    parser.add_argument("--force", action="store_true", help="replace an existing generated sample")
    args = parser.parse_args(argv)
    raw_dir = resolve(args.raw_dir, RAW_DIR)
    for quarter in QUARTERS if args.quarter is None else [q for q in QUARTERS if q == args.quarter.strip()]:
        try:
            paths = generate(raw_dir, quarter, force=args.force)
        except FileExistsError as error:
            if args.force:
                parser.exit(1, f"sample: {error}\n")
            print(f"sample: not written: {error}")  # `make report` goes on with what is there
            continue
        print(f"wrote {len(paths)} files of the {quarter} sample under {raw_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
