"""Tables of a quarter's ``quality.json``: every raw row accounted for, per source table and per file.

The clean notebook shows them after a run; the report's Annex A and its sources CSV print them for readers.
"""

from __future__ import annotations

import pandas as pd

from helpers import config


def source_table(quality: dict) -> pd.DataFrame:
    """Rows read, kept and set aside per source table (a CSV file or one sheet of a workbook), by source."""
    files = pd.DataFrame.from_dict(quality["files"], orient="index")
    columns = ["rows_read", "rows_kept", *config.drop_kinds()]
    table = files.reindex(columns=columns).fillna(0).astype(int)
    table.index.name = "source"
    table.insert(0, "file", table.index.str.replace(r" \[[^\]]*\]$", "", regex=True))  # "x.xlsx [Sheet]" → x.xlsx
    return table


def quality_table(quality: dict) -> pd.DataFrame:
    """Rows read, kept and dropped per source file (its sheets added up), with the total."""
    table = source_table(quality).groupby("file", sort=True).sum()
    table.index.name = None
    table.loc["Total"] = [quality["totals"].get(c, 0) for c in table.columns]  # older files: no summary_row
    return table.rename(columns=lambda c: c.replace("_", " ").capitalize()).map(lambda n: f"{n:,}")
