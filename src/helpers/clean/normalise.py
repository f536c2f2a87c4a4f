"""Vectorised normalisers for raw values.

Every function parses each DISTINCT raw value once and maps the result back through category codes, so a
column of ten million rows costs one pass over its few hundred distinct values. Blank input gives NA;
input that is present but not understood also gives NA, and ``present & result.isna()`` is how the
schema recognises an invalid value.

Coded values (sex, yes/no, nationality, population group, month and day names) are matched against the
vocabularies of ``config/vocabularies.yml`` after Turkish-aware folding (:func:`helpers.text.fold`); activities
against the codes and labels of ``config/activities.yml``. Nothing is matched by similarity: a value is
either in a vocabulary or not understood.

Dates (:func:`read_dates`):

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

Numbers (:func:`read_numbers`): ``1.250,50``, ``2.000,00 TL``, ``₺750``, ``1500 TL``, ``1,234.50``, ``25.00``.
A separator followed by exactly three digits and nothing else (``1,500``, ``1.500``, ``0,500``, ``2,750``) is
a thousands separator in one convention and a decimal mark in the other, so the convention is decided per
column of each source file from the evidence of its other values:

- decimal comma: a comma followed by other than three digits (``1234,5``, ``2,50``), a comma after a dot
  (``1.250,50``), or several dots (``1.234.567``);
- decimal point: the same with the roles swapped (``25.00``, ``1,234.50``, ``1,234,567``).

With one convention in evidence, the ambiguous shape is read by it (``2,750`` in a decimal-comma column is
2.75, ``1.500`` there is 1500). With none, or both, each reading that is plausible for the column is a
candidate: finite, within the column's bounds from ``config/pipeline.yml`` and, for a count (participants,
household size), whole. One candidate is the value (``1.500`` participants is 1500: a headcount of 1.5 is
impossible; a household of ``2.000`` is 2, since 2000 exceeds the maximum household size); two are rejected
as ``ambiguous_value`` with both readings in the hint, never guessed. A leading ``0`` group (``0,500``) is never
settled, neither by evidence nor by the bounds (``0,500`` participants is ambiguous, not 500). Exponents,
``inf`` and ``nan`` are not numbers.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers import config
from helpers.errors import VocabularyError
from helpers.kernels import array_by_code, by_code, categorical, coalesce, distinct, integers, interval_codes, narrow
from helpers.text import fold, turkish_lower

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SPACES = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
EDGE_SPACE = f"^[{_SPACES}]|[{_SPACES}]$"  # matches text that str.strip() changes (an RE2 pattern)


def vocabulary(name: str) -> dict[str, object]:
    """One vocabulary of ``config/vocabularies.yml`` as folded spelling → value."""
    return _vocabulary(name, config.version("vocabularies"))


@cache
def _vocabulary(name: str, _version: tuple) -> dict[str, object]:
    table: dict[str, object] = {}
    for value, spellings in config.load("vocabularies")[name].items():
        for spelling in spellings:
            key = fold(str(spelling))
            if table.setdefault(key, value) != value:
                file = config.shown(config.path("vocabularies.yml"))
                raise VocabularyError(f"{file}, {name}: {spelling!r} means both {table[key]!r} and {value!r}")
    return table


def map_distinct(values: pd.Series, func: Callable[[str], object], dtype: str = "object") -> pd.Series:
    """Apply ``func`` to each distinct non-missing value of ``values`` and map the results back.

    With ``dtype="category"`` the result is built from codes (no per-row values); its categories are the
    distinct results, unused ones included (see :func:`tidy_categories`).
    """
    codes, uniques = distinct(values)
    results = [func(str(u)) for u in uniques]
    if dtype == "category":
        result_codes, categories = pd.factorize(np.array(results, dtype=object))
        return categorical(by_code(narrow(result_codes, len(categories)), codes, -1), categories, values.index)
    return pd.Series(array_by_code(results, codes, dtype), index=values.index)


def _non_blank(func: Callable[[str], object]) -> Callable[[str], object]:
    """``func`` of the stripped text; None for blank text (as :func:`blank_to_na` then ``func``)."""

    def apply(text: str) -> object:
        text = text.strip()
        return func(text) if text else None

    return apply


def map_non_blank(values: pd.Series, func: Callable[[str], object], dtype: str = "object") -> pd.Series:
    """``map_distinct(blank_to_na(values), func, dtype)`` in one pass over the distinct values."""
    return map_distinct(values, _non_blank(func), dtype)


def blank_to_na(values: pd.Series) -> pd.Series:
    """Strip whitespace; empty strings become NA."""
    return map_non_blank(values, str, "string")


def collapse_spaces(values: pd.Series, dtype: str = "string") -> pd.Series:
    """Trim and collapse inner whitespace (free text: site, district, detail, donor)."""
    return map_non_blank(values, lambda v: " ".join(v.split()), dtype)


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


def _named(text: str) -> date | None:
    """``6 Nisan 2023 Perşembe``, ``Ekim 12, 2022``, ``12 Oct 2022``, ``April 2023`` (first of the month)."""
    folded = fold(text)
    if _NOT_WORDS.sub("", folded):
        return None
    months, weekdays = vocabulary("months"), vocabulary("weekdays")
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


def _calendar_date(text: str) -> date | None:
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
    return _named(text)


def _date(text: str) -> pd.Timestamp | None:
    try:
        day = _calendar_date(text.strip())
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
def _date_readings(text: str) -> tuple[np.datetime64, np.datetime64, int]:
    """A date read day first and month first (NaT: not a date), and what it shows of the order
    (:data:`DAY_FIRST` when it is a date only day first, :data:`MONTH_FIRST` only month first)."""
    if m := _NUMERIC.fullmatch(text):
        first, _, second, y = m.groups()
        year = int(y) + (2000 if len(y) == 2 else 0)
        day_first, month_first = _day(year, int(second), int(first)), _day(year, int(first), int(second))
        shown = (np.isnat(month_first) and not np.isnat(day_first)) * DAY_FIRST + \
            (np.isnat(day_first) and not np.isnat(month_first)) * MONTH_FIRST
        return day_first, month_first, shown
    other = _date(text) if text else None
    one = _NAT if other is None else np.datetime64(other, "s")
    return one, one, 0


def written_order(note: str) -> int:
    """The order a format written in a header states: ``mm/dd/yyyy`` :data:`MONTH_FIRST`, ``gg.aa.yyyy``
    :data:`DAY_FIRST`; 0 for anything else."""
    m = _FORMAT.fullmatch(fold(note).strip())
    orders = m and (_FORMAT_LETTERS.get(m[1]), _FORMAT_LETTERS.get(m[2]))
    return orders[0] if orders and set(orders) == {DAY_FIRST, MONTH_FIRST} else 0


def date_orders(values: pd.Series, sources: pd.Series | None = None) -> pd.Series:
    """The order evidence (:data:`DAY_FIRST`, :data:`MONTH_FIRST`, both or 0) of each source's dates, by
    source; read once per distinct value."""
    values = _categories(values)
    shown = np.array([_date_readings(str(v).strip())[2] for v in values.cat.categories], dtype=np.int8)
    return _by_source(by_code(shown, values.cat.codes.to_numpy(), 0), sources)


def read_dates(values: pd.Series, sources: pd.Series | None = None,
               orders: pd.Series | None = None) -> tuple[pd.Series, np.ndarray]:
    """Dates (``datetime64``) and a status per row (:data:`OK`, :data:`INVALID` or :data:`AMBIGUOUS`; blanks are
    OK and NaT). ``orders`` is the :func:`date_orders` evidence by source (a header's stated format added);
    without it, the evidence of ``values`` themselves."""
    values = _categories(values)
    if sources is None or orders is None:
        orders = date_orders(values, sources)
    texts = [str(v).strip() for v in values.cat.categories]
    readings = [_date_readings(text) for text in texts]
    day = np.array([r[0] for r in readings], dtype="datetime64[s]")
    month = np.array([r[1] for r in readings], dtype="datetime64[s]")
    either = np.where(np.isnat(day), month, day)
    conflict = ~np.isnat(day) & ~np.isnat(month) & (day != month)
    dates = np.stack([day, day, month, np.where(conflict, _NAT, either)])  # per evidence state and category
    status = np.where(np.isnat(dates) & np.array([bool(t) for t in texts], dtype=bool), INVALID, OK).astype(np.int8)
    status[DAY_FIRST | MONTH_FIRST, conflict] = AMBIGUOUS
    result, found = _by_state(dates, status, values, sources, orders, _NAT)
    return pd.Series(result, index=values.index, copy=False), found


def parse_dates(values: pd.Series, sources: pd.Series | None = None, orders: pd.Series | None = None) -> pd.Series:
    """The dates of :func:`read_dates`, NaT where a value is not a date or is ambiguous."""
    return read_dates(values, sources, orders)[0]


def _by_source(evidence: np.ndarray, sources: pd.Series | None) -> pd.Series:
    """Per source, the evidence bits any of its rows show (one entry, index None, without sources)."""
    if sources is None:
        return pd.Series([int(np.bitwise_or.reduce(evidence, initial=0))], index=pd.Index([None], dtype=object))
    sources = _categories(sources)
    codes, n = sources.cat.codes.to_numpy(), len(sources.cat.categories)
    shown = sum(bit * (np.bincount(codes[(evidence & bit) > 0], minlength=n) > 0) for bit in (1, 2))
    return pd.Series(np.asarray(shown, dtype=np.int8), index=sources.cat.categories)


def _by_state(read: np.ndarray, status: np.ndarray, values: pd.Series, sources: pd.Series | None,
              evidence: pd.Series, missing: object) -> tuple[np.ndarray, np.ndarray]:
    """Each row's reading and status, ``read`` and ``status`` being per evidence state (0–3) and category, under
    the evidence of its source. Only the rows of values read differently in some state (few) are looked at."""
    codes = values.cat.codes.to_numpy()
    result, found = by_code(read[0], codes, missing), by_code(status[0], codes, OK)
    unread = pd.isna(read)
    varies = ((read != read[0]) & ~(unread & unread[0])).any(axis=0) | (status != status[0]).any(axis=0)
    if varies.any():
        rows = np.flatnonzero(by_code(varies, codes, False))
        if sources is None:
            state = np.full(len(rows), evidence.iloc[0], dtype=np.intp)
        else:
            sources = _categories(sources)
            per_source = evidence.reindex(sources.cat.categories).fillna(0).to_numpy(dtype=np.intp)
            state = per_source[sources.cat.codes.to_numpy()[rows]]
        result[rows], found[rows] = read[state, codes[rows]], status[state, codes[rows]]
    return result, found


def date_ambiguity_hint(text: str) -> str:
    """Both readings of an ambiguous date: ``02/03/2023 could be 2023-03-02 or 2023-02-03``."""
    day, month, _ = _date_readings(str(text).strip())
    return f"{str(text).strip()} could be {day.astype('datetime64[D]')} or {month.astype('datetime64[D]')}"


# ------------------------------------------------------------------------------------------------ numbers

COMMA, POINT = 1, 2  # evidence of a decimal comma, of a decimal point (bits; both: conflicting evidence)
OK, INVALID, AMBIGUOUS = 0, 1, 2  # status of a value read by :func:`read_numbers`
_NUMBER = re.compile(r"([+-]?)(\d+(?:[.,]\d+)*|[.,]\d+)")
_NOT_DIGITS = re.compile(r"(?:\s|₺|(?:tl|try)\b)+", re.I)  # spaces (also as thousands groups), lira signs
_GROUPED = {".": re.compile(r"\d{1,3}(?:\.\d{3})*"), ",": re.compile(r"\d{1,3}(?:,\d{3})*")}


@dataclass(frozen=True)
class Bounds:
    """What a number column may hold: ``low`` to ``high`` (``setting`` names the configured maximum), whole or not."""

    low: float = -np.inf
    high: float = np.inf
    whole: bool = False
    setting: str | None = None

    def plausible(self, value: float) -> bool:
        return bool(np.isfinite(value) and self.low <= value <= self.high and (not self.whole or value == round(value)))

    def hint(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        bound = f" (config {self.setting})" if self.setting else ""
        return f"must be {kind} from {self.low:,g} to {self.high:,.0f}{bound}"


@dataclass(frozen=True)
class _Readings:
    """A number text read with a decimal comma and with a decimal point, and what it shows of the convention."""

    comma: float | None
    point: float | None
    evidence: int = 0
    settled: bool = True  # False: column evidence cannot choose between the readings (leading ``0`` group)

    def candidates(self, marks: int) -> tuple[float, ...]:
        if self.settled and marks == COMMA:
            chosen = (self.comma,)
        elif self.settled and marks == POINT:
            chosen = (self.point,)
        else:
            chosen = (self.comma, self.point)
        return tuple(dict.fromkeys(v for v in chosen if v is not None))


def _signed(sign: str, text: str) -> float:
    value = float(text)
    return (-value if sign == "-" else value) + 0.0  # + 0.0: -0 is 0


@lru_cache(maxsize=1 << 16)
def _readings(text: str) -> _Readings:
    m = _NUMBER.fullmatch(_NOT_DIGITS.sub("", text))
    if not m:
        return _Readings(None, None)
    sign, body = m.groups()
    marks = [c for c in body if c in ",."]
    if not marks:
        return _Readings(*(_signed(sign, body),) * 2)
    last = max(body.rfind(","), body.rfind("."))
    whole, fraction = body[:last], body[last + 1:]
    decimal, group = body[last], "." if body[last] == "," else ","
    evidence = COMMA if decimal == "," else POINT
    if len(set(marks)) == 2:  # both: the last one is the decimal mark, the other groups thousands
        if not _GROUPED[group].fullmatch(whole):
            return _Readings(None, None)
        return _Readings(*(_signed(sign, f"{whole.replace(group, '')}.{fraction}"),) * 2, evidence)
    if len(marks) > 1:  # one mark, several times: thousands groups (evidence of the other decimal mark)
        if not _GROUPED[decimal].fullmatch(body):
            return _Readings(None, None)
        return _Readings(*(_signed(sign, body.replace(decimal, "")),) * 2, COMMA + POINT - evidence)
    as_decimal = _signed(sign, f"{whole or 0}.{fraction}")
    if len(fraction) != 3 or not 1 <= len(whole) <= 3:
        return _Readings(as_decimal, as_decimal, evidence)
    as_thousands = _signed(sign, whole + fraction)
    comma, point = (as_decimal, as_thousands) if decimal == "," else (as_thousands, as_decimal)
    return _Readings(comma, point, settled=not whole.startswith("0"))


def _categories(values: pd.Series) -> pd.Series:
    return values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")


def _typed_rows(typed: pd.Series | None, values: pd.Series) -> np.ndarray | None:
    """Which rows of ``values`` hold a number typed into a workbook cell (``typed``: booleans, by index)."""
    return None if typed is None else typed.reindex(values.index, fill_value=False).to_numpy(dtype=bool)


def decimal_marks(values: pd.Series, sources: pd.Series | None = None, typed: pd.Series | None = None) -> pd.Series:
    """The decimal-mark evidence (:data:`COMMA`, :data:`POINT`, both or 0) of each source's values, by source.

    Read once per distinct value; the per-row work is one lookup and one count per source. Rows marked
    ``typed`` (numbers typed into workbook cells, see :func:`read_numbers`) are no evidence.
    """
    values = _categories(values)
    shown = np.array([_readings(str(v).strip()).evidence for v in values.cat.categories], dtype=np.int8)
    evidence = by_code(shown, values.cat.codes.to_numpy(), 0)
    if (rows := _typed_rows(typed, values)) is not None:
        evidence[rows] = 0
    return _by_source(evidence, sources)


def read_numbers(values: pd.Series, sources: pd.Series | None = None, bounds: Bounds = Bounds(),
                 marks: pd.Series | None = None, typed: pd.Series | None = None) -> tuple[pd.Series, np.ndarray]:
    """Numbers and a status per row (:data:`OK`, :data:`INVALID` or :data:`AMBIGUOUS`; blanks are OK and NA).

    ``marks`` is the :func:`decimal_marks` evidence by source (of the whole quarter: rows dropped for other
    reasons still show how a file writes numbers); without it, the evidence of ``values`` themselves.
    ``typed`` (booleans by index) marks the rows whose value is a number typed into a workbook cell, written
    by the reader as the number itself (``1250.5``, ``1.125``): read as written, whatever the file's evidence.
    """
    values = _categories(values)
    if sources is None or marks is None:
        marks = decimal_marks(values, sources, typed)
    readings = [_readings(str(v).strip()) if str(v).strip() else None for v in values.cat.categories]
    number = np.full((4, len(readings)), np.nan)  # per evidence state and category
    status = np.zeros((4, len(readings)), dtype=np.int8)
    for i, reading in enumerate(readings):
        # a leading 0 group (0,500): the bounds may rule out one reading, but that does not make the other right
        unsure = reading is not None and not reading.settled and len(reading.candidates(0)) > 1
        for marked in range(4):
            plausible = [v for v in reading.candidates(marked) if bounds.plausible(v)] if reading else [np.nan]
            if len(plausible) == 1 and not unsure:
                number[marked, i] = plausible[0]
            else:
                status[marked, i] = AMBIGUOUS if len(plausible) > 1 or (unsure and plausible) else INVALID
    # Only values of an unsettled shape (few) depend on their file's evidence: only their rows are looked at again.
    result, found = _by_state(number, status, values, sources, marks, np.nan)
    codes = values.cat.codes.to_numpy()
    if (typed_rows := _typed_rows(typed, values)) is not None and typed_rows.any():
        rows = np.flatnonzero(typed_rows)
        exact = np.full(len(readings), np.nan)
        for i in np.unique(codes[rows]):
            exact[i] = float(values.cat.categories[i])
        plausible = np.array([bounds.plausible(v) for v in exact]) if len(exact) else np.zeros(0, dtype=bool)
        result[rows] = np.where(plausible, exact, np.nan)[codes[rows]]
        found[rows] = np.where(plausible, OK, INVALID)[codes[rows]]
    return pd.Series(result, index=values.index, copy=False), found


def parse_numbers(values: pd.Series, sources: pd.Series | None = None, bounds: Bounds = Bounds(),
                  marks: pd.Series | None = None, typed: pd.Series | None = None) -> pd.Series:
    """The numbers of :func:`read_numbers`, NaN where a value is invalid or ambiguous."""
    return read_numbers(values, sources, bounds, marks, typed)[0]


def ambiguity_hint(text: str) -> str:
    """Both readings of an ambiguous number: ``1,500 could be 1500 or 1.5``."""
    readings = sorted(_readings(str(text).strip()).candidates(0), reverse=True)
    return f"{str(text).strip()} could be " + " or ".join(f"{v:.15g}" for v in readings)


# ------------------------------------------------------------------------------------------- vocabularies


def _lookup(name: str) -> Callable[[str], object]:
    table = vocabulary(name)
    return lambda text: table.get(fold(text))


def parse_sex(values: pd.Series, dtype: str = "string") -> pd.Series:
    """F/M/K/E/Female/Kadın/Erkek/Kız/Erkek çocuk/other to female, male, other (NA when not understood)."""
    return map_non_blank(values, _lookup("sex"), dtype)


def parse_yes_no(values: pd.Series) -> pd.Series:
    """yes/no/evet/hayır/1/0 to a nullable boolean."""
    answer = _lookup("yes_no")
    return map_non_blank(values, lambda text: {"yes": True, "no": False}.get(answer(text)), "boolean")


def parse_nationality(values: pd.Series, dtype: str = "string") -> pd.Series:
    """Syrian/Suriye, Afghan/Afganistan, ..., Turkish/Türk/TC to an English adjective or ``other``."""
    return map_non_blank(values, _lookup("nationality"), dtype)


def parse_population_group(values: pd.Series, dtype: str = "string") -> pd.Series:
    """Protection status words to ``refugee/migrant`` or ``host community``."""
    return map_non_blank(values, _lookup("population_group"), dtype)


# Optional columns with a vocabulary: a value outside it becomes unknown and the record is kept.
OPTIONAL_VOCABULARIES: dict[str, Callable[[pd.Series], pd.Series]] = {
    "sex": parse_sex, "nationality": parse_nationality, "population_group": parse_population_group,
    "disability": parse_yes_no,
}


def _counted_as(text: str) -> str:
    """An unrecognised value as quality.json may show it: identifier-shaped text is withheld."""
    rule = config.load("vocabularies")["withheld"]
    return rule["label"] if sum(c.isdigit() for c in text) >= rule["min_digits"] else text


def unrecognised_values(raw: pd.DataFrame, rows: pd.Index) -> dict[str, dict[str, int]]:
    """Per optional column, each value outside its vocabulary among ``rows`` of ``raw`` with its count.

    Counted through the category codes of the kept rows, each distinct value parsed once.
    """
    positions = raw.index.get_indexer(rows)
    result = {}
    for column, parse in OPTIONAL_VOCABULARIES.items():
        if column not in raw.columns:
            continue
        values = _categories(raw[column])
        codes = values.cat.codes.to_numpy()[positions]
        counts = np.bincount(codes[codes >= 0], minlength=len(values.cat.categories))
        used = np.flatnonzero(counts)
        texts = pd.Series(values.cat.categories[used].astype(str), dtype="string")
        unknown = parse(texts).isna().to_numpy() & (texts.str.strip() != "").to_numpy(dtype=bool)
        tally: dict[str, int] = {}
        for text, n in zip(texts[unknown], counts[used][unknown], strict=True):
            label = _counted_as(text.strip())
            tally[label] = tally.get(label, 0) + int(n)
        result[column] = dict(sorted(tally.items(), key=lambda item: (-item[1], item[0])))
    return result


def derive_population_group(explicit: pd.Series, nationality: pd.Series) -> pd.Series:
    """Explicit group when given; otherwise Turkish nationals are host community, others refugee/migrant.

    A categorical (``unknown`` when neither is known).
    """
    derived = map_distinct(nationality, lambda n: "host community" if n == "Turkish" else "refugee/migrant",
                           "category")
    return coalesce(explicit.astype("category"), derived, default="unknown")


def whole(numbers: pd.Series) -> pd.Series:
    """Numbers known to be whole (validated, or rounded) as nullable integers, without a per-value check."""
    return pd.Series(integers(numbers.to_numpy(dtype="float64")), index=numbers.index, copy=False)


def age_in_range(age: pd.Series) -> pd.Series:
    """Ages outside 0–120 become unknown (NA); the record is kept."""
    return age.where((age >= 0) & (age <= 120)).round()


def age_from_birth(birth: pd.Series, on: pd.Series) -> pd.Series:
    """Whole years between date of birth and service date."""
    years = on.dt.year - birth.dt.year
    before_birthday = (on.dt.month < birth.dt.month) | ((on.dt.month == birth.dt.month) & (on.dt.day < birth.dt.day))
    return (years - before_birthday.astype("int64")).astype("float64")


def age_groups(age: pd.Series) -> pd.Series:
    """The SADD age group of each whole age (``config/indicators.yml`` age_groups), else ``unknown``."""
    groups = config.age_groups()
    bins = [next(iter(groups.values()))[0] - 1, *(oldest for _, oldest in groups.values())]
    codes = interval_codes(age.to_numpy(dtype="float64"), bins)
    codes[codes < 0] = len(groups)  # unknown
    dtype = pd.CategoricalDtype([*groups, "unknown"], ordered=True)  # ordered, as pd.cut makes them
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=age.index)


def normalise_item(text: str, synonyms: Mapping[str, str]) -> str:
    """Lower case, singular: ``Hygiene Kits`` → ``hygiene kit``; synonyms (``maske`` → ``mask``) from config."""
    words = turkish_lower(" ".join(text.split())).split(" ")
    key = fold(" ".join(words))
    if key in synonyms:
        return synonyms[key]
    last = words[-1]
    if len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        words[-1] = last[:-1]
    singular = " ".join(words)
    return synonyms.get(fold(singular), singular)


def normalise_items(values: pd.Series, synonyms: Mapping[str, str], dtype: str = "string") -> pd.Series:
    """Vectorised :func:`normalise_item`."""
    folded = {fold(k): v for k, v in synonyms.items()}
    return map_non_blank(values, lambda v: normalise_item(v, folded), dtype)


def _activity_key(text: object) -> str:
    """An activity code or label folded, with ``_``, ``-`` and spaces between words alike."""
    return " ".join(re.split(r"[\s_\-]+", fold(text))).strip()


def activity_names(catalogue: pd.DataFrame) -> dict[str, str]:
    """Folded code, short English label and Turkish label of each catalogue activity → its code.

    Raises :class:`VocabularyError` when two activities share a code or label: a raw value naming it would
    be a guess.
    """
    columns = [catalogue.get(label, pd.Series(index=catalogue.index)) for label in ("label_en", "label_tr")]
    return _activity_names(tuple(zip(catalogue.index, *columns, strict=True)))


@cache
def _activity_names(activities: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    names: dict[str, str] = {}
    for code, *labels in activities:
        for name in (code, *labels):
            if name is None or pd.isna(name):
                continue
            if names.setdefault(_activity_key(name), code) != code:
                raise VocabularyError(f"config/activities.yml: {name!r} names both {names[_activity_key(name)]} "
                                      f"and {code}")
    return names


def activity_codes(values: pd.Series, catalogue: pd.DataFrame, dtype: str = "string") -> pd.Series:
    """The catalogue code each raw activity names (code in any case, ``prot_case_mgmt``, ``Vaka yönetimi``,
    ``Case management``); NA for a value that names no activity."""
    names = activity_names(catalogue)
    return map_non_blank(values, lambda text: names.get(_activity_key(text)), dtype)


def id_texts(text: pa.Array) -> pa.Array:
    """Identifier strings trimmed and upper-cased (blank: null): Arrow for plain ASCII ids, Python for the rest."""
    simple = pc.and_(pc.string_is_ascii(text), pc.invert(pc.match_substring_regex(text, EDGE_SPACE)))
    simple = pc.fill_null(pc.and_(simple, pc.not_equal(text, "")), True)
    other = np.flatnonzero(~simple.to_numpy(zero_copy_only=False))
    if len(other):
        fixed = pa.array([_normalise_id(v) for v in text.take(other).to_pylist()], pa.large_string())
        text = pc.replace_with_mask(text, pa.array(~simple.to_numpy(zero_copy_only=False)), fixed)
    return pc.if_else(simple, pc.ascii_upper(text), text)


def _normalise_id(text: str) -> str | None:
    return text.strip().upper() or None
