"""Back-test: the pipeline's own output on the bundled sample reproduces every figure of the seed report."""

import re

import pandas as pd
import pytest
from pypdf import PdfReader

from helpers.measure.indicators import value
from samplegen.quarter import planted_identifiers

pytestmark = pytest.mark.slow

# (indicator, dimension, category, published figure) — shared/spec/sample-2022Q4.md
SEED_FIGURES = [
    ("people_reached", "total", "all", 67_389),
    ("provinces_covered", "total", "all", 14),
    ("people_reached", "sector", "Basic Needs", 26_006),
    ("people_reached", "sector", "Protection", 35_293),
    ("people_reached", "sector", "Education", 6_077),
    ("people_reached", "sector", "Health", 0),
    ("people_reached", "sector", "Livelihoods", 13),
    ("people_reached_since_start", "total", "all", 3_454_382),
    ("people_reached_year_to_date", "total", "all", 465_166),
    ("people_reached", "donor", "Donor A", 25_202),
    ("people_reached", "donor", "Donor B", 9_701),
    ("people_reached", "donor", "Donor C", 13_532),
    ("people_reached", "activity", "PROT_PSS", 3_025),
    ("people_trained", "total", "all", 34),
    ("people_reached", "activity", "PROT_AWARENESS", 81),
    ("people_reached", "activity", "PROT_SCHOOL_TRANSPORT", 6_429),
    ("people_reached", "activity+activity_detail", "EDU_NFE | Specific-needs education support", 123),
    ("people_reached", "centre", "Şanlıurfa MMCC", 8_771),
    ("people_reached", "centre+activity_detail", "Şanlıurfa MMCC | Social cohesion event", 2_796),
    ("people_reached", "centre+activity_detail", "Şanlıurfa MMCC | Counselling and information", 5_025),
    ("people_reached", "centre+activity_detail", "Şanlıurfa MMCC | Language, computer and sports courses", 960),
    ("services_delivered", "centre", "Adana MMCC", 14_437),
    ("people_reached", "centre", "Adana MMCC", 18_204),
    ("services_delivered", "centre", "Adana Mobile Health Vehicle", 2_745),
    ("people_reached", "centre", "Gaziantep MMCC", 1_429),
    ("services_delivered", "centre", "Kilis MMCC", 349),
    ("people_reached", "centre", "Kilis MMCC", 845),
    ("people_reached", "centre", "Mersin Metropolitan Municipality", 1_823),
    ("people_reached", "centre", "Keçiören Migrant Services Centre", 3_053),
    ("people_reached", "activity+province", "EDU_LANGUAGE | Ankara", 96),
    ("households_reached", "item", "hygiene kit", 1_500),
    ("people_in_households", "item", "hygiene kit", 9_000),
    ("items_distributed", "item", "hygiene kit", 1_500),
    ("items_distributed", "item", "hand sanitizer", 1_500),
    ("items_distributed", "item", "mask", 75_000),
    ("households_reached", "activity", "BN_INKIND", 1_819),
    ("households_reached", "activity", "BN_CASH", 2_037),
    ("people_in_households", "activity", "BN_CASH", 9_780),
    ("services_delivered", "activity_detail", "Community stabilization project", 7),
    ("people_reached", "activity", "BN_MUNICIPAL", 6_199),
    ("institutions_supported", "total", "all", 8),
    ("households_reached", "activity", "BN_SHELTER", 1),
    ("people_in_households", "activity", "BN_SHELTER", 6),
    ("people_reached", "centre", "Gaziantep Resilience Innovation Facility", 1_720),
]
PROVINCES = {"Adana", "Ankara", "Gaziantep", "Hatay", "İstanbul", "İzmir", "Kahramanmaraş", "Kilis", "Manisa",
             "Mersin", "Osmaniye", "Siirt", "Şanlıurfa", "Yalova"}


@pytest.fixture(scope="module")
def indicators(sample_run):
    root, _ = sample_run
    return pd.read_csv(root / "processed" / "2022Q4" / "indicators.csv", keep_default_na=False)


@pytest.mark.parametrize(("indicator", "dimension", "category", "published"), SEED_FIGURES,
                         ids=[f"{i}:{d}:{c}" for i, d, c, _ in SEED_FIGURES])
def test_indicators_reproduce_the_seed_figure(indicators, indicator, dimension, category, published):
    assert value(indicators, indicator, dimension, category) == published


def test_exactly_the_seed_provinces_are_reached(indicators):
    provinces = indicators[(indicators["indicator"] == "people_reached") & (indicators["dimension"] == "province")]
    assert set(provinces.loc[provinces["value"] > 0, "category"]) == PROVINCES


def test_psychosocial_support_and_school_transport_are_where_the_seed_says(indicators):
    def provinces_of(activity):
        rows = indicators[(indicators["dimension"] == "activity+province")
                          & indicators["category"].str.startswith(f"{activity} | ") & (indicators["value"] > 0)]
        return {c.split(" | ")[1] for c in rows["category"]}

    assert provinces_of("PROT_PSS") == {"Gaziantep", "Hatay", "İstanbul", "İzmir", "Kahramanmaraş", "Şanlıurfa"}
    assert provinces_of("PROT_SCHOOL_TRANSPORT") == {"Adana", "Mersin", "Siirt", "Yalova"}
    assert provinces_of("BN_INKIND") == {"Adana", "Gaziantep", "Hatay", "İstanbul", "Mersin", "Osmaniye"}


WORD = re.compile(r"\w+")
EMBEDDED = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\\n]+")
HEADLINES = ["67,389", "465,166", "3,454,382", "26,006", "35,293", "6,077", "13"]


def test_the_rendered_report_shows_the_headline_figures(sample_run):
    _, result = sample_run
    page = result.html.read_text(encoding="utf-8")
    text = "\n".join(p.extract_text() for p in PdfReader(result.pdf).pages)
    for shown in [*HEADLINES, "14 provinces"]:
        assert shown in page, shown
        assert shown in text, shown
    assert "Şanlıurfa" in text and "İzmir" in text and "Kahramanmaraş" in text
    assert "DRAFT" not in text  # the sample quarter has its narrative


def test_no_planted_identifier_reaches_processed_data_or_reports(sample_run):
    root, _ = sample_run
    planted = planted_identifiers(root / "raw")
    assert len(planted) > 100
    tokens = {p: set(WORD.findall(p)) for p in planted}
    for path in [*(root / "processed").rglob("*"), *(root / "reports").rglob("*")]:
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            if path.suffix == ".pdf":
                text = "\n".join(p.extract_text() for p in PdfReader(path).pages)
            elif path.suffix == ".parquet":
                text = pd.read_parquet(path).astype(str).to_csv()
            text = EMBEDDED.sub("", text)  # figures are base64 data, not text a name could hide in
            words = set(WORD.findall(text))  # cheap filter first: every word of the identifier must occur
            found = [p for p, parts in tokens.items() if parts <= words and p in text]
            assert not found, f"{found[:3]} in {path.name}"
