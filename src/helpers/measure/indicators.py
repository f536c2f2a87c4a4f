"""Compute the quarter's indicators from ``config/indicators.yml`` over the cleaned records.

Every measure works on integer category codes with NumPy (the kernels of :mod:`helpers.kernels`), never row by
row, so the same code serves the bundled sample and a national quarter of ten million records.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.clean import measures, totals
from helpers.config import Configuration
from helpers.context import RunContext
from helpers.csvfile import read_csv, write_csv
from helpers.errors import UnknownLookupError, UnpublishedDimensionError
from helpers.kernels import CORES, by_code, cells, codes_of, distinct_per, largest_per, narrow, occurring, sum_per
from helpers.measure import across
from helpers.paths import PROCESSED_DIR, Quarter, quarter_folders
from helpers.text import nearest

log = logging.getLogger(__name__)

COLUMNS = ["quarter", "indicator", "dimension", "category", "value"]
CROSS = "+"
CROSS_LABEL = " | "


@dataclass(frozen=True)
class Dimension:
    """Category codes of every record for one dimension (-1: record not counted in this dimension)."""

    codes: np.ndarray
    labels: list[str]

    @property
    def size(self) -> int:
        return len(self.labels)


def _column_codes(records: pd.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
    values = records[column]
    if not isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype("category")
    return values.cat.codes.to_numpy(), [str(c) for c in values.cat.categories]


def dimension(records: pd.DataFrame, name: str) -> Dimension:
    """Codes for ``total``, a record column, or ``a+b`` (two columns crossed)."""
    if name == "total":
        return Dimension(np.zeros(len(records), dtype=np.int8), ["all"])
    parts = [_column_codes(records, column) for column in name.split(CROSS)]
    codes, labels = parts[0]
    for more_codes, more_labels in parts[1:]:
        width = len(more_labels)
        combined = cells(codes, more_codes, width, len(labels) * width)
        present = occurring(combined, len(labels) * width)
        used = np.flatnonzero(present)  # the pairs that occur, in order
        codes = by_code(narrow(np.cumsum(present) - 1, len(used)), combined, -1)
        labels = [f"{labels[u // width]}{CROSS_LABEL}{more_labels[u % width]}" for u in used]
    return Dimension(codes, labels)


def _filter_mask(records: pd.DataFrame, where: dict | None) -> np.ndarray:
    mask = np.ones(len(records), dtype=bool)
    for column, allowed in (where or {}).items():
        values, allowed = records[column], [str(a) for a in allowed]
        if isinstance(values.dtype, pd.CategoricalDtype):  # compare the few categories, then look up the codes
            mask &= by_code(values.cat.categories.astype(str).isin(allowed), values.cat.codes.to_numpy(), False)
        else:
            mask &= values.astype("string").isin(allowed).fillna(False).to_numpy(dtype=bool)
    return mask


class Records:
    """Cleaned records prepared once for all measures: codes, numbers, dimensions and selections of rows.

    Everything is computed on first use and kept: each dimension's codes, the rows matching a filter, and
    those rows sorted by an identifier. A measure then only gathers codes for its rows (no pass over all
    records per dimension), which is what keeps a quarter of ten million records fast. Safe to share between
    threads: each item is computed by one thread while the others wait for it.
    """

    def __init__(self, records: pd.DataFrame):
        self.frame = records
        self.sector, self.sectors = _column_codes(records, "sector")
        self._cache: dict[tuple, object] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()

    def _once(self, key: tuple, make):
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._cache:
                self._cache[key] = make()
        return self._cache[key]

    def codes(self, column: str) -> np.ndarray:
        """Integer codes of a column (-1: missing)."""
        return self._once(("codes", column), lambda: codes_of(self.frame[column]))

    def number(self, column: str) -> np.ndarray:
        """A numeric column as float64 (NaN: missing)."""
        return self._once(("number", column),
                          lambda: self.frame[column].astype("float64").to_numpy(na_value=np.nan))

    def dimension(self, name: str) -> Dimension:
        return self._once(("dimension", name), lambda: dimension(self.frame, name))

    def rows(self, where: dict | None, reach_type: str | None = None) -> np.ndarray:
        """Positions of the records matching the filter ``where`` (and of ``reach_type``, when given)."""
        where = _narrowed(where, reach_type)
        return self._once(("rows", _key(where)), lambda: np.flatnonzero(_filter_mask(self.frame, where)))

    def by_id(self, column: str, where: dict | None, reach_type: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The :meth:`rows` that have a value in ``column``, sorted by it (stable), and their codes."""
        where = _narrowed(where, reach_type)

        def make() -> tuple[np.ndarray, np.ndarray]:
            rows = self.rows(where)
            ids = self.codes(column)[rows]
            rows, ids = rows[ids >= 0], ids[ids >= 0]
            order = np.argsort(ids, kind="stable")
            return rows[order], ids[order]

        return self._once(("by_id", column, _key(where)), make)

    def cells(self, dim: Dimension, rows: np.ndarray) -> np.ndarray:
        """Code of each row's (sector, category) cell, -1 where either is missing."""
        return cells(self.sector[rows], dim.codes[rows], dim.size, len(self.sectors) * dim.size)

    def reach_matrix(self, dim_name: str, where: dict | None) -> np.ndarray:
        """Reach per sector (rows) and category (columns) among the records matching ``where``."""
        def make() -> np.ndarray:
            dim = self.dimension(dim_name)
            n_cells = len(self.sectors) * dim.size
            rows, ids = self.by_id("beneficiary_id", where, "individual")
            individual = distinct_per(self.cells(dim, rows), ids, n_cells)
            rows, ids = self.by_id("household_id", where, "household")
            households = largest_per(self.cells(dim, rows), ids, self.number("household_size")[rows], n_cells)
            rows = self.rows(where, "group")
            groups = sum_per(self.cells(dim, rows), self.number("participants")[rows], n_cells)
            return (individual + households + groups).reshape(len(self.sectors), dim.size)

        # Reach counts individual, household and group records only, so filters that select the same such
        # records (none, or all three reach types) share one result.
        selection = tuple(_key(_narrowed(where, kind)) for kind in ("individual", "household", "group"))
        return self._once(("reach", dim_name, selection), make)


