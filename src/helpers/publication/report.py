"""What the report notebook shows: numbers traced to their indicator, tiles and tables with suppression.

Every label, file name and narrative reaches the page escaped (``html.escape``, :func:`escape_markdown`) or
through the allow-list of :mod:`helpers.publication.safehtml` (Markdown outputs are converted and cleaned at export).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown

from helpers import config
from helpers.clean.quarter import DROP_REASONS
from helpers.csvfile import read_csv
from helpers.measure import across
from helpers.measure.disclosure import COMPLEMENTARY, COMPLEMENTARY_MARK, dictionary_name, fmt, for_report, suppression
from helpers.measure.indicators import series, value
from helpers.paths import NARRATIVES_DIR, PROCESSED_DIR, Quarter
from helpers.publication.narrative import check_headings, narrative_path, render_narrative, sections
from helpers.publication.safehtml import escape_markdown, markdown_html

# The report's sections that take narrative text (03_report.ipynb's story.get keys; "Overview" may also be
# the text before the first heading). A narrative heading must be one of them.
SECTIONS = ("Overview", "Where the programme worked", "Protection", "Community centres", "Basic needs",
            "Community stabilization and livelihoods", "Innovation lab", "Donors")


def report_basename(quarter: str) -> str:
    """File name (without extension) of a quarter's report."""
    return f"refugee-response-{quarter}"


def public_data_name(quarter: str) -> str:
    """File name of the shareable indicators published next to the report."""
    return f"{report_basename(quarter)}-indicators.csv"


