"""A partner's own KoboToolbox (or ODK) form as the key to its exports.

An XLSForm (an ``.xlsx`` with ``survey`` and ``choices`` sheets, as KoboToolbox's "Download XLS" gives it) in
the quarter's folder or in ``config/forms/`` is a form definition, not data. Its versions (one file each, the
same ``form_id`` in the settings sheet) are read into one :class:`Form`: every question with its name, group
path and labels in every language of every version, every choice with its name and labels.

An export of that form, in any KoboToolbox setting, is then read through it (:class:`FormReading`):

- headers: XML names or labels in any language, with or without the group path, whatever the separator
  (``/``, ``-``, ``.``), with or without a part in brackets or a trailing colon, name the question they show;
  a select-multiple question's per-choice column (``vuln/disab``, ``Person/Vulnerabilities/Person with
  disability``) names the question and the choice;
- values of a select question: its choice name or a choice label in any language name the choice; a
  select-multiple question's single column is split into its choices (labels may hold spaces: the split is
  used only when exactly one reading exists).

Which form an export belongs to is decided from its header row, never from the file name. What a question
and a choice mean for the records (a record column, a catalogue code, a vocabulary value) is not guessed
here: it is the form's reviewed mapping, ``config/forms/<form_id>.yml`` (:func:`load_mapping`), which
``quarterly-report check --apply`` writes (:mod:`helpers.formmap`). A form without one is read with no question
mapped, and the run stops saying so (:attr:`helpers.ingest.readers.RawTable.form`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import yaml
from python_calamine import CalamineWorkbook

from helpers.config import Configuration, shown
from helpers.errors import ConfigError
from helpers.text import fold, header_key

log = logging.getLogger(__name__)

FORMS_DIR = "forms"  # config/forms/: XLSForms kept with the configuration, and one mapping file per form
SEPARATOR = "/"  # a per-choice column's key in a mapping file: ``question/choice``
MIN_QUESTIONS, MIN_SHARE = 3, 0.6  # a header row is a form's when so many of its cells, and this share, are its
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_QUESTIONS = {"begin_group", "end_group", "begin group", "end group", "begin_repeat", "end_repeat",
                  "begin repeat", "end repeat", "note"}
FORM_COLUMN = "form question"  # RawTable.mapping: why a header was read (a question of the export's form)
NOT_MAPPED = "form question, not mapped (ignored)"


def _keys(text: str) -> set[str]:
    """Keys a header or a spelling is matched by: folded without separators, also without brackets (units)
    and a trailing colon."""
    text = str(text or "")
    plain = text.strip().rstrip(":").strip()
    return {key for key in (header_key(text), header_key(plain), header_key(_BRACKETS.sub(" ", plain))) if key}


@dataclass
class Question:
    name: str
    type: str  # the XLSForm type without its list: select_one, select_multiple, date, integer, ...
    list_name: str | None
    path: tuple[str, ...]  # the names of the groups around it
    labels: list[tuple[str, ...]] = field(default_factory=list)  # (group labels..., label) per language and version
    hxl: str = ""
    repeat: bool = False  # inside a repeat group: its answers are in another sheet, members of a submission

    @property
    def select(self) -> bool:
        return self.type in ("select_one", "select_multiple")


@dataclass
class Form:
    """Every version of one form, merged: questions by name, choices by list, the versions seen."""

    form_id: str
    title: str = ""
    versions: set[str] = field(default_factory=set)
    questions: dict[str, Question] = field(default_factory=dict)
    choices: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # list -> choice name -> labels
    files: list[Path] = field(default_factory=list)  # the XLSForm of each version

    def headers(self) -> dict[str, tuple[str, str | None]]:
        """Header key → (question, choice or None) for every way an export can head a column; a key two
        columns could share is left out (never a guess)."""
        found: dict[str, set[tuple[str, str | None]]] = {}
        for question in self.questions.values():
            spellings = [(question.name,), (*question.path, question.name), *question.labels,
                         *((label[-1],) for label in question.labels)]
            for spelling in spellings:
                for key in _keys("/".join(spelling)):
                    found.setdefault(key, set()).add((question.name, None))
                if question.type == "select_multiple":
                    for choice, labels in self.choices.get(question.list_name, {}).items():
                        for part in [choice, *labels]:
                            for key in _keys("/".join([*spelling, part])):
                                found.setdefault(key, set()).add((question.name, choice))
        return {key: targets.pop() for key, targets in found.items() if len(targets) == 1}

    def choice_names(self, question: str) -> dict[str, str]:
        """Folded choice name or label (any language, any version) → choice name; shared ones left out."""
        found: dict[str, set[str]] = {}
        for choice, labels in self.choices.get(self.questions[question].list_name, {}).items():
            for spelling in [choice, *labels]:
                found.setdefault(fold(spelling), set()).add(choice)
        return {key: names.pop() for key, names in found.items() if len(names) == 1}


def is_xlsform(path: Path) -> bool:
    """True for a workbook with ``survey`` and ``choices`` sheets: a form definition, not data."""
    if Path(path).suffix.lower() != ".xlsx":
        return False
    try:
        names = {name.strip().lower() for name in CalamineWorkbook.from_path(str(path)).sheet_names}
    except Exception:  # not a readable workbook: the reader names it
        return False
    return {"survey", "choices"} <= names


def _rows(workbook: CalamineWorkbook, wanted: str) -> list[dict[str, str]]:
    name = next((n for n in workbook.sheet_names if n.strip().lower() == wanted), None)
    if name is None:
        return []
    rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    if not rows:
        return []
    head = [str(cell).strip() for cell in rows[0]]
    return [{h: ("" if c is None else str(c).strip()) for h, c in zip(head, row, strict=False) if h}
            for row in rows[1:] if any(str(c).strip() for c in row if c is not None)]


def _labels(row: dict[str, str]) -> list[str]:
    """A row's labels in every language (``label``, ``label::English (en)``, ...), blank ones left out."""
    return [value for key, value in row.items() if key.lower().split("::")[0] == "label" and value]


