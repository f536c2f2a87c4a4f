"""The rendered report as a reader gets it: the HTML in headless Chromium, the PDF as page images."""

import subprocess

import numpy as np
import pytest
from PIL import Image

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
    charts = page.eval_on_selector_all(
        "main .jp-RenderedSVG img", "is => is.map(i => ({scale: i.getBoundingClientRect().width / i.naturalWidth, "
        "box: getComputedStyle(i.parentElement).overflowX, svg: atob(i.src.split(',')[1])}))")
    assert charts
    for chart in charts:
        assert chart["scale"] >= 0.75  # 8.5 pt labels stay 8.5 px or larger
        assert "<text" in chart["svg"]  # text as text: it can be searched, copied, zoomed
        if width == 400:
            assert chart["box"] == "auto"
    page.close()


def test_every_chart_has_its_numbers_as_a_table_beside_it(report, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(report.html.as_uri())
    tables = page.eval_on_selector_all("details.chart-data", "ds => ds.map(d => d.previousElementSibling.className)")
    charts = page.locator("main .jp-RenderedSVG img").count()
    assert len(tables) == charts and all("jp-RenderedSVG" in kind for kind in tables)
    page.close()
