"""Feedback to partners: per source file, the rows not kept, why and what to do, in English and Turkish.

One workbook per file (``data/processed/<QUARTER>/feedback/<file>.xlsx``), ready to send back to whoever made it:
the sheet and row as Excel shows them, the reason and the hint in both languages (``config/feedback.yml``), the
column and the value at fault. Identifier values are never in it: values are taken from ``rejects.csv``, where
a value holding one is already withheld whole (:func:`helpers.clean.redact.withhold`), and the column names and
details, which quote file and header names, are masked (:func:`helpers.clean.redact.mask`). Every cell is
written as text or a number, so a value that looks like a formula is never run.

The workbooks are made from the written ``rejects.csv``, not inside cleaning: nothing downstream reads them, so a
run writes them beside the indicators and the report (:func:`helpers.pipeline.run_quarter`). XlsxWriter's
constant-memory mode streams each row to disk; a quarter of ten million records has some 300,000 rows to list.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import xlsxwriter

from helpers.clean import redact
from helpers.config import Configuration, shown
from helpers.csvfile import read_csv
from helpers.errors import ConfigError

HEADER = ["Sheet / Sayfa", "Row / Satır", "Reason / Neden", "Neden", "Column / Sütun", "Value / Değer",
          "Detail / Ayrıntı", "What to do", "Ne yapılmalı"]
FOLDER = "feedback"
_UNSAFE = re.compile(r"[^\w.-]+")
# Text stays text: no cell is turned into a formula, a number or a link because of what it looks like.
_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False}


def texts(cfg: Configuration) -> dict[str, dict[str, str]]:
    """Each reason's words (en, tr, hint_en, hint_tr); every reason of reasons.yml must have them."""
    found = cfg.load("feedback")["reasons"]
    if missing := [r for r in [*cfg.dropped_reasons(), *cfg.reject_reasons()] if r not in found]:
        raise ConfigError(f"{shown(cfg.path('feedback.yml'))}: reasons: no words for {missing}")
    return found


def _masked(values: pd.Series, regions: redact.Regions) -> pd.Series:
    """Each distinct text of ``values`` masked once (phones of the run's ``regions`` too); empty cells become ""."""
    masks = {text: redact.masked(text, regions) for text in values.dropna().unique()}
    return values.map(masks).astype("object").fillna("")


def write_feedback(quarter_dir: Path, cfg: Configuration) -> list[Path]:
    """One workbook per source file of ``quarter_dir/rejects.csv`` into ``quarter_dir/feedback/`` (emptied
    first: no file of an earlier run is left)."""
    rejects = read_csv(Path(quarter_dir) / "rejects.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False,
                       na_values=[""])
    words = texts(cfg)
    folder = Path(quarter_dir) / FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rejects["row_number"] = pd.to_numeric(rejects["row_number"]).astype("int64")
    rejects["value"] = rejects["value"].astype("object").fillna("")
    for column in ("column", "detail"):
        rejects[column] = _masked(rejects[column], redact.origin_regions(cfg))
    files = rejects["source"].str.split(" [", n=1, regex=False).str[0]
    written = []
    for source, rows in rejects.assign(file=files).groupby("file", sort=True):
        path = folder / f"{_UNSAFE.sub('_', source).strip('_') or 'file'}.xlsx"
        book = xlsxwriter.Workbook(path, _OPTIONS)
        sheet = book.add_worksheet("Feedback")
        sheet.write_row(0, 0, HEADER, book.add_format({"bold": True}))
        rows = rows.sort_values(["source", "row_number"], kind="stable")
        parts = rows["source"].str.slice(len(source)).str.strip(" []")
        for line, (part, row) in enumerate(zip(parts, rows.itertuples(index=False), strict=True), start=1):
            said = words.get(row.reason, {"en": row.reason, "tr": row.reason, "hint_en": "", "hint_tr": ""})
            sheet.write_row(line, 0, [part, row.row_number, said["en"], said["tr"], row.column, row.value,
                                      row.detail, said["hint_en"], said["hint_tr"]])
        book.close()
        written.append(path)
    return written

