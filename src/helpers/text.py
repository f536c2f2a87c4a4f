"""Text as the project matches and prints it. Turkish-aware folding first: ``str.lower()`` turns ``İ`` into two
characters, so never use it on names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from rapidfuzz import fuzz, process

_TURKISH_LOWER = str.maketrans({"İ": "i", "I": "ı"})
_ASCII_FOLD = str.maketrans({"ı": "i", "ş": "s", "ğ": "g", "ü": "u", "ö": "o", "ç": "c", "â": "a", "î": "i", "û": "u"})
_SEPARATORS = re.compile(r"[\s_\-/.]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def turkish_lower(text: str) -> str:
    """Lower-case with Turkish rules: ``İ``→``i``, ``I``→``ı``."""
    return text.translate(_TURKISH_LOWER).lower()


def fold(text: object) -> str:
    """Fold to plain lower-case ASCII for matching: dotted and dotless I, ş, ğ, ü, ö, ç all collapse.

    Case-insensitive on both Turkish and English capitals: ``İSTANBUL``, ``ISTANBUL`` and ``istanbul``
    fold to ``istanbul``; whitespace is collapsed and trimmed.
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = s.translate(_TURKISH_LOWER).lower().translate(_ASCII_FOLD)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.split())


def header_key(text: object) -> str:
    """Key for matching column headers: folded, with spaces, ``_``, ``-``, ``/`` and ``.`` removed."""
    return _SEPARATORS.sub("", fold(text))


def nearest(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """The ``limit`` names of ``known`` closest to ``name`` (rapidfuzz WRatio), for an error that suggests."""
    return [match for match, _, _ in process.extract(str(name), list(known), scorer=fuzz.WRatio, limit=limit)]


def day(moment: date) -> str:
    """A date as printed in a report: ``2 December 2026``."""
    return f"{moment.day} {moment:%B %Y}"


def printable(text: object) -> str:
    """``text`` safe for a terminal: control and bidirectional-override characters shown as ``\\x1b``/``\\u202e``
    (a raw cell could otherwise recolour or rewrite the screen)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def file_name(name: str) -> str:
    """A file name as outputs show it: bytes that are not UTF-8 (a Windows archive unpacked here, which Python
    keeps as surrogates that no file can be written with) escaped, ``rapor-\\xfe.csv``; others as they are."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
