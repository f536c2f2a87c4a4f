"""``quarterly-report check``: what a run would make of a quarter's raw files, shown before the run.

For the analyst who receives a quarter's files: which tool each file looks like, how each header was read,
how many rows would be kept or dropped and why, every value the cleaner would not recognise with its closest
candidates, and whether the run would stop (``docs/losses.md``). Nothing is guessed or applied: candidates are
suggestions, also written as CSV files in the shape of the configuration files so that a verified line can be
pasted in. No pseudonymisation key is needed and nothing is written to ``data/processed/`` or ``reports/``:
the rows go through :func:`helpers.clean.quarter.examine_quarter`, the cleaner's own steps without the pseudonyms.

A value that looks like an identifier (a phone or ID number typed into the wrong cell) is never shown, in the
terminal or in a file: it is listed as ``(withheld: phone)`` with the rows where it stands.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process, utils
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from helpers import context, formmap, settle
from helpers.clean import dates, measures, normalise, numbers, readings, redact, schema, totals
from helpers.clean.losses import losses
from helpers.clean.quarter import CORRECTED, Examination, examine_quarter
from helpers.columns import coded_columns
from helpers.config import Configuration
from helpers.context import RunContext
from helpers.csvfile import write_csv
from helpers.errors import CheckUsageError, ConfigError, NestedTooDeepError, NoSourcesError, PublishedTotalsError
from helpers.ingest import forms
from helpers.ingest.rules import HXL, UNKNOWN
from helpers.kernels import by_code
from helpers.paths import DATA_DIR, PROCESSED_DIR, REPORTS_DIR, Quarter, resolve
from helpers.text import fold, header_key, printable

COLUMNS = ["kind", "column", "value", "rows", "candidates", "suggestion", "where", "withheld"]
SHOWN = 60  # similarity (0-100) from which a candidate is shown (never filled in: only a certain one is)
PIPE_WIDTH = 160  # characters per line when the output is not a terminal
SHOWN_VALUES = 25  # values per kind in the terminal, the most frequent first (the CSV files hold all)
PLACES = 3  # rows named per value ("where"); the count gives the rest
# The files written, each in the columns of the configuration file its lines are meant for.
SUGGESTION_FILES = {
    "provinces.csv": ["alias", "province", "note"],  # config/province_aliases.csv
    "headers.csv": ["alias", "column", "note"],  # config/columns.yml: columns.<column>.aliases
    "vocabularies.csv": ["spelling", "vocabulary", "value", "note"],  # config/vocabularies.yml: <vocabulary>.<value>
    "activities.csv": ["code", "label_en", "label_tr", "label_ar", "note"],  # config/activities.yml: names.<language>
    "labels.csv": ["column", "label", "note"],  # config/labels.yml: reviewed.<column>, once reviewed
    "unrecognised.csv": COLUMNS,  # everything, dates and numbers included
}


@dataclass
class Check:
    """The outcome of checking one quarter's raw folder."""

    quarter: Quarter
    folder: Path
    config: Configuration  # the configuration the quarter was checked with
    examination: Examination | None  # None when the folder holds no file to read
    unrecognised: pd.DataFrame  # one row per unrecognised value (:data:`COLUMNS`)
    stops: list[str] = field(default_factory=list)  # one line per reason the run would stop

    @property
    def exit_code(self) -> int:
        return 1 if self.stops else 0


# --- what is shown ---------------------------------------------------------------------------------------


def withheld(text: str, cfg: Configuration, digits: bool = True) -> str | None:
    """``(withheld: <kinds>)`` for text holding an identifier (:func:`helpers.clean.redact.kinds`) or, unless
    ``digits`` is False (dates), as many digits as ``withheld.min_digits`` of config/vocabularies.yml;
    None for text that may be shown."""
    if found := redact.kinds(text, redact.origin_regions(cfg)):
        return f"(withheld: {', '.join(found)})"
    rule = cfg.load("vocabularies")["withheld"]
    if digits and sum(c.isdigit() for c in text) >= rule["min_digits"]:
        return rule["label"]
    return None


