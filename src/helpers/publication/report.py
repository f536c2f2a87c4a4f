"""What the report notebook shows: numbers traced to their indicator, tiles and tables with suppression.

Every label, file name and narrative reaches the page escaped (``html.escape``, :func:`escape_markdown`) or
through the allow-list of :mod:`helpers.publication.safehtml` (Markdown outputs are converted and cleaned at export).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup
from IPython.display import HTML, Image, Markdown, display
from matplotlib.figure import Figure

from helpers import config
from helpers.clean import measures
from helpers.clean.quality import public_labels, rounded, source_table, unit_of
from helpers.csvfile import read_csv, write_csv
from helpers.errors import NarrativeError, SectionOrderError, UnknownLookupError
from helpers.measure import across
from helpers.measure.disclosure import (
    COMPLEMENTARY,
    COMPLEMENTARY_MARK,
    SUPPRESSED,
    definitions_name,
    dictionary_name,
    for_report,
    published_versions,
    suppression,
)
from helpers.measure.indicators import series, value
from helpers.paths import (
    NARRATIVES_DIR,
    PROCESSED_DIR,
    SOURCES_FILE,
    Quarter,
    public_data_name,
    sources_name,
)
from helpers.publication import figures, photos
from helpers.publication.datapackage import DATAPACKAGE
from helpers.publication.language import N_, Language, _, current, languages, ngettext, use
from helpers.publication.narrative import check_headings, narrative_path, render_narrative, sections
from helpers.publication.safehtml import escape_markdown, markdown_html
from helpers.text import nearest

NOT_REPORTED = N_("not reported")  # a total whose measure no kept record reports (shown instead of 0)
# A sum some kept records do not report (helpers.clean.measures): a lower bound, marked where it is printed and drawn
AT_LEAST = N_("at least {value}")
ANNEX_GROUP_TEXT = N_("Numbers in the text")  # Annex B's group for the narrative's numbers, listed last
DRAFT_SECTION = N_("*The text of this section has not been written yet.*")
# What each mark a table, tile or chart may print means, said where it first appears (then in Annex B).
MARKS = {
    SUPPRESSED: N_("<5: a number from 1 to 4, not shown so that no small group of people can be singled out."),
    COMPLEMENTARY_MARK: N_("x: not shown, so that a number below 5 elsewhere in the table cannot be worked out "
                           "from the total."),
    NOT_REPORTED: N_("not reported: the records this figure adds up do not give its amount or quantity, so the "
                     "figure is not known (it is not zero); Annex A says which records."),
}
ACROSS_UNAVAILABLE = N_("People counted once across quarters are not given in this report: the records of the "
                        "earlier quarters cannot be linked to this quarter's with certainty.")
CHANGE_UNAVAILABLE = N_("A comparison with the previous quarter ({previous}) is not available yet.")
LOSSES_TITLE = N_("Published with known gaps in the data")
LOSSES = {
    "rejected": N_("{rejected} of the {read} rows received ({share}) could not be used, more than usual: the "
                   "figures may be lower than the activities carried out."),
    "out_of_period": N_("{out_of_period} of the {read} rows received ({share}) were dated outside {period} and "
                        "are not counted."),
}
OTHER_SOURCES = N_("Other sources")  # Annex A: files outside the units' folders
_FILE, _SHEET = N_("file {n}"), N_("sheet {n}")  # a source's neutral label: "file 3, sheet 2" (public_labels)
TREND = "quarter"  # the breakdown the trend's figures are registered under (one per quarter)


# A narrative's boxes: the word that opens one (in the narrative's language) → its style
BOXES = {N_("Story"): "story", N_("Highlight"): "highlight"}
ACTIVITIES_TITLE, ACTIVITIES_HEAD = N_("What each sector does"), (N_("Sector"), N_("Its activities"))


def _svg_uri(name: str) -> str:
    """An SVG file of ``config/`` as a data: URI (an image that runs nothing)."""
    return "data:image/svg+xml;base64," + base64.b64encode(config.path(name).read_bytes()).decode("ascii")


def counted(n: int, one: str, other: str, **fields: str) -> str:
    """``one`` or ``other`` by the count ``n`` (filled in as ``{n}``, with the language's thousands separators;
    ``fields`` fill the rest), in the language in use: the number agrees with its noun, in each language's own
    plural forms."""
    return ngettext(one, other, n).format(n=current().number(n), **fields)


def _count(n: int | str) -> str:
    """A count as printed in the language in use: ``1,250`` / ``1.250``; a withheld one (``<5``) as it is."""
    return n if isinstance(n, str) else current().number(n)


def dimension_name(dimension: str) -> str:
    """What a reader sees for a breakdown's name: ``activity+province`` → ``activity and province``, ``centre``
    → ``centre or site`` (``breakdowns`` of ``config/report.yml``), ``age_group`` → ``age group``."""
    return _(" and ").join(_(breakdown_name(part)) for part in dimension.split("+"))


def breakdown_name(part: str) -> str:
    """One dimension's name as a reader sees it, in the catalogue's language: ``centre or site``, ``age group``."""
    return config.report()["breakdowns"].get(part, part.replace("_", " "))


def count_heading(column: str) -> str:
    """A column of Annex A's table of rows, in the catalogue's language: ``rows_read`` → ``Rows read``."""
    return column.replace("_", " ").capitalize()


def narrative_sections() -> list[str]:
    """The titles of the report's sections that take narrative text (``config/report.yml``), in order and in
    the language in use: the ``## `` headings a narrative may have. The first opens the report."""
    return [_(section["title"]) for section in config.report()["sections"] if section["narrative"]]


