"""CSV files the project writes, safe to open in a spreadsheet.

Analysts open ``rejects.csv`` and the indicator files in Excel or LibreOffice, which run a cell as a formula
when its text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP, "CSV injection"):
``=HYPERLINK(...)`` typed into a site name would become a live link, ``+cmd|...`` a command. Such a cell is
written with a leading ``'``, which the spreadsheet shows as text and never runs.

Numbers are never altered. The choice is made per column dtype: numeric, boolean and date columns are
written as they are (``-5`` stays the number -5). In a text column a value that is a plain number (``-5``,
``-5.25``, ``+3``, ``-1.250,50``) is left alone too: a spreadsheet reads it as a number, and only text that
is not a plain number can hold a formula. A value that already starts with ``'`` before such a character gets
one more, so :func:`read_csv` gives back exactly what was written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from helpers.paths import replacing

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_STARTS = "[" + re.escape("".join(FORMULA_START)) + "]"  # one of them, as a regex class
_RISKY = re.compile("'*" + _STARTS)
_NUMBER = re.compile(r"[+-]?(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?")
_ESCAPED = re.compile("'+" + _STARTS)


def neutralise(value: object) -> object:
    """``value`` as it may be written to a CSV cell: text a spreadsheet would run gets a leading ``'``."""
    if isinstance(value, str) and _RISKY.match(value) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _restore(value: object) -> object:
    return value[1:] if isinstance(value, str) and _ESCAPED.match(value) else value


def _text_column(values: pd.Series) -> bool:
    return (isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(values.dtype)
            or pd.api.types.is_string_dtype(values.dtype))


def _per_distinct(values: pd.Series, func) -> pd.Series:
    """``func`` applied to each distinct value (a column of a million rows has few); unchanged if none change."""
    changed = {v: func(v) for v in values.dropna().unique()}
    changed = {v: new for v, new in changed.items() if new is not v}
    if not changed:
        return values
    result = values.astype("object").replace(changed)
    return result if isinstance(values.dtype, pd.CategoricalDtype) else result.astype(values.dtype)


def neutralised(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every text column's cells made safe (:func:`neutralise`); numeric columns untouched."""
    return table.assign(**{column: _per_distinct(table[column], neutralise)
                           for column in table.columns if _text_column(table[column])})


def write_csv(table: pd.DataFrame, path: Path, **kwargs) -> None:
    """Write ``table`` (no index) with formula cells neutralised, replacing ``path`` only once complete.

    Lines end in CRLF (RFC 4180): the writer then quotes any cell holding a carriage return, which with bare
    LF line ends it leaves unquoted, and a spreadsheet would split the row there.
    """
    kwargs.setdefault("lineterminator", "\r\n")
    with replacing(Path(path)) as tmp:
        neutralised(table).to_csv(tmp, index=False, **kwargs)


def read_csv(path: Path, **kwargs) -> pd.DataFrame:
    """Read a CSV written by :func:`write_csv`, with the ``'`` it added to text cells taken off again."""
    table = pd.read_csv(path, **kwargs)
    return table.assign(**{column: _per_distinct(table[column], _restore)
                           for column in table.columns if _text_column(table[column])})
