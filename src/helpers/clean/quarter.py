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

import dataclasses
import hashlib
import itertools
import json
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandera.pandas import DataFrameSchema

from helpers import config
from helpers.clean import normalise, redact, schema
from helpers.clean.provinces import resolve_provinces
from helpers.clean.pseudonymise import fingerprint, hashing, load_key
from helpers.clean.schema import raw_record_schema, violations
from helpers.csvfile import write_csv
from helpers.errors import (
    ConfigError,
    DataLossError,
    NoRecordsError,
    NoSourcesError,
    ReconciliationError,
    SourceReadError,
)
from helpers.ingest.readers import discover_sources, read_source
from helpers.kernels import arrow_by_code, by_code, categorical, coalesce, find_duplicates, narrow, tidy_categories
from helpers.paths import CONFIG_DIR, PROCESSED_DIR, RAW_DIR, Quarter, replacing

log = logging.getLogger(__name__)

SAMPLE_FILES = CONFIG_DIR / "sample-files.sha256"
"""SHA-256 of each data file of the bundled sample as ``python -m samplegen`` writes it (the demo key's files)."""

IDENTIFIER_COLUMNS = ["beneficiary_id", "household_id"]
RECORD_COLUMNS = [
    "quarter", "source", "row_number", "date", "province", "iso_code", "district", "site", "centre", "activity",
    "sector", "reach_type", "activity_detail", "beneficiary_id", "household_id", "household_size", "participants",
    "sex", "age", "age_group", "nationality", "population_group", "disability", "item", "quantity", "amount_try",
    "donor",
]
# A record identical on all of these to an earlier one is a duplicate (also across files). The columns derived
# from them (iso_code, centre, sector, reach_type, age_group) are equal whenever these are, so they are left out.
DERIVED_COLUMNS = ["iso_code", "centre", "sector", "reach_type", "age_group"]
DEDUPE_COLUMNS = [c for c in RECORD_COLUMNS if c not in ("quarter", "source", "row_number", *DERIVED_COLUMNS)]
FOLDED = {"date_of_birth": "age"}  # raw columns that live on inside a record column
CATEGORICAL_COLUMNS = ["quarter", "province", "iso_code", "district", "site", "centre", "activity", "sector",
                       "reach_type", "activity_detail", "sex", "nationality", "population_group", "item", "donor"]


@dataclass
class CleanResult:
    """The outcome of cleaning one quarter."""

    quarter: str
    records: pd.DataFrame
    rejects: pd.DataFrame
    quality: dict = field(default_factory=dict)


def _unique(names: list[str], masked: Callable[[str], str]) -> dict[str, str]:
    """Each name → its masked form, numbered (`` (2)``) where two distinct names mask alike."""
    result, taken = {}, set()
    for name in sorted(set(names)):
        label = base = masked(name)
        for n in itertools.count(2):
            if label not in taken:
                break
            label = f"{base} ({n})"
        result[name] = label
        taken.add(label)
    return result


def _source_labels(tables: list, skipped: list[dict], not_read: list[dict]) -> dict[tuple[str, str | None], str]:
    """The label of each table (``file [sheet]``) with identifiers in file and sheet names masked
    (:func:`redact.mask`): partners name files after people. Skipped and unread files get their labels in place.

    Every output (records, rejects, quality.json, the report) takes its source labels from here, so none shows a
    name the masking missed, and files or sheets that differ only in a masked part stay apart.
    """
    files = _unique([*(t.source for t in tables), *(f["source"] for f in [*skipped, *not_read])],
                    lambda name: redact.mask(name)[0])
    sheets = {}  # (file, sheet) -> the sheet's name masked, unique within its file
    for source in files:
        named = {t.sheet for t in tables if t.source == source} | {f["sheet"] for f in not_read
                                                                   if f["source"] == source}
        sheets.update({(source, sheet): masked for sheet, masked in
                       _unique([s for s in named if s is not None], lambda sheet: redact.mask(sheet)[0]).items()})
    for entry in [*skipped, *not_read]:
        if entry.get("sheet") is not None:
            entry["sheet"] = sheets[entry["source"], entry["sheet"]]
        entry["source"], entry["reason"] = files[entry["source"]], redact.mask(entry["reason"])[0]
    return {(source, sheet): files[source] if sheet is None else f"{files[source]} [{sheets[source, sheet]}]"
            for source, sheet in {(t.source, t.sheet) for t in tables}}


