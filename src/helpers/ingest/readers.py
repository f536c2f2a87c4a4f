"""Find a quarter's raw files and read each into tables of canonical string columns (the input contract of
``config/columns.yml``): CSV in :mod:`helpers.ingest.delimited`, XLSX in :mod:`helpers.ingest.workbooks`, the
header rules in :mod:`helpers.ingest.rules`, what every shape shares in :mod:`helpers.ingest.tables`.

One :class:`RawTable` per CSV file and per recognised XLSX sheet. Values stay text (no date or number
parsing; that is the cleaner's job): blank and whitespace-only cells become NA, everything else is kept
verbatim. Direct identifiers are dropped here and never reach the frame.

Row numbers are what the analyst sees in Excel: 1-based, counting title rows, the header and blank rows.
A CSV record whose quoted field spans several lines is one row, as in Excel (a text editor shows it on
more lines). Fully empty rows (blank lines, ``;;;;``) are not records: they are dropped and not counted,
but they keep their place in the numbering of the rows below them. A row with only unknown or identifier
cells filled is a record (the cleaner rejects it), so nothing the analyst typed vanishes silently.

Field tools' shapes (``config/columns.yml`` holds every word): KoboToolbox metadata columns are ignored, never
taken for data; an HXL hashtag row under the header is not a record and its hashtags map columns whose header
is not recognised; KoboToolbox repeat-group sheets are listed as not read; totals rows of partner trackers are
set apart (:attr:`RawTable.summary_rows`), not read as records. Each table says how every header was mapped
(:attr:`RawTable.mapping`) and which shape it looks like (:attr:`RawTable.shape`).

Hostile files: a symlink leading out of the raw folder is not read (listed in :attr:`SourceTables.not_read`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from helpers.errors import NestedTooDeepError, SourceReadError
from helpers.ingest.delimited import read_csv
from helpers.ingest.rules import ReadingRules
from helpers.ingest.tables import NotRead, SourceTables
from helpers.ingest.workbooks import read_xlsx
from helpers.text import file_name

log = logging.getLogger(__name__)

SOURCE_SUFFIXES = (".csv", ".xlsx")
# Spreadsheets in formats not read: listed, so that read_source refuses them by name instead of their vanishing.
OTHER_SPREADSHEETS = (".xls", ".xlsm", ".xlsb", ".ods", ".tsv")


def discover_sources(folder: Path, *, quiet: bool = False) -> list[Path]:
    """Every ``.csv`` and ``.xlsx`` under ``folder`` at any depth, sorted by relative path: the one rule for which
    files of a raw folder count, used by the readers, ``check``, the input hashes and publish.

    Other files, Excel lock files (``~$...``) and hidden files or folders are ignored with a log line (none when
    ``quiet``). Links are listed too (a broken one, or one leading out of ``folder``, file or folder), and so are
    spreadsheets in other formats (:data:`OTHER_SPREADSHEETS`), so that :func:`read_source` names them instead of
    their vanishing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"raw data folder not found: {folder}")
    sources = []
    try:
        found = sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix())
    except RecursionError:
        raise NestedTooDeepError(folder.as_posix()) from None
    for path in found:
        relative = path.relative_to(folder)
        if path.is_dir() and not (path.is_symlink() and not inside(path, folder)):
            continue  # a folder (a linked one inside the raw folder: its files are read where they are)
        if any(part.startswith((".", "~$")) for part in relative.parts):
            ignored = "hidden file or Excel lock file"
        elif path.suffix.lower() not in SOURCE_SUFFIXES + OTHER_SPREADSHEETS and not path.is_dir():
            ignored = "not a .csv or .xlsx file"
        else:
            sources.append(path)
            continue
        if not quiet:
            log.info("ignoring %s: %s", relative.as_posix(), ignored)
    return sources


def inside(path: Path, root: Path) -> bool:
    """True when ``path``, links followed, lies within ``root``."""
    return path.resolve().is_relative_to(Path(root).resolve())


def read_source(path: Path, root: Path, columns: ReadingRules) -> SourceTables:
    """Read one raw file: one table for a CSV, one per recognised sheet of an XLSX workbook.

    ``source`` is the path relative to ``root`` (posix). Raises :class:`SourceReadError` for a file that
    cannot be read at all; the file itself is only ever opened for reading. A symlink leading out of ``root``
    is not opened: it comes back with no table and a :class:`NotRead` entry.
    """
    path, rules = Path(path), columns
    source = _relative(path, Path(root))
    if file_name(source) != source:  # a name unzipped from a Windows archive: its bytes shown escaped
        raise SourceReadError(file_name(source), "the file name is not UTF-8 (as a Windows archive unpacked "
                              "here gives): rename the file", "file_name")
    if not inside(path, root):
        reason = f"a link to {path.resolve()}, outside the raw data folder; not read"
        log.warning("%s: %s", source, reason)
        return SourceTables(not_read=[NotRead(source, None, reason)])
    try:
        before = path.stat()
        if path.suffix.lower() == ".csv":
            read = SourceTables([read_csv(path, source, rules)])
        elif path.suffix.lower() == ".xlsx":
            read = read_xlsx(path, source, rules)
        else:
            raise SourceReadError(source, "not a .csv or .xlsx file: save it as .xlsx (or .csv) to have it read",
                                  "not_a_data_file")
        after = path.stat()
    except OSError as error:
        raise SourceReadError(source, error.strerror or str(error), "cannot_open") from error
    except SourceReadError:
        if _changed(path, before):
            raise SourceReadError(source, _CHANGED, "changed") from None
        raise
    except Exception as error:  # a half-written file can trip a parser anywhere: named, never a crash
        if _changed(path, before):
            raise SourceReadError(source, _CHANGED, "changed") from error
        raise
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise SourceReadError(source, f"{_CHANGED} (size {before.st_size:,} → {after.st_size:,} bytes)",
                              "changed")
    return read


_CHANGED = "the file changed while it was read (still being copied or saved?): read it again once it is complete"


def _changed(path: Path, before) -> bool:
    try:
        now = path.stat()
    except OSError:
        return True
    return (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns)



def _relative(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()
