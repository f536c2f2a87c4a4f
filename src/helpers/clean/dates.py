"""Dates as the programme's files write them (:func:`read_dates`), each distinct text read once:

- ``2022-10-05``, ``05.10.2022``, ``5.10.2022``, ``05/10/2022``, ``05-10-2022``, optionally followed by a time.
  Day or month first is decided per column of each source file, as decimal marks are: a date that exists only
  day first (``15/01/2023``) shows the file writes day first, one that exists only month first (``1/15/2023``,
  as Excel on an English (US) system saves) that it writes month first, and so does a format stated in the
  header (``Date (mm/dd/yyyy)``, ``Tarih (gg.aa.yyyy)``). With no evidence: day first, as in Türkiye. With
  both, a date that reads either way (``02/03/2023``, both numbers up to 12) is rejected as ``ambiguous_value``
  with both readings in the hint;
- two-digit years ``12.10.22``: always 2000–2099 (the programme's records are all after 2000; a date of birth
  written so lands in the future and its age becomes unknown);
- date-times with an offset (``2023-04-14T09:50:00.000+03:00``, ``...Z``, ``+00:00``): the calendar date in
  Türkiye (Europe/Istanbul), which an offset other than +03:00 may move; without an offset, the date as written;
- month names, Turkish or English, full or three-letter, with an optional day name that must fit the date:
  ``6 Ekim 2022``, ``6 Nisan 2023 Perşembe``, ``Ekim 12, 2022``, ``12 Oct 2022``, ``October 12, 2022``;
- Excel serial numbers (``44839``);
- a month only (``2023-04``, ``04/2023``, ``Nisan 2023``, ``April 2023``): the record belongs to that month and
  is dated its first day, which lies in the month's quarter.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from helpers.clean.normalise import vocabulary
from helpers.clean.readings import AMBIGUOUS, INVALID, OK, by_source, by_state, categories
from helpers.config import Configuration
from helpers.kernels import by_code
from helpers.text import fold

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"
                  r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?", re.I)
_NUMERIC = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[./-](\d{4})")
_SERIAL = re.compile(r"\d{5}(?:\.0+)?")
_NOT_WORDS = re.compile(r"[a-z]+|\d+|[\s,.]+")  # what a named date is made of (linear: no nested repeats)
_TOKEN = re.compile(r"[a-z]+|\d+")
_ISTANBUL = ZoneInfo("Europe/Istanbul")


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)))


def _named(text: str, cfg: Configuration) -> date | None:
    """``6 Nisan 2023 Perşembe``, ``Ekim 12, 2022``, ``12 Oct 2022``, ``April 2023`` (first of the month); the
    names of months and weekdays are those of ``vocabularies.yml`` of ``cfg``."""
    folded = fold(text)
    if _NOT_WORDS.sub("", folded):
        return None
    months, weekdays = vocabulary("months", cfg), vocabulary("weekdays", cfg)
    tokens = _TOKEN.findall(folded)
    weekday = [weekdays[t] for t in tokens if t in weekdays]
    tokens = [t for t in tokens if t not in weekdays]
    shape = "".join("M" if t in months else "n" if t.isdigit() else "?" for t in tokens)
    numbers = [int(t) for t in tokens if t.isdigit()]
    month = next((months[t] for t in tokens if t in months), None)
    year_last = tokens[-1].isdigit() and len(tokens[-1]) == 4
    if len(weekday) > 1 or not year_last or shape not in ("nMn", "Mnn", "Mn"):
        return None
    day, year = (1, numbers[0]) if shape == "Mn" else numbers
    if weekday and shape == "Mn":
        return None
    try:
        result = date(year, month, day)
    except ValueError:
        return None
    return result if not weekday or result.weekday() == weekday[0] else None


def _calendar_date(text: str, cfg: Configuration) -> date | None:
    if m := _ISO.fullmatch(text):
        y, mo, d, hour, minute, second, offset = m.groups()
        if offset is None:
            return date(int(y), int(mo), int(d))
        moment = datetime(int(y), int(mo), int(d), int(hour), int(minute), int(second or 0), tzinfo=_offset(offset))
        return moment.astimezone(_ISTANBUL).date()
    if m := _ISO_MONTH.fullmatch(text):
        return date(int(m[1]), int(m[2]), 1)
    if m := _MONTH_YEAR.fullmatch(text):
        return date(int(m[2]), int(m[1]), 1)
    if _SERIAL.fullmatch(text):
        return (_EXCEL_EPOCH + pd.Timedelta(days=int(float(text)))).date()
    return _named(text, cfg)


def _date(text: str, cfg: Configuration) -> pd.Timestamp | None:
    try:
        day = _calendar_date(text.strip(), cfg)
    except ValueError:  # a day, month, hour or offset out of range
        return None
    return None if day is None else pd.Timestamp(day)


DAY_FIRST, MONTH_FIRST = 1, 2  # evidence of a numeric date's order (bits; both: conflicting evidence)
_NAT = np.datetime64("NaT", "s")
_FORMAT = re.compile(r"([a-z])\1?[./ -]([a-z])\2?[./ -][a-z]{2,4}")  # dd/mm/yyyy, gg.aa.yyyy, m-d-yy
_FORMAT_LETTERS = {"d": DAY_FIRST, "g": DAY_FIRST, "m": MONTH_FIRST, "a": MONTH_FIRST}  # g(ün), a(y): Turkish


def _day(year: int, month: int, day: int) -> np.datetime64:
    try:
        return np.datetime64(date(year, month, day), "s")
    except ValueError:
        return _NAT


@lru_cache(maxsize=1 << 16)
def _date_readings(text: str, cfg: Configuration) -> tuple[np.datetime64, np.datetime64, int]:
    """A date read day first and month first (NaT: not a date), and what it shows of the order
    (:data:`DAY_FIRST` when it is a date only day first, :data:`MONTH_FIRST` only month first)."""
    if m := _NUMERIC.fullmatch(text):
        first, _, second, y = m.groups()
        year = int(y) + (2000 if len(y) == 2 else 0)
        day_first, month_first = _day(year, int(second), int(first)), _day(year, int(first), int(second))
        shown = (np.isnat(month_first) and not np.isnat(day_first)) * DAY_FIRST + \
            (np.isnat(day_first) and not np.isnat(month_first)) * MONTH_FIRST
        return day_first, month_first, shown
    other = _date(text, cfg) if text else None
    one = _NAT if other is None else np.datetime64(other, "s")
    return one, one, 0


def written_order(note: str) -> int:
    """The order a format written in a header states: ``mm/dd/yyyy`` :data:`MONTH_FIRST`, ``gg.aa.yyyy``
    :data:`DAY_FIRST`; 0 for anything else."""
    m = _FORMAT.fullmatch(fold(note).strip())
    orders = m and (_FORMAT_LETTERS.get(m[1]), _FORMAT_LETTERS.get(m[2]))
    return orders[0] if orders and set(orders) == {DAY_FIRST, MONTH_FIRST} else 0


def date_orders(values: pd.Series, cfg: Configuration, sources: pd.Series | None = None) -> pd.Series:
    """The order evidence (:data:`DAY_FIRST`, :data:`MONTH_FIRST`, both or 0) of each source's dates, by
    source; read once per distinct value."""
    values = categories(values)
    shown = np.array([_date_readings(str(v).strip(), cfg)[2] for v in values.cat.categories], dtype=np.int8)
    return by_source(by_code(shown, values.cat.codes.to_numpy(), 0), sources)


def read_dates(values: pd.Series, cfg: Configuration, sources: pd.Series | None = None,
               orders: pd.Series | None = None) -> tuple[pd.Series, np.ndarray]:
    """Dates (``datetime64``) and a status per row (:data:`OK`, :data:`INVALID` or :data:`AMBIGUOUS`; blanks are
    OK and NaT); month and weekday names are those of ``cfg``. ``orders`` is the :func:`date_orders` evidence by
    source (a header's stated format added); without it, the evidence of ``values`` themselves."""
    values = categories(values)
    if sources is None or orders is None:
        orders = date_orders(values, cfg, sources)
    texts = [str(v).strip() for v in values.cat.categories]
    readings = [_date_readings(text, cfg) for text in texts]
    day = np.array([r[0] for r in readings], dtype="datetime64[s]")
    month = np.array([r[1] for r in readings], dtype="datetime64[s]")
    either = np.where(np.isnat(day), month, day)
    conflict = ~np.isnat(day) & ~np.isnat(month) & (day != month)
    dates = np.stack([day, day, month, np.where(conflict, _NAT, either)])  # per evidence state and category
    status = np.where(np.isnat(dates) & np.array([bool(t) for t in texts], dtype=bool), INVALID, OK).astype(np.int8)
    status[DAY_FIRST | MONTH_FIRST, conflict] = AMBIGUOUS
    result, found = by_state(dates, status, values, sources, orders, _NAT)
    return pd.Series(result, index=values.index, copy=False), found


def parse_dates(values: pd.Series, cfg: Configuration, sources: pd.Series | None = None,
                orders: pd.Series | None = None) -> pd.Series:
    """The dates of :func:`read_dates`, NaT where a value is not a date or is ambiguous."""
    return read_dates(values, cfg, sources, orders)[0]



def date_ambiguity_hint(text: str, cfg: Configuration) -> str:
    """Both readings of an ambiguous date: ``02/03/2023 could be 2023-03-02 or 2023-02-03``."""
    day, month, _ = _date_readings(str(text).strip(), cfg)
    return f"{str(text).strip()} could be {day.astype('datetime64[D]')} or {month.astype('datetime64[D]')}"
