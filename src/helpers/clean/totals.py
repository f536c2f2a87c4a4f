"""The published totals of quarters before the pipeline: a small hand-kept table, checked as the input it is.

``data/raw/published-totals.csv`` (its name: ``published_totals`` in config/pipeline.yml) gives the headline
total of each quarter published before this pipeline existed. The year-to-date and since-start figures add
them up, so one misread number would be printed in every later report. The clean step, the only step that
reads raw data, checks the table and writes it into the quarter's processed folder; the indicators read the
history from there. A table that is not right stops the run naming the file, the row and the reason: it is a
few dozen typed lines, quickly fixed, while a row dropped or misread would silently change every cumulative
figure.

A total is a whole number written as digits only: the records' cleaner settles a number such as ``67,389`` by
the other numbers of its file and the bounds of its column, but a few dozen totals give no such evidence, and a
total is never guessed. Rows for the run's quarter or later ones are kept: they belong to the history table,
where a processed quarter's own total replaces its published one, while a quarter's year-to-date and
since-start figures add only the quarters before it.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from pathlib import Path

import pandas as pd

from helpers.clean.redact import mask, origin_regions
from helpers.config import Configuration
from helpers.csvfile import write_csv
from helpers.errors import PublishedTotalsError
from helpers.paths import Quarter, inside
from helpers.text import nearest

log = logging.getLogger(__name__)

MAX_BYTES = 1_000_000  # a few dozen typed lines; anything near this size is not that table
MAX_DIGITS = 15  # totals are added as float64, exact up to 15 digits
_DIGITS = re.compile(r"[0-9]+")  # ASCII digits only: int() would also read other scripts' digits
_GROUPED = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{3})+")  # 67,389 or 67.389: thousands or decimals, the file cannot say


def name(cfg: Configuration) -> str:
    """The table's file name, the same in the raw folder and in a quarter's processed folder."""
    return cfg.setting("published_totals")


def _total(cells: list[str], at: int, headline: str) -> int:
    """The number in the total cell ``cells[at]``, or :class:`ValueError` saying why it is not one."""
    text, after = cells[at], cells[at + 1] if at + 1 < len(cells) else ""
    if not text:
        raise ValueError(f"no {headline} total")
    if not _DIGITS.fullmatch(text):
        grouped = _GROUPED.fullmatch(text)
        why = " (a thousands separator or a decimal mark: the table cannot say which)" if grouped else ""
        raise ValueError(f"{headline} {text!r} is not a whole number written as digits only{why}")
    if len(text) <= 3 and re.fullmatch("[0-9]{3}", after):
        raise ValueError(f"{headline} {text!r} is followed by {after!r}: one number split by an unquoted comma?")
    if len(text.lstrip("0")) > MAX_DIGITS:
        raise ValueError(f"{headline} {text!r} has more than {MAX_DIGITS} digits")
    return int(text)


def _rows(path: Path) -> list[list[str]]:
    """The table's rows, read as a spreadsheet saves them: UTF-8 (with or without byte-order mark) or
    Windows-1254 (Excel's CSV on a Turkish PC); cells separated by ``,`` or ``;``, whichever the header row uses."""
    if (size := path.stat().st_size) > MAX_BYTES:
        raise PublishedTotalsError(f"{path}: {size:,} bytes; a table of published totals is a few lines (at most "
                                   f"{MAX_BYTES:,} bytes are read)")
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:1000]:
        raise PublishedTotalsError(f"{path}: UTF-16 text (Excel's \"Unicode Text\"); save the table as CSV UTF-8")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1254")
        except UnicodeDecodeError as error:
            row = data[:error.start].count(b"\n") + 1
            raise PublishedTotalsError(f"{path}: row {row}: neither UTF-8 nor Windows-1254 text; save the table "
                                       "as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise PublishedTotalsError(f"{path}: not a CSV table ({error})") from None


def _columns(path: Path, header: list[str], headline: str) -> list[int]:
    """Positions of the quarter and headline columns in the header row (row 1)."""
    header = [cell.strip() for cell in header]
    shown = f"(header: {', '.join(map(repr, header))})"  # quoted as cells are: a control character escaped
    for column in ("quarter", headline):
        if header.count(column) > 1:
            raise PublishedTotalsError(f"{path}: row 1: column {column!r} twice {shown}")
        if column not in header:
            close = nearest(column, [h for h in header if h])
            hint = f"; nearest: {', '.join(map(repr, close))}" if close else ""
            raise PublishedTotalsError(f"{path}: row 1: no column {column!r}{hint} {shown}")
    return [header.index("quarter"), header.index(headline)]


def read(raw_dir: Path, quarter: Quarter, cfg: Configuration) -> pd.DataFrame:
    """The checked table of ``<raw_dir>/<published_totals>``: columns ``quarter`` and the headline indicator's
    id (``cfg.headline()``), one row per quarter in quarter order; empty when there is no file. ``quarter`` is the
    quarter being cleaned.

    Raises :class:`PublishedTotalsError` naming the file, the row (as a spreadsheet numbers it) and the reason;
    the cells it quotes have identifiers typed in them masked, as everywhere a raw value is shown.
    """
    try:
        return _checked(Path(raw_dir) / name(cfg), quarter, Path(raw_dir), cfg)
    except PublishedTotalsError as error:
        raise PublishedTotalsError(mask(str(error), origin_regions(cfg))[0]) from None


def _present(path: Path, raw_dir: Path) -> bool:
    """Whether there is a table: no entry of that name is none, but a folder, a broken link or a fifo under it
    stops the run (taken as "none", every cumulative figure would silently lose the earlier quarters), and a
    link out of the raw folder is not read, as the raw readers refuse one."""
    if not path.exists() and not path.is_symlink():
        return False
    if not inside(path, raw_dir):
        raise PublishedTotalsError(f"{path}: a link to {path.resolve()}, outside the raw data folder; not read")
    if not path.is_file():
        raise PublishedTotalsError(f"{path}: not a file (a folder, a broken link or a device); save the table there "
                                   "as CSV")
    return True


def _checked(path: Path, quarter: Quarter, raw_dir: Path, cfg: Configuration) -> pd.DataFrame:
    headline, totals = cfg.headline(), {}
    rows = _rows(path) if _present(path, raw_dir) else [["quarter", headline]]
    if not rows:
        raise PublishedTotalsError(f"{path}: empty; its first row names the columns: quarter,{headline},source")
    at = _columns(path, rows[0], headline)
    first: dict[Quarter, int] = {}  # the row each quarter is on
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank row holds nothing
        try:
            cells = [cell.strip() for cell in row] + [""] * (len(rows[0]) - len(row))
            if any(cells[len(rows[0]):]):
                raise ValueError(f"{len(row)} cells under a header of {len(rows[0])} (an unquoted comma?)")
            q = Quarter.parse(cells[at[0]])
            if q in first:
                raise ValueError(f"{q} is listed twice (rows {first[q]} and {number})")
            totals[q], first[q] = _total(cells, at[1], headline), number
        except ValueError as error:
            raise PublishedTotalsError(f"{path}: row {number}: {error}") from None
    if quarter in totals:
        log.info("%s lists %s, the quarter being cleaned: its own total replaces the published %s in the history",
                 path.name, quarter, f"{totals[quarter]:,}")
    ordered = sorted(totals)
    return pd.DataFrame({"quarter": pd.array([str(q) for q in ordered], dtype="string"),
                         headline: pd.array([totals[q] for q in ordered], dtype="int64")})


def write(table: pd.DataFrame, folder: Path, cfg: Configuration) -> Path:
    """Write the checked table into a quarter's processed folder (formula-safe, like every CSV written)."""
    path = Path(folder) / name(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, path)
    return path
