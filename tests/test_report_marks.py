"""The report's marks (<5, x, not reported): each explained in words where it first appears, once, in every
edition, whether a table, a tile or the narrative's text shows it first."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from helpers.config import CONFIG_DIR, Configuration
from helpers.paths import Quarter
from helpers.publication import report as report_module
from helpers.publication.language import using
from helpers.publication.report import Report, marks_in

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

INDICATORS = pd.DataFrame(
    [("2022Q4", "people_reached", "total", "all", 67389.0), ("2022Q4", "cash_transferred_try", "total", "all", 0.0),
     ("2022Q4", "provinces_covered", "total", "all", 14.0)]
    + [("2022Q4", "people_reached", "centre", centre, v) for centre, v in [("Adana MMCC", 690.0), ("Hatay", 3.0)]]
    + [("2022Q4", "services_delivered", "centre", centre, v) for centre, v in [("Adana MMCC", 1150.0),
                                                                                ("Hatay", 2.0)]],
    columns=["quarter", "indicator", "dimension", "category", "value"])
# The cleaning's account: no kept record of cash assistance gives its amount (helpers.clean.measures)
QUALITY = {"not_reported": [{"column": "amount_try", "activities": ["BN_CASH"], "rows": 12, "rows_reported": 0,
                             "figures": [{"indicator": "cash_transferred_try", "label": "Cash transferred (TRY)"}],
                             "files": {}, "files_without_column": []}]}
NOT_REPORTED_NOTE = "not reported: the records this figure adds up do not give its amount or quantity"


@pytest.fixture
def page(monkeypatch):
    """What the report displays, in order, as one HTML page."""
    shown = []
    monkeypatch.setattr(report_module, "display", lambda *outputs: shown.extend(o.data for o in outputs))
    return lambda: BeautifulSoup("".join(shown), "html.parser")


def notes(soup) -> list[str]:
    return [p.get_text() for p in soup.select("p.marks")]


def test_not_reported_is_a_mark_explained_under_the_tile_that_first_shows_it(page):
    r = Report(Quarter.parse("2022Q4"), INDICATORS, QUALITY, pd.DataFrame(), cfg=CFG)
    tiles = r.tiles([(r.number("cash_transferred_try"), "TRY transferred"), (r.number("people_reached"), "people")])
    explained = BeautifulSoup(tiles.data, "html.parser")
    assert explained.select_one(".tile .value").get_text() == "not reported"  # never 0
    assert [note.startswith(NOT_REPORTED_NOTE) for note in notes(explained)] == [True]
    again = r.tiles([(r.number("cash_transferred_try"), "TRY transferred")])
    assert notes(BeautifulSoup(again.data, "html.parser")) == []  # once: where it first appears


def test_small_and_withheld_values_are_explained_under_their_first_table_only():
    r = Report(Quarter.parse("2022Q4"), INDICATORS, QUALITY, pd.DataFrame(), cfg=CFG)
    table = BeautifulSoup(r.crosstable("centre", [("people_reached", "People"), ("services_delivered", "Services")],
                                       "Centre").data, "html.parser")
    cells = [td.get_text() for td in table.select("td.num")]
    assert "<5" in cells
    assert [note.split(":")[0] for note in notes(table)] == ["<5"] + (["x"] if "x" in cells else [])
    later = r.crosstable("centre", [("people_reached", "People")], "Centre").data
    assert "<5" in later and notes(BeautifulSoup(later, "html.parser")) == []


def test_a_section_figure_tile_explains_its_mark_too(config_copy, page):
    """Tiles config gives a section (and the Overview's headline tiles) go through the same explanation."""
    from conftest import edit

    edit(config_copy / "report.yml", "  - {id: sectors, title: People reached by sector}",
         "  - {id: sectors, title: People reached by sector, figures: [{indicator: cash_transferred_try, "
         "label: TRY transferred}]}")
    cfg = Configuration(config_copy)
    with using("en", cfg):
        r = Report(Quarter.parse("2022Q4"), INDICATORS, QUALITY, pd.DataFrame(), cfg=cfg)
        r.narrative(config_copy)  # no narrative there: a draft
        r.section("sectors")
    assert [note.startswith(NOT_REPORTED_NOTE) for note in notes(page())] == [True]


def test_a_mark_in_the_narrative_text_is_explained_after_its_section_text(tmp_path, page):
    (tmp_path / "2022Q4.md").write_text("We transferred {{ cash_transferred_try.total }} TRY to families.\n",
                                        encoding="utf-8")
    r = Report(Quarter.parse("2022Q4"), INDICATORS, QUALITY, pd.DataFrame(), cfg=CFG)
    r.show(r.narrative(tmp_path).get(""))
    soup = page()
    assert "We transferred not reported TRY" in soup.get_text()
    assert [note.startswith(NOT_REPORTED_NOTE) for note in notes(soup)] == [True]


def test_the_turkish_edition_explains_its_own_mark_in_turkish(page):
    with using("tr", CFG):
        r = Report(Quarter.parse("2022Q4"), INDICATORS, QUALITY, pd.DataFrame(), cfg=CFG)
        tiles = BeautifulSoup(r.tiles([(r.number("cash_transferred_try"), "TL")]).data, "html.parser")
    assert tiles.select_one(".tile .value").get_text() == "bildirilmedi"
    assert [note.split(":")[0] for note in notes(tiles)] == ["bildirilmedi"]
    assert "sıfır değil" in notes(tiles)[0]


@pytest.mark.parametrize(("text", "found"), [
    ("Reached <5 people in Kilis.", ["<5"]), ("Withheld (x) here.", ["x"]), ("Cash: not reported.", ["not reported"]),
    ("An x-ray, a box, 6x3 and <50 people.", []), ("Nothing is not reportedly wrong.", [])])
def test_marks_are_found_in_text_only_as_words_of_their_own(text, found):
    assert marks_in(text) == found