def _combine(tables: list, labels: dict[tuple[str, str | None], str]
             ) -> tuple[pd.DataFrame, dict[str, pa.Array], dict[str, pd.Series]]:
    """Stack the raw tables into one frame with every canonical column, blanks as NA, text as categories.

    Works on each table's dictionary (distinct values), never on per-row strings: values are stripped in
    the dictionaries, which are then unified across tables. Identifier columns hold numbers (NA: blank)
    standing for the texts returned beside the frame: millions of distinct ids never become pandas strings.
    Third: per column, the rows holding numbers typed into workbook cells (:attr:`RawTable.numbers`), if any.
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
    identifiers = {}
    for column in raw_columns():
        codes, dictionary = _stacked(column, tables)
        if column in IDENTIFIER_COLUMNS:
            raw[column] = pd.arrays.IntegerArray(codes.astype(np.int32), codes < 0)
            identifiers[column] = dictionary
        else:
            raw[column] = categorical(codes, pd.arrays.ArrowStringArray(dictionary), raw.index)
    typed = {column: pd.Series(np.concatenate([table.numbers.get(column, np.zeros(size, dtype=bool))
                                               for table, size in zip(tables, sizes, strict=True)]), index=raw.index)
             for column in raw_columns() if any(column in table.numbers for table in tables)}
    return raw, identifiers, typed


def raw_columns() -> list[str]:
    """The canonical raw columns (``columns.yml``), each of which the cleaner turns into a record column.

    A column configured without a rule here would be read and then silently lost: it is refused, naming it.
    """
    columns = config.columns()
    if unknown := [c for c in columns if c not in RECORD_COLUMNS and c not in FOLDED]:
        raise ConfigError(f"{config.shown(config.path('columns.yml'))}: columns.{unknown[0]}: the cleaner has no "
                          f"rule for this column, so its values would be lost; give it one in {__name__} "
                          "(RECORD_COLUMNS and _typed) or remove it")
    return columns


def _stacked(column: str, tables: list) -> tuple[np.ndarray, pa.Array]:
    """One canonical column of every table: codes (-1: blank) into one dictionary of stripped values.

    Identifiers are also upper-cased here (:func:`normalise.id_texts`), so ``tr-1`` and ``TR-1`` are one value.
    """
    identifier = column in IDENTIFIER_COLUMNS
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


def _province_lookup(raw: pd.Series) -> pd.DataFrame:
    """Resolution of each distinct raw province spelling, indexed by the spelling."""
    distinct = raw.dropna().unique()
    threshold = config.setting("province_match_threshold")
    return resolve_provinces(pd.Series(distinct, dtype="string"), threshold=threshold).set_index("value")


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


def _typed(raw: pd.DataFrame, provinces: pd.DataFrame, catalogue: pd.DataFrame, quarter: str,
           marks: dict[str, pd.Series], typed: dict[str, pd.Series], orders: dict[str, pd.Series]) -> pd.DataFrame:
    """Normalise validated raw rows into typed canonical records (identifiers still numbers, see :func:`_combine`).

    Text columns are built as categoricals from the distinct raw values, never as per-row strings. Numbers are
    read with the decimal-mark evidence ``marks`` of the whole quarter (:func:`_number_marks`), numbers typed
    into workbook cells (``typed``) as they are; dates with the day/month ``orders`` of :func:`_date_orders`.
    An optional coded value outside its vocabulary is unknown (NA).
    """
    bounds = schema.number_bounds()

    def number(column: str) -> pd.Series:
        return normalise.parse_numbers(raw[column], raw["source"], bounds.get(column, normalise.Bounds()),
                                       marks[column], typed.get(column))

    date = normalise.parse_dates(raw["date"], raw["source"], orders["date"])
    age = normalise.age_in_range(number("age"))
    birth = normalise.parse_dates(raw["date_of_birth"], raw["source"], orders["date_of_birth"])
    derive = (age.isna() & birth.notna()).to_numpy()  # age from the date of birth only where it is missing
    age[derive] = normalise.age_in_range(normalise.age_from_birth(birth[derive], date[derive]))
    activity = normalise.activity_codes(raw["activity"], catalogue, "category")
    beneficiary = raw["beneficiary_id"]
    site = normalise.collapse_spaces(raw["site"], "category")
    nationality = normalise.parse_nationality(raw["nationality"], "category")
    records = pd.DataFrame(
        {
            "quarter": categorical(np.zeros(len(raw), dtype=np.int8), [quarter], raw.index),
            "source": raw["source"],
            "row_number": raw["row_number"],
            "date": date,
            "province": _lookup(raw["province"], provinces["province"]),
            "iso_code": _lookup(raw["province"], provinces["iso_code"]),
            "district": normalise.collapse_spaces(raw["district"], "category"),
            "site": site,
            "centre": normalise.map_distinct(site, lambda v: v.split(" - ", 1)[0].strip(), "category"),
            "activity": activity,
            "sector": _lookup(activity, catalogue["sector"]),
            "reach_type": _per_record_reach(_lookup(activity, catalogue["reach_type"]), beneficiary.notna()),
            "activity_detail": normalise.collapse_spaces(raw["activity_detail"], "category"),
            "beneficiary_id": beneficiary,
            "household_id": raw["household_id"],
            "household_size": normalise.whole(number("household_size")),
            "participants": normalise.whole(number("participants")),
            "sex": coalesce(normalise.parse_sex(raw["sex"], "category"), default="unknown"),
            "age": normalise.whole(age),
            "age_group": normalise.age_groups(age),
            "nationality": nationality,
            "population_group": normalise.derive_population_group(
                normalise.parse_population_group(raw["population_group"], "category"), nationality
            ),
            "disability": normalise.parse_yes_no(raw["disability"]),
            "item": normalise.normalise_items(raw["item"], config.load("items")["synonyms"], "category"),
            "quantity": number("quantity"),
            "amount_try": number("amount_try"),
            "donor": normalise.collapse_spaces(raw["donor"], "category"),
        },
        index=raw.index,
        copy=False,
    )
    for column in CATEGORICAL_COLUMNS:
        records[column] = tidy_categories(records[column])
    return records


def _reject_table(raw: pd.DataFrame, bad: pd.DataFrame, provinces: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows as the analyst needs them: where, why, which column, which value (identifiers masked)."""
    value = bad["value"].astype("object")
    value = value.where(~bad["column"].isin(IDENTIFIER_COLUMNS) | value.isna(), "(identifier withheld)")
    detail = pd.Series([a if pd.isna(h) else h if pd.isna(a) else f"{h}; {a}"
                        for h, a in zip(bad["hint"], bad["also"], strict=True)], index=bad.index, dtype="object")
    unknown = (bad["reason"] == "unknown_province") & bad["value"].notna()
    hints = [provinces.at[v, "hint"] if v in provinces.index else "no close province"
             for v in bad.loc[unknown, "value"]]
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


