"""People across quarters: distinct registered individuals over the processed quarters, counted with DuckDB.

The report's year-to-date and since-start totals add quarterly totals (the published convention), so a person
reached in two quarters counts twice. Pseudonyms are stable across quarters under one key, so the cleaned
records can say how many distinct people were reached. DuckDB reads every quarter's ``records.parquet`` out of
core (one hash aggregation by pseudonym), so forty million records need no more memory than the limit below.

The figures are computed only when every quarter involved was pseudonymised with the same key (the
``key_fingerprint`` of each ``quality.json``): under different keys one person has different pseudonyms and
would be counted as two. The change in people reached by sector and province compares this quarter's
indicators with the previous quarter's and does not depend on pseudonyms.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.config import Configuration
from helpers.measure.disclosure import THRESHOLD, suppression
from helpers.paths import Quarter, quarter_folders

log = logging.getLogger(__name__)

# Measures of config/indicators.yml computed here, over several quarters, rather than from one quarter's records.
PEOPLE_MEASURES = ("distinct_year_to_date", "distinct_since_start", "returning", "new")
CHANGE_MEASURE = "change_since_previous"
MEASURES = (*PEOPLE_MEASURES, CHANGE_MEASURE)
MEMORY_LIMIT = "4GB"  # DuckDB spills to a temporary folder beyond this: 40M records stay under 6 GiB in all
REPORT_FILE = "across.json"  # beside indicators.csv: which quarters were counted, or why nothing was

PEOPLE_SQL = """
SELECT count(*) FILTER (WHERE last >= $year_start)              AS distinct_year_to_date,
       count(*)                                                 AS distinct_since_start,
       count(*) FILTER (WHERE last = $current AND first < $current) AS returning,
       count(*) FILTER (WHERE last = $current AND first = $current) AS new
FROM (
  SELECT beneficiary_id, min(q) AS first, max(q) AS last
  FROM ({records})
  WHERE beneficiary_id IS NOT NULL AND reach_type = 'individual'
  GROUP BY beneficiary_id
)
"""


@dataclass
class Across:
    """The cross-quarter figures of one quarter, or the reason they were not computed."""

    quarter: str
    quarters: list[str] = field(default_factory=list)
    people: dict[str, int] = field(default_factory=dict)
    reason: str = ""
    previous: str = ""
    change_reason: str = ""

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False)


def _fingerprint(folder: Path) -> str | None:
    path = folder / "quality.json"
    return json.loads(path.read_text(encoding="utf-8")).get("key_fingerprint") if path.is_file() else None


def earlier_quarters(quarter: Quarter, earlier_dir: Path) -> dict[str, Path]:
    """The processed quarters before ``quarter`` in ``earlier_dir`` (folders named as quarters, with records)."""
    found = {}
    for name, folder in quarter_folders(earlier_dir, "records.parquet").items():  # exact names only
        says = json.loads((folder / "quality.json").read_text(encoding="utf-8")).get("quarter", name) \
            if (folder / "quality.json").is_file() else name
        if says != name:  # a copy of another quarter's folder: its files say otherwise
            log.warning("%s holds the records of %s, not of %s: ignored", folder, says, name)
        elif Quarter.parse(name) < quarter:
            found[name] = folder
    return dict(sorted(found.items(), key=lambda item: Quarter.parse(item[0])))


def count_people(current: tuple[Quarter, Path], earlier: dict[str, Path]) -> dict[str, int]:
    """Distinct individuals year to date and since the start, returning and new, over the records of
    ``current`` (quarter, folder) and ``earlier`` quarters (folders holding ``records.parquet``). DuckDB is
    imported here, by the indicators step alone (not by a run's own process or a report's kernel)."""
    import duckdb

    q = current[0]
    quarters = [*earlier.items(), (str(q), current[1])]  # oldest first: a quarter's position fits a USMALLINT
    parts = [f"SELECT {position}::USMALLINT AS q, beneficiary_id, reach_type "
             f"FROM read_parquet('{str(folder / 'records.parquet').replace(chr(39), chr(39) * 2)}')"
             for position, (_, folder) in enumerate(quarters)]
    year_start = next(i for i, (name, _) in enumerate(quarters) if Quarter.parse(name).year == q.year)
    with tempfile.TemporaryDirectory(prefix="duckdb-") as spill:
        con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": spill,
                                     "threads": os.cpu_count() or 1, "preserve_insertion_order": False})
        try:
            row = con.execute(PEOPLE_SQL.format(records=" UNION ALL ".join(parts)),
                              {"current": len(quarters) - 1, "year_start": year_start}).fetchone()
        finally:
            con.close()
    return dict(zip(PEOPLE_MEASURES, (int(v) for v in row), strict=True))


def compute_across(quarter: Quarter, folder: Path, earlier_dir: Path) -> Across:
    """The people figures for ``quarter`` whose records are in ``folder`` (a staging folder during a run),
    counting the earlier quarters published in ``earlier_dir``; none when a fingerprint differs or is missing."""
    result = Across(str(quarter))
    earlier = earlier_quarters(quarter, earlier_dir)
    result.quarters = [*earlier, str(quarter)]
    mine = _fingerprint(folder)
    theirs = {name: _fingerprint(path) for name, path in earlier.items()}
    if mine is None or any(f is None for f in theirs.values()):
        unknown = [q for q, f in {str(quarter): mine, **theirs}.items() if f is None]
        result.reason = (f"not computed: {', '.join(unknown)} recorded no key fingerprint, so it cannot be shown "
                         "that every quarter was pseudonymised with the same key; re-run it")
    elif differ := sorted(q for q, f in theirs.items() if f != mine):
        result.reason = (f"not computed: {', '.join(differ)} {'was' if len(differ) == 1 else 'were'} pseudonymised "
                         f"with a different key (fingerprint {', '.join(theirs[q] for q in differ)}) than {quarter} "
                         f"({mine}), so one person has different pseudonyms in them and would be counted twice; "
                         "re-run the quarters with one key")
    else:
        result.people = count_people((quarter, folder), earlier)
    return result


def change_rows(q: Quarter, indicators: pd.DataFrame, earlier_dir: Path, spec: dict, result: Across,
                cfg: Configuration, published: list[pd.DataFrame] = ()) -> pd.DataFrame:
    """People reached this quarter minus the previous quarter's, per category of each dimension of ``spec``.

    Only where both quarters' values are published as they are: not withheld in this quarter's suppression
    (small, complementary or revised; ``published`` are its published versions) nor in the previous quarter's
    public file, and never 1 to 4: the difference with a withheld value would give that value away.
    """
    states = suppression(indicators, cfg, published)
    withheld_now = {key for key, state in zip(zip(indicators["indicator"], indicators["dimension"],
                                                  indicators["category"].astype(str), strict=True), states,
                                              strict=True) if state}
    previous = Quarter(q.year, q.q - 1) if q.q > 1 else Quarter(q.year - 1, 4)
    path = Path(earlier_dir) / previous / "indicators.csv"
    if not path.is_file():
        result.change_reason = f"not computed: {previous} has not been processed"
        return pd.DataFrame(columns=indicators.columns)
    result.previous = str(previous)
    before = pd.read_csv(path, dtype={"category": "string", "quarter": "string"}, keep_default_na=False)
    withheld_then = _withheld(path.with_name("indicators_public.csv"))
    rows, headline = [], cfg.headline()
    for dim in spec["dimensions"]:
        now = _values(indicators, dim, headline)
        then = _values(before, dim, headline)
        both = pd.concat([now.rename("now"), then.rename("then")], axis=1).fillna(0.0)
        published = np.array([(headline, dim, str(c)) not in withheld_now | withheld_then
                              for c in both.index], dtype=bool)
        shown = ((both == 0) | (both >= THRESHOLD)).all(axis=1) & published
        both = both[shown]
        change = (both["now"] - both["then"]).round(2)
        order = np.lexsort((both.index.to_numpy(dtype=str), -both["now"].to_numpy()))
        rows.append(pd.DataFrame({"quarter": str(q), "indicator": spec["id"], "dimension": dim,
                                  "category": both.index.to_numpy()[order], "value": change.to_numpy()[order]}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=indicators.columns)


def _withheld(public: Path) -> set[tuple[str, str, str]]:
    """The cells a quarter's public file withholds (all suppression, as published)."""
    if not public.is_file():
        return set()
    table = pd.read_csv(public, dtype=str, skiprows=[1], keep_default_na=False)  # row 2: HXL hashtags
    table = table[table["suppressed"] == "1"]
    return set(zip(table["indicator"], table["dimension"], table["category"], strict=True))


