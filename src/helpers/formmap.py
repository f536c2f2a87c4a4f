"""Map a partner's form once: ``config/forms/<form_id>.yml``, proposed by ``check`` and written by ``check --apply``.

For each question of a form (:mod:`helpers.ingest.forms`) the record column it fills, and for each choice of a
coded question the value the records hold. A line is filled in only when one candidate is certain: one of the
question's own spellings (its name, a label in some language of some version, its HXL tag) is exactly a
column's name or alias of ``config/columns.yml``; one of a choice's spellings is exactly an activity's code or
name in ``config/activities.yml``, a spelling of ``config/vocabularies.yml``, or a province as the resolver
reads it without correcting anything. Two candidates, a near miss or a word shared by many entries ("support",
"destek") give a blank line, for a person (``data/interim/<Q>/check/forms.csv``).

``--apply`` adds the filled-in lines to the mapping file (round-trip with ruamel.yaml: comments, order and every
line already there are kept; a line a person wrote is never changed), so a second check adds nothing.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from helpers.clean import normalise
from helpers.clean.provinces import ALIASES_FILE, resolve_provinces
from helpers.columns import coded_columns
from helpers.config import Configuration, shown
from helpers.errors import ConfigError
from helpers.ingest import forms
from helpers.ingest.rules import ALIAS, IDENTIFIER, load_columns
from helpers.text import fold

HEADER = """\
# The form {form_id!r} ({title}) mapped to the records: written by `quarterly-report check --apply` from the lines
# it was certain of. Read every line before the report goes out (a wrong line is a wrong figure); edit a line to
# correct it. Read from {files}.
#   questions  question name (a select-multiple's choice column: question/choice) -> column of columns.yml
#   choices    per coded question, choice name -> what the records hold (an activity code, a vocabulary value,
#              a province). A question or choice not listed is not read; add a line by hand where check left
#              one blank (data/interim/<QUARTER>/check/forms.csv). Lines are added, never changed or removed.
"""


@dataclass
class Line:
    """One line of a form's mapping, proposed: ``part`` is ``questions`` or ``choices``."""

    form: str
    part: str
    key: str  # question, question/choice (per-choice column) or, for choices, the choice name
    question: str
    value: str  # the proposal; "" when no candidate is certain
    spellings: str
    note: str


def _certain(found: set[str]) -> str:
    return next(iter(found)) if len(found) == 1 else ""


def _question_lines(reading: forms.FormReading, cfg: Configuration) -> list[Line]:
    rules, form = load_columns(cfg), reading.form
    lines = []
    targets = [(q, None) for q in form.questions.values() if not q.repeat and q.type != "select_multiple"]
    targets += [(q, choice) for q in form.questions.values() if not q.repeat and q.type == "select_multiple"
                for choice in form.choices.get(q.list_name, {})]
    for question, choice in targets:
        if choice is None:
            spellings = [question.name, *dict.fromkeys(label[-1] for label in question.labels)]
        else:
            spellings = [choice, *sorted(form.choices[question.list_name][choice])]
        found, identifier = set(), False
        for spelling in spellings:
            column, why = rules.map_header(spelling)
            identifier |= why == IDENTIFIER
            if why == ALIAS:
                found.add(column)
        if question.hxl and not found and (column := rules.hxl_column(question.hxl)):
            found.add(column)
        if not found and question.type == "select_one":  # the form's own choices: catalogue activities, provinces
            found = _by_choices(form, question, cfg)
        value = "" if identifier else _certain(found)
        note = ("an identifier: never read" if identifier else
                f"{'certain' if value else 'several candidates' if found else 'no candidate'}"
                + (f": {', '.join(sorted(found))}" if found else ""))
        key = question.name if choice is None else f"{question.name}{forms.SEPARATOR}{choice}"
        lines.append(Line(form.form_id, "questions", key, question.name, value, " | ".join(spellings), note))
    return lines


def coded(cfg: Configuration) -> dict[str, str | None]:
    """The record columns whose values a form's choices can be read as, from the record schema: the activity and
    the province (the catalogue, the official names), and each column coded with a vocabulary → its name."""
    return {**{name: None for name, column in cfg.record().items() if column.parser in ("activity", "province")},
            **coded_columns(cfg)}