def activity_label(code: str) -> str:
    """An activity's name in the language in use: ``label_<code>`` of ``config/activities.yml`` where the
    catalogue has it (``label_tr``), else its ``label`` through the message catalogue."""
    catalogue = config.activities()
    if code not in catalogue.index:
        return code
    own = catalogue.get(f"label_{current().code}")
    if not current().source and own is not None and isinstance(own[code], str) and own[code]:
        return own[code]
    return _(str(catalogue.at[code, "label"]))


def category_label(dimension: str, category: str) -> str:
    """What a reader sees for a category: activity names from the catalogue, coded values capitalised
    (``unknown`` → ``Unknown``, ``18-59`` → ``18-59 years``); free text (centres, donors) as recorded."""
    parts = str(category).split(" | ")
    if len(parts) != len(dimension.split("+")):
        return str(category)
    labels = []
    for part, code in zip(dimension.split("+"), parts, strict=True):
        if part == "activity":
            labels.append(activity_label(code))
        elif part == "age_group":
            labels.append(figures.age_label(code))
        elif part in ("sex", "population_group", "sector"):
            labels.append(figures.category_name(code))
        elif part == "item":
            labels.append(_(code))
        else:
            labels.append(code)
    return " · ".join(labels)


@dataclass
class Report:
    """One quarter's computed outputs, and the register of every number the report prints."""

    quarter: str
    indicators: pd.DataFrame
    quality: dict
    history: pd.DataFrame
    traced: list[dict] = field(default_factory=list)
    folder: Path | None = None
    group: str = ANNEX_GROUP_TEXT  # Annex B's group of the numbers printed now: the current section's title
    story: Story | None = None
    started: list[str] = field(default_factory=list)  # ids of the sections printed so far
    published: list[pd.DataFrame] = field(default_factory=list)  # the quarter's published versions' public tables
    explained: set[str] = field(default_factory=set)  # the marks (MARKS: <5, x, not reported) explained so far
    partial_shown: set[str] = field(default_factory=set)  # partial sums printed or drawn, to be said under them
    language: Language = field(default_factory=current)  # the edition: its words and formats
    narratives: Path = NARRATIVES_DIR  # the folder of the narrative read, where its photos are
    shown_photos: list[photos.Photo] = field(default_factory=list)  # the narrative's photos, as embedded

    @classmethod
    def load(cls, quarter: str, processed_dir: Path = PROCESSED_DIR, published_dir: Path | None = None,
             language: str | None = None) -> Report:
        """The quarter's report from ``processed_dir``; its published versions (which a revision's suppression
        takes into account) are in ``published_dir`` (default ``processed_dir``). Printed in ``language`` (a code
        of ``config/report.yml``'s languages; the first by default): every later word and number of the kernel
        is in it."""
        folder = Path(processed_dir) / quarter
        indicators = read_csv(folder / "indicators.csv", dtype={"category": "string", "quarter": "string"},
                              keep_default_na=False)
        quality = json.loads((folder / "quality.json").read_text(encoding="utf-8"))
        history = pd.read_csv(Path(processed_dir) / "history.csv", dtype={"quarter": "string"})
        words = use(language) if language else current()
        return cls(quarter, indicators, quality, history, folder=folder, language=words,
                   published=published_versions(quarter, Path(published_dir or processed_dir)))

    def fmt(self, value: float | str, *, total: bool = False, decimals: int = 0) -> str:
        """A value as this edition prints it (``67.389``, ``<5``, ``–``), not registered: for values already
        registered by :meth:`series`."""
        return self.language.fmt(value, total=total, decimals=decimals)

    def section(self, name: str) -> str:
        """Start the section ``name`` of ``config/report.yml``: print its heading (an h2) and its figures, and
        return its narrative text ("" for a section without). The sections config places before it that have no
        cells in the notebook (text sections) are printed first, so the report follows config's order. Numbers
        printed from now on belong to this section in Annex B."""
        declared = config.report()["sections"]
        ids = [section["id"] for section in declared]
        if name not in ids:
            raise UnknownLookupError(f"{name!r} is not a section of config/report.yml; nearest: "
                                     f"{', '.join(nearest(name, ids))}")
        here, after = ids.index(name), self._after_last(ids)
        if here < after:
            raise SectionOrderError(f"section {name!r} started after {self.started[-1]!r}: the notebook's sections "
                                    f"follow config/report.yml's order ({', '.join(ids)})")
        self._text_sections(declared[after:here])
        return self._start(declared[here])

    def end(self) -> None:
        """Print the text sections config places after the notebook's last section."""
        declared = config.report()["sections"]
        self._text_sections(declared[self._after_last([section["id"] for section in declared]):])

    def _after_last(self, ids: list[str]) -> int:
        """Where the next section is in config's list: after the last one printed."""
        return ids.index(self.started[-1]) + 1 if self.started else 0

    def _text_sections(self, declared: list[dict]) -> None:
        """Sections with no cells in the notebook: heading, figures and narrative text, as config declares them."""
        for section in declared:
            if text := self._start(section):
                self.show(text)

    def _start(self, section: dict) -> str:
        """Print a section's heading and figures; its narrative text (the opening section's is also the text
        before the narrative's first heading)."""
        self.started.append(section["id"])
        self.group = _(section["title"])
        if section["heading"]:
            display(HTML(f"<h2>{html.escape(_(section['title']))}</h2>"))
        if section["figures"]:
            display(self._tiles(section["figures"]))
        if not section["narrative"]:
            return ""
        if self.story is None:
            raise NarrativeError(f"section {section['id']!r} takes narrative text: read it first (Report.narrative)")
        first = self.story.get("") if _(section["title"]) == narrative_sections()[0] else ""
        return first or self.story.get(_(section["title"]))

    def headline(self) -> HTML:
        """The Overview's tiles: the headline figures of ``config/report.yml`` (those not marked ``tile: false``)."""
        return self._tiles([figure for figure in config.report()["headline_figures"] if figure["tile"]])

    def _tiles(self, figures: list[dict]) -> HTML:
        """Tiles of totals, labelled as config says (``{period}``, ``{year}`` filled in)."""
        words = {"period": self.period, "year": Quarter.parse(self.quarter).year}
        return self.tiles([(self.number(figure["indicator"]), _(figure["label"]).format(**words))
                           for figure in figures])

    @cached_property
    def suppressed(self) -> pd.Series:
        """Suppression of each indicator value (the public file's): 0 shown, 1 small (<5), 2 complementary."""
        return suppression(self.indicators, self.published).set_axis(pd.MultiIndex.from_frame(
            self.indicators[["indicator", "dimension", "category"]]))

    @property
    def period(self) -> str:
        """The quarter as a reader names it: ``October–December 2022`` / ``Ekim–Aralık 2022``."""
        return self.language.period(self.quarter)

    @property
    def programme(self) -> dict:
        """Programme facts from ``config/programme.yml``."""
        return config.load("programme")

    @property
    def source(self) -> str:
        """The data-source line printed under every figure; under a figure drawn from a partial sum (a series
        taken just before), also what it leaves out, so that the chart itself says so."""
        line = _("Source: {source}").format(source=_(self.programme["data_source"]).format(label=self.period))
        return "\n".join([line, *map(self._partial_note, sorted(self.partial_shown - self.explained))])

    def title_block(self, draft: bool, published: dt.date | None = None) -> ReportMeta:
        """The report's title block, handed to the nbconvert template: title, subtitle, draft flag and the
        programme's identity (organisation, logo, contact, disclaimer) with the publication date (today)."""
        programme = self.programme
        subtitle = _(programme["subtitle_template"]).format(label=self.period)
        published = published or dt.date.today()
        contact = programme.get("contact") or {}
        meta = {"title": _(programme["title"]), "subtitle": subtitle, "draft": draft, "quarter": self.quarter,
                "organisation": _(programme["organisation"]), "published": published.isoformat(),
                "published_label": self.language.day(published), "language": self.language.code,
                "contact": {**contact, **({"name": _(contact["name"])} if contact.get("name") else {})},
                "disclaimer": _(programme["disclaimer"]) if programme.get("disclaimer") else ""}
        if logo := programme.get("logo"):
            meta["logo"] = _svg_uri(logo)
        meta["donors"] = [{"name": donor["name"], "logo": _svg_uri(donor["logo"]) if donor.get("logo") else ""}
                          for donor in programme.get("donors", [])]
        return ReportMeta(meta)

    def activity_lists(self) -> HTML:
        """What each sector does: its activities from the catalogue (``config/activities.yml``), in order."""
        catalogue = config.activities()
        rows = "".join(
            f"<tr><th scope='row'>{html.escape(_(sector))}</th><td>"
            + html.escape(", ".join(map(activity_label, catalogue.index[catalogue["sector"] == sector]))) + "</td></tr>"
            for sector in config.sectors() if (catalogue["sector"] == sector).any())
        head = "".join(f"<th scope='col'>{html.escape(_(words))}</th>" for words in ACTIVITIES_HEAD)
        return HTML(f"<h3>{html.escape(_(ACTIVITIES_TITLE))}</h3><table class='figures compact activities'><thead><tr>"
                    f"{head}</tr></thead><tbody>{rows}</tbody></table>")

    def losses_note(self) -> HTML:
        """On the first page, when the report was published although the data looked wrong: what a reader
        should weigh, in counts (the run's own wording is in its log)."""
        accepted = self.quality.get("accepted_losses") or []
        if not accepted:
            return HTML("")
        totals = self.quality["totals"]
        read = totals["rows_read"] or 1
        found = {entry["kind"] for entry in accepted}  # the run's own lines stay in its log and quality.json
        kinds = [kind for kind in LOSSES if kind in found]
        words = [_(LOSSES[kind]).format(**{kind: self.language.number(totals[kind])},
                                        read=self.language.number(read),
                                        share=self.language.percent(totals[kind] / read), period=self.period)
                 for kind in kinds]
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in words)
        return HTML(f"<div class='losses-note' role='note'><p><strong>{html.escape(_(LOSSES_TITLE))}</strong>:</p>"
                    f"<ul>{lines}</ul></div>")

    def activity_label(self, code: str) -> str:
        """An activity's name in this edition (:func:`activity_label`)."""
        return activity_label(code)

    def trend(self) -> pd.Series:
        """People reached per quarter, up to this one (the last eight quarters on record)."""
        history = self.history.assign(q=self.history["quarter"].map(Quarter.parse))
        history = history[history["q"] <= Quarter.parse(self.quarter)].sort_values("q").tail(8)
        headline = config.headline()
        for quarter, total in zip(history["quarter"], history[headline], strict=True):
            self._trace(self.fmt(total, total=True), headline, TREND, quarter)
        return pd.Series(history[headline].to_numpy(), index=history["quarter"].to_numpy())

    def conventions(self) -> HTML:
        """The three ways of counting people reached, side by side, each with what it means."""
        rows = [
            ("people_reached", _("Sum of the five sectors (the convention of this report): a person served "
                                 "by two sectors is counted in each.")),
            ("people_reached_max", _("For each province the largest sector, summed over provinces: avoids "
                                     "counting one person in several sectors, but undercounts people served in one "
                                     "sector only.")),
            ("unique_individuals", _("Registered individuals counted once across all services; households and "
                                     "group sessions, which are not registered by name, are not included.")),
        ]
        specs = config.indicator_specs()
        body = "".join(f"<tr><td>{html.escape(_(specs[i]['label']))}</td><td class='num'>{self.number(i)}</td>"
                       f"<td>{html.escape(text)}</td></tr>" for i, text in rows)
        return HTML(f"<table class='figures conventions compact'><thead><tr><th>{html.escape(_('Convention'))}</th>"
                    f"<th class='num'>{html.escape(_('People'))}</th><th>{html.escape(_('What it means'))}</th></tr>"
                    f"</thead><tbody>{body}</tbody></table>")

    def across_quarters(self, processed_dir: Path = PROCESSED_DIR) -> HTML:
        """Beside the conventions: distinct people over the processed quarters and the change since the previous
        quarter (:mod:`helpers.measure.across`), each with what it counts, or why it was not computed."""
        record = across.load(Path(processed_dir) / self.quarter)
        span = (_("{first} to {last}").format(first=record.quarters[0], last=self.quarter)
                if len(record.quarters) > 1 else self.quarter)
        rows = [
            ("unique_individuals_year_to_date", _("Registered individuals counted once over {year}'s processed "
                                                  "quarters up to this one; the year's total above adds quarters, so "
                                                  "counts them again.").format(year=self.quarter[:4])),
            ("unique_individuals_since_start", _("Registered individuals counted once over every processed quarter "
                                                 "({span}).").format(span=span)),
            ("returning_individuals", _("Registered individuals reached this quarter and in an earlier quarter.")),
            ("new_individuals", _("Registered individuals reached this quarter for the first time.")),
        ]
        specs = config.indicator_specs()
        if record.people:
            body = "".join(f"<tr><td>{html.escape(_(specs[i]['label']))}</td><td class='num'>{self.number(i)}</td>"
                           f"<td>{html.escape(text)}</td></tr>" for i, text in rows)
            people = (f"<table class='figures conventions across'><thead><tr><th>{html.escape(_('Across quarters'))}"
                      f"</th><th class='num'>{html.escape(_('People'))}</th><th>{html.escape(_('What it counts'))}"
                      f"</th></tr></thead><tbody>{body}</tbody></table>")
        else:
            people = f"<p>{html.escape(_(ACROSS_UNAVAILABLE))}</p>"
        if not record.previous:
            q = Quarter.parse(self.quarter)
            previous = self.language.period(Quarter(q.year, q.q - 1) if q.q > 1 else Quarter(q.year - 1, 4))
            return HTML(people + f"<p>{html.escape(_(CHANGE_UNAVAILABLE).format(previous=previous))}</p>")
        change = "".join(
            f"<tr><td>{html.escape(self.language.capitalize(dimension_name(dim)))}</td>"
            f"<td>{html.escape(category_label(dim, str(category)))}</td><td class='num'>"
            f"{html.escape(self._change(dim, str(category)))}</td></tr>"
            for dim in ("sector", "province")
            for category in self.indicators.loc[(self.indicators["indicator"] == "people_reached_change")
                                                & (self.indicators["dimension"] == dim), "category"])
        since = self.language.period(record.previous)
        intro = _("Change in people reached since {period} (this report's convention; left out where either "
                  "quarter's value is below 5):").format(period=since)
        return HTML(people + f"<p>{html.escape(intro)}</p><table class='figures across'><thead>"
                    f"<tr><th>{html.escape(_('By'))}</th><th>{html.escape(_('Category'))}</th><th class='num'>"
                    f"{html.escape(_('Change'))}</th></tr></thead><tbody>{change}</tbody></table>")

    def _change(self, dimension: str, category: str) -> str:
        """A change with its sign (``+15``, ``-5``; suppressed as in the public file), registered for the annex."""
        change = value(self.indicators, "people_reached_change", dimension, category)
        state = self.suppressed.get(("people_reached_change", dimension, category))
        shown = (COMPLEMENTARY_MARK if state == COMPLEMENTARY else self.fmt(change) if state  # as the public file
                 else self.language.signed(change) if change else "0")
        self._trace(shown, "people_reached_change", dimension, category)
        return shown

    def public_data(self) -> Markdown:
        """Where readers find the numbers behind the report."""
        name = public_data_name(self.quarter)
        dictionary, definitions = dictionary_name(name), definitions_name(name)
        return Markdown(_(
            "The figures of this report, with HXL hashtags and OCHA province p-codes, are published as "
            "[{name}]({name}) next to this report, ready for a data portal: its columns are explained in "
            "[{dictionary}]({dictionary}), its indicators in [{definitions}]({definitions}), and "
            "[{package}]({package}) describes all three with their licence. Values from 1 to 4 are "
            "shown as <5; a value shown as {mark} is withheld so that a small value cannot be "
            "worked out from its table's total. In the file, withheld values are blank and flagged."
        ).format(name=name, dictionary=dictionary, definitions=definitions, package=DATAPACKAGE,
                 mark=COMPLEMENTARY_MARK))

    def quality_summary(self) -> str:
        """One paragraph of Markdown on how the raw logs became the figures, in counts (the files themselves
        are listed in the sources file published beside the report)."""
        totals, completeness = self.quality["totals"], self.quality["completeness"]
        words, percent = self.language, self.language.percent
        reasons = ", ".join(f"{words.number(n)} {_(config.reason_label(r))}" for r, n in totals["by_reason"].items()
                            if n and r not in config.drop_kinds())
        skipped = self.quality.get("skipped_files", [])
        text = _("{read} from {tables}; {kept}. {duplicates}, {outside}, and {rejected} ({reasons}).").format(
            read=counted(totals["rows_read"], "{n} row was read", "{n} rows were read"),
            tables=counted(len(self.quality["files"]), "{n} source table", "{n} source tables"),
            kept=counted(totals["rows_kept"], "{n} was kept", "{n} were kept"),
            duplicates=counted(totals["duplicate"], "{n} was a duplicate of a row already counted",
                               "{n} were duplicates of rows already counted"),
            outside=counted(totals["out_of_period"], "{n} was dated outside {period}",
                            "{n} were dated outside {period}", period=self.period),
            rejected=counted(totals["rejected"], "{n} was rejected", "{n} were rejected"),
            reasons=reasons or _("none"))
        text += " " + _("Sex is recorded in {sex} of the kept records, age in {age} and population group in "
                        "{group}.").format(sex=percent(completeness["sex"]), age=percent(completeness["age"]),
                                            group=percent(completeness["population_group"]))
        if (share := self.sex_known_share()) is not None:
            text += " " + _("Counted in people reached, sex is known for {share}: group sessions are counted by "
                            "headcount, without sex or age.").format(share=percent(share))
        if totals.get("summary_row"):
            text += " " + counted(totals["summary_row"], "{n} total row at the foot of a tracker was set aside "
                                  "(not a record).", "{n} total rows at the foot of trackers were set aside "
                                  "(not records).")
        if skipped:  # a loss the reader should weigh: counted, named by neutral labels only, with why in words
            labels = self.source_labels()
            text += " " + counted(len(skipped), "{n} file could not be read and was skipped", "{n} files could "
                                  "not be read and were skipped") + " (" + "; ".join(
                escape_markdown(f"{labels[f['source']]}: {_(config.unreadable_label(f.get('kind', '')))}")
                for f in skipped) + ")."
        if not_read := self.quality.get("not_read", []):
            text += " " + counted(len(not_read), "{n} part of a file was deliberately not read", "{n} parts of "
                                  "files were deliberately not read") + " " + _(
                "(such as repeat groups of KoboToolbox forms, whose rows are not activity records).")
        text += "".join(f" {escape_markdown(line)}." for line in self.not_reported())
        return text

    def not_reported(self) -> list[str]:
        """A sentence per measure that kept records do not report (:mod:`helpers.clean.measures`): which figure
        leaves them out, or is not reported at all, how many records of which activities, and how many files
        have no column for it (counted, not named)."""
        specs, lines = config.indicator_specs(), []
        for entry in self.quality.get("not_reported", []):
            names = [_(specs[f["indicator"]]["label"]) for f in entry["figures"] if f["indicator"] in specs]
            if not names:  # no figure of the report sums this measure
                continue
            records = counted(entry["rows"], "{n} kept record of {activities}", "{n} kept records of {activities}",
                              activities=_(" and ").join(map(activity_label, entry["activities"])))
            words = {"figure": _(" and ").join(names), "records": records}
            line = (_("{figure} leaves out {records} with no value for it") if entry["rows_reported"]
                    else _("{figure} is not reported: no value for it in {records}")).format(**words)
            if without := entry["files_without_column"]:
                line += " (" + counted(len(without), "{n} file has no column for it",
                                       "{n} files have no column for it") + ")"
            lines.append(line)
        return lines

    def source_labels(self, language: Language | None = None) -> dict[str, str]:
        """Each source table and unreadable file → its neutral label in ``language`` (this edition's by default):
        ``Protection and Resilience Unit, file 2, sheet 1`` / ``Koruma ve Dayanıklılık Birimi, dosya 2, sayfa 1``.
        Numbered over every file, read or not, so a number means the same file in every edition and in the
        sources file."""
        sources = [*self.quality["files"], *(f["source"] for f in self.quality.get("skipped_files", []))]
        words = language or self.language
        return public_labels(sources, self.programme.get("units", {}), file=words.gettext(_FILE),
                             sheet=words.gettext(_SHEET), unit=words.gettext)

    def sources_note(self) -> Markdown:
        """Where readers find each source table's counts: the sources file published beside the report."""
        name = sources_name(self.quarter)
        return Markdown(_("Each source table's counts (a CSV file or one sheet of a workbook) are in "
                          "[{name}]({name}), next to this report. Sources are numbered, not named, and their counts, "
                          "like the rows above, are rounded to the nearest 5 (1 to 4 shown as <5); only the totals "
                          "are exact.").format(name=name))

    def sex_known_share(self) -> float | None:
        """Share of people reached (the sex chart's unit) whose sex is recorded; None without a breakdown."""
        cells = series(self.indicators, "people_reached", "sex")
        return None if cells.sum() <= 0 else float(cells.drop("unknown", errors="ignore").sum() / cells.sum())

    def source_summary(self) -> HTML:
        """Annex A's table: rows read, kept and set aside per source type (unit and kind of file), with the
        total. Each file's row is in :meth:`write_sources`."""
        table = source_table(self.quality).reset_index()
        units = self.programme.get("units", {})
        table["unit"] = table["source"].map(lambda source: _(unit_of(source, units) or OTHER_SOURCES))
        table["kind"] = table["file"].str.lower().str.endswith((".xlsx", ".xlsm", ".xls")).map(
            {True: _("Excel workbooks"), False: _("CSV exports")})
        counts = ["rows_read", "rows_kept", *config.drop_kinds()]
        grouped = table.groupby(["unit", "kind"], sort=True).agg(
            files=("file", "nunique"), tables=("source", "size"), **{c: (c, "sum") for c in counts})
        total = [table["file"].nunique(), len(table), *(self.quality["totals"].get(c, 0) for c in counts)]
        heads = [_("Files"), _("Tables"), *(_(count_heading(c)) for c in counts)]
        head = f"<th>{html.escape(_('Source'))}</th>" + "".join(f"<th class='num'>{html.escape(h)}</th>"
                                                                for h in heads)
        rows = "".join(  # row counts rounded as in the sources file (files and tables exact; totals exact)
            f"<tr><td>{html.escape(unit)}, {html.escape(kind)}</td>"
            + "".join(f"<td class='num'>{html.escape(_count(n if i < 2 else rounded(n)))}</td>"
                      for i, n in enumerate(values)) + "</tr>"
            for (unit, kind), values in zip(grouped.index, grouped.to_numpy().tolist(), strict=True))
        rows += (f"<tr class='total'><th>{html.escape(_('Total'))}</th>"
                 + "".join(f"<td class='num'>{_count(n)}</td>" for n in total) + "</tr>")
        return HTML(f"<table class='figures compact sources'><thead><tr>{head}</tr></thead>"
                    f"<tbody>{rows}</tbody></table>")

    def write_sources(self) -> Path:
        """Write each source table's counts (from ``quality.json``) as ``sources.csv`` into the processed
        quarter, where the run publishes it beside the report: sources by neutral label, counts rounded
        (:func:`~helpers.clean.quality.rounded`)."""
        path = Path(self.folder) / SOURCES_FILE
        table = source_table(self.quality).drop(columns="file")
        labels = {source: label for source, label in self.source_labels(languages()[0]).items()  # one public
                  if source in table.index}  # file for every edition: its labels in the source language
        table = table.loc[list(labels)].map(rounded).rename(index=labels)
        write_csv(table.reset_index(), path)
        return path

    def sex_by_age(self) -> pd.DataFrame:
        """People reached (not records) by age group (rows) and sex (columns)."""
        cells = self.series("people_reached", "sex+age_group")
        split = cells.index.str.split(" | ", regex=False)
        table = pd.DataFrame({"sex": split.str[0], "age_group": split.str[1], "value": cells.to_numpy()})
        return table.pivot_table(index="age_group", columns="sex", values="value", aggfunc="sum", fill_value=0)

    def number(self, indicator: str, dimension: str = "total", category: str = "all", decimals: int = 0) -> str:
        """A value formatted for print (``67,389``, ``<5``, ``–``; ``67.389`` in Turkish), registered for the
        traceability annex."""
        shown = self.fmt(value(self.indicators, indicator, dimension, category), total=dimension == "total",
                         decimals=decimals)
        if self.suppressed.get((indicator, dimension, category)) == COMPLEMENTARY:
            shown = COMPLEMENTARY_MARK
        lacking = self.lacking(indicator)  # never a 0 for a measure no kept record reports (helpers.clean.measures)
        unknown = lacking and measures.state(lacking["rows_reported"]) == measures.NOT_REPORTED
        shown = _(NOT_REPORTED) if unknown else self.at_least(indicator, shown)
        self._trace(shown, indicator, dimension, category)
        return shown

    def at_least(self, indicator: str, shown: str) -> str:
        """``shown`` (a value of ``indicator``, formatted) as ``at least ...`` when the indicator is a partial sum
        (:meth:`lacking`), said under the tile, table or chart showing it (:meth:`explain`)."""
        if not self.lacking(indicator) or shown in MARKS or shown == _(NOT_REPORTED):
            return shown
        self.partial_shown.add(indicator)
        return _(AT_LEAST).format(value=shown)

    def lacking(self, indicator: str) -> dict | None:
        """The measure ``indicator`` sums that some kept records do not report (``quality.json``,
        ``not_reported``: :mod:`helpers.clean.measures`), or None when it is complete."""
        return next((entry for entry in self.quality.get("not_reported", [])
                     if indicator in {figure["indicator"] for figure in entry["figures"]}), None)

    def _trace(self, shown: str, indicator: str, dimension: str, category: str) -> None:
        self.traced.append({"shown": shown, "indicator": indicator, "dimension": dimension,
                            "category": category, "section": self.group})

    def series(self, indicator: str, dimension: str) -> pd.Series:
        """All categories of one indicator and dimension, registered for the annex, safe to draw and print:
        values 1–4 and complementary suppressions come back as tokens that ``fmt`` prints as ``<5`` and ``x``
        and that draw as an empty bar."""
        values = series(self.indicators, indicator, dimension)
        states = self.suppressed.reindex(pd.MultiIndex.from_product([[indicator], [dimension], values.index]))
        values = for_report(values, states.fillna(0))
        if self.lacking(indicator) and len(values):
            self.partial_shown.add(indicator)  # said on the chart drawn from it (source) and under it (explain)
        for category, v in values.items():
            self._trace(self.fmt(v), indicator, dimension, category)
        return values

    def show(self, text: str) -> None:
        """Display a section's narrative: its Markdown, with each photo on a line of its own re-encoded and
        embedded in its place (:mod:`helpers.publication.photos`), and its story and highlight boxes."""
        lines: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if (found := photos.parse(line)) is None:
                lines.append(line)
                continue
            display(markdown("\n".join(lines)))
            lines = []
            where = narrative_path(self.quarter, self.narratives, self.language.suffix)
            photo = photos.load(*found, self.narratives, f"{where}, line {number} of its section")
            self.shown_photos.append(photo)
            display(Image(data=photo.jpeg, format="jpeg", metadata=photo.metadata))
        display(markdown("\n".join(lines)))
        if note := self.explain(marks_in(text)):
            display(HTML(note))

    def explain(self, shown: list[str]) -> str:
        """A note (HTML) on each mark in ``shown`` that no earlier table, tile or chart has explained; "" when
        there is none."""
        new = [mark for mark in MARKS if _(mark) in shown and mark not in self.explained]  # as printed
        self.explained.update(new)
        notes = [_(MARKS[mark]) for mark in new] + self.partial_notes()
        return "".join(f"<p class='marks'>{html.escape(note)}</p>" for note in notes)

    def partial_notes(self) -> list[str]:
        """What each partial sum printed or drawn since the last note leaves out: which figure, how many records
        (said once per figure, under the first tile, table or chart showing it)."""
        new = sorted(self.partial_shown - self.explained)
        self.explained.update(new)
        return [self._partial_note(indicator) for indicator in new]

    def _partial_note(self, indicator: str) -> str:
        """Which partial sum, and how many kept records it leaves out."""
        return counted(self.lacking(indicator)["rows"],
                       "“At least”: {figure} leaves out {n} record that does not report it; the true figure is "
                       "higher.", "“At least”: {figure} leaves out {n} records that do not report it; the true "
                       "figure is higher.", figure=_(config.indicator_specs()[indicator]["label"]))

    def chart(self, fig: Figure) -> None:
        """Display a chart (:func:`chart`), with a note on any mark it shows for the first time; a chart of no
        values is not displayed (its section may then have nothing to show, and is left out)."""
        values = figures.data_table(fig)
        if not values.empty:
            chart(fig, self.explain(values.to_numpy().ravel().tolist()))

    def tiles(self, items: list[tuple[str, str]], css_class: str = "tiles") -> HTML:
        """Tiles (:func:`tiles`; none for no items), with a note on any mark they show for the first time."""
        return HTML(tiles(items, css_class).data + self.explain([n for n, _ in items]))

    def crosstable(self, dimension: str, columns: list[tuple[str, str]], heading: str, *,
                   labels: Callable[[str], str] | None = None, limit: int | None = None) -> HTML:
        """A table of several indicators over one dimension: ``columns`` are (indicator, column heading);
        rows are the categories of the first indicator, largest first, named by :func:`category_label`
        unless ``labels`` is given; small values suppressed."""
        labels = labels or (lambda category: category_label(dimension, category))
        values = {title: self.series(indicator, dimension) for indicator, title in columns}
        first = next(iter(values.values()))
        rows = first.index[:limit] if limit else first.index
        if rows.empty:  # no table of headings over nothing
            return HTML("")
        head = "".join(f"<th class='num'>{html.escape(title)}</th>" for title in values)
        body = "".join(
            f"<tr><td>{html.escape(labels(str(row)))}</td>"
            + "".join(f"<td class='num'>{self.fmt(v.get(row, 0))}</td>" for v in values.values()) + "</tr>"
            for row in rows
        )
        marks = self.explain([self.fmt(v.get(row, 0)) for v in values.values() for row in rows])
        return HTML(f"<table class='figures compact'><thead><tr><th>{html.escape(heading)}</th>{head}</tr></thead>"
                    f"<tbody>{body}</tbody></table>{marks}")

    def narrative(self, folder: Path = NARRATIVES_DIR) -> Story:
        """The narrative's sections with numbers filled in (a draft when there is no narrative file in this
        edition's language, ``<Q>.tr.md``), kept for :meth:`section`."""
        path = narrative_path(self.quarter, folder, self.language.suffix)
        self.narratives = Path(folder)
        if not path.is_file():
            self.story = Story({"": self.automatic_summary()}, draft=True)
        else:
            text = path.read_text(encoding="utf-8")
            check_headings(text, narrative_sections(), str(path))
            self.story = Story(sections(render_narrative(text, self.indicators, self.number, str(path))))
        return self.story

    def automatic_summary(self) -> str:
        """A factual summary used when no narrative has been written for the quarter."""
        sectors = series(self.indicators, "people_reached", "sector")  # totals: printed as they are
        leading = ", ".join(f"{_(s)} ({self.number('people_reached', 'sector', s)})"
                            for s, v in sectors.sort_values(ascending=False).items() if v > 0)
        summary = _("In {period} the programme reached {people} people in {provinces} provinces through {services} "
                    "recorded services. By sector: {sectors}. Since the programme started it has reached {since} "
                    "people.").format(
            period=self.period, people=self.number("people_reached"), provinces=self.number("provinces_covered"),
            services=self.number("services_delivered"), sectors=leading,
            since=self.number("people_reached_since_start"))
        note = _("No narrative has been written for this quarter yet: this summary was generated from the "
                 "indicators. Add {file} to replace it.").format(
            file=f"`narratives/{narrative_path(self.quarter, NARRATIVES_DIR, self.language.suffix).name}`")
        return f"{summary}\n\n*{note}*"

    def annex(self) -> HTML:
        """Annex B: on screen, one line per indicator and breakdown printed, grouped by report section, in words,
        and the full list of every number printed, both folded; then, on screen and paper, each indicator's
        definition."""
        specs = config.indicator_specs()
        traced = pd.DataFrame(self.traced).drop_duplicates(subset=["section", "indicator", "dimension", "category"])
        lines = []
        text = _(ANNEX_GROUP_TEXT)
        traced = traced.assign(section=traced["section"].replace(ANNEX_GROUP_TEXT, text))
        order = [*(s for s in dict.fromkeys(traced["section"]) if s != text), text]
        capitalize, e = self.language.capitalize, html.escape
        for section, group in sorted(traced.groupby("section", sort=False), key=lambda g: order.index(g[0])):
            lines.append(f"<tr class='group'><th colspan='3'>{e(section)}</th></tr>")
            for (indicator, dimension), rows in group.groupby(["indicator", "dimension"], sort=False):
                what = _("Total") if dimension == "total" else _("By {breakdown}").format(
                    breakdown=dimension_name(dimension))
                if len(rows) == 1 and dimension != "total":
                    what = f"{capitalize(dimension_name(dimension))}: " + category_label(
                        dimension, rows["category"].iloc[0])
                shown = rows["shown"].iloc[0] if len(rows) == 1 else counted(len(rows), "{n} figure",
                                                                             "{n} figures")
                lines.append(f"<tr><td>{e(_(specs[indicator]['label']))}</td><td>{e(what)}</td>"
                             f"<td class='num'>{e(shown)}</td></tr>")
        every = "".join(
            f"<tr><td>{e(t.section)}</td><td>{e(_(specs[t.indicator]['label']))}</td>"
            f"<td>{e(_('Total') if t.dimension == 'total' else dimension_name(t.dimension))}</td>"
            f"<td>{e('' if t.dimension == 'total' else category_label(t.dimension, t.category))}</td>"
            f"<td class='num'>{e(t.shown)}</td></tr>"
            for t in traced.itertuples())
        definitions = "".join(
            f"<tr><td>{e(_(specs[i]['label']))}</td><td>{e(_(specs[i]['definition']))}</td></tr>"
            for i in dict.fromkeys(traced["indicator"]))
        indicator, shown = e(_("Indicator")), e(_("Shown"))
        return HTML(
            "<p>" + e(_("Every figure of this report comes from one of the indicators defined below, for the "
                        "quarter in total or for one category of a breakdown; the counts of rows in Annex A come "
                        "from the cleaning's reconciliation instead. The public data file holds each figure with "
                        "its indicator and breakdown.")) + "</p>"
            "<details class='screen-only by-section'><summary>"
            + e(_("Where each figure comes from, by section")) + "</summary>"
            f"<table class='figures annex'><thead><tr><th>{indicator}</th><th>{e(_('Breakdown'))}</th>"
            f"<th class='num'>{shown}</th></tr></thead><tbody>{''.join(lines)}</tbody></table></details>"
            "<details class='screen-only every-figure'><summary>"
            + e(_("Every number printed ({count})").format(count=self.language.number(len(traced))))
            + f"</summary><table class='figures'><thead><tr><th>{e(_('Section'))}</th><th>{indicator}</th>"
            f"<th>{e(_('Breakdown'))}</th><th>{e(_('Category'))}</th><th class='num'>{shown}</th></tr></thead>"
            f"<tbody>{every}</tbody></table></details>"
            f"<h3>{e(_('Definitions'))}</h3>"
            f"<table class='figures definitions'><thead><tr><th>{indicator}</th><th>{e(_('Definition'))}</th>"
            f"</tr></thead><tbody>{definitions}</tbody></table>"
        )


