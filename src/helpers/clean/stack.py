"""Read a quarter's raw files and stack their tables into one frame of canonical columns, under masked, unique
source labels, with the evidence each file shows of how it writes numbers (decimal marks) and dates (day or month
first), pooled per file. Text stays categorical and identifiers travel as numbers beside their texts.
"""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.clean import dates, normalise, numbers, redact, schema
from helpers.columns import identifier_columns, raw_read
from helpers.config import Configuration, shown
from helpers.errors import ConfigError, NoSourcesError, SourceReadError
from helpers.ingest import forms
from helpers.ingest.readers import read_source
from helpers.ingest.rules import load_columns
from helpers.ingest.sources import discover_sources
from helpers.kernels import CORES, by_code, categorical, narrow

log = logging.getLogger(__name__)



def _source_labels(tables: list, skipped: list[dict], not_read: list[dict], regions: redact.Regions
                   ) -> dict[tuple[str, str | None], str]:
    """The label of each table (``file [sheet]``) with identifiers in file and sheet names masked
    (:func:`redact.mask`): partners name files after people. Skipped and unread files get their labels in place.

    Every output (records, rejects, quality.json, the report) takes its source labels from here, so none shows a
    name the masking missed, and files or sheets that differ only in a masked part stay apart.
    """
    files = redact.masked_names([*(t.source for t in tables), *(f["source"] for f in [*skipped, *not_read])],
                                regions)
    sheets = {}  # (file, sheet) -> the sheet's name masked, unique within its file
    for source in files:
        named = {t.sheet for t in tables if t.source == source} | {f["sheet"] for f in not_read
                                                                   if f["source"] == source}
        sheets.update({(source, sheet): masked for sheet, masked in
                       redact.masked_names([s for s in named if s is not None], regions).items()})
    for entry in [*skipped, *not_read]:
        if entry.get("sheet") is not None:
            entry["sheet"] = sheets[entry["source"], entry["sheet"]]
        entry["source"], entry["reason"] = files[entry["source"]], redact.masked(entry["reason"], regions)
    return {(source, sheet): files[source] if sheet is None else f"{files[source]} [{sheets[source, sheet]}]"
            for source, sheet in {(t.source, t.sheet) for t in tables}}


def _combine(tables: list, labels: dict[tuple[str, str | None], str], cfg: Configuration
             ) -> tuple[pd.DataFrame, dict[str, pa.Array], dict[str, pd.Series], dict[str, pd.Series]]:
    """Stack the raw tables into one frame with every canonical column, blanks as NA, text as categories.

    Works on each table's dictionary (distinct values), never on per-row strings: values are stripped in
    the dictionaries, which are then unified across tables. Identifier columns hold numbers (NA: blank)
    standing for the texts returned beside the frame: millions of distinct ids never become pandas strings.
    Third: per column, the rows holding numbers typed into workbook cells (:attr:`RawTable.numbers`), if any;
    fourth: those blank because their cell holds a formula saved without its value (:attr:`RawTable.formulas`).
    """
    labels = [labels[table.source, table.sheet] for table in tables]
    sizes = [len(table.row_number) for table in tables]
    sources = sorted(set(labels))
    raw = pd.DataFrame({
        "source": categorical(np.repeat([sources.index(label) for label in labels], sizes).astype(np.int32),
                                        sources, pd.RangeIndex(sum(sizes))),
        "row_number": np.concatenate([np.empty(0, "int64"),  # (no table at all: every file unreadable)
                                      *(np.asarray(table.row_number, dtype="int64") for table in tables)]),
    })
    identifiers, identifying, columns = {}, identifier_columns(cfg), raw_columns(cfg)
    with ThreadPoolExecutor(max_workers=CORES) as pool:
        stacked = list(pool.map(lambda column: _stacked(column, tables, column in identifying), columns))
    for column, (codes, dictionary) in zip(columns, stacked, strict=True):
        if column in identifying:
            raw[column] = pd.arrays.IntegerArray(codes.astype(np.int32), codes < 0)
            identifiers[column] = dictionary
        else:
            raw[column] = categorical(codes, pd.arrays.ArrowStringArray(dictionary), raw.index)
    return (raw, identifiers, _rows_of(tables, sizes, raw.index, "numbers", columns),
            _rows_of(tables, sizes, raw.index, "formulas", columns))


def _rows_of(tables: list, sizes: list[int], index: pd.Index, kind: str, columns: list[str]) -> dict[str, pd.Series]:
    """Per column, the stacked rows that the tables' ``kind`` (a per-column row mask of :class:`RawTable`) marks;
    only the columns some table marks."""
    return {column: pd.Series(np.concatenate([getattr(table, kind).get(column, np.zeros(size, dtype=bool))
                                              for table, size in zip(tables, sizes, strict=True)]), index=index)
            for column in columns if any(column in getattr(table, kind) for table in tables)}


