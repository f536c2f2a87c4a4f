"""The report's languages: its words from gettext catalogues, its numbers and dates from CLDR (Babel).

The report is written in English in the code (the catalogue's messages); every other edition's words come from
``locales/<code>/LC_MESSAGES/report.po`` beside this module, read as it is (no compiled ``.mo`` to keep in
step), and its formats from Babel's CLDR data: ``67.389``, ``%12``, ``Ekim–Aralık 2022``, ``7 Aralık 2026`` in
Turkish; ``67,389``, ``12%``, ``October–December 2022``, ``7 December 2026`` in British English. The editions are
listed in ``config/report.yml`` (``languages``), the first the one the words are written in.

One edition is rendered per kernel (``notebooks/03_report.ipynb`` takes a ``language`` parameter), so the
language in use is one value: :func:`use` sets it, and :func:`_` and :func:`current` read it. An edition carries
the run's configuration (:attr:`Language.cfg`), so the words derived from it (:mod:`helpers.publication.labels`,
the figures' colours) come from the run, not from the folder in use. Messages kept in module constants are marked
with :func:`N_` and translated where they are printed.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent, parse_decimal

from helpers import config
from helpers.config import Configuration
from helpers.errors import ConfigError
from helpers.measure.disclosure import COMPLEMENTARY_MARK, PLOTTED_COMPLEMENTARY, suppress
from helpers.paths import Quarter

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "report"
_TURKIC_UPPER = str.maketrans({"i": "İ", "ı": "I"})  # Turkish and Azerbaijani: i → İ, ı → I
_TURKIC = ("tr", "az")


def N_(message: str) -> str:
    """Mark a message for the catalogue where it is defined; it is translated where printed (:func:`_`)."""
    return message


def catalogue_path(code: str) -> Path:
    """Where a language's catalogue is: ``locales/<code>/LC_MESSAGES/report.po``."""
    return LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Language:
    """One edition's language: ``code`` (the HTML ``lang``, the files' suffix) and its CLDR ``locale``, with the
    run's configuration ``cfg`` that lists it (whose categories, sections and sectors it names)."""

    code: str
    locale_name: str
    name: str
    source: bool = False  # the language the messages are written in: no catalogue, no file suffix
    cfg: Configuration | None = field(default=None, compare=False, repr=False)

    @cached_property
    def locale(self) -> Locale:
        return Locale.parse(self.locale_name)

    @cached_property
    def translations(self) -> gettext.NullTranslations:
        """The catalogue, compiled in memory from its ``.po`` file; fuzzy and empty entries are left out."""
        if self.source:
            return gettext.NullTranslations()
        path = catalogue_path(self.code)
        if not path.is_file():
            raise ConfigError(f"config/report.yml lists the language {self.code!r}, but its catalogue {path} is "
                              "missing (docs/how-to-change.md, 'Add a language')")
        with path.open("rb") as po:
            catalog = read_po(po, locale=self.locale_name)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        return gettext.GNUTranslations(compiled)

    @property
    def suffix(self) -> str:
        """Added to an edition's file names: ``refugee-response-2022Q4.tr.html``; none for the source."""
        return "" if self.source else f".{self.code}"

    @property
    def direction(self) -> str:
        """``rtl`` for a language written right to left (Arabic), else ``ltr``: the page's ``dir``."""
        return "rtl" if self.locale.character_order == "right-to-left" else "ltr"

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, one: str, other: str, n: int) -> str:
        return self.translations.ngettext(one, other, n)

    def number(self, value: float, decimals: int = 0) -> str:
        """A number with the language's separators: ``67389`` → ``67,389`` / ``67.389``."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale, decimal_quantization=True)

    def signed(self, value: float) -> str:
        """A change with its sign: ``+1,234``, ``-5``."""
        return format_decimal(value, format="+#,##0;-#,##0", locale=self.locale)

    def percent(self, share: float) -> str:
        """A share as the language writes it: ``0.12`` → ``12%`` / ``%12``."""
        return format_percent(share, format=None, locale=self.locale)

    def month(self, day: dt.date) -> str:
        """A month's name standing alone: ``October`` / ``Ekim``."""
        return self.capitalize(format_date(day, "LLLL", locale=self.locale))

    def period(self, quarter: Quarter) -> str:
        """A quarter as a reader names it: ``October–December 2022`` / ``Ekim–Aralık 2022``."""
        return (f"{self.month(quarter.start)}–{self.month(quarter.end)} "
                f"{format_date(quarter.end, 'y', locale=self.locale)}")

    def day(self, moment: dt.date) -> str:
        """A date in the language's long form: ``7 December 2026`` / ``7 Aralık 2026``."""
        return format_date(moment, "long", locale=self.locale)

    def upper(self, text: str) -> str:
        """Upper case by the language's rules: in Turkish ``i`` → ``İ`` and ``ı`` → ``I``."""
        if self.locale.language in _TURKIC:
            text = text.translate(_TURKIC_UPPER)
        return text.upper()

    def capitalize(self, text: str) -> str:
        """The first letter upper case (:meth:`upper`), the rest as it is: ``işe`` → ``İşe``."""
        return self.upper(text[:1]) + text[1:]

    def fmt(self, value: float | str, *, total: bool = False, decimals: int = 0) -> str:
        """A figure as printed (:func:`helpers.measure.disclosure.fmt` in this language): ``67.389``; ``–``
        for zero; ``<5`` when suppressed; ``x`` for a cell withheld to protect another."""
        if value == PLOTTED_COMPLEMENTARY and not total:
            return COMPLEMENTARY_MARK
        shown = suppress(value, total=total)
        if isinstance(shown, str):
            return shown
        return "–" if shown == 0 else self.number(shown, decimals)

    def neutral(self, shown: str) -> str:
        """A figure as this edition printed it, written as figures are kept and compared across editions
        (``printed-figures.csv``, revisions): ``67.389`` → ``67,389``, ``+1.234`` → ``+1,234``; marks as they are."""
        if not any(ch.isdigit() for ch in str(shown)):  # a word printed for a figure: back to its message
            return self._messages.get(str(shown), str(shown))
        return _convert(shown, self.locale, lambda number, decimals: f"{number:,.{decimals}f}")

    @cached_property
    def _messages(self) -> dict[str, str]:
        """Each translation → its message (for :meth:`neutral`)."""
        catalog = getattr(self.translations, "_catalog", {})
        return {text: key for key, text in catalog.items() if isinstance(key, str) and key}

    def printed(self, neutral: str) -> str:
        """A figure kept in the neutral form (:meth:`neutral`) as this edition prints it: ``67,389`` → ``67.389``."""
        if not any(ch.isdigit() for ch in str(neutral)):
            return self.gettext(str(neutral)) if neutral else neutral
        return _convert(neutral, Locale.parse("en"), lambda number, decimals: self.number(number, decimals))


