"""Hostile labels, file names and narratives reach the report as text: no script runs, nothing is fetched.

Every payload would set ``window.__pwned``, load from a local canary server or embed a key file if it got
through; the rendered report is opened in headless Chromium and the PDF inspected with pypdf.
"""

import base64
import contextlib
import http.server
import io
import shutil
import textwrap
import threading
import zlib
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from pypdf import PdfReader

from helpers.config import CONFIG_DIR, Configuration
from helpers.pipeline import run_quarter
from helpers.publication.render import html_to_pdf, render_report
from helpers.publication.safehtml import escape_markdown, markdown_html

pytestmark = pytest.mark.slow

SECRET = "KEYFILE-CONTENT-7f3a9c"
PWN = "window.__pwned=1"
ACTIVE = ("script", "img", "svg", "iframe", "object", "embed", "link", "style", "meta", "base", "form", "input")


def payloads(canary: str, key: Path) -> list[str]:
    """Markup that runs a script, loads from the network or the disk, or attaches a file, if left active."""
    return [
        f'<img src=x onerror="{PWN}">',
        f"<script>{PWN}</script>",
        f'<svg onload="{PWN}"></svg>',
        f'<a href="javascript:{PWN}">run</a>',
        f'<img src="{canary}/img.png">',
        f'<link rel=stylesheet href="{canary}/style.css">',
        f'<div style="background:url({canary}/bg.png)">bg</div>',
        f'<iframe src="{canary}/frame"></iframe>',
        f'<a rel=attachment href="{key.as_uri()}">key</a>',
        '<img src="file:///etc/passwd">',
    ]


@pytest.fixture(scope="module")
def canary():
    """A local HTTP server that records every request it gets: (base URL, requested paths)."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def embedded_files(pdf: PdfReader) -> list[str]:
    """Files a PDF carries: the document's embedded files and every file-attachment annotation."""
    names = list(pdf.attachments)
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                names.append(str(annotation["/FS"].get_object().get("/F")))
    return names


def link_targets(pdf: PdfReader) -> list[str]:
    return [str(a.get_object()["/A"].get("/URI")) for page in pdf.pages for a in page.get("/Annots") or []
            if "/A" in a.get_object()]


