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

from helpers.errors import SourceReadError
from helpers.ingest.delimited import read_csv
from helpers.ingest.rules import ReadingRules, load_columns
from helpers.ingest.tables import NotRead, SourceTables
from helpers.ingest.workbooks import read_xlsx
from helpers.paths import inside
from helpers.text import file_name

log = logging.getLogger(__name__)

def read_source(path: Path, root: Path, columns: ReadingRules | None = None) -> SourceTables:
    """Read one raw file: one table for a CSV, one per recognised sheet of an XLSX workbook.

    ``source`` is the path relative to ``root`` (posix). Raises :class:`SourceReadError` for a file that
    cannot be read at all; the file itself is only ever opened for reading. A symlink leading out of ``root``
    is not opened: it comes back with no table and a :class:`NotRead` entry.
    """
    path, rules = Path(path), columns or load_columns()
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
