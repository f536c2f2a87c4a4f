"""reports/index.html from folders alone: only quarters listed, everything escaped, links only to files there."""

import json

from bs4 import BeautifulSoup
from conftest import edit

from helpers.config import CONFIG_DIR, Configuration
from helpers.paths import Quarter
from helpers.provenance import inputs
from helpers.provenance.site_index import index_html, quarters, write_index
from helpers.publication.language import using

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

PUBLIC = ("quarter,indicator,label,dimension,category,value\n#date,#indicator,#name,#dim,#cat,#value\n"
          "{q},people_reached,People reached,total,all,{n}\n{q},provinces_covered,Provinces,total,all,3\n")


def test_the_index_lists_quarters_only_escapes_and_links_existing_files(tmp_path):
    reports, processed = tmp_path / "reports", tmp_path / "processed"
    for folder, n in [("2022Q4", 67389), ("2022Q4.versions/v1", 67000)]:
        (reports / folder).mkdir(parents=True)
        (reports / folder / "refugee-response-2022Q4-indicators.csv").write_text(PUBLIC.format(q="2022Q4", n=n))
        (reports / folder / "refugee-response-2022Q4.html").write_text("<p>report</p>")
    for folder in ("2022Q4/audit", "2022Q4.versions/v1"):  # the audit trail: outside the served folder
        (processed / folder).mkdir(parents=True)
    (processed / "2022Q4" / "audit" / "run.json").write_text(
        json.dumps({"run_at": "2023-02-03T10:00:00+00:00", "run_id": "b"}))
    (processed / "2022Q4.versions" / "v1" / "manifest.json").write_text(json.dumps(
        {"quarter": "2022Q4", "version": 1, "published_at": "2023-01-10T09:00:00+00:00", "run_id": "a",
         "outputs": {"report": inputs.hashes(reports / "2022Q4.versions" / "v1")}}))
    (reports / "<img src=x onerror=alert(1)>").mkdir()  # not a quarter: not listed
    assert quarters(reports) == [Quarter.parse("2022Q4")]
    page = index_html(reports, processed, CFG)
    soup = BeautifulSoup(page, "html.parser")
    assert "onerror" not in page and not soup.find_all(["script", "img", "link"])
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all(["th", "td"])] for tr in soup.select("tbody tr")]
    assert rows[0][:3] == ["current report (revises version 1)", "3 February 2023", "67,389"]
    assert rows[1][:3] == ["version 1", "10 January 2023", "67,000"]
    hrefs = [a["href"] for a in soup.select("main a")]
    assert hrefs == ["2022Q4/refugee-response-2022Q4.html", "2022Q4/refugee-response-2022Q4-indicators.csv",
                     "2022Q4.versions/v1/refugee-response-2022Q4.html",
                     "2022Q4.versions/v1/refugee-response-2022Q4-indicators.csv"]  # no PDF here: no link to one


def test_the_index_columns_are_the_report_headline_figures(config_copy, tmp_path):
    (tmp_path / "2022Q4").mkdir()
    (tmp_path / "2022Q4" / "refugee-response-2022Q4-indicators.csv").write_text(PUBLIC.format(q="2022Q4", n=67389))

    def columns() -> list[str]:
        page = index_html(tmp_path, tmp_path / "processed", Configuration(config_copy))  # as edited now
        return [th.get_text() for th in BeautifulSoup(page,
                                                      "html.parser").select("thead th")]

    assert columns() == ["Report", "Date", "People reached", "Provinces covered", "People reached this year",
                         "People reached since the programme started", "Unique registered individuals since the start",
                         "Files"]
    edit(config_copy / "report.yml", "  - {indicator: provinces_covered, label: provinces}\n", "")
    assert "Provinces covered" not in columns()


