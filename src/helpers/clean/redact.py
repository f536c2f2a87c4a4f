"""Identifiers typed into free text: found, masked before anything is written, and counted.

Field staff type notes into free-text columns (site, activity detail, donor, ...). A phone number or an ID
number written there would otherwise reach the processed records, the indicator files and the report, and a
shifted row puts one into the activity or date column, from where it would reach ``rejects.csv``.

What is recognised: Turkish formats, and those of the countries the people served come from
(``origin_phone_regions`` in ``config/pipeline.yml``: Syria, Iraq, Afghanistan, Iran), and UNHCR's. Where a run
is at hand (cleaning, ``check``, ``publish``, the published totals) its caller passes the run's regions
(``regions``: :func:`origin_regions` of its configuration); ``None`` means the folder in use
(:func:`helpers.config.current`), kept only for masking that has no run: log lines and the CLI's error messages,
the raw file names of ``inputs.json`` (:func:`helpers.provenance.inputs.raw_hashes`, handed a folder only) and
``check``'s quoted cells.

- ``phone``: ten national digits with an area or operator code starting 2–5 or 8 (landlines 2xx–4xx,
  mobiles 5xx, 850), with or without ``+90``/``0090``/``90`` or the trunk ``0``, the code optionally in
  brackets, groups separated by spaces, dots, dashes, en dashes or slashes (spaced or not): ``0532 123 45 67``,
  ``+90 532 123 4567``, ``5321234567``, ``(0532) 123-45-67``, ``0532 - 123 45 67``, ``0212/555 12 34``;
- ``id number``: eleven digits, together or grouped by spaces or dots, that pass the TC Kimlik check digits
  (python-stdnum ``tr.tckimlik``); foreigner numbers (YKN, starting with 99) use the same check digits, so they
  are found the same way. An 11-digit
  number failing the check is not an issued number and is left alone;
- ``phone`` of the origin countries: any number the ``phonenumbers`` library (Google's libphonenumber metadata)
  finds valid for one of the ``origin_phone_regions``, written nationally (``0944 123 456``, ``0770 123 4567``,
  ``011 123 4567``) or internationally with ``+`` or ``00`` (``+963 944 123 456``, ``00963-944-123-456``,
  ``(+98) 912 345 6789``);
- ``id number`` also: any other run of exactly eleven digits: Syrian national numbers (الرقم الوطني, eleven
  digits, the first two the governorate) carry no public check digit, so every such run is taken for one;
- ``unhcr number``: UNHCR proGres file (case) numbers, ``123-12C12345`` and, since 2021, ``123-12-12345``, and
  individual numbers ``123-12345678``;
- ``passport``: one or two capital letters followed by six to nine digits, standing alone (``N012345678``,
  ``A12345678``, ``U 12345678``): Syrian, Iraqi, Iranian, Afghan and Turkish passports have this shape;
- ``e-mail``: ``name@domain.tld``;
- ``iban``: ``TR`` and 24 digits, spaces or dashes allowed, confirmed by the IBAN check digits (python-stdnum
  ``iban``).

Year ranges (``2022-2023``), dates, amounts (``1.250,50``), quarter and centre codes such as ``TUR063``,
``2022Q4`` or ``EDU_LANGUAGE``, and counts are too short or of the wrong shape to match.
Free text is masked in place (``Call [phone]``); a rejected value holding an identifier, or any run of ten or
more digits (non-breaking spaces read as spaces), is withheld whole (``(withheld: phone)``): the row number and
column in the rejects file tell the analyst where to look. All work is done once per distinct value.
"""

from __future__ import annotations

import itertools
import logging
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np
import pandas as pd
import phonenumbers
from stdnum import iban
from stdnum.tr import tckimlik

from helpers import config
from helpers.kernels import by_code, categorical, narrow