class Story(dict):
    """The narrative's sections by heading; asking for a section that takes no narrative text is an error, so the
    notebook and the narrative's headings are both held to ``config/report.yml``. In a draft (no narrative yet)
    a section says that its text is still to be written, so no section of the draft is silently empty."""

    def __init__(self, sections: dict, draft: bool = False):
        super().__init__(sections)
        self.draft = draft

    def get(self, section: str, default: str = "") -> str:
        known = narrative_sections()
        if section not in ("", *known):
            raise UnknownLookupError(f"{section!r} is not a section with narrative text in config/report.yml; "
                                     f"nearest: {', '.join(nearest(section, known))}")
        if self.draft and section not in ("", known[0]):
            return super().get(section) or _(DRAFT_SECTION)
        return super().get(section, default)


class ReportMeta:
    """Displays nothing; carries ``metadata.report`` (title, subtitle, draft) to the nbconvert template."""

    def __init__(self, meta: dict):
        self.meta = meta

    def _repr_html_(self) -> tuple[str, dict]:
        return "", {"report": self.meta}


def marks_in(text: str) -> list[str]:
    """The marks (:data:`MARKS`, as this edition prints them) that a narrative's text shows as words of their own:
    a placeholder's value ``<5``, ``x`` or ``not reported``."""
    return [_(mark) for mark in MARKS if re.search(rf"(?<![\w<-]){re.escape(_(mark))}(?![\w-])", text)]


