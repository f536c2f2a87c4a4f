"""The quarter's story: ``narratives/<QUARTER>.md`` with placeholders filled from ``indicators.csv``.

Placeholders are Jinja expressions over the indicators: ``{{ people_reached.total }}``,
``{{ people_reached.sector["Protection"] }}``, ``{{ people_reached.centre["Adana MMCC"] }}``. Every number
comes out formatted (``67,389``) and suppressed like the tables (``<5``). A placeholder that names no
indicator, dimension or category stops the run and names itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import jinja2
import pandas as pd

from helpers.paths import NARRATIVES_DIR

SECTION = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)


class NarrativeError(ValueError):
    """A placeholder in the narrative does not match the indicators."""


class _Dimension:
    def __init__(self, path: str, lookup: Callable[[str], str]):
        self._path, self._lookup = path, lookup

    def __getitem__(self, category: str) -> str:
        return self._lookup(str(category))

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._lookup(name)

    def __str__(self) -> str:
        raise NarrativeError(f"placeholder {{{{ {self._path} }}}} needs a category, e.g. {self._path}[\"...\"]")


class _Indicator:
    def __init__(self, name: str, number: Callable[[str, str, str], str], dimensions: set[str]):
        self._name, self._number, self._dimensions = name, number, dimensions

    @property
    def total(self) -> str:
        return self._number(self._name, "total", "all")

    def __getattr__(self, dimension: str) -> _Dimension:
        if dimension.startswith("_"):
            raise AttributeError(dimension)
        if dimension not in self._dimensions:
            raise NarrativeError(f"unknown placeholder {{{{ {self._name}.{dimension} }}}}: "
                                 f"{self._name} has dimensions {', '.join(sorted(self._dimensions))}")
        return _Dimension(f"{self._name}.{dimension}",
                          lambda category: self._number(self._name, dimension, category))

    def __getitem__(self, dimension: str) -> _Dimension:
        return self.__getattr__(dimension)

    def __str__(self) -> str:
        raise NarrativeError(f"placeholder {{{{ {self._name} }}}} needs .total or a dimension")


class _Strict(jinja2.StrictUndefined):
    def _fail_with_undefined_error(self, *args, **kwargs):
        raise NarrativeError(f"unknown placeholder {{{{ {self._undefined_name} }}}}: no such indicator")

    __str__ = __iter__ = __len__ = __bool__ = _fail_with_undefined_error


def narrative_path(quarter: str, folder: Path = NARRATIVES_DIR) -> Path:
    """Where the analyst writes the quarter's narrative."""
    return Path(folder) / f"{quarter}.md"


def render_narrative(text: str, indicators: pd.DataFrame, number: Callable[[str, str, str], str]) -> str:
    """Fill the placeholders of ``text``; ``number(indicator, dimension, category)`` formats one value."""
    dims = indicators.groupby("indicator")["dimension"].agg(lambda d: set(d) - {"total"}).to_dict()

    def checked(indicator: str, dimension: str, category: str) -> str:
        known = indicators[(indicators["indicator"] == indicator) & (indicators["dimension"] == dimension)]
        if dimension != "total" and category not in set(known["category"]):
            raise NarrativeError(
                f"unknown placeholder {{{{ {indicator}.{dimension}[\"{category}\"] }}}}: no such {dimension} "
                f"(known: {', '.join(sorted(known['category'])[:12])})"
            )
        return number(indicator, dimension, category)

    env = jinja2.Environment(undefined=_Strict, autoescape=False, keep_trailing_newline=True)
    context = {name: _Indicator(name, checked, d) for name, d in dims.items()}
    try:
        return env.from_string(text).render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise NarrativeError(f"narrative line {error.lineno}: {error.message}") from None


def sections(text: str) -> dict[str, str]:
    """Split a narrative at its ``## `` headings: heading → body (text before the first heading: ``""``)."""
    parts = SECTION.split(text)
    found = {"": parts[0].strip()}
    found.update({title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2], strict=True)})
    return found