def reconcile(raw: pd.DataFrame, records: pd.DataFrame, rejects: pd.DataFrame, skipped: list[dict]) -> dict:
    """Count rows per source and in total; raise :class:`ReconciliationError` if any row is unaccounted for.

    Totals rows never reach ``raw``: they are counted as read from their lines in ``rejects``.
    """
    kinds = config.drop_kinds()
    summaries = rejects.loc[rejects["reason"] == "summary_row", "source"].value_counts()
    read = raw.groupby("source", observed=True).size().add(summaries, fill_value=0).rename("rows_read")
    kept = records.groupby("source", observed=True).size().rename("rows_kept")
    dropped = rejects.assign(kind=rejects["reason"].where(rejects["reason"].isin(config.dropped_reasons()), "rejected"))
    by_kind = dropped.pivot_table(index="source", columns="kind", values="row_number", aggfunc="size", fill_value=0)
    by_reason = rejects[~rejects["reason"].isin(config.dropped_reasons())].pivot_table(
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
    totals["by_reason"] = {r: int(reasons.get(r, 0)) for r in [*config.dropped_reasons(), *config.reject_reasons()]}
    n = max(len(records), 1)
    completeness = {
        "sex": round(float((records["sex"] != "unknown").sum() / n), 4),
        "age": round(float(records["age"].notna().sum() / n), 4),
        "population_group": round(float((records["population_group"] != "unknown").sum() / n), 4),
    }
    return {"totals": totals, "files": files, "skipped_files": skipped, "completeness": completeness,
            "unknown_values": normalise.unrecognised_values(raw, records.index)}


def _read_all(sources: list[Path], folder: Path) -> list:
    """Each source's tables, or the :class:`SourceReadError` it raised, in source order.

    Files are read side by side: Arrow parses each one on every core, and a second file keeps the cores busy
    while the first goes through its single-threaded steps (decoding, unifying dictionaries).
    """
    def attempt(path: Path):
        try:
            return read_source(path, folder)
        except SourceReadError as error:
            return error

    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        return list(pool.map(attempt, sources))


def is_sample(folder: Path) -> bool:
    """True when ``folder`` holds the bundled, generated sample (it runs with the public demo key)."""
    return sample_check(Path(folder))[0]


def sample_check(folder: Path) -> tuple[bool, str]:
    """Whether ``folder`` is the generated sample, and if a manifest is there but does not match, why not.

    The folder is the sample only when it has the sample's manifest and the files the cleaner would read are
    exactly the bundled sample's files, byte for byte, as listed in the repository's ``SAMPLE_FILES``. The
    manifest is only a marker: it sits beside the files it would vouch for, so a copied or edited manifest
    never switches real files to the public demo key.
    """
    marker = folder / config.setting("sample_marker")
    if not marker.is_file():
        return False, ""
    mismatch = f"{marker.name} does not match the files: real data needs a key"
    expected = sample_files()
    present = {path.relative_to(folder).as_posix(): path for path in discover_sources(folder)}
    if set(present) != set(expected):
        return False, mismatch
    for name, path in present.items():
        with path.open("rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() != expected[name]:
                return False, mismatch
    return True, ""


def sample_files() -> dict[str, str]:
    """The bundled sample's data files (relative path → SHA-256), from ``SAMPLE_FILES`` (``sha256sum`` format)."""
    lines = SAMPLE_FILES.read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if line.strip())}