def _narrowed(where: dict | None, reach_type: str | None) -> dict:
    """The filter ``where`` further limited to one reach type (the same selection, however it was written)."""
    where = dict(where or {})
    if reach_type is not None:
        allowed = [str(t) for t in where.get("reach_type", [reach_type])]
        where["reach_type"] = [reach_type] if reach_type in allowed else []
    return where


def _key(where: dict) -> str:
    return json.dumps(where, sort_keys=True, default=str)


def _measure(data: Records, spec: dict, dim_name: str) -> np.ndarray:
    measure, dim, where = spec["measure"], data.dimension(dim_name), spec.get("filter")
    if measure == "reach":
        return data.reach_matrix(dim_name, where).sum(axis=0)
    if measure == "records":
        d = dim.codes[data.rows(where)]
        return np.bincount(d[d >= 0], minlength=dim.size)
    if measure == "distinct":
        rows, ids = data.by_id(spec["column"], where)
        return distinct_per(dim.codes[rows], ids, dim.size)
    if measure == "household_people":
        rows, ids = data.by_id("household_id", where)
        return largest_per(dim.codes[rows], ids, data.number("household_size")[rows], dim.size)
    if measure == "sum":
        rows = data.rows(where)
        return sum_per(dim.codes[rows], data.number(spec["column"])[rows], dim.size)
    if measure == "trained":
        rows, ids = data.by_id("beneficiary_id", where)
        everyone = data.rows(where)
        return (distinct_per(dim.codes[rows], ids, dim.size)
                + sum_per(dim.codes[everyone], data.number("participants")[everyone], dim.size))
    raise ValueError(f"indicator {spec['id']}: unknown measure {measure!r}")


QUARTER_MEASURES = ("reach_max", "covered", "year_to_date", "since_start")