def test_turkish_readers_have_their_own_index_linked_from_the_english_one_and_back(tmp_path):
    """index.tr.html: every word from the catalogue, Turkish formats, the Turkish edition first; each page links
    to the other, in the other's language."""
    from english import english_in

    reports, processed = tmp_path / "reports", tmp_path / "processed"
    (reports / "2022Q4").mkdir(parents=True)
    (reports / "2022Q4" / "refugee-response-2022Q4-indicators.csv").write_text(PUBLIC.format(q="2022Q4", n=67389))
    for suffix in ("", ".tr"):
        for kind in ("html", "pdf"):
            (reports / "2022Q4" / f"refugee-response-2022Q4{suffix}.{kind}").write_text("report")
    (processed / "2022Q4" / "audit").mkdir(parents=True)
    (processed / "2022Q4" / "audit" / "run.json").write_text(json.dumps({"run_at": "2026-12-07T06:00:00+00:00"}))
    english, turkish = write_index(reports, processed, CFG)
    assert (english.name, turkish.name) == ("index.html", "index.tr.html")
    en = BeautifulSoup(english.read_text(encoding="utf-8"), "html.parser")
    tr = BeautifulSoup(turkish.read_text(encoding="utf-8"), "html.parser")
    assert (en.html["lang"], tr.html["lang"], tr.html["dir"]) == ("en", "tr", "ltr")
    to_tr, to_en = en.select_one("header nav a"), tr.select_one("header nav a")
    assert (to_tr["href"], to_tr["lang"], to_tr.get_text()) == ("index.tr.html", "tr", "Türkçe")
    assert (to_en["href"], to_en["lang"], to_en.get_text()) == ("index.html", "en", "English")
    row = [cell.get_text(" ", strip=True) for cell in tr.select("tbody tr")[0].find_all(["th", "td"])]
    assert row[:3] == ["güncel rapor (yayımlanmadı)", "7 Aralık 2026", "67.389"]
    assert [a["href"] for a in tr.select("main a")][:2] == ["2022Q4/refugee-response-2022Q4.tr.html",
                                                            "2022Q4/refugee-response-2022Q4.tr.pdf"]
    english_links = tr.select("main a[lang='en']")
    assert [a.get_text() for a in english_links] == ["English HTML", "English PDF"]
    assert "Ekim–Aralık 2022" in tr.get_text()
    assert tr.find("main") and tr.find("header")  # landmarks, as on the English page
    text = " ".join(tr.get_text(" ").split())
    for link in english_links:  # English only where a link says it leads to the English edition
        text = text.replace(link.get_text(), " ")
    assert english_in(text) == []
    with using("tr", CFG):
        assert index_html(reports, processed, CFG) == turkish.read_text(encoding="utf-8")


def test_a_headline_figure_some_records_do_not_report_is_shown_as_the_report_shows_it(config_copy, tmp_path):
    """A sum configured as a headline figure (lira transferred) that some records do not report is "at least" its
    partial sum, one that no record reports is "not reported": never a bare number that reads as complete, nor 0."""
    edit(config_copy / "report.yml", "  - {indicator: unique_individuals_since_start, tile: false}\n",
         "  - {indicator: unique_individuals_since_start, tile: false}\n"
         "  - {indicator: cash_transferred_try, tile: false}\n")
    for q, cash in [("2022Q4", "1200,lower_bound"), ("2022Q3", ",not_reported")]:
        (tmp_path / q).mkdir()
        (tmp_path / q / f"refugee-response-{q}-indicators.csv").write_text(
            "quarter,indicator,dimension,category,value,completeness\n#date,#indicator,#dim,#cat,#value,#meta\n"
            f"{q},people_reached,total,all,67389,complete\n{q},cash_transferred_try,total,all,{cash}\n")
    cfg = Configuration(config_copy)
    for language, expected in [("en", [["67,389", "at least 1,200"], ["67,389", "not reported"]]),
                               ("tr", [["67.389", "en az 1.200"], ["67.389", "bildirilmedi"]])]:
        with using(language, cfg):
            page = BeautifulSoup(index_html(tmp_path, tmp_path / "processed", cfg), "html.parser")
        rows = [[td.get_text() for td in tr.select("td.num")] for tr in page.select("tbody tr")]
        assert [[row[0], row[-1]] for row in rows] == expected  # 2022Q4, then 2022Q3
