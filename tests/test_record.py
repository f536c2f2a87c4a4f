"""The record over time on the fixture quarter: run → publish → a late file → revised run → publish → an edited
narrative reuses the data. Three pipeline runs in all, shared by every test of the module."""

import json
import os
import shutil
import stat
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from helpers.config import Configuration
from helpers.csvfile import read_csv
from helpers.measure.disclosure import COMPLEMENTARY, COMPLEMENTARY_MARK, fmt, published_versions, suppression
from helpers.paths import CONFIG_DIR, Quarter
from helpers.pipeline import PipelineError, run_quarter
from helpers.provenance import inputs
from helpers.provenance.revisions import PRINTED, breakdown
from helpers.publish import publish

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

pytestmark = pytest.mark.slow  # three pipeline runs and a browser

KEY = "fixture key, not a secret"
# Six people the field team logged late: new case ids, all Protection case management in Adana.
LATE = "service_date,province,district,site,activity_code,case_id,full_name,phone,gender,age,nationality,donor\n" + \
    "".join(f"2022-11-{10 + i},Adana,Seyhan,,PROT_CASE_MGMT,TR-ADA-09{i},Late Person {i},,F,30,Syrian,Donor A\n"
            for i in range(6))


PHOTO = '![Volunteers around a table](2022Q4/late-cases-workshop.jpg "A workshop in Adana. Photo: the field team")'


def _picture(colour: str, path: Path) -> None:
    Image.new("RGB", (40, 30), colour).save(path, format="JPEG")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _indicators(path: Path) -> pd.DataFrame:
    return read_csv(path, dtype={"category": "string", "quarter": "string"}, keep_default_na=False)


@pytest.fixture(scope="module")
def record(tmp_path_factory, fixture_raw):
    root = tmp_path_factory.mktemp("record")
    shutil.copytree(fixture_raw, root / "raw")
    folders = (root / "raw", root / "processed", root / "reports")
    narratives = root / "narratives"
    narratives.mkdir()
    out = {"root": root}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PSEUDONYMISATION_KEY", KEY)
        kw = {"progress": False, "parameters": {"narratives_dir": str(narratives)}}
        out["first"] = run_quarter("2022Q4", *folders, **kw)
        with pytest.raises(PipelineError, match=r"2022Q4 is a draft, without the narrative of the edition\(s\) "
                                                 r"English \(2022Q4.md\), Türkçe \(2022Q4.tr.md\)"):
            publish("2022Q4", *folders)
        out["v1"] = publish("2022Q4", *folders, draft=True)  # a first version before the narrative, on purpose
        out["v1_files"] = _snapshot(out["v1"].folder)
        out["v1_indicators"] = _indicators(root / "processed" / "2022Q4" / "indicators.csv")
        with pytest.raises(PipelineError, match="already published as version 1"):
            publish("2022Q4", *folders)
        (root / "raw" / "2022Q4" / "PRU" / "late-cases.csv").write_text(LATE, encoding="utf-8")
        published = root / "raw" / "published-totals.csv"  # and a corrected total of an earlier quarter
        published.write_text(published.read_text(encoding="utf-8").replace("2022Q3,140000", "2022Q3,140500"),
                             encoding="utf-8")
        with pytest.raises(PipelineError, match=r"changed since its report was made \(added: PRU/late-cases.csv; "
                                                 r"changed: published-totals.csv\)"):
            publish("2022Q4", *folders)
        (narratives / "2022Q4").mkdir()  # a photo in the narrative from version 2 on; replaced after it
        _picture("navy", narratives / "2022Q4" / "late-cases-workshop.jpg")
        (narratives / "2022Q4.md").write_text(f"The late cases were added.\n\n{PHOTO}\n", encoding="utf-8")
        out["revised"] = run_quarter("2022Q4", *folders, **kw)
        out["revised_history"] = pd.read_csv(root / "processed" / "history.csv", dtype=str, keep_default_na=False)
        out["revised_html"] = out["revised"].html.read_text(encoding="utf-8")
        out["v2"] = publish("2022Q4", *folders, draft=True)  # the Turkish narrative is not written yet
        _picture("orange", narratives / "2022Q4" / "late-cases-workshop.jpg")  # the same caption
        (narratives / "2022Q4.md").write_text("The late cases were added: {{ people_reached.total }} people, "
                                              "{{ new_individuals.total }} of them registered.\n\n"
                                              f"{PHOTO}\n", encoding="utf-8")
        out["edited"] = run_quarter("2022Q4", *folders, **kw)
    return out


