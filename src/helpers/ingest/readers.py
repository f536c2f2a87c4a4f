"""Read raw activity logs into tables of canonical string columns (the input contract of config/columns.yml).

One :class:`RawTable` per CSV file and per recognised XLSX sheet. Values stay text (no date or number
parsing; that is the cleaner's job): blank and whitespace-only cells become NA, everything else is kept
verbatim. Direct identifiers are dropped here and never reach the frame.

Row numbers are what the analyst sees in Excel: 1-based, counting title rows, the header and blank rows.
A CSV record whose quoted field spans several lines is one row, as in Excel (a text editor shows it on
more lines). Fully empty rows (blank lines, ``;;;;``) are not records: they are dropped and not counted,
but they keep their place in the numbering of the rows below them. A row with only unknown or identifier
cells filled is a record (the cleaner rejects it), so nothing the analyst typed vanishes silently.

CSV encoding is detected, not assumed: a byte-order mark decides (UTF-8, or UTF-16 from Excel's "Unicode
text"); without one, UTF-8 when the whole file is valid UTF-8, else Windows-1254, or ISO-8859-9 when a
byte undefined in Windows-1254 occurs (the two differ only in 0x80–0x9F, so files without such bytes
decode identically either way). The delimiter (``,`` ``;`` tab) is the one that makes a header row appear.

Field tools' shapes (``config/columns.yml`` holds every word): KoboToolbox metadata columns are ignored, never
taken for data; an HXL hashtag row under the header is not a record and its hashtags map columns whose header
is not recognised; KoboToolbox repeat-group sheets are listed as not read; totals rows of partner trackers are
set apart (:attr:`RawTable.summary_rows`), not read as records. Each table says how every header was mapped
(:attr:`RawTable.mapping`) and which shape it looks like (:attr:`RawTable.shape`).

Hostile files: a symlink leading out of the raw folder is not read (listed in :attr:`SourceTables.not_read`);
a workbook that would unpack to an absurd size is refused before it is loaded; workbooks are loaded in a child
process, so one that crashes the spreadsheet library becomes a :class:`SourceReadError` naming the file.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import itertools
import logging
import mmap
import multiprocessing
import re
import signal
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, partial, reduce
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from hxl.model import Column, TagPattern
from python_calamine import CalamineWorkbook

from helpers import config
from helpers.errors import SourceReadError
from helpers.text import fold, header_key

log = logging.getLogger(__name__)

SOURCE_SUFFIXES = (".csv", ".xlsx")
# Spreadsheets in formats not read: listed, so that read_source refuses them by name instead of their vanishing.
OTHER_SPREADSHEETS = (".xls", ".xlsm", ".xlsb", ".ods", ".tsv")
_DELIMITERS = (",", ";", "\t")
_BOMS = {codecs.BOM_UTF8: "utf-8", codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}
_HEAD_BYTES = 1 << 20  # the header row is looked for in the first MiB of a CSV
_CHUNK_BYTES = 1 << 24  # files are scanned and parsed in blocks of 16 MiB
_CP1254_UNDEFINED = [bytes([b]) for b in b"\x81\x8d\x8e\x8f\x90\x9d\x9e"]  # bytes Windows-1254 leaves out
_PARENTHESES = re.compile(r"\(([^)]*)\)")  # a parenthesised part of a header, and what it says
_STRING = pd.StringDtype("pyarrow")
_TEXT = pa.dictionary(pa.int32(), pa.large_string())  # each distinct string stored once per column
_TRAILING_NUMBER = re.compile(r"\d+$")
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"')
_DIMENSION_BYTES = 1 << 16  # a sheet declares its dimension before its data, within the first bytes
_UNIT, _RECORD = "\x1f", "\x1e"  # separators of a sheet's cells on its way from the child process

# Why a raw header was or was not mapped (RawTable.mapping).
ALIAS, HXL, IDENTIFIER, METADATA, UNKNOWN = (
    "alias", "hxl", "identifier (dropped)", "kobo metadata (ignored)", "unknown (ignored)")


class _WrongEncoding(Exception):
    """The bytes are not in the encoding tried (for UTF-8: retry with a Turkish single-byte code page)."""


@dataclass
class RawTable:
    """One table of a raw file: canonical columns of strings, with the analyst's row numbers.

    ``columns`` holds them dictionary-encoded (each distinct string stored once); :attr:`frame` is the same
    data as pandas strings.
    """

    source: str
    sheet: str | None
    columns: pa.Table
    row_number: np.ndarray
    dropped_identifiers: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    #: every header: (raw header, canonical column or None, why: ALIAS, HXL, IDENTIFIER, METADATA, UNKNOWN)
    mapping: list[tuple[str, str | None, str]] = field(default_factory=list)
    #: "kobo", "activityinfo", "tracker" or "generic", from the evidence in the header (config ``shapes``)
    shape: str = "generic"
    #: totals rows set apart, not records: (row number, the totals word as written)
    summary_rows: list[tuple[int, str]] = field(default_factory=list)
    #: per column, which rows held a number typed into a workbook cell (not text): its text is the number
    #: itself (``1250.5``), which tells nothing of how the file writes numbers as text. Only for XLSX.
    numbers: dict[str, np.ndarray] = field(default_factory=dict)
    #: per column, what its header says in parentheses (``Date (mm/dd/yyyy)`` → ``mm/dd/yyyy``), when every
    #: header read into it says the same: a format the partner states (headers are matched without it)
    notes: dict[str, str] = field(default_factory=dict)
    #: the form whose export this is (helpers.ingest.forms), and whether the form has a mapping file
    form: str | None = None
    form_mapped: bool = False

    @property
    def frame(self) -> pd.DataFrame:
        """The columns as pandas strings (NA for blank)."""
        plain = pa.table({name: column.cast(pa.large_string()) for name, column in
                          zip(self.columns.column_names, self.columns.columns, strict=True)})
        return plain.to_pandas(types_mapper={pa.large_string(): _STRING}.get)


@dataclass(frozen=True)
class NotRead:
    """A part of a raw file deliberately left unread (a repeat-group sheet, a symlink out of the folder)."""

    source: str
    sheet: str | None
    reason: str


class SourceTables(list):
    """The tables read from one file (a list of :class:`RawTable`) and the parts of it left unread."""

    def __init__(self, tables=(), not_read=()):
        super().__init__(tables)
        self.not_read: list[NotRead] = list(not_read)


@dataclass(frozen=True)
class ReadingRules:
    """How raw headers and rows are recognised (``config/columns.yml``): columns, aliases, identifiers, ..."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    header_search_rows: int
    aliases: dict[str, str]
    identifiers: frozenset[str]
    rank: dict[str, int] = field(default_factory=dict)  # alias key -> its place in its column's list
    hxl: tuple[tuple[str, str], ...] = ()  # (column, HXL tag pattern)
    metadata: frozenset[str] = frozenset()  # folded whole headers
    repeat_markers: frozenset[str] = frozenset()
    shapes: tuple[tuple[str, frozenset[str]], ...] = ()
    summary_words: frozenset[str] = frozenset()
    max_cells: int = 50_000_000
    max_uncompressed_bytes: int = 2000 << 20
    #: the forms an export may belong to (helpers.ingest.forms.FormReading), and the one a table was found to be
    forms: tuple = ()
    form: object = None

    def is_identifier(self, header: object) -> bool:
        """True when the header names a direct identifier (name, phone, ID number, address, e-mail)."""
        return any(key in self.identifiers or _TRAILING_NUMBER.sub("", key) in self.identifiers
                   for key in _header_candidates(header))

    def is_metadata(self, header: object) -> bool:
        """True for a KoboToolbox metadata column (``_status``, ``start``, ...): never data."""
        return fold(header) in self.metadata

    def canonical(self, header: object) -> str | None:
        """The canonical column a header means; None for a blank, unknown, metadata or identifier header."""
        return self.map_header(header)[0]

    def map_header(self, header: object, tag: str | None = None) -> tuple[str | None, str]:
        """The canonical column a header (with its HXL hashtag, if any) means, and why."""
        if self.is_identifier(header):
            return None, IDENTIFIER
        if self.is_metadata(header):
            return None, METADATA
        if self.form is not None and (found := self.form.column(header)) is not None:
            return found
        if key := next((key for key in _header_candidates(header) if key in self.aliases), None):
            return self.aliases[key], ALIAS
        if tag and (column := self.hxl_column(tag)):
            return column, HXL
        return None, UNKNOWN

    def header_rank(self, header: object) -> int:
        """The place of the header's alias in its column's list (the canonical name is 0; HXL comes last)."""
        key = next((key for key in _header_candidates(header) if key in self.aliases), None)
        return self.rank.get(key, len(self.rank))

    def hxl_column(self, tag: str) -> str | None:
        """The one column whose HXL patterns match the hashtag; None when none or several do."""
        column = Column.parse(tag.strip()) if tag else None
        if not column:
            return None
        matches = {name for name, pattern in self.hxl if _tag_pattern(pattern).match(column)}
        return matches.pop() if len(matches) == 1 else None


