"""Published versions of a quarter's report, and what a later run revised since the latest one.

``quarterly-report publish`` (:mod:`helpers.publish`) freezes a report's public files as
``reports/<Q>.versions/v<N>/``, beside the working report ``reports/<Q>/`` that every run replaces, and its audit
trail with the manifest (raw file names and hashes: internal) as ``<processed>/<Q>.versions/v<N>/``. A run of
a quarter with a published version renders a revised report: its first page says which version it replaces,
and its "Revisions" section lists each printed figure that changed (old → new), each photo of the narrative added,
removed, replaced or re-captioned (named by its caption, compared with the version's executed report notebook),
and how many raw files were added, removed or changed since that version (the quarter's own and the table of
published totals; counted, never named).
Printed figures are compared as printed (``67,389``, ``<5``), from the list each report keeps of them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import zip_longest
from pathlib import Path

import pandas as pd
from IPython.display import HTML, DisplayHandle

from helpers.csvfile import read_csv, write_csv
from helpers.errors import PipelineError
from helpers.paths import VERSIONS, Quarter
from helpers.provenance import inputs
from helpers.publication.labels import category_label, dimension_name
from helpers.publication.language import N_, Language, _, current, ngettext

MANIFEST = "manifest.json"
PRINTED = "printed-figures.csv"  # every figure a report printed: indicator, dimension, category, shown
KEY = ["indicator", "dimension", "category"]
# Processed files whose change revises a report even when no figure it prints changed: every number of the
# quarter and of its public data file, and the account of its rows (Annex A)
REVISING = ("indicators.csv", "indicators_public.csv", "quality.json")
_VERSION_RE = re.compile(r"v([1-9][0-9]*)")  # fullmatch, ASCII digits only (\d also takes ٠ and ２)
# What the Revisions section says of a narrative's photo changed since the version (named by its caption, or its
# alt text when it has none; never by its file)
PHOTO_ADDED = N_("A photo was added: “{photo}”.")
PHOTO_REMOVED = N_("A photo was removed: “{photo}”.")
PHOTO_REPLACED = N_("A photo was replaced: “{photo}”.")
PHOTO_REPLACED_RETITLED = N_("A photo was replaced: “{photo}” (before: “{before}”).")
PHOTO_RETITLED = N_("A photo's caption or credit changed: “{photo}” (before: “{before}”).")
PHOTO_REDESCRIBED = N_("The description of a photo for readers who cannot see it changed: “{photo}” "
                       "(before: “{before}”).")


def versions_dir(quarter: Quarter, root: Path) -> Path:
    """Where a quarter's published versions live, never replaced by a run: under the reports folder their public
    files, under the processed folder their audit trails and manifests."""
    return Path(root) / f"{quarter}{VERSIONS}"


@dataclass(frozen=True)
class Version:
    """One published version of a quarter's report: its public files (``folder``) and audit trail (``audit``);
    ``problems`` names its public files that do not match its manifest (changed, missing or extra), empty when
    it is as published."""

    quarter: Quarter
    number: int
    folder: Path
    audit: Path
    manifest: dict
    problems: tuple[str, ...] = ()

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def published_at(self) -> datetime:
        return datetime.fromisoformat(self.manifest["published_at"])

    @property
    def date(self) -> str:
        """The publication date in the language in use: ``7 December 2026`` / ``7 Aralık 2026``."""
        return current().day(self.published_at)

    def mismatch(self) -> str:
        """"version 1 of 2022Q4 does not match its manifest (changed: x.html; extra: y)"."""
        return (f"version {self.number} of {self.quarter} ({self.folder}) does not match its manifest "
                f"({'; '.join(self.problems)})")


def _manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PipelineError(f"{path} cannot be read ({type(error).__name__}: {error}): restore the version "
                            "from the archive") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("outputs", {}).get("report"), dict):
        raise PipelineError(f"{path} is not a version's manifest (no list of its report's files): restore the "
                            "version from the archive")
    return manifest


def _problems(folder: Path, manifest: dict, quarter: Quarter, number: int) -> tuple[str, ...]:
    """The version's files that differ from the manifest's list (the manifest itself is not listed), and a
    manifest made for another quarter or version (copied into a planted folder)."""
    listed = manifest["outputs"]["report"]
    found = {name: digest for name, digest in inputs.hashes(folder).items() if name != MANIFEST}
    changes = inputs.changes(listed, found)
    problems = [f"{what}: {', '.join(changes[key])}" for key, what in
                (("changed", "changed"), ("removed", "missing"), ("added", "extra")) if changes[key]]
    if (manifest.get("quarter"), manifest.get("version")) != (str(quarter), number):
        problems.append(f"the manifest is of {manifest.get('quarter')} version {manifest.get('version')}")
    return tuple(problems)


def versions(quarter: Quarter, reports: Path, processed: Path) -> list[Version]:
    """The quarter's published versions, oldest first (public folders ``v<N>`` whose audit trail in
    ``processed`` has a manifest), each checked against its manifest. A manifest that cannot be read stops with
    its path named."""
    found = []
    folder = versions_dir(quarter, reports)
    for path in folder.iterdir() if folder.is_dir() else []:
        match = _VERSION_RE.fullmatch(path.name)
        audit = versions_dir(quarter, processed) / path.name
        if match and path.is_dir() and (audit / MANIFEST).is_file():
            manifest = _manifest(audit / MANIFEST)
            number = int(match.group(1))
            found.append(Version(quarter, number, path, audit, manifest, _problems(path, manifest, quarter, number)))
    return sorted(found, key=lambda v: v.number)


def version_numbers(folder: Path) -> list[int]:
    """The numbers of the folders named as versions in ``folder``, with a manifest or not."""
    return [int(m.group(1)) for path in (Path(folder).iterdir() if Path(folder).is_dir() else [])
            if (m := _VERSION_RE.fullmatch(path.name))]


def latest(quarter: Quarter, reports: Path, processed: Path) -> Version | None:
    """The newest version that matches its manifest: the base of a revision (a tampered one never is)."""
    found = [v for v in versions(quarter, reports, processed) if v.intact]
    return found[-1] if found else None


def revised_note(quarter: Quarter, reports: Path, processed: Path, today: datetime | None = None, *,
                 changed: bool = True) -> HTML:
    """On the first page of a report made after a published version: "Revised <date>; replaces version N of
    <date>" when a figure printed in both changed or a raw file changed (``changed``), else "Reissued <date>;
    the figures are those of version N": a rerun that changed only words or layout does not claim to revise
    the numbers.

    The notebook displays it first with a display id, and :func:`section`, which knows what changed once every
    figure is printed, updates it in place."""
    version = latest(quarter, reports, processed)
    if version is None:
        return HTML("")
    words = {"today": current().day(today or datetime.now(UTC)), "then": version.date, "number": version.number}
    if changed:
        strong, rest = (_("Revised {today}; replaces version {number} of {then}"),
                        _("(see Revisions at the end)."))
    else:
        strong, rest = (_("Reissued {today}; the figures are those of version {number} of {then}"),
                        _("(no figure printed in both, no raw file and none of the data behind them has changed; "
                          "see Revisions at the end)."))
    return HTML(f"<p class='revised-note'><strong>{html.escape(strong.format(**words))}</strong> "
                f"{html.escape(rest)}</p>")


def printed_name(language: Language) -> str:
    """The list of an edition's printed figures: ``printed-figures.csv``, ``printed-figures.tr.csv``."""
    return PRINTED.replace(".csv", f"{language.suffix}.csv")


