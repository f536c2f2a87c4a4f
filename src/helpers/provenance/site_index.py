"""``reports/index.html``: every quarter's report and published versions, with dates, headline figures and links,
in every language of the report (``index.tr.html`` for Turkish readers; each page links to the others).

One self-contained page (styles inline, no script, nothing fetched), with relative links, so the reports
folder can be served as it is by any static web server. Folder names and figures are data: only folders named
as quarters are listed, and every text and link is escaped. Written by every run and every publish.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from filelock import FileLock

from helpers.clean import measures
from helpers.config import Configuration
from helpers.paths import AUDIT, VERSIONS, Quarter, lock_file, public_data_name, replacing, report_basename
from helpers.provenance import revisions, stale
from helpers.publication.labels import figure
from helpers.publication.language import N_, Language, _, current, languages, using

INDEX = "index.html"  # the source language's; another language's is index.<code>.html (Language.suffix)
INDEX_TABLE = N_("Reports of {quarter}")  # a quarter's table, named for a screen reader
RUN_FILE = "run.json"  # written by each run into the quarter's audit trail (helpers.pipeline)
# On a phone each report of a quarter's table is a block of its own, each figure beside its column's name; the
# explicit roles keep it a table for a screen reader (a table shown as blocks loses its role in Chromium and Safari).
STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2rem auto; padding: 0 1rem; max-width: 60rem;
       color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: start; padding: .3rem .5rem; }
td.num, th.num { text-align: end; } tr + tr > * { border-top: 1px solid #eee; } .muted { color: #595959; }
.table-scroll { overflow-x: auto; } .table-scroll:focus-visible { outline: 2px solid #0b4f8a; }
nav.languages { float: inline-end; margin-top: .3rem; } nav.languages a { margin-inline-start: .6rem; }
@media (max-width: 40em) { body { margin: 1rem auto; padding: 0 .6rem; } nav.languages { float: none; }
  table.reports, .reports tbody, .reports tr, .reports th, .reports td { display: block; }
  .reports thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  .reports tr { padding: .5rem 0; } .reports tr + tr { border-top: 1px solid #ccc; } .reports tr + tr > * { border: 0; }
  .reports th, .reports td { padding: .1rem 0; }
  .reports td { display: grid; grid-template-columns: 50% 1fr; gap: .5rem; text-align: start; }
  .reports td a { white-space: normal; }
  .reports td::before { content: attr(data-label); content: attr(data-label) / ""; color: #595959; } }
.stale { color: #8a2b00; } td a { white-space: nowrap; }
"""


def index_name(language: Language) -> str:
    """The index page of a language: ``index.html``, ``index.tr.html``."""
    return INDEX.replace(".html", f"{language.suffix}.html")


def headline(cfg: Configuration) -> list[str]:
    """The indicators of the index's columns: the report's headline figures (``report.yml``)."""
    return [figure["indicator"] for figure in cfg.report()["headline_figures"]]


def _headline(folder: Path, quarter: Quarter, columns: list[str]) -> dict[str, str]:
    """The headline figures of a report, from the public data file beside it (suppression already applied),
    written as the language in use writes numbers, a partial sum as "at least", as the report prints them."""
    path = folder / public_data_name(quarter)
    if not path.is_file():
        return {}
    table = pd.read_csv(path, dtype=str, skiprows=[1], keep_default_na=False)  # row 2: HXL hashtags
    totals = table[table["dimension"] == "total"].set_index("indicator")
    state = totals["completeness"] if "completeness" in totals else pd.Series(measures.COMPLETE, totals.index)
    return {i: figure(totals.at[i, "value"], state[i]) for i in columns
            if i in totals.index and (totals.at[i, "value"] != "" or state[i] == measures.NOT_REPORTED)}


def _link(folder: str, name: str, label: str, base: Path, language: Language | None = None) -> str:
    if not (base / folder / name).is_file():
        return ""
    href = "/".join(quote(part) for part in (*folder.split("/"), name))
    lang = f" hreflang='{language.code}' lang='{language.code}'" if language and language != current() else ""
    return f"<a href='{html.escape(href)}'{lang}>{html.escape(label)}</a>"


