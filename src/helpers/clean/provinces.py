"""Resolve any spelling of a Turkish province to its official name, plate, ISO 3166-2 code and OCHA p-code.

Values are compared on a key: folded with ``helpers.text.fold``, punctuation and filler words (``ili``,
``province``, ``merkez``) dropped, spaces removed, so ``Ş. Urfa``, ``S.URFA`` and ``şurfa`` share one key.
A value resolves with certainty when it is a code (plate ``63``, ISO ``TR-63``, p-code ``TUR063``), an
official name, an analyst's alias (``config/province_aliases.csv``) or a name with the old centre or a
district beside it (``KOCAELİ (İZMİT)``, ``Şanlıurfa / Haliliye``). A district name
(``data/reference/turkiye-districts.csv``) is never a province: it is rejected with a hint naming the
district's province. Otherwise a fuzzy match corrects a
typo only when it is close to one province *and* clearly farther from every other province and every
district of another province; an abbreviation (``K.kale``) is never matched fuzzily. So a value is either
resolved to the right province or left unresolved with a hint, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ftfy
import numpy as np
import pandas as pd
import pycountry
from rapidfuzz import process
from rapidfuzz.distance import OSA

from helpers.paths import CONFIG_DIR, REFERENCE_DIR
from helpers.text import fold

ALIASES_FILE = CONFIG_DIR / "province_aliases.csv"  # the repository's; a run passes its configuration's
DISTRICTS_FILE = REFERENCE_DIR / "turkiye-districts.csv"
FUZZY_THRESHOLD = 80.0
"""Smallest similarity (100 × (1 − typos / length), typos counted as in ``rapidfuzz.distance.OSA``) for a
fuzzy match: one typo in a 5-letter name, two in a 10-letter one; shorter names must be spelled right."""
FUZZY_MARGIN = 2
"""How many more typos the runner-up province must need (``Izmi``, one typo from both İzmir and İzmit, is
rejected). A district of another province must need more typos than the province and, if it is itself
within the threshold, this many more (``Adala``, one typo from Adana and from the district Adalar of
İstanbul, is rejected)."""

# pycountry spellings that differ from the official Turkish ones (TÜİK and the governorship).
_OFFICIAL_NAME = {"TR-30": "Hakkari"}
_NON_WORD = re.compile(r"[\W_]+")
_FILLER_WORDS = frozenset({"il", "ili", "the", "province", "prov", "city", "merkez", "merkezi", "turkey", "turkiye"})
# Codes on the folded value: OCHA p-code TUR063, ISO 3166-2 TR-63 / TR63, plate 63, 06 or 6 (also 6.0 from Excel).
_CODE = re.compile(r"tur[-_. ]?(?P<pcode>\d{3})|tr[-_. ]?(?P<iso>\d{2})|(?P<plate>\d{1,2})(?:[.,]0+)?")
# An abbreviation: a word of at most three letters followed by a dot (``K.kale``, ``G. Antep``, ``K.M.Maraş``).
_ABBREVIATION = re.compile(r"(?:^|[^\w])\w{1,3}\s*\.\s*\w")
# Parts of a composite value: brackets, slashes, commas, semicolons or a spaced dash separate them.
_PARTS = re.compile(r"\s*[()\[\]/,;]\s*|\s+[-–]\s+")
_RESOLVED = ("code", "exact", "alias", "repaired", "prefix", "dotless")
# Windows-1254 text read as Latin-1 shows these letters where Turkish ones were (ı → ý, ş → þ, ğ → ð, İ Ş Ğ).
_CP1254_AS_LATIN1 = frozenset("ýþðÝÞÐ")
_DOT_PREFIX = re.compile(r"(\w{3,})\s*\.")  # "Eskişe.", "Balıke.": a name cut short with a dot
_MANY_PROVINCES = 5  # a district name in more provinces than this is hinted by count, not by list


def _words(value: object) -> list[str]:
    return _NON_WORD.sub(" ", fold(value)).split()


def province_key(value: object) -> str:
    """Matching key of a province spelling: ``"Ş. Urfa ili"`` → ``"surfa"``; blank for NA."""
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return ""
    return "".join(w for w in _words(value) if w not in _FILLER_WORDS)


def _district_key(value: object) -> str:
    """Key of a district name: like the province key but keeping filler words (``Merkez`` is a district)."""
    return "".join(_words(value))


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
    reference["pcode"] = "TUR0" + reference["plate"]
    return reference


@cache
def _names() -> tuple[str, ...]:
    """Official names by reference row (plain tuple: indexing it per value is cheap)."""
    return tuple(_reference()["province"])


def province_reference() -> pd.DataFrame:
    """The 81 provinces in plate order: ``province`` (official spelling), ``plate`` (``"01"``..``"81"``),
    ``iso_code`` (``"TR-01"``..``"TR-81"``), ``pcode`` (OCHA ``"TUR001"``..``"TUR081"``)."""
    return _reference().copy()


@cache
def _districts() -> pd.DataFrame:
    return pd.read_csv(DISTRICTS_FILE, dtype="string", keep_default_na=False, encoding="utf-8")


def district_reference() -> pd.DataFrame:
    """Türkiye's 973 districts: ``province``, ``plate``, ``district`` (see ``data/reference/README.md``)."""
    return _districts().copy()


