"""The report's message catalogue: every word a reader sees, gathered from the code, the template, the report
notebook and ``config/``, and kept in step with each language's ``.po`` file (Babel).

``python -m helpers.publication.catalogue`` (``make catalogue``) extracts the messages and updates every
language's ``locales/<code>/LC_MESSAGES/report.po``: new messages are added untranslated, gone ones kept as
obsolete (``#~``), translations kept. ``tests/test_language.py`` fails while a message has no translation, so
words added by anyone reach the Turkish edition or stop the tests.

Where the messages are: calls of ``_()``, ``N_()`` and ``ngettext()`` in ``helpers.publication``,
``helpers.provenance.revisions``, ``helpers.provenance.site_index`` (the index of reports) and
``notebooks/03_report.ipynb``; ``_()`` in the nbconvert template; and the words
``config/`` prints (:func:`config_messages`): section titles and tile labels, indicator labels and definitions,
reasons, sectors, coded values, item names, breakdown names and the programme's texts.
"""

from __future__ import annotations

import ast
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_from_file
from babel.messages.pofile import read_po, write_po

from helpers import config
from helpers.config import Configuration
from helpers.paths import NOTEBOOKS_DIR, REPO_ROOT
from helpers.publication.labels import breakdown_name, count_heading
from helpers.publication.language import DOMAIN, catalogue_path, languages, using
from helpers.publication.report import TREND

PUBLICATION = Path(__file__).parent
SOURCES = [*sorted(PUBLICATION.glob("*.py")), *(PUBLICATION.parent / "provenance" / name for name in ("revisions.py",
                                                                                         "site_index.py"))]
TEMPLATES = sorted((PUBLICATION / "templates").rglob("*.j2"))
NOTEBOOK = NOTEBOOKS_DIR / "03_report.ipynb"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "counted": (2, 3)}  # counted(n, one, other): a plural
# A message in an f-string's {...}: Python 3.11 reads the f-string as one token, so Babel does not see it
_IN_FSTRING = re.compile(r"""\bN?_\((?P<q>['"])(?P<message>(?:(?!(?P=q)).)+)(?P=q)\)""")


def config_messages(cfg: Configuration) -> Iterator[tuple[str, str]]:
    """(where, message) for each word of the configuration ``cfg`` that the report prints."""
    report, programme = cfg.report(), cfg.load("programme")
    for section in report["sections"]:
        yield "config/report.yml", section["title"]
        yield from (("config/report.yml", figure["label"]) for figure in section["figures"])
    yield from (("config/report.yml", f["label"]) for f in report["headline_figures"] if f["label"])
    parts = {part for spec in cfg.indicators() for name in spec.get("dimensions", []) for part in name.split("+")}
    parts.add(TREND)  # the trend's figures, by quarter
    yield from (("config/indicators.yml", breakdown_name(part)) for part in sorted(parts - {"total"}))
    yield from (("config/reasons.yml", count_heading(c)) for c in ["rows_read", "rows_kept", *cfg.drop_kinds()])
    for spec in cfg.indicators():
        yield "config/indicators.yml", spec["label"]
        yield "config/indicators.yml", spec["definition"]
    reasons = cfg.load("reasons")
    yield from (("config/reasons.yml", label) for label in {**reasons["dropped"], **reasons["rejected"],
                                                             **reasons["unreadable"]}.values())
    yield from (("config/activities.yml", sector) for sector in cfg.sectors())
    yield from (("config/activities.yml", label) for label in cfg.activities()["label"])
    for name, column in cfg.record().items():  # a coded breakdown's values (capitalised for a reader)
        if column.categories == "vocabulary" and name in parts:
            yield from (("config/vocabularies.yml", value) for value in cfg.vocabulary_values(column.vocabulary))
    yield "config/vocabularies.yml", "unknown"
    yield from (("config/items.yml", item) for item in dict.fromkeys(cfg.load("items")["synonyms"].values()))
    for key in ("title", "subtitle_template", "organisation", "data_source", "baseline_source", "disclaimer"):
        if programme.get(key):
            yield "config/programme.yml", programme[key]
    yield from (("config/programme.yml", unit) for unit in (programme.get("units") or {}).values())
    if (programme.get("contact") or {}).get("name"):
        yield "config/programme.yml", programme["contact"]["name"]


