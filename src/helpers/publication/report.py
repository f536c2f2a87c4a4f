"""What the report notebook shows: numbers traced to their indicator, tiles and tables with suppression.

The report's parts live beside it: reader words for codes in :mod:`~helpers.publication.labels`, display blocks in
:mod:`~helpers.publication.blocks`, Annex A in :mod:`~helpers.publication.quality_notes`, Annex B in
:mod:`~helpers.publication.traceability`.

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
from IPython.display import HTML, Image, Markdown, display
from matplotlib.figure import Figure

from helpers.clean import measures
from helpers.config import Configuration
from helpers.context import RunContext
from helpers.csvfile import read_csv
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
from helpers.measure.indicators import Lookups, series
from helpers.paths import (
    NARRATIVES_DIR,
    PROCESSED_DIR,
    Quarter,
    public_data_name,
)
from helpers.publication import figures, photos
from helpers.publication.blocks import ReportMeta, chart, markdown, tiles
from helpers.publication.datapackage import DATAPACKAGE
from helpers.publication.labels import (
    AT_LEAST,
    NOT_REPORTED,
    activity_label,
    category_label,
    counted,
    dimension_name,
    narrative_sections,
)
from helpers.publication.language import N_, Language, _, current, use
from helpers.publication.narrative import check_headings, narrative_path, render_narrative, sections
from helpers.publication.quality_notes import QualityNotes
from helpers.publication.traceability import ANNEX_GROUP_TEXT, Traceability
from helpers.text import nearest

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
TREND = "quarter"  # the breakdown the trend's figures are registered under (one per quarter)


ACTIVITIES_TITLE, ACTIVITIES_HEAD = N_("What each sector does"), (N_("Sector"), N_("Its activities"))


def _svg_uri(path: Path) -> str:
    """An SVG file of the configuration folder as a data: URI (an image that runs nothing)."""
    return "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode("ascii")



@dataclass
class Report(QualityNotes, Traceability):
    """One quarter's computed outputs, and the register of every number the report prints."""

    quarter: Quarter
    indicators: pd.DataFrame
    quality: dict
    history: pd.DataFrame
    cfg: Configuration  # the configuration the figures were made with: the run's (Report.load), handed in
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
    def load(cls, run: RunContext, language: str | None = None) -> Report:
        """The run's report from its processed folder, made with its configuration; the quarter's published
        versions (which a revision's suppression takes into account) are in its ``earlier`` folder. Printed in
        ``language`` (a code of ``report.yml``'s languages; the first by default): every later word and number of
        the kernel is in it."""
        quarter, processed_dir = run.quarter, run.folders.processed
        folder = processed_dir / quarter
        indicators = read_csv(folder / "indicators.csv", dtype={"category": "string", "quarter": "string"},
                              keep_default_na=False)
        quality = json.loads((folder / "quality.json").read_text(encoding="utf-8"))
        history = pd.read_csv(Path(processed_dir) / "history.csv", dtype={"quarter": "string"})
        words = use(language or current().code, run.config)
        return cls(quarter, indicators, quality, history, run.config, folder=folder, language=words,
                   narratives=run.folders.narratives, published=published_versions(quarter, run.folders.earlier))

    def fmt(self, value: float | str, *, total: bool = False, decimals: int = 0) -> str:
        """A value as this edition prints it (``67.389``, ``<5``, ``–``), not registered: for values already
        registered by :meth:`series`."""
        return self.language.fmt(value, total=total, decimals=decimals)

    def section(self, name: str) -> str:
        """Start the section ``name`` of ``config/report.yml``: print its heading (an h2) and its figures, and
        return its narrative text ("" for a section without). The sections config places before it that have no
        cells in the notebook (text sections) are printed first, so the report follows config's order. Numbers
        printed from now on belong to this section in Annex B."""
        declared = self.cfg.report()["sections"]
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
        declared = self.cfg.report()["sections"]
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
        return self._tiles([figure for figure in self.cfg.report()["headline_figures"] if figure["tile"]])

    def _tiles(self, figures: list[dict]) -> HTML:
        """Tiles of totals, labelled as config says (``{period}``, ``{year}`` filled in)."""
        words = {"period": self.period, "year": self.quarter.year}
        return self.tiles([(self.number(figure["indicator"]), _(figure["label"]).format(**words))
                           for figure in figures])

    @cached_property
    def lookups(self) -> Lookups:
        """The indicators table indexed once for the report's few hundred values."""
        return Lookups(self.indicators, self.cfg)

    @cached_property
    def suppressed(self) -> pd.Series:
        """Suppression of each indicator value (the public file's): 0 shown, 1 small (<5), 2 complementary."""
        return suppression(self.indicators, self.cfg, self.published).set_axis(pd.MultiIndex.from_frame(
            self.indicators[["indicator", "dimension", "category"]]))

    @property
    def period(self) -> str:
        """The quarter as a reader names it: ``October–December 2022`` / ``Ekim–Aralık 2022``."""
        return self.language.period(self.quarter)

    @property
    def programme(self) -> dict:
        """Programme facts from ``config/programme.yml``."""
        return self.cfg.load("programme")

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
        meta = {"title": _(programme["title"]), "subtitle": subtitle, "draft": draft, "quarter": str(self.quarter),
                "organisation": _(programme["organisation"]), "published": published.isoformat(),
                "published_label": self.language.day(published), "language": self.language.code,
                "contact": {**contact, **({"name": _(contact["name"])} if contact.get("name") else {})},
                "disclaimer": _(programme["disclaimer"]) if programme.get("disclaimer") else ""}
        if logo := programme.get("logo"):
            meta["logo"] = _svg_uri(self.cfg.path(logo))
        meta["donors"] = [{"name": donor["name"],
                           "logo": _svg_uri(self.cfg.path(donor["logo"])) if donor.get("logo") else ""}
                          for donor in programme.get("donors", [])]
        return ReportMeta(meta)

    def activity_lists(self) -> HTML:
        """What each sector does: its activities from the catalogue (``config/activities.yml``), in order."""
        catalogue = self.cfg.activities()
        rows = "".join(
            f"<tr><th scope='row'>{html.escape(_(sector))}</th><td>"
            + html.escape(", ".join(map(activity_label, catalogue.index[catalogue["sector"] == sector]))) + "</td></tr>"
            for sector in self.cfg.sectors() if (catalogue["sector"] == sector).any())
        head = "".join(f"<th scope='col'>{html.escape(_(words))}</th>" for words in ACTIVITIES_HEAD)
        return HTML(f"<h3>{html.escape(_(ACTIVITIES_TITLE))}</h3><table class='figures compact activities'><thead><tr>"
                    f"{head}</tr></thead><tbody>{rows}</tbody></table>")

    def activity_label(self, code: str) -> str:
        """An activity's name in this edition (:func:`activity_label`)."""
        return activity_label(code)

    def trend(self) -> pd.Series:
        """People reached per quarter, up to this one (the last eight quarters on record)."""
        history = self.history.assign(q=self.history["quarter"].map(Quarter.parse))
        history = history[history["q"] <= self.quarter].sort_values("q").tail(8)
        headline = self.cfg.headline()
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
        specs = self.cfg.indicator_specs()
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
                if len(record.quarters) > 1 else str(self.quarter))
        rows = [
            ("unique_individuals_year_to_date", _("Registered individuals counted once over {year}'s processed "
                                                  "quarters up to this one; the year's total above adds quarters, so "
                                                  "counts them again.").format(year=self.quarter.year)),
            ("unique_individuals_since_start", _("Registered individuals counted once over every processed quarter "
                                                 "({span}).").format(span=span)),
            ("returning_individuals", _("Registered individuals reached this quarter and in an earlier quarter.")),
            ("new_individuals", _("Registered individuals reached this quarter for the first time.")),
        ]
        specs = self.cfg.indicator_specs()
        if record.people:
            body = "".join(f"<tr><td>{html.escape(_(specs[i]['label']))}</td><td class='num'>{self.number(i)}</td>"
                           f"<td>{html.escape(text)}</td></tr>" for i, text in rows)
            people = (f"<table class='figures conventions across'><thead><tr><th>{html.escape(_('Across quarters'))}"
                      f"</th><th class='num'>{html.escape(_('People'))}</th><th>{html.escape(_('What it counts'))}"
                      f"</th></tr></thead><tbody>{body}</tbody></table>")
        else:
            people = f"<p>{html.escape(_(ACROSS_UNAVAILABLE))}</p>"
        if not record.previous:
            q = self.quarter
            previous = self.language.period(Quarter(q.year, q.q - 1) if q.q > 1 else Quarter(q.year - 1, 4))
            return HTML(people + f"<p>{html.escape(_(CHANGE_UNAVAILABLE).format(previous=previous))}</p>")
        change = "".join(
            f"<tr><td>{html.escape(self.language.capitalize(dimension_name(dim)))}</td>"
            f"<td>{html.escape(category_label(dim, str(category)))}</td><td class='num'>"
            f"{html.escape(self._change(dim, str(category)))}</td></tr>"
            for dim in ("sector", "province")
            for category in self.indicators.loc[(self.indicators["indicator"] == "people_reached_change")
                                                & (self.indicators["dimension"] == dim), "category"])
        since = self.language.period(Quarter.parse(record.previous))  # as across.json names it
        intro = _("Change in people reached since {period} (this report's convention; left out where either "
                  "quarter's value is below 5):").format(period=since)
        return HTML(people + f"<p>{html.escape(intro)}</p><table class='figures across'><thead>"
                    f"<tr><th>{html.escape(_('By'))}</th><th>{html.escape(_('Category'))}</th><th class='num'>"
                    f"{html.escape(_('Change'))}</th></tr></thead><tbody>{change}</tbody></table>")

    def _change(self, dimension: str, category: str) -> str:
        """A change with its sign (``+15``, ``-5``; suppressed as in the public file), registered for the annex."""
        change = self.lookups.value("people_reached_change", dimension, category)
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

    def sex_by_age(self) -> pd.DataFrame:
        """People reached (not records) by age group (rows) and sex (columns)."""
        cells = self.series("people_reached", "sex+age_group")
        split = cells.index.str.split(" | ", regex=False)
        table = pd.DataFrame({"sex": split.str[0], "age_group": split.str[1], "value": cells.to_numpy()})
        return table.pivot_table(index="age_group", columns="sex", values="value", aggfunc="sum", fill_value=0)

    def number(self, indicator: str, dimension: str = "total", category: str = "all", decimals: int = 0) -> str:
        """A value formatted for print (``67,389``, ``<5``, ``–``; ``67.389`` in Turkish), registered for the
        traceability annex."""
        shown = self.fmt(self.lookups.value(indicator, dimension, category),
                         total=dimension == "total", decimals=decimals)
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
        values = series(self.indicators, indicator, dimension, self.cfg)
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
                       "figure is higher.", figure=_(self.cfg.indicator_specs()[indicator]["label"]))

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
            self.story = Story(sections(render_narrative(text, self.indicators, self.number, self.cfg, str(path))))
        return self.story

    def automatic_summary(self) -> str:
        """A factual summary used when no narrative has been written for the quarter."""
        sectors = series(self.indicators, "people_reached", "sector", self.cfg)  # totals: printed as they are
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


def marks_in(text: str) -> list[str]:
    """The marks (:data:`MARKS`, as this edition prints them) that a narrative's text shows as words of their own:
    a placeholder's value ``<5``, ``x`` or ``not reported``."""
    return [_(mark) for mark in MARKS if re.search(rf"(?<![\w<-]){re.escape(_(mark))}(?![\w-])", text)]
