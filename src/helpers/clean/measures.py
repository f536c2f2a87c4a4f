"""Never a silent 0: the kept rows whose measure a figure needs is not reported.

An activity may say which measures its records report (``measures`` in ``config/activities.yml``: cash assistance
reports ``amount_try``, in-kind distribution ``quantity``). Household size and participants need no such line:
the reach type requires them, so a record without one is rejected (``missing_required``), never kept as 0. A
kept record of such an activity without the measure, because its file has no such column (missing, or a form
question left unmapped) or the cell is blank, is not in the figure that sums the measure
(``cash transferred``): that figure is then a partial sum, or nothing at all. :func:`not_reported` counts those
rows per figure and file for ``quality.json`` (``not_reported``); the report says which figure and how many rows,
a figure with nothing reported is shown as not reported, never as 0, and a partial sum is printed "at least ..."
and said on the chart drawn from it (:mod:`helpers.publication.report`).
"""

from __future__ import annotations

import pandas as pd

from helpers import config
from helpers.config import Configuration, shown
from helpers.errors import ConfigError


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


def not_reported(records: pd.DataFrame, present: dict[str, set[str]], cfg: Configuration) -> list[dict]:
    """Per measure with rows lacking it: the figures it feeds, the rows (total and per file), and the files that
    have no such column at all. ``present``: each source label's record columns."""
    found = []
    for column, activities in expected(cfg).items():
        lacking = records["activity"].isin(activities).to_numpy() & records[column].isna().to_numpy()
        if not lacking.any():
            continue
        per_file = records.loc[lacking, "source"].astype(str).value_counts().sort_index()
        found.append({
            "column": column, "activities": activities, "figures": figures(column, cfg), "rows": int(lacking.sum()),
            "rows_reported": int((records["activity"].isin(activities) & records[column].notna()).sum()),
            "files": {str(source): int(n) for source, n in per_file.items()},
            "files_without_column": sorted(source for source in per_file.index
                                           if column not in present.get(source, ())),
        })
    return found


def sentences(quality: dict, files: bool = True) -> list[str]:
    """What the report and check say of each measure not reported: which figure, how many rows, which files
    (``files``: by name, for check; the report only counts them: its sources are numbered, not named, and names
    the activities by their labels, not codes)."""
    lines, labels = [], config.activities()["label"].to_dict()
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
