"""Compute the quarter's indicators from ``config/indicators.yml`` over the cleaned records.

Every measure works on integer category codes with NumPy (``bincount``, ``unique``), never row by row,
so the same code serves the bundled sample and a national quarter of ten million records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import config
from helpers.paths import PROCESSED_DIR, RAW_DIR, Quarter

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


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a column (-1: missing), without labels: free for a categorical, one hash pass otherwise."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(dtype=np.int64)
    return pd.factorize(values)[0].astype(np.int64)


def _column_codes(records: pd.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
    values = records[column]
    if not isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype("category")
    return values.cat.codes.to_numpy(dtype=np.int64), [str(c) for c in values.cat.categories]


def dimension(records: pd.DataFrame, name: str) -> Dimension:
    """Codes for ``total``, a record column, or ``a+b`` (two columns crossed)."""
    if name == "total":
        return Dimension(np.zeros(len(records), dtype=np.int64), ["all"])
    parts = [_column_codes(records, column) for column in name.split(CROSS)]
    codes, labels = parts[0]
    for more_codes, more_labels in parts[1:]:
        combined = np.where((codes < 0) | (more_codes < 0), -1, codes * len(more_labels) + more_codes)
        present = np.bincount(combined[combined >= 0], minlength=len(labels) * len(more_labels)) > 0
        used = np.flatnonzero(present)  # the pairs that occur, in order
        codes = np.append(np.cumsum(present) - 1, -1)[combined]
        labels = [f"{labels[u // len(more_labels)]}{CROSS_LABEL}{more_labels[u % len(more_labels)]}" for u in used]
    return Dimension(codes, labels)


def _pair_keys(group: np.ndarray, ids: np.ndarray, width: int, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys ``id * width + group`` of the rows with both codes (>= 0), in ``order``, and those rows."""
    rows = order[(group[order] >= 0) & (ids[order] >= 0)]
    return ids[rows] * width + group[rows], rows