def _rows(quarter: Quarter, spec: dict, dim_name: str, labels: list[str], values: np.ndarray) -> pd.DataFrame:
    fixed = ["all"] if dim_name == "total" else [str(c) for c in spec.get("categories", {}).get(dim_name, [])]
    frame = pd.DataFrame({"category": labels, "value": np.asarray(values, dtype="float64")})
    frame = frame[(frame["value"] != 0) | frame["category"].isin(fixed)]
    missing = [c for c in fixed if c not in set(frame["category"])]
    frame = pd.concat([frame, pd.DataFrame({"category": missing, "value": 0.0})], ignore_index=True)
    order = {c: i for i, c in enumerate(fixed)}
    frame = frame.assign(_fixed=frame["category"].map(order).fillna(len(order)))
    frame = frame.sort_values(["_fixed", "value", "category"], ascending=[True, False, True], kind="stable")
    return frame.assign(quarter=str(quarter), indicator=spec["id"], dimension=dim_name)[COLUMNS]


def _quarter_value(data: Records, spec: dict, reached: float, history: pd.DataFrame | None, q: Quarter,
                   headline: str) -> float:
    """Measures of the quarter as a whole: sum of provincial maxima, provinces covered, cumulative totals."""
    measure = spec["measure"]
    if measure in ("year_to_date", "since_start"):
        return _cumulative(history, q, reached, headline, year_only=measure == "year_to_date")
    by_province = data.reach_matrix("province", spec.get("filter"))
    if measure == "reach_max":
        return float(by_province.max(axis=0).sum()) if by_province.size else 0.0
    return float((by_province.sum(axis=0) > 0).sum())


def compute_indicators(records: pd.DataFrame, q: Quarter, cfg: Configuration, history: pd.DataFrame | None = None
                       ) -> pd.DataFrame:
    """All indicators of ``cfg``'s ``indicators.yml`` for quarter ``q``, in the long format of the contract.

    ``history`` (quarter, headline total: :func:`load_history`) holds earlier quarters for the year-to-date and
    since-start totals.
    """
    data = Records(records)
    specs = [s for s in cfg.indicators() if s["measure"] not in across.MEASURES]
    tasks = [(spec, dim_name) for spec in specs if spec["measure"] not in QUARTER_MEASURES
             for dim_name in spec["dimensions"]]
    # NumPy releases the GIL in its sorts, gathers and arithmetic, so measures run side by side on every core.
    with ThreadPoolExecutor(max_workers=CORES) as pool:
        list(pool.map(data.codes, ["beneficiary_id", "household_id"]))  # the two costliest inputs, side by side
        values = dict(zip(((spec["id"], dim_name) for spec, dim_name in tasks),
                          pool.map(lambda task: _measure(data, *task), tasks), strict=True))
    headline = cfg.headline()
    reached = float(values[(headline, "total")].sum())  # this quarter's headline total
    out = []
    for spec in specs:
        if spec["measure"] in QUARTER_MEASURES:
            value = _quarter_value(data, spec, reached, history, q, headline)
            out.append(_rows(q, spec, "total", ["all"], np.array([value])))
            continue
        for dim_name in spec["dimensions"]:
            out.append(_rows(q, spec, dim_name, data.dimension(dim_name).labels, values[spec["id"], dim_name]))
    result = pd.concat(out, ignore_index=True)
    result["value"] = result["value"].round(2)
    return result


REACH_COLUMNS = ["sector", "reach_type", "beneficiary_id", "household_id", "household_size", "participants", "province"]


def needed_columns(specs: list[dict]) -> list[str]:
    """The record columns the indicators use: the reach inputs and every dimension, filter and measured column."""
    columns = dict.fromkeys(REACH_COLUMNS)
    for spec in specs:
        for name in spec.get("dimensions", []):
            columns.update(dict.fromkeys(part for part in name.split(CROSS) if part != "total"))
        columns.update(dict.fromkeys(spec.get("filter") or {}))
        if "column" in spec:
            columns[spec["column"]] = None
    return list(columns)


