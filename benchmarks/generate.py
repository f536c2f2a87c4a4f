"""Fast, vectorised generator of large messy raw activity logs for the benchmark (not the sample generator).

Every column is drawn as integer indices into a small pool of raw spellings (dates in four formats, province
spellings, sex words, numbers written either way), so ten million rows cost a few NumPy draws; only the
identifiers are built as real strings (with PyArrow). The mix follows the bundled sample: individual,
household, group (incl. mixed activities read per record) and capacity records, ~1% duplicates (also across
files), ~1% out of period, ~1% rejects, and several files with other header aliases, delimiters and
encodings (one Windows-1254 ``;`` file with decimal commas and title rows above the header).
"""

from __future__ import annotations

import argparse
import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from helpers.config import Configuration
from helpers.paths import CONFIG_DIR

QUARTER = "2022Q4"
Q_START, Q_END = date(2022, 10, 1), date(2022, 12, 31)
COLUMNS = Configuration(CONFIG_DIR).columns()  # the canonical raw columns; one without values here is written blank
CHUNK = 1_000_000

# activity code (with raw spelling variants), share, kind
ACTIVITIES = [
    (["PROT_CASE_MGMT", "prot_case_mgmt", "PROT-CASE-MGMT"], 0.14, "individual"),
    (["PROT_LEGAL"], 0.05, "individual"),
    (["PROT_SCHOOL_TRANSPORT"], 0.06, "individual"),
    (["PROT_PSS", "prot pss"], 0.08, "mixed"),
    (["PROT_MOBILE_OUTREACH"], 0.04, "mixed"),
    (["PROT_SOCIAL_SUPPORT"], 0.05, "mixed"),
    (["PROT_AWARENESS"], 0.03, "group"),
    (["EDU_NFE"], 0.06, "individual"),
    (["EDU_LANGUAGE", "edu_language "], 0.06, "individual"),
    (["EDU_SCHOOL_REHAB"], 0.005, "group"),
    (["HEA_MEDICAL"], 0.02, "individual"),
    (["BN_CASH"], 0.10, "household"),
    (["BN_INKIND", "bn inkind"], 0.12, "household"),
    (["BN_SHELTER"], 0.005, "household"),
    (["BN_MUNICIPAL"], 0.02, "group"),
    (["BN_WASH"], 0.03, "group"),
    (["LIV_INKIND_GRANT"], 0.02, "individual"),
    (["LIV_JOB_PLACEMENT"], 0.02, "individual"),
    (["CAP_TRAINING"], 0.01, "capacity"),
]
PROVINCES = [  # raw spellings; each resolves (aliases, case, dotless I, small typos)
    ["Adana", "ADANA", "adana"], ["Ankara", "ANKARA"], ["Gaziantep", "Antep", "G.Antep", "GAZİANTEP", "Gazientep"],
    ["Hatay", "Antakya", "HATAY"], ["İstanbul", "ISTANBUL", "istanbul", "İSTANBUL"], ["İzmir", "IZMIR", "Izmir"],
    ["Kahramanmaraş", "K.Maraş", "Maraş", "KAHRAMANMARAS"], ["Kilis", "KİLİS"], ["Manisa"],
    ["Mersin", "İçel", "MERSIN"], ["Osmaniye"], ["Siirt"], ["Şanlıurfa", "Urfa", "Ş.Urfa", "SANLIURFA"], ["Yalova"],
]
SITES = ["{p} MMCC - Centre", "{p} MMCC - Mobile team", "{p} Migrant Services Centre", "{p}  PDMM",
         "{p} Community Centre - Annex", "{p} Innovation Lab"]
DETAILS = ["", "", "", "Turkish course", "Computer course", "Social cohesion event", "Counselling", "Sports",
           "Information session", "16 Days campaign"]
SEXES = ["F", "M", "female", "Male", "K", "E", "Kadın", "Erkek", "Kız", "Erkek çocuk", "", "other"]
NATIONALITIES = ["Syrian", "Suriye", "SY", "Afghan", "Afganistan", "Iraqi", "Irak", "Turkish", "TC", "Türk",
                 "Iranian", "Ukrayna", "", "Somali"]
POP_GROUPS = ["", "", "refugee", "Mülteci", "host community", "Ev sahibi", "asylum seeker", "GKK"]
DISABILITY = ["", "", "yes", "no", "evet", "hayır", "1", "0"]
ITEMS = ["Hygiene Kits", "hygiene kit", "Hijyen kiti", "Food Kit", "gıda kolisi", "Masks", "maske",
         "Hand Sanitizer", "el dezenfektanı", "Blanket"]
DONORS = ["Donor A", "Donor A ", "Donor B", "DONOR B", "Donor C", "Donor  C", ""]

