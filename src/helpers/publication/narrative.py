"""The quarter's story: ``narratives/<QUARTER>.md`` with placeholders filled from ``indicators.csv``.

Placeholders are Jinja expressions over the indicators: ``{{ people_reached.total }}``,
``{{ people_reached.sector["Protection"] }}``, ``{{ people_reached.centre["Adana MMCC"] }}``. Every number
comes out formatted (``67,389``) and suppressed like the tables (``<5``). A placeholder that names no
indicator, dimension or category stops the run and names itself.

A narrative is text from a shared folder, so it is data, never code: it is checked to hold nothing but text
and such lookups (no ``{% %}`` statements, calls, filters, operators or other names), then rendered in a
Jinja sandbox with no globals, no filters, autoescaping on and lookups limited to indicators, dimensions and
categories. Anything else stops the run with a :class:`NarrativeError` naming the line. ``## `` headings
must name a section of the report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import jinja2
import pandas as pd
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from helpers.config import Configuration
from helpers.errors import NarrativeError, UnknownLookupError
from helpers.measure.indicators import Lookups
from helpers.paths import NARRATIVES_DIR, Quarter
from helpers.text import nearest

SECTION = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)
EXAMPLE = '{{ people_reached.total }} or {{ people_reached.centre["Adana MMCC"] }}'


class _Dimension:
    def __init__(self, path: str, lookup: Callable[[str], str]):
        self._path, self._lookup = path, lookup

    def lookup(self, category: str) -> str:
        return self._lookup(category)

    def __str__(self) -> str:
        raise NarrativeError(f"placeholder {{{{ {self._path} }}}} needs a category, e.g. {self._path}[\"...\"]")


class _Indicator:
    def __init__(self, name: str, number: Callable[[str, str, str], str], dimensions: set[str]):
        self._name, self._number, self._dimensions = name, number, dimensions

    def lookup(self, dimension: str) -> str | _Dimension:
        if dimension == "total":
            return self._number(self._name, "total", "all")
        if dimension not in self._dimensions:
            raise NarrativeError(f"unknown placeholder {{{{ {self._name}.{dimension} }}}}: "
                                 f"{self._name} has dimensions {', '.join(sorted(self._dimensions))}")
        return _Dimension(f"{self._name}.{dimension}",
                          lambda category: self._number(self._name, dimension, category))

    def __str__(self) -> str:
        raise NarrativeError(f"placeholder {{{{ {self._name} }}}} needs .total or a dimension")


class _Strict(jinja2.StrictUndefined):
    def _fail_with_undefined_error(self, *args, **kwargs):
        raise NarrativeError(f"unknown placeholder {{{{ {self._undefined_name} }}}}: no such indicator")

    __str__ = __iter__ = __len__ = __bool__ = _fail_with_undefined_error


class _Sandbox(ImmutableSandboxedEnvironment):
    """Placeholders and nothing else: lookups on indicators; no globals, filters, tests, calls or operators."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})

    def __init__(self):
        super().__init__(undefined=_Strict, autoescape=True, keep_trailing_newline=True)
        self.globals.clear()
        self.filters.clear()
        self.tests.clear()

    def getattr(self, obj, attribute):
        return self._lookup(obj, attribute)

    def getitem(self, obj, argument):
        return self._lookup(obj, argument)

    def _lookup(self, obj, name):
        if isinstance(obj, jinja2.Undefined):
            obj._fail_with_undefined_error()
        if isinstance(obj, _Indicator | _Dimension) and isinstance(name, str) and not name.startswith("_"):
            return obj.lookup(name)
        raise NarrativeError(f"{name!r} cannot be looked up: a placeholder reaches indicators only")

    def call(self, *args, **kwargs):
        raise NarrativeError("a narrative cannot call functions")

    def call_binop(self, context, operator, left, right):
        raise NarrativeError(f"a narrative cannot compute ({operator})")

    def call_unop(self, context, operator, arg):
        raise NarrativeError(f"a narrative cannot compute ({operator})")


