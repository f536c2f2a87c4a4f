"""The PDF as a screen reader and a printer get it: tagged (PDF/UA), in English, figures described with their
numbers, a draft that says so in words, and pages that look finished (no heading ending a page, none mostly
blank)."""

import re
import subprocess

import numpy as np
import pdfua
import pytest
from PIL import Image
from pypdf import PdfReader

pytestmark = pytest.mark.slow

CHARTS = 5  # sector, province map, protection activities, trend, sex and age


@pytest.fixture(params=["sample_run", "fixture_run"])
def run(request):
    """The published sample (with its narrative) and the small fixture quarter (a draft: no narrative)."""
    return request.param, request.getfixturevalue(request.param)[1]


def structure(reader: PdfReader) -> list[tuple[int, str, int | None, str]]:
    """The structure tree in reading order: (depth, tag, page index, alt text) per element."""
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    found = []

    def walk(element, depth):
        element = element.get_object()
        if not isinstance(element, dict):
            return
        page = element.get("/Pg")
        found.append((depth, str(element.get("/S")), pages.get(page.idnum) if page is not None else None,
                      str(element.get("/Alt", ""))))
        children = element.get("/K")
        for child in children if isinstance(children, list) else [children]:
            if child is not None and (hasattr(child, "get_object") or isinstance(child, dict)):
                walk(child, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"], 0)
    return found


def test_pdf_is_tagged_in_english_with_described_figures(run):
    reader = PdfReader(run[1].pdf)
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "en"
    tags = structure(reader)
    assert {"/H1", "/H2", "/P", "/Table", "/TH", "/TD", "/Figure"} <= {tag for _, tag, _, _ in tags}
    figures = [alt for _, tag, _, alt in tags if tag == "/Figure" and not alt.startswith("Logo")]
    charts = [alt for alt in figures if "(" in alt.split(".")[0]]  # "Title (unit). numbers"; photos are described
    assert len(figures) - len(charts) == (1 if run[0] == "sample_run" else 0)  # the sample narrative's picture
    assert {"Logo of Donor A", "Logo of Donor B", "Logo of Donor C"} <= {alt for _, _, _, alt in tags}
    assert len(charts) == CHARTS
    for alt in charts:  # every bar or province with its value (a small quarter's may be <5, x or –)
        assert re.fullmatch(r"[^.]+\(.+\)\. ([^;]+ (\d[\d,]*|<5|x|–)(; |\.$))+", alt, re.S), alt
    if run[0] == "sample_run":
        assert any(alt.startswith("People reached by sector") and "Protection 35,293" in alt for alt in charts)
        assert any(alt.startswith("People reached by province") and "Şanlıurfa 9,373" in alt for alt in charts)


def test_draft_says_so_in_words_in_the_title_and_on_every_page(run):
    name, result = run
    reader = PdfReader(result.pdf)
    draft = name == "fixture_run"
    assert reader.metadata.title.startswith("DRAFT – ") is draft
    assert "Türkiye Refugee Response" in reader.metadata.title
    first = reader.pages[0].extract_text()
    assert ("DRAFT – for review, not for circulation" in first) is draft
    assert all(("DRAFT" in page.extract_text()) is draft for page in reader.pages)
    assert "Refugee Response Programme, Türkiye" in first and "Published " in first


def test_no_heading_ends_a_page(run):
    tags = structure(PdfReader(run[1].pdf))
    for i, (depth, tag, page, _) in enumerate(tags):
        if tag not in ("/H2", "/H3"):
            continue
        following = next((p for d, t, p, _ in tags[i + 1:] if d <= depth and p is not None), page)
        assert following == page, f"a heading at the foot of page {page + 1} is followed on page {following + 1}"


def test_no_page_but_the_last_is_mostly_blank(run, tmp_path):
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(run[1].pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    for path in pages[:-1]:
        ink = (np.asarray(Image.open(path).convert("L")) < 230).any(axis=1)
        height = len(ink)
        top, bottom = int(height * 20 / 297), int(height * (297 - 22) / 297)  # the page's text area
        rows = np.flatnonzero(ink[top:bottom])
        blank = 1 - (rows.max() + 1) / (bottom - top)
        assert blank <= 0.40, f"{path.name} is {blank:.0%} blank"


def test_pdfua_checker_finds_nothing_in_either_edition(run):
    """The pdfua checker (the machine-checkable part of PDF/UA-1): no error and no warning, table header cells
    included (each carries its /Scope), in the English and the Turkish PDF, each tagged in its own language."""
    pdfs = [path for path in run[1].editions if path.suffix == ".pdf"]
    assert [path.name.removeprefix("refugee-response-") for path in pdfs] == ["2022Q4.pdf", "2022Q4.tr.pdf"]
    for path, language in zip(pdfs, ("en", "tr"), strict=True):
        assert PdfReader(path).trailer["/Root"]["/Lang"] == language
        report = pdfua.validate(str(path))
        assert [f"{f.rule_id} {f.severity.name}: {f.message}" for f in report.findings] == [], path.name


PIPELINE_WORDS = ["--accept-losses", "not computed", "fingerprint", "part(s)", "has not been processed", "PROT_",
                  "pipeline", "1 were ", "1 totals rows", "see the table"]


def test_the_pdf_speaks_to_readers_and_keeps_only_the_annexes_they_read(run):
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(run[1].pdf).pages)
    assert [word for word in PIPELINE_WORDS if word in text] == []
    assert "Definitions" in text and "rows were read from" in text  # Annex B's definitions, Annex A's summary
    # A comparison not possible yet says so in plain words; a chart of overlapping categories says they overlap
    assert "A comparison with the previous quarter (July–September 2022) is not available yet." in text
    assert "People reached (a person in several activities counts in each)" in text
    assert not re.search(r"\b\d+ figures\b", text)  # the list of every figure is on screen and in the CSV
    if "<5" in text:  # a mark is explained where it first appears
        first = text.index("<5")
        assert text.find("<5: a number from 1 to 4") in range(first, first + 1500), text[first:first + 1500]
