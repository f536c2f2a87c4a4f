"""``check --apply``: the lines check filled in, added to the configuration in use.

Each filled-in line of ``data/interim/<Q>/check/`` goes where docs/check.md says: a header as an alias of its
column (``columns.yml``), a spelling under its value (``vocabularies.yml``), an activity's name under its language
(``activities.yml``, ``names``), a province spelling as an alias (``province_aliases.csv``). Files are edited
in place: ruamel.yaml locates the list, and the new item is inserted into the text as written (comments,
order, flow lists and their line breaks kept); a line is only ever added, never changed or
removed, and one already there (after folding) is not added again, so a second check adds nothing. Blank lines
are left for a person; a form's own lines are :mod:`helpers.formmap`'s.
"""

from __future__ import annotations

import csv
import json
import re

import pandas as pd
from ruamel.yaml import YAML

from helpers.config import Configuration, shown
from helpers.text import fold, header_key

_ARABIC = re.compile(r"[\u0600-\u06ff]")
FILLED = {"headers.csv": "column", "vocabularies.csv": "value", "activities.csv": "code", "provinces.csv": "province"}


def _closer(text: str, offset: int) -> int:
    """The offset of the bracket closing the flow collection opened at ``offset`` (quotes and comments skipped)."""
    depth, i, quote = 0, offset, None
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote and not (quote == '"' and text[i - 1] == "\\"):
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and text[i - 1] in " \t\n":
            i = text.index("\n", i) if "\n" in text[i:] else len(text)
            continue
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unclosed flow collection")


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(part) + 1 for part in lines[:line]) + column


class _Edits:
    """Insertions into a configuration file's text at places ruamel.yaml located: the file stays as written
    (flow lists, their line breaks and the comments inside them), only the new items appear."""

    def __init__(self, name: str, cfg: Configuration):
        self.path = cfg.path(name)
        self.text = self.path.read_text(encoding="utf-8")
        yaml = YAML()
        self.data = yaml.load(self.text)
        self.inserts: list[tuple[int, str]] = []
        self.added: list[str] = []

    def append(self, node, item: str, what: str, wrap: str = "{}") -> None:
        """Add ``item`` (formatted by ``wrap``) at the end of the flow collection ``node``."""
        opening = _offset(self.text, node.lc.line, node.lc.col)
        while self.text[opening] not in "[{":
            opening += 1
        closing = _closer(self.text, opening)
        empty = not self.text[opening + 1:closing].strip()
        self.inserts.append((closing, ("" if empty else ", ") + wrap.format(item)))
        self.added.append(what)

    def save(self) -> list[str]:
        text = self.text
        for at, insert in sorted(self.inserts, reverse=True):
            text = text[:at] + insert + text[at:]
        if self.inserts:
            config_yaml = YAML(typ="safe")
            config_yaml.load(text)  # still valid YAML, or nothing is written
            self.path.write_text(text, encoding="utf-8")
        return [f"{shown(self.path)}: {line}" for line in self.added]


def _quoted(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def _headers(lines: pd.DataFrame, cfg: Configuration) -> list[str]:
    if not len(lines):
        return []
    edits = _Edits("columns.yml", cfg)
    columns = edits.data["columns"]
    known = {header_key(alias) for column, entry in columns.items()
             for alias in [column, *((entry or {}).get("aliases") or [])]}
    for alias, column in zip(lines["alias"], lines["column"], strict=True):
        entry = columns.get(column)
        if header_key(alias) in known or not entry or "aliases" not in entry:
            continue  # (a column without an aliases list: for a person to start one)
        edits.append(entry["aliases"], _quoted(alias), f"columns.{column}.aliases + {alias!r}")
        known.add(header_key(alias))
    return edits.save()


def _vocabularies(lines: pd.DataFrame, cfg: Configuration) -> list[str]:
    if not len(lines):
        return []
    edits = _Edits("vocabularies.yml", cfg)
    for spelling, vocabulary, value in zip(lines["spelling"], lines["vocabulary"], lines["value"], strict=True):
        values = edits.data.get(vocabulary) or {}
        key = next((k for k in values if str(k) == str(value)), None)
        known = {fold(str(s)) for spellings in values.values() for s in spellings}
        if key is not None and fold(spelling) not in known:
            edits.append(values[key], _quoted(spelling), f"{vocabulary}.{value} + {spelling!r}")
    return edits.save()


def _activities(lines: pd.DataFrame, cfg: Configuration) -> list[str]:
    if not len(lines):
        return []
    edits = _Edits("activities.yml", cfg)
    entries = {entry["code"]: entry for entry in edits.data["activities"]}
    names = {fold(n) for entry in entries.values() for more in (entry.get("names") or {}).values() for n in more}
    for _, line in lines.iterrows():
        entry = entries.get(line["code"])
        language = next((lang for lang in ("ar", "tr", "en") if line.get(f"label_{lang}")), None)
        if entry is None or language is None or fold(line[f"label_{language}"]) in names:
            continue
        name, what = line[f"label_{language}"], f"{line['code']}.names.{language} + {line[f'label_{language}']!r}"
        more = entry.get("names")
        if more is None:
            edits.append(entry, f"names: {{{language}: [{_quoted(name)}]}}", what, "{}")
        elif language not in more:
            edits.append(more, f"{language}: [{_quoted(name)}]", what)
        else:
            edits.append(more[language], _quoted(name), what)
        names.add(fold(name))
    return edits.save()


def _provinces(lines: pd.DataFrame, cfg: Configuration) -> list[str]:
    path = cfg.path("province_aliases.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        known = {fold(row["alias"]) for row in csv.DictReader(handle)}
    new = [(alias, province) for alias, province in zip(lines["alias"], lines["province"], strict=True)
           if fold(alias) not in known]
    if new:
        text = path.read_text(encoding="utf-8")
        with path.open("a", encoding="utf-8", newline="") as handle:
            if text and not text.endswith("\n"):
                handle.write("\n")
            writer = csv.writer(handle, lineterminator="\n")
            for alias, province in new:
                writer.writerow([alias, province, "added by check --apply"])
    return [f"{shown(path)}: {alias} → {province}" for alias, province in new]


def language(value: str, closest: str) -> str:
    """The language a field team's activity name is in: Arabic by its script, else that of its closest catalogue
    label (``label_tr: ...``), else English."""
    if _ARABIC.search(value):
        return "ar"
    return "tr" if closest.split(";")[0].startswith("label_tr:") else "en"


def apply(tables: dict[str, pd.DataFrame], cfg: Configuration) -> list[str]:
    """Add the filled-in lines of check's tables (:func:`helpers.check.suggestion_tables`) to the configuration
    folder of ``cfg``."""
    filled = {name: table[table[column].fillna("").astype(str) != ""] for name, column in FILLED.items()
              for table in [tables[name]]}
    return [*_headers(filled["headers.csv"], cfg), *_vocabularies(filled["vocabularies.csv"], cfg),
            *_activities(filled["activities.csv"], cfg), *_provinces(filled["provinces.csv"], cfg)]

