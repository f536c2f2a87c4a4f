"""Integer-code kernels: the fast paths of cleaning and measuring, in one place.

The technique. A text column of ten million rows holds a few hundred distinct values, so it is kept as
*category codes*: one small integer per row (``-1`` for missing) indexing a short list of distinct values
(pandas categoricals, Arrow dictionaries). Work is then done once per distinct value and mapped back to the
rows by indexing a per-category array with the codes, or counted per category with ``np.bincount``. Codes stay
in the narrowest integer type (int8, int16: :func:`narrow`), so a pass over them moves a fraction of the memory,
and NumPy indexes with them directly (``take`` would first copy them as 64-bit integers).

The ``-1`` trick. A missing value's code is ``-1``, and NumPy reads index ``-1`` as the last element. Appending
one entry for "missing" to a per-category array therefore maps every row, missing ones included, in one
indexing step with no mask: :func:`by_code` (with :func:`array_by_code`, :func:`arrow_by_code` and
:func:`occurring`) is the only place that relies on it; everything else calls them.

Counting distinct people per group (:func:`distinct_per`, :func:`largest_per`) sorts rows by identifier once and
works through blocks of about :data:`BLOCK` rows, each identifier's rows in one block, so the keys stay in the
CPU cache. Duplicate rows (:func:`find_duplicates`) are found through a 64-bit hash per row and then confirmed
value by value, so a hash collision can never drop a record.

Equivalence tests pin each kernel to the plain pandas it replaces (tests/test_indicators.py, tests/test_clean.py).
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa

# Threads for work done side by side in NumPy and Arrow (columns, files being parsed): both release the GIL
CORES = os.cpu_count() or 1

# ------------------------------------------------------------------------------------------ codes and categories


def code_type(n_categories: int) -> np.dtype:
    """The integer type pandas stores the codes of ``n_categories`` in (int8 below 127, int16 below 32,767, ...)."""
    return np.min_scalar_type(-n_categories - 2)


def narrow(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """``codes`` in :func:`code_type`: passes over ten million of them move a fraction of the memory, and
    pandas keeps them without a copy."""
    return codes.astype(code_type(n_categories), copy=False)


def by_code(per_category: np.ndarray, codes: np.ndarray, missing: object) -> np.ndarray:
    """Each row's entry of ``per_category`` through its category code; ``missing`` where the code is -1.

    Indexes with the (narrow) codes directly: ``take`` would first copy them as 64-bit integers.
    """
    return np.append(per_category, np.array([missing], dtype=per_category.dtype))[codes]


def occurring(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """True for each of the ``n_categories`` codes that occurs in ``codes`` (-1, missing, is ignored)."""
    seen = np.zeros(n_categories + 1, dtype=bool)
    seen[codes] = True  # code -1 marks the extra last entry
    return seen[:-1]


def array_by_code(per_category: list, codes: np.ndarray, dtype: str) -> pd.api.extensions.ExtensionArray:
    """:func:`by_code` for a pandas array of ``dtype`` (NA where the code is -1), from a list of values.

    Numbers, dates and booleans index NumPy arrays with the narrow codes directly: ``take`` would first copy
    the codes as 64-bit integers, at ten million rows the largest allocation of a normaliser.
    """
    lookup = pd.array([*per_category, None], dtype=dtype)  # code -1 takes the last entry: the missing value
    if isinstance(lookup, pd.arrays.BooleanArray):
        return pd.arrays.BooleanArray(lookup.to_numpy(bool, na_value=False)[codes], lookup.isna()[codes])
    if lookup.dtype.kind in "fM":
        return lookup.to_numpy()[codes]
    return lookup.take(codes)


def arrow_by_code(per_category: pa.Array, codes: np.ndarray) -> pa.Array:
    """:func:`by_code` for an Arrow array (null where the code is -1)."""
    return per_category.take(pa.array(codes, mask=codes < 0))


def rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """``frame[keep]`` for a boolean mask, column by column with each array's own boolean indexing: a frame turns
    the mask into 64-bit positions and takes every column with them, five times slower at ten million rows. Columns
    side by side (:data:`CORES`): most of the cost is the kernel handing over the new columns' memory, which every
    core can do."""
    with ThreadPoolExecutor(max_workers=CORES, thread_name_prefix="rows") as pool:
        kept = pool.map(lambda column: frame[column].array[keep], frame.columns)
        return pd.DataFrame(dict(zip(frame.columns, kept, strict=True)), index=frame.index[keep], copy=False)


def distinct(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes (-1 for NA) and the distinct values: free for a categorical, one hash pass otherwise."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories
    return pd.factorize(values)


def categorical(codes: np.ndarray, categories, index: pd.Index) -> pd.Series:
    """A categorical Series from integer codes (-1: missing) and string categories."""
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype="string"))
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=index)


def integers(floats: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers held as floats (NaN: missing) as a nullable ``Int64`` array: what ``Series.astype("Int64")``
    gives them, without its check that each is whole and without a filled copy of the floats."""
    missing = np.isnan(floats)
    with np.errstate(invalid="ignore"):
        values = floats.astype(np.int64)
    values *= ~missing  # NaN casts to an arbitrary integer: 0 below the mask (a product, no branch per value)
    return pd.arrays.IntegerArray(values, missing)


