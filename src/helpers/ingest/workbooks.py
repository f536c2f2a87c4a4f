"""Read an XLSX workbook: one :class:`~helpers.ingest.tables.RawTable` per sheet with a recognisable header.

Hostile workbooks: one that would unpack to an absurd size is refused before it is loaded; workbooks are loaded
in a child process, so one that crashes the spreadsheet library becomes a :class:`SourceReadError` naming the
file. KoboToolbox repeat-group sheets are listed as not read. Cells typed as numbers are remembered
(:attr:`RawTable.numbers`), since their text says nothing of how the file writes numbers.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import resource
import signal
import zipfile
from datetime import date, datetime
from functools import reduce
from pathlib import Path

import numpy as np
from python_calamine import CalamineWorkbook

from helpers.errors import SourceReadError
from helpers.ingest.rules import ReadingRules
from helpers.ingest.tables import (
    NotRead,
    SourceTables,
    columns_from_rows,
    find_header,
    looked_for,
    raw_table,
    tags_under,
)
from helpers.text import fold

log = logging.getLogger(__name__)

_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"')
_DIMENSION_BYTES = 1 << 16  # a sheet declares its dimension before its data, within the first bytes
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")  # a cell element of a sheet's XML
_STREAM_BYTES = 1 << 22
_UNIT, _RECORD = "\x1f", "\x1e"  # separators of a sheet's cells on its way from the child process


def _check_workbook_size(path: Path, source: str, rules: ReadingRules) -> None:
    """Refuse a workbook that would unpack to an absurd size, judged from its zip directory and the dimension
    each sheet declares, before the spreadsheet library allocates anything for it."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > rules.max_uncompressed_bytes:
                raise SourceReadError(source, f"unpacks to {unpacked >> 20:,} MB, more than the "
                                      f"{rules.max_uncompressed_bytes >> 20:,} MB allowed (workbook_limits)",
                                      "too_large")
            for part in parts:
                if _SHEET_PART.fullmatch(part.filename):
                    with archive.open(part) as stream:
                        declared = _DIMENSION.search(stream.read(_DIMENSION_BYTES))
                    if declared and (cells := _cells(declared.groups())) > rules.max_cells:
                        raise SourceReadError(source, (
                            f"sheet {part.filename} declares {declared.group(0).decode(errors='replace')[11:]}, "
                            f"{cells:,} cells, more than the {rules.max_cells:,} allowed (workbook_limits)"),
                            "too_large")
                    if (cells := _count_cells(archive, part, rules.max_cells)) > rules.max_cells:
                        raise SourceReadError(source, (  # a sheet without (or belying) its dimension
                            f"sheet {part.filename} holds more than {rules.max_cells:,} cells, the most allowed "
                            "(workbook_limits)"), "too_large")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise SourceReadError(source, f"not a readable .xlsx workbook ({error})", "malformed") from error


def _count_cells(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limit: int) -> int:
    """The cells a sheet's XML holds, counted while it streams (never held whole); stops past ``limit``."""
    cells, tail = 0, b""
    with archive.open(part) as stream:
        for chunk in iter(lambda: stream.read(_STREAM_BYTES), b""):
            block = tail + chunk
            cut = max(len(block) - 16, 0)  # an element split between two chunks is counted in the next
            cells += len(_CELL.findall(block, 0, cut))
            tail = block[cut:]
            if cells > limit:
                return cells
    return cells + len(_CELL.findall(tail))


def _cells(bounds: tuple[bytes | None, ...]) -> int:
    """Cells in a range like ``A1:XFD1048576`` (a single cell when the end is missing)."""
    first_column, first_row, last_column, last_row = bounds
    last_column, last_row = last_column or first_column, last_row or first_row
    width = abs(_column_number(last_column) - _column_number(first_column)) + 1
    return width * (abs(int(last_row) - int(first_row)) + 1)


def _column_number(letters: bytes) -> int:
    return reduce(lambda number, letter: number * 26 + letter - 64, letters, 0)