def printed_figures(traced: list[dict]) -> pd.DataFrame:
    """The figures a report printed, once each (as the annex lists them)."""
    table = pd.DataFrame(traced, columns=[*KEY, "shown"]).astype(str)
    return table.drop_duplicates(subset=KEY).reset_index(drop=True)


def changed_figures(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Printed figures that differ between two reports (``old``, ``new``; blank when not printed)."""
    both = before.set_index(KEY)["shown"].rename("old").to_frame().join(
        after.set_index(KEY)["shown"].rename("new"), how="outer").fillna("")
    return both[both["old"] != both["new"]].reset_index()


def section(report, reports: Path, processed: Path, note: DisplayHandle | None = None,
            published: Path | None = None) -> HTML:
    """The "Revisions" section of a revised report (nothing for a quarter never published); ``note``, the
    first page's :func:`revised_note` as displayed, is updated to say whether anything changed. ``processed``
    holds the quarter's data as this run made them, ``published`` (default: ``processed``) the versions' audit.

    Also keeps the report's printed figures in ``printed-figures.csv`` beside its processed data, which a run
    publishes with the report: a later revision compares its own with them. Call it last, once every figure
    has been printed.
    """
    folder = Path(processed) / report.quarter
    language = report.language
    published = Path(published or processed)
    printed = printed_figures(report.traced)
    write_csv(printed, folder / printed_name(language), encoding="utf-8")
    version = latest(report.quarter, reports, published)
    if version is None:
        return HTML("")
    # Compared in the neutral form every edition's figures are kept in (printed-figures.csv), shown in this one's
    before = read_csv(version.folder / PRINTED, dtype=str, keep_default_na=False)
    changed = changed_figures(before, printed.assign(shown=printed["shown"].map(language.neutral)))
    specs = report.cfg.indicator_specs()  # the configuration the report was made with
    e, absent = html.escape, _("not printed")
    rows = "".join(
        f"<tr><td>{e(_(specs[c.indicator]['label']) if c.indicator in specs else c.indicator)}</td>"
        f"<td>{e(breakdown(c.dimension, c.category))}</td>"
        f"<td class='num'>{e(language.printed(c.old) if c.old else absent)}</td>"
        f"<td class='num'>{e(language.printed(c.new) if c.new else absent)}</td></tr>"
        for c in changed.itertuples())
    figures = (f"<table class='figures revisions'><thead><tr><th>{e(_('Figure'))}</th><th>{e(_('Breakdown'))}</th>"
               f"<th class='num'>{e(_('Version {number}').format(number=version.number))}</th><th class='num'>"
               f"{e(_('Now'))}</th></tr></thead><tbody>{rows}</tbody></table>"
               if len(changed) else f"<p>{e(_('No printed figure changed.'))}</p>")
    made_from, frozen = inputs.load(folder), version.manifest["inputs"]
    raw = [inputs.changes(frozen["raw"], made_from.get("raw", {})),
           inputs.changes(_published_totals(frozen, report.cfg.setting("published_totals")),
                          made_from.get("published_totals", {}))]
    # Counted, never named: file names are chosen by partners and may name the people served
    counts = {what: sum(len(changes[what]) for changes in raw) for what in ("added", "removed", "changed")}
    kinds = {"added": _("added"), "removed": _("removed"), "changed": _("changed")}
    files = ", ".join(f"{language.number(n)} {kinds[what]}" for what, n in counts.items() if n)
    if note is not None:
        # A figure printed in both and different, a raw file, or the quarter's numbers (the indicators, the
        # published data, the rows' account) revise; a figure only added to or left out of the text does not
        data = {name: digest for name, digest in version.manifest["outputs"]["processed"].items() if name in REVISING}
        revised = (((changed["old"] != "") & (changed["new"] != "")).any() or bool(files)
                   or any(inputs.sha256(folder / name) != digest if (folder / name).is_file() else True
                          for name, digest in data.items()))
        note.update(revised_note(report.quarter, reports, published, changed=revised))
    intro = _("This report replaces version {number}, published {date}.").format(number=version.number,
                                                                                 date=version.date)
    count = ngettext("{n} printed figure changed, added or left out since then.",
                     "{n} printed figures changed, added or left out since then.",
                     len(changed)).format(n=language.number(len(changed)))
    raw_files = _("Raw files since version {number}: {files}.").format(
        number=version.number, files=files or _("none added, removed or changed"))
    shown = [(hashlib.sha256(photo.jpeg).hexdigest(), photo.metadata) for photo in report.shown_photos]
    photos = photo_changes(embedded_photos(version.audit / inputs.executed_report(language.suffix)), shown)
    photos = (f"<p>{e(_('Photos since version {number}:').format(number=version.number))}</p><ul class='photos'>"
              + "".join(f"<li>{e(line)}</li>" for line in photos) + "</ul>" if photos else "")
    return HTML(f"<h2>{e(_('Revisions'))}</h2><p>{e(intro)} {e(count)}</p>{figures}{photos}<p>{e(raw_files)}</p>")


def embedded_photos(notebook: Path) -> list[tuple[str, dict]]:
    """The photos an executed report notebook shows, in order: the SHA-256 of each embedded JPEG (the picture a
    reader saw) and what the page says of it (alt text, caption, credit). None for a version without one."""
    if not notebook.is_file():
        return []
    # Read as the JSON it is (nbformat 4, as papermill writes it): importing nbformat in the report's kernel would
    # load jsonschema's format checkers, seconds of the edit loop for a file read once
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    outputs = (output for cell in cells for output in cell.get("outputs", []))
    return [(hashlib.sha256(base64.b64decode("".join(output["data"]["image/jpeg"]))).hexdigest(),
             dict(output.get("metadata", {}).get("image/jpeg", {}))) for output in outputs
            if "image/jpeg" in output.get("data", {})]


def photo_changes(before: list[tuple[str, dict]], after: list[tuple[str, dict]]) -> list[str]:
    """In words, each photo added, removed, replaced or re-captioned between two reports' ``(digest, metadata)``
    lists (:func:`embedded_photos`): a picture found in both is the same photo; of the others, the n-th left in one
    report replaced the n-th left in the other."""
    lines, gone, new = [], list(before), []
    for digest, meta in after:
        same = next((i for i, (old, _meta) in enumerate(gone) if old == digest), None)
        if same is None:
            new.append(meta)
            continue
        old = gone.pop(same)[1]
        if _described(old) != _described(meta):
            lines.append(_(PHOTO_RETITLED).format(photo=_described(meta), before=_described(old)))
        elif old.get("alt") != meta.get("alt"):
            lines.append(_(PHOTO_REDESCRIBED).format(photo=meta.get("alt", ""), before=old.get("alt", "")))
    for old, meta in zip_longest([meta for _digest, meta in gone], new):
        if old is None:
            lines.append(_(PHOTO_ADDED).format(photo=_named(meta)))
        elif meta is None:
            lines.append(_(PHOTO_REMOVED).format(photo=_named(old)))
        elif _named(old) == _named(meta):
            lines.append(_(PHOTO_REPLACED).format(photo=_named(meta)))
        else:
            lines.append(_(PHOTO_REPLACED_RETITLED).format(photo=_named(meta), before=_named(old)))
    return lines


def _described(meta: dict) -> str:
    """A photo's caption and credit as printed under it."""
    return " ".join(part for part in (meta.get("caption", ""), meta.get("credit", "")) if part)


def _named(meta: dict) -> str:
    """A photo as the Revisions section names it: its caption, else its alt text."""
    return meta.get("caption") or meta.get("alt", "")


def breakdown(dimension: str, category: str) -> str:
    """A changed figure's breakdown as the report names it: ``Activity: Individual case management``, ``Sex and
    age group: Female · 12-17 years``; blank for a total."""
    if dimension == "total":
        return ""
    return f"{current().capitalize(dimension_name(dimension))}: {category_label(dimension, category)}"


def _published_totals(frozen: dict, name: str) -> dict[str, str]:
    """The published totals a version was made from, by their file's ``name`` (a version made before the cleaning
    checked them lists them among the earlier quarters' files)."""
    return frozen.get("published_totals") or {n: h for n, h in frozen["earlier_quarters"].items() if n == name}


def total_source(quarter: Quarter, processed: Path, reports: Path, data: Path | None = None) -> str:
    """Which report a quarter's total in the history comes from: ``version N`` when its indicators are those
    of published version N, else ``unpublished`` (a revision of version N, or never published). ``data`` is
    the processed root holding the quarter's indicators (default ``processed``; a run's staging folder)."""
    found = [v for v in versions(quarter, reports, processed) if v.intact]
    current = Path(data or processed) / quarter / "indicators.csv"
    if not found or not current.is_file():
        return "unpublished"
    digest = inputs.sha256(current)
    for version in reversed(found):
        if version.manifest["outputs"]["processed"].get("indicators.csv") == digest:
            return f"version {version.number}"
    return f"unpublished revision of version {found[-1].number}"


def rewrite_versions(path: Path, processed: Path, reports: Path, staged: dict[str, Path] | None = None
                     ) -> pd.DataFrame:
    """``history.csv`` at ``path`` written again with its ``version`` column brought up to date
    (:func:`with_versions`); the table written is returned."""
    history = pd.read_csv(path, dtype={"quarter": "string"}).drop(columns="version", errors="ignore")
    history = with_versions(history, processed, reports, staged)
    write_csv(history, path)
    return history


def with_versions(history: pd.DataFrame, processed: Path, reports: Path,
                  staged: dict[str, Path] | None = None) -> pd.DataFrame:
    """The history table with a ``version`` column: which report each quarter's total comes from (blank for
    totals from the published-totals file). ``staged`` gives the processed root of quarters being run (by name:
    the history's rows name their quarters, parsed here)."""
    staged = staged or {}
    return history.assign(version=[total_source(Quarter.parse(q), processed, reports, staged.get(q))
                                   if source == "pipeline"
                                   else "" for q, source in zip(history["quarter"], history["source"], strict=True)])