@cache
def _tag_pattern(pattern: str) -> TagPattern:
    return TagPattern.parse(pattern)


def _is_hxl_row(row: list[str]) -> bool:
    """True for an HXL hashtag row: at least one cell filled and every filled cell a hashtag (``#adm1+code``)."""
    cells = [cell.strip() for cell in row if cell and cell.strip()]
    return bool(cells) and all(cell.startswith("#") and Column.parse(cell) for cell in cells)


def _header_candidates(header: object) -> list[str]:
    """Keys to try for a header: as written, without parentheses, then each ``/`` part from the last."""
    text = "" if header is None else str(header)
    parts = [text, _PARENTHESES.sub(" ", text), *reversed(text.split("/"))]
    return [key for key in dict.fromkeys(header_key(part) for part in parts) if key]


def load_columns(path: Path | None = None) -> ReadingRules:
    """The reading rules of ``columns.yml`` (of the configuration in use, or the file ``path``); an alias listed
    twice or also as an identifier is an error."""
    path = Path(path) if path is not None else config.path("columns.yml")
    stat = path.stat()
    return _reading_rules(path, stat.st_mtime_ns, stat.st_size)


@cache
def _reading_rules(path: Path, _mtime: int, _size: int) -> ReadingRules:
    settings = config.read(path, "columns")
    aliases: dict[str, str] = {}
    rank: dict[str, int] = {}
    for name, entry in settings["columns"].items():
        for place, alias in enumerate([name, *(entry or {}).get("aliases", [])]):
            owner = aliases.setdefault(header_key(alias), name)
            if owner != name:
                raise ValueError(f"{path}: header {alias!r} is listed under both {owner} and {name}")
            rank.setdefault(header_key(alias), place)
    identifiers = frozenset(header_key(header) for header in settings["identifiers"])
    if clash := sorted(identifiers & aliases.keys()):
        raise ValueError(f"{path}: headers listed both as a column and as an identifier: {clash}")
    hxl = tuple((name, pattern) for name, entry in settings["columns"].items()
                for pattern in (entry or {}).get("hxl", []))
    for _, pattern in hxl:
        _tag_pattern(pattern)  # a malformed pattern fails here, when the configuration is loaded
    limits = settings["workbook_limits"]
    return ReadingRules(
        columns=tuple(settings["columns"]),
        required=tuple(name for name, entry in settings["columns"].items() if (entry or {}).get("required")),
        header_search_rows=int(settings["header_search_rows"]),
        aliases=aliases,
        identifiers=identifiers,
        rank=rank,
        hxl=hxl,
        metadata=frozenset(map(fold, settings["kobo_metadata"])),
        repeat_markers=frozenset(map(fold, settings["kobo_repeat_markers"])),
        shapes=tuple((shape, frozenset(map(fold, headers))) for shape, headers in settings["shapes"].items()),
        summary_words=frozenset(fold(word) for word in settings["summary_row_words"]),
        max_cells=int(limits["max_cells_per_sheet"]),
        max_uncompressed_bytes=int(limits["max_uncompressed_mb"]) << 20,
    )


