"""What a reader outside the programme sees in the report: labels, not codes; Annex A by source type with the
per-file table published beside it; Annex B by section; the programme's identity; donors in one order."""

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import CFG

from helpers.paths import Quarter, sources_name
from helpers.publication.labels import category_label, dimension_name

pytestmark = pytest.mark.slow

CODES = re.compile(r"\b(PROT|EDU|BN|LIV|HEA|CAP)_[A-Z_]+\b|activity\+|sex\+|history\.csv"
                   r"|\.xlsx\b|\byedek\b|\bPRU/|\bRSU/")


@pytest.fixture(scope="module")
def sample(sample_run):
    result = sample_run[1]
    return result, BeautifulSoup(result.html.read_text(encoding="utf-8"), "html.parser")


def section(soup: BeautifulSoup, title: str) -> str:
    """The text of one section of the report, from its heading to the next."""
    heading = next(h for h in soup.select("main h2") if h.get_text().strip().startswith(title))
    parts = []
    for node in heading.find_all_next():
        if node.name == "h2":
            break
        if node.name in ("p", "td", "th", "li", "summary", "div") and not node.find(["p", "td", "div"]):
            parts.append(node.get_text(" ", strip=True))
    return "\n".join(parts)


def test_reader_sees_labels_not_internal_codes(sample):
    _, soup = sample
    main = soup.find("main").get_text(" ")
    assert not CODES.search(main), CODES.search(main)
    cells = [td.get_text(strip=True) for td in soup.select("main td, main th")]
    assert "unknown" not in cells and "Unknown" in cells
    assert "Psychosocial support" in main and "Non-formal education · Specific-needs education support" in main


def test_annex_a_sums_up_by_source_type_and_links_the_per_file_table(sample):
    result, soup = sample
    annex = section(soup, "Annex A")
    table = next(t for t in soup.select("table.sources"))
    rows = [[c.get_text(strip=True) for c in tr.find_all(["td", "th"])] for tr in table.select("tbody tr")]
    assert len(rows) <= 6  # a summary, not a file list
    assert rows[-1][0] == "Total" and rows[-1][4] == "50,908"  # rows kept
    assert {row[0] for row in rows[:-1]} == {"Protection and Resilience Unit, Excel workbooks",
                                             "Protection and Resilience Unit, CSV exports",
                                             "Recovery and Stabilization Unit, Excel workbooks",
                                             "Recovery and Stabilization Unit, CSV exports"}
    link = soup.find("a", href=sources_name(Quarter.parse("2022Q4")))
    assert link is not None and sources_name(Quarter.parse("2022Q4")) in annex
    assert "Files that could not be read" not in annex  # the sample reads every file
    sources = pd.read_csv(result.report_dir / sources_name(Quarter.parse("2022Q4")), dtype=str)
    assert len(sources) == 57  # one row per source table, named by a neutral label, never by its file name
    assert sources["source"].str.fullmatch(r"(Protection and Resilience|Recovery and Stabilization) Unit, "
                                           r"file \d+(, sheet \d+)?").all()
    counts = sources.drop(columns="source").stack()
    assert counts.isin(["0", "<5"]).any() and (counts.isin(["0", "<5"]) | counts.str.fullmatch(r"\d*[05]")).all()
    kept = sources["rows_kept"].replace("<5", "2").astype(int).sum()  # rounded: near the exact total, not it
    assert abs(kept - 50908) <= 2 * len(sources)


def test_annex_b_lists_figures_by_section_in_words(sample):
    _, soup = sample
    table = soup.select_one("table.annex")
    assert table.find_parent("details", class_="screen-only") is not None  # folded on screen, not on paper
    groups = [th.get_text(strip=True) for th in table.select("tr.group th")]
    toc = [a.get_text(strip=True) for a in soup.select("nav.toc a")]
    assert groups[0] == "Overview" and groups[-1] == "Numbers in the text" and set(groups[1:-1]) <= set(toc)
    assert len(table.select("tbody tr")) < 80  # one line per indicator and breakdown, not one per number
    lines = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.select("tbody tr:not(.group)")]
    assert ["People reached", "By province", "14 figures"] in lines
    assert ["People reached", "By quarter", "8 figures"] in lines
    every = soup.select("details.every-figure tbody tr")
    assert len(every) > len(lines)  # the full trace folds out on screen


def test_labels_for_breakdowns_and_categories():
    assert dimension_name("activity+province") == "activity and province"
    assert category_label("activity+province", "EDU_LANGUAGE | Ankara") == "Language courses · Ankara"
    assert category_label("sex+age_group", "unknown | 18-59") == "Unknown · 18-59 years"
    assert category_label("population_group", "refugee/migrant") == "Refugee/migrant"
    assert category_label("centre", "adana MMCC") == "adana MMCC"  # free text stays as recorded


def test_identity_from_config_and_donors_in_the_narratives_order(sample):
    _, soup = sample
    programme = CFG.load("programme")
    block = soup.select_one(".title-block")
    assert programme["organisation"] in block.get_text()
    assert block.select_one("img.logo")["src"].startswith("data:image/svg+xml;base64,")
    assert re.search(r"Published \d{1,2} [A-Z][a-z]+ \d{4}", block.get_text())
    about = soup.select_one("footer.about").get_text(" ")
    assert programme["contact"]["email"] in about and programme["disclaimer"][:60] in " ".join(about.split())
    thanked = [(li.get_text(strip=True), li.img["alt"]) for li in soup.select("footer.about ul.donors li")]
    assert thanked == [(d["name"], f"Logo of {d['name']}") for d in programme["donors"]]  # by name, with logo
    assert all(li.img["src"].startswith("data:image/svg+xml;base64,") for li in soup.select("footer ul.donors li"))
    activities = {row.th.get_text(): row.td.get_text() for row in soup.select("table.activities tbody tr")}
    assert activities["Protection"].startswith("Case management, Conflict management, Legal assistance")
    assert list(activities) == [s for s in CFG.sectors()]
    donors = [t.get_text() for t in soup.select(".tiles.donors .label")]
    assert donors == sorted(donors) and len(donors) == 3
    text = section(soup, "Donors")
    mentioned = sorted(("Donor A", "Donor B", "Donor C"), key=text.index)
    assert [d for d in mentioned] == [re.search(r"Donor [A-Z]", label).group() for label in donors]


def test_the_sample_shows_its_photo_with_caption_and_credit_and_its_story_and_highlight_boxes(sample):
    """What a donor finds of the seed publication's editorial content, in the rendered sample."""
    _, soup = sample
    photo, = soup.select("main figure.photo")
    assert photo.img["src"].startswith("data:image/jpeg;base64,") and photo.img["alt"].startswith("A drawing of")
    assert photo.figcaption.get_text(" ", strip=True) == ("The FabLab's workbench: printing, design and sewing side "
                                                          "by side. Illustration: generated for this sample (CC0)")
    assert photo.find_previous("h2").get_text(strip=True).startswith("Innovation lab")
    boxes = {box["class"][1]: box.get_text(" ", strip=True) for box in soup.select("main blockquote.box")}
    assert boxes["story"].startswith("Story A first prototype.")
    assert boxes["highlight"].startswith("Highlight 16 Days of Activism")
