"""Read an XLSX workbook: one :class:`~helpers.ingest.tables.RawTable` per sheet with a recognisable header.

Hostile workbooks: one that would unpack to an absurd size is refused before it is loaded; workbooks are loaded
in a child process, so one that crashes the spreadsheet library becomes a :class:`SourceReadError` naming the
file. KoboToolbox repeat-group sheets are listed as not read. Cells typed as numbers are remembered
(:attr:`RawTable.numbers`), since their text says nothing of how the file writes numbers.

A formula cell saved without its calculated value (a workbook written by a script, or saved by a tool that does
not calculate) reads as blank; such cells are found (:func:`_formula_gaps`) and remembered
(:attr:`RawTable.formulas`), so that their rows are rejected for what they are rather than as missing a value.
"""

from __future__ import annotations

import logging
import multiprocessing
import posixpath
import re
import resource
import signal
import zipfile
from datetime import date, datetime
from functools import reduce
from pathlib import Path

import numpy as np
from lxml import etree
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
# A cell holding a formula and no saved value (no ``<v>``, or an empty one): its attributes (group 1). Searched
# only in the part of a sheet's XML that holds a formula at all, so a sheet without formulas costs nothing more.
_FORMULA_GAP = re.compile(rb"<(?:\w+:)?c\b([^>/]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
                          rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")
_ROOT = re.compile(rb"<(\w+:)?worksheet[\s>]")  # a sheet's root element, and the prefix its elements take
_ATTRIBUTES = re.compile(rb'\b([rt])\s*=\s*"([^"]*)"')
_GAP_OVERLAP = 1 << 16  # bytes of a chunk searched again with the next: longer than any formula Excel allows
_TEXT_TYPES = {"s", "str", "inlineStr"}  # cell types whose empty value is a value (an empty text)
_REFERENCE = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")  # a cell's reference, ``B12``
_UNIT, _RECORD = "\x1f", "\x1e"  # separators of a sheet's cells on its way from the child process


def _check_workbook_size(path: Path, source: str, rules: ReadingRules
                         ) -> dict[str, list[tuple[int, int]] | None]:
    """Refuse a workbook that would unpack to an absurd size, judged from its zip directory and the dimension
    each sheet declares, before the spreadsheet library allocates anything for it. Returns, by part of the zip,
    the sheets' formula cells saved without a value, found in the same pass (see :func:`_scan_cells`)."""
    suspects: dict[str, list[tuple[int, int]] | None] = {}
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
                    cells, gaps = _scan_cells(archive, part, rules.max_cells)
                    if cells > rules.max_cells:
                        raise SourceReadError(source, (  # a sheet without (or belying) its dimension
                            f"sheet {part.filename} holds more than {rules.max_cells:,} cells, the most allowed "
                            "(workbook_limits)"), "too_large")
                    if gaps is None or gaps:
                        suspects[part.filename] = gaps
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise SourceReadError(source, f"not a readable .xlsx workbook ({error})", "malformed") from error
    return suspects


def _scan_cells(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limit: int
                ) -> tuple[int, list[tuple[int, int]] | None]:
    """The cells a sheet's XML holds, counted while it streams (never held whole; stops past ``limit``), and
    its formula cells saved without a value, (row, column) from 0 at A1; None when such a cell gives no
    reference (the sheet is then parsed, :func:`_gaps_in`)."""
    cells, tail, previous, gaps, formula = 0, b"", b"", set(), b"<f"
    with archive.open(part) as stream:
        for chunk in iter(lambda: stream.read(_STREAM_BYTES), b""):
            if not previous and (root := _ROOT.search(chunk)):  # elements named with a prefix, as the root is
                formula = b"<" + (root.group(1) or b"") + b"f"
            block = tail + chunk
            cut = max(len(block) - 16, 0)  # an element split between two chunks is counted in the next
            cells += len(_CELL.findall(block, 0, cut))
            tail = block[cut:]
            window = previous + chunk  # a cell split between two chunks is found in the next window
            if gaps is not None and formula in window:
                for match in _FORMULA_GAP.finditer(window):
                    attributes = dict(_ATTRIBUTES.findall(match.group(1)))
                    if attributes.get(b"t", b"").decode() in _TEXT_TYPES:  # an empty text is a value
                        continue
                    if (reference := _REFERENCE.fullmatch(attributes.get(b"r", b"").decode())) is None:
                        gaps = None
                        break
                    gaps.add((int(reference.group(2)) - 1, _column_number(reference.group(1).encode()) - 1))
            previous = chunk[-_GAP_OVERLAP:]
            if cells > limit:
                break
    return cells + len(_CELL.findall(tail)), None if gaps is None else sorted(gaps)


def _formula_gaps(path: Path, source: str, found: dict[str, list[tuple[int, int]] | None]
                  ) -> dict[str, list[tuple[int, int]]]:
    """Per sheet name, its formula cells saved without a value (row, column; from 0 at A1), as
    :func:`_check_workbook_size` found them by part of the zip; a sheet whose cells gave no reference is parsed."""
    if not found:
        return {}
    gaps: dict[str, list[tuple[int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for name, part in _sheet_parts(archive).items():
                if part in found:
                    with archive.open(part) as stream:
                        gaps[name] = _gaps_in(stream) if found[part] is None else found[part]
    except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile, EOFError) as error:  # also one changed meanwhile
        raise SourceReadError(source, f"not a readable .xlsx workbook ({error})", "malformed") from error
    return gaps


def _gaps_in(stream) -> list[tuple[int, int]]:
    """The formula cells without a saved value of one sheet's XML, parsed: for cells without their reference,
    placed after the one before, as the spreadsheet library places them (the rare writer that leaves them out)."""
    found, row, column = [], -1, -1
    for event, element in etree.iterparse(stream, events=("start", "end"), tag=("{*}row", "{*}c"),
                                          resolve_entities=False, no_network=True, remove_comments=True):
        if event == "start":
            if element.tag.endswith("row"):
                row, column = int(element.get("r") or row + 2) - 1, -1
            continue
        if element.tag.endswith("row"):
            _drop(element)
            continue
        reference = _REFERENCE.fullmatch(element.get("r") or "")
        if reference:
            column, row = _column_number(reference.group(1).encode()) - 1, int(reference.group(2)) - 1
        else:
            column += 1
        formula, value = element.find("{*}f"), element.find("{*}v")
        if formula is not None and (value is None or (not (value.text or "").strip()
                                                      and element.get("t") not in _TEXT_TYPES)):
            found.append((row, column))
        _drop(element)
    return found


def _drop(element) -> None:
    """Free an element parsed, and those before it: a sheet's XML is never held whole."""
    element.clear(keep_tail=False)
    while element.getprevious() is not None:
        del element.getparent()[0]


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name and the zip part holding its XML (``xl/workbook.xml`` and its relationships)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    book = etree.fromstring(archive.read("xl/workbook.xml"), parser)
    relations = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), parser)
    targets = {relation.get("Id"): relation.get("Target", "") for relation in relations.iter("{*}Relationship")}
    parts = {}
    for sheet in book.iter("{*}sheet"):
        key = next((value for attribute, value in sheet.attrib.items() if attribute.endswith("}id")), None)
        target = targets.get(key, "")
        parts[sheet.get("name")] = (target.lstrip("/") if target.startswith("/")
                                    else posixpath.normpath(posixpath.join("xl", target)))
    return parts


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
    suspects = _check_workbook_size(path, source, rules)
    sheets = _load_sheets_isolated(path, source, rules.max_reader_memory_bytes)
    gaps = _formula_gaps(path, source, suspects)
    tables = SourceTables()
    if {"survey", "choices"} <= {name.strip().lower() for name in sheets}:
        reason = "an XLSForm: the definition of a form, read as such (its exports are read through it), not data"
        return SourceTables(not_read=[NotRead(source, None, reason)])
    for name, (rows, numbers) in sheets.items():
        rows, numbers, formulas = _with_gaps(rows, numbers, gaps.get(name, []))
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
        blank = [formulas[start:, i] for i in range(len(head[index]))] if gaps.get(name) else None
        tables.append(raw_table(columns, head[index], start + 1, source, name, sheet_rules, tags,
                                title_rows=index > 0, typed=typed, formulas=blank))
    if not tables and not tables.not_read:
        raise SourceReadError(source, f"no sheet has a recognisable header row {looked_for(rules)}",
                              "no_header_row")
    return tables


def _with_gaps(rows: list[list[str]], numbers: np.ndarray, gaps: list[tuple[int, int]]
               ) -> tuple[list[list[str]], np.ndarray, np.ndarray]:
    """A sheet's rows and typed numbers, with the rows the spreadsheet library left out because their cells all
    hold formulas without values added (blank), and where those cells are (row, column: True)."""
    width = numbers.shape[1] if len(rows) else max((column + 1 for _, column in gaps), default=0)
    height = max(len(rows), max((row + 1 for row, _ in gaps), default=0))
    if height > len(rows):
        rows = rows + [[""] * width for _ in range(height - len(rows))]
        numbers = np.vstack([numbers.reshape(-1, width), np.zeros((height - len(numbers), width), dtype=bool)])
    formulas = np.zeros((height, width), dtype=bool)
    for row, column in gaps:
        if column < width:  # a formula right of every value is under no header
            formulas[row, column] = True
    return rows, numbers, formulas


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