@dataclass(frozen=True)
class _Matcher:
    official: dict[str, int]  # key of an official name -> reference row
    aliases: dict[str, int]  # key of an alias -> reference row
    choices: list[str]  # keys for fuzzy matching (official names, aliases but abbreviations), by province
    starts: np.ndarray  # first column of each province's group in ``choices``
    districts: dict[str, tuple[str, tuple[int, ...]]]  # district key -> (its name, reference rows)
    district_keys: list[str]  # for fuzzy distance to a district
    district_row: np.ndarray  # reference row of each district key, -1 when in several provinces


def _read_districts() -> dict[str, tuple[str, tuple[int, ...]]]:
    table = _districts()
    rows: dict[str, tuple[str, list[int]]] = {}
    for name, plate in zip(table["district"], table["plate"], strict=True):
        rows.setdefault(_district_key(name), (name, []))[1].append(int(plate) - 1)
    return {key: (name, tuple(found)) for key, (name, found) in rows.items()}


def _read_aliases(path: Path, official: dict[str, int], districts: dict) -> tuple[dict[str, int], set[str]]:
    """Alias keys → reference row, and the keys of abbreviations. An alias naming no official province,
    or another one, or a district of another province only, is an error."""
    table = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8")
    rows = {name: i for i, name in enumerate(_reference()["province"])}
    aliases: dict[str, int] = {}
    abbreviations: set[str] = set()
    for line, (alias, province) in enumerate(zip(table["alias"], table["province"], strict=True), start=2):
        key, row = province_key(alias), rows.get(province)
        if row is None:
            raise ValueError(f"{path}:{line}: {province!r} is not an official province name")
        if not key or official.get(key, aliases.get(key, row)) != row:
            raise ValueError(f"{path}:{line}: alias {alias!r} is blank or already means another province")
        if row not in districts.get(_district_key(alias), ("", (row,)))[1]:
            raise ValueError(f"{path}:{line}: alias {alias!r} is a district of another province")
        aliases[key] = row
        if _ABBREVIATION.search(fold(alias)):
            abbreviations.add(key)
    return aliases, abbreviations


@cache
def _matcher(path: Path, mtime_ns: int) -> _Matcher:
    """Lookup tables for one version of the alias file (an edited file is re-read)."""
    official = {province_key(name): i for i, name in enumerate(_reference()["province"])}
    districts = _read_districts()
    aliases, abbreviations = _read_aliases(path, official, districts)
    by_province = sorted((row, key) for key, row in (official | aliases).items() if key not in abbreviations)
    rows = np.array([row for row, _ in by_province])
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    district_row = np.array([found[0] if len(found) == 1 else -1 for _, found in districts.values()])
    return _Matcher(
        official, aliases, [key for _, key in by_province], starts, districts, list(districts), district_row
    )