def _first_of_runs(sorted_keys: np.ndarray) -> np.ndarray:
    first = np.ones(len(sorted_keys), dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return first


def _distinct_per(group: np.ndarray, ids: np.ndarray, n_groups: int, order: np.ndarray) -> np.ndarray:
    """Number of distinct ``ids`` (codes >= 0) within each group code; ``order`` sorts the rows by id.

    Taken in id order the pair keys are sorted except among each id's few rows, so the stable sort
    (timsort, which merges presorted runs) that brings equal pairs together is close to linear.
    """
    width = max(n_groups, 1)
    keys, _ = _pair_keys(group, ids, width, order)
    keys.sort(kind="stable")
    return np.bincount(keys[_first_of_runs(keys)] % width, minlength=n_groups)[:n_groups]


def _largest_per(group: np.ndarray, ids: np.ndarray, size: np.ndarray, n_groups: int,
                 order: np.ndarray) -> np.ndarray:
    """Sum over distinct ``ids`` within each group of the largest ``size`` seen for the id (``order``: by id)."""
    width = max(n_groups, 1)
    keys, rows = _pair_keys(np.where(np.isnan(size), -1, group), ids, width, order)
    by_key = np.argsort(keys, kind="stable")
    keys, sizes = keys[by_key], size[rows[by_key]]
    starts = np.flatnonzero(_first_of_runs(keys))
    if not len(starts):
        return np.zeros(n_groups)
    largest = np.maximum.reduceat(sizes, starts)
    return np.bincount(keys[starts] % width, weights=largest, minlength=n_groups)[:n_groups]


def _sum_per(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    keep = (group >= 0) & ~np.isnan(values)
    return np.bincount(group[keep], weights=values[keep], minlength=n_groups)[:n_groups]


class Records:
    """Cleaned records prepared once for all measures: codes and numeric arrays."""

    def __init__(self, records: pd.DataFrame):
        self.frame = records
        self.is_type = {kind: records["reach_type"].eq(kind).fillna(False).to_numpy(dtype=bool)
                        for kind in ("individual", "household", "group")}
        self.sector, self.sectors = _column_codes(records, "sector")
        self._codes, self._orders = {}, {}
        self.beneficiary = self.codes("beneficiary_id")
        self.household = self.codes("household_id")
        self.household_size = records["household_size"].astype("float64").to_numpy(na_value=np.nan)
        self.participants = records["participants"].astype("float64").to_numpy(na_value=np.nan)

    def codes(self, column: str) -> np.ndarray:
        """Integer codes of a column, computed once."""
        if column not in self._codes:
            self._codes[column] = _codes(self.frame[column])
        return self._codes[column]

    def order(self, column: str) -> np.ndarray:
        """Row positions sorted by a column's codes (stable), computed once."""
        if column not in self._orders:
            self._orders[column] = np.argsort(self.codes(column), kind="stable")
        return self._orders[column]

    def number(self, column: str) -> np.ndarray:
        return self.frame[column].astype("float64").to_numpy(na_value=np.nan)

    def reach_matrix(self, dim: Dimension, mask: np.ndarray) -> np.ndarray:
        """Reach per sector (rows) and category (columns) among ``mask``ed records."""
        n_sectors = len(self.sectors)
        d = np.where(mask, dim.codes, -1)
        cell = np.where((d >= 0) & (self.sector >= 0), self.sector * dim.size + d, -1)
        n_cells = n_sectors * dim.size
        individual = _distinct_per(np.where(self.is_type["individual"], cell, -1), self.beneficiary, n_cells,
                                   self.order("beneficiary_id"))
        households = _largest_per(np.where(self.is_type["household"], cell, -1), self.household,
                                  self.household_size, n_cells, self.order("household_id"))
        groups = _sum_per(np.where(self.is_type["group"], cell, -1), self.participants, n_cells)
        return (individual + households + groups).reshape(n_sectors, dim.size)


def _filter_mask(records: pd.DataFrame, spec: dict | None) -> np.ndarray:
    mask = np.ones(len(records), dtype=bool)
    for column, allowed in (spec or {}).items():
        values, allowed = records[column], [str(a) for a in allowed]
        if isinstance(values.dtype, pd.CategoricalDtype):  # compare the few categories, then the codes
            keep = np.flatnonzero(values.cat.categories.astype(str).isin(allowed))
            mask &= np.isin(values.cat.codes.to_numpy(), keep)
        else:
            mask &= values.astype("string").isin(allowed).fillna(False).to_numpy(dtype=bool)
    return mask


def _measure(data: Records, spec: dict, dim: Dimension, mask: np.ndarray) -> np.ndarray:
    d = np.where(mask, dim.codes, -1)
    measure = spec["measure"]
    if measure == "reach":
        return data.reach_matrix(dim, mask).sum(axis=0)
    if measure == "records":
        return np.bincount(d[d >= 0], minlength=dim.size)
    if measure == "distinct":
        return _distinct_per(d, data.codes(spec["column"]), dim.size, data.order(spec["column"]))
    if measure == "household_people":
        return _largest_per(d, data.household, data.household_size, dim.size, data.order("household_id"))
    if measure == "sum":
        return _sum_per(d, data.number(spec["column"]), dim.size)
    if measure == "trained":
        return (_distinct_per(d, data.beneficiary, dim.size, data.order("beneficiary_id"))
                + _sum_per(d, data.participants, dim.size))
    raise ValueError(f"indicator {spec['id']}: unknown measure {measure!r}")


QUARTER_MEASURES = ("reach_max", "covered", "year_to_date", "since_start")
PEOPLE = {"reach_type": ["individual", "household", "group"]}


def _rows(quarter: str, spec: dict, dim_name: str, labels: list[str], values: np.ndarray) -> pd.DataFrame:
    fixed = ["all"] if dim_name == "total" else [str(c) for c in spec.get("categories", {}).get(dim_name, [])]
    frame = pd.DataFrame({"category": labels, "value": np.asarray(values, dtype="float64")})
    frame = frame[(frame["value"] != 0) | frame["category"].isin(fixed)]
    missing = [c for c in fixed if c not in set(frame["category"])]
    frame = pd.concat([frame, pd.DataFrame({"category": missing, "value": 0.0})], ignore_index=True)
    order = {c: i for i, c in enumerate(fixed)}
    frame = frame.assign(_fixed=frame["category"].map(order).fillna(len(order)))
    frame = frame.sort_values(["_fixed", "value", "category"], ascending=[True, False, True], kind="stable")
    return frame.assign(quarter=quarter, indicator=spec["id"], dimension=dim_name)[COLUMNS]


def _quarter_value(data: Records, spec: dict, mask: np.ndarray, reached: float, history: pd.DataFrame | None,
                   q: Quarter) -> float:
    """Measures of the quarter as a whole: sum of provincial maxima, provinces covered, cumulative totals."""
    measure = spec["measure"]
    if measure in ("year_to_date", "since_start"):
        return _cumulative(history, q, reached, year_only=measure == "year_to_date")
    by_province = data.reach_matrix(dimension(data.frame, "province"), _filter_mask(data.frame, PEOPLE) & mask)
    if measure == "reach_max":
        return float(by_province.max(axis=0).sum()) if by_province.size else 0.0
    return float((by_province.sum(axis=0) > 0).sum())


def compute_indicators(records: pd.DataFrame, quarter: str, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """All indicators of ``config/indicators.yml`` for one quarter, in the long format of the contract.

    ``history`` (quarter, people_reached) holds earlier quarters for the year-to-date and since-start totals.
    """
    q = Quarter.parse(quarter)
    data = Records(records)
    out, reached = [], None
    for spec in config.load("indicators")["indicators"]:
        mask = _filter_mask(records, spec.get("filter"))
        if spec["measure"] in QUARTER_MEASURES:
            if reached is None:
                reached = float(data.reach_matrix(dimension(records, "total"), _filter_mask(records, PEOPLE)).sum())
            value = _quarter_value(data, spec, mask, reached, history, q)
            out.append(_rows(str(q), spec, "total", ["all"], np.array([value])))
            continue
        for dim_name in spec["dimensions"]:
            dim = dimension(records, dim_name)
            values = _measure(data, spec, dim, mask)
            out.append(_rows(str(q), spec, dim_name, dim.labels, values))
            if spec["id"] == "people_reached" and dim_name == "total":
                reached = float(values[0])
    result = pd.concat(out, ignore_index=True)
    result["value"] = result["value"].round(2)
    return result


def _cumulative(history: pd.DataFrame | None, q: Quarter, reached: float, *, year_only: bool) -> float:
    """This quarter's total plus earlier quarters on record (this year only for year-to-date)."""
    if history is None or history.empty:
        return reached
    quarters = history["quarter"].map(Quarter.parse)
    earlier = quarters.map(lambda x: x < q and (not year_only or x.year == q.year)).astype(bool)
    return reached + float(history.loc[earlier, "people_reached"].sum())


def load_history(quarter: str, raw_dir: Path = RAW_DIR, processed_dir: Path = PROCESSED_DIR) -> pd.DataFrame:
    """Quarterly totals on record, except ``quarter`` itself: published totals, overridden by processed quarters.

    Columns ``quarter``, ``people_reached``, ``source`` (``published`` or ``pipeline``).
    """
    frames = []
    published = Path(raw_dir) / config.setting("published_totals")
    if published.is_file():
        table = pd.read_csv(published, dtype={"quarter": "string"})
        frames.append(table[["quarter", "people_reached"]].assign(source="published"))
    for path in sorted(Path(processed_dir).glob("*/indicators.csv")):
        table = pd.read_csv(path, dtype={"quarter": "string", "category": "string"})
        total = table[(table["indicator"] == "people_reached") & (table["dimension"] == "total")]
        frames.append(total[["quarter", "value"]].rename(columns={"value": "people_reached"}).assign(source="pipeline"))
    if not frames:
        return pd.DataFrame(columns=["quarter", "people_reached", "source"])
    history = pd.concat(frames, ignore_index=True)
    for q in history["quarter"]:
        Quarter.parse(q)  # a malformed quarter in the history table is an error, not a silent skip
    history = history.drop_duplicates(subset="quarter", keep="last")
    history = history[history["quarter"] != str(Quarter.parse(quarter))]
    return history.sort_values("quarter", key=lambda s: s.map(Quarter.parse)).reset_index(drop=True)


def history_with(history: pd.DataFrame, quarter: str, people_reached: float) -> pd.DataFrame:
    """The history table with ``quarter`` set to ``people_reached`` (replacing any earlier row for it)."""
    row = pd.DataFrame({"quarter": [quarter], "people_reached": [people_reached], "source": ["pipeline"]})
    table = pd.concat([history[history["quarter"] != quarter], row], ignore_index=True)
    return table.sort_values("quarter", key=lambda s: s.map(Quarter.parse)).reset_index(drop=True)


def value(indicators: pd.DataFrame, indicator: str, dimension_name: str = "total", category: str = "all") -> float:
    """One value of the indicators table (0 when the category is absent, i.e. nothing was counted)."""
    hit = indicators[(indicators["indicator"] == indicator) & (indicators["dimension"] == dimension_name)
                     & (indicators["category"] == category)]
    if indicator not in set(indicators["indicator"]):
        raise KeyError(f"unknown indicator {indicator!r}")
    return float(hit["value"].iloc[0]) if len(hit) else 0.0


def series(indicators: pd.DataFrame, indicator: str, dimension_name: str) -> pd.Series:
    """All categories of one indicator and dimension, as a Series in table order."""
    rows = indicators[(indicators["indicator"] == indicator) & (indicators["dimension"] == dimension_name)]
    return pd.Series(rows["value"].to_numpy(), index=rows["category"].to_numpy(), name=indicator)


def _write_csv(table: pd.DataFrame, path: Path, **kwargs) -> None:
    """Write via a temporary file and a rename, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    table.to_csv(tmp, index=False, **kwargs)
    tmp.replace(path)


def run_indicators(quarter: str, raw_dir: Path = RAW_DIR, processed_dir: Path = PROCESSED_DIR) -> pd.DataFrame:
    """Compute a cleaned quarter's indicators and write ``indicators.csv``, ``indicators_public.csv`` and the
    history table ``history.csv`` (this quarter's row replaced, never added twice)."""
    from helpers.disclosure import public_indicators

    q = str(Quarter.parse(quarter))
    folder = Path(processed_dir) / q
    records = pd.read_parquet(folder / "records.parquet")
    history = load_history(q, raw_dir, processed_dir)
    indicators = compute_indicators(records, q, history)
    _write_csv(indicators, folder / "indicators.csv")
    _write_csv(public_indicators(indicators), folder / "indicators_public.csv", encoding="utf-8")
    _write_csv(history_with(history, q, value(indicators, "people_reached")), Path(processed_dir) / "history.csv")
    return indicators