def pdf_bytes(path_or_bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated, to search for leaked content."""
    raw = Path(path_or_bytes).read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    inflated = [raw]
    for chunk in raw.split(b"stream")[1:]:
        with contextlib.suppress(zlib.error):  # not every "stream" is a Flate stream
            inflated.append(zlib.decompressobj().decompress(chunk.lstrip(b"\r\n")))
    return b"".join(inflated)


def assert_pdf_fetched_nothing(pdf_source, key: Path, hits: list[str]) -> None:
    reader = PdfReader(pdf_source if isinstance(pdf_source, Path) else io.BytesIO(pdf_source))
    assert embedded_files(reader) == []
    assert not [t for t in link_targets(reader) if t.startswith("file:")]
    content = pdf_bytes(pdf_source)
    assert SECRET.encode() not in content and b"root:x:0:0" not in content
    assert hits == []


def open_in_chromium(browser, html_path: Path) -> dict:
    """Load the page with every request recorded (and any but the page itself refused): what ran, what left."""
    page = browser.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/*", lambda route: route.continue_() if route.request.url == html_path.as_uri()
               else route.abort())
    page.goto(html_path.as_uri(), wait_until="load")
    seen = {
        "pwned": page.evaluate("window.__pwned === undefined ? null : window.__pwned"),
        "left": [url for url in requests if url != html_path.as_uri() and not url.startswith("data:")],
        "handlers": page.evaluate("[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
                                  ".filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"),
        "active": page.evaluate(f"[...document.querySelectorAll('main :is({', '.join(ACTIVE)})')]"
                                ".filter(e => !(e.tagName === 'IMG' && e.src.startsWith('data:image/svg+xml')))"
                                ".map(e => e.outerHTML.slice(0, 80))"),
        "script_links": page.evaluate("[...document.querySelectorAll('[href^=\"javascript\" i]')].length"),
        "text": page.inner_text("main"),
        "errors": errors,
    }
    page.close()
    return seen


# ---- the sanitiser alone


def test_narrative_markdown_keeps_its_formatting_and_loses_active_content(tmp_path):
    text = "**Bold**, *italic*, a [link](https://example.org) and a list:\n\n- one\n- two\n\n" + "\n\n".join(
        payloads("http://127.0.0.1:9", tmp_path / "key"))
    soup = BeautifulSoup(markdown_html(text), "html.parser")
    assert soup.find("strong").get_text() == "Bold" and soup.find("em").get_text() == "italic"
    assert soup.find("a", href="https://example.org") is not None
    assert [li.get_text() for li in soup.find_all("li")] == ["one", "two"]
    assert soup.find_all(ACTIVE) == []
    assert not [a for tag in soup.find_all(True) for a in tag.attrs if a.startswith("on") or a in ("style", "src")]
    assert all(a["href"].startswith(("https:", "#")) for a in soup.find_all("a", href=True))


def test_a_name_escaped_for_markdown_shows_as_written():
    name = '<img src=x onerror="window.__pwned=1"> *not bold* [x](javascript:y) & `tick`.csv'
    soup = BeautifulSoup(markdown_html(escape_markdown(name)), "html.parser")
    assert soup.get_text().strip() == name
    assert soup.find_all(True) == [soup.p]


# ---- WeasyPrint


def test_html_to_pdf_fetches_no_file_and_no_url(canary, tmp_path):
    base, hits = canary
    key = tmp_path / "pseudonymisation.key"
    key.write_text(SECRET)
    pdf = html_to_pdf("<main><p>Report</p>" + "".join(payloads(base, key)) + "</main>")
    assert pdf.startswith(b"%PDF")
    assert_pdf_fetched_nothing(pdf, key, hits)


def test_html_to_pdf_still_draws_the_page_own_embedded_figure():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" ' \
          b'fill="#a83279"/></svg>'
    pdf = html_to_pdf(f'<img alt="f" src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}">')
    assert b"0.658824 0.196078 0.47451 rg" in pdf_bytes(pdf)


# ---- a report notebook rendered from hostile labels, file names and narrative


NOTEBOOK = '''
import pandas as pd
from IPython.display import HTML, Markdown, display
from helpers.publication import figures
from helpers.measure.disclosure import fmt
from helpers.clean.quality import quality_table
from helpers.config import Configuration
from helpers.paths import CONFIG_DIR, Quarter
from helpers.publication.report import Report, markdown, tiles

figures.use_report_style()
H = {labels!r}
rows = [("people_reached", "total", "all", 120.0)]
rows += [("people_reached", dimension, label, 10.0 + i) for dimension in ("centre", "donor", "item")
         for i, label in enumerate(H)]
indicators = pd.DataFrame(rows, columns=["indicator", "dimension", "category", "value"]).assign(quarter="2022Q4")
skipped = [{{"source": name, "reason": reason}} for name, reason in {skipped!r}]
quality = {{"totals": {{"rows_read": 10, "rows_kept": 9, "duplicate": 0, "out_of_period": 0, "summary_row": 0,
                       "rejected": 1,
                       "by_reason": {{"bad_date": 1}}}},
            "completeness": {{"sex": 1.0, "age": 1.0, "population_group": 1.0}},
            "files": {{name: {{"rows_read": 5, "rows_kept": 5, "duplicate": 0, "out_of_period": 0, "summary_row": 0,
                             "rejected": 0}}
                      for name, _ in {skipped!r}}},
            "skipped_files": skipped}}
history = pd.DataFrame({{"quarter": ["2022Q4"], "people_reached": [120]}})
r = Report(Quarter.parse("2022Q4"), indicators, quality, history, Configuration(CONFIG_DIR))
story = r.narrative({narratives!r})
display(markdown(story.get("")))
display(markdown(story.get("Protection")))
display(tiles([(fmt(v), f"people reached with {{d}} funding") for d, v in r.series("people_reached", "donor").items()]))
display(r.crosstable("centre", [("people_reached", "People reached")], "Centre"))
display(r.crosstable("item", [("people_reached", "People reached")], "Item"))
display(figures.bar_chart(r.series("people_reached", "centre"), "Centres " + H[0], "People", r.source, label_fmt=fmt))
display(markdown(r.quality_summary()))
display(quality_table(r.quality, r.cfg))
display(Markdown({markdown_output!r}))
display(HTML({html_output!r}))
'''


@pytest.fixture(scope="module")
def hostile(canary, tmp_path_factory):
    """A report rendered from hostile inputs: (html path, pdf path, key path, labels, skipped file names)."""
    base, _ = canary
    folder = tmp_path_factory.mktemp("hostile")
    key = folder / "pseudonymisation.key"
    key.write_text(SECRET)
    attacks = payloads(base, key)
    labels = [attacks[0], "Centre <b>bold</b> & co", "Donor <script>window.__pwned=1</script>"]
    skipped = [(f'<img src=x onerror="{PWN}">.csv', "<script>window.__pwned=1</script>"),
               (f"<a rel=attachment href={key.as_uri()}>key</a>.csv", "unreadable")]
    narratives = folder / "narratives"
    narratives.mkdir()
    (narratives / "2022Q4.md").write_text(
        "We reached {{ people_reached.total }} people. " + " ".join(attacks[:5]) + "\n\n[click](javascript:"
        + PWN + ")\n\n## Protection\n\n" + " ".join(attacks[5:]) + "\n\n![key](pseudonymisation.key)\n",
        encoding="utf-8")
    source = NOTEBOOK.format(labels=labels, skipped=skipped, narratives=str(narratives),
                             markdown_output="Raw output ![key](pseudonymisation.key) " + " ".join(attacks),
                             html_output="".join(attacks))
    nb = new_notebook(cells=[new_code_cell(textwrap.dedent(source))])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(folder)}}).execute()
    nbformat.write(nb, folder / "report.ipynb")
    html_path, pdf_path = render_report(folder / "report.ipynb", folder / "out", "report",
                                       Configuration(CONFIG_DIR))
    return html_path, pdf_path, key, labels, [name for name, _ in skipped]


def test_hostile_report_runs_no_script_and_sends_no_request(hostile, canary, browser):
    html_path = hostile[0]
    seen = open_in_chromium(browser, html_path)
    assert seen["pwned"] is None
    assert seen["left"] == []
    assert seen["handlers"] == [] and seen["script_links"] == 0
    assert seen["active"] == []
    assert seen["errors"] == []
    assert canary[1] == []


def test_hostile_labels_and_file_names_show_as_text(hostile, browser):
    html_path, _, _, labels, skipped = hostile
    text = open_in_chromium(browser, html_path)["text"]
    for shown in [*labels, *skipped]:
        assert shown in text
    assert "We reached 120 people." in text


def test_hostile_report_html_embeds_no_local_file(hostile):
    html = hostile[0].read_text(encoding="utf-8")
    assert SECRET not in html and base64.b64encode(SECRET.encode()).decode()[:16] not in html


def test_hostile_report_pdf_attaches_and_fetches_nothing(hostile, canary):
    _, pdf_path, key, _, _ = hostile
    assert_pdf_fetched_nothing(pdf_path, key, canary[1])
    other_edition = pdf_path.with_suffix(".tr.pdf").name  # each edition links to the other, beside it
    assert not [t for t in link_targets(PdfReader(pdf_path)) if not t.startswith("https:") and t != other_edition]
    assert "Centre <b>bold</b> & co" in "".join(page.extract_text() for page in PdfReader(pdf_path).pages)


# ---- the case end to end: --skip-bad-files with a hostile file name


def test_pipeline_run_with_a_hostile_unreadable_file_name(fixture_raw, tmp_path, canary, browser, monkeypatch):
    """A file the run skips is counted in the report by a neutral label, never by its name, which holds markup
    and a link to the key file."""
    key = tmp_path / "pseudonymisation.key"
    key.write_text(SECRET)
    raw = tmp_path / "raw"
    shutil.copytree(fixture_raw, raw)
    scripted = raw / "2022Q4" / f'<img src=x onerror="{PWN}">.csv'
    # Folders spell the key's path, so the skipped file's name reads <a rel=attachment href=file:/…/key>.csv
    attached = raw / "2022Q4" / "<a rel=attachment href=file:" / Path(*key.parts[1:-1]) / f"{key.name}>.csv"
    for path in (scripted, attached):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x00\xff\xfe" * 200)
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "fixture key for the hostile name test")
    result = run_quarter("2022Q4", raw, tmp_path / "processed", tmp_path / "reports", progress=False,
                         skip_bad_files=True, parameters={"narratives_dir": str(tmp_path / "no-narratives")})
    seen = open_in_chromium(browser, result.html)
    assert seen["pwned"] is None and seen["left"] == [] and seen["handlers"] == []
    assert "2 files could not be read and were skipped" in seen["text"]
    assert scripted.name not in seen["text"] and f"{key.name}>.csv" not in seen["text"]
    assert_pdf_fetched_nothing(result.pdf, key, canary[1])
