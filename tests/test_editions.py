"""The Turkish edition of the sample report: rendered by the same run, the same numbers, nothing in English."""

import re

import pytest
from bs4 import BeautifulSoup
from english import english_in

from helpers import context
from helpers.config import CONFIG_DIR, Configuration
from helpers.csvfile import read_csv
from helpers.provenance.revisions import printed_name
from helpers.publication.language import get, using
from helpers.publication.report import Report

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

pytestmark = pytest.mark.slow

# Data, not interface: names recorded by field teams (centres, donors, activity details) are printed as recorded
DATA_DIMENSIONS = ("centre", "donor", "activity_detail", "site")


@pytest.fixture(scope="module")
def editions(sample_run):
    root, result = sample_run
    folder = result.report_dir
    return root, folder, {code: folder / f"refugee-response-2022Q4{suffix}" for code, suffix in
                          (("en", ""), ("tr", ".tr"))}


def _text(path) -> str:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for node in soup(["style", "script"]):
        node.decompose()
    alts = " ".join(img.get("alt", "") for img in soup.find_all("img"))
    return " ".join((soup.get_text(" ") + " " + alts).split())


def _data_names(root) -> list[str]:
    indicators = read_csv(root / "processed" / "2022Q4" / "indicators.csv", dtype=str, keep_default_na=False)
    names = set()
    for dimension, category in zip(indicators["dimension"], indicators["category"], strict=True):
        for part, name in zip(dimension.split("+"), category.split(" | "), strict=False):
            if part in DATA_DIMENSIONS:
                names.add(name)
    return sorted(names, key=len, reverse=True)


def test_both_editions_are_rendered_and_link_to_each_other(editions, sample_run):
    _, _, paths = editions
    assert [path.name for path in sample_run[1].editions] == [  # what the run's closing lines list
        f"refugee-response-2022Q4{suffix}.{kind}" for suffix in ("", ".tr") for kind in ("html", "pdf")]
    for base in paths.values():
        assert base.with_name(base.name + ".html").is_file() and base.with_name(base.name + ".pdf").is_file()
    en = BeautifulSoup(paths["en"].with_name(paths["en"].name + ".html").read_text(encoding="utf-8"), "html.parser")
    tr = BeautifulSoup(paths["tr"].with_name(paths["tr"].name + ".html").read_text(encoding="utf-8"), "html.parser")
    assert en.html["lang"] == "en" and tr.html["lang"] == "tr" and tr.html["dir"] == "ltr"
    assert en.select_one("a.edition-link")["href"] == "refugee-response-2022Q4.tr.html"
    assert tr.select_one("a.edition-link")["href"] == "refugee-response-2022Q4.html"
    assert tr.select_one("a.edition-link").get_text() == "English"


def test_the_figures_printed_are_the_same_numbers(editions):
    _, folder, _ = editions
    en = read_csv(folder / printed_name(get("en", CFG)), dtype=str, keep_default_na=False)
    tr = read_csv(folder / printed_name(get("tr", CFG)), dtype=str, keep_default_na=False)
    key = ["indicator", "dimension", "category"]
    both = en.merge(tr, on=key, how="outer", suffixes=("_en", "_tr"), indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"]
    assert len(both) > 100
    assert both["shown_tr"].map(get("tr", CFG).neutral).tolist() == both["shown_en"].tolist()
    assert (both["shown_tr"] != both["shown_en"]).any()  # printed in Turkish: 67.389, not 67,389


def test_the_turkish_edition_prints_turkish_formats(editions):
    _, _, paths = editions
    text = _text(paths["tr"].with_name(paths["tr"].name + ".html"))
    assert "67.389" in text and "67,389" not in text
    assert "Ekim–Aralık 2022" in text
    assert re.search(r"%\d+", text)  # Turkish percent: %53
    assert not re.search(r"\b\d{1,3}(,\d{3})+\b", text), "an English thousands separator"


def test_no_english_interface_string_in_the_turkish_edition(editions):
    root, _, paths = editions
    text = _text(paths["tr"].with_name(paths["tr"].name + ".html"))
    assert english_in(text, _data_names(root)) == []


def test_the_turkish_pdf_is_tagged_and_in_turkish(editions):
    from pypdf import PdfReader

    _, _, paths = editions
    reader = PdfReader(paths["tr"].with_name(paths["tr"].name + ".pdf"))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "tr"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    text = "".join(page.extract_text() for page in reader.pages)
    assert "İÇİNDEKİLER" in text  # upper case by Turkish rules (the contents' title, CSS text-transform)
    assert "Şanlıurfa" in text and "Sayfa 1 / " in text


def test_without_a_turkish_narrative_the_turkish_edition_is_a_draft(sample_run, tmp_path):
    """The English narrative alone does not hold the Turkish edition: it is TASLAK, with the summary in Turkish."""
    root, _ = sample_run
    (tmp_path / "2022Q4.md").write_text("The quarter in English.\n", encoding="utf-8")
    with using("tr", CFG):
        report = Report.load(context.build("2022Q4", processed_dir=root / "processed"), language="tr")
        story = report.narrative(tmp_path)
        assert story.draft
        assert story.get("").startswith("Ekim–Aralık 2022 döneminde program")
        assert "narratives/2022Q4.tr.md" in story.get("")
    english = Report.load(context.build("2022Q4", processed_dir=root / "processed"), language="en").narrative(tmp_path)
    assert not english.draft


def test_the_index_lists_both_editions(editions):
    root, _, _ = editions
    index = BeautifulSoup((root / "reports" / "index.html").read_text(encoding="utf-8"), "html.parser")
    hrefs = [a["href"] for a in index.find_all("a")]
    assert "2022Q4/refugee-response-2022Q4.tr.html" in hrefs and "2022Q4/refugee-response-2022Q4.tr.pdf" in hrefs
    assert "index.tr.html" in hrefs  # the Turkish readers' index, linked from the English one and back
    turkish = BeautifulSoup((root / "reports" / "index.tr.html").read_text(encoding="utf-8"), "html.parser")
    assert turkish.html["lang"] == "tr" and turkish.select_one("header nav a")["href"] == "index.html"
    assert turkish.select("main a")[0]["href"] == "2022Q4/refugee-response-2022Q4.tr.html"


def test_every_item_distributed_is_named_in_turkish(editions):
    """Items are tile labels ("dağıtılan mutfak seti"): each item of the sample is one of config/items.yml, whose
    names the catalogue translates, so none reaches the Turkish edition in English."""
    from helpers.publication.catalogue import read

    root, _, paths = editions
    indicators = read_csv(root / "processed" / "2022Q4" / "indicators.csv", dtype=str, keep_default_na=False)
    items = set(indicators.loc[indicators["dimension"] == "item", "category"])
    turkish = read("tr")
    assert len(items) > 3 and [item for item in items if not getattr(turkish.get(item), "string", "")] == []
    text = _text(paths["tr"].with_name(paths["tr"].name + ".html"))
    assert "dağıtılan mutfak seti" in text and "kitchen set" not in text