def tiles(items: list[tuple[str, str]], css_class: str = "tiles") -> HTML:
    """Headline tiles: (formatted number, label) pairs; nothing for none."""
    if not items:
        return HTML("")
    cells = "".join(f"<div class='tile'><div class='value'>{html.escape(n)}</div>"
                    f"<div class='label'>{html.escape(label)}</div></div>" for n, label in items)
    return HTML(f"<div class='{css_class}'>{cells}</div>")


def markdown(text: str) -> HTML:
    """Narrative text (Markdown) for display: converted and cleaned here, so no raw HTML in it can run or
    load anything, in the report or in JupyterLab. A quote that opens with a box's word in bold
    (``> **Story** ...``, ``> **Highlight** ...``, :data:`BOXES`) becomes that box."""
    soup = BeautifulSoup(markdown_html(text), "html.parser")
    for quote in soup.find_all("blockquote"):
        first = quote.find("strong")
        words = {_(word): kind for word, kind in BOXES.items()}
        if first is not None and (kind := words.get(first.get_text(strip=True).rstrip(":"))):
            quote["class"] = ["box", kind]
    return HTML(str(soup))


def chart(fig: Figure, note: str = "") -> None:
    """Display a figure, then its numbers as a table folded under it (screen; print shows the labels), then
    ``note`` (HTML)."""
    table = figures.data_table(fig)
    head = f"<th scope='col'>{html.escape(str(table.index.name))}</th>" + "".join(
        f"<th scope='col' class='num'>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join(f"<tr><th scope='row'>{html.escape(str(row))}</th>"
                   + "".join(f"<td class='num'>{html.escape(str(v))}</td>" for v in values) + "</tr>"
                   for row, values in zip(table.index, table.to_numpy().tolist(), strict=True))
    display(fig, HTML(f"<details class='chart-data'><summary>{html.escape(_('The numbers in this chart'))}"
                      "</summary><table "
                      f"class='figures compact'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                      f"</details>{note}"))
