"""Feedback to partners: per source file, the rows not kept, why and what to do, in English and Turkish.

One workbook per file (``data/processed/<QUARTER>/feedback/<file>.xlsx``), ready to send back to whoever made it:
the sheet and row as Excel shows them, the reason and the hint in both languages (``config/feedback.yml``), the
column and the value at fault. Identifier values are never in it: values are taken from the rejects table, where
they are already withheld, and free text is masked again (:func:`helpers.clean.redact.mask`). Cells are written
as text, so a value that looks like a formula is never run.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd

from helpers import config
from helpers.clean import redact
from helpers.errors import ConfigError

HEADER = ["Sheet / Sayfa", "Row / Satır", "Reason / Neden", "Neden", "Column / Sütun", "Value / Değer",
          "Detail / Ayrıntı", "What to do", "Ne yapılmalı"]
_UNSAFE = re.compile(r"[^\w.-]+")


def texts() -> dict[str, dict[str, str]]:
    """Each reason's words (en, tr, hint_en, hint_tr); every reason of reasons.yml must have them."""
    found = config.load("feedback")["reasons"]
    if missing := [r for r in [*config.dropped_reasons(), *config.reject_reasons()] if r not in found]:
        raise ConfigError(f"{config.shown(config.path('feedback.yml'))}: reasons: no words for {missing}")
    return found


def _text(value: object, masked: dict[str, str]) -> str:
    """A cell's text, masked once per distinct value (``masked`` remembers them for the run's workbooks)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = str(value)
    if text not in masked:
        masked[text] = redact.mask(text)[0]
    return masked[text]


def write_feedback(rejects: pd.DataFrame, folder: Path) -> list[Path]:
    """One workbook per source file of ``rejects`` into ``folder`` (emptied first: no file of an earlier run left)."""
    # openpyxl is imported here, without lxml (a small workbook needs no speed): imported with lxml in a process,
    # it could no longer write the bundled sample's workbooks byte for byte (samplegen sets the same default).
    os.environ.setdefault("OPENPYXL_LXML", "False")
    import openpyxl
    import openpyxl.styles

    words = texts()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    files = rejects["source"].astype(str).str.split(" [", n=1, regex=False)
    written, masked = [], {}
    for source, rows in rejects.groupby(files.str[0], sort=True):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Feedback"
        sheet.append(HEADER)
        for cell in sheet[1]:
            cell.font = openpyxl.styles.Font(bold=True)
        for row in rows.sort_values(["source", "row_number"]).itertuples():
            said = words.get(row.reason, {"en": row.reason, "tr": row.reason, "hint_en": "", "hint_tr": ""})
            part = str(row.source)[len(source):].strip(" []")
            sheet.append([part, int(row.row_number), said["en"], said["tr"], _text(row.column, masked),
                          _text(row.value, masked), _text(row.detail, masked), said["hint_en"], said["hint_tr"]])
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
        path = folder / f"{_UNSAFE.sub('_', source).strip('_') or 'file'}.xlsx"
        book.save(path)
        written.append(path)
    return written