_SEPARATOR = r"(?:\s?[./\-–]\s?|\s)?"  # "0532 - 123", "0532/123", "0532–123" too
PATTERNS: dict[str, tuple[re.Pattern, Callable[[str], bool]]] = {  # in masking order
    "iban": (re.compile(r"(?<![A-Za-z0-9])TR(?:[ \-]?\d){24}(?!\d)", re.IGNORECASE),
             lambda match: iban.is_valid(match)),
    "e-mail": (re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])"),
               lambda match: True),
    "id number": (re.compile(r"(?<!\d)[1-9](?:[ .]?\d){10}(?!\d)"),  # also in groups: "123 456 789 50"
                  lambda match: tckimlik.is_valid(re.sub(r"\D", "", match))),
    "phone": (re.compile(rf"(?<!\d)(?:(?:\+|00)? ?90{_SEPARATOR}|0{_SEPARATOR})?"
                         rf"(?:\(0?[2-58]\d{{2}}\)|[2-58]\d{{2}}){_SEPARATOR}\d{{3}}{_SEPARATOR}\d{{2}}"
                         rf"{_SEPARATOR}\d{{2}}(?!\d)"),
              lambda match: True),
    "unhcr number": (re.compile(r"(?<![\w-])\d{3} ?- ?\d{2} ?[C-] ?\d{5}(?![\w-])|(?<![\w-])\d{3}-\d{8}(?![\w-])",
                                re.IGNORECASE), lambda match: True),
}
# After the phones of the origin countries (an Iraqi mobile written nationally also has eleven digits):
LATER: dict[str, tuple[re.Pattern, Callable[[str], bool]]] = {
    "id number": (re.compile(r"(?<![\d.,])\d{11}(?![\d]|[.,]\d)"), lambda match: True),
    "passport": (re.compile(r"(?<![\w-])[A-Z]{1,2} ?\d{6,9}(?![\w-])"), lambda match: True),
}
LONG_DIGITS = re.compile(r"\d{10,}")
SHAPED = "identifier-shaped"


Regions = Sequence[str] | None  # the origin countries' regions (ISO 3166 codes); None: the folder in use


def origin_regions(cfg: config.Configuration) -> tuple[str, ...]:
    """The origin countries' phone regions of a run's configuration (``origin_phone_regions``)."""
    return tuple(cfg.setting("origin_phone_regions"))


@cache
def _ascii_digits() -> dict[int, str]:
    """Each decimal digit of another script as its ASCII digit: a pass over every code point, about half a
    second, made the first time a text that is not ASCII is masked (not in every process that imports this)."""
    return {ord(c): str(unicodedata.digit(c)) for c in map(chr, range(sys.maxunicode + 1))
            if c.isdecimal() and not c.isascii()}


def mask(text: str, regions: Regions = None) -> tuple[str, Counter]:
    """``text`` with each identifier replaced by ``[kind]``, and how many of each kind were masked.

    Digits of other scripts (Arabic-Indic ``٠٥٣٢``, Persian, full-width) are matched as ASCII digits; text in
    which nothing is found comes back as it was.
    """
    if not text.isascii() and (ascii_digits := text.translate(_ascii_digits())) != text:
        masked, found = mask(ascii_digits, regions)
        return (masked, found) if found else (text, found)
    found = Counter()
    for kind, (pattern, valid) in PATTERNS.items():
        text = _sub(pattern, valid, kind, text, found)
    text = _origin_phones(text, found, regions)
    for kind, (pattern, valid) in LATER.items():
        text = _sub(pattern, valid, kind, text, found)
    return text, found


def _sub(pattern: re.Pattern, valid: Callable[[str], bool], kind: str, text: str, found: Counter) -> str:
    def replace(match: re.Match) -> str:
        if not valid(match.group()):
            return match.group()
        found[kind] += 1
        return f"[{kind}]"

    return pattern.sub(replace, text)


_DIGIT = re.compile(r"\d")


def _origin_phones(text: str, found: Counter, regions: Regions) -> str:
    """Phone numbers valid in one of the origin regions (libphonenumber's metadata), national or international.

    Only text with at least seven digits is searched: a phone number has more, and most labels have none.
    """
    if len(_DIGIT.findall(text)) < 7:
        return text
    for region in config.current().setting("origin_phone_regions") if regions is None else regions:
        spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, region,
                                                                           leniency=phonenumbers.Leniency.VALID)]
        for start, end in reversed(spans):
            text = f"{text[:start]}[phone]{text[end:]}"
            found["phone"] += 1
    return text


def masked_names(names: list[str], regions: Regions = None) -> dict[str, str]:
    """Each name (of a file, sheet or folder) → itself with identifiers masked, numbered (`` (2)``) where two
    distinct names mask alike, so files that differ only in a phone number stay apart."""
    result, taken = {}, set()
    for name in sorted(set(names)):
        label = base = masked(name, regions)
        for n in itertools.count(2):
            if label not in taken:
                break
            label = f"{base} ({n})"
        result[name] = label
        taken.add(label)
    return result