def discover_sources(folder: Path) -> list[Path]:
    """Every ``.csv`` and ``.xlsx`` under ``folder`` at any depth, sorted by relative path.

    Other files, Excel lock files (``~$...``) and hidden files or folders are ignored with a log line. Links are
    listed too (a broken one, or one leading out of ``folder``, file or folder), and so are spreadsheets in other
    formats (:data:`OTHER_SPREADSHEETS`), so that :func:`read_source` names them instead of their vanishing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"raw data folder not found: {folder}")
    sources = []
    for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
        relative = path.relative_to(folder)
        if path.is_dir() and not (path.is_symlink() and not inside(path, folder)):
            continue  # a folder (a linked one inside the raw folder: its files are read where they are)
        if any(part.startswith((".", "~$")) for part in relative.parts):
            log.info("ignoring %s: hidden file or Excel lock file", relative.as_posix())
        elif path.suffix.lower() not in SOURCE_SUFFIXES + OTHER_SPREADSHEETS and not path.is_dir():
            log.info("ignoring %s: not a .csv or .xlsx file", relative.as_posix())
        else:
            sources.append(path)
    return sources


def inside(path: Path, root: Path) -> bool:
    """True when ``path``, links followed, lies within ``root``."""
    return path.resolve().is_relative_to(Path(root).resolve())


def read_source(path: Path, root: Path, columns: ReadingRules | None = None) -> SourceTables:
    """Read one raw file: one table for a CSV, one per recognised sheet of an XLSX workbook.

    ``source`` is the path relative to ``root`` (posix). Raises :class:`SourceReadError` for a file that
    cannot be read at all; the file itself is only ever opened for reading. A symlink leading out of ``root``
    is not opened: it comes back with no table and a :class:`NotRead` entry.
    """
    path, rules = Path(path), columns or load_columns()
    source = _relative(path, Path(root))
    if not inside(path, root):
        reason = f"a link to {path.resolve()}, outside the raw data folder; not read"
        log.warning("%s: %s", source, reason)
        return SourceTables(not_read=[NotRead(source, None, reason)])
    try:
        if path.suffix.lower() == ".csv":
            return SourceTables([_read_csv(path, source, rules)])
        if path.suffix.lower() == ".xlsx":
            return _read_xlsx(path, source, rules)
    except OSError as error:
        raise SourceReadError(source, error.strerror or str(error)) from error
    raise SourceReadError(source, "not a .csv or .xlsx file: save it as .xlsx (or .csv) to have it read")


def _relative(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def _looked_for(rules: ReadingRules) -> str:
    return f"(looked for {', '.join(rules.required)} in the first {rules.header_search_rows} rows)"


def _find_header(rows: list[list[str]], rules: ReadingRules) -> tuple[int, int, ReadingRules] | None:
    """Index of the first row naming at least two canonical columns, one of them required, how many, and the
    rules to read the table with.

    A row that heads an export of a known form (:mod:`helpers.ingest.forms`) is found first: the table is then
    read through the form. Hashtags of an HXL row directly under a row count for the headers they stand under.
    """
    for index, row in enumerate(rows[: rules.header_search_rows] if rules.forms and rules.form is None else []):
        scored = [(reading.score(row, rules.is_metadata), reading) for reading in rules.forms]
        if (best := max(scored, key=lambda pair: pair[0])) and best[0]:
            return index, best[0], dataclasses.replace(rules, form=best[1])
    for index, row in enumerate(rows[: rules.header_search_rows]):
        tags = _tags_under(rows, index)
        names = {rules.map_header(cell, tag)[0] for cell, tag in itertools.zip_longest(row, tags or [])} - {None}
        if len(names) >= 2 and names.intersection(rules.required):
            return index, len(names), rules
    return None


def _tags_under(rows: list[list[str]], index: int) -> list[str] | None:
    """The HXL hashtag row directly under row ``index``, if there is one."""
    return rows[index + 1] if index + 1 < len(rows) and _is_hxl_row(rows[index + 1]) else None


# --- CSV -------------------------------------------------------------------------------------------------


def _read_csv(path: Path, source: str, rules: ReadingRules) -> RawTable:
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
        complete = not handle.read(1)
    for bom, encoding in _BOMS.items():
        if head.startswith(bom):
            try:
                return _read_csv_as(path, source, rules, head, complete, encoding, bom=len(bom))
            except _WrongEncoding:
                raise SourceReadError(
                    source, f"starts with a {encoding} byte-order mark but is not {encoding}"
                ) from None
    try:
        return _read_csv_as(path, source, rules, head, complete, "utf-8")
    except _WrongEncoding:
        return _read_csv_as(path, source, rules, head, complete, _legacy_encoding(path))


def _read_csv_as(
    path: Path, source: str, rules: ReadingRules, head: bytes, complete: bool, encoding: str, bom: int = 0
) -> RawTable:
    """Read a CSV in a given encoding; raise :class:`_WrongEncoding` when the bytes are not in it."""
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head[bom:], final=complete)
    except UnicodeDecodeError as error:
        raise _WrongEncoding from error
    found = _find_csv_header(text, complete, rules)
    if found is None:
        raise SourceReadError(source, f"no recognisable header row {_looked_for(rules)}")
    delimiter, index, header, tags, chars, rules = found
    offset = bom + len(text[:chars].encode(encoding))
    try:
        columns = _arrow_columns(path, offset, encoding, delimiter, len(header))
        if columns is None:
            log.warning("%s: rows with more or fewer cells than the header; read as Excel shows them", source)
            columns = _python_columns(path, offset, encoding, delimiter, len(header))
    except (pa.ArrowInvalid, UnicodeDecodeError, csv.Error) as error:
        if encoding == "utf-8" and not _is_utf8(path):
            raise _WrongEncoding from error
        raise SourceReadError(source, f"malformed CSV ({error})") from error
    header = header + [""] * (len(columns) - len(header))
    log.info("%s: %s, delimiter %r, header on row %d%s", source, encoding, delimiter, index + 1,
             ", HXL hashtag row under it" if tags else "")
    return _table(columns, header, index + (3 if tags else 2), source, None, rules, tags, title_rows=index > 0)


def _find_csv_header(
    text: str, complete: bool, rules: ReadingRules
) -> tuple[str, int, list[str], list[str] | None, int, ReadingRules] | None:
    """Delimiter, header row index, header cells, HXL hashtags, the character offset of the first data row and
    the rules to read the table with (:func:`_find_header`).

    Each candidate delimiter splits the top rows (quotes respected); the one whose header row names the
    most canonical columns wins. A wrong delimiter leaves the header as one cell, which names nothing.
    """
    lines = io.StringIO(text, newline="").readlines()
    if not complete:
        lines = lines[:-1]  # may be cut in the middle
    best = None
    for delimiter in _DELIMITERS:
        reader = csv.reader(lines, delimiter=delimiter, strict=False)
        rows, consumed = [], []
        try:
            for row in itertools.islice(reader, rules.header_search_rows + 1):  # + a possible HXL row
                rows.append(row)
                consumed.append(reader.line_num)
        except csv.Error:
            pass  # e.g. a NUL byte: judge the rows read so far
        found = _find_header(rows, rules)
        if found and (best is None or found[1] > best[0]):
            index = found[0]
            tags = _tags_under(rows, index)
            end = consumed[index + 1 if tags else index]
            best = (found[1], delimiter, index, rows[index], tags, len("".join(lines[:end])), found[2])
    return best[1:] if best else None


def _arrow_columns(path: Path, offset: int, encoding: str, delimiter: str, width: int) -> list | None:
    """All columns after the header, dictionary-encoded (multi-threaded), or None when rows are ragged."""
    if path.stat().st_size <= offset:
        return [_encoded([])] * width
    names = [f"c{i}" for i in range(width)]
    ragged = []

    def skip_ragged(row) -> str:
        ragged.append(1)
        return "skip"

    with pa.memory_map(str(path)) as stream:
        stream.seek(offset)
        table = pa_csv.read_csv(
            stream,
            read_options=pa_csv.ReadOptions(column_names=names, encoding=encoding, block_size=_CHUNK_BYTES),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=_has_quote(path, offset),  # a quoted field may span lines; slower to split
                ignore_empty_lines=False,  # blank lines come back as empty rows, so row numbers stay right
                invalid_row_handler=skip_ragged,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, _TEXT),
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
    return None if ragged else [column.combine_chunks() for column in table.unify_dictionaries().columns]


def _python_columns(path: Path, offset: int, encoding: str, delimiter: str, width: int) -> list:
    """Slow path for ragged rows: short rows padded with blanks, extra cells kept under blank headers."""
    with path.open("rb") as handle:
        handle.seek(offset)
        rows = list(csv.reader(io.TextIOWrapper(handle, encoding=encoding, newline=""), delimiter=delimiter))
    return _columns_from_rows(rows, max([width, *map(len, rows)]))


def _has_quote(path: Path, offset: int) -> bool:
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b'"', offset) >= 0


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            for chunk in iter(partial(handle.read, _CHUNK_BYTES), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _legacy_encoding(path: Path) -> str:
    """Windows-1254, unless a byte it leaves undefined occurs: then ISO-8859-9 (same letters elsewhere)."""
    with path.open("rb") as handle:
        for chunk in iter(partial(handle.read, _CHUNK_BYTES), b""):
            if any(byte in chunk for byte in _CP1254_UNDEFINED):  # a memchr each: much faster than a regex
                return "iso-8859-9"
    return "cp1254"


# --- XLSX ------------------------------------------------------------------------------------------------


def _check_workbook_size(path: Path, source: str, rules: ReadingRules) -> None:
    """Refuse a workbook that would unpack to an absurd size, judged from its zip directory and the dimension
    each sheet declares, before the spreadsheet library allocates anything for it."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > rules.max_uncompressed_bytes:
                raise SourceReadError(source, f"unpacks to {unpacked >> 20:,} MB, more than the "
                                      f"{rules.max_uncompressed_bytes >> 20:,} MB allowed (workbook_limits)")
            for part in parts:
                if _SHEET_PART.fullmatch(part.filename):
                    with archive.open(part) as stream:
                        declared = _DIMENSION.search(stream.read(_DIMENSION_BYTES))
                    if declared and (cells := _cells(declared.groups())) > rules.max_cells:
                        raise SourceReadError(source, (
                            f"sheet {part.filename} declares {declared.group(0).decode(errors='replace')[11:]}, "
                            f"{cells:,} cells, more than the {rules.max_cells:,} allowed (workbook_limits)"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise SourceReadError(source, f"not a readable .xlsx workbook ({error})") from error


def _cells(bounds: tuple[bytes | None, ...]) -> int:
    """Cells in a range like ``A1:XFD1048576`` (a single cell when the end is missing)."""
    first_column, first_row, last_column, last_row = bounds
    last_column, last_row = last_column or first_column, last_row or first_row
    width = abs(_column_number(last_column) - _column_number(first_column)) + 1
    return width * (abs(int(last_row) - int(first_row)) + 1)


def _column_number(letters: bytes) -> int:
    return reduce(lambda number, letter: number * 26 + letter - 64, letters, 0)


def _load_sheets_isolated(path: Path, source: str) -> dict[str, tuple[list[list[str]], np.ndarray]]:
    """Every sheet's cells, loaded in a child process, so that a crash of the spreadsheet library (an abort on a
    hostile file) becomes a :class:`SourceReadError` naming the file instead of ending the run.

    The child is forked (no interpreter to start, no module to import again) and does nothing but load the
    workbook and send the cells back; everything else happens here.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_load, args=(sender, _load_sheets, path, source),
                            name=f"read {source}", daemon=True)
    child.start()
    sender.close()
    try:
        result = receiver.recv()
    except EOFError:  # the child died before it could answer
        child.join()
        code = child.exitcode or 0
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        raise SourceReadError(source, f"the workbook crashed the spreadsheet reader ({how}); it may be malformed "
                                      "or hostile: open it in Excel and save it again") from None
    finally:
        receiver.close()
    child.join()
    if isinstance(result, SourceReadError):
        raise result
    return {name: (_unpacked(sheet), numbers) for name, (sheet, numbers) in result.items()}


def _child_load(sender, load, path: Path, source: str) -> None:
    """In the child: load the sheets and send them back packed, or the :class:`SourceReadError`."""
    try:
        result = {name: (_packed(rows), numbers) for name, (rows, numbers) in load(path, source).items()}
    except SourceReadError as error:
        result = error
    sender.send(result)
    sender.close()


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
        raise SourceReadError(source, f"not a readable .xlsx workbook ({error})") from error
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


def _read_xlsx(path: Path, source: str, rules: ReadingRules) -> SourceTables:
    _check_workbook_size(path, source, rules)
    sheets = _load_sheets_isolated(path, source)
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
        found = _find_header(head, rules)
        if found is None:
            log.info("%s: sheet %r skipped: no recognisable header row %s", source, name, _looked_for(rules))
            if any(cell.strip() for row in rows for cell in row):  # notes or a misspelt header: say so
                tables.not_read.append(NotRead(source, name, f"no recognisable header row {_looked_for(rules)}"))
            continue
        index, _, sheet_rules = found
        tags = _tags_under(head, index)
        start = index + (2 if tags else 1)
        columns = _columns_from_rows(rows[start:], len(head[index]))
        typed = [numbers[start:, i] for i in range(len(head[index]))]
        tables.append(_table(columns, head[index], start + 1, source, name, sheet_rules, tags,
                             title_rows=index > 0, typed=typed))
    if not tables and not tables.not_read:
        raise SourceReadError(source, f"no sheet has a recognisable header row {_looked_for(rules)}")
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


# --- shared ----------------------------------------------------------------------------------------------


def _columns_from_rows(rows: list[list[str]], width: int) -> list[pa.DictionaryArray]:
    padded = [row + [""] * (width - len(row)) for row in rows]
    if not padded:
        return [_encoded([])] * width
    return [_encoded(column) for column in zip(*padded, strict=True)]


def _encoded(values) -> pa.DictionaryArray:
    """Strings (or an Arrow string array) as one dictionary-encoded array."""
    return pc.dictionary_encode(values if isinstance(values, pa.Array) else pa.array(values, pa.large_string()))


def _blank_to_null(column: pa.DictionaryArray) -> pa.DictionaryArray:
    """Empty and whitespace-only cells become null; decided once per distinct value."""
    values = column.dictionary
    blank = pc.or_(pc.equal(values, ""), pc.utf8_is_space(values))
    if not pc.any(blank).as_py():
        return column
    indices = pc.if_else(pc.take(blank, column.indices), pa.scalar(None, column.indices.type), column.indices)
    return pa.DictionaryArray.from_arrays(indices, values)


def _coalesce(columns: list[pa.DictionaryArray]) -> pa.DictionaryArray:
    """The first non-null value of each row across several columns."""
    if len(columns) == 1:
        return columns[0]
    return _encoded(pc.coalesce(*(column.cast(pa.large_string()) for column in columns)))


def _table(
    columns: list, header: list[str], first_row: int, source: str, sheet: str | None, rules: ReadingRules,
    tags: list[str] | None = None, title_rows: bool = False, typed: list[np.ndarray] | None = None,
) -> RawTable:
    """Keep the canonical columns (first non-blank value when several headers mean one), drop empty rows and
    set totals rows apart. ``typed``: per column of the sheet, which rows hold typed numbers
    (:attr:`RawTable.numbers`)."""
    label = source if sheet is None else f"{source} [{sheet}]"
    if rules.form is not None:  # an export of a known form: its choices as the records' values
        width = len(header)
        columns, header = rules.form.decode(columns, header)
        if typed is not None:
            typed = typed + [np.zeros(len(columns[0]), dtype=bool)] * (len(header) - width)
    tags = (tags or []) + [""] * (len(header) - len(tags or []))
    groups: dict[str, list[tuple[int, int]]] = {}  # column -> (rank, position) of each header meaning it
    mapping, identifiers, unknown = [], [], []
    for i, (name, tag) in enumerate(zip(header, tags, strict=True)):
        canonical, why = rules.map_header(name, tag)
        if canonical or name.strip():
            mapping.append((name, canonical, why))
        if why == IDENTIFIER:
            identifiers.append(name)
        elif canonical:
            groups.setdefault(canonical, []).append((rules.header_rank(name) if why == ALIAS else len(rules.rank), i))
        elif why == UNKNOWN and name.strip():
            unknown.append(name)
    if identifiers:
        log.info("%s: dropped direct identifiers %s", label, identifiers)
    if unknown:
        log.info("%s: dropped unknown columns %s", label, unknown)
    if ignored := [name for name, _, why in mapping if why == METADATA]:
        log.info("%s: ignored KoboToolbox metadata columns %s", label, ignored)

    columns = [_blank_to_null(column) for column in columns]
    data, numbers, notes = {}, {}, {}
    for name in rules.columns:
        if name in groups:
            ranked = sorted(groups[name])
            ordered = [i for _, i in ranked]
            if len(ordered) > 1:  # a warning only where the configured order does not decide
                tied = len({rank for rank, _ in ranked}) < len(ranked)
                log.log(logging.WARNING if tied else logging.INFO,
                        "%s: columns %s all mean %s; each row takes the first non-blank value in this order",
                        label, [header[i] for i in ordered], name)
            data[name] = _coalesce([columns[i] for i in ordered])
            said = {" ".join(_PARENTHESES.findall(header[i])).strip() for i in ordered}
            if len(said) == 1 and (note := said.pop()):
                notes[name] = note
            if typed is not None and (rows := _typed_rows([columns[i] for i in ordered],
                                                          [typed[i] for i in ordered])) is not None:
                numbers[name] = rows
    filled = reduce(pc.or_, (pc.is_valid(column) for column in columns))
    if not data:  # an export of a form not mapped yet: its rows are read, and rejected for what they lack
        data = {name: _encoded(pa.nulls(len(columns[0]), pa.large_string())) for name in rules.required}
    table = pa.table(data)
    summary, words = _summary_rows(columns, data, table.num_rows, rules)
    kept_mask = pc.and_(filled, pc.invert(summary)) if words else filled
    if pc.all(kept_mask).as_py():
        kept = np.arange(table.num_rows)
    else:
        kept = np.flatnonzero(np.asarray(kept_mask, dtype=bool))
        table = table.filter(kept_mask)
        numbers = {name: rows[kept] for name, rows in numbers.items()}
    summary_rows = [(int(first_row + i), word) for i, word in words]
    if summary_rows:
        log.info("%s: totals rows %s are not records", label, [row for row, _ in summary_rows])
    shape = _shape(header, bool(tags and any(tags)), title_rows or bool(summary_rows), rules)
    return RawTable(source, sheet, table, first_row + kept, identifiers, unknown, mapping, shape, summary_rows,
                    numbers, notes, *((rules.form.form_id, rules.form.mapping is not None) if rules.form else ()))


def _typed_rows(columns: list[pa.DictionaryArray], typed: list[np.ndarray]) -> np.ndarray | None:
    """Rows whose value (the first non-blank of ``columns``, as :func:`_coalesce`) is a typed number; None
    when there is none."""
    taken = np.zeros(len(columns[0]), dtype=bool)
    found = np.zeros(len(columns[0]), dtype=bool)
    for column, cells in zip(columns, typed, strict=True):
        filled = pc.is_valid(column).to_numpy(zero_copy_only=False) & ~taken
        found |= filled & cells
        taken |= filled
    return found if found.any() else None


def _summary_rows(columns: list, data: dict, rows: int, rules: ReadingRules) -> tuple[pa.Array | None, list]:
    """Totals rows: a cell holding a totals word, and no date and no activity (config ``summary_row_words``).

    A date or activity cell holding the totals word itself ("TOPLAM" written across the date column) counts as
    no date. Only rows without date and activity are looked at (normally none), each distinct text once.
    """
    empty = []
    for column in (data.get("date"), data.get("activity")):
        if column is not None:
            totals = _totals_words(column.dictionary, rules)
            if not column.null_count and not pc.any(totals).as_py():
                return None, []  # every row has this column filled with something else: the common case, at once
            empty.append(pc.or_kleene(pc.is_null(column), pc.take(totals, column.indices)))
    candidates = np.flatnonzero(np.asarray(pc.fill_null(reduce(pc.and_, empty), True), dtype=bool)) if empty \
        else np.arange(rows)
    words: dict[int, str] = {}
    for column in columns if len(candidates) else []:
        cells = column.take(pa.array(candidates)).cast(pa.large_string())
        totals = pc.fill_null(_totals_words(cells, rules), False)
        for i in np.flatnonzero(np.asarray(totals, dtype=bool)):
            words.setdefault(int(candidates[i]), cells[i].as_py().strip())
    mask = np.zeros(rows, dtype=bool)
    mask[list(words)] = True
    return pa.array(mask), sorted(words.items())


def _totals_words(values: pa.Array, rules: ReadingRules) -> pa.Array:
    """Which values are a totals word ("TOPLAM", "Genel Toplam:"); short values only are folded, once each."""
    longest = max(map(len, rules.summary_words), default=0) + 4
    values = values.cast(pa.large_string())
    short = pc.unique(pc.filter(values, pc.less_equal(pc.utf8_length(values), longest))).to_pylist()
    totals = [value for value in short if value and fold(value).rstrip(":").strip() in rules.summary_words]
    return pc.is_in(values, pa.array(totals, pa.large_string()))


def _shape(header: list[str], hxl: bool, tracker_layout: bool, rules: ReadingRules) -> str:
    """The tool a table most likely comes from, from the evidence in its header (config ``shapes``)."""
    folded = {fold(name) for name in header}
    found = [shape for shape, evidence in rules.shapes if folded & evidence]
    if hxl and "kobo" not in found:
        found.insert(0, "kobo")
    if tracker_layout and "tracker" not in found:
        found.append("tracker")
    return min(found, key=[shape for shape, _ in rules.shapes].index) if found else "generic"