@dataclass
class Report:
    """One quarter's computed outputs, and the register of every number the report prints."""

    quarter: str
    indicators: pd.DataFrame
    quality: dict
    history: pd.DataFrame
    traced: list[dict] = field(default_factory=list)

    @classmethod
    def load(cls, quarter: str, processed_dir: Path = PROCESSED_DIR) -> Report:
        folder = Path(processed_dir) / quarter
        indicators = read_csv(folder / "indicators.csv", dtype={"category": "string", "quarter": "string"},
                              keep_default_na=False)
        quality = json.loads((folder / "quality.json").read_text(encoding="utf-8"))
        history = pd.read_csv(Path(processed_dir) / "history.csv", dtype={"quarter": "string"})
        return cls(quarter, indicators, quality, history)

    @cached_property
    def suppressed(self) -> pd.Series:
        """Suppression of each indicator value (the public file's): 0 shown, 1 small (<5), 2 complementary."""
        return suppression(self.indicators).set_axis(pd.MultiIndex.from_frame(
            self.indicators[["indicator", "dimension", "category"]]))

    @property
    def period(self) -> str:
        return Quarter.parse(self.quarter).label

    @property
    def programme(self) -> dict:
        """Programme facts from ``config/programme.yml``."""
        return config.load("programme")

    @property
    def source(self) -> str:
        """The data-source line printed under every figure."""
        return "Source: " + self.programme["data_source"].format(label=self.period)

    def title_block(self, draft: bool) -> ReportMeta:
        """The report's title, subtitle and draft flag, handed to the nbconvert template."""
        subtitle = self.programme["subtitle_template"].format(label=self.period)
        return ReportMeta({"title": self.programme["title"], "subtitle": subtitle, "draft": draft,
                           "quarter": self.quarter})

    def losses_note(self) -> HTML:
        """On the first page, when the run was told to publish despite data that look wrong: what they were."""
        accepted = self.quality.get("accepted_losses") or []
        if not accepted:
            return HTML("")
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in accepted)
        return HTML("<div class='losses-note'><p><strong>Published with accepted data losses</strong> "
                    f"(<code>--accept-losses</code>):</p><ul>{lines}</ul></div>")

    def activity_label(self, code: str) -> str:
        """Catalogue label of an activity code."""
        return str(config.activities()["label"].get(code, code))

    def trend(self) -> pd.Series:
        """People reached per quarter, up to this one (the last eight quarters on record)."""
        history = self.history.assign(q=self.history["quarter"].map(Quarter.parse))
        history = history[history["q"] <= Quarter.parse(self.quarter)].sort_values("q").tail(8)
        for quarter, total in zip(history["quarter"], history["people_reached"], strict=True):
            self.traced.append({"shown": fmt(total, total=True), "indicator": "people_reached",
                                "dimension": "quarter (history.csv)", "category": quarter})
        return pd.Series(history["people_reached"].to_numpy(), index=history["quarter"].to_numpy())

    def conventions(self) -> HTML:
        """The three ways of counting people reached, side by side, each with what it means."""
        rows = [
            ("people_reached", "Sum of the five sectors (the convention of this report): a person served "
             "by two sectors is counted in each."),
            ("people_reached_max", "For each province the largest sector, summed over provinces: avoids "
             "counting one person in several sectors, but undercounts people served in one sector only."),
            ("unique_individuals", "Registered individuals counted once across all services; households and "
             "group sessions, which are not registered by name, are not included."),
        ]
        specs = config.indicator_specs()
        body = "".join(f"<tr><td>{html.escape(specs[i]['label'])}</td><td class='num'>{self.number(i)}</td>"
                       f"<td>{html.escape(text)}</td></tr>" for i, text in rows)
        return HTML("<table class='figures conventions'><thead><tr><th>Convention</th><th class='num'>People"
                    f"</th><th>What it means</th></tr></thead><tbody>{body}</tbody></table>")

    def across_quarters(self, processed_dir: Path = PROCESSED_DIR) -> HTML:
        """Beside the conventions: distinct people over the processed quarters and the change since the previous
        quarter (:mod:`helpers.measure.across`), each with what it counts, or why it was not computed."""
        record = across.load(Path(processed_dir) / self.quarter)
        span = f"{record.quarters[0]} to {self.quarter}" if len(record.quarters) > 1 else self.quarter
        rows = [
            ("unique_individuals_year_to_date", f"Registered individuals counted once over {self.quarter[:4]}'s "
             "processed quarters up to this one; the year's total above adds quarters, so counts them again."),
            ("unique_individuals_since_start", f"Registered individuals counted once over every processed quarter "
             f"({span})."),
            ("returning_individuals", "Registered individuals reached this quarter and in an earlier quarter."),
            ("new_individuals", "Registered individuals reached this quarter for the first time."),
        ]
        specs = config.indicator_specs()
        if record.people:
            body = "".join(f"<tr><td>{html.escape(specs[i]['label'])}</td><td class='num'>{self.number(i)}</td>"
                           f"<td>{html.escape(text)}</td></tr>" for i, text in rows)
            people = ("<table class='figures conventions across'><thead><tr><th>Across quarters</th>"
                      f"<th class='num'>People</th><th>What it counts</th></tr></thead><tbody>{body}</tbody></table>")
        else:
            people = f"<p>People counted once across quarters: {html.escape(record.reason)}.</p>"
        if not record.previous:
            return HTML(people + f"<p>Change since the previous quarter: {html.escape(record.change_reason)}.</p>")
        change = "".join(
            f"<tr><td>{html.escape(dim)}</td><td>{html.escape(str(category))}</td><td class='num'>"
            f"{html.escape(self._change(dim, str(category)))}</td></tr>"
            for dim in ("sector", "province")
            for category in self.indicators.loc[(self.indicators["indicator"] == "people_reached_change")
                                                & (self.indicators["dimension"] == dim), "category"])
        return HTML(people + f"<p>Change in people reached since {html.escape(record.previous)} (this report's "
                    "convention; left out where either quarter's value is below 5):</p><table class='figures "
                    f"across'><thead><tr><th>By</th><th></th><th class='num'>Change</th></tr></thead><tbody>{change}"
                    "</tbody></table>")

    def _change(self, dimension: str, category: str) -> str:
        """A change with its sign (``+15``, ``-5``; suppressed as in the public file), registered for the annex."""
        change = value(self.indicators, "people_reached_change", dimension, category)
        state = self.suppressed.get(("people_reached_change", dimension, category))
        shown = (COMPLEMENTARY_MARK if state == COMPLEMENTARY else fmt(change) if state  # as the public file has it
                 else f"{change:+,.0f}" if change else "0")
        self.traced.append({"shown": shown, "indicator": "people_reached_change", "dimension": dimension,
                            "category": category})
        return shown

    def public_data(self) -> Markdown:
        """Where readers find the numbers behind the report."""
        name = public_data_name(self.quarter)
        dictionary = dictionary_name(name)
        return Markdown(
            f"The figures of this report, with HXL hashtags and OCHA province p-codes, are published as "
            f"[{name}]({name}) next to this report, ready for a data portal (columns explained in "
            f"[{dictionary}]({dictionary})). Values from 1 to 4 are shown as <5; a value shown as "
            f"{COMPLEMENTARY_MARK} is withheld so that a small value cannot be worked out from its table's total. "
            f"In the file, withheld values are blank and flagged."
        )

    def quality_summary(self) -> str:
        """One paragraph of Markdown on how the raw logs became the figures (file names escaped)."""
        totals, completeness = self.quality["totals"], self.quality["completeness"]
        reasons = ", ".join(f"{n:,} {r.replace('_', ' ')}" for r, n in totals["by_reason"].items()
                            if n and r not in DROP_REASONS)
        skipped = self.quality.get("skipped_files", [])
        text = (
            f"{totals['rows_read']:,} rows were read from {len(self.quality['files']):,} source tables; "
            f"{totals['rows_kept']:,} were kept. {totals['duplicate']:,} were duplicates of rows already counted, "
            f"{totals['out_of_period']:,} were dated outside {self.period}, and {totals['rejected']:,} were "
            f"rejected ({reasons or 'none'}). Sex is known for {completeness['sex']:.0%} of kept records, age "
            f"for {completeness['age']:.0%} and population group for {completeness['population_group']:.0%}."
        )
        if totals.get("summary_row"):
            text += f" {totals['summary_row']:,} totals rows at the foot of trackers were set aside (not records)."
        if skipped:
            text += " Files that could not be read and were skipped: " + "; ".join(
                f"{escape_markdown(f['source'])} ({escape_markdown(f['reason'])})" for f in skipped) + "."
        if not_read := self.quality.get("not_read", []):
            text += " Parts of files not read: " + "; ".join(
                escape_markdown(f"{p['source']} [{p['sheet']}]" if p.get("sheet") else p["source"])
                + f" ({escape_markdown(p['reason'])})" for p in not_read) + "."
        return text

    def sex_by_age(self) -> pd.DataFrame:
        """People reached by age group (rows) and sex (columns)."""
        cells = self.series("people_reached", "sex+age_group")
        split = cells.index.str.split(" | ", regex=False)
        table = pd.DataFrame({"sex": split.str[0], "age_group": split.str[1], "value": cells.to_numpy()})
        return table.pivot_table(index="age_group", columns="sex", values="value", aggfunc="sum", fill_value=0)

    def number(self, indicator: str, dimension: str = "total", category: str = "all", decimals: int = 0) -> str:
        """A value formatted for print (``67,389``, ``<5``, ``–``), registered for the traceability annex."""
        shown = fmt(value(self.indicators, indicator, dimension, category), total=dimension == "total",
                    decimals=decimals)
        if self.suppressed.get((indicator, dimension, category)) == COMPLEMENTARY:
            shown = COMPLEMENTARY_MARK
        self.traced.append({"shown": shown, "indicator": indicator, "dimension": dimension, "category": category})
        return shown

    def series(self, indicator: str, dimension: str) -> pd.Series:
        """All categories of one indicator and dimension, registered for the annex, safe to draw and print:
        values 1–4 and complementary suppressions come back as tokens that ``fmt`` prints as ``<5`` and ``x``
        and that draw as an empty bar."""
        values = series(self.indicators, indicator, dimension)
        states = self.suppressed.reindex(pd.MultiIndex.from_product([[indicator], [dimension], values.index]))
        values = for_report(values, states.fillna(0))
        for category, v in values.items():
            self.traced.append({"shown": fmt(v), "indicator": indicator, "dimension": dimension,
                                "category": category})
        return values

    def crosstable(self, dimension: str, columns: list[tuple[str, str]], heading: str, *,
                   labels: Callable[[str], str] = str, limit: int | None = None) -> HTML:
        """A table of several indicators over one dimension: ``columns`` are (indicator, column heading);
        rows are the categories of the first indicator, largest first; small values suppressed."""
        values = {title: self.series(indicator, dimension) for indicator, title in columns}
        first = next(iter(values.values()))
        rows = first.index[:limit] if limit else first.index
        head = "".join(f"<th class='num'>{html.escape(title)}</th>" for title in values)
        body = "".join(
            f"<tr><td>{html.escape(labels(str(row)))}</td>"
            + "".join(f"<td class='num'>{fmt(v.get(row, 0))}</td>" for v in values.values()) + "</tr>"
            for row in rows
        )
        return HTML(f"<table class='figures'><thead><tr><th>{html.escape(heading)}</th>{head}</tr></thead>"
                    f"<tbody>{body}</tbody></table>")

    def narrative(self, folder: Path = NARRATIVES_DIR) -> tuple[Story, bool]:
        """The narrative's sections with numbers filled in, and whether it is a draft (no narrative file)."""
        path = narrative_path(self.quarter, folder)
        if not path.is_file():
            return Story({"": self.automatic_summary()}), True
        text = path.read_text(encoding="utf-8")
        check_headings(text, SECTIONS, str(path))
        return Story(sections(render_narrative(text, self.indicators, self.number, str(path)))), False

    def automatic_summary(self) -> str:
        """A factual summary used when no narrative has been written for the quarter."""
        sectors = self.series("people_reached", "sector")
        leading = ", ".join(f"{s} ({fmt(v)})" for s, v in sectors.sort_values(ascending=False).items() if v > 0)
        return (
            f"In {self.period} the programme reached {self.number('people_reached')} people in "
            f"{self.number('provinces_covered')} provinces through {self.number('services_delivered')} recorded "
            f"services. By sector: {leading}. Since the programme started it has reached "
            f"{self.number('people_reached_since_start')} people.\n\n"
            f"*No narrative has been written for this quarter yet: this summary was generated from the "
            f"indicators. Add `narratives/{self.quarter}.md` to replace it.*"
        )

    def annex(self) -> HTML:
        """Every number printed, with its indicator id; then each indicator's definition."""
        specs = config.indicator_specs()
        traced = pd.DataFrame(self.traced).drop_duplicates(subset=["indicator", "dimension", "category"])
        figures = "".join(
            f"<tr><td class='num'>{html.escape(t.shown)}</td><td><code>{html.escape(t.indicator)}</code></td>"
            f"<td>{html.escape('' if t.dimension == 'total' else f'{t.dimension}: {t.category}')}</td></tr>"
            for t in traced.itertuples()
        )
        definitions = "".join(
            f"<tr><td><code>{html.escape(i)}</code></td><td>{html.escape(specs[i]['label'])}</td>"
            f"<td>{html.escape(specs[i]['definition'])}</td></tr>"
            for i in dict.fromkeys(traced["indicator"])
        )
        return HTML(
            "<p>The counts of rows read, kept and dropped in the data-quality section come from the cleaning's "
            "reconciliation (<code>quality.json</code>); every other number is listed here.</p>"
            "<table class='figures annex'><thead><tr><th class='num'>Figure</th><th>Indicator</th>"
            f"<th>Breakdown</th></tr></thead><tbody>{figures}</tbody></table>"
            "<table class='figures definitions'><thead><tr><th>Indicator</th><th>Name</th><th>Definition</th>"
            f"</tr></thead><tbody>{definitions}</tbody></table>"
        )


