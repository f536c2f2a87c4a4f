"""What a quarter's outputs were made from, by content: SHA-256 of raw files, config, code and narrative.

A run records them (``inputs.json`` beside the quarter's processed data); a published version's manifest
carries them; a revision compares raw files (and the published totals) with them; and a run whose raw files,
published totals, config, code, key and earlier quarters are unchanged reuses the quarter's cleaned data and
indicators instead of recomputing them. Each edition of the report has a key of its own too
(:func:`edition_keys`): an edition whose narrative, words, data and published versions are unchanged keeps its
executed notebook, HTML and PDF, so editing one language's narrative makes only that edition again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pandas as pd

import helpers
from helpers.clean import redact
from helpers.context import RunContext
from helpers.errors import NestedTooDeepError
from helpers.ingest.sources import discover_sources
from helpers.paths import (
    DATA_NOTEBOOKS,
    NOTEBOOKS_DIR,
    REFERENCE_DIR,
    REPORT_NOTEBOOK,
    Quarter,
    inside,
    quarter_folders,
)
from helpers.text import file_name

INPUTS_FILE = "inputs.json"
CODE_DIR = Path(helpers.__file__).resolve().parent  # the whole package, wherever this module lives in it


def executed_report(suffix: str) -> str:
    """The executed report notebook of the edition whose files end in ``suffix`` ("", ".tr"): ``03_report.ipynb``,
    ``03_report.tr.ipynb`` (in the run's audit trail and in each published version's)."""
    return REPORT_NOTEBOOK.replace(".ipynb", f"{suffix}.ipynb")


def sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def hashes(folder: Path, patterns: tuple[str, ...] = ("*",)) -> dict[str, str]:
    """SHA-256 of each file below ``folder`` matching ``patterns``, by its path relative to ``folder``.

    Hidden files and folders (locks, staging, editor files) are not inputs. For a raw folder,
    :func:`raw_hashes`.
    """
    folder, found = Path(folder), {}
    for pattern in patterns:
        try:
            paths = list(folder.rglob(pattern))
        except RecursionError:
            raise NestedTooDeepError(folder.as_posix()) from None
        for path in paths:
            relative = path.relative_to(folder)
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
                found[file_name(relative.as_posix())] = sha256(path)  # a non-UTF-8 name escaped
    return dict(sorted(found.items()))


def raw_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of each file of a quarter's raw folder that a run reads, by its path relative to ``folder``: the
    files :func:`~helpers.ingest.sources.discover_sources` counts (no hidden or lock file, no other format).

    A link leading out of the folder (or a broken one) is never followed: it is not read, so what stands for it
    is the SHA-256 of where it points. Empty when the folder does not exist. Names are masked like free text
    (:func:`~helpers.clean.redact.masked_names`; partners name files after people): they reach ``inputs.json``,
    each version's manifest and the messages of a revision.
    """
    folder, found = Path(folder), {}
    for path in discover_sources(folder, quiet=True) if folder.is_dir() else []:
        name = file_name(path.relative_to(folder).as_posix())  # a non-UTF-8 name escaped
        followed = inside(path, folder) and path.is_file()
        found[name] = sha256(path) if followed else hashlib.sha256(str(path.resolve()).encode()).hexdigest()
    names = redact.masked_names(list(found))
    return {names[name]: digest for name, digest in found.items()}


def code_hashes() -> dict[str, str]:
    """The Python package and the notebooks that make processed data."""
    code = {f"helpers/{name}": digest for name, digest in hashes(CODE_DIR, ("*.py",)).items()}
    code.update({f"notebooks/{name}": sha256(NOTEBOOKS_DIR / name) for name in DATA_NOTEBOOKS})
    return code


def earlier_hashes(quarter: Quarter, processed: Path) -> dict[str, str]:
    """What a quarter's indicators read besides its own processed folder: earlier quarters' processed records,
    indicators and quality (history, people across quarters, change since the previous quarter)."""
    found = {}
    for other, folder in quarter_folders(processed).items():  # named exactly as quarters: 2022Q4
        if other == str(quarter):
            continue
        for name in ("records.parquet", "indicators.csv", "quality.json"):
            if (folder / name).is_file():
                found[f"{folder.name}/{name}"] = sha256(folder / name)
    return found