def _cumulative(history: pd.DataFrame | None, q: Quarter, reached: float, headline: str, *, year_only: bool
                ) -> float:
    """This quarter's total plus earlier quarters on record (this year only for year-to-date)."""
    if history is None or history.empty:
        return reached
    quarters = history["quarter"].map(Quarter.parse)
    earlier = quarters.map(lambda x: x < q and (not year_only or x.year == q.year)).astype(bool)
    return reached + float(history.loc[earlier, headline].sum())


def load_history(quarter: Quarter, cfg: Configuration, processed_dir: Path = PROCESSED_DIR,
                 earlier_dir: Path | None = None) -> pd.DataFrame:
    """Quarterly totals on record, except ``quarter`` itself: the published totals as the quarter's cleaning
    checked them (``<processed_dir>/<quarter>/published-totals.csv``, :mod:`helpers.clean.totals`), overridden
    by the quarters processed in ``earlier_dir`` (default ``processed_dir``). Nothing is read from raw data.

    Columns ``quarter``, the headline indicator's id (``people_reached``: :meth:`Configuration.headline`),
    ``source`` (``published`` or ``pipeline``).
    """
    q, headline, frames = str(quarter), cfg.headline(), []
    checked = Path(processed_dir) / q / totals.name(cfg)
    if not checked.is_file():
        raise FileNotFoundError(f"{checked} is missing: the clean step (01_clean) writes it; run it first")
    published = read_csv(checked, dtype={"quarter": "string"})
    if len(published):
        frames.append(published[["quarter", headline]].assign(source="published"))
    for name, folder in quarter_folders(earlier_dir or processed_dir, "indicators.csv").items():
        table = pd.read_csv(folder / "indicators.csv", dtype={"quarter": "string", "category": "string"})
        total = table[(table["indicator"] == headline) & (table["dimension"] == "total")]
        if set(total["quarter"]) != {name}:  # a copy of another quarter's folder: its files say otherwise
            log.warning("%s holds figures of %s, not of %s: ignored", folder,
                        ", ".join(sorted(map(str, set(total["quarter"])))) or "no quarter", name)
            continue
        frames.append(total[["quarter", "value"]].rename(columns={"value": headline}).assign(source="pipeline"))
    if not frames:
        return pd.DataFrame(columns=["quarter", headline, "source"])
    history = pd.concat(frames, ignore_index=True)
    for other in history["quarter"]:
        Quarter.parse(other)  # a malformed quarter in the history table is an error, not a silent skip
    history = history.drop_duplicates(subset="quarter", keep="last")
    history = history[history["quarter"] != q]
    return history.sort_values("quarter", key=lambda s: s.map(Quarter.parse)).reset_index(drop=True)


def history_with(history: pd.DataFrame, quarter: Quarter, total: float, headline: str) -> pd.DataFrame:
    """The history table with ``quarter``'s ``headline`` ``total`` (replacing any earlier row for it)."""
    row = pd.DataFrame({"quarter": [str(quarter)], headline: [total], "source": ["pipeline"]})
    table = pd.concat([history[history["quarter"] != str(quarter)], row], ignore_index=True)
    return table.sort_values("quarter", key=lambda s: s.map(Quarter.parse)).reset_index(drop=True)


def value(indicators: pd.DataFrame, indicator: str, dimension_name: str = "total", category: str = "all", *,
          cfg: Configuration) -> float:
    """One value of the indicators table: 0 for a known category in which nothing was counted (a sector with
    no activity this quarter); :class:`UnknownLookupError` for a name that is not known (:func:`check_lookup`).
    For many look-ups in one table, :class:`Lookups` indexes it once."""
    return Lookups(indicators, cfg).value(indicator, dimension_name, category)


def check_lookup(indicators: pd.DataFrame, indicator: str, dimension_name: str, category: str, cfg: Configuration
                 ) -> None:
    """Refuse a lookup that names an unknown indicator, dimension or category, naming the nearest candidates
    (:meth:`Lookups.check`)."""
    Lookups(indicators, cfg).check(indicator, dimension_name, category)