def raw_columns(cfg: Configuration) -> list[str]:
    """The canonical raw columns (``columns.yml``), each of which the cleaner turns into a record column.

    A column configured without a rule here would be read and then silently lost: it is refused, naming it.
    """
    columns = cfg.columns()
    if unknown := [c for c in columns if c not in raw_read(cfg)]:
        raise ConfigError(f"{shown(cfg.path('columns.yml'))}: columns.{unknown[0]}: the cleaner has no "
                          "rule for this column, so its values would be lost; give it an entry under record: in "
                          "the same file (a coded column: parser: vocabulary) or remove it")
    return columns


def _stacked(column: str, tables: list, identifier: bool) -> tuple[np.ndarray, pa.Array]:
    """One canonical column of every table: codes (-1: blank) into one dictionary of stripped values.

    Identifiers are also upper-cased here (:func:`normalise.id_texts`), so ``tr-1`` and ``TR-1`` are one value.
    """
    parts = [_stripped(table.columns[column], identifier) if column in table.columns.column_names
             else (np.full(len(table.row_number), -1, dtype=np.int32), pa.array([], pa.large_string()))
             for table in tables]
    unified = pc.dictionary_encode(pa.concat_arrays([pa.array([], pa.large_string()), *(v for _, v in parts)]))
    recode = pc.fill_null(unified.indices, -1).to_numpy()
    ends = np.cumsum([len(values) for _, values in parts])
    codes = [by_code(narrow(recode[end - len(values):end], len(unified.dictionary)), own, -1)
             for (own, values), end in zip(parts, ends, strict=True)]
    return (np.concatenate(codes) if codes else np.empty(0, np.int8)), unified.dictionary


def _stripped(column: pa.ChunkedArray, identifier: bool = False) -> tuple[np.ndarray, pa.Array]:
    """Codes (-1: blank) and the dictionary with its values stripped, blank ones as null (may repeat)."""
    column = column.combine_chunks()
    values = column.dictionary.cast(pa.large_string())
    values = normalise.id_texts(values) if identifier else _strip(values)
    return pc.fill_null(column.indices, -1).to_numpy(), values


def _strip(values: pa.Array) -> pa.Array:
    """Values with surrounding whitespace removed; blank ones null. Python only for the values that need it."""
    edge = pc.or_(pc.match_substring_regex(values, normalise.EDGE_SPACE), pc.equal(values, ""))
    edge = np.flatnonzero(pc.fill_null(edge, False).to_numpy(zero_copy_only=False))
    if not len(edge):
        return values
    stripped = pa.array([v.strip() or None for v in values.take(edge).to_pylist()], pa.large_string())
    return pc.replace_with_mask(values, pa.array(np.isin(np.arange(len(values)), edge)), stripped)


def _read_all(sources: list[Path], folder: Path, cfg: Configuration) -> list:
    """Each source's tables, or the :class:`SourceReadError` it raised, in source order.

    Files are read side by side: Arrow parses each one on every core, and a second file keeps the cores busy
    while the first goes through its single-threaded steps (decoding, unifying dictionaries).
    """
    rules = dataclasses.replace(load_columns(cfg), forms=forms.readings(folder, cfg))  # exports read through forms

    def attempt(path: Path):
        try:
            return read_source(path, folder, rules)
        except SourceReadError as error:
            return error

    with ThreadPoolExecutor(max_workers=CORES) as pool:
        return list(pool.map(attempt, sources))


def read_files(folder: Path, cfg: Configuration, *, skip_bad_files: bool = False
               ) -> tuple[list[Path], list, list[dict], list[dict]]:
    """Every raw file of a quarter's folder read: the sources, their tables, the unreadable files skipped (each
    with its reason) and the parts left unread; raise on an unreadable file unless ``skip_bad_files``."""
    sources = discover_sources(folder) if folder.is_dir() else []
    if not sources:
        raise NoSourcesError(f"no .csv or .xlsx files in {folder}")
    tables, skipped, not_read = [], [], []
    for read in _read_all(sources, folder, cfg):
        if isinstance(read, SourceReadError):
            if not skip_bad_files:
                raise read
            regions = redact.origin_regions(cfg)
            log.warning("skipped %s: %s", redact.masked(read.source, regions), redact.masked(read.reason, regions))
            skipped.append({"source": str(read.source), "reason": read.reason, "kind": read.kind})
        else:
            tables.extend(read)
            not_read.extend(dataclasses.asdict(part) for part in read.not_read)
    return sources, tables, skipped, not_read


def _per_file(evidence: pd.Series, labels: dict[tuple[str, str | None], str]) -> pd.Series:
    """Evidence by source label, pooled over the sheets of one workbook: a tracker's month sheets are typed by the
    same people the same way, so ``2.000,00 TL`` on the April sheet settles ``1.500`` on the May sheet. Sheets that
    disagree pool into conflicting evidence, under which a value that reads two ways is rejected, never guessed."""
    file_of = {label: source for (source, _), label in labels.items()}
    keys = evidence.index.map(lambda label: file_of.get(label, label))
    return evidence.groupby(keys).transform(lambda bits: np.bitwise_or.reduce(bits.to_numpy())).astype(np.int8)


