"""The rendered report as a reader gets it: the HTML in headless Chromium, the PDF as page images."""

import subprocess

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sample_run", "fixture_run"])
def report(request):
    """The published sample report, and the draft report of the small fixture quarter."""
    return request.getfixturevalue(request.param)[1]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
        "img, svg", "els => els.map(e => ({tag: e.tagName, ok: e.tagName !== 'IMG' || (e.complete && "
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
