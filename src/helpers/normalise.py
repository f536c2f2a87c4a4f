"""Vectorised normalisers for raw values.

Every function parses each DISTINCT raw value once and maps the result back through category codes, so a
column of ten million rows costs one pass over its few hundred distinct values. Blank input gives NA;
input that is present but not understood also gives NA, and ``present & result.isna()`` is how the
schema recognises an invalid value.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.text import fold, turkish_lower

AGE_BINS = [-1, 4, 11, 17, 59, 200]
AGE_GROUPS = ["0-4", "5-11", "12-17", "18-59", "60+"]
SEXES = ["female", "male", "other", "unknown"]
POPULATION_GROUPS = ["refugee/migrant", "host community", "unknown"]

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
_SPACES = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
EDGE_SPACE = f"^[{_SPACES}]|[{_SPACES}]$"  # matches text that str.strip() changes (an RE2 pattern)

_SEX = {
    "f": "female", "female": "female", "woman": "female", "girl": "female", "k": "female", "kadin": "female",
    "kiz": "female", "kiz cocuk": "female", "m": "male", "male": "male", "man": "male", "boy": "male",
    "e": "male", "erkek": "male", "erkek cocuk": "male", "other": "other", "diger": "other",
    "unknown": "unknown", "bilinmiyor": "unknown",
}
_YES_NO = {"yes": True, "y": True, "evet": True, "var": True, "1": True, "true": True,
           "no": False, "n": False, "hayir": False, "yok": False, "0": False, "false": False}
_NATIONALITY = {
    "syrian": "Syrian", "syria": "Syrian", "suriye": "Syrian", "suriyeli": "Syrian", "sy": "Syrian",
    "afghan": "Afghan", "afghanistan": "Afghan", "afganistan": "Afghan", "afgan": "Afghan",
    "iraqi": "Iraqi", "iraq": "Iraqi", "irak": "Iraqi", "irakli": "Iraqi",
    "iranian": "Iranian", "iran": "Iranian", "iranli": "Iranian",
    "ukrainian": "Ukrainian", "ukraine": "Ukrainian", "ukrayna": "Ukrainian", "ukraynali": "Ukrainian",
    "turkish": "Turkish", "turkiye": "Turkish", "turkey": "Turkish", "turk": "Turkish", "tc": "Turkish",
    "other": "other", "diger": "other",
}
_POPULATION = {
    "refugee": "refugee/migrant", "migrant": "refugee/migrant", "refugee/migrant": "refugee/migrant",
    "refugee migrant": "refugee/migrant", "asylum seeker": "refugee/migrant", "multeci": "refugee/migrant",
    "gocmen": "refugee/migrant", "siginmaci": "refugee/migrant", "gkk": "refugee/migrant",
    "sutp": "refugee/migrant", "ip": "refugee/migrant",
    "host": "host community", "host community": "host community", "ev sahibi": "host community",
    "ev sahibi toplum": "host community", "yerel halk": "host community",
}


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes (-1 for NA) and the distinct values: free for a categorical, one hash pass otherwise."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories
    return pd.factorize(values)


def map_distinct(values: pd.Series, func: Callable[[str], object], dtype: str = "object") -> pd.Series:
    """Apply ``func`` to each distinct non-missing value of ``values`` and map the results back.

    With ``dtype="category"`` the result is built from codes (no per-row values); its categories are the
    distinct results, unused ones included (see :func:`tidy_categories`).
    """
    codes, uniques = _distinct(values)
    results = [func(str(u)) for u in uniques]
    if dtype == "category":
        result_codes, categories = pd.factorize(np.array(results, dtype=object))
        return categorical(by_code(narrow(result_codes, len(categories)), codes, -1), categories, values.index)
    return pd.Series(_spread(pd.array([*results, None], dtype=dtype), codes), index=values.index)


def _spread(lookup, codes: np.ndarray):
    """``lookup[codes]``, code -1 taking the last entry (the missing value).

    Numbers, dates and booleans index NumPy arrays with the narrow codes directly: ``take`` would first copy
    the codes as 64-bit integers, at ten million rows the largest allocation of a normaliser.
    """
    if isinstance(lookup, pd.arrays.BooleanArray):
        return pd.arrays.BooleanArray(lookup.to_numpy(bool, na_value=False)[codes], lookup.isna()[codes])
    if lookup.dtype.kind in "fM":
        return lookup.to_numpy()[codes]
    return lookup.take(codes)


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


def categorical(codes: np.ndarray, categories, index: pd.Index) -> pd.Series:
    """A categorical Series from integer codes (-1: missing) and string categories."""
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype="string"))
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=index)


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


def _date(text: str) -> pd.Timestamp | None:
    text = text.strip()
    if m := _ISO.match(text):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DAY_FIRST.match(text):
        d, mo, y = (int(g) for g in m.groups())
    elif _SERIAL.match(text):
        return _EXCEL_EPOCH + pd.Timedelta(days=int(float(text)))
    else:
        return None
    try:
        return pd.Timestamp(year=y, month=mo, day=d)
    except ValueError:
        return None


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO, Turkish ``05.10.2022``, day-first ``05/10/2022`` and Excel serials to ``datetime64``."""
    return map_non_blank(values, _date, "datetime64[s]")