def _choice_value(column: str, spellings: list[str], cfg: Configuration) -> tuple[str, str]:
    """What the records hold for a choice of a question mapped to ``column``, when certain, and why."""
    found: set[str] = set()
    if column == "activity":
        codes = normalise.activity_codes(pd.Series(spellings, dtype="string"), cfg.activities())
        found = set(codes.dropna())
    elif column == "province":
        resolved = resolve_provinces(pd.Series(spellings, dtype="string"), aliases=cfg.path(ALIASES_FILE.name))
        found = set(resolved.loc[resolved["method"].isin(["code", "exact", "alias"]), "province"].dropna())
    elif vocabulary := coded(cfg).get(column):
        table = normalise.vocabulary(vocabulary, cfg)
        found = {str(table[fold(s)]) for s in spellings if fold(s) in table}
    value = _certain(found)
    return value, ("certain" if value else f"several candidates: {', '.join(sorted(found))}" if found
                   else "no candidate")


def _by_choices(form: forms.Form, question: forms.Question, cfg: Configuration) -> set[str]:
    """The coded column whose values at least two and half of the question's choices certainly are (``Service
    received`` whose choices are catalogue activities is the activity)."""
    choices = form.choices.get(question.list_name, {})
    found = set()
    for column in ("activity", "province"):
        certain = sum(bool(_choice_value(column, [name, *sorted(labels)], cfg)[0]) for name, labels in choices.items())
        if certain >= 2 and 2 * certain >= len(choices):
            found.add(column)
    return found


def propose(reading: forms.FormReading, cfg: Configuration) -> list[Line]:
    """Every line of the form's mapping: its questions, then the choices of its coded questions; lines the
    mapping file already has come back as they are written there."""
    mapping = reading.mapping or forms.Mapping({}, {})
    lines = []
    for line in _question_lines(reading, cfg):
        line.value = mapping.questions.get(line.key, line.value) if line.key in mapping.questions else line.value
        lines.append(line)
    columns, codes = {**{line.key: line.value for line in lines}, **mapping.questions}, coded(cfg)
    for question in reading.form.questions.values():
        column = columns.get(question.name, "")
        if question.type != "select_one" or column not in codes:
            continue
        for choice, labels in reading.form.choices.get(question.list_name, {}).items():
            spellings = [choice, *sorted(labels)]
            value, note = _choice_value(column, spellings, cfg)
            value = mapping.choices.get(question.name, {}).get(choice, value)
            lines.append(Line(reading.form_id, "choices", choice, question.name, value, " | ".join(spellings),
                              f"{column}: {note}"))
    return lines


def table(readings: tuple[forms.FormReading, ...], cfg: Configuration) -> pd.DataFrame:
    """Every proposed line of every form, as ``forms.csv`` holds them."""
    rows = [vars(line) for reading in readings for line in propose(reading, cfg)]
    return pd.DataFrame(rows, columns=["form", "part", "question", "key", "value", "spellings", "note"])


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def apply(reading: forms.FormReading, cfg: Configuration) -> list[str]:
    """Add the form's certain lines its mapping file lacks (creating the file); what was added, one per line."""
    path = forms.mapping_path(reading.form_id, cfg)
    yaml = _yaml()
    if path.is_file():
        data = yaml.load(path.read_text(encoding="utf-8")) or CommentedMap()
    else:
        data = CommentedMap(form=reading.form_id)
        data.yaml_set_start_comment(HEADER.format(form_id=reading.form_id, title=reading.form.title or "untitled",
                                                  files=", ".join(f.name for f in reading.form.files)).rstrip("\n"))
    added = _keep_definitions(reading.form, cfg)
    for line in propose(reading, cfg):
        if not line.value:
            continue
        if line.part == "questions":
            part = data.setdefault("questions", CommentedMap())
        else:
            part = data.setdefault("choices", CommentedMap()).setdefault(line.question, CommentedMap())
        if line.key not in part or part[line.key] in (None, ""):
            part[line.key] = line.value
            added.append(f"{shown(path)}: {line.part} {line.question if line.part == 'choices' else ''}"
                         f"{' ' if line.part == 'choices' else ''}{line.key}: {line.value}")
    if added or not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(data, handle)
    return added


def _keep_definitions(form: forms.Form, cfg: Configuration) -> list[str]:
    """Copy the form's XLSForms into ``config/forms/`` (next quarter's folder need not hold them again)."""
    kept = []
    for file in form.files:
        target = forms.forms_dir(cfg) / file.name
        if file.resolve() != target.resolve() and not (target.is_file() and target.read_bytes() == file.read_bytes()):
            if target.exists():
                raise ConfigError(f"{shown(target)} exists and differs from {file}: the form {form.form_id!r} "
                                  "has two definitions under one name; rename one")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
            kept.append(f"{shown(target)}: the form's definition, kept with its mapping")
    return kept


def apply_all(folder: Path, cfg: Configuration) -> list[str]:
    """:func:`apply` for every form of a quarter's folder and of the configuration's ``forms/``."""
    return [line for reading in forms.readings(folder, cfg) for line in apply(reading, cfg)]