def _values(indicators: pd.DataFrame, dimension: str, headline: str) -> pd.Series:
    rows = indicators[(indicators["indicator"] == headline) & (indicators["dimension"] == dimension)]
    return pd.Series(rows["value"].astype(float).to_numpy(), index=rows["category"].astype(str).to_numpy())


def _specs(cfg: Configuration) -> list[dict]:
    return [s for s in cfg.load("indicators")["indicators"] if s["measure"] in MEASURES]


def people(quarter: Quarter, folder: Path, earlier_dir: Path, cfg: Configuration) -> Across:
    """The people figures (:func:`compute_across`) when ``cfg``'s ``indicators.yml`` asks for any; they need only
    the quarters' records, so a run counts them while it computes the quarter's own indicators."""
    if any(s["measure"] in PEOPLE_MEASURES for s in _specs(cfg)):
        return compute_across(quarter, folder, earlier_dir)
    return Across(str(quarter))


def across_indicators(quarter: Quarter, indicators: pd.DataFrame, folder: Path, earlier_dir: Path, cfg: Configuration,
                      published: list[pd.DataFrame] = (), counted: Across | None = None) -> pd.DataFrame:
    """``indicators`` with the cross-quarter indicators of ``cfg``'s ``indicators.yml`` added (those that could be
    computed), writing ``across.json`` (quarters counted, or why not) into ``folder``. ``counted``: the
    :func:`people` figures already counted for this quarter (counted here otherwise)."""
    specs = _specs(cfg)
    result = counted if counted is not None else people(quarter, folder, earlier_dir, cfg)
    extra = []
    for spec in specs:
        if spec["measure"] == CHANGE_MEASURE:
            extra.append(change_rows(quarter, indicators, earlier_dir, spec, result, cfg, published))
        elif result.people:
            extra.append(pd.DataFrame({"quarter": [str(quarter)], "indicator": [spec["id"]], "dimension": ["total"],
                                       "category": ["all"], "value": [float(result.people[spec["measure"]])]}))
    (folder / REPORT_FILE).write_text(result.to_json(), encoding="utf-8")
    return pd.concat([indicators, *extra], ignore_index=True) if extra else indicators


def load(folder: Path) -> Across:
    """The cross-quarter record written beside a quarter's indicators (empty when there is none)."""
    path = Path(folder) / REPORT_FILE
    if not path.is_file():
        return Across(Path(folder).name, reason="not computed: this quarter was processed before they existed")
    return Across(**json.loads(path.read_text(encoding="utf-8")))
