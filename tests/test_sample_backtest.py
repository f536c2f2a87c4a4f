"""Back-test: the pipeline's own output on the bundled sample reproduces every figure of the seed report."""

import re

import pandas as pd
import pytest
from conftest import seed
from pypdf import PdfReader

from helpers.config import Configuration
from helpers.measure.indicators import value
from helpers.paths import CONFIG_DIR
from samplegen.quarter import planted_identifiers

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

pytestmark = pytest.mark.slow

SEED = seed()  # the published figures, one copy: tests/fixtures/seed-2022Q4.yml


@pytest.fixture(scope="module")
def indicators(sample_run):
    root, _ = sample_run
    return pd.read_csv(root / "processed" / "2022Q4" / "indicators.csv", keep_default_na=False)


@pytest.mark.parametrize(("indicator", "dimension", "category", "published"), SEED.figures,
                         ids=[f"{i}:{d}:{c}" for i, d, c, _ in SEED.figures])
def test_indicators_reproduce_the_seed_figure(indicators, indicator, dimension, category, published):
    assert value(indicators, indicator, dimension, category, cfg=CFG) == published


def test_exactly_the_seed_provinces_are_reached(indicators):
    provinces = indicators[(indicators["indicator"] == "people_reached") & (indicators["dimension"] == "province")]
    assert set(provinces.loc[provinces["value"] > 0, "category"]) == SEED.provinces


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


def test_no_planted_identifier_reaches_processed_data_or_reports(sample_run, generated_sample):
    root, _ = sample_run
    planted = planted_identifiers(generated_sample[0])
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