def _notebook_messages(path: Path) -> Iterator[tuple[int, str | tuple[str, ...], list[str], str | None]]:
    """Babel's Python extraction over the code cells of a notebook."""
    cells = [("".join(cell["source"])) for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if cell["cell_type"] == "code"]
    code = io.BytesIO("\n".join(cells).encode("utf-8"))
    yield from extract("python", code, keywords=KEYWORDS)


def extract_catalogue(cfg: Configuration) -> Catalog:
    """Every message the report prints with the configuration ``cfg``, with where it comes from."""
    catalog = Catalog(domain=DOMAIN, project="Türkiye refugee response quarterly report", charset="utf-8",
                      fuzzy=False)
    for path in SOURCES:
        for lineno, message, comments, context in extract_from_file("python", path, keywords=KEYWORDS):
            catalog.add(message, locations=[(_shown(path), lineno)], auto_comments=comments, context=context)
        text = path.read_text(encoding="utf-8")
        for match in _IN_FSTRING.finditer(text):
            message = ast.literal_eval(match["q"] + match["message"] + match["q"])
            if message not in catalog:
                catalog.add(message, locations=[(_shown(path), text.count("\n", 0, match.start()) + 1)])
    for path in TEMPLATES:
        for lineno, message, comments, context in extract_from_file(
                "jinja2.ext:babel_extract", path, keywords=KEYWORDS, options={"trimmed": "false"}):
            catalog.add(message, locations=[(_shown(path), lineno)], auto_comments=comments, context=context)
    for lineno, message, comments, context in _notebook_messages(NOTEBOOK):
        catalog.add(message, locations=[(_shown(NOTEBOOK), lineno)], auto_comments=comments, context=context)
    with using(languages(cfg)[0].code, cfg):  # the labels' own words (breakdown names) from cfg too
        for where, message in config_messages(cfg):
            catalog.add(message, locations=[(where, None)])
    return catalog


def _shown(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def read(code: str) -> Catalog:
    """A language's catalogue as its ``.po`` file holds it."""
    with catalogue_path(code).open("rb") as po:
        return read_po(po, locale=code)


def untranslated(code: str, cfg: Configuration, template: Catalog | None = None) -> list[str]:
    """The messages the report prints with ``cfg`` that ``code``'s catalogue does not translate (missing, empty or
    fuzzy), or translates with other ``{placeholders}`` than the message has."""
    template = template or extract_catalogue(cfg)
    catalog, missing = read(code), []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = found.string if found is not None else None
        translations = list(strings) if isinstance(strings, tuple) else [strings]
        if found is None or found.fuzzy or not all(translations):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if any(_fields(t) != _fields(ids[-1]) for t in translations):
            missing.append(f"{ids[0]} (placeholders differ)")
    return missing


def _fields(text: str) -> set[str]:
    from string import Formatter

    return {name for _, name, _, _ in Formatter().parse(text) if name}


def update(cfg: Configuration) -> list[Path]:
    """Extract the messages of ``cfg`` and merge them into each of its languages' ``.po`` (a new language's is
    started)."""
    template, written = extract_catalogue(cfg), []
    for language in languages(cfg)[1:]:
        path = catalogue_path(language.code)
        catalog = read(language.code) if path.is_file() else Catalog(locale=language.code, domain=DOMAIN,
                                                                     fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as po:
            write_po(po, catalog, width=116, ignore_obsolete=True)
        written.append(path)
    return written


if __name__ == "__main__":
    folder = config.current()  # the translators' tool: the configuration folder in use (QUARTERLY_REPORT_CONFIG)
    for path in update(folder):
        print(_shown(path))
    template = extract_catalogue(folder)
    missing = {lang.code: untranslated(lang.code, folder, template) for lang in languages(folder)[1:]}
    for code, messages in missing.items():
        for message in messages:
            print(f"{code}: not translated: {message!r}", file=sys.stderr)
    sys.exit(1 if any(missing.values()) else 0)