def _masked(text: object) -> str:
    """Free text (a hint, a note) with any identifier in it masked."""
    return "" if text is None or (pd.api.types.is_scalar(text) and pd.isna(text)) else redact.mask(str(text))[0]


# --- unrecognised values ---------------------------------------------------------------------------------


def _occurrences(raw: pd.DataFrame, column: str, bad: np.ndarray) -> dict[int, tuple[int, str]]:
    """For each category of ``raw[column]`` flagged in ``bad``: its number of rows and where the first ones are."""
    codes = raw[column].cat.codes.to_numpy()
    rows = np.flatnonzero(by_code(bad, codes, False))
    found = {}
    for code, places in raw.iloc[rows][["source", "row_number"]].groupby(codes[rows], sort=False):
        found[int(code)] = (len(places), _where(places))
    return found


def _where(places: pd.DataFrame) -> str:
    """``a.csv rows 5, 6; b.xlsx [Nisan] row 8 (+3 more)``: the first :data:`PLACES` rows, by file."""
    first = places.head(PLACES)
    parts = [f"{source} row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))}"
             for source, rows in first.groupby(first["source"].astype(str), sort=False)["row_number"]]
    more = f" (+{len(places) - PLACES} more)" if len(places) > PLACES else ""
    return "; ".join(parts) + more


def _entries(raw: pd.DataFrame, kind: str, column: str, bad: np.ndarray, describe, cfg: Configuration,
             digits: bool = True) -> list:
    """Rows of the unrecognised table for the flagged categories of ``raw[column]``; ``describe(value)`` gives
    (candidates, suggestion). A withheld value gets neither: nothing derived from it is shown."""
    categories = raw[column].cat.categories
    entries = []
    for code, (rows, where) in _occurrences(raw, column, bad).items():
        value = str(categories[code])
        hidden = withheld(value, cfg, digits)
        candidates, suggestion = ("", "") if hidden else describe(value)
        entries.append((kind, column, hidden or value, rows, _masked(candidates), suggestion or "", where,
                        bool(hidden)))
    return entries


def _closest(value: str, choices: dict[str, tuple[str, str]], key, scorer=fuzz.ratio) -> list[tuple[str, str, float]]:
    """Choices (key → (meaning, label)) similar to ``value``: (meaning, label, score), best first; shown to a
    person, never filled in (a near-miss is not certain: ``Kadınn`` may be a typo, ``Adala`` Adana or Adalar).

    Plain similarity by default: a header ``End Date`` is not close to ``date`` (a partial match would say so).
    """
    found = process.extract(key(value), list(choices), scorer=scorer, processor=utils.default_process,
                            limit=3, score_cutoff=SHOWN)
    return [(*choices[match], score) for match, score, _ in found]


def _meanings(spellings) -> dict[str, set[str]]:
    """Key of each spelling → the meanings spelt so ((key, meaning) pairs): one meaning is a certain match."""
    found: dict[str, set[str]] = {}
    for key, meaning in spellings:
        if key:
            found.setdefault(key, set()).add(meaning)
    return found


def _described(found: list[tuple[str, str, float]], meanings: set[str] | None = None) -> tuple[str, str]:
    """The candidates as text, and the suggestion: filled in only when the value is spelt exactly as one meaning's
    label, name, code or alias after folding (``meanings``: what its key means), never from similarity alone."""
    text = "; ".join(f"{label} → {suggestion} ({score:.0f})" if label != suggestion else f"{label} ({score:.0f})"
                     for suggestion, label, score in found)
    certain = next(iter(meanings)) if meanings and len(meanings) == 1 else ""
    return text or "no close candidate", certain


