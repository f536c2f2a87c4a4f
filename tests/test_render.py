"""The report renders to one offline HTML page and an A4 PDF a reader outside the organisation can use."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbclient import NotebookClient
from nbconvert.exporters import get_exporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader

from helpers.config import CONFIG_DIR, Configuration
from helpers.errors import NotebookErrorOutput
from helpers.publication.render import ReportHTMLExporter, ReportPDFExporter, render_report

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

pytestmark = pytest.mark.slow

TURKISH = "Şanlıurfa İzmir Kahramanmaraş ₺ 67,389"
STDERR_TEXT = "FutureWarning: analyst-only noise"
SECRET_CODE = "secret_variable_name = 1"
TILES = (
    '<div class="tiles">'
    + "".join(
        f'<div class="tile"><span class="value">{value}</span><span class="label">{label}</span></div>'
        for value, label in [("67,389", "people reached"), ("6", "provinces"), ("₺1.2m", "cash assistance")]
    )
    + "</div>"
)
EMPTY_SECTION = "Innovation lab"  # a heading over no text, no items, no photo
PARAGRAPH = (
    "Psychosocial mobile teams worked in Gaziantep, Hatay, İstanbul and Şanlıurfa, with community "
    "events, awareness sessions and referrals for host, migrant and refugee communities. "
)

CELLS = [
    new_code_cell(SECRET_CODE),
    new_code_cell(f"from IPython.display import HTML\nHTML({TILES!r})"),
    new_markdown_cell(f"## Summary\n\nThe programme reached people in {TURKISH}.\n\n" + PARAGRAPH * 6),
    new_code_cell(
        "%config InlineBackend.figure_formats = ['svg']\n"
        "import sys\n"
        "import matplotlib.pyplot as plt\n"
        f"print({STDERR_TEXT!r}, file=sys.stderr)\n"
        "fig, ax = plt.subplots(figsize=(6.4, 3.2))\n"
        "ax.barh(['Şanlıurfa', 'İzmir', 'Kahramanmaraş'], [31000, 21000, 15389], color='#a83279')\n"
        "ax.set_xlabel('People reached')\n"
        "plt.show()"
    ),
    new_markdown_cell("## People reached by sector\n\n" + PARAGRAPH * 3, metadata={"tags": ["page-break"]}),
    new_code_cell(
        "import pandas as pd\n"
        "pd.DataFrame({'sector': ['Protection', 'Livelihoods'], 'people': [40000, 27389]})"
        ".set_index('sector')"
    ),
    new_code_cell("from IPython.display import HTML, Markdown, display\n"  # a section with nothing to show
                  f"display(HTML('<h2>{EMPTY_SECTION}</h2>'), Markdown(''),\n"
                  "        HTML('<div class=\"tiles items\"></div>'))"),
    new_code_cell("from IPython.display import HTML\nHTML('<h2>Centres</h2><p>Every centre was open.</p>')"),
    new_markdown_cell("## Summary\n\nA second heading with the same words still gets its own link."),
]


def _report_notebook(path: Path) -> Path:
    nb = new_notebook(cells=CELLS)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["report"] = {
        "title": "Türkiye Refugee Response",
        "subtitle": "Quarterly report · October–December 2022",
        "draft": True,
    }
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def notebook(tmp_path_factory) -> Path:
    return _report_notebook(tmp_path_factory.mktemp("nb") / "report.ipynb")


@pytest.fixture(scope="module")
def rendered(notebook, tmp_path_factory) -> tuple[Path, Path]:
    return render_report(notebook, tmp_path_factory.mktemp("out") / "2022Q4", "refugee-response-2022Q4", CFG)


@pytest.fixture(scope="module")
def html(rendered) -> str:
    return rendered[0].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf(rendered) -> PdfReader:
    return PdfReader(rendered[1])


def test_render_report_writes_both_files_named_by_basename(rendered):
    html_path, pdf_path = rendered
    assert html_path.name == "refugee-response-2022Q4.html"
    assert pdf_path.name == "refugee-response-2022Q4.pdf"
    assert pdf_path.read_bytes().startswith(b"%PDF")


def test_html_is_self_contained_and_offline(html):
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert not re.search(r"<link[^>]*stylesheet", html)
    assert not re.search(r"""\b(src|href)=["']?(https?:)?//""", html)


def test_html_hides_code_prompts_and_stderr(notebook, html):
    assert STDERR_TEXT in notebook.read_text(encoding="utf-8")
    assert "secret_variable_name" not in html
    assert "In&nbsp;[" not in html and "Out[" not in html
    assert STDERR_TEXT not in html


def test_html_declares_language_and_charset_and_keeps_turkish(html):
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"] == "en"
    assert soup.find("meta", charset=True)["charset"].lower() == "utf-8"
    assert TURKISH in soup.get_text()


def test_html_has_the_figure_inline_and_the_tiles(html):
    soup = BeautifulSoup(html, "html.parser")
    figures = [img["src"] for img in soup.select("main img")] + [str(s) for s in soup.select("main svg")]
    assert any(src.startswith(("data:image/svg+xml", "<svg")) for src in figures)
    assert [t.get_text() for t in soup.select("div.tiles > div.tile .value")] == ["67,389", "6", "₺1.2m"]