def published_totals(raw: Path, name: str) -> dict[str, str]:
    """The raw table of published totals that the cleaning checks (:mod:`helpers.clean.totals`), by its ``name``
    (``published_totals`` of pipeline.yml; empty when there is none): outside the quarter's folder, an input of
    every quarter."""
    return {name: sha256(Path(raw) / name)} if (Path(raw) / name).is_file() else {}


def digest(*parts: object) -> str:
    """One SHA-256 over JSON-serialisable parts (dictionaries in key order)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def run_inputs(run: RunContext, *, key_fingerprint: str, switches: dict) -> dict:
    """Everything the run's cleaned data and indicators depend on, with the two keys that decide reuse:
    ``clean_key`` (raw files, published totals, config but the report's own files, code, key, switches) and
    ``indicators_key`` (also earlier quarters, those of the run's processed folder)."""
    quarter, raw, cfg = str(run.quarter), run.folders.raw, run.config
    record = {
        "quarter": quarter,
        "raw": raw_hashes(raw / quarter),
        "published_totals": published_totals(raw, cfg.setting("published_totals")),
        "config": hashes(cfg.folder),
        "code": code_hashes(),
        "key_fingerprint": key_fingerprint,
        "switches": switches,
        "earlier": earlier_hashes(run.quarter, run.folders.processed),
    }
    report_only = cfg.report_only_files()  # recorded, but a change to them only renders the report again
    data_config = {name: sha for name, sha in record["config"].items() if name not in report_only}
    record["clean_key"] = digest(record["quarter"], record["raw"], record["published_totals"], data_config,
                                 *(record[k] for k in ("code", "key_fingerprint", "switches")))
    record["indicators_key"] = digest(record["clean_key"], record["earlier"])
    return record


@cache
def packages() -> dict[str, str]:
    """Every installed distribution's version by name, read once per process (parsing ~200 metadata files takes
    a fraction of a second; a run records them and keys its editions with them)."""
    return dict(sorted((meta["Name"], meta["Version"]) for meta in
                       (dist.metadata for dist in importlib.metadata.distributions())))


def edition_keys(record: dict, *, narratives: Path, history: Path, published: list[Path],
                 editions: dict[str, str], switches: dict) -> dict[str, str]:
    """One key per edition (language code → SHA-256) over everything its report notebook and rendering read:
    the quarter's data and earlier quarters (``indicators_key`` of :func:`run_inputs`' ``record``), the staged
    ``history`` (:func:`history_digest`), every configuration file, the whole package (templates and word
    catalogues with the code), the report notebook, reference data, installed packages, the ``published``
    versions' folders, the narratives folder (photos) and, of the narratives, only the edition's own
    (``editions``: code → file name in ``narratives``), the report's ``switches`` and the day (a report prints
    the day it was made).
    """
    story = hashes(narratives) if Path(narratives).is_dir() else {}
    common = digest(record["indicators_key"], record["config"], hashes(CODE_DIR),
                    sha256(NOTEBOOKS_DIR / REPORT_NOTEBOOK), hashes(REFERENCE_DIR), packages(),
                    history_digest(history),
                    [hashes(folder) if Path(folder).is_dir() else {} for folder in published],
                    {name: sha for name, sha in story.items() if name not in editions.values()},
                    switches, date.today().isoformat(), datetime.now(UTC).date().isoformat())
    return {code: digest(common, code, story.get(name)) for code, name in editions.items()}


def history_digest(path: Path) -> str | None:
    """SHA-256 of ``history.csv`` as a report reads it: without its ``version`` column, which a run rewrites after
    the report is made (:func:`helpers.provenance.revisions.rewrite_versions`) and no report prints."""
    if not Path(path).is_file():
        return None
    history = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="version", errors="ignore")
    return hashlib.sha256(history.to_csv(index=False).encode()).hexdigest()


def write(folder: Path, record: dict) -> None:
    """Record a quarter's inputs beside its processed data."""
    (Path(folder) / INPUTS_FILE).write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")


def load(folder: Path) -> dict:
    """The inputs recorded beside a quarter's processed data (empty when none were)."""
    path = Path(folder) / INPUTS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """Files added, removed and changed between two ``{name: sha256}`` listings."""
    return {"added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after)),
            "changed": sorted(n for n in set(before) & set(after) if before[n] != after[n])}
