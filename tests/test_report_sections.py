"""The report's sections come from config/report.yml: the notebook starts each by its id, the report prints
them in config's order, and a section with no cells in the notebook is printed from config alone."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import CFG, edit

from helpers.config import Configuration
from helpers.errors import SectionOrderError, UnknownLookupError
from helpers.paths import Quarter
from helpers.publication import report as report_module
from helpers.publication.language import use
from helpers.publication.report import DRAFT_SECTION, Report

TOTALS = {"people_reached": 67389.0, "provinces_covered": 14.0, "people_reached_year_to_date": 465166.0,
          "people_reached_since_start": 3454382.0, "services_delivered": 90000.0, "institutions_supported": 12.0}
INDICATORS = pd.DataFrame(
    [("2022Q4", indicator, "total", "all", v) for indicator, v in TOTALS.items()]
    + [("2022Q4", "people_reached", "sector", "Protection", 35293.0)],
    columns=["quarter", "indicator", "dimension", "category", "value"])


@pytest.fixture
def page(monkeypatch):
    """What the report displays, as one HTML page (every display is an HTML output)."""
    shown = []
    monkeypatch.setattr(report_module, "display", lambda *outputs: shown.extend(o.data for o in outputs))
    return lambda: BeautifulSoup("".join(shown), "html.parser")


def report(tmp_path, narrative: str | None, cfg: Configuration = CFG) -> Report:
    """The report of ``INDICATORS`` made with ``cfg``, in its source language, with ``narrative`` (None: a draft)."""
    r = Report(Quarter.parse("2022Q4"), INDICATORS, {}, pd.DataFrame(), cfg, language=use("en", cfg))
    if narrative is not None:
        (tmp_path / "2022Q4.md").write_text(narrative, encoding="utf-8")
    r.narrative(tmp_path)
    return r


def test_a_section_prints_its_heading_and_returns_its_narrative(tmp_path, page):
    r = report(tmp_path, "Opening text.\n\n## Protection\n\nProtection text.\n")
    assert r.section("overview") == "Opening text."  # the text before the first heading; no heading printed
    assert r.section("sectors") == ""  # a section without narrative text
    assert r.number("people_reached") == "67,389"
    assert r.section("where") == ""  # a section whose text the narrative does not give
    assert r.section("protection") == "Protection text."
    assert [h.get_text() for h in page().find_all("h2")] == ["People reached by sector", "Where the programme worked",
                                                             "Protection"]
    assert r.traced[-1]["section"] == "People reached by sector"  # Annex B groups numbers by section title


def test_the_overview_tiles_are_the_headline_figures_of_config(tmp_path, page):
    tiles = BeautifulSoup(report(tmp_path, "Text.").headline().data, "html.parser")
    labels = [label.get_text(strip=True) for label in tiles.select(".label")]
    values = [value.get_text(strip=True) for value in tiles.select(".value")]
    assert labels == ["people reached in October–December 2022", "provinces", "people reached in 2022",
                      "people reached since the programme started"]  # tile: false figures are the index's only
    assert values == ["67,389", "14", "465,166", "3,454,382"]


def test_an_unknown_section_is_refused_naming_the_nearest(tmp_path, page):
    with pytest.raises(UnknownLookupError, match=r"'protecton' is not a section of config/report\.yml; "
                                                 r"nearest: protection"):
        report(tmp_path, None).section("protecton")


def test_sections_started_out_of_config_order_or_twice_are_refused(tmp_path, page):
    r = report(tmp_path, None)
    r.section("protection")
    with pytest.raises(SectionOrderError, match="section 'where' started after 'protection'"):
        r.section("where")
    with pytest.raises(SectionOrderError, match="section 'protection' started after 'protection'"):
        r.section("protection")


def test_text_sections_are_printed_in_config_order_also_after_the_last_notebook_section(config_copy, tmp_path,
                                                                                         page):
    edit(config_copy / "report.yml", "  - {id: donors,", "  - {id: partners, title: Partners, narrative: true}\n"
         "  - {id: donors,")
    edit(config_copy / "report.yml", "\nheadline_figures:\n", "  - {id: thanks, title: Thanks, figures: [{indicator: "
         "institutions_supported, label: \"institutions in {year}\"}]}\n\nheadline_figures:\n")
    r = report(tmp_path, "Opening.\n\n## Partners\n\nWe thank {{ institutions_supported.total }} partners.\n",
               Configuration(config_copy))
    r.section("innovation_lab")
    r.section("trend")
    r.section("annex_b")
    r.end()
    soup = page()
    assert [h.get_text() for h in soup.find_all("h2")] == [
        "People reached by sector", "Where the programme worked", "Protection",
        "Community centres", "Basic needs", "Community stabilization and livelihoods", "Innovation lab",
        "Partners", "Donors", "Trend over quarters", "Who was reached", "Counting people reached",
        "Annex A: data quality", "Annex B: figures and their definitions", "Thanks"]
    partners = soup.find("h2", string="Partners")
    assert partners.find_next("p").get_text() == "We thank 12 partners."
    thanks = soup.find("h2", string="Thanks").find_next(class_="tile").get_text(" ", strip=True)
    assert thanks == "12 institutions in 2022"
    assert ("Thanks", "institutions_supported") in {(t["section"], t["indicator"]) for t in r.traced}


def test_in_a_draft_a_text_section_says_its_text_is_still_to_be_written(config_copy, tmp_path, page):
    edit(config_copy / "report.yml", "  - {id: donors,", "  - {id: partners, title: Partners, narrative: true}\n"
         "  - {id: donors,")
    r = report(tmp_path, None, Configuration(config_copy))  # no narrative file: a draft
    assert "No narrative has been written" in r.section("overview")
    r.section("donors")
    partners = page().find("h2", string="Partners")
    assert partners.find_next("p").get_text() == DRAFT_SECTION.strip("*")


def test_a_section_with_nothing_to_show_is_left_out_headings_contents_and_all(tmp_path, page):
    """A quarter with no items, no photo and no text for a section: the page keeps no heading over nothing (the
    PDF is made from the same page, its bookmarks from its headings)."""
    from helpers.publication.render import add_toc, flatten_cells

    r = report(tmp_path, "Opening text.\n\n## Protection\n\nProtection text.\n")
    r.section("overview")
    r.section("sectors")
    report_module.display(r.tiles([(r.fmt(v), s) for s, v in r.series("people_reached", "sector").items()]))
    r.show(r.section("where"))  # no text in the narrative
    r.section("protection")
    r.show("Protection text.")
    r.show(r.section("basic_needs"))  # no text, no items, no households
    report_module.display(r.tiles([(r.fmt(v), "distributed") for v in r.series("items_distributed", "item")]))
    report_module.display(r.crosstable("activity", [("households_reached", "Households")], "Household assistance"))
    r.chart(report_module.figures.bar_chart(r.series("people_reached", "activity"), "By activity", "People", "S"))
    r.end()  # the text sections after: none has text
    shown = page()
    basic_needs = str(shown).split("<h2>Basic needs</h2>")[1]
    assert "<table" not in basic_needs and "tile" not in basic_needs  # nothing displayed for no rows, no items
    body = f"<html><body><nav class='toc'></nav><main>{shown}</main></body></html>"
    kept = BeautifulSoup(add_toc(flatten_cells(body)), "html.parser")
    assert [h.get_text(strip=True).rstrip("¶") for h in kept.select("main h2")] == ["People reached by sector",
                                                                                  "Protection"]
    assert [a.get_text() for a in kept.select("nav.toc a")] == ["People reached by sector", "Protection"]