def _code_row(value: object) -> int:
    """Reference row of a plate, ISO or p-code value; -1 when the value is not such a code."""
    match = _CODE.fullmatch(fold(value))
    number = int(next((g for g in match.groups() if g), "0")) if match else 0
    return number - 1 if 1 <= number <= 81 else -1


def _certain(value: object, matcher: _Matcher) -> tuple[int, str]:
    """Reference row and method of a value that is a code, an official name or an alias; (-1, "") if not."""
    key = province_key(value)
    if (row := _code_row(value)) >= 0:
        return row, "code"
    if key in matcher.official:
        return matcher.official[key], "exact"
    return matcher.aliases.get(key, -1), "alias" if key in matcher.aliases else ""


def _typed(value: object, matcher: _Matcher) -> tuple[int, str]:
    """A province as people really type it, resolved only where certain (a correction, listed by check):

    - ``repaired``: mis-decoded text (Windows-1254 read as Latin-1, ``Þanlýurfa``; UTF-8 read as Windows-1252,
      ``ÅžanlÄ±urfa``, fixed by ftfy) whose repair is a code, official name or alias;
    - ``prefix``: a name cut short with a dot (``Eskişe.``) that begins exactly one province and no district;
    - ``dotless``: an official name typed without its dotless ı (``aydn``, ``krkkale``), when no other province
      or district is spelt so.
    """
    text = unicodedata.normalize("NFKC", str(value)).strip()
    repairs = [ftfy.fix_encoding(text)]  # mojibake only (not escapes, quotes or spacing)
    if _CP1254_AS_LATIN1 & set(text):
        repairs.append(text.encode("latin-1", errors="ignore").decode("cp1254", errors="ignore"))
    for repaired in repairs:
        if repaired != text and (row := _certain(repaired, matcher)[0]) >= 0:
            return row, "repaired"
    if (cut := _DOT_PREFIX.fullmatch(text)) and (prefix := province_key(cut[1])):
        provinces = {row for key, row in matcher.official.items() if key.startswith(prefix)}
        if len(provinces) == 1 and not any(key.startswith(prefix) for key in matcher.districts):
            return provinces.pop(), "prefix"
    if (row := _dotless(matcher).get(province_key(text), -1)) >= 0:
        return row, "dotless"
    return -1, ""


@cache
def _dotless_keys(official: tuple[tuple[str, int], ...], districts: frozenset[str]) -> dict[str, int]:
    names = _names()
    found: dict[str, set[int]] = {}
    for _, row in official:
        if "ı" in names[row] or "I" in names[row]:
            found.setdefault(province_key(names[row].replace("ı", "").replace("I", "")), set()).add(row)
    taken = {key for key, _ in official} | districts
    return {key: rows.pop() for key, rows in found.items() if len(rows) == 1 and key not in taken}


def _dotless(matcher: _Matcher) -> dict[str, int]:
    """Key of each official name without its ı → its row, when that spelling is nobody else's."""
    return _dotless_keys(tuple(sorted(matcher.official.items())), frozenset(matcher.districts))


def _district_hint(name: str, rows: tuple[int, ...]) -> str:
    provinces = [_names()[row] for row in rows]
    if len(provinces) == 1:
        return f"{name} is a district of {provinces[0]}, not a province"
    if len(provinces) > _MANY_PROVINCES:
        return f"{name} is a district name in {len(provinces)} provinces: the province is needed"
    return f"{name} is a district name in several provinces: {', '.join(provinces)}"


