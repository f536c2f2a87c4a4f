"""Resolve any spelling of a Turkish province to its official name, plate and ISO 3166-2 code.

Values are compared on a key: folded with ``helpers.text.fold``, punctuation and filler words (``ili``,
``province``, ``merkez``) dropped, spaces removed, so ``Ş. Urfa``, ``S.URFA`` and ``şurfa`` share one key.
A key matches an official name or an analyst's alias (``config/province_aliases.csv``) exactly; otherwise
a fuzzy match is accepted only when it is close *and* clearly closer than any other province, so a typo
is either resolved to the right province or left unresolved, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry
from rapidfuzz import process
from rapidfuzz.distance import OSA

from helpers.paths import CONFIG_DIR
from helpers.text import fold

ALIASES_FILE = CONFIG_DIR / "province_aliases.csv"
FUZZY_THRESHOLD = 80.0
"""Smallest similarity (100 × (1 − typos / length), typos counted as in ``rapidfuzz.distance.OSA``) for a
fuzzy match: one typo in a 5-letter name, two in a 10-letter one; shorter names must be spelled right."""
FUZZY_MARGIN = 2
"""How many more typos the runner-up province must need (``Izmi``, one typo from both İzmir and İzmit, and
``Attakya``, two from Antalya and one from Antakya, are rejected)."""

# pycountry spellings that differ from the official Turkish ones (TÜİK and the governorship).
_OFFICIAL_NAME = {"TR-30": "Hakkari"}
_NON_WORD = re.compile(r"[\W_]+")
_FILLER_WORDS = frozenset({"il", "ili", "province", "prov", "city", "merkez", "merkezi", "turkey", "turkiye"})


def province_key(value: object) -> str:
    """Matching key of a province spelling: ``"Ş. Urfa ili"`` → ``"surfa"``; blank for NA."""
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return ""
    words = _NON_WORD.sub(" ", fold(value)).split()
    return "".join(w for w in words if w not in _FILLER_WORDS)


@cache
def _reference() -> pd.DataFrame:
    rows = [
        {
            "province": _OFFICIAL_NAME.get(sub.code, sub.name.removesuffix(" Province")),
            "plate": sub.code.removeprefix("TR-"),
            "iso_code": sub.code,
        }
        for sub in pycountry.subdivisions.get(country_code="TR")
    ]
    reference = pd.DataFrame(rows).sort_values("plate", ignore_index=True).astype("string")
    if len(reference) != 81 or reference["province"].map(province_key).duplicated().any():
        raise RuntimeError("pycountry no longer lists 81 distinct Turkish provinces; check _OFFICIAL_NAME")
    return reference


def province_reference() -> pd.DataFrame:
    """The 81 provinces in plate order: ``province`` (official spelling), ``plate`` (``"01"``..``"81"``),
    ``iso_code`` (``"TR-01"``..``"TR-81"``)."""
    return _reference().copy()


@dataclass(frozen=True)
class _Matcher:
    official: dict[str, int]  # key of an official name -> reference row
    aliases: dict[str, int]  # key of an alias -> reference row
    choices: list[str]  # every key, grouped by province, for fuzzy matching
    starts: np.ndarray  # first column of each province's group in ``choices``


def _read_aliases(path: Path, official: dict[str, int]) -> dict[str, int]:
    """Alias keys → reference row; an alias naming no official province, or another one, is an error."""
    table = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8")
    rows = {name: i for i, name in enumerate(_reference()["province"])}
    aliases: dict[str, int] = {}
    for line, (alias, province) in enumerate(zip(table["alias"], table["province"], strict=True), start=2):
        key, row = province_key(alias), rows.get(province)
        if row is None:
            raise ValueError(f"{path}:{line}: {province!r} is not an official province name")
        if not key or official.get(key, aliases.get(key, row)) != row:
            raise ValueError(f"{path}:{line}: alias {alias!r} is blank or already means another province")
        aliases[key] = row
    return aliases


@cache
def _matcher(path: Path, mtime_ns: int) -> _Matcher:
    """Lookup tables for one version of the alias file (an edited file is re-read)."""
    official = {province_key(name): i for i, name in enumerate(_reference()["province"])}
    aliases = _read_aliases(path, official)
    by_province = sorted((row, key) for key, row in (official | aliases).items())
    rows = np.array([row for row, _ in by_province])
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    return _Matcher(official, aliases, [key for _, key in by_province], starts)


def _closest(keys: list[str], matcher: _Matcher) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each key: the reference row of the province needing fewest typos, its similarity (0-100) and
    how many more typos the runner-up province needs."""
    typos = process.cdist(keys, matcher.choices, scorer=OSA.distance)
    longer = np.maximum.outer([len(k) for k in keys], [len(c) for c in matcher.choices])
    similarity = np.maximum.reduceat(100 * (1 - typos / longer), matcher.starts, axis=1)
    typos = np.minimum.reduceat(typos, matcher.starts, axis=1)
    top2 = np.argsort(typos, axis=1, kind="stable")[:, :2]
    fewest, runner_up = np.take_along_axis(typos, top2, axis=1).T
    return top2[:, 0], similarity[np.arange(len(keys)), top2[:, 0]], runner_up - fewest


def resolve_provinces(
    values: Iterable[object],
    threshold: float = FUZZY_THRESHOLD,
    margin: int = FUZZY_MARGIN,
    aliases: Path = ALIASES_FILE,
) -> pd.DataFrame:
    """Resolve each distinct value once; map back with ``col.map(result.set_index("value")["province"])``.

    One row per distinct value: ``province``, ``plate``, ``iso_code`` (NA when unresolved), ``method``
    (``exact``, ``alias``, ``fuzzy`` or ``unresolved``), ``score`` (similarity 0-100 to ``candidate``),
    ``candidate`` (the closest province, named for unresolved values too) and ``reason``
    (``missing_required`` when blank, ``unknown_province`` when otherwise unresolved, NA when resolved).
    """
    matcher = _matcher(aliases, aliases.stat().st_mtime_ns)
    distinct = (values if isinstance(values, pd.Series) else pd.Series(list(values))).unique()
    keys = np.array([province_key(value) for value in distinct], dtype=object)
    row = np.array([matcher.official.get(k, matcher.aliases.get(k, -1)) for k in keys], dtype=int)
    method = np.where(
        [k in matcher.official for k in keys], "exact", np.where(row >= 0, "alias", "unresolved")
    ).astype(object)
    score = np.where(row >= 0, 100.0, 0.0)
    todo = np.flatnonzero((row < 0) & (keys != ""))
    if len(todo):
        row[todo], score[todo], lead = _closest(list(keys[todo]), matcher)
        method[todo[(score[todo] >= threshold) & (lead >= margin)]] = "fuzzy"
    closest = _reference().reindex(row).reset_index(drop=True)  # row -1 (blank) becomes all NA
    resolved = method != "unresolved"
    reason = np.where(keys == "", "missing_required", "unknown_province")
    return pd.DataFrame(
        {
            "value": pd.Series(distinct),
            "province": closest["province"].where(resolved),
            "plate": closest["plate"].where(resolved),
            "iso_code": closest["iso_code"].where(resolved),
            "method": pd.Series(method, dtype="string"),
            "score": score.round(1),
            "candidate": closest["province"].where(score > 0),
            "reason": pd.Series(reason, dtype="string").where(~resolved),
        }
    )