def _provinces(exam: Examination, cfg: Configuration) -> list:
    lookup = exam.provinces
    unknown = lookup.index[lookup["reason"] == "unknown_province"]
    bad = exam.raw["province"].cat.categories.isin(unknown)

    def describe(value: str) -> tuple[str, str]:
        hint, candidate, score = (lookup.at[value, key] for key in ("hint", "candidate", "score"))
        # filled in: the province of a district name of one province only (an exact name, score NaN); a close
        # spelling the resolver refused is left for a person
        suggest = pd.notna(candidate) and pd.isna(score)
        return (hint if pd.notna(hint) else "no close province"), (candidate if suggest else "")

    return _entries(exam.raw, "province", "province", bad, describe, cfg)


def _specific(text: str, generic: set[str]) -> str:
    """Folded text without the catalogue's generic words (``generic_words``: "support", "destek", "session"):
    a shared generic word is never a reason to think two names mean one activity."""
    return " ".join(word for word in fold(text).replace("-", " ").replace("_", " ").split() if word not in generic)


def _generic(cfg: Configuration) -> set[str]:
    """The catalogue's generic words (``generic_words`` of ``activities.yml``), folded."""
    return {fold(word) for word in cfg.load("activities").get("generic_words", [])}


def _activity_spellings(cfg: Configuration) -> list[tuple[str, str, str]]:
    """Every code, label and name of every catalogue activity: (code, ``field: name``, key without generic words)."""
    found, generic = [], _generic(cfg)
    for code, row in cfg.activities().iterrows():
        spellings = [("code", code), ("label_en", row.get("label_en")), ("label_tr", row.get("label_tr"))]
        names = row.get("names") if isinstance(row.get("names"), dict) else {}
        spellings += [(f"label_{language}", name) for language, more in names.items() for name in more]
        found += [(code, label if name == "code" else f"{name}: {label}", key) for name, label in spellings
                  if isinstance(label, str) and (key := _specific(label, generic))]
    return found


def _activities(exam: Examination, cfg: Configuration) -> list:
    categories = exam.raw["activity"].cat.categories
    known = normalise.activity_codes(pd.Series(categories, dtype="string"), cfg.activities())
    spellings, generic = _activity_spellings(cfg), _generic(cfg)
    specific = partial(_specific, generic=generic)
    choices = {key: (code, label) for code, label, key in reversed(spellings)}  # the first spelling of a key shown
    exact = _meanings((key, code) for code, _, key in spellings)  # the same words, generic ones set aside
    return _entries(exam.raw, "activity", "activity", known.isna().to_numpy(),
                    lambda value: _described(_closest(value, choices, specific, fuzz.WRatio),  # words in any order
                                             exact.get(specific(value))) if specific(value) else _described([]),
                    cfg)


def _dates(exam: Examination, cfg: Configuration) -> list:
    categories = exam.raw["date"].cat.categories
    parsed = dates.parse_dates(pd.Series(categories, dtype="string"), cfg)
    return _entries(exam.raw, "date", "date", parsed.isna().to_numpy(),
                    lambda value: ("not a date format of docs/values.md", ""), cfg, digits=False)


def _numbers(exam: Examination, cfg: Configuration) -> list:
    """Ambiguous numbers (both readings) and values that are no number within the column's bounds."""
    entries = []
    for column, bounds in schema.number_bounds(cfg).items():
        _, status = numbers.read_numbers(exam.raw[column], exam.raw["source"], bounds, exam.marks[column])
        codes = exam.raw[column].cat.codes.to_numpy()
        for flag, kind, describe in [
            (readings.AMBIGUOUS, "ambiguous number", lambda value: (numbers.ambiguity_hint(value), "")),
            (readings.INVALID, "invalid number", lambda value, b=bounds: (b.hint(), "")),
        ]:
            bad = np.zeros(len(exam.raw[column].cat.categories), dtype=bool)
            bad[codes[(status == flag) & (codes >= 0)]] = True
            entries += _entries(exam.raw, kind, column, bad, describe, cfg)
    return entries


