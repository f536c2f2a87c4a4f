"""Which files of a raw folder count: apart from the readers so that the run's own process and the report's kernel,
which list and hash the raw files but never read one, do not import the readers' libraries."""

from __future__ import annotations

import logging
from pathlib import Path

from helpers.errors import NestedTooDeepError
from helpers.paths import inside

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