def read_xlsform(path: Path, forms: dict[str, Form] | None = None) -> dict[str, Form]:
    """Read one XLSForm into ``forms`` (by form_id; a second version of a form is merged into the first)."""
    forms = {} if forms is None else forms
    workbook = CalamineWorkbook.from_path(str(path))
    settings = (_rows(workbook, "settings") or [{}])[0]
    form_id = settings.get("form_id") or settings.get("id_string") or Path(path).stem
    form = forms.setdefault(form_id, Form(form_id, settings.get("form_title", "")))
    form.files.append(Path(path))
    if settings.get("version"):
        form.versions.add(settings["version"])
    groups: list[tuple[str, list[str]]] = []  # (name, labels per language) of the open groups
    repeats: list[bool] = []
    for row in _rows(workbook, "survey"):
        kind = " ".join(row.get("type", "").split())
        base = kind.split(" ")[0].lower()
        if base in ("begin_group", "begin_repeat") or kind.lower() in ("begin group", "begin repeat"):
            groups.append((row.get("name", ""), _labels(row)))
            repeats.append("repeat" in base or "repeat" in kind.lower())
            continue
        if base in ("end_group", "end_repeat") or kind.lower() in ("end group", "end repeat"):
            if groups:
                groups.pop()
                repeats.pop()
            continue
        name = row.get("name", "")
        if not name or kind.lower() in _NOT_QUESTIONS:
            continue
        parts = kind.split(" ")
        list_name = parts[1] if base.startswith("select_") and len(parts) > 1 else None
        question = form.questions.setdefault(name, Question(name, base, list_name, tuple(g for g, _ in groups),
                                                            repeat=any(repeats)))
        question.hxl = question.hxl or row.get("hxl", "")
        for i, label in enumerate(_labels(row)):
            group_labels = [labels[i] if i < len(labels) else (labels[0] if labels else name_)
                            for name_, labels in groups]
            spelling = (*group_labels, label)
            if spelling not in question.labels:
                question.labels.append(spelling)
    for row in _rows(workbook, "choices"):
        if row.get("list_name") and row.get("name"):
            form.choices.setdefault(row["list_name"], {}).setdefault(row["name"], set()).update(_labels(row))
    return forms


def find_forms(folders: Iterable[Path]) -> dict[str, Form]:
    """Every XLSForm in the folders (any depth), by form_id."""
    forms: dict[str, Form] = {}
    for folder in folders:
        folder = Path(folder)
        if folder.is_dir():
            for path in sorted(folder.rglob("*.xlsx")):
                if not any(part.startswith((".", "~$")) for part in path.relative_to(folder).parts) \
                        and is_xlsform(path):
                    read_xlsform(path, forms)
    return forms


def forms_dir(cfg: Configuration) -> Path:
    return cfg.path(FORMS_DIR)


def mapping_path(form_id: str, cfg: Configuration) -> Path:
    return forms_dir(cfg) / f"{form_id}.yml"


@dataclass(frozen=True)
class Mapping:
    """A form's reviewed mapping (``config/forms/<form_id>.yml``): question (or ``question/choice``) → record
    column, and per question, choice name → the value the records hold (catalogue code, vocabulary value,
    province)."""

    questions: dict[str, str]
    choices: dict[str, dict[str, str]]


def load_mapping(form_id: str, cfg: Configuration) -> Mapping | None:
    """The form's mapping file, or None when there is none yet."""
    path = mapping_path(form_id, cfg)
    if not path.is_file():
        return None
    stat = path.stat()
    return _mapping(path, stat.st_mtime_ns, stat.st_size, tuple(cfg.columns()))


@cache
def _mapping(path: Path, _mtime: int, _size: int, columns: tuple[str, ...]) -> Mapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{shown(path)}: not valid YAML: {error}") from None
    questions = {str(k): str(v) for k, v in (data.get("questions") or {}).items() if v not in (None, "")}
    if bad := sorted(f"{q}: {c}" for q, c in questions.items() if c not in columns):
        raise ConfigError(f"{shown(path)}: questions: not a column of columns.yml: {', '.join(bad)}")
    choices = {str(q): {str(k): str(v) for k, v in (values or {}).items() if v not in (None, "")}
               for q, values in (data.get("choices") or {}).items()}
    return Mapping(questions, choices)


