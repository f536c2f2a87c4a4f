"""Numbers as the programme's files write them (:func:`read_numbers`):
``1.250,50``, ``2.000,00 TL``, ``₺750``, ``1500 TL``, ``1,234.50``, ``25.00``.
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
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.clean.readings import AMBIGUOUS, INVALID, OK, by_source, by_state, categories
from helpers.kernels import by_code

COMMA, POINT = 1, 2  # evidence of a decimal comma, of a decimal point (bits; both: conflicting evidence)
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



def _typed_rows(typed: pd.Series | None, values: pd.Series) -> np.ndarray | None:
    """Which rows of ``values`` hold a number typed into a workbook cell (``typed``: booleans, by index)."""
    return None if typed is None else typed.reindex(values.index, fill_value=False).to_numpy(dtype=bool)


def decimal_marks(values: pd.Series, sources: pd.Series | None = None, typed: pd.Series | None = None) -> pd.Series:
    """The decimal-mark evidence (:data:`COMMA`, :data:`POINT`, both or 0) of each source's values, by source.

    Read once per distinct value; the per-row work is one lookup and one count per source. Rows marked
    ``typed`` (numbers typed into workbook cells, see :func:`read_numbers`) are no evidence.
    """
    values = categories(values)
    shown = np.array([_readings(str(v).strip()).evidence for v in values.cat.categories], dtype=np.int8)
    evidence = by_code(shown, values.cat.codes.to_numpy(), 0)
    if (rows := _typed_rows(typed, values)) is not None:
        evidence[rows] = 0
    return by_source(evidence, sources)


def read_numbers(values: pd.Series, sources: pd.Series | None = None, bounds: Bounds = Bounds(),
                 marks: pd.Series | None = None, typed: pd.Series | None = None) -> tuple[pd.Series, np.ndarray]:
    """Numbers and a status per row (:data:`OK`, :data:`INVALID` or :data:`AMBIGUOUS`; blanks are OK and NA).

    ``marks`` is the :func:`decimal_marks` evidence by source (of the whole quarter: rows dropped for other
    reasons still show how a file writes numbers); without it, the evidence of ``values`` themselves.
    ``typed`` (booleans by index) marks the rows whose value is a number typed into a workbook cell, written
    by the reader as the number itself (``1250.5``, ``1.125``): read as written, whatever the file's evidence.
    """
    values = categories(values)
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
    result, found = by_state(number, status, values, sources, marks, np.nan)
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

