"""The rendered report as a reader gets it: the HTML in headless Chromium, the PDF as page images."""

import base64
import re
import subprocess

import numpy as np
import pytest
from PIL import Image

from helpers.paths import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sample_run", "fixture_run"])
def report(request):
    """The published sample report, and the draft report of the small fixture quarter."""
    return request.getfixturevalue(request.param)[1]


def test_html_loads_without_console_errors_and_shows_every_image(report, browser):
    result = report
    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: None if request.url.startswith(("file:", "data:"))
            else problems.append(f"network request: {request.url}"))
    page.goto(result.html.as_uri(), wait_until="load")
    images = page.eval_on_selector_all(
        "main img, main svg", "els => els.map(e => ({tag: e.tagName, ok: e.tagName !== 'IMG' || (e.complete && "
                    "e.naturalWidth > 0), width: e.getBoundingClientRect().width, alt: e.getAttribute('alt')}))")
    assert images, "the report shows no figure"
    assert all(image["ok"] and image["width"] > 100 for image in images), images
    assert all(image["alt"] and image["alt"] != "Figure" for image in images if image["tag"] == "IMG"), images
    assert problems == []
    page.close()


def test_table_of_contents_links_resolve(report, browser):
    result = report
    page = browser.new_page()
    page.goto(result.html.as_uri())
    targets = page.eval_on_selector_all("nav.toc a", "links => links.map(a => a.getAttribute('href'))")
    assert len(targets) >= 8
    for target in targets:
        assert target.startswith("#")
        assert page.locator(f"[id='{target[1:]}']").count() == 1, target
    page.close()


def test_pdf_pages_are_a_sane_number_and_none_is_blank(report, tmp_path):
    result = report
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(result.pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 3 <= len(pages) <= 30
    for path in pages:
        ink = np.asarray(Image.open(path).convert("L")) < 200
        assert ink.mean() > 0.005, f"{path.name} is blank"


@pytest.mark.parametrize("width", [400, 1280])
def test_html_fits_phone_and_screen_with_tiles_wrapping_and_nothing_clipped(report, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(report.html.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    rows = page.eval_on_selector_all(".tiles.sectors .tile",
                                     "ts => ts.map(t => Math.round(t.getBoundingClientRect().top))")
    assert len(rows) == 5
    assert (len(set(rows)) > 1) is (width == 400), rows  # the five sectors wrap on a phone, one row on a screen
    clipped = page.eval_on_selector_all(
        ".tile .value, .tile .label",
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > "
        "e.closest('.tile').getBoundingClientRect().right + 1).map(e => e.textContent)")
    assert clipped == []
    boxes = page.eval_on_selector_all(
        ".table-scroll",
        "bs => bs.map(b => ({wide: b.scrollWidth > b.clientWidth, overflow: getComputedStyle(b).overflowX}))")
    assert boxes and all(box["overflow"] == "auto" for box in boxes)
    assert any(box["wide"] for box in boxes) is (width == 400)  # the annex tables scroll in their box on a phone
    charts = chart_text(page)
    assert charts
    for chart in charts:
        assert chart["smallest_px"] >= (11 if width == 400 else 7)  # the 7 pt source note included
        assert chart["right"] <= width  # nothing of a chart off screen
        assert chart["narrow"] is (width == 400)  # a phone gets the chart re-flowed for its width
    page.close()


def chart_text(page) -> list[dict]:
    """Each chart as shown: the SVG the browser chose (wide or phone), its smallest text in CSS pixels at the
    size drawn, and its right edge."""
    shown = page.eval_on_selector_all(
        "main .jp-RenderedSVG img", "is => is.map(i => ({src: i.currentSrc, wide: i.getAttribute('src'), "
        "width: i.getBoundingClientRect().width, right: i.getBoundingClientRect().right}))")
    charts = []
    for chart in shown:
        svg = base64.b64decode(chart["src"].split(",", 1)[1]).decode("utf-8")
        assert "<text" in svg  # text as text: it can be searched, copied, zoomed
        view_width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', svg).group(1))
        sizes = [float(size) for size in re.findall(r"font-size: ?([\d.]+)px", svg)]
        charts.append({"smallest_px": min(sizes) * chart["width"] / view_width, "right": chart["right"],
                       "narrow": chart["src"] != chart["wide"]})
    return charts


def test_on_a_phone_every_chart_fits_the_screen_with_readable_text(sample_run, browser, tmp_path):
    page = browser.new_page(viewport={"width": 375, "height": 812})
    page.goto(sample_run[1].html.as_uri())
    shot = tmp_path / "phone.png"
    page.screenshot(path=str(shot), full_page=True)
    assert Image.open(shot).width == 375  # the page never scrolls sideways
    charts = chart_text(page)
    assert len(charts) == 5
    for chart in charts:
        assert chart["narrow"] and chart["right"] <= 375 and chart["smallest_px"] >= 11, chart
    page.close()


AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_findings(browser, url: str, width: int) -> list[str]:
    """axe-core's serious and critical findings on the page at ``url``, ``width`` pixels wide."""
    assert AXE.is_file(), "axe-core is installed by `make setup` (npm ci)"
    page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)  # the index forbids scripts
    page.goto(url)
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    page.close()
    return [f"{v['id']} ({v['impact']}): {len(v['nodes'])} nodes, e.g. {v['nodes'][0]['html'][:120]}"
            for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [375, 768, 1280])
def test_axe_finds_nothing_serious_on_the_report_or_the_index(report, browser, width):
    assert axe_findings(browser, report.html.as_uri(), width) == []
    for index in ("index.html", "index.tr.html"):  # the Turkish readers' index too
        assert axe_findings(browser, (report.report_dir.parent / index).as_uri(), width) == []


def test_tables_name_their_headers_and_anchor_links_stay_silent(report, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(report.html.as_uri())
    assert page.eval_on_selector_all("main th:not([scope])", "ths => ths.length") == 0
    assert page.eval_on_selector_all("main thead th", "ths => ths.filter(t => !t.textContent.trim()).length") == 0
    anchors = page.eval_on_selector_all("a.anchor-link", "as => as.map(a => a.getAttribute('aria-hidden'))")
    assert anchors and set(anchors) == {"true"}
    page.close()


def test_every_chart_has_its_numbers_as_a_table_beside_it(report, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(report.html.as_uri())
    tables = page.eval_on_selector_all("details.chart-data", "ds => ds.map(d => d.previousElementSibling.className)")
    charts = page.locator("main .jp-RenderedSVG img").count()
    assert len(tables) == charts and all("jp-RenderedSVG" in kind for kind in tables)
    page.close()