class Story(dict):
    """The narrative's sections by heading; asking for a section the report does not have is an error, so the
    notebook and the narrative's headings are both held to :data:`SECTIONS`."""

    def get(self, section: str, default: str = "") -> str:
        if section not in ("", *SECTIONS):
            raise KeyError(f"{section!r} is not a narrative section (report.SECTIONS: {', '.join(SECTIONS)})")
        return super().get(section, default)


class ReportMeta:
    """Displays nothing; carries ``metadata.report`` (title, subtitle, draft) to the nbconvert template."""

    def __init__(self, meta: dict):
        self.meta = meta

    def _repr_html_(self) -> tuple[str, dict]:
        return "", {"report": self.meta}


def tiles(items: list[tuple[str, str]], css_class: str = "tiles") -> HTML:
    """Headline tiles: (formatted number, label) pairs."""
    cells = "".join(f"<div class='tile'><div class='value'>{html.escape(n)}</div>"
                    f"<div class='label'>{html.escape(label)}</div></div>" for n, label in items)
    return HTML(f"<div class='{css_class}'>{cells}</div>")


def markdown(text: str) -> HTML:
    """Narrative text (Markdown) for display: converted and cleaned here, so no raw HTML in it can run or
    load anything, in the report or in JupyterLab."""
    return HTML(markdown_html(text))


def quality_table(quality: dict) -> pd.DataFrame:
    """Rows read, kept and dropped per source file (its sheets added up), with the total."""
    files = pd.DataFrame.from_dict(quality["files"], orient="index")
    columns = ["rows_read", "rows_kept", *DROP_REASONS]
    table = files.reindex(columns=columns).fillna(0).astype(int)
    table = table.groupby(table.index.str.replace(r" \[[^\]]*\]$", "", regex=True), sort=True).sum()
    table.loc["Total"] = [quality["totals"][c] for c in columns]
    return table.rename(columns=lambda c: c.replace("_", " ").capitalize()).map(lambda n: f"{n:,}")