def test_a_published_version_is_read_only_with_a_manifest_of_inputs_and_outputs(record, fixture_raw):
    version, root = record["v1"], record["root"]
    assert version.number == 1 and version.folder == root / "reports" / "2022Q4.versions" / "v1"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(version.folder.stat().st_mode) == 0o555 & ~mask
    assert {stat.S_IMODE(p.stat().st_mode) for p in version.folder.iterdir()} == {0o444 & ~mask}
    manifest = version.manifest
    for name, digest in manifest["outputs"]["report"].items():  # every output as frozen
        assert inputs.sha256(version.folder / name) == digest
    assert set(manifest["outputs"]["report"]) == set(record["v1_files"])  # the manifest: in the audit only
    assert {"refugee-response-2022Q4.tr.html", "refugee-response-2022Q4.tr.pdf",  # both editions frozen
            "printed-figures.tr.csv"} <= set(manifest["outputs"]["report"])
    assert (version.audit / "manifest.json").is_file() and (version.audit / "run.log").is_file()
    assert version.audit == root / "processed" / "2022Q4.versions" / "v1"
    assert {"01_clean.ipynb", "run.json"} <= set(manifest["outputs"]["audit"])
    assert {"indicators.csv", "records.parquet", "quality.json"} <= set(manifest["outputs"]["processed"])
    raw = manifest["inputs"]["raw"]
    assert "PRU/case-management.csv" in raw and "PRU/late-cases.csv" not in raw
    assert raw["PRU/case-management.csv"] == inputs.sha256(root / "raw" / "2022Q4" / "PRU" / "case-management.csv")
    assert manifest["inputs"]["published_totals"] == {  # as they were then (corrected since)
        "published-totals.csv": inputs.sha256(fixture_raw / "published-totals.csv")}
    assert "indicators.yml" in manifest["inputs"]["config"] and "helpers/pipeline.py" in manifest["inputs"]["code"]
    assert manifest["packages"]["pandas"] and manifest["code_commit"] and len(manifest["key_fingerprint"]) == 16
    assert (manifest["drafts"], record["v2"].manifest["drafts"]) == (["en", "tr"], ["tr"])  # published as drafts
    assert not any(KEY.encode() in content for content in record["v1_files"].values())  # never the key


def test_a_published_version_stays_byte_identical_through_later_runs(record):
    assert _snapshot(record["v1"].folder) == record["v1_files"]
    assert sorted(p.name for p in record["v1"].folder.parent.iterdir()) == ["v1", "v2"]


