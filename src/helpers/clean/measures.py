"""Never a silent 0: the kept rows whose measure a figure needs is not reported.

An activity may say which measures its records report (``measures`` in ``config/activities.yml``: cash assistance
reports ``amount_try``, in-kind distribution ``quantity``). Household size and participants need no such line:
the reach type requires them, so a record without one is rejected (``missing_required``), never kept as 0. A
kept record of such an activity without the measure, because its file has no such column (missing, or a form
question left unmapped) or the cell is blank, is not in the figure that sums the measure
(``cash transferred``): that figure is then a partial sum, or nothing at all. :func:`not_reported` counts those
rows per figure and file for ``quality.json`` (``not_reported``); the report says which figure and how many rows,
a figure with nothing reported is shown as not reported, never as 0, and a partial sum is printed "at least ..."
and said on the chart drawn from it (:mod:`helpers.publication.report`). The public data flag the same figures
(:data:`COMPLETENESS`, :func:`completeness`): a value left blank, or published as a lower bound.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from helpers.config import Configuration, shown
from helpers.errors import ConfigError

COMPLETE, LOWER_BOUND, NOT_REPORTED = "complete", "lower_bound", "not_reported"
COMPLETENESS = {
    COMPLETE: "every record the figure adds up reports its measure",
    LOWER_BOUND: "some records the figure adds up do not report its amount or quantity: the value is their partial "
                 "sum, the true figure is at least this (a category none of whose records reports it is not listed)",
    NOT_REPORTED: "no record the figure adds up reports its amount or quantity: the value is blank, not known (it is "
                  "not zero)",
}
"""What the public file's ``completeness`` column says of a figure (:mod:`helpers.measure.disclosure`)."""


def expected(cfg: Configuration) -> dict[str, list[str]]:
    """Measure column → the catalogue activities whose records report it; a measure no indicator sums is a
    configuration error (it would be checked for nothing)."""
    found: dict[str, list[str]] = {}
    for code, row in cfg.activities().iterrows():
        for column in row.get("measures") if isinstance(row.get("measures"), list) else []:
            if not figures(column, cfg):
                raise ConfigError(f"{shown(cfg.path('activities.yml'))}: {code}.measures: {column!r} is "
                                  "summed by no indicator of indicators.yml")
            found.setdefault(column, []).append(code)
    return found


def figures(column: str, cfg: Configuration) -> list[dict]:
    """The indicators that sum ``column`` (``cash_transferred_try`` for ``amount_try``): id and label."""
    return [{"indicator": spec["id"], "label": spec["label"]} for spec in cfg.indicators()
            if spec.get("measure") == "sum" and spec.get("column") == column]


def _lacking(records: pd.DataFrame, cfg: Configuration) -> Iterator[tuple[str, list[str], np.ndarray]]:
    """Each measure some kept records lack: its column, the activities reporting it, the rows lacking it."""
    for column, activities in expected(cfg).items():
        lacking = records["activity"].isin(activities).to_numpy() & records[column].isna().to_numpy()
        if lacking.any():
            yield column, activities, lacking


def state(rows_reported: int) -> str:
    """A figure that sums a measure some kept records lack: :data:`NOT_REPORTED` when no record reports it,
    else :data:`LOWER_BOUND` (a partial sum)."""
    return LOWER_BOUND if rows_reported else NOT_REPORTED


def completeness(records: pd.DataFrame, cfg: Configuration) -> dict[str, str]:
    """Indicator → :data:`LOWER_BOUND` or :data:`NOT_REPORTED` for each figure whose measure some of ``records``
    lack (the kept records of the activities that report it); a figure not listed is complete."""
    return {figure["indicator"]: state(int((records["activity"].isin(activities) & records[column].notna()).sum()))
            for column, activities, _ in _lacking(records, cfg) for figure in figures(column, cfg)}


def not_reported(records: pd.DataFrame, present: dict[str, set[str]], cfg: Configuration) -> list[dict]:
    """Per measure with rows lacking it: the figures it feeds, the rows (total and per file), and the files that
    have no such column at all. ``present``: each source label's record columns."""
    found = []
    for column, activities, lacking in _lacking(records, cfg):
        per_file = records.loc[lacking, "source"].astype(str).value_counts().sort_index()
        found.append({
            "column": column, "activities": activities, "figures": figures(column, cfg), "rows": int(lacking.sum()),
            "rows_reported": int((records["activity"].isin(activities) & records[column].notna()).sum()),
            "files": {str(source): int(n) for source, n in per_file.items()},
            "files_without_column": sorted(source for source in per_file.index
                                           if column not in present.get(source, ())),
        })
    return found


def sentences(quality: dict, cfg: Configuration, files: bool = True) -> list[str]:
    """What the report and check say of each measure not reported: which figure, how many rows, which files
    (``files``: by name, for check; the report only counts them: its sources are numbered, not named, and names
    the activities by their labels, not codes)."""
    lines, labels = [], cfg.activities()["label"].to_dict()
    for entry in quality.get("not_reported", []):
        names = ", ".join(figure["label"] for figure in entry["figures"]) or entry["column"]
        without = entry["files_without_column"]
        where = (f" ({', '.join(without) if files else f'{len(without):,} file' + ('s' if len(without) > 1 else '')}"
                 f" {'has' if len(without) == 1 else 'have'} no {entry['column']} column)" if without else "")
        plural = "s" if entry["rows"] != 1 else ""
        named = entry["activities"] if files else [labels.get(code, code) for code in entry["activities"]]
        records = f"{entry['rows']:,} kept record{plural} of {', '.join(named)}"
        if entry["rows_reported"]:
            lines.append(f"{names} leaves out {records} without {entry['column']}{where}")
        else:
            lines.append(f"{names} is not reported: its {records} have no {entry['column']}{where}")
    return lines