def _load_sheets_isolated(path: Path, source: str, memory: int) -> dict[str, tuple[list[list[str]], np.ndarray]]:
    """Every sheet's cells, loaded in a child process, so that a crash of the spreadsheet library (an abort on a
    hostile file) becomes a :class:`SourceReadError` naming the file instead of ending the run.

    The child is forked (no interpreter to start, no module to import again) and does nothing but load the
    workbook and send the cells back; everything else happens here. It may take ``memory`` bytes beyond what it
    starts with (``RLIMIT_AS``): a workbook that needs more ends it, and is named, instead of the machine's memory.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_load, args=(sender, _load_sheets, path, source, memory),
                            name=f"read {source}", daemon=True)
    child.start()
    sender.close()
    try:
        result = receiver.recv()
    except EOFError:  # the child died before it could answer
        child.join()
        code = child.exitcode or 0
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        raise SourceReadError(source, f"the workbook crashed the spreadsheet reader ({how}); it may be malformed, "
                                      f"hostile or need more than the {memory >> 20:,} MB of memory allowed "
                                      "(workbook_limits): open it in Excel and save it again", "malformed") from None
    finally:
        receiver.close()
    child.join()
    if isinstance(result, SourceReadError):
        raise result
    return {name: (_unpacked(sheet), numbers) for name, (sheet, numbers) in result.items()}


def _child_load(sender, load, path: Path, source: str, memory: int | None = None) -> None:
    """In the child: load the sheets and send them back packed, or the :class:`SourceReadError`."""
    if memory:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        limit = _address_space() + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        result = {name: (_packed(rows), numbers) for name, (rows, numbers) in load(path, source).items()}
    except SourceReadError as error:
        result = error
    sender.send(result)
    sender.close()


def _address_space() -> int:
    """This process's virtual memory now (``VmSize``), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmSize:"))
    return int(line.split()[1]) << 10


def _packed(rows: list[list[str]]) -> tuple[int, str] | list[list[str]]:
    """A sheet's text cells as one string (unit and record separators), which crosses the pipe far faster than
    a list of lists; the lists themselves when a cell holds a separator character."""
    text = _RECORD.join(_UNIT.join(row) for row in rows)
    fits = text.count(_RECORD) == max(len(rows) - 1, 0) and text.count(_UNIT) == sum(len(row) - 1 for row in rows)
    return (len(rows), text) if fits else rows


def _unpacked(sheet: tuple[int, str] | list[list[str]]) -> list[list[str]]:
    if isinstance(sheet, list):
        return sheet
    count, text = sheet
    return [row.split(_UNIT) for row in text.split(_RECORD)] if count else []


def _load_sheets(path: Path, source: str) -> dict[str, tuple[list[list[str]], np.ndarray]]:
    """Every sheet's cells as text (see :func:`_cell_text`), and where it holds typed numbers."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # calamine raises several types (a Rust panic is a BaseException)
        raise SourceReadError(source, f"not a readable .xlsx workbook ({error})", "malformed") from error
    return {name: ([[_cell_text(value) for value in row] for row in rows], _typed_numbers(rows))
            for name, rows in sheets.items()}


def _typed_numbers(rows: list[list]) -> np.ndarray:
    """Which cells (row, column) hold a number typed as a number, not text."""
    cells = np.zeros((len(rows), max(map(len, rows), default=0)), dtype=bool)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if type(value) in (int, float):  # not bool, a subclass of int
                cells[i, j] = True
    return cells


def read_xlsx(path: Path, source: str, rules: ReadingRules) -> SourceTables:
    _check_workbook_size(path, source, rules)
    sheets = _load_sheets_isolated(path, source, rules.max_reader_memory_bytes)
    tables = SourceTables()
    if {"survey", "choices"} <= {name.strip().lower() for name in sheets}:
        reason = "an XLSForm: the definition of a form, read as such (its exports are read through it), not data"
        return SourceTables(not_read=[NotRead(source, None, reason)])
    for name, (rows, numbers) in sheets.items():
        head = rows[: rules.header_search_rows + 1]
        if markers := sorted({fold(cell) for row in head[:1] for cell in row} & rules.repeat_markers):
            reason = (f"a KoboToolbox repeat group (columns {', '.join(markers)}): its rows belong to "
                      "submissions of another sheet, they are not activity records")
            log.info("%s: sheet %r not read: %s", source, name, reason)
            tables.not_read.append(NotRead(source, name, reason))
            continue
        found = find_header(head, rules)
        if found is None:
            log.info("%s: sheet %r skipped: no recognisable header row %s", source, name, looked_for(rules))
            if any(cell.strip() for row in rows for cell in row):  # notes or a misspelt header: say so
                tables.not_read.append(NotRead(source, name, f"no recognisable header row {looked_for(rules)}"))
            continue
        index, _, sheet_rules = found
        tags = tags_under(head, index)
        start = index + (2 if tags else 1)
        columns = columns_from_rows(rows[start:], len(head[index]))
        typed = [numbers[start:, i] for i in range(len(head[index]))]
        tables.append(raw_table(columns, head[index], start + 1, source, name, sheet_rules, tags,
                                title_rows=index > 0, typed=typed))
    if not tables and not tables.not_read:
        raise SourceReadError(source, f"no sheet has a recognisable header row {looked_for(rules)}",
                              "no_header_row")
    return tables


def _cell_text(value: object) -> str:
    """Excel cell as text: dates as ISO dates, whole numbers without ``.0``, TRUE/FALSE as Excel shows."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return "" if value is None else str(value)
