"""reports/index.html in a reader's browser: on a phone each report is a block with every figure beside its
column's name, nothing scrolls sideways, and a screen reader still meets a table (Chromium's accessibility tree)."""

import json

import pytest
from test_reader_view import axe_findings

from helpers.config import CONFIG_DIR, Configuration
from helpers.provenance import inputs
from helpers.provenance.site_index import write_index

PUBLIC = ("quarter,indicator,label,dimension,category,value\n#date,#indicator,#name,#dim,#cat,#value\n"
          "2022Q4,people_reached,People reached,total,all,{n}\n2022Q4,provinces_covered,Provinces,total,all,14\n"
          "2022Q4,people_reached_year_to_date,People reached this year,total,all,465166\n")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """An index of one quarter with its current report and version 1, both with HTML, PDF and public data."""
    root = tmp_path_factory.mktemp("index")
    reports, processed = root / "reports", root / "processed"
    for folder, n in [("2022Q4", 67509), ("2022Q4.versions/v1", 67389)]:
        (reports / folder).mkdir(parents=True)
        (reports / folder / "refugee-response-2022Q4-indicators.csv").write_text(PUBLIC.format(n=n))
        for suffix in ("", ".tr"):
            for kind in ("html", "pdf"):
                (reports / folder / f"refugee-response-2022Q4{suffix}.{kind}").write_text("report")
    (processed / "2022Q4" / "audit").mkdir(parents=True)
    (processed / "2022Q4" / "audit" / "run.json").write_text(
        json.dumps({"run_at": "2023-02-03T10:00:00+00:00", "run_id": "b"}))
    (processed / "2022Q4.versions" / "v1").mkdir(parents=True)
    (processed / "2022Q4.versions" / "v1" / "manifest.json").write_text(json.dumps(
        {"quarter": "2022Q4", "version": 1, "published_at": "2023-01-10T09:00:00+00:00", "run_id": "a",
         "outputs": {"report": inputs.hashes(reports / "2022Q4.versions" / "v1")}}))
    return write_index(reports, processed, Configuration(CONFIG_DIR))[0]


def _table_roles(page) -> dict[str, int]:
    """How many nodes of each table role Chromium's accessibility tree holds (what a screen reader is given)."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    roles = [node.get("role", {}).get("value") for node in nodes if not node.get("ignored")]
    return {role: roles.count(role) for role in ("table", "row", "columnheader", "rowheader", "cell")}


def test_on_a_phone_each_report_is_a_block_with_its_figures_named_and_nothing_scrolls_sideways(index, browser):
    page = browser.new_page(viewport={"width": 375, "height": 812})
    for edition in (index.with_suffix(".tr.html"), index):  # Turkish words are longer; nothing is cut off
        page.goto(edition.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.eval_on_selector(".table-scroll", "b => b.scrollWidth <= b.clientWidth")  # no sideways scroll
        cut = page.eval_on_selector_all("table.reports td, table.reports td *", "els => els.filter(e => "
                                        "e.getBoundingClientRect().right > 375).map(e => e.textContent)")
        assert cut == [], edition.name
    shown = page.eval_on_selector_all(  # what a sighted reader sees in each cell of the first report: name, value
        "table.reports tbody tr:first-child td", "tds => tds.map(td => [getComputedStyle(td, '::before').content, "
        "td.innerText.trim(), Math.round(td.getBoundingClientRect().height)])")
    # each name is drawn, with empty alternative text: a screen reader hears the column header instead, once
    assert [(name, value) for name, value, _ in shown[:4]] == [
        ('"Date" / ""', "3 February 2023"), ('"People reached" / ""', "67,509"),
        ('"Provinces covered" / ""', "14"), ('"People reached this year" / ""', "465,166")]
    assert shown[-1][0] == '"Files" / ""' and shown[-1][1].startswith("HTML · PDF · Türkçe HTML")
    assert all(height < 80 for *_, height in shown), shown  # each pair on a line or two, not a column of words
    assert page.locator("table.reports thead").bounding_box()["height"] <= 1  # the header row is for screen readers
    roles = _table_roles(page)
    assert roles["table"] == 1 and roles["row"] == 3 and roles["rowheader"] == 2, roles
    assert roles["columnheader"] == 8 and roles["cell"] == 2 * 7, roles  # date, five figures and files per report
    page.close()


def test_on_a_screen_the_reports_are_rows_of_one_table_under_their_headers(index, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(index.as_uri())
    tops = page.eval_on_selector_all("table.reports tbody tr:first-child > *",
                                     "cells => cells.map(c => Math.round(c.getBoundingClientRect().top))")
    assert len(tops) == 8 and len(set(tops)) == 1  # one row, side by side
    assert page.locator("table.reports thead").bounding_box()["height"] > 20
    assert _table_roles(page)["columnheader"] == 8
    page.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_nothing_serious_on_the_index_as_blocks_or_as_a_table(index, browser, width):
    assert axe_findings(browser, index.as_uri(), width) == []