def _number_marks(raw: pd.DataFrame, typed: dict[str, pd.Series], labels: dict[tuple[str, str | None], str],
                  cfg: Configuration) -> dict[str, pd.Series]:
    """Each number column's decimal-mark evidence per source, from all its rows (a rejected row still shows
    how its file writes numbers) except numbers typed into workbook cells, pooled per file (:func:`_per_file`)."""
    return {column: _per_file(numbers.decimal_marks(raw[column], raw["source"], typed.get(column)), labels)
            for column in [*schema.number_bounds(cfg), "age"]}


def date_columns(cfg: Configuration) -> list[str]:
    """The raw date columns: the record's dates and the dates its columns read (the date of birth, for the age)."""
    schema = cfg.record()
    return [name for name, column in schema.items() if column.parser == "date"] + \
        [raw for column in schema.values() if column.parser == "age" for raw in column.reads]


def _date_orders(raw: pd.DataFrame, tables: list, labels: dict[tuple[str, str | None], str], cfg: Configuration
                 ) -> dict[str, pd.Series]:
    """Each date column's day/month order evidence per source (:func:`dates.date_orders`), from all its rows
    and the format its header states (``Date (mm/dd/yyyy)``, :attr:`RawTable.notes`), pooled per file."""
    orders = {}
    for column in date_columns(cfg):
        shown = dates.date_orders(raw[column], cfg, raw["source"])
        written = pd.Series([dates.written_order(table.notes.get(column, "")) for table in tables],
                            index=[labels[table.source, table.sheet] for table in tables], dtype=np.int8)
        written = written.groupby(level=0).agg(lambda bits: np.bitwise_or.reduce(bits.to_numpy()))
        orders[column] = _per_file(shown | written.reindex(shown.index, fill_value=0).astype(np.int8), labels)
    return orders


def _summary_rejects(tables: list, labels: dict[tuple[str, str | None], str]) -> pd.DataFrame:
    """The totals rows the reader set apart, as lines of the rejects table (reason ``summary_row``)."""
    rows = [(labels[table.source, table.sheet], number, word)
            for table in tables for number, word in table.summary_rows]
    return pd.DataFrame({
        "source": [source for source, _, _ in rows],
        "row_number": pd.array([number for _, number, _ in rows], dtype="int64"),
        "reason": "summary_row", "column": pd.NA, "value": [word for _, _, word in rows],
        "detail": "totals row (a totals word, no date and no activity): not a record",
    })


@dataclass
class Stacked:
    """A quarter's tables stacked under masked, unique source labels (:func:`_source_labels`)."""

    raw: pd.DataFrame  # canonical columns, identifiers as numbers (see :func:`_combine`)
    identifiers: dict[str, pa.Array]  # the identifier texts behind those numbers
    typed: dict[str, pd.Series]  # per column, the rows typed as numbers into workbook cells
    formulas: dict[str, pd.Series]  # per column, the rows blank because the cell's formula has no saved value
    orders: dict[str, pd.Series]  # each date column's day/month order evidence per source
    marks: dict[str, pd.Series]  # each number column's decimal-mark evidence per source
    summaries: pd.DataFrame  # the totals rows, as lines of the rejects table
    labels: dict[tuple[str, str | None], str]  # (file, sheet) -> label
    forms: dict[str, dict]  # the forms whose exports were read (:func:`forms_read`)
    present: dict[str, set[str]]  # each table's record columns (a measure missing from a file: clean.measures)


def forms_read(tables: list, labels: dict[tuple[str, str | None], str]) -> dict[str, dict]:
    """The forms whose exports were read (:mod:`helpers.ingest.forms`): per form, its tables and whether it has a
    reviewed mapping (``config/forms/<form>.yml``); a form without one stops the run (:func:`losses.losses`)."""
    found: dict[str, dict] = {}
    for table in tables:
        if table.form:
            entry = found.setdefault(table.form, {"mapped": table.form_mapped, "files": []})
            entry["files"].append(labels[table.source, table.sheet])
    return found


def stack(tables: list, skipped: list[dict], not_read: list[dict], cfg: Configuration) -> Stacked:
    labels = _source_labels(tables, skipped, not_read, redact.origin_regions(cfg))
    raw, identifiers, typed, formulas = _combine(tables, labels, cfg)
    return Stacked(raw, identifiers, typed, formulas, _date_orders(raw, tables, labels, cfg),
                   _number_marks(raw, typed, labels, cfg), _summary_rejects(tables, labels), labels,
                   forms_read(tables, labels),
                   {labels[t.source, t.sheet]: set(t.columns.column_names) for t in tables})
