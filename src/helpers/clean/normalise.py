"""Vectorised normalisers for raw values.

Every function parses each DISTINCT raw value once and maps the result back through category codes, so a
column of ten million rows costs one pass over its few hundred distinct values. Blank input gives NA;
input that is present but not understood also gives NA, and ``present & result.isna()`` is how the
schema recognises an invalid value.

Coded values (sex, yes/no, nationality, population group, month and day names) are matched against the
vocabularies of ``config/vocabularies.yml`` after Turkish-aware folding (:func:`helpers.text.fold`); activities
against the codes and labels of ``config/activities.yml``. Nothing is matched by similarity: a value is
either in a vocabulary or not understood.

Dates are read in :mod:`helpers.clean.dates`, numbers in :mod:`helpers.clean.numbers`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from functools import cache, lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.clean.readings import categories
from helpers.columns import coded_columns
from helpers.config import Configuration, shown
from helpers.errors import VocabularyError
from helpers.kernels import array_by_code, by_code, categorical, coalesce, distinct, integers, interval_codes, narrow
from helpers.text import fold, turkish_lower

_SPACES = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
EDGE_SPACE = f"^[{_SPACES}]|[{_SPACES}]$"  # matches text that str.strip() changes (an RE2 pattern)


@lru_cache(maxsize=64)  # per configuration (a run's is read once) and vocabulary
def vocabulary(name: str, cfg: Configuration) -> dict[str, object]:
    """One vocabulary of ``vocabularies.yml`` of ``cfg`` as folded spelling → value."""
    table: dict[str, object] = {}
    for value, spellings in cfg.load("vocabularies")[name].items():
        for spelling in spellings:
            key = fold(str(spelling))
            if table.setdefault(key, value) != value:
                file = shown(cfg.path("vocabularies.yml"))
                raise VocabularyError(f"{file}, {name}: {spelling!r} means both {table[key]!r} and {value!r}")
    return table


def map_distinct(values: pd.Series, func: Callable[[str], object], dtype: str = "object") -> pd.Series:
    """Apply ``func`` to each distinct non-missing value of ``values`` and map the results back.

    With ``dtype="category"`` the result is built from codes (no per-row values); its categories are the
    distinct results, unused ones included (see :func:`tidy_categories`).
    """
    codes, uniques = distinct(values)
    results = [func(str(u)) for u in uniques]
    if dtype == "category":
        result_codes, categories = pd.factorize(np.array(results, dtype=object))
        return categorical(by_code(narrow(result_codes, len(categories)), codes, -1), categories, values.index)
    return pd.Series(array_by_code(results, codes, dtype), index=values.index)


def _non_blank(func: Callable[[str], object]) -> Callable[[str], object]:
    """``func`` of the stripped text; None for blank text (as :func:`blank_to_na` then ``func``)."""

    def apply(text: str) -> object:
        text = text.strip()
        return func(text) if text else None

    return apply


def map_non_blank(values: pd.Series, func: Callable[[str], object], dtype: str = "object") -> pd.Series:
    """``map_distinct(blank_to_na(values), func, dtype)`` in one pass over the distinct values."""
    return map_distinct(values, _non_blank(func), dtype)


def blank_to_na(values: pd.Series) -> pd.Series:
    """Strip whitespace; empty strings become NA."""
    return map_non_blank(values, str, "string")


def collapse_spaces(values: pd.Series, dtype: str = "string") -> pd.Series:
    """Trim and collapse inner whitespace (free text: site, district, detail, donor)."""
    return map_non_blank(values, lambda v: " ".join(v.split()), dtype)




# ------------------------------------------------------------------------------------------- vocabularies


def _lookup(name: str, cfg: Configuration) -> Callable[[str], object]:
    table = vocabulary(name, cfg)
    return lambda text: table.get(fold(text))


def parse_vocabulary(values: pd.Series, name: str, cfg: Configuration, dtype: str = "string") -> pd.Series:
    """Values matched against vocabulary ``name`` of ``config/vocabularies.yml`` (``F``, ``Kadın``, ``Erkek çocuk``
    → female, male; ``Suriye`` → Syrian; ...); NA when not understood."""
    return map_non_blank(values, _lookup(name, cfg), dtype)


def parse_yes_no(values: pd.Series, cfg: Configuration) -> pd.Series:
    """yes/no/evet/hayır/1/0 to a nullable boolean."""
    answer = _lookup("yes_no", cfg)
    return map_non_blank(values, lambda text: {"yes": True, "no": False}.get(answer(text)), "boolean")


def _counted_as(text: str, rule: dict) -> str:
    """An unrecognised value as quality.json may show it: identifier-shaped text is withheld (``rule``:
    ``withheld`` of ``vocabularies.yml``)."""
    return rule["label"] if sum(c.isdigit() for c in text) >= rule["min_digits"] else text


def unrecognised_values(raw: pd.DataFrame, rows: pd.Index, cfg: Configuration) -> dict[str, dict[str, int]]:
    """Per coded column (:func:`helpers.columns.coded_columns`), each value outside its vocabulary among ``rows``
    of ``raw`` with its count.

    Counted through the category codes of the kept rows, each distinct value parsed once.
    """
    positions = raw.index.get_indexer(rows)
    result = {}
    withheld = cfg.load("vocabularies")["withheld"]
    for column, vocabulary in coded_columns(cfg).items():
        if column not in raw.columns:
            continue
        values = categories(raw[column])
        codes = values.cat.codes.to_numpy()[positions]
        counts = np.bincount(codes[codes >= 0], minlength=len(values.cat.categories))
        used = np.flatnonzero(counts)
        texts = pd.Series(values.cat.categories[used].astype(str), dtype="string")
        unknown = (parse_vocabulary(texts, vocabulary, cfg).isna().to_numpy()
                   & (texts.str.strip() != "").to_numpy(dtype=bool))
        tally: dict[str, int] = {}
        for text, n in zip(texts[unknown], counts[used][unknown], strict=True):
            label = _counted_as(text.strip(), withheld)
            tally[label] = tally.get(label, 0) + int(n)
        result[column] = dict(sorted(tally.items(), key=lambda item: (-item[1], item[0])))
    return result


def derive_population_group(explicit: pd.Series, nationality: pd.Series) -> pd.Series:
    """Explicit group when given; otherwise Turkish nationals are host community, others refugee/migrant.

    A categorical (``unknown`` when neither is known).
    """
    derived = map_distinct(nationality, lambda n: "host community" if n == "Turkish" else "refugee/migrant",
                           "category")
    return coalesce(explicit.astype("category"), derived, default="unknown")


def whole(numbers: pd.Series) -> pd.Series:
    """Numbers known to be whole (validated, or rounded) as nullable integers, without a per-value check."""
    return pd.Series(integers(numbers.to_numpy(dtype="float64")), index=numbers.index, copy=False)


def age_in_range(age: pd.Series) -> pd.Series:
    """Ages outside 0–120 become unknown (NA); the record is kept."""
    return age.where((age >= 0) & (age <= 120)).round()


def age_from_birth(birth: pd.Series, on: pd.Series) -> pd.Series:
    """Whole years between date of birth and service date."""
    years = on.dt.year - birth.dt.year
    before_birthday = (on.dt.month < birth.dt.month) | ((on.dt.month == birth.dt.month) & (on.dt.day < birth.dt.day))
    return (years - before_birthday.astype("int64")).astype("float64")


def age_groups(age: pd.Series, groups: dict[str, tuple[int, int]]) -> pd.Series:
    """The SADD age group of each whole age (``groups``: ``age_groups`` of ``indicators.yml``), else ``unknown``."""
    bins = [next(iter(groups.values()))[0] - 1, *(oldest for _, oldest in groups.values())]
    codes = interval_codes(age.to_numpy(dtype="float64"), bins)
    codes[codes < 0] = len(groups)  # unknown
    dtype = pd.CategoricalDtype([*groups, "unknown"], ordered=True)  # ordered, as pd.cut makes them
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=age.index)


def normalise_item(text: str, synonyms: Mapping[str, str]) -> str:
    """Lower case, singular: ``Hygiene Kits`` → ``hygiene kit``; synonyms (``maske`` → ``mask``) from config."""
    words = turkish_lower(" ".join(text.split())).split(" ")
    key = fold(" ".join(words))
    if key in synonyms:
        return synonyms[key]
    last = words[-1]
    if len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        words[-1] = last[:-1]
    singular = " ".join(words)
    return synonyms.get(fold(singular), singular)


def normalise_items(values: pd.Series, synonyms: Mapping[str, str], dtype: str = "string") -> pd.Series:
    """Vectorised :func:`normalise_item`."""
    folded = {fold(k): v for k, v in synonyms.items()}
    return map_non_blank(values, lambda v: normalise_item(v, folded), dtype)


def _activity_key(text: object) -> str:
    """An activity code or label folded, with ``_``, ``-`` and spaces between words alike."""
    return " ".join(re.split(r"[\s_\-]+", fold(text))).strip()


def activity_names(catalogue: pd.DataFrame) -> dict[str, str]:
    """Folded code, short English label, Turkish label and every other name (``names``, any language) of each
    catalogue activity → its code.

    Raises :class:`VocabularyError` when two activities share a code, label or name, naming both: a raw value
    spelt so would be a guess.
    """
    columns = [catalogue.get(label, pd.Series(index=catalogue.index)) for label in ("label_en", "label_tr")]
    names = catalogue.get("names", pd.Series(index=catalogue.index)).map(
        lambda spellings: tuple(s for lang in sorted(spellings) for s in spellings[lang])
        if isinstance(spellings, dict) else ())
    return _activity_names(tuple((code, *labels, *more) for code, *labels, more
                                 in zip(catalogue.index, *columns, names, strict=True)))


@cache
def _activity_names(activities: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    names: dict[str, str] = {}
    for code, *labels in activities:
        for name in (code, *labels):
            if name is None or pd.isna(name):
                continue
            if names.setdefault(_activity_key(name), code) != code:
                raise VocabularyError(f"config/activities.yml: {name!r} names both {names[_activity_key(name)]} "
                                      f"and {code}")
    return names


def activity_codes(values: pd.Series, catalogue: pd.DataFrame, dtype: str = "string") -> pd.Series:
    """The catalogue code each raw activity names (code in any case, ``prot_case_mgmt``, ``Vaka yönetimi``,
    ``Case management``); NA for a value that names no activity."""
    names = activity_names(catalogue)
    return map_non_blank(values, lambda text: names.get(_activity_key(text)), dtype)


def id_texts(text: pa.Array) -> pa.Array:
    """Identifier strings trimmed and upper-cased (blank: null): Arrow for plain ASCII ids, Python for the rest."""
    simple = pc.and_(pc.string_is_ascii(text), pc.invert(pc.match_substring_regex(text, EDGE_SPACE)))
    simple = pc.fill_null(pc.and_(simple, pc.not_equal(text, "")), True)
    other = np.flatnonzero(~simple.to_numpy(zero_copy_only=False))
    if len(other):
        fixed = pa.array([_normalise_id(v) for v in text.take(other).to_pylist()], pa.large_string())
        text = pc.replace_with_mask(text, pa.array(~simple.to_numpy(zero_copy_only=False)), fixed)
    return pc.if_else(simple, pc.ascii_upper(text), text)


def _normalise_id(text: str) -> str | None:
    return text.strip().upper() or None
