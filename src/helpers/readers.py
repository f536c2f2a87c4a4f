"""Read raw activity logs into tables of canonical string columns (spec: activity-log.md).

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
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import logging
import mmap
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, partial, reduce
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import yaml
from python_calamine import CalamineWorkbook

from helpers.paths import CONFIG_DIR
from helpers.text import header_key

log = logging.getLogger(__name__)

SOURCE_SUFFIXES = (".csv", ".xlsx")
_DELIMITERS = (",", ";", "\t")
_BOMS = {codecs.BOM_UTF8: "utf-8", codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}
_HEAD_BYTES = 1 << 20  # the header row is looked for in the first MiB of a CSV
_CHUNK_BYTES = 1 << 24  # files are scanned and parsed in blocks of 16 MiB
_CP1254_UNDEFINED = [bytes([b]) for b in b"\x81\x8d\x8e\x8f\x90\x9d\x9e"]  # bytes Windows-1254 leaves out
_PARENTHESES = re.compile(r"\([^)]*\)")
_STRING = pd.StringDtype("pyarrow")
_TEXT = pa.dictionary(pa.int32(), pa.large_string())  # each distinct string stored once per column


class SourceReadError(Exception):
    """A raw file that cannot be read at all (corrupt workbook, no recognisable header row, ...)."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"cannot read {source}: {reason}")
        self.source = source
        self.reason = reason


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

    @property
    def frame(self) -> pd.DataFrame:
        """The columns as pandas strings (NA for blank)."""
        plain = pa.table({name: column.cast(pa.large_string()) for name, column in
                          zip(self.columns.column_names, self.columns.columns, strict=True)})
        return plain.to_pandas(types_mapper={pa.large_string(): _STRING}.get)