def interval_codes(values: np.ndarray, edges: list[float]) -> np.ndarray:
    """Code ``i`` for a value in ``(edges[i], edges[i + 1]]``, -1 outside every interval or NaN: the codes of
    ``pd.cut(values, edges)``, counted as the edges below each value (one comparison per edge, no search)."""
    below = np.zeros(len(values), dtype=code_type(len(edges)))
    for edge in edges:
        below += values > edge  # NaN is above no edge
    below -= 1
    below[below == len(edges) - 1] = -1  # above the last edge
    return below


def tidy_categories(values: pd.Series) -> pd.Series:
    """Only the categories in use, sorted: what ``astype("category")`` of the values would give."""
    codes = values.cat.codes.to_numpy()
    used = occurring(codes, len(values.cat.categories))
    kept = values.cat.categories[used]
    order = kept.argsort()
    recode = np.full(len(used), -1, dtype=np.int64)
    recode[np.flatnonzero(used)[order]] = np.arange(len(kept))
    return categorical(by_code(narrow(recode, len(kept)), codes, -1), kept[order], values.index)


def coalesce(*columns: pd.Series, default: str | None = None) -> pd.Series:
    """Row by row the first non-missing value of categorical columns, else ``default``, as a categorical."""
    parts = [c.cat.categories.to_numpy(dtype=object) for c in columns] + [np.array([default], dtype=object)]
    categories = pd.Index(pd.unique(np.concatenate(parts))).dropna()
    codes = np.full(len(columns[0]), -1 if default is None else categories.get_loc(default),
                    dtype=code_type(len(categories)))
    for column in reversed(columns):
        recode = narrow(categories.get_indexer(column.cat.categories), len(categories))
        own = by_code(recode, column.cat.codes.to_numpy(), -1)
        codes = np.where(own >= 0, own, codes)
    return categorical(codes, categories, columns[0].index)


# -------------------------------------------------------------------------------------------- counting per group


def codes_of(values: pd.Series) -> np.ndarray:
    """Integer codes of a column (-1: missing), without labels: free for a categorical, one hash pass otherwise.

    A categorical keeps its narrow code type (int8/int16), which makes gathering codes by row cheap.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy()
    codes, uniques = pd.factorize(values)
    return narrow(codes, len(uniques))


def cells(outer: np.ndarray, inner: np.ndarray, width: int, n_cells: int) -> np.ndarray:
    """Cell ``outer * width + inner`` of each row (-1 where either code is missing), in a narrow code type."""
    cells = outer.astype(code_type(n_cells))
    cells *= width
    cells += inner
    cells[(outer < 0) | (inner < 0)] = -1
    return cells


def first_of_runs(sorted_keys: np.ndarray) -> np.ndarray:
    """True at the first row of each run of equal keys (keys sorted)."""
    first = np.ones(len(sorted_keys), dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return first


BLOCK = 1 << 20  # rows: a block's keys and orderings stay in the CPU caches and in memory already in use


def id_blocks(ids: np.ndarray) -> list[tuple[int, int]]:
    """Bounds of blocks of about :data:`BLOCK` rows of id-sorted rows, each id's rows in one block."""
    cuts = np.searchsorted(ids, ids[BLOCK::BLOCK], side="left")  # back to the start of the id's run
    return list(itertools.pairwise(np.unique([0, *cuts.tolist(), len(ids)])))


def pair_keys(group: np.ndarray, ids: np.ndarray, width: int, keep: np.ndarray) -> np.ndarray:
    """Keys ``id * width + group`` of the ``keep`` rows: sorted by id already, and by group within each id
    after a stable sort that only has to reorder each id's few rows (close to linear)."""
    keys = ids[keep].astype(np.int64)
    keys *= width
    keys += group[keep]
    return keys


def distinct_per(group: np.ndarray, ids: np.ndarray, n_groups: int) -> np.ndarray:
    """Number of distinct ``ids`` within each group code (-1: not counted); rows in id order.

    Works block by block (an id never spans two), so ten million rows cost ten times one million.
    """
    width, counts = max(n_groups, 1), np.zeros(n_groups, dtype=np.int64)
    for low, high in id_blocks(ids):
        keys = pair_keys(group[low:high], ids[low:high], width, group[low:high] >= 0)
        keys.sort(kind="stable")
        firsts = keys[first_of_runs(keys)]
        firsts %= width
        counts += np.bincount(firsts, minlength=n_groups)[:n_groups]
    return counts