# file name, share of rows, delimiter, encoding, Turkish number style, title rows, header per canonical column
_EN = {c: c for c in COLUMNS}
_ALIAS = dict(_EN, date="service_date", province="admin1", district="admin2", site="centre",
              activity="activity_code", activity_detail="description", beneficiary_id="case_id",
              household_id="hh_id", household_size="hh_size", participants="attendees", sex="gender",
              date_of_birth="dob", item="kit type", quantity="qty", amount_try="amount", donor="funding")
_TR = dict(_EN, date="Tarih", province="İl", district="İlçe", site="Merkez", activity="Faaliyet Kodu",
           activity_detail="Açıklama", beneficiary_id="Vaka No", household_id="Hane No",
           household_size="Hane Büyüklüğü", participants="Katılımcı Sayısı", sex="Cinsiyet", age="Yaş",
           date_of_birth="Doğum Tarihi", nationality="Uyruk", population_group="Statü", disability="Engel Durumu",
           item="Malzeme", quantity="Adet", amount_try="Tutar", donor="Donör")


@dataclass(frozen=True)
class SourceFile:
    name: str
    share: float
    delimiter: str
    encoding: str
    turkish_numbers: bool
    title_rows: int
    headers: dict
    extra_identifier: str | None = None


SOURCES = [
    SourceFile("kobo/protection_export.csv", 0.40, ",", "utf-8-sig", False, 0, _EN),
    SourceFile("activityinfo/export_tab.csv", 0.20, "\t", "utf-8", False, 0, _ALIAS),
    SourceFile("trackers/il_takip_cp1254.csv", 0.15, ";", "cp1254", True, 2, _TR, "Telefon"),
    SourceFile("trackers/rsu_distribution.csv", 0.25, ";", "utf-8", True, 0, _ALIAS, "phone"),
]
XLSX_SHARE = 0.10  # at sizes <= XLSX_MAX_ROWS, this share of the first file's rows goes to a workbook instead
XLSX_MAX_ROWS = 100_000


def _dates() -> list[date]:
    return [date(2022, 8, 1) + timedelta(days=i) for i in range((date(2023, 2, 28) - date(2022, 8, 1)).days + 1)]


def _date_pool(days: list[date]) -> list[str]:
    """Each day in four formats: ISO, Turkish dotted, day-first slash, Excel serial."""
    serial = lambda d: str((d - date(1899, 12, 30)).days)  # noqa: E731
    return [f(d) for d in days for f in (date.isoformat, lambda d: d.strftime("%d.%m.%Y"),
                                         lambda d: d.strftime("%d/%m/%Y"), serial)]


def _number(value: float, turkish: bool) -> str:
    text = f"{value:,.2f}" if value >= 1000 else (f"{value:.2f}" if value % 1 else str(int(value)))
    return text.translate(str.maketrans(",.", ".,")) if turkish else text


class Pools:
    """The raw-value pools every column draws from (a second spelling for Turkish number style)."""

    def __init__(self):
        self.days = _dates()
        self.date = [*_date_pool(self.days), "32.13.2022", "yesterday"]
        self.provinces = [s for spellings in PROVINCES for s in spellings] + ["Atlantis", "Xyzabad"]
        self.province_of = np.array([i for i, spellings in enumerate(PROVINCES) for _ in spellings] + [-1, -1])
        self.sites = [s.format(p=p[0]) for p in PROVINCES for s in SITES]
        self.districts = ["Merkez", "Seyhan", "Şahinbey", "Çukurova", "Haliliye", "Keçiören", "Bornova", ""]
        self.activities = [code for codes, _, _ in ACTIVITIES for code in codes] + ["XX_UNKNOWN"]
        self.activity_of = np.array([i for i, (codes, _, _) in enumerate(ACTIVITIES) for _ in codes] + [-1])
        self.ages = [str(a) for a in range(0, 91)] + ["", "150", "12.0"]
        self.dob = [f"{d:02d}.{m:02d}.{y}" for y in range(1950, 2020) for m in (1, 6) for d in (5, 20)] + [""]
        self.small = [str(i) for i in range(0, 46)]  # household size 0..45: 0 and > 30 are invalid
        self.participants = [str(i) for i in range(0, 301)]
        self.quantities = [1.0, 2.0, 5.0, 10.0, 50.0, 100.0, 1500.0, 2.5]
        self.amounts = [float(a) for a in (500, 750, 1000, 1250.5, 1500, 2000, 2500, 3000.75, 4800, 12500)]

    def numbers(self, values: list[float], turkish: bool) -> list[str]:
        return [_number(v, turkish) for v in values]


def _pick(rng: np.random.Generator, n: int, size: int, p=None) -> np.ndarray:
    return rng.choice(size, size=n, p=p).astype(np.int32)


