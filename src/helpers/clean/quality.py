"""Tables of a quarter's ``quality.json``: every raw row accounted for, per source table and per file.

The clean notebook shows them after a run; the report's Annex A and its sources CSV print them for readers, who
see each source by a neutral label (:func:`public_labels`), never its file, sheet or folder names, and per-source
counts rounded (:func:`rounded`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

import pandas as pd

from helpers.config import Configuration

_SHEET = re.compile(r" \[[^\]]*\]$")  # a source table's sheet: "x.xlsx [Sheet]" → x.xlsx


def source_table(quality: dict, cfg: Configuration) -> pd.DataFrame:
    """Rows read, kept and set aside per source table (a CSV file or one sheet of a workbook), by source, in the
    kinds of ``cfg``'s reasons.yml."""
    files = pd.DataFrame.from_dict(quality["files"], orient="index")
    columns = ["rows_read", "rows_kept", *cfg.drop_kinds()]
    table = files.reindex(columns=columns).fillna(0).astype(int)
    table.index.name = "source"
    table.insert(0, "file", table.index.str.replace(_SHEET.pattern, "", regex=True))
    return table


def quality_table(quality: dict, cfg: Configuration) -> pd.DataFrame:
    """Rows read, kept and dropped per source file (its sheets added up), with the total."""
    table = source_table(quality, cfg).groupby("file", sort=True).sum()
    table.index.name = None
    table.loc["Total"] = [quality["totals"].get(c, 0) for c in table.columns]  # older files: no summary_row
    return table.rename(columns=lambda c: c.replace("_", " ").capitalize()).map(lambda n: f"{n:,}")


def unit_of(source: str, units: dict[str, str]) -> str | None:
    """The programme unit (``units`` in config/programme.yml) whose folder a source lies in, if any."""
    parts = PurePosixPath(source).parts
    return units.get(parts[0]) if len(parts) > 1 else None


def public_labels(sources: list[str], units: dict[str, str], *, file: str = "file {n}", sheet: str = "sheet {n}",
                  unit: Callable[[str], str] = str) -> dict[str, str]:
    """Each source label (``folder/file [sheet]``, as quality.json has it) → the neutral label readers see:
    ``Protection and Resilience Unit, file 2, sheet 1`` with the unit from config, else ``file 3``; in the
    order of that numbering. ``file``, ``sheet`` and ``unit`` give the words in an edition's language
    (``dosya 3``, ``sayfa 1``); the defaults are the English of the public sources file.

    File, sheet and folder names are chosen by partners and may name the people served, so none is published;
    files are numbered in the order of their names within their unit, sheets within their file.
    """
    files = sorted({_file(source) for source in sources})
    labels: dict[str, str] = {}
    for unit_name in dict.fromkeys(unit_of(f, units) for f in files):
        for n, name in enumerate((f for f in files if unit_of(f, units) == unit_name), start=1):
            labels[name] = (unit(unit_name) + ", " if unit_name else "") + file.format(n=n)
            sheets = sorted(s for s in sources if _file(s) == name and s != name)
            labels.update({s: f"{labels[name]}, {sheet.format(n=k)}" for k, s in enumerate(sheets, start=1)})
    return {source: label for source, label in labels.items() if source in set(sources)}


def _file(source: str) -> str:
    return _SHEET.sub("", source)


def rounded(count: int) -> int | str:
    """A per-source count as published: ``0``; ``<5`` for 1 to 4; otherwise rounded to the nearest 5.

    The quarter's totals are exact, so exact per-source counts would give back a withheld one by subtraction
    (a row's parts add up to its rows read, the sources to the total); rounded, no count can be worked out.
    """
    if count <= 0:
        return 0
    return "<5" if count < 5 else 5 * round(count / 5)