def largest_per(group: np.ndarray, ids: np.ndarray, size: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum over distinct ``ids`` within each group of the largest ``size`` seen for the id; rows in id order.

    Block by block, as :func:`distinct_per`.
    """
    width, sums = max(n_groups, 1), np.zeros(n_groups)
    for low, high in id_blocks(ids):
        keep = (group[low:high] >= 0) & ~np.isnan(size[low:high])
        keys = pair_keys(group[low:high], ids[low:high], width, keep)
        by_key = np.argsort(keys, kind="stable")
        keys, sizes = keys[by_key], size[low:high][keep][by_key]
        starts = np.flatnonzero(first_of_runs(keys))
        if len(starts):
            firsts = keys[starts]
            firsts %= width
            sums += np.bincount(firsts, weights=np.maximum.reduceat(sizes, starts), minlength=n_groups)[:n_groups]
    return sums


def sum_per(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum of ``values`` (NaN: not counted) within each group code (-1: not counted)."""
    keep = (group >= 0) & ~np.isnan(values)
    return np.bincount(group[keep], weights=values[keep], minlength=n_groups)[:n_groups]


# ------------------------------------------------------------------------------------------------ duplicate rows


_MIX = np.uint64(0x100000001B3)  # the 64-bit FNV prime: spreads each column's bits over the row hash


def value_bits(values: pd.Series) -> np.ndarray:
    """Up to 64 bits per value, equal for equal values (missing included): codes, dates, numbers, else a hash."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        return codes.view(codes.dtype.str.replace("i", "u"))  # -1 (missing) becomes the largest value
    if values.dtype.kind == "M":
        return values.to_numpy().view(np.int64).view(np.uint64)  # NaT is one fixed value
    if values.dtype.kind in "iub":
        return values.to_numpy(dtype="int64", na_value=np.iinfo(np.int64).min).view(np.uint64)
    if values.dtype.kind == "f":
        numbers = values.to_numpy(dtype="float64", na_value=np.nan, copy=True)
        numbers += 0.0  # -0.0 == 0.0
        numbers[np.isnan(numbers)] = np.nan  # one NaN
        return numbers.view(np.uint64)
    return pd.util.hash_pandas_object(values, index=False).to_numpy()


def repeated(hashes: np.ndarray) -> np.ndarray:
    """True where a hash occurred on an earlier row.

    The rows are first split by the hash's top byte (a linear radix pass) and each part is checked on its
    own: 256 small hash tables that stay in the CPU cache instead of one of ten million entries that does not.
    """
    part = (hashes >> np.uint64(56)).astype(np.uint8)
    order = np.argsort(part, kind="stable")  # stable: rows keep their order within each part
    ordered = hashes[order]
    bounds = np.searchsorted(part[order], np.arange(257))
    repeated = np.empty(len(hashes), dtype=bool)
    for low, high in itertools.pairwise(bounds):
        repeated[low:high] = pd.Series(ordered[low:high]).duplicated().to_numpy()
    result = np.empty(len(hashes), dtype=bool)
    result[order] = repeated
    return result


def find_duplicates(frame: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Rows identical on every column to an earlier row: a boolean mask, and the index of each one's original.

    Rows are grouped by a 64-bit hash of their values, then every candidate is compared value by value
    with its original, so a hash collision can never drop a record.
    """
    hashes = np.zeros(len(frame), dtype=np.uint64)
    for column in frame.columns:
        hashes ^= value_bits(frame[column])
        hashes *= _MIX
    repeat = repeated(hashes)
    shared = np.flatnonzero(pd.Series(hashes).isin(hashes[repeat]).to_numpy())  # rows of repeated hashes
    codes, _ = pd.factorize(hashes[shared])  # numbered in order of first appearance
    first = np.ones(len(codes), dtype=bool)
    first[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    candidate = shared[~first]
    original = shared[np.flatnonzero(first)[codes[~first]]]
    twin = frame.iloc[candidate].reset_index(drop=True)
    earlier = frame.iloc[original].reset_index(drop=True)
    same = np.ones(len(twin), dtype=bool)
    for column in frame.columns:
        a, b = twin[column], earlier[column]
        same &= ((a == b).fillna(False) | (a.isna() & b.isna())).to_numpy(dtype=bool)
    confirmed = np.zeros(len(frame), dtype=bool)
    confirmed[candidate[same]] = True
    return confirmed, frame.index[original[same]]
