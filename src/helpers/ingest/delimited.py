"""Read a CSV file (comma, semicolon or tab) into a :class:`~helpers.ingest.tables.RawTable`.

CSV encoding is detected, not assumed: a byte-order mark decides (UTF-8, or UTF-16 from Excel's "Unicode
text"); without one, UTF-16 when every other byte of the start is NUL, UTF-8 when the whole file is valid
UTF-8, else Windows-1254, or ISO-8859-9 when a byte undefined in Windows-1254 occurs (the two differ only in
0x80–0x9F, so files without such bytes decode identically either way). A file that is UTF-8 up to a line in
another encoding (a line pasted from an older export) is refused, naming the line and the byte: decoded whole
in Windows-1254, its UTF-8 rows would turn to mojibake. Files are read, never memory-mapped: a file cut short
while it is read is an error to name, not a crash (a memory map of it would end the process with SIGBUS).
The delimiter (``,`` ``;`` tab) is the one that makes a header row appear. A record whose quoted field spans
several lines is one row, as in Excel.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import logging
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from helpers.errors import SourceReadError, WrongEncodingError
from helpers.ingest.rules import ReadingRules
from helpers.ingest.tables import RawTable, columns_from_rows, encoded, find_header, looked_for, raw_table, tags_under

log = logging.getLogger(__name__)

_DELIMITERS = (",", ";", "\t")
_BOMS = {codecs.BOM_UTF8: "utf-8", codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}
_HEAD_BYTES = 1 << 20  # the header row is looked for in the first MiB of a CSV
_CHUNK_BYTES = 1 << 22  # files are scanned and parsed in blocks of 4 MiB (PyArrow parses them faster than 16 MiB)
_CP1254_UNDEFINED = [bytes([b]) for b in b"\x81\x8d\x8e\x8f\x90\x9d\x9e"]  # bytes Windows-1254 leaves out
_TEXT = pa.dictionary(pa.int32(), pa.large_string())  # each distinct string stored once per column



def read_csv(path: Path, source: str, rules: ReadingRules) -> RawTable:
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
        complete = not handle.read(1)
    for bom, encoding in _BOMS.items():
        if head.startswith(bom):
            try:
                return _read_csv_as(path, source, rules, head, complete, encoding, bom=len(bom))
            except WrongEncodingError:
                raise SourceReadError(
                    source, f"starts with a {encoding} byte-order mark but is not {encoding}", "encoding"
                ) from None
    if utf16 := _bomless_utf16(head):
        try:
            return _read_csv_as(path, source, rules, head, complete, utf16)
        except WrongEncodingError:
            raise SourceReadError(source, f"looks like {utf16} without a byte-order mark (every other byte is "
                                  "NUL) but is not: save it again as UTF-8", "encoding") from None
    try:
        return _read_csv_as(path, source, rules, head, complete, "utf-8")
    except WrongEncodingError:
        if mixed := _utf8_then_other(path):
            line, offset, byte = mixed
            raise SourceReadError(source, f"mixed encodings: UTF-8 up to line {line:,}, where byte {offset:,} "
                                  f"(0x{byte:02X}) is not UTF-8 (a line in another encoding, such as Windows-1254): "
                                  "save the whole file again as UTF-8", "encoding") from None
        return _read_csv_as(path, source, rules, head, complete, _legacy_encoding(path))


def _bomless_utf16(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the start of a file without a byte-order mark is text with every
    other byte NUL (ASCII letters, digits and separators in UTF-16), else None."""
    sample = head[:4096 - 4096 % 2]
    if len(sample) < 8 or sample.count(0) < len(sample) // 3:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _utf8_then_other(path: Path) -> tuple[int, int, int] | None:
    """(line, byte offset, byte) of the first byte that is not UTF-8, when the text before it holds UTF-8
    letters beyond ASCII (so the file is UTF-8 with a line of another encoding); else None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines, beyond_ascii = 0, 1, False
    with path.open("rb") as handle:
        for chunk in iter(partial(handle.read, _CHUNK_BYTES), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                good = chunk[:max(error.start, 0)]
                if beyond_ascii or not good.isascii():
                    return lines + good.count(b"\n"), offset + error.start, chunk[min(error.start, len(chunk) - 1)]
                return None
            beyond_ascii = beyond_ascii or not chunk.isascii()
            lines += chunk.count(b"\n")
            offset += len(chunk)
    return None


def _read_csv_as(
    path: Path, source: str, rules: ReadingRules, head: bytes, complete: bool, encoding: str, bom: int = 0
) -> RawTable:
    """Read a CSV in a given encoding; raise :class:`WrongEncodingError` when the bytes are not in it."""
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head[bom:], final=complete)
    except UnicodeDecodeError as error:
        raise WrongEncodingError from error
    found = _find_csv_header(text, complete, rules)
    if found is None:
        raise SourceReadError(source, f"no recognisable header row {looked_for(rules)}", "no_header_row")
    delimiter, index, header, tags, chars, rules = found
    offset = bom + len(text[:chars].encode(encoding))
    try:
        columns = _arrow_columns(path, offset, encoding, delimiter, len(header))
        if columns is None:
            log.warning("%s: rows with more or fewer cells than the header; read as Excel shows them", source)
            columns = _python_columns(path, offset, encoding, delimiter, len(header))
    except (pa.ArrowInvalid, UnicodeDecodeError, csv.Error) as error:
        if encoding == "utf-8" and not _is_utf8(path):
            raise WrongEncodingError from error
        raise SourceReadError(source, f"malformed CSV ({error})", "malformed") from error
    header = header + [""] * (len(columns) - len(header))
    log.info("%s: %s, delimiter %r, header on row %d%s", source, encoding, delimiter, index + 1,
             ", HXL hashtag row under it" if tags else "")
    return raw_table(columns, header, index + (3 if tags else 2), source, None, rules, tags, title_rows=index > 0)


def _find_csv_header(
    text: str, complete: bool, rules: ReadingRules
) -> tuple[str, int, list[str], list[str] | None, int, ReadingRules] | None:
    """Delimiter, header row index, header cells, HXL hashtags, the character offset of the first data row and
    the rules to read the table with (:func:`find_header`).

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
        found = find_header(rows, rules)
        if found and (best is None or found[1] > best[0]):
            index = found[0]
            tags = tags_under(rows, index)
            end = consumed[index + 1 if tags else index]
            best = (found[1], delimiter, index, rows[index], tags, len("".join(lines[:end])), found[2])
    return best[1:] if best else None


def _arrow_columns(path: Path, offset: int, encoding: str, delimiter: str, width: int) -> list | None:
    """All columns after the header, dictionary-encoded (multi-threaded), or None when rows are ragged."""
    if path.stat().st_size <= offset:
        return [encoded([])] * width
    names = [f"c{i}" for i in range(width)]
    ragged = []

    def skip_ragged(row) -> str:
        ragged.append(1)
        return "skip"

    with pa.OSFile(str(path)) as stream:  # read, not mapped: see the module docstring
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
    return columns_from_rows(rows, max([width, *map(len, rows)]))


def _has_quote(path: Path, offset: int) -> bool:
    with path.open("rb") as handle:
        handle.seek(offset)
        return any(b'"' in chunk for chunk in iter(partial(handle.read, _CHUNK_BYTES), b""))


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