def _date_span(dates: pd.Series) -> dict:
    """Where the valid rows' dates lie: the central 99 % (a few mistyped dates do not stretch it)."""
    dates = dates.dropna()
    if dates.empty:
        return {"first": None, "last": None}
    return {"first": dates.quantile(0.005, interpolation="lower").date().isoformat(),
            "last": dates.quantile(0.995, interpolation="higher").date().isoformat()}


def _covers(span: dict, q: Quarter) -> bool:
    """True when the files' date span covers at least ``min_quarter_coverage`` of the quarter's days."""
    if span.get("first") is None:
        return False
    first = max(pd.Timestamp(span["first"]).date(), q.start)
    last = min(pd.Timestamp(span["last"]).date(), q.end)
    days = (q.end - q.start).days + 1
    return (last - first).days + 1 >= config.setting("min_quarter_coverage") * days


def _share(part: int, whole: int) -> str:
    return f"{part:,} of {whole:,} rows ({100 * part / whole:.1f} %)"


def losses(quality: dict) -> list[str]:
    """One line per sign that the quarter's data look wrong (``docs/losses.md``); empty when they look right.

    - More than ``max_rejected_share`` of the rows read were rejected.
    - More than ``max_out_of_period_share`` of the rows read are dated outside the quarter, *and* the files'
      dates (their central 99 %) cover less than ``min_quarter_coverage`` of the quarter's days. This tells
      last quarter's files put in the wrong folder (their dates stop before the quarter starts) from exports
      that rightly span many quarters, a Kobo form's whole history or a yearly ActivityInfo export, whose
      dates run across the quarter.
    """
    q = Quarter.parse(quality["quarter"])
    totals, span = quality["totals"], quality.get("dates", {})
    read = totals["rows_read"]
    found = []
    if read and totals["rejected"] / read > (limit := config.setting("max_rejected_share")):
        reasons = sorted(((n, r) for r, n in totals["by_reason"].items() if n and r not in config.dropped_reasons()),
                         reverse=True)
        found.append(f"{q}: {_share(totals['rejected'], read)} were rejected "
                     f"({', '.join(f'{n:,} {r}' for n, r in reasons[:3])}), more than the {100 * limit:g} % "
                     "allowed (max_rejected_share)")
    if read and totals["out_of_period"] / read > config.setting("max_out_of_period_share") and not _covers(span, q):
        where = (f"the files' dates run from {span['first']} to {span['last']}" if span.get("first")
                 else "no row has a valid date")
        found.append(f"{q}: {_share(totals['out_of_period'], read)} are dated outside {q.label}; {where}")
    return found