class Lookups:
    """The indicators table indexed once for :meth:`value` and :meth:`check`: a report looks up a few hundred
    values and checks each placeholder of its narrative, and scanning the table for each cost about half a
    second per edition."""

    def __init__(self, indicators: pd.DataFrame, cfg: Configuration):
        self._cfg, self._specs = cfg, cfg.indicator_specs()
        self._values: dict[tuple[str, str, str], object] = {}
        self._dimensions: dict[str, set[str]] = {}
        for key in zip(indicators["indicator"], indicators["dimension"], indicators["category"],
                       indicators["value"], strict=True):
            self._values.setdefault(key[:3], key[3])  # the first row of a key, as the table reads
            self._dimensions.setdefault(key[0], set()).add(key[1])
        self._by_dimension = indicators.groupby("dimension", sort=False)["category"]
        self._categories: dict[str, set[str]] = {}

    def value(self, indicator: str, dimension_name: str = "total", category: str = "all") -> float:
        """One value: 0 for a known category in which nothing was counted (a sector with no activity this
        quarter); :class:`UnknownLookupError` for a name that is not known (:meth:`check`)."""
        key = (indicator, dimension_name, category)
        if key in self._values:
            return float(self._values[key])
        self.check(indicator, dimension_name, category)
        return 0.0

    def check(self, indicator: str, dimension_name: str, category: str) -> None:
        """Refuse a lookup that names an unknown indicator, dimension or category, naming the nearest candidates.

        Known: an indicator of the table or of the configuration's indicators.yml; a dimension the indicator has
        (table or config); a category the configuration declares for the dimension's columns (every sector, sex,
        age group, activity, ...) or that the quarter's data hold in that dimension for any indicator (a centre
        that ran no service of this kind). A crossed category ``A | B`` is known when each part is known for its
        column.
        """
        known = set(self._dimensions) | set(self._specs)
        if indicator not in known:
            raise UnknownLookupError(_unknown("indicator", indicator, known))
        dimensions = self._dimensions.get(indicator, set()) | {*self._specs.get(indicator, {}).get("dimensions", [])}
        if dimension_name not in dimensions:
            raise UnknownLookupError(_unknown(f"dimension of {indicator}", dimension_name, dimensions))
        if dimension_name == "total":
            if category != "all":
                raise UnknownLookupError(f"{indicator} total: the category of a total is 'all', not {category!r}")
            return
        columns, parts = dimension_name.split(CROSS), str(category).split(CROSS_LABEL)
        if len(parts) != len(columns):
            raise UnknownLookupError(f"{indicator} by {dimension_name}: {category!r} is not a category of "
                                     f"{len(columns)} columns (written {CROSS_LABEL.join(columns).upper()})")
        for column, part in zip(columns, parts, strict=True):
            categories = self._column_categories(column)
            if part not in categories:
                raise UnknownLookupError(_unknown(f"{column} of {indicator}", part, categories))

    def _column_categories(self, column: str) -> set[str]:
        """A column's categories: declared in config, or held by the table in the column's own dimension or as
        the column's part of a crossed dimension's categories; worked out once per column."""
        if column not in self._categories:
            found = {*(self._cfg.declared_categories(column) or [])}
            for dimension, categories in self._by_dimension:
                names = dimension.split(CROSS)
                if column in names:
                    found.update(c.split(CROSS_LABEL)[names.index(column)] for c in categories)
                if dimension == column:
                    found.update(map(str, categories))
            self._categories[column] = found
        return self._categories[column]


def _unknown(what: str, name: str, known) -> str:
    close = nearest(name, sorted(map(str, known)))
    return f"unknown {what}: {name!r}" + (f"; nearest: {', '.join(map(repr, close))}" if close else "")


def publishable(dimension_name: str, cfg: Configuration) -> bool:
    """Whether a dimension may be published: it uses no free-text column, or ``publish_free_text`` lists it
    (config/indicators.yml). Free-text categories are whatever field staff typed, hence the review."""
    settings = cfg.load("indicators")
    free = set(settings["free_text"]) & set(dimension_name.split(CROSS))
    return not free or dimension_name in settings["publish_free_text"]