def _optional(exam: Examination, cfg: Configuration) -> list:
    """Coded values outside their vocabulary (kept as unknown by the cleaner, counted in quality.json)."""
    entries = []
    for column, vocabulary in coded_columns(cfg).items():
        categories = pd.Series(exam.raw[column].cat.categories, dtype="string")
        parsed = normalise.parse_vocabulary(categories, vocabulary, cfg)
        bad = (parsed.isna() & (categories.str.strip() != "")).to_numpy(dtype=bool)
        spellings = normalise.vocabulary(vocabulary, cfg).items()
        choices = {spelling: (str(value), spelling) for spelling, value in spellings}
        exact = _meanings((fold(spelling), str(value)) for spelling, value in spellings)
        entries += _entries(exam.raw, f"{vocabulary} value", column, bad,
                            lambda value, c=choices, e=exact: _described(_closest(value, c, fold), e.get(fold(value))),
                            cfg)
    return entries


def _unreviewed(exam: Examination, cfg: Configuration) -> list:
    """Free-text labels not on the reviewed list of config/labels.yml: a run counts them under its ``other``
    label until they are reviewed (a label can hold a person's name) and added."""
    entries = []
    for column, reviewed in cfg.load("labels")["reviewed"].items():
        listed = set(reviewed)
        for label, rows in exam.labels_kept.get(column, {}).items():
            if label not in listed:
                hidden = withheld(label, cfg)
                entries.append(("label to review", column, hidden or label, rows, "", "", "", bool(hidden)))
    return entries


def _aliases(cfg: Configuration) -> list[tuple[str, str]]:
    """Every column name and alias of config/columns.yml: (column, alias)."""
    return [(column, str(alias)) for column, entry in cfg.load("columns")["columns"].items()
            for alias in [column, *(entry or {}).get("aliases", [])]]


def _headers(exam: Examination, cfg: Configuration) -> list:
    """Headers the reader ignored as unknown, once each, with the tables they head and the closest aliases."""
    seen: dict[str, list] = {}
    for table in exam.tables:
        for header, _, why in table.mapping:
            if why == UNKNOWN and header.strip():
                seen.setdefault(header.strip(), []).append(table)
    aliases = _aliases(cfg)
    choices = {header_key(alias): (column, alias) for column, alias in reversed(aliases)}
    exact = _meanings((header_key(alias), column) for column, alias in aliases)
    entries = []
    for header, tables in seen.items():
        hidden = withheld(header, cfg)
        labels = list(dict.fromkeys(_label(exam, table) for table in tables))
        last = header.rsplit("/", 1)[-1]
        candidates, suggestion = ("", "") if hidden else _described(_closest(last, choices, header_key),
                                                                     exact.get(header_key(last)))
        entries.append(("header", "", hidden or header, sum(len(t.row_number) for t in tables),
                        _masked(candidates), suggestion, "; ".join(labels), bool(hidden)))
    return entries


def _label(exam: Examination, table) -> str:
    """The table's label as every output shows it (identifiers in file and sheet names masked)."""
    return exam.labels[table.source, table.sheet]


def _labels(exam: Examination, tables: list) -> str:
    """``a.csv; b.xlsx [Ekim], [Kasım]``: tables named once per file."""
    sheets: dict[str, list[str]] = {}
    for table in tables:
        file, _, sheet = _label(exam, table).partition(" [")
        sheets.setdefault(file, []).append(f" [{sheet}" if sheet else "")
    return "; ".join(source + ",".join(parts) for source, parts in sheets.items())