def _editions(folder: str, quarter: Quarter, base: Path) -> list[str]:
    """Links to the HTML and PDF of every edition of a report, the page's language first: ``HTML · PDF ·
    Türkçe HTML · Türkçe PDF`` on the English page, ``HTML · PDF · English HTML · English PDF`` on the Turkish."""
    name, here = report_basename(quarter), current()
    editions = sorted(languages(here.cfg), key=lambda language: language != here)
    return [_link(folder, f"{name}{language.suffix}.{kind}",
                  kind.upper() if language == here else f"{language.name} {kind.upper()}", base, language)
            for language in editions for kind in ("html", "pdf")]


def _row(title: str, date: str, folder: str, quarter: Quarter, base: Path, columns: list[str], labels: list[str]
         ) -> str:
    """One report of a quarter: its date, headline figures (``labels`` their column names, shown beside each
    figure on a phone) and links to its files."""
    figures = _headline(base / folder, quarter, columns)
    cells = "".join(_cell(figures.get(i, "–"), label, "num") for i, label in zip(columns, labels, strict=True))
    links = " · ".join(filter(None, [*_editions(folder, quarter, base),
                                     _link(folder, public_data_name(quarter), _("public data (CSV)"), base)]))
    return (f"<tr role='row'><th scope='row' role='rowheader'>{html.escape(title)}</th>"
            f"{_cell(date, _('Date'))}{cells}"
            f"<td role='cell' data-label='{html.escape(_('Files'))}'><span>{links}</span></td></tr>")


def _cell(text: str, label: str, kind: str = "") -> str:
    """A cell of text, escaped, named by its column for the phone layout."""
    attributes = f" class='{kind}'" if kind else ""
    return f"<td role='cell'{attributes} data-label='{html.escape(label)}'>{html.escape(text)}</td>"


def _broken(version: revisions.Version, columns: int) -> str:
    """A version whose files do not match its manifest: named, its figures and files not offered (what does not
    match is said in the run's words: file names and hashes)."""
    title = _("version {number}: {problem}").format(number=version.number, problem="<strong>" + html.escape(
        _("does not match its manifest")) + "</strong>")
    source = languages(current().cfg)[0]  # the run's words: file names and hashes
    return (f"<tr role='row'><th scope='row' role='rowheader'>{title}</th><td role='cell'></td>"
            f"<td role='cell' colspan='{columns + 1}' lang='{source.code}'>{html.escape('; '.join(version.problems))}"
            "</td></tr>")


def _run(folder: Path) -> dict:
    path = folder / RUN_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _run_date(folder: Path) -> str:
    run_at = _run(folder).get("run_at")
    return current().day(datetime.fromisoformat(run_at)) if run_at else ""


def _run_id(folder: Path) -> str | None:
    return _run(folder).get("run_id")


def quarters(reports: Path) -> list[Quarter]:
    """Quarters with a working report or a published version, newest first (other folders are ignored): folder
    names read from disk, parsed here."""
    found = set()
    for path in Path(reports).iterdir() if Path(reports).is_dir() else []:
        name = path.name.removesuffix(VERSIONS)
        try:
            if path.is_dir() and str(quarter := Quarter.parse(name)) == name:
                found.add(quarter)
        except ValueError:
            continue
    return sorted(found, reverse=True)


def _stale(quarter: Quarter, changed: list[str]) -> str:
    """A quarter out of date (:mod:`helpers.provenance.stale`), told to a reader of the index."""
    words = current()
    earlier = _(" and ").join(words.period(Quarter.parse(q)) for q in changed)  # names as inputs.json lists them
    return _("Out of date: made from the figures of {earlier} before they were revised; {quarter} is to be run "
             "again.").format(earlier=earlier, quarter=words.period(quarter))