class FormReading:
    """How the reader reads an export of one form: headers to questions to record columns, values to choices to
    record values. Used by :mod:`helpers.ingest.readers` through :meth:`identify`, :meth:`column` and
    :meth:`decode` only."""

    def __init__(self, form: Form, mapping: Mapping | None):
        self.form, self.mapping = form, mapping
        self._headers = form.headers()
        self._choices = {q.name: form.choice_names(q.name) for q in form.questions.values() if q.select}

    @property
    def form_id(self) -> str:
        return self.form.form_id

    def target(self, header: object) -> tuple[str, str | None] | None:
        """(question, choice or None) a header shows, or None."""
        return next((self._headers[key] for key in sorted(_keys(str(header or ""))) if key in self._headers), None)

    def score(self, row: list[str], is_metadata) -> int:
        """How many cells of a header row are this form's columns; 0 unless enough of them and a large share."""
        cells = [cell for cell in row if cell and str(cell).strip() and not is_metadata(cell)]
        found = sum(self.target(cell) is not None for cell in cells)
        return found if found >= MIN_QUESTIONS and found >= MIN_SHARE * len(cells) else 0

    def column(self, header: object) -> tuple[str | None, str] | None:
        """The record column a header maps to by the form's mapping and why; None when no question of the form."""
        target = self.target(header)
        if target is None:
            return None
        key = target[0] if target[1] is None else f"{target[0]}{SEPARATOR}{target[1]}"
        column = (self.mapping.questions.get(key) if self.mapping else None)
        return (column, FORM_COLUMN) if column else (None, NOT_MAPPED)

    def decode(self, columns: list, header: list[str]) -> tuple[list, list[str]]:
        """Values of select questions as the mapping's record values; a select-multiple's one column split into
        the per-choice 0/1 columns the mapping reads, when the export has no such column itself."""
        columns, header = list(columns), list(header)
        present = {self.target(name) for name in header}
        for i, name in enumerate(list(header)):
            target = self.target(name)
            if target is None or target[1] is not None or target[0] not in self._choices:
                continue
            question = self.form.questions[target[0]]
            names = self._choices[question.name]
            if question.type == "select_one":
                values = (self.mapping.choices.get(question.name, {}) if self.mapping else {})
                columns[i] = _recode(columns[i], lambda text, n=names, v=values: v.get(n.get(fold(text), ""), text))
            for choice in self.form.choices.get(question.list_name, {}) if question.type == "select_multiple" else ():
                key = f"{question.name}{SEPARATOR}{choice}"
                if (question.name, choice) in present or not (self.mapping and key in self.mapping.questions):
                    continue
                columns.append(_recode(columns[i], lambda text, c=choice, n=names: _selected(text, c, n)))
                header.append(key)
                present.add((question.name, choice))
        return columns, header


def _recode(column: pa.Array, func) -> pa.DictionaryArray:
    """A dictionary column with ``func`` applied to each distinct non-blank value (None: blank)."""
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not isinstance(column, pa.DictionaryArray):
        column = pc.dictionary_encode(column)
    values = [None if v is None or not str(v).strip() else func(str(v).strip())
              for v in column.dictionary.cast(pa.large_string()).to_pylist()]
    return pa.DictionaryArray.from_arrays(column.indices, pa.array(values, pa.large_string()))


def _selected(text: str, choice: str, names: dict[str, str]) -> str | None:
    """``1`` when the select-multiple answer holds the choice, ``0`` when it does not, None when that depends on
    how the answer is split into choices (labels hold spaces) or it cannot be split at all."""
    readings = _splits(text.split(), names, _READINGS)
    held = {choice in reading for reading in readings}
    return None if len(held) != 1 or len(readings) >= _READINGS else "1" if held.pop() else "0"


_READINGS = 16  # an answer splitting into this many readings is not read


def _splits(words: list[str], names: dict[str, str], limit: int) -> list[list[str]]:
    """Every way (up to ``limit``) to read the words as a sequence of choices (names or labels with spaces)."""
    if not words:
        return [[]]
    found = []
    for end in range(1, len(words) + 1):
        if (choice := names.get(fold(" ".join(words[:end])))) is not None:
            found += [[choice, *rest] for rest in _splits(words[end:], names, limit)]
            if len(found) >= limit:
                break
    return found[:limit]


def readings(folder: Path | None, cfg: Configuration) -> tuple[FormReading, ...]:
    """The forms of a quarter's folder and of the configuration's ``forms/``, each with its mapping (if any)."""
    folders = [forms_dir(cfg), *([folder] if folder is not None else [])]
    forms = find_forms(folders)
    return tuple(FormReading(form, load_mapping(form_id, cfg)) for form_id, form in sorted(forms.items()))