def for_publication(indicators: pd.DataFrame, cfg: Configuration) -> pd.Series:
    """Which rows of ``indicators`` may be published: those whose dimension :func:`publishable` allows."""
    allowed = {d: publishable(d, cfg) for d in indicators["dimension"].unique()}
    return indicators["dimension"].map(allowed).astype(bool)


def series(indicators: pd.DataFrame, indicator: str, dimension_name: str, cfg: Configuration) -> pd.Series:
    """All categories of one indicator and dimension, as a Series in table order, for a table or figure.

    Every category of the dimension is listed, so a free-text dimension not cleared for publishing is refused
    (:class:`UnpublishedDimensionError`); a narrative can still cite one category with :func:`value`.
    """
    if not publishable(dimension_name, cfg):
        raise UnpublishedDimensionError(
            f"{indicator} by {dimension_name}: {dimension_name} is free text that config/indicators.yml does not "
            f"publish; review its categories in indicators.csv and add it to publish_free_text to show it")
    rows = indicators[(indicators["indicator"] == indicator) & (indicators["dimension"] == dimension_name)]
    return pd.Series(rows["value"].to_numpy(), index=rows["category"].to_numpy(), name=indicator)


def run_indicators(run: RunContext) -> pd.DataFrame:
    """Compute a cleaned quarter's indicators and write ``indicators.csv``, ``indicators_public.csv`` (the
    rows :func:`for_publication` keeps, with its data dictionary) and the history table ``history.csv``
    (this quarter's row replaced, never added twice). Every file goes through :func:`helpers.csvfile.write_csv`
    (formulas neutralised).

    Only processed data are read: the quarter's records and checked published totals from the run's processed
    folder, earlier quarters from its ``earlier`` folder: a run writes into a staging folder and reads the history
    from the published one."""
    from helpers.measure.disclosure import (
        definitions_name,
        dictionary_name,
        public_definitions,
        public_dictionary,
        public_indicators,
        published_versions,
        reviewed_labels,
    )

    cfg, q, processed, earlier = run.config, run.quarter, run.folders.processed, run.folders.earlier
    folder = processed / q
    columns = needed_columns(cfg.indicators())  # a quarter's other columns are not read
    # People across quarters are counted by DuckDB from the records files alone: in a thread (DuckDB releases
    # the GIL) beside the reading and the measures, whose threads leave a core idle at times.
    with ThreadPoolExecutor(max_workers=1) as background:
        counted = background.submit(across.people, q, folder, earlier, cfg)
        records = pd.read_parquet(folder / "records.parquet", columns=columns)
        for column, unlisted in reviewed_labels(records, cfg).items():  # labels.yml: published only once reviewed
            log.warning("%s: %s label(s) not on the reviewed list counted as %r (%s records); review them with "
                        "quarterly-report check", column, len(unlisted), cfg.load("labels")["other"],
                        f"{sum(unlisted.values()):,}")
        history = load_history(q, cfg, processed, earlier)
        indicators = compute_indicators(records, q, cfg, history)
        published = published_versions(q, earlier)  # a revision withholds more
        indicators = across.across_indicators(q, indicators, folder, earlier, cfg, published, counted.result())
    write_csv(indicators, folder / "indicators.csv")
    public = public_indicators(indicators, cfg, keep=for_publication(indicators, cfg), published=published,
                               incomplete=measures.completeness(records, cfg))  # never a silent 0
    write_csv(public, folder / "indicators_public.csv", encoding="utf-8")
    write_csv(public_dictionary(cfg), folder / dictionary_name("indicators_public.csv"), encoding="utf-8")
    write_csv(public_definitions(public, cfg), folder / definitions_name("indicators_public.csv"), encoding="utf-8")
    headline = cfg.headline()
    write_csv(history_with(history, q, value(indicators, headline, cfg=cfg), headline), processed / "history.csv")
    return indicators
