"""A column's values read under the evidence of their source file (dates: day or month first; numbers: decimal
comma or point): each distinct value is read once per evidence state, and each row takes the reading of its
file's state. Only the rows whose reading varies with the evidence (few) are looked at one by one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.kernels import by_code

OK, INVALID, AMBIGUOUS = 0, 1, 2  # status of a value read by read_dates or read_numbers


def categories(values: pd.Series) -> pd.Series:
    return values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")


def by_source(evidence: np.ndarray, sources: pd.Series | None) -> pd.Series:
    """Per source, the evidence bits any of its rows show (one entry, index None, without sources)."""
    if sources is None:
        return pd.Series([int(np.bitwise_or.reduce(evidence, initial=0))], index=pd.Index([None], dtype=object))
    sources = categories(sources)
    codes, n = sources.cat.codes.to_numpy(), len(sources.cat.categories)
    shown = sum(bit * (np.bincount(codes[(evidence & bit) > 0], minlength=n) > 0) for bit in (1, 2))
    return pd.Series(np.asarray(shown, dtype=np.int8), index=sources.cat.categories)


def by_state(read: np.ndarray, status: np.ndarray, values: pd.Series, sources: pd.Series | None,
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
            sources = categories(sources)
            per_source = evidence.reindex(sources.cat.categories).fillna(0).to_numpy(dtype=np.intp)
            state = per_source[sources.cat.codes.to_numpy()[rows]]
        result[rows], found[rows] = read[state, codes[rows]], status[state, codes[rows]]
    return result, found