def unrecognised(exam: Examination, cfg: Configuration) -> pd.DataFrame:
    """Every value the cleaner would not recognise: kind, column, value (withheld when identifier-shaped), rows
    read holding it (whatever they are finally dropped for; for a header, the rows of the tables it heads),
    closest candidates or the reason, a suggestion (never applied) and where the first rows are."""
    entries = [*_headers(exam, cfg), *_provinces(exam, cfg), *_activities(exam, cfg), *_dates(exam, cfg),
               *_numbers(exam, cfg), *_optional(exam, cfg), *_unreviewed(exam, cfg)]
    table = pd.DataFrame(entries, columns=COLUMNS).astype({"rows": "int64", "withheld": bool})
    order = {kind: i for i, kind in enumerate(dict.fromkeys(table["kind"]))}  # kinds in the order found
    return table.sort_values(["kind", "rows", "value"], ascending=[True, False, True], key=lambda c: c.map(
        order) if c.name == "kind" else c, ignore_index=True, kind="stable")


# --- the check -------------------------------------------------------------------------------------------


def stops(exam: Examination, cfg: Configuration) -> list[str]:
    """Why a run would stop: unreadable files, the loss checks of docs/losses.md, no row kept."""
    q, quality = exam.quarter, exam.quality
    lines = [f"{q}: cannot read {part['source']}: {part['reason']} (a run stops; --skip-bad-files lists it in "
             "the annex instead)" for part in quality["skipped_files"]]
    lines += losses(quality, q, cfg)
    if not quality["totals"]["rows_kept"]:
        lines.append(f"{q}: no row kept, nothing to report (stops even with --accept-losses)")
    return lines


def check_quarter(run: RunContext) -> Check:
    """Examine the run's ``<raw>/<quarter>/`` as a run would, without a key and without writing anything."""
    q, cfg = run.quarter, run.config
    folder = run.folders.raw / q
    try:
        totals.read(run.folders.raw, q, run.config)  # the table of published totals a run checks first
        table_stops = []
    except PublishedTotalsError as error:
        table_stops = [str(error)]
    try:
        exam = examine_quarter(run)
    except (NoSourcesError, NestedTooDeepError) as error:
        return Check(q, folder, cfg, None, pd.DataFrame(columns=COLUMNS), [*table_stops, f"{q}: {error}"])
    return Check(q, folder, cfg, exam, unrecognised(exam, cfg), [*table_stops, *stops(exam, cfg)])


