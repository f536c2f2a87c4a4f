"""Annex A and the first page's losses note: how the raw logs became the figures, in counts a reader can weigh.

A mixin of :class:`helpers.publication.report.Report` (it reads the report's quality, language and programme), kept
apart because it is about the data's path, not the figures.
"""

from __future__ import annotations

import html
from pathlib import Path

from IPython.display import HTML, Markdown

from helpers.clean.quality import public_labels, rounded, source_table, unit_of
from helpers.csvfile import write_csv
from helpers.measure.indicators import series
from helpers.paths import SOURCES_FILE, sources_name
from helpers.publication.labels import activity_label, count_heading, counted
from helpers.publication.language import N_, Language, _, current, languages
from helpers.publication.safehtml import escape_markdown

LOSSES_TITLE = N_("Published with known gaps in the data")
LOSSES = {
    "rejected": N_("{rejected} of the {read} rows received ({share}) could not be used, more than usual: the "
                   "figures may be lower than the activities carried out."),
    "out_of_period": N_("{out_of_period} of the {read} rows received ({share}) were dated outside {period} and "
                        "are not counted."),
    "unmapped_form": N_("{unmapped_form} of the {read} rows received ({share}) come from a partner's form not yet "
                        "matched to this report's records and are not counted: the figures may be lower than the "
                        "activities carried out."),
}
OTHER_SOURCES = N_("Other sources")  # Annex A: files outside the units' folders
_FILE, _SHEET = N_("file {n}"), N_("sheet {n}")  # a source's neutral label: "file 3, sheet 2" (public_labels)


def _count(n: int | str) -> str:
    """A count as printed in the language in use: ``1,250`` / ``1.250``; a withheld one (``<5``) as it is."""
    return n if isinstance(n, str) else current().number(n)



class QualityNotes:
    """The report's sentences and tables on the data's path: rows read, kept and set aside, per source."""

    def losses_note(self) -> HTML:
        """On the first page, when the report was published although the data looked wrong: what a reader
        should weigh, in counts (the run's own wording is in its log)."""
        accepted = self.quality.get("accepted_losses") or []
        if not accepted:
            return HTML("")
        totals = self.quality["totals"]
        read = totals["rows_read"] or 1
        found = {entry["kind"] for entry in accepted}  # the run's own lines stay in its log and quality.json
        lost = {kind: self._lost(kind) for kind in LOSSES if kind in found}
        words = [_(LOSSES[kind]).format(**{kind: self.language.number(n)}, read=self.language.number(read),
                                        share=self.language.percent(n / read), period=self.period)
                 for kind, n in lost.items()]
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in words)
        return HTML(f"<div class='losses-note' role='note'><p><strong>{html.escape(_(LOSSES_TITLE))}</strong>:</p>"
                    f"<ul>{lines}</ul></div>")

    def _lost(self, kind: str) -> int:
        """The rows a kind of loss (:data:`LOSSES`) concerns: rejected, out of period, or read from the exports of
        a form not mapped yet (their rows, which no question of theirs could fill)."""
        if kind != "unmapped_form":
            return self.quality["totals"][kind]
        files = self.quality["files"]
        return sum(files[name]["rows_read"] for form in self.quality.get("forms", {}).values() if not form["mapped"]
                   for name in form["files"] if name in files)

    def quality_summary(self) -> str:
        """One paragraph of Markdown on how the raw logs became the figures, in counts (the files themselves
        are listed in the sources file published beside the report)."""
        totals, completeness = self.quality["totals"], self.quality["completeness"]
        words, percent = self.language, self.language.percent
        reasons = ", ".join(f"{words.number(n)} {_(self.cfg.reason_label(r))}" for r, n in totals["by_reason"].items()
                            if n and r not in self.cfg.drop_kinds())
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
                escape_markdown(f"{labels[f['source']]}: {_(self.cfg.unreadable_label(f.get('kind', '')))}")
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
        specs, lines = self.cfg.indicator_specs(), []
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
        cells = series(self.indicators, "people_reached", "sex", self.cfg)
        return None if cells.sum() <= 0 else float(cells.drop("unknown", errors="ignore").sum() / cells.sum())

    def source_summary(self) -> HTML:
        """Annex A's table: rows read, kept and set aside per source type (unit and kind of file), with the
        total. Each file's row is in :meth:`write_sources`."""
        table = source_table(self.quality, self.cfg).reset_index()
        units = self.programme.get("units", {})
        table["unit"] = table["source"].map(lambda source: _(unit_of(source, units) or OTHER_SOURCES))
        table["kind"] = table["file"].str.lower().str.endswith((".xlsx", ".xlsm", ".xls")).map(
            {True: _("Excel workbooks"), False: _("CSV exports")})
        counts = ["rows_read", "rows_kept", *self.cfg.drop_kinds()]
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
        table = source_table(self.quality, self.cfg).drop(columns="file")
        labels = {source: label for source, label in self.source_labels(languages(self.cfg)[0]).items()  # one public
                  if source in table.index}  # file for every edition: its labels in the source language
        table = table.loc[list(labels)].map(rounded).rename(index=labels)
        write_csv(table.reset_index(), path)
        return path
