"""Clean one quarter's raw activity logs: every row kept, or dropped with a reason.

Flow: read every source → validate against the contract (:mod:`helpers.clean.schema`) → normalise the valid
rows → drop rows dated outside the quarter → drop duplicates → pseudonymise identifiers → reconcile.
``rows_read = rows_kept + duplicate + out_of_period + summary_row + rejected`` is asserted per file and in total
(``summary_row``: totals rows of trackers, set apart by the reader, never records).

Built for quarters of millions of rows: text columns are categoricals normalised once per distinct value;
identifiers travel as numbers beside one dictionary of their texts, which is hashed (in a worker process
when large) while the rows are validated and normalised.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandera.pandas import DataFrameSchema

from helpers.clean import dates, measures, normalise, numbers, redact, schema
from helpers.clean.losses import date_span
from helpers.clean.provinces import ALIASES_FILE, resolve_provinces
from helpers.clean.pseudonymise import fingerprint, hashing, load_key
from helpers.clean.sample import sample_check
from helpers.clean.schema import raw_record_schema, violations
from helpers.clean.stack import Stacked, raw_columns, read_files, stack
from helpers.columns import duplicate_key, identifier_columns
from helpers.config import Configuration, shown
from helpers.config_models import RecordColumn
from helpers.context import RunContext
from helpers.csvfile import write_csv
from helpers.errors import (
    ConfigError,
    ReconciliationError,
)
from helpers.kernels import (
    CORES,
    arrow_by_code,
    by_code,
    categorical,
    coalesce,
    find_duplicates,
    rows,
    tidy_categories,
)
from helpers.paths import PROCESSED_DIR, Quarter, replacing

log = logging.getLogger(__name__)



@dataclass
class CleanResult:
    """The outcome of cleaning one quarter."""

    quarter: Quarter
    records: pd.DataFrame
    rejects: pd.DataFrame
    quality: dict = field(default_factory=dict)


def _province_lookup(raw: pd.Series, cfg: Configuration) -> pd.DataFrame:
    """Resolution of each distinct raw province spelling, indexed by the spelling."""
    distinct = raw.dropna().unique()
    threshold = cfg.setting("province_match_threshold")
    return resolve_provinces(pd.Series(distinct, dtype="string"), threshold=threshold,
                             aliases=cfg.path(ALIASES_FILE.name)).set_index("value")


def _reach_type_of(catalogue: pd.DataFrame):
    types = catalogue["reach_type"].to_dict()  # per distinct raw value, as categories (no per-row strings)
    return lambda values: normalise.map_distinct(normalise.activity_codes(values, catalogue, "category"),
                                                 types.get, "category")


def _lookup(values: pd.Series, table: pd.Series) -> pd.Series:
    """``values`` (categorical) looked up in ``table`` once per category."""
    mapping = table.to_dict()
    return normalise.map_distinct(values, mapping.get, "category")


def _per_record_reach(reach_type: pd.Series, has_id: pd.Series) -> pd.Series:
    """A ``mixed`` activity counts per record: individual with a beneficiary id, else group."""
    reach_type = reach_type.cat.add_categories(
        [c for c in ("individual", "group") if c not in reach_type.cat.categories])
    categories = reach_type.cat.categories
    codes = reach_type.cat.codes.to_numpy().copy()
    mixed = codes == categories.get_loc("mixed") if "mixed" in categories else np.zeros(len(codes), dtype=bool)
    has_id = has_id.to_numpy()
    codes[mixed & has_id] = categories.get_loc("individual")
    codes[mixed & ~has_id] = categories.get_loc("group")
    return categorical(codes, categories, reach_type.index)


def _typed(raw: pd.DataFrame, provinces: pd.DataFrame, catalogue: pd.DataFrame, quarter: Quarter,
           marks: dict[str, pd.Series], typed: dict[str, pd.Series], orders: dict[str, pd.Series], cfg: Configuration
           ) -> pd.DataFrame:
    """Normalise validated raw rows into typed canonical records (identifiers still numbers, see
    :mod:`helpers.clean.stack`), one column per entry of the record schema (``cfg.record()``), in its order.

    Text columns are built as categoricals from the distinct raw values, never as per-row strings. Numbers are
    read with the decimal-mark evidence ``marks`` of the whole quarter, numbers typed into workbook cells
    (``typed``) as they are; dates with the day/month ``orders`` of their files. A coded value outside its
    vocabulary is the column's ``unknown`` value (or NA). Columns are made side by side (:data:`CORES`), each from
    the same rows, so the records do not depend on the order they are made in.
    """
    bounds = schema.number_bounds(cfg)

    def number(column: str) -> pd.Series:
        return numbers.parse_numbers(raw[column], raw["source"], bounds.get(column, numbers.Bounds()),
                                     marks[column], typed.get(column))

    def years(name: str, column: RecordColumn, earlier: dict[str, Future]) -> pd.Series:
        """Ages in years, not yet whole: the age groups are cut from them."""
        ages = normalise.age_in_range(number(name))
        for read in column.reads:  # a date of birth, only where the age is missing
            birth = dates.parse_dates(raw[read], cfg, raw["source"], orders[read])
            derive = (ages.isna() & birth.notna()).to_numpy()
            ages[derive] = normalise.age_in_range(normalise.age_from_birth(birth[derive],
                                                                           earlier["date"].result()[derive]))
        return ages

    def coded(name: str, column: RecordColumn) -> pd.Series:
        parsed = normalise.parse_vocabulary(raw[name], column.vocabulary, cfg, "category")
        return parsed if column.unknown is None else coalesce(parsed, default=column.unknown)

    parsers = {
        "run": lambda name, column: categorical(np.zeros(len(raw), dtype=np.int8), [str(quarter)], raw.index),
        "reader": lambda name, column: raw[name],
        "date": lambda name, column: dates.parse_dates(raw[name], cfg, raw["source"], orders[name]),
        "province": lambda name, column: _lookup(raw[name], provinces["province"]),
        "text": lambda name, column: normalise.collapse_spaces(raw[name], "category"),
        "activity": lambda name, column: normalise.activity_codes(raw[name], catalogue, "category"),
        "identifier": lambda name, column: raw[name],
        "whole": lambda name, column: normalise.whole(number(name)),
        "number": lambda name, column: number(name),
        "item": lambda name, column: normalise.normalise_items(raw[name], cfg.load("items")["synonyms"],
                                                               "category"),
        "yes_no": lambda name, column: normalise.parse_yes_no(raw[name], cfg),
        "vocabulary": coded,
    }
    schema_ = cfg.record()
    made: dict[str, pd.Series] = {}
    # An age waits for the date made before it; derived columns are made after the others, in the schema's order.
    with ThreadPoolExecutor(max_workers=CORES, thread_name_prefix="typed") as pool:
        parsing: dict[str, Future] = {}
        for name, column in schema_.items():
            if column.parser == "age":
                parsing[name] = pool.submit(years, name, column, dict(parsing))
            elif column.parser != "derived":
                parsing[name] = pool.submit(parsers[column.parser], name, column)
        for name, future in parsing.items():
            made[name] = future.result()
            if schema_[name].parser == "age":
                made[f"{name} in years"], made[name] = made[name], normalise.whole(made[name])
        for name, column in schema_.items():
            if column.parser == "derived":
                made[name] = _derived(name, made, raw, provinces, catalogue, cfg)
        tidied = pool.map(lambda name: tidy_categories(made[name]) if schema_[name].categorical else made[name],
                          schema_)
        return pd.DataFrame(dict(zip(schema_, tidied, strict=True)), index=raw.index, copy=False)


# How each derived record column (``parser: derived`` in the record schema) is made from the columns made before it
# (``made``), the raw rows, the quarter's province spellings, the activity catalogue and the run's configuration.
DERIVATIONS: dict[str, Callable[[dict, pd.DataFrame, pd.DataFrame, pd.DataFrame, Configuration], pd.Series]] = {
    "iso_code": lambda made, raw, provinces, catalogue, cfg: _lookup(raw["province"], provinces["iso_code"]),
    "centre": lambda made, raw, provinces, catalogue, cfg: normalise.map_distinct(
        made["site"], lambda v: v.split(" - ", 1)[0].strip(), "category"),
    "sector": lambda made, raw, provinces, catalogue, cfg: _lookup(made["activity"], catalogue["sector"]),
    "reach_type": lambda made, raw, provinces, catalogue, cfg: _per_record_reach(
        _lookup(made["activity"], catalogue["reach_type"]), raw["beneficiary_id"].notna()),
    "age_group": lambda made, raw, provinces, catalogue, cfg: normalise.age_groups(
        made["age in years"], cfg.age_groups()),
    "population_group": lambda made, raw, provinces, catalogue, cfg: normalise.derive_population_group(
        normalise.parse_vocabulary(raw["population_group"], "population_group", cfg, "category"),
        made["nationality"]),
}


def _derived(name: str, made: dict[str, pd.Series], raw: pd.DataFrame, provinces: pd.DataFrame,
             catalogue: pd.DataFrame, cfg: Configuration) -> pd.Series:
    if name not in DERIVATIONS:
        raise ConfigError(f"{shown(cfg.path('columns.yml'))}: record.{name}: the cleaner derives no column "
                          f"of this name; derived columns are {', '.join(DERIVATIONS)}")
    return DERIVATIONS[name](made, raw, provinces, catalogue, cfg)


def _reject_table(raw: pd.DataFrame, bad: pd.DataFrame, provinces: pd.DataFrame, cfg: Configuration) -> pd.DataFrame:
    """Rejected rows as the analyst needs them: where, why, which column, which value (identifiers masked)."""
    value = bad["value"].astype("object")
    value = value.where(~bad["column"].isin(identifier_columns(cfg)) | value.isna(), "(identifier withheld)")
    detail = pd.Series([a if pd.isna(h) else h if pd.isna(a) else f"{h}; {a}"
                        for h, a in zip(bad["hint"], bad["also"], strict=True)], index=bad.index, dtype="object")
    unknown = (bad["reason"] == "unknown_province") & bad["value"].notna()
    known = provinces["hint"].to_dict()  # once per distinct spelling, not per rejected row
    hints = [known.get(v, "no close province") for v in bad.loc[unknown, "value"]]
    detail[unknown] = [h if pd.isna(d) else f"{h}; {d}" for h, d in zip(hints, detail[unknown], strict=True)]
    return pd.DataFrame({
        "source": raw.loc[bad.index, "source"].astype(str),
        "row_number": raw.loc[bad.index, "row_number"],
        "reason": bad["reason"],
        "column": bad["column"],
        "value": value,
        "detail": detail,
    })


def _dropped_rows(raw: pd.DataFrame, index: pd.Index, reason: str, detail: pd.Series | None = None) -> pd.DataFrame:
    return pd.DataFrame({
        "source": raw.loc[index, "source"].astype(str),
        "row_number": raw.loc[index, "row_number"],
        "reason": reason,
        "column": "date" if reason == "out_of_period" else pd.NA,
        "value": raw.loc[index, "date"].astype("object") if reason == "out_of_period" else pd.NA,
        "detail": detail if detail is not None else pd.NA,
    }, index=index)


def reconcile(raw: pd.DataFrame, records: pd.DataFrame, rejects: pd.DataFrame, skipped: list[dict],
              cfg: Configuration) -> dict:
    """Count rows per source and in total; raise :class:`ReconciliationError` if any row is unaccounted for.

    Totals rows never reach ``raw``: they are counted as read from their lines in ``rejects``.
    """
    kinds, dropped_reasons = cfg.drop_kinds(), cfg.dropped_reasons()
    summaries = rejects.loc[rejects["reason"] == "summary_row", "source"].value_counts()
    read = raw.groupby("source", observed=True).size().add(summaries, fill_value=0).rename("rows_read")
    kept = records.groupby("source", observed=True).size().rename("rows_kept")
    dropped = rejects.assign(kind=rejects["reason"].where(rejects["reason"].isin(dropped_reasons), "rejected"))
    by_kind = dropped.pivot_table(index="source", columns="kind", values="row_number", aggfunc="size", fill_value=0)
    by_reason = rejects[~rejects["reason"].isin(dropped_reasons)].pivot_table(
        index="source", columns="reason", values="row_number", aggfunc="size", fill_value=0)
    table = pd.concat([read, kept, by_kind.reindex(columns=kinds)], axis=1).fillna(0).astype("int64")
    table.index = table.index.astype(str)
    table["balanced"] = table["rows_read"] == table["rows_kept"] + table[kinds].sum(axis=1)
    if not table["balanced"].all():
        bad = ", ".join(table.index[~table["balanced"]])
        raise ReconciliationError(f"rows unaccounted for in: {bad}")
    by_reason.index = by_reason.index.astype(str)
    files = {
        source: {**{k: int(v) for k, v in row.drop("balanced").items()},
                 "rejected_by_reason": {r: int(n) for r, n in by_reason.loc[source].items() if n}
                 if source in by_reason.index else {}}
        for source, row in table.iterrows()
    }
    totals = {k: int(table[k].sum()) for k in ["rows_read", "rows_kept", *kinds]}
    if totals["rows_read"] != totals["rows_kept"] + sum(totals[k] for k in kinds):
        raise ReconciliationError("total rows read differ from kept plus dropped")
    reasons = rejects["reason"].value_counts()
    totals["by_reason"] = {r: int(reasons.get(r, 0)) for r in [*dropped_reasons, *cfg.reject_reasons()]}
    n = max(len(records), 1)
    completeness = {
        "sex": round(float((records["sex"] != "unknown").sum() / n), 4),
        "age": round(float(records["age"].notna().sum() / n), 4),
        "population_group": round(float((records["population_group"] != "unknown").sum() / n), 4),
    }
    return {"totals": totals, "files": files, "skipped_files": skipped, "completeness": completeness,
            "unknown_values": normalise.unrecognised_values(raw, records.index, cfg)}


def _contract(provinces: pd.DataFrame, catalogue: pd.DataFrame, cfg: Configuration,
              marks: dict[str, pd.Series] | None = None, typed: dict[str, pd.Series] | None = None,
              orders: pd.Series | None = None, formulas: dict[str, pd.Series] | None = None) -> DataFrameSchema:
    """The raw-log contract for this quarter's province spellings (see :func:`_province_lookup`), decimal
    marks (see :func:`_number_marks`), date orders (see :func:`_date_orders`) and formula cells saved without
    their values."""
    return raw_record_schema(
        cfg,
        known_province=lambda s: s.map(provinces["province"]).notna(),
        reach_type=_reach_type_of(catalogue),
        marks=marks,
        typed=typed,
        orders=orders,
        formulas=formulas,
    )


def _kept_and_dropped(raw: pd.DataFrame, q: Quarter, stacked: Stacked, cfg: Configuration
                      ) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame]:
    """Validate, normalise and drop out-of-period and duplicate rows: the kept records (identifiers still
    numbers), one table of every dropped row with its reason, the valid rows' date span and the resolution of
    each distinct province spelling (:func:`_province_lookup`)."""
    typed, orders, marks = stacked.typed, stacked.orders, stacked.marks
    catalogue = cfg.activities()
    provinces = _province_lookup(raw["province"], cfg)
    bad = violations(raw, _contract(provinces, catalogue, cfg, marks, typed, orders["date"], stacked.formulas), cfg)
    # A row dated outside the quarter is out of period whatever else is wrong with it (an earlier quarter's rows
    # of an "all versions" export are not this quarter's rejects): its other faults go into the detail.
    dated = dates.parse_dates(raw.loc[bad.index, "date"], cfg, raw.loc[bad.index, "source"], orders["date"])
    early = bad.index[(dated.notna() & ((dated < pd.Timestamp(q.start)) | (dated > pd.Timestamp(q.end)))).to_numpy()]
    faults = bad.loc[early, "reason"].astype(str) + " (" + bad.loc[early, "column"].astype(str) + ")"
    bad = bad.drop(index=early)
    rejected = _reject_table(raw, bad, provinces, cfg)
    keep = np.ones(len(raw), dtype=bool)  # a mask, not drop(index=...): no hash look-up of ten million labels
    keep[raw.index.get_indexer(bad.index.union(early))] = False
    valid = rows(raw, keep)

    records = _typed(valid, provinces, catalogue, q, marks, typed, orders, cfg)
    span = date_span(records["date"])
    outside = ((records["date"] < pd.Timestamp(q.start)) | (records["date"] > pd.Timestamp(q.end))).to_numpy()
    out_of_period = pd.concat([_dropped_rows(raw, records.index[outside], "out_of_period"),
                               _dropped_rows(raw, early, "out_of_period", "also " + faults)])
    # The date is part of a duplicate's key, so a row in the quarter can only repeat a row in the quarter:
    # finding duplicates among all valid rows and dropping them after the out-of-period ones gives the same.
    duplicated, original = find_duplicates(records[duplicate_key(cfg)])
    original = original[~outside[duplicated]]
    duplicated &= ~outside
    detail = ("same as " + raw.loc[original, "source"].astype(str).to_numpy() + " row "
              + raw.loc[original, "row_number"].astype(str).to_numpy())
    duplicates = _dropped_rows(raw, records.index[duplicated], "duplicate",
                               pd.Series(detail, index=records.index[duplicated]))
    records = rows(records, ~(outside | duplicated))
    return records, pd.concat([rejected, out_of_period, duplicates]).sort_index(), span, provinces


CORRECTED = ("alias", "fuzzy", "repaired", "prefix", "dotless")  # province spellings the run corrects


def corrections(raw: pd.DataFrame, provinces: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per file, how many rows' province the run reads by correcting its spelling (an alias, a typo, a repaired
    encoding, a dotted prefix, a missing ı): ``{"a.csv": {"province fuzzy": 3}}``; listed by check."""
    spelling, source = raw["province"], raw["source"]  # decided per distinct spelling, counted from the rows' codes
    method = pd.Series(spelling.cat.categories).map(provinces["method"]).to_numpy(dtype=object)
    codes = spelling.cat.codes.to_numpy()
    corrected = by_code(np.isin(method, CORRECTED), codes, False)
    width = len(method)
    pairs = np.bincount(source.cat.codes.to_numpy()[corrected].astype(np.int64) * width + codes[corrected],
                        minlength=len(source.cat.categories) * width)
    counts: dict[str, dict[str, int]] = {}
    for pair in np.flatnonzero(pairs):
        per_file = counts.setdefault(str(source.cat.categories[pair // width]), {})
        kind = f"province {method[pair % width]}"
        per_file[kind] = per_file.get(kind, 0) + int(pairs[pair])
    return {name: dict(sorted(counts[name].items())) for name in sorted(counts)}


def _accounted(raw: pd.DataFrame, records: pd.DataFrame, rejects: pd.DataFrame, summaries: pd.DataFrame,
               skipped: list[dict], not_read: list[dict], q: Quarter, span: dict, stacked: Stacked,
               provinces: pd.DataFrame, cfg: Configuration) -> tuple[pd.DataFrame, dict]:
    """Every dropped row (totals rows joined) and the quality counts, reconciled (:func:`reconcile`)."""
    rejects = pd.concat([rejects, summaries]) if len(summaries) else rejects  # a totals word: never an identifier
    quality = reconcile(raw, records, rejects, skipped, cfg)
    quality["not_read"] = not_read
    quality["forms"] = stacked.forms
    quality["not_reported"] = measures.not_reported(records, stacked.present, cfg)
    quality["corrections"] = corrections(raw, provinces)
    quality["quarter"] = str(q)
    quality["dates"] = span
    return rejects, quality


def clean_quarter(run: RunContext, *, skip_bad_files: bool = False) -> CleanResult:
    """Clean the run's quarter, ``<raw>/<quarter>/``; raise on unreadable files unless ``skip_bad_files``."""
    q, cfg = run.quarter, run.config
    raw_columns(cfg)  # a configured column the cleaner cannot keep stops the run before anything is read
    folder = run.folders.raw / q
    sample, not_sample = sample_check(folder, cfg) if folder.is_dir() else (False, "")
    key = load_key(cfg.setting_path("key_file"), sample=sample, not_sample=not_sample)
    sources, tables, skipped, not_read = read_files(folder, cfg, skip_bad_files=skip_bad_files)
    stacked = stack(tables, skipped, not_read, cfg)
    raw = stacked.raw
    log.info("read %s rows from %s tables in %s files", f"{len(raw):,}", len(tables), len(sources))
    del tables  # the raw frame holds everything now; frees the Arrow copies before the heavier steps
    with hashing(stacked.identifiers, key) as hashed:  # identifiers are hashed meanwhile (on another core)
        records, rejects, span, provinces = _kept_and_dropped(raw, q, stacked, cfg)
        # Identifiers typed into free text are masked in the kept records (after duplicates are found: two notes
        # differing only by a phone number are two records) and withheld from the rejects.
        regions = redact.origin_regions(cfg)
        masked = {"records": redact.mask_columns(records, list(cfg.load("indicators")["free_text"]), regions),
                  "rejects": redact.withhold(rejects, regions)}
        pseudonyms = {column: hashed[column]() for column in identifier_columns(cfg)}  # the worker's answer
        with ThreadPoolExecutor(max_workers=max(len(pseudonyms), 1)) as pool:  # Arrow's take releases the GIL
            texts = dict(zip(pseudonyms, pool.map(lambda column: pd.arrays.ArrowStringArray(arrow_by_code(
                pseudonyms[column], records[column].to_numpy(dtype=np.int64, na_value=-1))), pseudonyms), strict=True))
        for column, text in texts.items():
            records[column] = text

    rejects, quality = _accounted(raw, records, rejects, stacked.summaries, skipped, not_read, q, span,
                                  stacked, provinces, cfg)
    quality["sample"] = sample
    quality["masked_identifiers"] = masked
    quality["key_fingerprint"] = fingerprint(key)
    return CleanResult(q, records[list(cfg.record())].reset_index(drop=True), rejects.reset_index(drop=True),
                       quality)


@dataclass
class Examination:
    """What cleaning a quarter would decide, found without a key and without writing anything
    (``quarterly-report check``)."""

    quarter: Quarter
    tables: list  # every table read (RawTable: shape, header mapping, row numbers)
    labels: dict[tuple[str, str | None], str]  # each table's label as outputs show it (identifiers masked)
    raw: pd.DataFrame  # the rows read, canonical columns (identifier columns as numbers, never texts)
    rejects: pd.DataFrame  # every dropped row with its reason, identifiers withheld
    quality: dict  # as quality.json: counts per file and reason, unknown optional values, date span, ...
    provinces: pd.DataFrame  # resolution of each distinct province spelling (resolve_provinces), by spelling
    marks: dict[str, pd.Series]  # each number column's decimal-mark evidence per source
    labels_kept: dict[str, dict[str, int]] = field(default_factory=dict)  # config/labels.yml's columns: label → rows


def examine_quarter(run: RunContext) -> Examination:
    """Read and validate the run's ``<raw>/<quarter>/`` exactly as :func:`clean_quarter` does, without
    pseudonymising: no key is needed and nothing is written. Unreadable files are listed in
    ``quality["skipped_files"]``."""
    q, cfg = run.quarter, run.config
    _, tables, skipped, not_read = read_files(run.folders.raw / q, cfg, skip_bad_files=True)
    stacked = stack(tables, skipped, not_read, cfg)
    raw = stacked.raw
    records, rejects, span, provinces = _kept_and_dropped(raw, q, stacked, cfg)
    redact.withhold(rejects, redact.origin_regions(cfg))
    rejects, quality = _accounted(raw, records, rejects, stacked.summaries, skipped, not_read, q, span,
                                  stacked, provinces, cfg)
    reviewed = list(cfg.load("labels")["reviewed"])
    redact.mask_columns(records, reviewed, redact.origin_regions(cfg))  # as a run would publish them
    kept = {column: {str(label): int(n) for label, n in records[column].value_counts().items() if n}
            for column in reviewed if column in records}
    return Examination(q, tables, stacked.labels, raw, rejects.reset_index(drop=True), quality, provinces,
                       stacked.marks, kept)


def write_clean(result: CleanResult, processed_dir: Path = PROCESSED_DIR) -> Path:
    """Write ``records.parquet``, ``rejects.csv`` (UTF-8 with BOM, opens in Excel, formulas neutralised:
    :mod:`helpers.csvfile`) and ``quality.json``; the partners' feedback is made from ``rejects.csv``
    (:mod:`helpers.clean.feedback`).

    Each file replaces the previous one only once it is completely written.
    """
    out = Path(processed_dir) / result.quarter
    out.mkdir(parents=True, exist_ok=True)
    # Row-group statistics for the quarter (lets DuckDB or Spark skip other quarters' files), dates and numbers
    # only: rows are in source order, so the min/max of another category or of a (random) pseudonym spans
    # nearly all values in every row group and would never let a reader skip one; computing them is a fifth
    # of the write.
    ranged = ["quarter", *(column for column, dtype in result.records.dtypes.items()
                           if not isinstance(dtype, pd.CategoricalDtype) and not pd.api.types.is_string_dtype(dtype))]
    # The rejects (pandas' CSV writer, in Python) are written while PyArrow, which releases the GIL, writes the
    # records on one core.
    with ThreadPoolExecutor(max_workers=1) as beside:
        rejects = beside.submit(write_csv, result.rejects, out / "rejects.csv", encoding="utf-8-sig")
        with replacing(out / "records.parquet") as tmp:
            result.records.to_parquet(tmp, index=False, write_statistics=ranged)
        rejects.result()
    with replacing(out / "quality.json") as tmp:
        tmp.write_text(json.dumps(result.quality, indent=2, ensure_ascii=False), encoding="utf-8")
    return out