_KINDS = {nodes.Call: "a function call", nodes.Filter: "a filter", nodes.Test: "a test", nodes.Const: "a literal",
          nodes.Concat: "a concatenation", nodes.CondExpr: "a condition",
          nodes.Getitem: "a [...] lookup without a quoted name"}


def _check(template: nodes.Template, indicators: set[str]) -> None:
    """Refuse everything in the parsed narrative but text and ``{{ indicator.dimension["category"] }}``."""
    for node in template.body:
        if not isinstance(node, nodes.Output):
            statement = "set" if isinstance(node, nodes.Assign) else type(node).__name__.lower()
            raise _refused(node, f"a {{% {statement} %}} statement")
        for part in node.nodes:
            if not isinstance(part, nodes.TemplateData):
                _check_lookup(part, indicators)


def _no_such_indicator(name: str, indicators: set[str]) -> str:
    close = nearest(name, sorted(indicators))
    return f"unknown placeholder {{{{ {name} }}}}: no such indicator" + (
        f"; nearest: {', '.join(close)}" if close else "")


def _check_lookup(node: nodes.Node, indicators: set[str]) -> None:
    if isinstance(node, nodes.Name):
        if node.name not in indicators:
            raise _refused(node, _no_such_indicator(node.name, indicators))
    elif (isinstance(node, nodes.Getattr) and not node.attr.startswith("_")) or (
            isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str)
            and not node.arg.value.startswith("_")):
        _check_lookup(node.node, indicators)
    else:
        what = f".{node.attr}" if isinstance(node, nodes.Getattr) else _KINDS.get(type(node), type(node).__name__)
        raise _refused(node, f"{what} is not a placeholder")


def _refused(node: nodes.Node, what: str) -> NarrativeError:
    return NarrativeError(f"line {node.lineno}: {what}; a narrative holds text and placeholders such as {EXAMPLE}")


def _template_line(error: BaseException) -> int | None:
    """The narrative line an error was raised on, from the traceback Jinja rewrites to template lines."""
    tb, line = error.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def narrative_path(quarter: Quarter, folder: Path = NARRATIVES_DIR, suffix: str = "") -> Path:
    """Where the analyst writes the quarter's narrative: ``2022Q4.md``, and each other edition's in its
    language, ``2022Q4.tr.md`` (``suffix``: the edition's, :attr:`helpers.publication.language.Language.suffix`)."""
    return Path(folder) / f"{quarter}{suffix}.md"


def render_narrative(text: str, indicators: pd.DataFrame, number: Callable[[str, str, str], str],
                     cfg: Configuration, source: str = "narrative") -> str:
    """Fill the placeholders of ``text``; ``number(indicator, dimension, category)`` formats one value; ``cfg``
    (the run's configuration) says which categories exist. Errors name ``source`` (the file) and the line."""
    dims = indicators.groupby("indicator")["dimension"].agg(lambda d: set(d) - {"total"}).to_dict()
    lookups = Lookups(indicators, cfg)

    def checked(indicator: str, dimension: str, category: str) -> str:
        try:  # a category known to config but not counted this quarter is 0; a misspelt one is refused
            lookups.check(indicator, dimension, category)
        except UnknownLookupError as error:
            raise NarrativeError(f"unknown placeholder {{{{ {indicator}.{dimension}[\"{category}\"] }}}}: "
                                 f"{error}") from None
        return number(indicator, dimension, category)

    env = _Sandbox()
    try:
        template = env.parse(text)
        _check(template, set(dims))
        context = {name: _Indicator(name, checked, d) for name, d in dims.items()}
        return env.from_string(template).render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise NarrativeError(f"{source} line {error.lineno}: {error.message}") from None
    except NarrativeError as error:
        line = _template_line(error)
        raise NarrativeError(f"{source} {'' if line is None else f'line {line}: '}{error}") from None


def _chain(node: nodes.Node) -> list[str]:
    """``people_reached.centre["Adana MMCC"]`` as ``["people_reached", "centre", "Adana MMCC"]``."""
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        return [*_chain(node.node), node.attr]
    return [*_chain(node.node), node.arg.value]


