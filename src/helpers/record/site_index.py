"""``reports/index.html``: every quarter's report and published versions, with dates, headline figures and links.

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

from helpers.config import Configuration
from helpers.paths import AUDIT, Quarter, lock_file, public_data_name, replacing, report_basename
from helpers.publication.language import Language, current, languages
from helpers.record import revisions, stale

INDEX = "index.html"
INDEX_TABLE = "Reports of {quarter}"  # a quarter's table, named for a screen reader
RUN_FILE = "run.json"  # written by each run into the quarter's audit trail (helpers.pipeline)
STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2rem auto; padding: 0 1rem; max-width: 60rem;
       color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; }
td.num, th.num { text-align: right; } tr + tr td { border-top: 1px solid #eee; } .muted { color: #595959; }
.table-scroll { overflow-x: auto; } .table-scroll:focus-visible { outline: 2px solid #0b4f8a; }
@media (max-width: 40em) { body { margin: 1rem auto; padding: 0 .6rem; } table { font-size: .85rem; }
  th, td { padding: .3rem .35rem; } }
.stale { color: #8a2b00; } td a { white-space: nowrap; }
"""


def headline(cfg: Configuration) -> list[str]:
    """The indicators of the index's columns: the report's headline figures (``report.yml``)."""
    return [figure["indicator"] for figure in cfg.report()["headline_figures"]]


def _headline(folder: Path, quarter: str, columns: list[str]) -> dict[str, str]:
    """The headline figures of a report, from the public data file beside it (suppression already applied)."""
    path = folder / public_data_name(quarter)
    if not path.is_file():
        return {}
    table = pd.read_csv(path, dtype=str, skiprows=[1], keep_default_na=False)  # row 2: HXL hashtags
    totals = table[table["dimension"] == "total"].set_index("indicator")["value"]
    return {i: f"{float(totals[i]):,.0f}" for i in columns if i in totals and totals[i] != ""}


def _link(folder: str, name: str, label: str, base: Path, language: Language | None = None) -> str:
    if not (base / folder / name).is_file():
        return ""
    href = "/".join(quote(part) for part in (*folder.split("/"), name))
    lang = f" hreflang='{language.code}' lang='{language.code}'" if language and not language.source else ""
    return f"<a href='{html.escape(href)}'{lang}>{html.escape(label)}</a>"


def _editions(folder: str, quarter: str, base: Path) -> list[str]:
    """Links to the HTML and PDF of every edition of a report: ``HTML · PDF · Türkçe HTML · Türkçe PDF``."""
    name = report_basename(quarter)
    return [_link(folder, f"{name}{language.suffix}.{kind}",
                  kind.upper() if language.source else f"{language.name} {kind.upper()}", base, language)
            for language in languages() for kind in ("html", "pdf")]


def _row(title: str, date: str, folder: str, quarter: str, base: Path, columns: list[str]) -> str:
    figures = _headline(base / folder, quarter, columns)
    cells = "".join(f"<td class='num'>{html.escape(figures.get(i, '–'))}</td>" for i in columns)
    links = " · ".join(filter(None, [*_editions(folder, quarter, base),
                                     _link(folder, public_data_name(quarter), "public data (CSV)", base)]))
    return f"<tr><th scope='row'>{html.escape(title)}</th><td>{html.escape(date)}</td>{cells}<td>{links}</td></tr>"


def _broken(version: revisions.Version, columns: int) -> str:
    """A version whose files do not match its manifest: named, its figures and files not offered."""
    return (f"<tr><th scope='row'>version {version.number}: <strong>does not match its manifest</strong></th><td></td>"
            f"<td colspan='{columns + 1}'>{html.escape('; '.join(version.problems))}</td></tr>")


def _run(folder: Path) -> dict:
    path = folder / RUN_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _run_date(folder: Path) -> str:
    run_at = _run(folder).get("run_at")
    return current().day(datetime.fromisoformat(run_at)) if run_at else ""


def _run_id(folder: Path) -> str | None:
    return _run(folder).get("run_id")


def quarters(reports: Path) -> list[str]:
    """Quarters with a working report or a published version, newest first (other folders are ignored)."""
    found = set()
    for path in Path(reports).iterdir() if Path(reports).is_dir() else []:
        name = path.name.removesuffix(".versions")
        try:
            if path.is_dir() and str(Quarter.parse(name)) == name:
                found.add(name)
        except ValueError:
            continue
    return sorted(found, key=Quarter.parse, reverse=True)


def index_html(reports: Path, processed: Path, cfg: Configuration) -> str:
    """The page listing every quarter of ``reports`` (dates and versions from the audit trails in ``processed``,
    out-of-date quarters marked), with the headline figures and title of the configuration ``cfg``."""
    specs, columns = cfg.indicator_specs(), headline(cfg)
    head = "".join(f"<th scope='col' class='num'>{html.escape(specs[i]['label'])}</th>" for i in columns)
    sections = []
    behind = stale.out_of_date(processed)
    for q in quarters(reports):
        published = revisions.versions(q, reports, processed)
        rows = []
        if (reports / q).is_dir():
            status = "current report (not published)"
            audit = Path(processed) / q / AUDIT
            if base := revisions.latest(q, reports, processed):
                same = _run_id(audit) == base.manifest["run_id"]
                status = f"current report ({'is' if same else 'revises'} version {base.number})"
            rows.append(_row(status, _run_date(audit), q, q, reports, columns))
        rows += [_row(f"version {v.number}", v.date, f"{q}.versions/{v.folder.name}", q, reports, columns) if v.intact
                 else _broken(v, len(columns)) for v in reversed(published)]
        label = html.escape(INDEX_TABLE.format(quarter=f"{q} ({Quarter.parse(q).label})"))
        sections.append(
            f"<h2>{html.escape(q)} <span class='muted'>({html.escape(Quarter.parse(q).label)})</span></h2>"
            + (f"<p class='stale'><strong>Out of date:</strong> {html.escape(stale.message(q, behind[q]))}.</p>"
               if q in behind else "") +
            f"<div class='table-scroll' role='region' tabindex='0' aria-label='{label}'><table>"
            f"<thead><tr><th scope='col'>Report</th><th scope='col'>Date</th>{head}<th scope='col'>Files</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")
    title = html.escape(cfg.load("programme")["title"])
    body = "".join(sections) or "<p>No report has been rendered yet.</p>"
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}: reports</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<style>{STYLE}</style></head><body><header><h1>{title}: quarterly reports</h1>"
            "<p class='muted'>Each quarter's current report and its published versions (frozen, never changed "
            "by a later run). Figures are totals as published in each report's public data.</p></header>"
            f"<main>{body}</main></body></html>")


def write_index(reports: Path, processed: Path, cfg: Configuration) -> Path:
    """Write ``reports/index.html`` (replacing the previous one only once complete), out-of-date quarters marked.
    Runs of different quarters may finish together: each writes the page in turn, under a lock of its own."""
    path = Path(reports) / INDEX
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(lock_file(processed, "index"), timeout=120), replacing(path) as tmp:
        tmp.write_text(index_html(Path(reports), Path(processed), cfg), encoding="utf-8")
    return path