def _composite(value: object, matcher: _Matcher, threshold: float) -> tuple[int, str, str]:
    """``KOCAELİ (İZMİT)``, ``Şanlıurfa / Haliliye``, ``Amasra (Bartın)``: the one province that the parts
    name (as a code, name or alias), when every other part is that province, one of its districts or
    nothing known; parts naming different provinces give a hint instead. A part within fuzzy reach of
    another province (``Hatay / Osmaiye``) names that one too: the site may serve both, or the row be theirs.
    """
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split())
    parts = [part for part in _PARTS.split(text) if province_key(part)]
    if len(parts) < 2:
        return -1, "", ""
    certain = [_certain(part, matcher) for part in parts]
    in_districts = [matcher.districts.get(_district_key(part), ("", ()))[1] for part in parts]
    unknown = [i for i, ((r, _), d) in enumerate(zip(certain, in_districts, strict=True)) if r < 0 and not d]
    typo_of = {}
    if unknown:
        best, similarity, *_ = _closest([province_key(parts[i]) for i in unknown], matcher)
        typo_of = {i: int(b) for i, b, s in zip(unknown, best, similarity, strict=True) if s >= threshold}
    named = {row for row, _ in certain if row >= 0}
    if len(named) == 1:
        (row,) = named
        if all(r == row or (row in d if d else typo_of.get(i, row) == row)
               for i, ((r, _), d) in enumerate(zip(certain, in_districts, strict=True))):
            return row, next(method for r, method in certain if r == row), ""
    provinces = named | {d[0] for (r, _), d in zip(certain, in_districts, strict=True) if r < 0 and len(d) == 1}
    if not named:
        only = _names()[min(provinces)] if len(provinces) == 1 else ""
        return -1, "", only and f"districts of {only}, not a province"
    provinces |= set(typo_of.values())
    notes = [f"{parts[i]} is closest to {_names()[row]}" for i, row in typo_of.items() if row not in named]
    notes += [_district_hint(matcher.districts[_district_key(part)][0], d)
              for part, d in zip(parts, in_districts, strict=True) if len(d) > 1 and not named & set(d)]
    names = ", ".join(_names()[row] for row in sorted(provinces))
    start = "the parts name different provinces" if len(provinces) > 1 else "the parts do not name one province"
    return -1, "", "; ".join([f"{start}: {names}", *notes])


def _closest(keys: list[str], matcher: _Matcher) -> tuple[np.ndarray, ...]:
    """For each key: the reference row of the province needing fewest typos, its similarity (0-100), how
    many more typos the runner-up province needs, and the nearest district of another province (its key
    index), how many more typos it needs and its similarity."""
    typos = process.cdist(keys, matcher.choices, scorer=OSA.distance, dtype=np.int32)
    longer = np.maximum.outer([len(k) for k in keys], [len(c) for c in matcher.choices])
    similarity = np.maximum.reduceat(100 * (1 - typos / longer), matcher.starts, axis=1)
    typos = np.minimum.reduceat(typos, matcher.starts, axis=1)
    top2 = np.argsort(typos, axis=1, kind="stable")[:, :2]
    fewest, runner_up = np.take_along_axis(typos, top2, axis=1).T
    best, at = top2[:, 0], np.arange(len(keys))
    to_district = process.cdist(keys, matcher.district_keys, scorer=OSA.distance, dtype=np.int32)
    to_district[matcher.district_row[None, :] == best[:, None]] = np.iinfo(to_district.dtype).max // 2
    district = to_district.argmin(axis=1)
    district_typos = to_district[at, district]
    longer = np.maximum([len(k) for k in keys], [len(matcher.district_keys[d]) for d in district])
    district_similarity = 100 * (1 - district_typos / longer)
    return best, similarity[at, best], runner_up - fewest, district, district_typos - fewest, district_similarity


def _settle(value: object, matcher: _Matcher, threshold: float) -> tuple[int, str, str | None]:
    """Row, outcome and hint of a value before fuzzy matching. Outcome: ``code``, ``exact`` or ``alias``
    (resolved); ``blank``; ``district`` (row: its province if only one); ``conflict`` (bracketed parts
    disagree); ``fuzzy`` (left for fuzzy matching; an abbreviation has a hint and can only be named)."""
    if (pd.api.types.is_scalar(value) and pd.isna(value)) or not _words(value):
        return -1, "blank", None
    row, method = _certain(value, matcher)
    if row >= 0:
        return row, method, None
    row, method = _typed(value, matcher)
    if row >= 0:
        return row, method, None
    row, method, hint = _composite(value, matcher, threshold)
    if row >= 0 or hint:
        return row, method or "conflict", hint
    district = matcher.districts.get(_district_key(value)) or matcher.districts.get(province_key(value))
    if district:
        return (district[1][0] if len(district[1]) == 1 else -1), "district", _district_hint(*district)
    if not province_key(value):  # only filler words: "ili"
        return -1, "blank", None
    return -1, "fuzzy", "an abbreviation not in the alias list" if _ABBREVIATION.search(fold(value)) else None