def _languages_nav() -> str:
    """Links to the index in the other languages, each named in its own language."""
    here = current()
    links = "".join(f"<a href='{index_name(language)}' hreflang='{language.code}' lang='{language.code}'>"
                    f"{html.escape(language.name)}</a>" for language in languages(here.cfg) if language != here)
    return f"<nav class='languages' aria-label='{html.escape(_('Other languages'))}'>{links}</nav>" if links else ""


def index_html(reports: Path, processed: Path, cfg: Configuration) -> str:
    """The page listing every quarter of ``reports`` (dates and versions from the audit trails in ``processed``,
    out-of-date quarters marked), with the headline figures and title of the configuration ``cfg``, in the
    language in use (:func:`helpers.publication.language.using`)."""
    specs, columns, words = cfg.indicator_specs(), headline(cfg), current()
    labels = [_(specs[i]["label"]) for i in columns]
    head = "".join(f"<th scope='col' role='columnheader' class='num'>{html.escape(label)}</th>" for label in labels)
    sections = []
    behind = stale.out_of_date(processed)
    for q in quarters(reports):
        published = revisions.versions(q, reports, processed)
        rows = []
        if (reports / q).is_dir():
            status = _("current report (not published)")
            audit = Path(processed) / q / AUDIT
            if base := revisions.latest(q, reports, processed):
                same = _run_id(audit) == base.manifest["run_id"]
                status = (_("current report (is version {number})") if same
                          else _("current report (revises version {number})")).format(number=base.number)
            rows.append(_row(status, _run_date(audit), str(q), q, reports, columns, labels))
        rows += [_row(_("version {number}").format(number=v.number), v.date, f"{q}.versions/{v.folder.name}", q,
                      reports, columns, labels) if v.intact else _broken(v, len(columns)) for v in reversed(published)]
        period = words.period(q)
        label = html.escape(_(INDEX_TABLE).format(quarter=f"{q} ({period})"))
        sections.append(
            f"<h2>{html.escape(str(q))} <span class='muted'>({html.escape(period)})</span></h2>"
            + (f"<p class='stale'><strong>{html.escape(_stale(q, behind[q]))}</strong></p>" if q in behind else "")
            + f"<div class='table-scroll' role='region' tabindex='0' aria-label='{label}'>"
            "<table class='reports' role='table'><thead role='rowgroup'><tr role='row'>"
            f"<th scope='col' role='columnheader'>{html.escape(_('Report'))}</th>"
            f"<th scope='col' role='columnheader'>{html.escape(_('Date'))}</th>"
            f"{head}<th scope='col' role='columnheader'>{html.escape(_('Files'))}</th></tr></thead>"
            f"<tbody role='rowgroup'>{''.join(rows)}</tbody></table></div>")
    body = "".join(sections) or f"<p>{html.escape(_('No report has been rendered yet.'))}</p>"
    heading = html.escape(_("{title}: quarterly reports").format(title=_(cfg.load("programme")["title"])))
    return (f"<!DOCTYPE html><html lang='{words.code}' dir='{words.direction}'><head><meta charset='utf-8'>"
            f"<title>{heading}</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<style>{STYLE}</style></head><body><header>{_languages_nav()}<h1>{heading}</h1>"
            "<p class='muted'>" + html.escape(_(
                "Each quarter's current report and its published versions (frozen, never changed by a later run). "
                "Figures are totals as published in each report's public data.")) + "</p></header>"
            f"<main>{body}</main></body></html>")


def write_index(reports: Path, processed: Path, cfg: Configuration) -> list[Path]:
    """Write ``reports/index.html`` and the index in each other language (``index.tr.html``), each replacing the
    previous one only once complete, out-of-date quarters marked. Runs of different quarters may finish together:
    each writes the pages in turn, under a lock of its own (kept outside the served folder)."""
    written = []
    Path(reports).mkdir(parents=True, exist_ok=True)
    with FileLock(lock_file(processed, "index"), timeout=120):
        for language in languages(cfg):
            path = Path(reports) / index_name(language)
            with using(language.code, cfg), replacing(path) as tmp:
                tmp.write_text(index_html(Path(reports), Path(processed), cfg), encoding="utf-8")
            written.append(path)
    return written
