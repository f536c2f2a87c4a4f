"""The bytes of a sample file: CSV as its source writes it, XLSX with fixed time stamps (the same every run)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.writer.excel import ExcelWriter

from samplegen.sources import Source

_FIXED_TIME = datetime(2023, 1, 9, 9, 0, 0)

def _csv_bytes(source: Source, rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=source.delimiter, lineterminator="\r\n" if source.delimiter == ";" else "\n")
    writer.writerow([header for header, _ in source.columns])
    writer.writerows(rows)
    return buffer.getvalue().encode(source.encoding)


def _xlsx_bytes(sheets: list[tuple[str, list[list]]]) -> bytes:
    """A workbook of plain cells, dates typed as dates in Excel's short-date format (written by openpyxl).

    openpyxl stamps the workbook properties and every zip entry with the current time, but the sample's bytes
    must not change from run to run (``config/sample-files.sha256`` lists them for the demo key): the
    properties get a fixed time, and the zip is packed again, entries in the same order, with a fixed time.
    """
    if openpyxl.LXML:
        raise RuntimeError("openpyxl was imported with lxml before the sample generator set OPENPYXL_LXML=False: "
                           "the workbooks would not match config/sample-files.sha256")
    book = Workbook(write_only=True)
    book.properties.created = book.properties.modified = _FIXED_TIME
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([_date_cell(sheet, value) if isinstance(value, date)
                          else _text_cell(sheet, value) if isinstance(value, str) and value.startswith("=")
                          else value for value in row])
    written = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(written, "w")).save()  # not book.save(), which stamps the time again
    out = io.BytesIO()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(out, "w") as archive:
        for entry in source.infolist():
            archive.writestr(zipfile.ZipInfo(entry.filename, _FIXED_TIME.timetuple()[:6]), source.read(entry),
                             zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _date_cell(sheet, day: date) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    cell.number_format = BUILTIN_FORMATS[14]  # the locale's short date (set first: no unused format registered)
    cell.value = day
    return cell


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    """Text that starts with ``=`` as text, as a field file holds it: openpyxl would write it as a formula."""
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    return cell