def _convert(shown: str, locale: Locale, write) -> str:
    """A printed number read in ``locale`` and written again by ``write(number, decimals)``, its sign kept;
    anything else (``<5``, ``x``, ``–``, blank) as it is."""
    text = str(shown)
    if not text or not any(ch.isdigit() for ch in text) or text.startswith("<"):
        return text
    sign = text[0] if text[0] in "+-" else ""
    number = parse_decimal(text.removeprefix(sign), locale=locale, strict=True)
    return sign + write(number, max(-number.as_tuple().exponent, 0))


def languages(cfg: Configuration) -> list[Language]:
    """The report's editions (``report.yml`` of the run's configuration), the source language first."""
    return [Language(lang["code"], lang["locale"], lang["name"], source=place == 0, cfg=cfg)
            for place, lang in enumerate(cfg.report()["languages"])]


def get(code: str, cfg: Configuration) -> Language:
    """The edition of ``code``; an unknown code stops, naming the languages of ``config/report.yml``."""
    for language in languages(cfg):
        if language.code == code:
            return language
    raise ConfigError(f"language {code!r} is not one of config/report.yml's languages: "
                      f"{', '.join(lang.code for lang in languages(cfg))}")


_active: list[Language] = []


def current() -> Language:
    """The language in use (:func:`use`). Before one is chosen (code outside a run: the translators' catalogue,
    a test of one function), the source language of the configuration folder in use (:func:`config.current`)."""
    return _active[-1] if _active else languages(config.current())[0]


def use(code: str, cfg: Configuration) -> Language:
    """Print in the language ``code`` of the run's configuration from now on (a report notebook's kernel prints
    one edition)."""
    language = get(code, cfg)
    _active[:] = [language]
    return language


@contextmanager
def using(code: str, cfg: Configuration) -> Iterator[Language]:
    """Print in the language ``code`` of the run's configuration for the block (tests, and a process that
    renders several editions)."""
    _active.append(get(code, cfg))
    try:
        yield _active[-1]
    finally:
        _active.pop()


def _(message: str) -> str:
    """``message`` in the language in use."""
    return current().gettext(message)


def ngettext(one: str, other: str, n: int) -> str:
    """``one`` or ``other`` by ``n``, in the language in use (its own plural forms)."""
    return current().ngettext(one, other, n)