def resolve_provinces(
    values: Iterable[object],
    threshold: float = FUZZY_THRESHOLD,
    margin: int = FUZZY_MARGIN,
    aliases: Path = ALIASES_FILE,
) -> pd.DataFrame:
    """Resolve each distinct value once; map back with ``col.map(result.set_index("value")["province"])``.

    One row per distinct value: ``province``, ``plate``, ``iso_code``, ``pcode`` (NA when unresolved),
    ``method`` (``code``, ``exact``, ``alias``, ``fuzzy`` or ``unresolved``), ``score`` (similarity 0-100 to
    ``candidate``), ``candidate`` (the closest province, named for unresolved values too; for a district
    name, the district's province), ``reason`` (``missing_required`` when blank, ``unknown_province`` when
    otherwise unresolved, NA when resolved) and ``hint`` (why an unknown value was not resolved, for the
    rejects file). ``aliases``: the province aliases file; a run passes its configuration's
    (``cfg.path("province_aliases.csv")``).
    """
    matcher = _matcher(aliases, aliases.stat().st_mtime_ns)
    distinct = (values if isinstance(values, pd.Series) else pd.Series(list(values))).unique()
    settled = [_settle(value, matcher, threshold) for value in distinct]
    row = np.array([r for r, _, _ in settled], dtype=int)
    method = np.array([m for _, m, _ in settled], dtype=object)
    hint = np.array([h for _, _, h in settled], dtype=object)
    blank, todo = method == "blank", np.flatnonzero(method == "fuzzy")
    score = np.where(method == "district", np.nan, np.where(np.isin(method, list(_RESOLVED)), 100.0, 0.0))
    method[~np.isin(method, list(_RESOLVED))] = "unresolved"
    if len(todo):
        keys = [province_key(distinct[i]) for i in todo]
        row[todo], score[todo], lead, district, district_lead, district_score = _closest(keys, matcher)
        # a district of another province competes when it is as close, or itself within typo distance
        near = (district_lead <= 0) | ((district_score >= threshold) & (district_lead < margin))
        ok = (score[todo] >= threshold) & (lead >= margin) & ~near & ~hint[todo].astype(bool)
        method[todo[ok]] = "fuzzy"
        names = [matcher.districts[matcher.district_keys[d]] for d in district]
        for i, is_near, lead_d, (name, rows), s in zip(todo, near, district_lead, names, score[todo], strict=True):
            closest = f"closest: {_names()[row[i]]} ({s:.0f})" if s > 0 else "no close province"
            district_text = f"the district {name} ({', '.join(_names()[r] for r in rows)})"
            if is_near and lead_d < 0:
                closest = f"closest: {district_text}; closest province: {closest.removeprefix('closest: ')}"
            elif is_near and s > 0:
                closest += f"; also close to {district_text}"
            hint[i] = "; ".join(filter(None, [hint[i], closest])) if method[i] != "fuzzy" else None
    closest = _reference().reindex(row).reset_index(drop=True)  # row -1 (blank) becomes all NA
    resolved = method != "unresolved"
    reason = np.where(blank, "missing_required", "unknown_province")
    return pd.DataFrame(
        {
            "value": pd.Series(distinct),
            "province": closest["province"].where(resolved),
            "plate": closest["plate"].where(resolved),
            "iso_code": closest["iso_code"].where(resolved),
            "pcode": closest["pcode"].where(resolved),
            "method": pd.Series(method, dtype="string"),
            "score": score.round(1),
            "candidate": closest["province"].where(~blank & ((score > 0) | np.isnan(score))),
            "reason": pd.Series(reason, dtype="string").where(~resolved),
            "hint": pd.Series(hint, dtype="string").where(~resolved & ~blank),
        }
    )