_THOUSANDS_DOT = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+$")


def _number(text: str) -> float:
    s = text.replace(" ", "").replace("\u00a0", "").replace("₺", "").replace("TL", "").replace("TRY", "")
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in s:
        s = s.replace(",", "") if _THOUSANDS_COMMA.match(s) else s.replace(",", ".")
    elif _THOUSANDS_DOT.match(s):
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return np.nan


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers written either way: ``1.234,50`` (Turkish), ``1,234.50``, ``1234,5``, ``12``."""
    return map_non_blank(values, _number, "float64")


def _lookup(table: Mapping[str, object]) -> Callable[[str], object]:
    return lambda text: table.get(fold(text), None)


def parse_sex(values: pd.Series, dtype: str = "string") -> pd.Series:
    """F/M/K/E/Female/Kadın/Erkek/Kız/Erkek çocuk/other to female, male, other (NA when not understood)."""
    return map_non_blank(values, _lookup(_SEX), dtype)


def parse_yes_no(values: pd.Series) -> pd.Series:
    """yes/no/evet/hayır/1/0 to a nullable boolean."""
    return map_non_blank(values, _lookup(_YES_NO), "boolean")


def parse_nationality(values: pd.Series, dtype: str = "string") -> pd.Series:
    """Syrian/Suriye, Afghan/Afganistan, ..., Turkish/Türk/TC to an English adjective or ``other``."""
    return map_non_blank(values, _lookup(_NATIONALITY), dtype)


def parse_population_group(values: pd.Series, dtype: str = "string") -> pd.Series:
    """Protection status words to ``refugee/migrant`` or ``host community``."""
    return map_non_blank(values, _lookup(_POPULATION), dtype)


def derive_population_group(explicit: pd.Series, nationality: pd.Series) -> pd.Series:
    """Explicit group when given; otherwise Turkish nationals are host community, others refugee/migrant.

    A categorical (``unknown`` when neither is known).
    """
    derived = map_distinct(nationality, lambda n: "host community" if n == "Turkish" else "refugee/migrant",
                           "category")
    return coalesce(explicit.astype("category"), derived, default="unknown")


def whole(numbers: pd.Series) -> pd.Series:
    """Numbers known to be whole (validated, or rounded) as nullable integers, without a per-value check."""
    values = numbers.to_numpy(dtype="float64", na_value=0).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(values, numbers.isna().to_numpy()), index=numbers.index)


def age_in_range(age: pd.Series) -> pd.Series:
    """Ages outside 0–120 become unknown (NA); the record is kept."""
    return age.where((age >= 0) & (age <= 120)).round()


def age_from_birth(birth: pd.Series, on: pd.Series) -> pd.Series:
    """Whole years between date of birth and service date."""
    years = on.dt.year - birth.dt.year
    before_birthday = (on.dt.month < birth.dt.month) | ((on.dt.month == birth.dt.month) & (on.dt.day < birth.dt.day))
    return (years - before_birthday.astype("int64")).astype("float64")


def age_groups(age: pd.Series) -> pd.Series:
    """SADD brackets 0-4, 5-11, 12-17, 18-59, 60+, unknown."""
    groups = pd.cut(age, bins=AGE_BINS, labels=AGE_GROUPS)
    return groups.cat.add_categories("unknown").fillna("unknown")


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


def normalise_code(text: str) -> str:
    """One activity code: trimmed, upper case, spaces and dashes to underscores."""
    return re.sub(r"[\s\-]+", "_", text.strip()).upper()


def normalise_codes(values: pd.Series, dtype: str = "string") -> pd.Series:
    """Activity codes: trimmed, upper case, spaces and dashes to underscores."""
    return map_non_blank(values, normalise_code, dtype)


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
