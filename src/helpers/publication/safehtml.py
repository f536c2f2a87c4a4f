"""HTML from data and narratives, made safe to publish: an allow-list sanitiser (nh3) decides what survives.

Category labels, file names and other data are escaped where the HTML is built (``html.escape``); what is
meant to carry markup (a narrative's Markdown, a notebook output's HTML) is converted here and cleaned by
nh3: no scripts, no event handlers, no styles, no images or other elements that load anything, links only
to ``http``, ``https``, ``mailto`` or within the page. The Markdown is converted by mistune, the library
nbconvert itself uses, so the narrative looks as it did when nbconvert converted it.
"""

from __future__ import annotations

import re

import mistune
import nh3

# What a narrative may contain: Markdown's own elements (no headings above h3: ## splits the sections).
NARRATIVE_TAGS = frozenset({
    "p", "br", "hr", "h3", "h4", "h5", "h6", "em", "strong", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "sup", "sub", "abbr", "table", "thead", "tbody", "tr", "th", "td",
})
# What a notebook output may contain besides: the report's tiles and tables, pandas tables, section headings.
OUTPUT_TAGS = NARRATIVE_TAGS | {"div", "span", "h2", "caption", "colgroup", "col", "tfoot", "small", "b", "i",
                                "dl", "dt", "dd", "figure", "figcaption", "details", "summary"}
ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir", "role", "aria-label"},
    "a": {"href"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_MARKDOWN = mistune.create_markdown(escape=False, plugins=["strikethrough", "table"])
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>&])")


def clean(fragment: str, tags: frozenset[str] = OUTPUT_TAGS) -> str:
    """``fragment`` with every element and attribute outside the allow-list removed (script and style
    elements with their content)."""
    return nh3.clean(fragment, tags=set(tags), attributes={t: set(a) for t, a in ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer", strip_comments=True)


def markdown_html(text: str) -> str:
    """A narrative's Markdown as HTML that can run nothing and load nothing."""
    return clean(_MARKDOWN(text), NARRATIVE_TAGS)


def escape_markdown(text: str) -> str:
    """Literal text (a file name, a label) to place inside Markdown: shown as written (runs of whitespace as one
    space), never as markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