def stop_on_losses(result: CleanResult, *, accept: bool = False) -> list[str]:
    """Raise :class:`DataLossError` when the quarter's data look wrong (see :func:`losses`), unless ``accept``;
    the accepted losses are recorded in ``quality.json`` (``accepted_losses``) and the report says so.

    A quarter with no row kept stops even when losses are accepted: there is nothing to report.
    """
    found = losses(result.quality)
    totals = result.quality["totals"]
    if not totals["rows_kept"]:
        reasons = ", ".join(f"{n:,} {r}" for r, n in totals["by_reason"].items() if n)
        why = [line.removeprefix(f"{result.quarter}: ") for line in found] or [f"{reasons or 'no row'} of "
                                                                                 f"{totals['rows_read']:,} read"]
        raise NoRecordsError(f"{result.quarter}: no row kept, nothing to report: {'; '.join(why)}")
    if found and not accept:
        lines = [found[0], *(line.removeprefix(f"{result.quarter}: ") for line in found[1:])]
        raise DataLossError(f"{'; '.join(lines)}; run with --accept-losses to publish anyway")
    for line in found:
        log.warning("losses accepted: %s", line)
    result.quality["accepted_losses"] = found
    return found


def _contract(provinces: pd.DataFrame, catalogue: pd.DataFrame,
              marks: dict[str, pd.Series] | None = None, typed: dict[str, pd.Series] | None = None,
              orders: pd.Series | None = None) -> DataFrameSchema:
    """The raw-log contract for this quarter's province spellings (see :func:`_province_lookup`), decimal
    marks (see :func:`_number_marks`) and date orders (see :func:`_date_orders`)."""
    return raw_record_schema(
        known_province=lambda s: s.map(provinces["province"]).notna(),
        reach_type=_reach_type_of(catalogue),
        marks=marks,
        typed=typed,
        orders=orders,
    )


def _per_file(evidence: pd.Series, labels: dict[tuple[str, str | None], str]) -> pd.Series:
    """Evidence by source label, pooled over the sheets of one workbook: a tracker's month sheets are typed by the
    same people the same way, so ``2.000,00 TL`` on the April sheet settles ``1.500`` on the May sheet. Sheets that
    disagree pool into conflicting evidence, under which a value that reads two ways is rejected, never guessed."""
    file_of = {label: source for (source, _), label in labels.items()}
    keys = evidence.index.map(lambda label: file_of.get(label, label))
    return evidence.groupby(keys).transform(lambda bits: np.bitwise_or.reduce(bits.to_numpy())).astype(np.int8)


def _number_marks(raw: pd.DataFrame, typed: dict[str, pd.Series], labels: dict[tuple[str, str | None], str]
                  ) -> dict[str, pd.Series]:
    """Each number column's decimal-mark evidence per source, from all its rows (a rejected row still shows
    how its file writes numbers) except numbers typed into workbook cells, pooled per file (:func:`_per_file`)."""
    return {column: _per_file(normalise.decimal_marks(raw[column], raw["source"], typed.get(column)), labels)
            for column in [*schema.number_bounds(), "age"]}


def _date_orders(raw: pd.DataFrame, tables: list, labels: dict[tuple[str, str | None], str]) -> dict[str, pd.Series]:
    """Each date column's day/month order evidence per source (:func:`normalise.date_orders`), from all its rows
    and the format its header states (``Date (mm/dd/yyyy)``, :attr:`RawTable.notes`), pooled per file."""
    orders = {}
    for column in ("date", "date_of_birth"):
        shown = normalise.date_orders(raw[column], raw["source"])
        written = pd.Series([normalise.written_order(table.notes.get(column, "")) for table in tables],
                            index=[labels[table.source, table.sheet] for table in tables], dtype=np.int8)
        written = written.groupby(level=0).agg(lambda bits: np.bitwise_or.reduce(bits.to_numpy()))
        orders[column] = _per_file(shown | written.reindex(shown.index, fill_value=0).astype(np.int8), labels)
    return orders