def masked(text: str, regions: Regions = None) -> str:
    """``text`` with every identifier masked (messages and log lines that quote file, sheet or header names)."""
    return mask(text, regions)[0]


class MaskIdentifiers(logging.Filter):
    """A logging filter that masks identifiers in each message before any handler writes it: log lines quote
    file, sheet and header names, which partners choose and may fill with a person's phone or ID number."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = masked(record.getMessage()), None
        return True


def mask_logs(*handlers: logging.Handler) -> None:
    """Mask identifiers in everything ``handlers`` write (all the root logger's handlers when none is given)."""
    for handler in handlers or logging.getLogger().handlers:
        handler.addFilter(MaskIdentifiers())


def kinds(text: str, regions: Regions = None) -> list[str]:
    """The kinds of identifier in ``text``, in :data:`PATTERNS` order; ``identifier-shaped`` for a run of
    ten or more digits that is none of them."""
    masked, found = mask(" ".join(text.split()), regions)  # pasted numbers often hold non-breaking spaces
    shaped = [SHAPED] if LONG_DIGITS.search(masked) else []
    return [kind for kind in dict.fromkeys([*PATTERNS, *LATER]) if found[kind]] + shaped


def mask_columns(records: pd.DataFrame, columns: list[str], regions: Regions = None) -> dict[str, dict[str, int]]:
    """Mask identifiers in ``columns`` of ``records`` (in place, as categoricals), once per category.

    Returns per column the number of records in which each kind was masked (columns with none left out).
    Masked categories that become equal ("Call [phone]" from two numbers) are merged; categories stay sorted.
    Only the rows of masked categories are counted, and the codes are recoded in one gather.
    """
    counts = {}
    for column in columns:
        values = records[column]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("category")
        results = [mask(category, regions) for category in values.cat.categories]
        hit = np.array([bool(found) for _, found in results])
        if not hit.any():
            continue
        codes = values.cat.codes.to_numpy()
        rows = np.bincount(codes[by_code(hit, codes, False)], minlength=len(hit))
        per_kind = Counter()
        for category in np.flatnonzero(hit):
            for kind in results[category][1]:
                per_kind[kind] += int(rows[category])
        counts[column] = dict(per_kind)
        labels = np.array([text for text, _ in results], dtype=object)
        kept = np.unique(labels)  # sorted, as the cleaner leaves every categorical
        recode = narrow(pd.Index(kept).get_indexer(labels), len(kept))
        records[column] = categorical(by_code(recode, codes, -1), kept, values.index)
    return counts


def withhold(rejects: pd.DataFrame, regions: Regions = None) -> dict[str, dict[str, int]]:
    """Replace (in place) each ``value`` of ``rejects`` that holds an identifier or a long digit run by
    ``(withheld: <kinds>)``; returns per rejected column the number of values withheld of each kind."""
    values = rejects["value"].astype("object")
    codes, distinct = pd.factorize(values)
    found = [kinds(v, regions) if isinstance(v, str) else [] for v in distinct]
    rows = np.flatnonzero(by_code(np.array([bool(k) for k in found]), codes, False))
    if not len(rows):
        return {}
    labels = np.array([f"(withheld: {', '.join(k)})" for k in found], dtype=object)
    values.iloc[rows] = labels[codes[rows]]  # rows with a finding: never blank (code -1)
    rejects["value"] = values
    counts: dict[str, Counter] = {}
    for column, code in zip(rejects["column"].iloc[rows].astype("object").fillna("(row)"), codes[rows],
                            strict=True):
        counts.setdefault(str(column), Counter()).update(found[code])
    return {column: dict(per_kind) for column, per_kind in counts.items()}


def masked_table(quality: dict) -> pd.DataFrame:
    """``quality["masked_identifiers"]`` as a table: where (records or rejects), column, kind, rows."""
    rows = [(part, column, kind, n) for part, columns in quality.get("masked_identifiers", {}).items()
            for column, per_kind in columns.items() for kind, n in per_kind.items()]
    return pd.DataFrame(rows, columns=["in", "column", "identifier", "rows"])