def _revision_table(page: str) -> dict[tuple[str, str], tuple[str, str]]:
    table = BeautifulSoup(page, "html.parser").select_one("table.revisions")
    return {(cells[0], cells[1]): (cells[2], cells[3]) for cells in
            ([td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.select("tbody tr"))}


def test_the_revised_report_lists_every_printed_figure_that_changed(record):
    page, root = record["revised_html"], record["root"]
    text = BeautifulSoup(page, "html.parser").get_text(" ", strip=True)
    assert "replaces version 1 of" in text and "Revised" in text
    rows = _revision_table(page)
    old, new = record["v1_indicators"], _indicators(root / "processed" / "2022Q4" / "indicators.csv")

    def value(table, indicator, dimension="total", category="all"):
        hit = table[(table["indicator"] == indicator) & (table["dimension"] == dimension)
                    & (table["category"] == category)]
        return float(hit["value"].iloc[0]) if len(hit) else 0.0

    first = published_versions(Quarter.parse("2022Q4"), root / "processed")[:1]  # what the revision was compared with

    def shown(table, indicator, dimension, category):
        """As the report prints it: suppressed as in the public file (x: withheld to protect another cell, or
        changed by 1 to 4 since version 1)."""
        states = suppression(table, CFG, first if table is new else ())
        hit = (table["indicator"] == indicator) & (table["dimension"] == dimension) & (table["category"] == category)
        return COMPLEMENTARY_MARK if (states[hit] == COMPLEMENTARY).any() else fmt(value(table, indicator,
                                                                                         dimension, category))

    # The six late people, figure by figure, and the corrected total of 2022Q3 in the cumulative figures
    assert value(new, "people_reached") == value(old, "people_reached") + 6
    for cumulative in ("people_reached_year_to_date", "people_reached_since_start"):
        assert value(new, cumulative) == value(old, cumulative) + 6 + 500
    assert rows[("People reached", "")] == (fmt(value(old, "people_reached"), total=True),
                                            fmt(value(new, "people_reached"), total=True))
    for dimension, category in [("province", "Adana"), ("sex", "female"), ("activity", "PROT_CASE_MGMT"),
                                ("sector", "Protection")]:
        assert value(new, "people_reached", dimension, category) == value(old, "people_reached", dimension,
                                                                          category) + 6
        before, after = (shown(t, "people_reached", dimension, category) for t in (old, new))
        named = breakdown(dimension, category)  # in words: "Activity: Individual case management"
        if before != after:
            assert rows[("People reached", named)] == (before, after)
        else:  # withheld (x) in both versions: the list gives nothing away
            assert ("People reached", named) not in rows
    assert not any("PROT_" in breakdown or "|" in breakdown for _, breakdown in rows)  # no codes
    assert rows[("Unique registered individuals since the start", "")][1] == fmt(
        value(new, "unique_individuals_since_start"), total=True)
    # Exactly the printed figures whose printed value changed: nothing else listed, nothing left out
    before = read_csv(record["v1"].folder / PRINTED, dtype=str, keep_default_na=False)
    after = read_csv(record["revised"].report_dir.parent / "2022Q4.versions" / "v2" / PRINTED, dtype=str,
                     keep_default_na=False)
    merged = before.merge(after, on=["indicator", "dimension", "category"], how="outer", suffixes=("_old", "_new"))
    changed = merged[merged["shown_old"].fillna("") != merged["shown_new"].fillna("")]
    assert len(rows) == len(changed) > 10
    assert ("Provinces covered", "") not in rows  # Adana was already covered
    assert ("People reached", "province: Gaziantep") not in rows
    # and the raw file that caused it
    listed = BeautifulSoup(page, "html.parser").get_text(" ")
    assert "Raw files since version 1: 1 added, 1 changed." in listed  # counted: file names never published
    assert "late-cases" not in page and "published-totals" not in page


def test_history_and_run_log_say_which_version_a_total_comes_from(record):
    revised = record["revised_history"].set_index("quarter")
    assert revised.loc["2022Q4", "version"] == "unpublished revision of version 1"
    assert revised.loc["2022Q3", "version"] == "" and revised.loc["2022Q3", "source"] == "published"
    history = pd.read_csv(record["root"] / "processed" / "history.csv", dtype=str).set_index("quarter")
    assert history.loc["2022Q4", "version"] == "version 2"  # the edited narrative changed no figure
    assert "2022Q4 people reached 26 from unpublished revision of version 1 (this run)" in \
        (record["root"] / "processed" / "2022Q4.versions" / "v2" / "run.log").read_text()
    assert record["v2"].number == 2 and record["v2"].manifest["inputs"]["raw"]["PRU/late-cases.csv"]


def test_an_edited_narrative_reuses_the_cleaned_data_and_indicators(record):
    edited, root = record["edited"], record["root"]
    assert edited.reused == ["01_clean.ipynb", "02_indicators.ipynb"] and record["revised"].reused == []
    new = _indicators(root / "processed" / "2022Q4" / "indicators.csv")
    registered = new.loc[new["indicator"] == "new_individuals", "value"].iloc[0]
    assert registered == new.loc[(new["indicator"] == "unique_individuals") & (new["dimension"] == "total"),
                                 "value"].iloc[0]  # the first quarter on record: everyone is new
    page = BeautifulSoup(edited.html.read_text(encoding="utf-8"), "html.parser").get_text(" ", strip=True)
    assert f"The late cases were added: 26 people, {registered:,.0f} of them registered." in page
    # Only words changed since version 2: the first page does not claim revised figures
    assert "the figures are those of version 2 of" in page and "Reissued" in page and "Revised" not in page
    manifest = record["v2"].manifest["outputs"]["processed"]
    for name in ("records.parquet", "indicators.csv"):  # the data were not made again
        assert inputs.sha256(root / "processed" / "2022Q4" / name) == manifest[name]


def test_a_photo_is_named_by_its_caption_in_the_revisions_when_added_and_when_replaced(record):
    """Version 2 added the narrative's photo; the edited report replaced its picture, caption unchanged: each
    Revisions section says so in words, naming the photo by its caption, never by its file."""
    for page, line in [(record["revised_html"], "A photo was added: “A workshop in Adana.”."),
                       (record["edited"].html.read_text(encoding="utf-8"),
                        "A photo was replaced: “A workshop in Adana.”.")]:
        soup = BeautifulSoup(page, "html.parser")
        assert [li.get_text() for li in soup.select("ul.photos li")] == [line]
        assert soup.select_one("ul.photos").find_previous("h2").get_text(strip=True).startswith("Revisions")
        assert "late-cases-workshop" not in page and ".jpg" not in page
    assert "Reissued" in record["edited"].html.read_text(encoding="utf-8")  # a photo is not a figure


def test_a_section_the_narrative_leaves_without_text_is_left_out(record):
    """The edited narrative has opening text only: Innovation lab, a section of text alone, has nothing to show
    and is left out of the page, its contents and the PDF; sections with figures stay."""
    soup = BeautifulSoup(record["edited"].html.read_text(encoding="utf-8"), "html.parser")
    headings = [a.get_text() for a in soup.select("nav.toc a")]
    assert "Innovation lab" not in headings and "Innovation lab" not in soup.get_text()
    assert {"Protection", "Community centres", "Annex A: data quality"} <= set(headings)
    outline = [item.title for item in PdfReader(record["edited"].pdf).outline if not isinstance(item, list)]
    assert "Innovation lab" not in outline and "Protection" in outline


@pytest.mark.parametrize(("index", "revises"), [("index.html", "current report (revises version 2)"),
                                               ("index.tr.html", "güncel rapor (sürüm 2 yerine)")])
def test_the_index_lists_every_version_and_every_link_resolves_in_chromium(record, browser, index, revises):
    reports = record["root"] / "reports"
    index = reports / index
    requests = []
    page = browser.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(index.as_uri())
    links = page.eval_on_selector_all("main a", "links => links.map(a => a.href)")
    other = page.eval_on_selector_all("header nav a", "links => links.map(a => a.href)")
    text = page.inner_text("body")
    page.close()
    assert requests == [index.as_uri()]  # self-contained: nothing else is fetched
    assert revises in text
    assert len(links) == 15  # HTML and PDF in English and Turkish, and the public data: current report, both versions
    assert len(other) == 1  # the index in the other language
    for link in links + other:
        target = Path(unquote(urlparse(link).path))
        assert target.is_file() and target.is_relative_to(reports), link
    headline = pd.read_csv(record["v1"].folder / "refugee-response-2022Q4-indicators.csv", skiprows=[1])
    total = headline[(headline["indicator"] == "people_reached") & (headline["dimension"] == "total")]["value"]
    assert f"{float(total.iloc[0]):,.0f}".replace(",", "." if index.name == "index.tr.html" else ",") in text
    json.loads((record["v2"].audit / "manifest.json").read_text())  # both manifests are plain JSON