def _kept_and_dropped(raw: pd.DataFrame, q: Quarter, typed: dict[str, pd.Series], orders: dict[str, pd.Series],
                      marks: dict[str, pd.Series]) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Validate, normalise and drop out-of-period and duplicate rows: the kept records (identifiers still
    numbers), one table of every dropped row with its reason, and the valid rows' date span."""
    catalogue = config.activities()
    provinces = _province_lookup(raw["province"])
    bad = violations(raw, _contract(provinces, catalogue, marks, typed, orders["date"]))
    rejected = _reject_table(raw, bad, provinces)
    valid = raw.drop(index=bad.index)

    records = _typed(valid, provinces, catalogue, str(q), marks, typed, orders)
    span = _date_span(records["date"])
    outside = ((records["date"] < pd.Timestamp(q.start)) | (records["date"] > pd.Timestamp(q.end))).to_numpy()
    out_of_period = _dropped_rows(raw, records.index[outside], "out_of_period")
    # The date is part of a duplicate's key, so a row in the quarter can only repeat a row in the quarter:
    # finding duplicates among all valid rows and dropping them after the out-of-period ones gives the same.
    duplicated, original = find_duplicates(records[DEDUPE_COLUMNS])
    original = original[~outside[duplicated]]
    duplicated &= ~outside
    detail = ("same as " + raw.loc[original, "source"].astype(str).to_numpy() + " row "
              + raw.loc[original, "row_number"].astype(str).to_numpy())
    duplicates = _dropped_rows(raw, records.index[duplicated], "duplicate",
                               pd.Series(detail, index=records.index[duplicated]))
    records = records[~(outside | duplicated)]
    return records, pd.concat([rejected, out_of_period, duplicates]).sort_index(), span


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


def read_files(folder: Path, *, skip_bad_files: bool = False) -> tuple[list[Path], list, list[dict], list[dict]]:
    """Every raw file of a quarter's folder read: the sources, their tables, the unreadable files skipped (each
    with its reason) and the parts left unread; raise on an unreadable file unless ``skip_bad_files``."""
    sources = discover_sources(folder) if folder.is_dir() else []
    if not sources:
        raise NoSourcesError(f"no .csv or .xlsx files in {folder}")
    tables, skipped, not_read = [], [], []
    for read in _read_all(sources, folder):
        if isinstance(read, SourceReadError):
            if not skip_bad_files:
                raise read
            log.warning("skipped %s: %s", redact.mask(read.source)[0], redact.mask(read.reason)[0])
            skipped.append({"source": str(read.source), "reason": read.reason})
        else:
            tables.extend(read)
            not_read.extend(dataclasses.asdict(part) for part in read.not_read)
    return sources, tables, skipped, not_read


@dataclass
class _Stacked:
    """A quarter's tables stacked under masked, unique source labels (:func:`_source_labels`)."""

    raw: pd.DataFrame  # canonical columns, identifiers as numbers (see :func:`_combine`)
    identifiers: dict[str, pa.Array]  # the identifier texts behind those numbers
    typed: dict[str, pd.Series]  # per column, the rows typed as numbers into workbook cells
    orders: dict[str, pd.Series]  # each date column's day/month order evidence per source
    marks: dict[str, pd.Series]  # each number column's decimal-mark evidence per source
    summaries: pd.DataFrame  # the totals rows, as lines of the rejects table
    labels: dict[tuple[str, str | None], str]  # (file, sheet) -> label


def _stack(tables: list, skipped: list[dict], not_read: list[dict]) -> _Stacked:
    labels = _source_labels(tables, skipped, not_read)
    raw, identifiers, typed = _combine(tables, labels)
    return _Stacked(raw, identifiers, typed, _date_orders(raw, tables, labels), _number_marks(raw, typed, labels),
                    _summary_rejects(tables, labels), labels)


def _accounted(raw: pd.DataFrame, records: pd.DataFrame, rejects: pd.DataFrame, summaries: pd.DataFrame,
               skipped: list[dict], not_read: list[dict], q: Quarter, span: dict) -> tuple[pd.DataFrame, dict]:
    """Every dropped row (totals rows joined) and the quality counts, reconciled (:func:`reconcile`)."""
    rejects = pd.concat([rejects, summaries]) if len(summaries) else rejects  # a totals word: never an identifier
    quality = reconcile(raw, records, rejects, skipped)
    quality["not_read"] = not_read
    quality["quarter"] = str(q)
    quality["dates"] = span
    return rejects, quality