@dataclass(frozen=True)
class ColumnSpec:
    """Canonical columns, their header aliases and the direct-identifier headers (``config/columns.yml``)."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    header_search_rows: int
    aliases: dict[str, str]
    identifiers: frozenset[str]

    def is_identifier(self, header: object) -> bool:
        """True when the header names a direct identifier (name, phone, ID number, address, e-mail)."""
        return any(key in self.identifiers for key in _header_candidates(header))

    def canonical(self, header: object) -> str | None:
        """The canonical column a header means; None for a blank, unknown or identifier header."""
        if self.is_identifier(header):
            return None
        return next((self.aliases[key] for key in _header_candidates(header) if key in self.aliases), None)


def _header_candidates(header: object) -> list[str]:
    """Keys to try for a header: as written, without parentheses, then each ``/`` part from the last."""
    text = "" if header is None else str(header)
    parts = [text, _PARENTHESES.sub(" ", text), *reversed(text.split("/"))]
    return [key for key in dict.fromkeys(header_key(part) for part in parts) if key]


@cache
def load_columns(path: Path = CONFIG_DIR / "columns.yml") -> ColumnSpec:
    """Load the column configuration; an alias listed twice or also as an identifier is an error."""
    with Path(path).open(encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    aliases: dict[str, str] = {}
    for name, entry in config["columns"].items():
        for alias in [name, *(entry or {}).get("aliases", [])]:
            owner = aliases.setdefault(header_key(alias), name)
            if owner != name:
                raise ValueError(f"{path}: header {alias!r} is listed under both {owner} and {name}")
    identifiers = frozenset(header_key(header) for header in config["identifiers"])
    if clash := sorted(identifiers & aliases.keys()):
        raise ValueError(f"{path}: headers listed both as a column and as an identifier: {clash}")
    return ColumnSpec(
        columns=tuple(config["columns"]),
        required=tuple(name for name, entry in config["columns"].items() if (entry or {}).get("required")),
        header_search_rows=int(config["header_search_rows"]),
        aliases=aliases,
        identifiers=identifiers,
    )


def discover_sources(folder: Path) -> list[Path]:
    """Every ``.csv`` and ``.xlsx`` under ``folder`` at any depth, sorted by relative path.

    Other files, Excel lock files (``~$...``) and hidden files or folders are ignored with a log line.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"raw data folder not found: {folder}")
    sources = []
    for path in sorted(
        (p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix()
    ):
        relative = path.relative_to(folder)
        if any(part.startswith((".", "~$")) for part in relative.parts):
            log.info("ignoring %s: hidden file or Excel lock file", relative.as_posix())
        elif path.suffix.lower() not in SOURCE_SUFFIXES:
            log.info("ignoring %s: not a .csv or .xlsx file", relative.as_posix())
        else:
            sources.append(path)
    return sources


def read_source(path: Path, root: Path, columns: ColumnSpec | None = None) -> list[RawTable]:
    """Read one raw file: one table for a CSV, one per recognised sheet of an XLSX workbook.

    ``source`` is the path relative to ``root`` (posix). Raises :class:`SourceReadError` for a file that
    cannot be read at all; the file itself is only ever opened for reading.
    """
    path, spec = Path(path), columns or load_columns()
    source = _relative(path, Path(root))
    try:
        if path.suffix.lower() == ".csv":
            return [_read_csv(path, source, spec)]
        if path.suffix.lower() == ".xlsx":
            return _read_xlsx(path, source, spec)
    except OSError as error:
        raise SourceReadError(source, error.strerror or str(error)) from error
    raise SourceReadError(source, "not a .csv or .xlsx file")


def _relative(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def _looked_for(spec: ColumnSpec) -> str:
    return f"(looked for {', '.join(spec.required)} in the first {spec.header_search_rows} rows)"


def _find_header(rows: list[list[str]], spec: ColumnSpec) -> tuple[int, int] | None:
    """Index of the first row naming at least two canonical columns, one of them required, and how many."""
    for index, row in enumerate(rows[: spec.header_search_rows]):
        names = {spec.canonical(cell) for cell in row} - {None}
        if len(names) >= 2 and names.intersection(spec.required):
            return index, len(names)
    return None


# --- CSV -------------------------------------------------------------------------------------------------


def _read_csv(path: Path, source: str, spec: ColumnSpec) -> RawTable:
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
        complete = not handle.read(1)
    for bom, encoding in _BOMS.items():
        if head.startswith(bom):
            try:
                return _read_csv_as(path, source, spec, head, complete, encoding, bom=len(bom))
            except _WrongEncoding:
                raise SourceReadError(
                    source, f"starts with a {encoding} byte-order mark but is not {encoding}"
                ) from None
    try:
        return _read_csv_as(path, source, spec, head, complete, "utf-8")
    except _WrongEncoding:
        return _read_csv_as(path, source, spec, head, complete, _legacy_encoding(path))


def _read_csv_as(
    path: Path, source: str, spec: ColumnSpec, head: bytes, complete: bool, encoding: str, bom: int = 0
) -> RawTable:
    """Read a CSV in a given encoding; raise :class:`_WrongEncoding` when the bytes are not in it."""
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head[bom:], final=complete)
    except UnicodeDecodeError as error:
        raise _WrongEncoding from error
    found = _find_csv_header(text, complete, spec)
    if found is None:
        raise SourceReadError(source, f"no recognisable header row {_looked_for(spec)}")
    delimiter, index, header, chars = found
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
    log.info("%s: %s, delimiter %r, header on row %d", source, encoding, delimiter, index + 1)
    return _table(columns, header, index + 2, source, None, spec)


def _find_csv_header(text: str, complete: bool, spec: ColumnSpec) -> tuple[str, int, list[str], int] | None:
    """Delimiter, header row index, header cells and the character offset of the first data row.

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
            for row in itertools.islice(reader, spec.header_search_rows):
                rows.append(row)
                consumed.append(reader.line_num)
        except csv.Error:
            pass  # e.g. a NUL byte: judge the rows read so far
        found = _find_header(rows, spec)
        if found and (best is None or found[1] > best[0]):
            index = found[0]
            best = (found[1], delimiter, index, rows[index], len("".join(lines[: consumed[index]])))
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


def _read_xlsx(path: Path, source: str, spec: ColumnSpec) -> list[RawTable]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }
    except Exception as error:  # calamine raises several types for corrupt, encrypted or non-xlsx files
        raise SourceReadError(source, f"not a readable .xlsx workbook ({error})") from error
    tables = []
    for name, rows in sheets.items():
        head = [[_cell_text(value) for value in row] for row in rows[: spec.header_search_rows]]
        found = _find_header(head, spec)
        if found is None:
            log.info("%s: sheet %r skipped: no recognisable header row %s", source, name, _looked_for(spec))
            continue
        index = found[0]
        body = [[_cell_text(value) for value in row] for row in rows[index + 1 :]]
        columns = _columns_from_rows(body, len(head[index]))
        tables.append(_table(columns, head[index], index + 2, source, name, spec))
    if not tables:
        raise SourceReadError(source, f"no sheet has a recognisable header row {_looked_for(spec)}")
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
    columns: list, header: list[str], first_row: int, source: str, sheet: str | None, spec: ColumnSpec
) -> RawTable:
    """Keep the canonical columns (first non-blank value when several headers mean one), drop empty rows."""
    label = source if sheet is None else f"{source} [{sheet}]"
    groups: dict[str, list[int]] = {}
    identifiers, unknown = [], []
    for i, name in enumerate(header):
        if spec.is_identifier(name):
            identifiers.append(name)
        elif canonical := spec.canonical(name):
            groups.setdefault(canonical, []).append(i)
        elif name.strip():
            unknown.append(name)
    if identifiers:
        log.info("%s: dropped direct identifiers %s", label, identifiers)
    if unknown:
        log.info("%s: dropped unknown columns %s", label, unknown)

    columns = [_blank_to_null(column) for column in columns]
    data = {}
    for name in spec.columns:
        if name in groups:
            if len(groups[name]) > 1:
                log.warning(
                    "%s: columns %s all mean %s; keeping the first non-blank value of each row",
                    label,
                    [header[i] for i in groups[name]],
                    name,
                )
            data[name] = _coalesce([columns[i] for i in groups[name]])
    filled = reduce(pc.or_, (pc.is_valid(column) for column in columns))
    table = pa.table(data)
    if pc.all(filled).as_py():
        kept = np.arange(table.num_rows)
    else:
        kept = np.flatnonzero(np.asarray(filled, dtype=bool))
        table = table.filter(filled)
    return RawTable(source, sheet, table, first_row + kept, identifiers, unknown)