def _kind_arrays(rng: np.random.Generator, n: int, pools: Pools) -> dict[str, np.ndarray]:
    """Pool indices for every column of ``n`` base rows (-1 = blank)."""
    shares = np.array([s for _, s, _ in ACTIVITIES])
    act = _pick(rng, n, len(ACTIVITIES), shares / shares.sum())
    kinds = np.array([k for _, _, k in ACTIVITIES])[act]
    # a spelling of the activity: index into pools.activities
    first = np.cumsum([0] + [len(c) for c, _, _ in ACTIVITIES[:-1]])
    spell = np.array([len(c) for c, _, _ in ACTIVITIES])
    activity = (first[act] + rng.integers(0, 1 << 30, n) % spell[act]).astype(np.int32)
    mixed_individual = (kinds == "mixed") & (rng.random(n) < 0.6)
    individual = (kinds == "individual") | mixed_individual | ((kinds == "capacity") & (rng.random(n) < 0.5))
    household = kinds == "household"
    group = ~individual & ~household
    province = _pick(rng, n, len(pools.provinces) - 2)
    prov_id = pools.province_of[province]
    in_quarter = [i for i, d in enumerate(pools.days) if Q_START <= d <= Q_END]
    outside = [i for i, d in enumerate(pools.days) if not Q_START <= d <= Q_END]
    day = np.array(in_quarter)[rng.integers(0, len(in_quarter), n)]
    late = rng.random(n) < 0.01
    day[late] = np.array(outside)[rng.integers(0, len(outside), late.sum())]
    cols = {
        "date": (day * 4 + rng.integers(0, 4, n)).astype(np.int32),
        "province": province,
        "district": _pick(rng, n, len(pools.districts)),
        "site": (prov_id * len(SITES) + rng.integers(0, len(SITES), n)).astype(np.int32),
        "activity": activity,
        "activity_detail": _pick(rng, n, len(DETAILS)),
        "beneficiary_id": np.where(individual, rng.integers(0, max(n // 3, 1), n), -1),
        "household_id": np.where(household, rng.integers(0, max(n // 12, 1), n), -1),
        "household_size": np.where(household, rng.integers(1, 13, n), -1),
        "participants": np.where(group, rng.integers(1, 301, n), -1),
        "sex": np.where(individual, _pick(rng, n, len(SEXES)), -1),
        "age": np.where(individual & (rng.random(n) < 0.8), rng.integers(0, 91, n), -1),
        "date_of_birth": np.where(individual & (rng.random(n) < 0.3), _pick(rng, n, len(pools.dob) - 1), -1),
        "nationality": np.where(individual | household, _pick(rng, n, len(NATIONALITIES)), -1),
        "population_group": _pick(rng, n, len(POP_GROUPS)),
        "disability": np.where(individual, _pick(rng, n, len(DISABILITY)), -1),
        "item": np.where(household & (activity >= 0), _pick(rng, n, len(ITEMS)), -1),
        "quantity": np.where(household, _pick(rng, n, len(pools.quantities)), -1),
        "amount_try": np.where(kinds == "household", _pick(rng, n, len(pools.amounts)), -1),
        "donor": _pick(rng, n, len(DONORS)),
    }
    cols["quantity"][cols["item"] < 0] = -1
    _add_rejects(rng, n, cols, pools)
    return cols


def _add_rejects(rng: np.random.Generator, n: int, cols: dict, pools: Pools) -> None:
    """About 1% of rows break the contract, spread over the reasons."""
    bad = np.flatnonzero(rng.random(n) < 0.01)
    reason = rng.integers(0, 6, len(bad))
    cols["province"][bad[reason == 0]] = len(pools.provinces) - 1 - rng.integers(0, 2, (reason == 0).sum())
    cols["activity"][bad[reason == 1]] = len(pools.activities) - 1
    cols["date"][bad[reason == 2]] = len(pools.date) - 1 - rng.integers(0, 2, (reason == 2).sum())
    cols["date"][bad[reason == 3]] = -1  # missing required
    hh = bad[(reason == 4) & (cols["household_size"][bad] >= 0)]
    cols["household_size"][hh] = 40  # above max_household_size
    cols["sex"][bad[reason == 5]] = len(SEXES)  # '??' (pool gets one extra value)


def _ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    """``PREFIX-0001234`` strings, some lower case or padded (normalisation folds them)."""
    valid = numbers >= 0
    text = pc.utf8_lpad(pc.cast(pa.array(np.where(valid, numbers, 0)), pa.string()), 7, "0")
    joined = pc.binary_join_element_wise(prefix, text, "")
    joined = pc.if_else(pa.array((numbers % 17) == 3), pc.utf8_lower(joined), joined)
    joined = pc.if_else(pa.array((numbers % 23) == 5), pc.binary_join_element_wise(joined, " ", ""), joined)
    return pc.if_else(pa.array(valid), joined, pa.scalar(None, pa.string()))


def _column(pool: list[str], index: np.ndarray) -> pa.Array:
    valid = index >= 0
    dictionary = pa.array(pool, pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(np.where(valid, index, 0).astype(np.int32), mask=~valid),
                                          dictionary).cast(pa.string())


def _table(cols: dict, rows: np.ndarray, pools: Pools, turkish: bool) -> pa.Table:
    numbers = lambda v: pools.numbers(v, turkish)  # noqa: E731
    pool = {
        "date": pools.date, "province": pools.provinces, "district": pools.districts, "site": pools.sites,
        "activity": pools.activities, "activity_detail": DETAILS, "household_size": pools.small,
        "participants": pools.participants, "sex": [*SEXES, "??"], "age": pools.ages, "date_of_birth": pools.dob,
        "nationality": NATIONALITIES, "population_group": POP_GROUPS, "disability": DISABILITY, "item": ITEMS,
        "quantity": numbers(pools.quantities), "amount_try": numbers(pools.amounts), "donor": DONORS,
    }
    arrays = {}
    for name in COLUMNS:
        index = cols[name][rows] if name in cols else np.full(len(rows), -1)
        if name == "beneficiary_id":
            arrays[name] = _ids("SY-", index)
        elif name == "household_id":
            arrays[name] = _ids("HH-", index)
        else:
            arrays[name] = _column(pool.get(name, [""]), index)
    return pa.table(arrays)


def _row_order(rng: np.random.Generator, n: int) -> np.ndarray:
    """Base row of each output row: ~99% distinct base rows, ~1% exact repeats placed anywhere (any file)."""
    n_base = n - n // 100
    rows = np.concatenate([np.arange(n_base), rng.integers(0, n_base, n - n_base)])
    return rng.permutation(rows)


def _write_csv(table: pa.Table, path: Path, source: SourceFile, first: bool) -> None:
    header = [source.headers[c] for c in COLUMNS]
    if source.extra_identifier:
        table = table.append_column(source.extra_identifier, pa.array(["0555 000 00 00"] * table.num_rows))
        header.append(source.extra_identifier)
    buffer = io.BytesIO()
    options = pa_csv.WriteOptions(include_header=False, delimiter=source.delimiter, quoting_style="needed")
    pa_csv.write_csv(table, buffer, options)
    body = buffer.getvalue()
    encoding = source.encoding.replace("-sig", "")
    if encoding != "utf-8":
        body = body.decode("utf-8").encode(encoding)
    with path.open("wb" if first else "ab") as handle:
        if first:
            head = "".join(f"Activity log {QUARTER}{source.delimiter * 3}\n" for _ in range(source.title_rows))
            head += source.delimiter.join(header) + "\n"
            handle.write(head.encode(source.encoding))
        handle.write(body)


def _write_xlsx(table: pa.Table, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Tracker")
    sheet.append(["Activity tracker", QUARTER])
    sheet.append([_TR[c] for c in COLUMNS])
    columns = [table.column(c).to_pylist() for c in COLUMNS]
    for row in zip(*columns, strict=True):
        sheet.append(list(row))
    book.save(path)


def generate(out: Path, n: int, seed: int = 6, *, xlsx: bool | None = None) -> Path:
    """Write ``n`` raw rows for :data:`QUARTER` under ``out/<QUARTER>/``; return that folder."""
    rng = np.random.default_rng(seed)
    folder = Path(out) / QUARTER
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.rglob("*"):
        if old.is_file():
            old.unlink()
    pools = Pools()
    n_base = n - n // 100
    cols = _kind_arrays(rng, n_base, pools)
    order = _row_order(rng, n)
    xlsx = n <= XLSX_MAX_ROWS if xlsx is None else xlsx
    bounds = np.concatenate([[0], np.cumsum([round(s.share * n) for s in SOURCES])])
    bounds[-1] = n
    for source, start, stop in zip(SOURCES, bounds[:-1], bounds[1:], strict=True):
        rows = order[start:stop]
        if xlsx and source is SOURCES[0]:
            cut = int(len(rows) * XLSX_SHARE)
            (folder / "trackers").mkdir(parents=True, exist_ok=True)
            _write_xlsx(_table(cols, rows[:cut], pools, False), folder / "trackers" / "tracker.xlsx")
            rows = rows[cut:]
        path = folder / source.name
        path.parent.mkdir(parents=True, exist_ok=True)
        for i in range(0, max(len(rows), 1), CHUNK):
            _write_csv(_table(cols, rows[i : i + CHUNK], pools, source.turkish_numbers), path, source, i == 0)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data" / "raw")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    print(generate(args.out, args.rows, args.seed))


if __name__ == "__main__":
    main()