def suggestion_tables(found: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The unrecognised values as lines of the configuration files (:data:`SUGGESTION_FILES`); withheld values
    are left out (they can never be a spelling to accept), a filled-in entry (only a certain one is) says
    ``certain: read it once applied``, since ``--apply`` writes it without asking. An activity name goes under
    its language (:func:`helpers.settle.language`): Arabic by its script, else the language of its closest
    candidate's label, English when none is."""
    shown = found[~found["withheld"].astype(bool)]

    def note(row) -> str:
        rows = f"{row['rows']:,} row{'' if row['rows'] == 1 else 's'}"
        parts = ["certain: read it once applied" if row["suggestion"] else "", row["candidates"],
                 f"{rows}: {row['where']}"]
        return "; ".join(part for part in parts if part)

    notes = shown.apply(note, axis=1) if len(shown) else pd.Series(dtype=object)
    of = {kind: shown["kind"] == kind for kind in ["province", "header", "activity"]}
    vocabulary = shown["kind"].str.endswith(" value")
    activities = shown[of["activity"]]
    languages = pd.Series([settle.language(value, closest) for value, closest
                           in zip(activities["value"], activities["candidates"], strict=True)], index=activities.index,
                          dtype=object)
    tables = {
        "provinces.csv": pd.DataFrame({"alias": shown["value"], "province": shown["suggestion"], "note": notes})[
            of["province"]],
        "headers.csv": pd.DataFrame({"alias": shown["value"], "column": shown["suggestion"], "note": notes})[
            of["header"]],
        "vocabularies.csv": pd.DataFrame({"spelling": shown["value"], "vocabulary": shown["kind"].str.removesuffix(
            " value"), "value": shown["suggestion"], "note": notes})[vocabulary],
        "activities.csv": pd.DataFrame({
            "code": activities["suggestion"],
            **{f"label_{lang}": activities["value"].where(languages == lang, "") for lang in ("en", "tr", "ar")},
            "note": notes[of["activity"]]}),
        "labels.csv": pd.DataFrame({"column": shown["column"], "label": shown["value"], "note": notes})[
            shown["kind"] == "label to review"],
        "unrecognised.csv": found,
    }
    return {name: table.reindex(columns=SUGGESTION_FILES[name]) for name, table in tables.items()}


def write_suggestions(found: pd.DataFrame, out: Path) -> list[Path]:
    """Write :func:`suggestion_tables` into ``out`` (UTF-8 with BOM, formulas neutralised); every file each time,
    so that none is left over from an earlier check."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in suggestion_tables(found).items():
        write_csv(table, out / name, encoding="utf-8-sig")
        written.append(out / name)
    return written


def output_dir(quarter: Quarter, out_dir: str | Path | None, raw_dir: Path,
               processed_dir: Path = PROCESSED_DIR, reports_dir: Path = REPORTS_DIR) -> Path:
    """Where the CSV files go: ``data/interim/<Q>/check/`` by default; never under the processed data, the
    reports or the raw files (raw data is immutable)."""
    out = resolve(out_dir, DATA_DIR / "interim" / quarter / "check").resolve()
    for forbidden in (processed_dir, reports_dir, raw_dir):
        if out.is_relative_to(Path(forbidden).resolve()):
            raise CheckUsageError(f"--out-dir {out} lies under {forbidden}: the check writes nothing there")
    return out


# --- the terminal ----------------------------------------------------------------------------------------


def _text(value: object, style: str = "") -> Text:
    return Text(printable(value), style=style)


def _show(console: Console, title: str, table: Table) -> None:
    """A table under its title (a line of its own: a long file name is not squeezed into the table's width)."""
    console.print()
    console.print(_text(title, "bold"))
    console.print(table)


def _table(*columns: str, numbers: tuple[str, ...] = ("rows",)) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=False, show_edge=False)
    for column in columns:
        number = column in numbers
        table.add_column(column, overflow="fold", justify="right" if number else "left", no_wrap=number)
    return table


def render(check: Check, console: Console, written: list[Path]) -> None:
    """Print the check: files, headers, not read, unrecognised values, loss checks, files written, verdict."""
    exam, cfg = check.examination, check.config
    console.print(_text(f"Check of {check.quarter}: {check.folder}", "bold"))
    if exam is not None:
        _render_files(exam, console, cfg)
        _render_unrecognised(check.unrecognised, console)
        _render_corrections(exam, console, cfg)
        _render_losses(exam, console, cfg)
        if missing := measures.sentences(exam.quality, cfg):
            console.print()
            console.print(_text("Figures missing data (the report says so):", "bold yellow"))
            for line in missing:
                console.print(_text(f"  {line}", "yellow"))
    if written:
        console.print()
        console.print(_text(f"Unrecognised values as configuration lines (verify before pasting): {written[0].parent}"))
        for path in written:
            console.print(_text(f"  {path.name}"))
    if check.stops:
        console.print(_text("A run would stop:", "bold red"))
        for line in check.stops:
            console.print(_text(f"  {line}", "red"))
    else:
        console.print(_text(f"{check.quarter} would run: no loss check trips.", "bold green"))


def _dropped(counts: dict, cfg: Configuration) -> str:
    """``3 duplicate``, ``2 unknown_activity``, ...: one line per reason a row would be dropped for."""
    found = {**counts.get("by_reason", {}), **counts.get("rejected_by_reason", {})}
    dropped = cfg.dropped_reasons()
    lines = [f"{n:,} {reason}" for reason in [*dropped, *cfg.reject_reasons()]
             if (n := counts.get(reason, 0) if reason in dropped else found.get(reason, 0))]
    return "\n".join(lines) or "none"


def _render_files(exam: Examination, console: Console, cfg: Configuration) -> None:
    files = _table("file", "shape", "read", "kept", "dropped", numbers=("read", "kept"))
    shapes = {_label(exam, table): table.shape for table in exam.tables}
    listed = {**exam.quality["files"], **{label: {} for label in shapes  # a header-only file: no row
                                           if label not in exam.quality["files"]}}
    for name, counts in listed.items():
        files.add_row(_text(name), _text(shapes.get(name, "")), _text(f"{counts.get('rows_read', 0):,}"),
                      _text(f"{counts.get('rows_kept', 0):,}"), Text(_dropped(counts, cfg)))
    if len(listed) > 1:
        totals = exam.quality["totals"]
        files.add_section()
        files.add_row(_text("all files", "bold"), _text(""), _text(f"{totals['rows_read']:,}", "bold"),
                      _text(f"{totals['rows_kept']:,}", "bold"), Text(_dropped(totals, cfg), "bold"))
    _show(console, "Rows per file (dropped: as rejects.csv names the reasons)", files)
    same: dict[tuple, list] = {}  # sheets with the same header (a tracker's month sheets) are shown once
    for table in exam.tables:
        same.setdefault((table.shape, tuple(table.mapping)), []).append(table)
    for (shape, mapping), tables in same.items():
        headers = _table("raw header", "column", "how")
        for header, column, why in mapping:
            how = "hxl hashtag" if why == HXL else why
            headers.add_row(_text(withheld(header, cfg) or header), _text(column or "—"),
                            _text(how, "" if column else "dim"))
        _show(console, f"Headers of {_labels(exam, tables)} ({shape})", headers)
    parts = [(p["source"], p["sheet"] or "", p["reason"]) for p in exam.quality["not_read"]]
    parts += [(p["source"], "", f"unreadable: {p['reason']}") for p in exam.quality["skipped_files"]]
    if parts:
        left = _table("file", "sheet", "why")
        for part in parts:
            left.add_row(*map(_text, part))
        _show(console, "Not read", left)


def _render_unrecognised(found: pd.DataFrame, console: Console) -> None:
    if found.empty:
        console.print(_text("Every value is recognised.", "green"))
        return
    for kind, part in found.groupby("kind", sort=False):
        table = _table("value", "column", "rows", "closest candidates / why", "where")
        for row in part.head(SHOWN_VALUES).itertuples():
            table.add_row(_text(row.value, "bold"), _text(row.column), _text(f"{row.rows:,}"),
                          _text(row.candidates), _text(row.where))
        if len(part) > SHOWN_VALUES:
            table.add_row(_text(f"(+{len(part) - SHOWN_VALUES:,} more: unrecognised.csv)", "dim"), *[_text("")] * 4)
        _show(console, f"Unrecognised: {kind}", table)


def _render_corrections(exam: Examination, console: Console, cfg: Configuration) -> None:
    """Every province spelling the run will correct (alias, typo, repaired encoding, dotted prefix, missing ı), with
    its rows: nothing is corrected without a trace (counted per file in quality.json, ``corrections``)."""
    lookup = exam.provinces
    corrected = lookup[lookup["method"].isin(CORRECTED)]
    if corrected.empty:
        return
    bad = exam.raw["province"].cat.categories.isin(corrected.index)
    table = _table("value", "read as", "how", "rows", "where")
    for code, (rows, where) in _occurrences(exam.raw, "province", bad).items():
        value = str(exam.raw["province"].cat.categories[code])
        table.add_row(_text(withheld(value, cfg) or value), _text(corrected.at[value, "province"]),
                      _text(corrected.at[value, "method"]), _text(f"{rows:,}"), _text(where))
    _show(console, "Corrections the run will make (province)", table)


def _render_losses(exam: Examination, console: Console, cfg: Configuration) -> None:
    totals, span = exam.quality["totals"], exam.quality["dates"]
    read = max(totals["rows_read"], 1)
    table = _table("check", "this quarter", "limit (config/pipeline.yml)")
    table.add_row(_text("rows rejected"), _text(f"{totals['rejected']:,} of {totals['rows_read']:,} "
                                                f"({100 * totals['rejected'] / read:.1f} %)"),
                  _text(f"{100 * cfg.setting('max_rejected_share'):g} % (max_rejected_share)"))
    table.add_row(_text("rows dated outside the quarter"),
                  _text(f"{totals['out_of_period']:,} ({100 * totals['out_of_period'] / read:.1f} %); dates "
                        + (f"{span['first']} to {span['last']}" if span.get("first") else "none valid")),
                  _text(f"{100 * cfg.setting('max_out_of_period_share'):g} % (max_out_of_period_share) and "
                        f"dates covering under {100 * cfg.setting('min_quarter_coverage'):g} % of the quarter"))
    table.add_row(_text("rows kept"), _text(f"{totals['rows_kept']:,}"), _text("at least 1"))
    _show(console, "Loss checks (docs/losses.md)", table)


def run(quarter: str, raw_dir: str | Path | None = None, out_dir: str | Path | None = None, *,
        processed_dir: str | Path | None = None, reports_dir: str | Path | None = None,
        color: bool = True, console: Console | None = None, apply: bool = False,
        config_dir: str | Path | None = None) -> int:
    """The ``check`` command: examine, write the CSV files, print; 0 when a run would go through, 1 when it
    would stop. Raises :class:`CheckUsageError` for a malformed quarter or a forbidden output folder.
    ``apply``: first add the certain lines to the configuration in use (:mod:`helpers.formmap`) and say which.

    ``processed_dir`` and ``reports_dir`` (a run's folders) are only read to refuse an output folder in them;
    ``config_dir``: the configuration folder (else the one in use, :func:`helpers.config.directory`)."""
    try:  # the context, once: the quarter parsed, the folders resolved, the configuration checked
        run = context.build(quarter, raw_dir=raw_dir, processed_dir=processed_dir, reports_dir=reports_dir,
                            config_dir=config_dir)
    except ValueError as error:  # a quarter not written like 2022Q4 (a ConfigError stops as itself)
        if isinstance(error, ConfigError):
            raise
        raise CheckUsageError(str(error)) from None
    folder = run.folders.raw / run.quarter
    out = output_dir(run.quarter, out_dir, run.folders.raw, run.folders.processed, run.folders.reports)
    added = formmap.apply_all(folder, run.config) if apply else []
    if added:  # the configuration as --apply left it
        run = replace(run, config=Configuration(run.config.folder).checked())
    check = check_quarter(run)
    if apply and check.examination is not None and (more := settle.apply(suggestion_tables(check.unrecognised),
                                                                         run.config)):
        added += more
        run = replace(run, config=Configuration(run.config.folder).checked())
        check = check_quarter(run)  # the quarter as the configuration now reads it
    written = write_suggestions(check.unrecognised, out) if check.examination is not None else []
    if form_readings := forms.readings(folder, run.config):
        write_csv(formmap.table(form_readings, run.config), out / "forms.csv", encoding="utf-8-sig")
        written.append(out / "forms.csv")
    if console is None:
        console = Console(color_system="auto" if color else None, highlight=False, emoji=False)
        if not console.is_terminal and "COLUMNS" not in os.environ:
            console.width = PIPE_WIDTH  # a file or a pager: long lines rather than narrow wrapped cells
    if apply:
        console.print(_text(f"Added to the configuration ({len(added)} line{'' if len(added) == 1 else 's'}):"
                            if added else "Nothing to add to the configuration.", "bold"))
        for line in added:
            console.print(_text(f"  {line}"))
    render(check, console, written)
    return check.exit_code
