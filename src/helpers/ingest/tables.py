"""A raw table as the readers hand it on: canonical columns of strings with the analyst's row numbers, and the
steps every file shape shares (finding the header row, mapping headers to columns, dropping empty rows,
setting totals rows apart, telling which tool a table comes from).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from dataclasses import dataclass, field
from functools import reduce

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.ingest.rules import ALIAS, IDENTIFIER, METADATA, PARENTHESES, UNKNOWN, ReadingRules, is_hxl_row
from helpers.text import fold

log = logging.getLogger(__name__)

_STRING = pd.StringDtype("pyarrow")


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
    #: every header: (raw header, canonical column or None, why: ALIAS, HXL, IDENTIFIER, METADATA, UNKNOWN)
    mapping: list[tuple[str, str | None, str]] = field(default_factory=list)
    #: "kobo", "activityinfo", "tracker" or "generic", from the evidence in the header (config ``shapes``)
    shape: str = "generic"
    #: totals rows set apart, not records: (row number, the totals word as written)
    summary_rows: list[tuple[int, str]] = field(default_factory=list)
    #: per column, which rows held a number typed into a workbook cell (not text): its text is the number
    #: itself (``1250.5``), which tells nothing of how the file writes numbers as text. Only for XLSX.
    numbers: dict[str, np.ndarray] = field(default_factory=dict)
    #: per column, what its header says in parentheses (``Date (mm/dd/yyyy)`` → ``mm/dd/yyyy``), when every
    #: header read into it says the same: a format the partner states (headers are matched without it)
    notes: dict[str, str] = field(default_factory=dict)
    #: per column, which rows are blank because the cell holds a formula saved without its value (a workbook
    #: written by a script or by a tool that does not calculate): a value unknown, not a value missing. Only XLSX.
    formulas: dict[str, np.ndarray] = field(default_factory=dict)
    #: the form whose export this is (helpers.ingest.forms), and whether the form has a mapping file
    form: str | None = None
    form_mapped: bool = False

    @property
    def frame(self) -> pd.DataFrame:
        """The columns as pandas strings (NA for blank)."""
        plain = pa.table({name: column.cast(pa.large_string()) for name, column in
                          zip(self.columns.column_names, self.columns.columns, strict=True)})
        return plain.to_pandas(types_mapper={pa.large_string(): _STRING}.get)


@dataclass(frozen=True)
class NotRead:
    """A part of a raw file deliberately left unread (a repeat-group sheet, a symlink out of the folder)."""

    source: str
    sheet: str | None
    reason: str


class SourceTables(list):
    """The tables read from one file (a list of :class:`RawTable`) and the parts of it left unread."""

    def __init__(self, tables=(), not_read=()):
        super().__init__(tables)
        self.not_read: list[NotRead] = list(not_read)



def looked_for(rules: ReadingRules) -> str:
    return f"(looked for {', '.join(rules.required)} in the first {rules.header_search_rows} rows)"


def find_header(rows: list[list[str]], rules: ReadingRules) -> tuple[int, int, ReadingRules] | None:
    """Index of the first row naming at least two canonical columns, one of them required, how many, and the
    rules to read the table with.

    A row that heads an export of a known form (:mod:`helpers.ingest.forms`) is found first: the table is then
    read through the form. Hashtags of an HXL row directly under a row count for the headers they stand under.
    """
    for index, row in enumerate(rows[: rules.header_search_rows] if rules.forms and rules.form is None else []):
        score, reading = max(((reading.score(row, rules.is_metadata), reading) for reading in rules.forms),
                             key=lambda pair: pair[0])
        if score:
            return index, score, dataclasses.replace(rules, form=reading)
    for index, row in enumerate(rows[: rules.header_search_rows]):
        tags = tags_under(rows, index)
        names = {rules.map_header(cell, tag)[0] for cell, tag in itertools.zip_longest(row, tags or [])} - {None}
        if len(names) >= 2 and names.intersection(rules.required):
            return index, len(names), rules
    return None


def tags_under(rows: list[list[str]], index: int) -> list[str] | None:
    """The HXL hashtag row directly under row ``index``, if there is one."""
    return rows[index + 1] if index + 1 < len(rows) and is_hxl_row(rows[index + 1]) else None



def columns_from_rows(rows: list[list[str]], width: int) -> list[pa.DictionaryArray]:
    padded = [row + [""] * (width - len(row)) for row in rows]
    if not padded:
        return [encoded([])] * width
    return [encoded(column) for column in zip(*padded, strict=True)]


def encoded(values) -> pa.DictionaryArray:
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
    return encoded(pc.coalesce(*(column.cast(pa.large_string()) for column in columns)))


def raw_table(
    columns: list, header: list[str], first_row: int, source: str, sheet: str | None, rules: ReadingRules,
    tags: list[str] | None = None, title_rows: bool = False, typed: list[np.ndarray] | None = None,
    formulas: list[np.ndarray] | None = None,
) -> RawTable:
    """Keep the canonical columns (first non-blank value when several headers mean one), drop empty rows and
    set totals rows apart. ``typed``: per column of the sheet, which rows hold typed numbers
    (:attr:`RawTable.numbers`); ``formulas``: which hold formulas without values (:attr:`RawTable.formulas`; a
    row with one in a column read is not empty)."""
    label = source if sheet is None else f"{source} [{sheet}]"
    if rules.form is not None:  # an export of a known form: its choices as the records' values
        width = len(header)
        columns, header = rules.form.decode(columns, header)
        added = [np.zeros(len(columns[0]), dtype=bool)] * (len(header) - width)
        typed = None if typed is None else typed + added
        formulas = None if formulas is None else formulas + added
    tags = (tags or []) + [""] * (len(header) - len(tags or []))
    groups: dict[str, list[tuple[int, int]]] = {}  # column -> (rank, position) of each header meaning it
    mapping, identifiers, unknown = [], [], []
    for i, (name, tag) in enumerate(zip(header, tags, strict=True)):
        canonical, why = rules.map_header(name, tag)
        if canonical or name.strip():
            mapping.append((name, canonical, why))
        if why == IDENTIFIER:
            identifiers.append(name)
        elif canonical:
            groups.setdefault(canonical, []).append((rules.header_rank(name) if why == ALIAS else len(rules.rank), i))
        elif why == UNKNOWN and name.strip():
            unknown.append(name)
    if identifiers:
        log.info("%s: dropped direct identifiers %s", label, identifiers)
    if unknown:
        log.info("%s: dropped unknown columns %s", label, unknown)
    if ignored := [name for name, _, why in mapping if why == METADATA]:
        log.info("%s: ignored KoboToolbox metadata columns %s", label, ignored)

    columns = [_blank_to_null(column) for column in columns]
    data, numbers, notes, blanks = {}, {}, {}, {}
    for name in rules.columns:
        if name in groups:
            ranked = sorted(groups[name])
            ordered = [i for _, i in ranked]
            if len(ordered) > 1:  # a warning only where the configured order does not decide
                tied = len({rank for rank, _ in ranked}) < len(ranked)
                log.log(logging.WARNING if tied else logging.INFO,
                        "%s: columns %s all mean %s; each row takes the first non-blank value in this order",
                        label, [header[i] for i in ordered], name)
            data[name] = _coalesce([columns[i] for i in ordered])
            said = {" ".join(PARENTHESES.findall(header[i])).strip() for i in ordered}
            if len(said) == 1 and (note := said.pop()):
                notes[name] = note
            if typed is not None and (rows := _typed_rows([columns[i] for i in ordered],
                                                          [typed[i] for i in ordered])) is not None:
                numbers[name] = rows
            if formulas is not None and (rows := _formula_rows(data[name], [formulas[i] for i in ordered])).any():
                blanks[name] = rows
    filled = reduce(pc.or_, (pc.is_valid(column) for column in columns))
    if blanks:
        filled = pc.or_(filled, pa.array(np.logical_or.reduce(list(blanks.values()))))
    if not data:  # an export of a form not mapped yet: its rows are read, and rejected for what they lack
        data = {name: encoded(pa.nulls(len(columns[0]), pa.large_string())) for name in rules.required}
    table = pa.table(data)
    summary, words = _summary_rows(columns, data, table.num_rows, rules)
    kept_mask = pc.and_(filled, pc.invert(summary)) if words else filled
    if pc.all(kept_mask).as_py():
        kept = np.arange(table.num_rows)
    else:
        kept = np.flatnonzero(np.asarray(kept_mask, dtype=bool))
        table = table.filter(kept_mask)
        numbers = {name: rows[kept] for name, rows in numbers.items()}
        blanks = {name: rows[kept] for name, rows in blanks.items()}
    summary_rows = [(int(first_row + i), word) for i, word in words]
    if summary_rows:
        log.info("%s: totals rows %s are not records", label, [row for row, _ in summary_rows])
    shape = _shape(header, bool(tags and any(tags)), title_rows or bool(summary_rows), rules)
    return RawTable(source, sheet, table, first_row + kept, identifiers, unknown, mapping, shape, summary_rows,
                    numbers, notes, blanks,
                    *((rules.form.form_id, rules.form.mapping is not None) if rules.form else ()))


def _formula_rows(value: pa.Array, cells: list[np.ndarray]) -> np.ndarray:
    """Rows whose ``value`` is blank while one of its ``cells`` holds a formula saved without its value."""
    return ~pc.is_valid(value).to_numpy(zero_copy_only=False) & np.logical_or.reduce(cells)


def _typed_rows(columns: list[pa.DictionaryArray], typed: list[np.ndarray]) -> np.ndarray | None:
    """Rows whose value (the first non-blank of ``columns``, as :func:`_coalesce`) is a typed number; None
    when there is none."""
    taken = np.zeros(len(columns[0]), dtype=bool)
    found = np.zeros(len(columns[0]), dtype=bool)
    for column, cells in zip(columns, typed, strict=True):
        filled = pc.is_valid(column).to_numpy(zero_copy_only=False) & ~taken
        found |= filled & cells
        taken |= filled
    return found if found.any() else None


def _summary_rows(columns: list, data: dict, rows: int, rules: ReadingRules) -> tuple[pa.Array | None, list]:
    """Totals rows: a cell holding a totals word, and no date and no activity (config ``summary_row_words``).

    A date or activity cell holding the totals word itself ("TOPLAM" written across the date column) counts as
    no date. Only rows without date and activity are looked at (normally none), each distinct text once.
    """
    empty = []
    for column in (data.get("date"), data.get("activity")):
        if column is not None:
            totals = _totals_words(column.dictionary, rules)
            if not column.null_count and not pc.any(totals).as_py():
                return None, []  # every row has this column filled with something else: the common case, at once
            empty.append(pc.or_kleene(pc.is_null(column), pc.take(totals, column.indices)))
    candidates = np.flatnonzero(np.asarray(pc.fill_null(reduce(pc.and_, empty), True), dtype=bool)) if empty \
        else np.arange(rows)
    words: dict[int, str] = {}
    for column in columns if len(candidates) else []:
        cells = column.take(pa.array(candidates)).cast(pa.large_string())
        totals = pc.fill_null(_totals_words(cells, rules), False)
        for i in np.flatnonzero(np.asarray(totals, dtype=bool)):
            words.setdefault(int(candidates[i]), cells[i].as_py().strip())
    mask = np.zeros(rows, dtype=bool)
    mask[list(words)] = True
    return pa.array(mask), sorted(words.items())


def _totals_words(values: pa.Array, rules: ReadingRules) -> pa.Array:
    """Which values are a totals word ("TOPLAM", "Genel Toplam:"); short values only are folded, once each."""
    longest = max(map(len, rules.summary_words), default=0) + 4
    values = values.cast(pa.large_string())
    short = pc.unique(pc.filter(values, pc.less_equal(pc.utf8_length(values), longest))).to_pylist()
    totals = [value for value in short if value and fold(value).rstrip(":").strip() in rules.summary_words]
    return pc.is_in(values, pa.array(totals, pa.large_string()))


def _shape(header: list[str], hxl: bool, tracker_layout: bool, rules: ReadingRules) -> str:
    """The tool a table most likely comes from, from the evidence in its header (config ``shapes``)."""
    folded = {fold(name) for name in header}
    found = [shape for shape, evidence in rules.shapes if folded & evidence]
    if hxl and "kobo" not in found:
        found.insert(0, "kobo")
    if tracker_layout and "tracker" not in found:
        found.append("tracker")
    return min(found, key=[shape for shape, _ in rules.shapes].index) if found else "generic"