def problems(text: str, indicators: pd.DataFrame, known_sections: Sequence[str], cfg: Configuration,
             source: str = "narrative") -> list[str]:
    """Every problem of a narrative at once, each with its line and the nearest valid names: what a run would
    stop on, one at a time (``quarterly-report check --narrative``). ``indicators`` may be empty: the
    configuration then says which indicators, dimensions and categories exist."""
    known = set(indicators["indicator"]) | set(cfg.indicator_specs())  # those a quarter will have
    found, lookups = [], Lookups(indicators, cfg)
    try:
        template = _Sandbox().parse(text)
    except jinja2.TemplateSyntaxError as error:
        return [f"{source} line {error.lineno}: {error.message}"]
    for node in template.body:
        if not isinstance(node, nodes.Output):
            try:
                _check(nodes.Template([node], lineno=node.lineno), known)
            except NarrativeError as error:
                found.append(f"{source} {error}")
            continue
        for part in node.nodes:
            if isinstance(part, nodes.TemplateData):
                continue
            try:
                _check_lookup(part, known)
                _check_path(_chain(part), lookups)
            except NarrativeError as error:
                found.append(f"{source} {error}" if str(error).startswith("line ") else
                             f"{source} line {part.lineno}: {error}")
            except UnknownLookupError as error:
                found.append(f"{source} line {part.lineno}: placeholder {{{{ {_shown(_chain(part))} }}}}: {error}")
    for match in SECTION.finditer(text):
        try:
            check_headings(match[0], known_sections, source)
        except NarrativeError as error:
            found.append(str(error).replace(f"{source} line 1:",
                                            f"{source} line {text.count(chr(10), 0, match.start()) + 1}:"))
    titles = [m[1] for m in SECTION.finditer(text)]
    found += [f"{source}: heading '## {t}' appears twice" for t in sorted({t for t in titles if titles.count(t) > 1})]
    return found


def _shown(chain: list[str]) -> str:
    return chain[0] + "".join(f".{p}" if i == 0 else f'["{p}"]' for i, p in enumerate(chain[1:]))


def _check_path(chain: list[str], lookups: Lookups) -> None:
    """A lookup chain names an indicator and its total, or a dimension and one of its categories."""
    if len(chain) == 1:
        raise NarrativeError(f"placeholder {{{{ {chain[0]} }}}} needs .total or a dimension")
    if len(chain) == 2 and chain[1] != "total":
        _dimension_known(lookups, chain[0], chain[1])
        raise NarrativeError(f"placeholder {{{{ {_shown(chain)} }}}} needs a category, e.g. {_shown(chain)}[\"...\"]")
    if len(chain) > 3:
        raise NarrativeError(f"placeholder {{{{ {_shown(chain)} }}}} looks up too far: "
                             'indicator.dimension["category"]')
    lookups.check(chain[0], *(chain[1:] if len(chain) == 3 else ["total", "all"]))


def _dimension_known(lookups: Lookups, indicator: str, dimension: str) -> None:
    """Refuse an unknown indicator or dimension (the category is checked once there is one)."""
    try:
        lookups.check(indicator, dimension, "\0")
    except UnknownLookupError as error:
        if "dimension of" in str(error) or "unknown indicator" in str(error):
            raise


def check_headings(text: str, known: Sequence[str], source: str = "narrative") -> None:
    """Every ``## `` heading names a section of the report, once; else stop naming it and the nearest."""
    seen = set()
    for match in SECTION.finditer(text):
        title, line = match[1], text.count("\n", 0, match.start()) + 1
        if title not in known:
            raise NarrativeError(f"{source} line {line}: heading '## {title}' is not a section of the report; "
                                 f"nearest: {', '.join(nearest(title, known))} (sections: {', '.join(known)})")
        if title in seen:
            raise NarrativeError(f"{source} line {line}: heading '## {title}' appears twice")
        seen.add(title)


def sections(text: str) -> dict[str, str]:
    """Split a narrative at its ``## `` headings: heading → body (text before the first heading: ``""``)."""
    parts = SECTION.split(text)
    found = {"": parts[0].strip()}
    found.update({title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2], strict=True)})
    return found