def test_html_title_block_comes_from_metadata(html):
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".title-block h1").get_text() == "Türkiye Refugee Response"
    assert "October–December 2022" in soup.select_one(".title-block").get_text()
    assert soup.select_one(".draft-mark").get_text() == "DRAFT"


def test_toc_lists_every_h2_and_each_link_resolves_to_its_own_heading(html):
    soup = BeautifulSoup(html, "html.parser")
    links = soup.select("nav.toc a")
    assert [a.get_text() for a in links] == ["Summary", "People reached by sector", "Centres", "Summary"]
    targets = [soup.find(id=a["href"].removeprefix("#")) for a in links]
    assert all(t is not None and t.name == "h2" for t in targets)
    assert len({id(t) for t in targets}) == len(links)
    assert links[2]["href"] == "#Centres"  # displayed by a code cell: the anchor nbconvert gives a Markdown heading
    assert [t.select_one("a.anchor-link")["href"] for t in targets] == [a["href"] for a in links]


def test_a_section_with_nothing_to_show_is_left_out_of_the_page_its_contents_and_the_pdf(html, pdf):
    soup = BeautifulSoup(html, "html.parser")
    assert EMPTY_SECTION not in soup.get_text() and not soup.select("main .tiles.items")
    assert EMPTY_SECTION not in " ".join(page.extract_text() for page in pdf.pages)
    assert EMPTY_SECTION not in [item.title for item in pdf.outline]  # the PDF's bookmarks
    assert "Centres" in [item.title for item in pdf.outline]


def test_pdf_text_has_turkish_numbers_and_page_numbers_on_every_page(pdf):
    pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) >= 2
    assert "Şanlıurfa" in pages[0] and "67,389" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "DRAFT" in text


def test_pdf_page_break_tag_starts_a_new_page(pdf):
    pages = [page.extract_text().replace("DRAFT", "").lstrip() for page in pdf.pages]
    starts = [text for text in pages[1:] if "People reached by sector" in text]
    assert starts and starts[0].startswith("People reached by sector")


def test_pdf_figures_stay_vector(pdf):
    def raster_images(xobjects) -> int:
        count = 0
        for ref in (xobjects or {}).values():
            xobject = ref.get_object()
            if xobject["/Subtype"] == "/Image":
                count += 1
            elif "/Resources" in xobject:
                count += raster_images(xobject["/Resources"].get_object().get("/XObject"))
        return count

    assert sum(raster_images(page["/Resources"].get("/XObject")) for page in pdf.pages) == 0
    bar_fill = b"0.658824 0.196078 0.47451 rg"  # the bars' #a83279, set as a vector fill colour
    assert any(bar_fill in page.get_contents().get_data() for page in pdf.pages)


def test_report_metadata_override_drops_the_draft_marker(notebook, tmp_path):
    html_path, pdf_path = render_report(notebook, tmp_path, "final", CFG, {"draft": False})
    assert "DRAFT" not in html_path.read_text(encoding="utf-8")
    assert "DRAFT" not in PdfReader(pdf_path).pages[0].extract_text()


def test_a_notebook_with_an_error_output_is_not_rendered(tmp_path):
    nb = new_notebook(cells=[new_code_cell("1 / 0")])
    nb.cells[0].outputs = [
        new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])
    ]
    nbformat.write(nb, tmp_path / "broken.ipynb")
    with pytest.raises(NotebookErrorOutput, match="ZeroDivisionError"):
        render_report(tmp_path / "broken.ipynb", tmp_path / "out", "broken", CFG)
    assert not (tmp_path / "out" / "broken.html").exists()


def test_analyst_can_export_from_the_command_line(notebook, tmp_path):
    jupyter = Path(sys.executable).with_name("jupyter")
    subprocess.run(
        [jupyter, "nbconvert", "--to", "report_pdf", "--output-dir", tmp_path, "--output", "q4", notebook],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    assert "Page 1 of" in PdfReader(tmp_path / "q4.pdf").pages[0].extract_text()


def test_both_formats_are_registered_with_nbconvert():
    assert get_exporter("report_html") is ReportHTMLExporter
    assert get_exporter("report_pdf") is ReportPDFExporter


def test_contents_links_find_turkish_headings_in_html_and_pdf(caplog):
    """A section titled in Turkish keeps its letters in its id, so the contents link finds it in the browser and
    in WeasyPrint, which looks a link up decoded (a percent-encoded id left every Turkish PDF link dead)."""
    from helpers.publication.render import add_toc, html_to_pdf

    page = BeautifulSoup(add_toc('<nav class="toc"></nav><main><h2>Temel ihtiyaçlar</h2><h2>İnovasyon</h2></main>'),
                         "html.parser")
    links = [a["href"] for a in page.select("nav.toc a")]
    assert links == ["#Temel-ihtiyaçlar", "#İnovasyon"]
    assert [f"#{h['id']}" for h in page.select("main h2")] == links
    with caplog.at_level("WARNING", logger="weasyprint"):
        html_to_pdf(str(page))
    assert not [r for r in caplog.records if "No anchor" in r.getMessage()]