def clean_quarter(quarter: str, raw_dir: Path = RAW_DIR, *, skip_bad_files: bool = False) -> CleanResult:
    """Clean ``<raw_dir>/<quarter>/``; raise on unreadable files unless ``skip_bad_files``."""
    q = Quarter.parse(quarter)
    raw_columns()  # a configured column the cleaner cannot keep stops the run before anything is read
    folder = Path(raw_dir) / str(q)
    sample, not_sample = sample_check(folder) if folder.is_dir() else (False, "")
    key = load_key(config.setting_path("key_file"), sample=sample, not_sample=not_sample)
    sources, tables, skipped, not_read = read_files(folder, skip_bad_files=skip_bad_files)
    stacked = _stack(tables, skipped, not_read)
    raw = stacked.raw
    log.info("read %s rows from %s tables in %s files", f"{len(raw):,}", len(tables), len(sources))
    del tables  # the raw frame holds everything now; frees the Arrow copies before the heavier steps
    with hashing(stacked.identifiers, key) as hashed:  # identifiers are hashed meanwhile (on another core)
        records, rejects, span = _kept_and_dropped(raw, q, stacked.typed, stacked.orders, stacked.marks)
        # Identifiers typed into free text are masked in the kept records (after duplicates are found: two notes
        # differing only by a phone number are two records) and withheld from the rejects.
        masked = {"records": redact.mask_columns(records, redact.free_text_columns()),
                  "rejects": redact.withhold(rejects)}
        for column in IDENTIFIER_COLUMNS:
            codes = records[column].to_numpy(dtype=np.int64, na_value=-1)
            records[column] = pd.arrays.ArrowStringArray(arrow_by_code(hashed[column](), codes))

    rejects, quality = _accounted(raw, records, rejects, stacked.summaries, skipped, not_read, q, span)
    quality["sample"] = sample
    quality["masked_identifiers"] = masked
    quality["key_fingerprint"] = fingerprint(key)
    return CleanResult(str(q), records[RECORD_COLUMNS].reset_index(drop=True), rejects.reset_index(drop=True), quality)


@dataclass
class Examination:
    """What cleaning a quarter would decide, found without a key and without writing anything
    (``quarterly-report check``)."""

    quarter: str
    tables: list  # every table read (RawTable: shape, header mapping, row numbers)
    labels: dict[tuple[str, str | None], str]  # each table's label as outputs show it (identifiers masked)
    raw: pd.DataFrame  # the rows read, canonical columns (identifier columns as numbers, never texts)
    rejects: pd.DataFrame  # every dropped row with its reason, identifiers withheld
    quality: dict  # as quality.json: counts per file and reason, unknown optional values, date span, ...
    provinces: pd.DataFrame  # resolution of each distinct province spelling (resolve_provinces), by spelling
    marks: dict[str, pd.Series]  # each number column's decimal-mark evidence per source
    labels_kept: dict[str, dict[str, int]] = field(default_factory=dict)  # config/labels.yml's columns: label → rows


def examine_quarter(quarter: str, raw_dir: Path = RAW_DIR) -> Examination:
    """Read and validate ``<raw_dir>/<quarter>/`` exactly as :func:`clean_quarter` does, without pseudonymising:
    no key is needed and nothing is written. Unreadable files are listed in ``quality["skipped_files"]``."""
    q = Quarter.parse(quarter)
    _, tables, skipped, not_read = read_files(Path(raw_dir) / str(q), skip_bad_files=True)
    stacked = _stack(tables, skipped, not_read)
    raw = stacked.raw
    records, rejects, span = _kept_and_dropped(raw, q, stacked.typed, stacked.orders, stacked.marks)
    redact.withhold(rejects)
    rejects, quality = _accounted(raw, records, rejects, stacked.summaries, skipped, not_read, q, span)
    redact.mask_columns(records, list(config.load("labels")["reviewed"]))  # as a run would publish them
    kept = {column: {str(label): int(n) for label, n in records[column].value_counts().items() if n}
            for column in config.load("labels")["reviewed"] if column in records}
    return Examination(str(q), tables, stacked.labels, raw, rejects.reset_index(drop=True), quality,
                       _province_lookup(raw["province"]), stacked.marks, kept)


def write_clean(result: CleanResult, processed_dir: Path = PROCESSED_DIR) -> Path:
    """Write ``records.parquet``, ``rejects.csv`` (UTF-8 with BOM, opens in Excel, formulas neutralised:
    :mod:`helpers.csvfile`) and ``quality.json``.

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
    with replacing(out / "records.parquet") as tmp:
        result.records.to_parquet(tmp, index=False, write_statistics=ranged)
    write_csv(result.rejects, out / "rejects.csv", encoding="utf-8-sig")
    with replacing(out / "quality.json") as tmp:
        tmp.write_text(json.dumps(result.quality, indent=2, ensure_ascii=False), encoding="utf-8")
    return out
