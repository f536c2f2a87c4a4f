"""docs/how-to-change.md, path by path: each change is made in a copy of config/ only, and the real cleaning,
indicator and report code then does the new thing. If one of these fails, the page is wrong or config stopped
being the single source."""

import csv
import re

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURE_RAW, edit
from pypdf import PdfReader

from helpers import context
from helpers.check import check_quarter
from helpers.clean.quarter import clean_quarter
from helpers.config import Configuration
from helpers.measure.disclosure import public_indicators
from helpers.measure.indicators import compute_indicators, value
from helpers.paths import NOTEBOOKS_DIR, Quarter
from helpers.pipeline import run_quarter
from helpers.publication import report as report_module
from helpers.publication.language import use

HEADER = ["Tarih", "İl", "Faaliyet Kodu", "Vaka No", "Cinsiyet"]
SECTION = """  - id: partnerships
    title: Partnerships
    narrative: true
    figures:
      - {indicator: institutions_supported, label: "institutions supported in {period}"}
"""
NARRATIVE = "Opening.\n\n## Partnerships\n\nWe worked with {{ institutions_supported.total }} institutions.\n"


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "test key, not a secret")


def quarter(tmp_path, rows, header=HEADER):
    """A raw root with one log file of ``rows`` for 2022Q4."""
    folder = tmp_path / "raw" / "2022Q4"
    folder.mkdir(parents=True)
    with (folder / "log.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return tmp_path / "raw"


def test_add_an_activity(config_copy, tmp_path):
    raw = quarter(tmp_path, [["2022-10-05", "Adana", "Hukuk danışma hattı", "TR-1", "K"],
                             ["2022-10-06", "Adana", "PROT_HOTLINE", "TR-2", "E"]])
    before = clean_quarter(context.build("2022Q4", raw_dir=raw, config_dir=config_copy))
    assert before.quality["totals"]["by_reason"]["unknown_activity"] == 2
    edit(config_copy / "activities.yml", "  - {code: PROT_LEGAL,",
         "  - {code: PROT_HOTLINE, label: Legal hotline, label_en: Legal hotline, label_tr: Hukuk danışma hattı, "
         "sector: Protection, unit: PRU, reach_type: individual}\n  - {code: PROT_LEGAL,")
    result = clean_quarter(context.build("2022Q4", raw_dir=raw, config_dir=config_copy))
    assert result.records["activity"].astype(str).tolist() == ["PROT_HOTLINE", "PROT_HOTLINE"]
    cfg = Configuration(config_copy)  # the edited configuration, as a run would hand it down
    table = compute_indicators(result.records, Quarter.parse("2022Q4"), cfg)
    assert value(table, "people_reached", "sector", "Protection", cfg=cfg) == 2
    assert value(table, "people_reached", "activity", "PROT_HOTLINE", cfg=cfg) == 2


def test_add_a_header_alias(config_copy, tmp_path):
    raw = quarter(tmp_path, [["2022-10-05", "Adana", "PROT_LEGAL", "TR-1", "K"]],
                  header=["Tarih", "İl", "Faaliyet Kodu", "Kayıt Numarası", "Cinsiyet"])
    result = clean_quarter(context.build("2022Q4", raw_dir=raw, config_dir=config_copy))
    assert result.quality["totals"]["by_reason"]["missing_required"] == 1  # no id column
    edit(config_copy / "columns.yml", "aliases: [case_id, case number,",
         "aliases: [kayıt numarası, case_id, case number,")
    result = clean_quarter(context.build("2022Q4", raw_dir=raw, config_dir=config_copy))
    assert len(result.records) == 1 and result.records["beneficiary_id"].notna().all()


def test_add_a_vocabulary_value(config_copy, tmp_path):
    raw = quarter(tmp_path, [["2022-10-05", "Adana", "PROT_LEGAL", "TR-1", "Hanım"]])

    def sexes() -> list[str]:
        return clean_quarter(context.build("2022Q4", raw_dir=raw, config_dir=config_copy)).records["sex"].astype(
            str).tolist()

    assert sexes() == ["unknown"]
    edit(config_copy / "vocabularies.yml", "female: [f, female,", "female: [f, hanım, female,")
    assert sexes() == ["female"]


def test_add_an_indicator(config_copy, tmp_path):
    raw = quarter(tmp_path, [["2022-10-05", "Adana", "PROT_LEGAL", "TR-1", "K"],
                             ["2022-10-09", "Adana", "PROT_LEGAL", "TR-1", "K"],
                             ["2022-10-05", "Kilis", "PROT_LEGAL", "TR-2", "E"],
                             ["2022-10-05", "Kilis", "PROT_CASE_MGMT", "TR-3", "E"]])
    records = clean_quarter(context.build("2022Q4", raw_dir=raw, config_dir=config_copy)).records
    edit(config_copy / "indicators.yml", "indicators:\n", """indicators:
  - id: legal_clients
    label: People given legal assistance
    definition: Distinct registered individuals of legal assistance records.
    measure: distinct
    column: beneficiary_id
    filter: {activity: [PROT_LEGAL]}
    dimensions: [total, province]
    hxl: "#reached+legal"
    unit: people

""")
    cfg = Configuration(config_copy)  # the edited configuration, as a run would hand it down
    table = compute_indicators(records, Quarter.parse("2022Q4"), cfg)
    assert value(table, "legal_clients", cfg=cfg) == 2
    assert value(table, "legal_clients", "province", "Kilis", cfg=cfg) == 1


def add_a_section(config_copy, tmp_path):
    """The recipe: the section in config/report.yml after Donors, its text in the quarter's narrative."""
    edit(config_copy / "report.yml", "  - {id: trend,", SECTION + "  - {id: trend,")
    (tmp_path / "narratives").mkdir()
    (tmp_path / "narratives" / "2022Q4.md").write_text(NARRATIVE, encoding="utf-8")
    return tmp_path / "narratives"


def expected_headings(cfg: Configuration) -> list[str]:
    titles = [section["title"] for section in cfg.report()["sections"] if section["heading"]]
    assert titles[titles.index("Donors") + 1] == "Partnerships"
    return titles


def test_add_a_report_section(config_copy, tmp_path, monkeypatch):
    narratives = add_a_section(config_copy, tmp_path)
    raw = quarter(tmp_path, [["2022-10-05", "Adana", "BN_MUNICIPAL", "Seyhan Belediyesi", "12"],
                             ["2022-10-06", "Kilis", "BN_MUNICIPAL", "Kilis Belediyesi", "8"]],
                  header=["Tarih", "İl", "Faaliyet Kodu", "Merkez", "Katılımcı Sayısı"])
    run = context.build("2022Q4", raw_dir=raw, config_dir=config_copy)  # the edited configuration
    cfg = run.config
    table = compute_indicators(clean_quarter(run).records, run.quarter, cfg)
    shown = []
    monkeypatch.setattr(report_module, "display", lambda *outputs: shown.extend(o.data for o in outputs))
    r = report_module.Report(run.quarter, table, {}, pd.DataFrame(), cfg, language=use("en", cfg))  # as Report.load
    r.narrative(narratives)
    code = "\n".join(c.source for c in nbformat.read(NOTEBOOKS_DIR / "03_report.ipynb", as_version=4).cells)
    for name in re.findall(r'r\.section\("([^"]*)"\)', code):  # the notebook's sections, as it starts them
        r.section(name)
    r.end()
    page = BeautifulSoup("".join(shown), "html.parser")
    assert [h.get_text() for h in page.find_all("h2")] == expected_headings(cfg)
    partnerships = page.find("h2", string="Partnerships")
    tile = partnerships.find_next(class_="tile").get_text(" ", strip=True)
    assert tile == "2 institutions supported in October–December 2022"
    assert partnerships.find_next("p").get_text() == "We worked with 2 institutions."


@pytest.mark.slow
def test_an_added_section_reaches_the_html_and_the_pdf(config_copy, tmp_path):
    narratives = add_a_section(config_copy, tmp_path)
    result = run_quarter("2022Q4", FIXTURE_RAW, tmp_path / "processed", tmp_path / "reports", progress=False,
                         parameters={"narratives_dir": str(narratives)}, config_dir=config_copy)
    headings = expected_headings(Configuration(config_copy))
    page = BeautifulSoup(result.html.read_text(encoding="utf-8"), "html.parser")
    listed = [a.get_text() for a in page.select("nav.toc a")]
    # in config order; a section with nothing to show in the fixture quarter (no innovation-lab record, no text
    # for it in the narrative) is left out of the page and its contents
    assert listed == [h for h in headings if h in listed] and "Partnerships" in listed
    assert [h for h in headings if h not in listed] == ["Innovation lab"]
    heading = page.select_one("main h2#Partnerships")
    assert heading.find_next("p").get_text().startswith("We worked with ")
    assert "Partnerships" in [item.title for item in PdfReader(result.pdf).outline]


def test_add_a_coded_column_its_vocabulary_and_an_indicator_by_it(config_copy, tmp_path):
    """The recipe, file by file as the page shows it; no Python changes."""
    raw = quarter(tmp_path, [["2022-10-05", "Adana", "PROT_LEGAL", "TR-1", "K", "Yüz yüze"],
                             ["2022-10-06", "Adana", "PROT_LEGAL", "TR-2", "E", "TELEFON"],
                             ["2022-10-07", "Kilis", "PROT_LEGAL", "TR-3", "E", "Hibrit"]],
                  header=[*HEADER, "Hizmet Şekli"])
    edit(config_copy / "columns.yml", "  donor:\n    aliases: [donor name",
         "  modality:\n    aliases: [service modality, hizmet şekli, delivery mode]\n"
         "  donor:\n    aliases: [donor name")
    edit(config_copy / "columns.yml", "  donor: {parser: text, categorical: true,",
         "  modality: {parser: vocabulary, vocabulary: modality, unknown: unknown, categorical: true, "
         "categories: vocabulary,\n"
         "             public: [{column: modality, hxl: \"#meta+modality\", meaning: How the service was delivered}]}\n"
         "  donor: {parser: text, categorical: true,")
    edit(config_copy / "columns.yml", "public_columns: [sector, province,",
         "public_columns: [sector, province, modality,")
    with (config_copy / "vocabularies.yml").open("a", encoding="utf-8") as handle:
        handle.write("\nmodality:\n  in person: [in person, yüz yüze, face to face]\n"
                     "  remote: [remote, uzaktan, phone, telefon]\n  mobile team: [mobile team, mobil ekip, outreach]\n"
                     "  unknown: []\n")
    edit(config_copy / "indicators.yml", "    dimensions: [total, sector, province, sex,",
         "    dimensions: [total, sector, province, modality, sex,")
    edit(config_copy / "indicators.yml", "    categories: {sector: all, sex: all, age_group: all}",
         "    categories: {sector: all, sex: all, age_group: all, modality: all}")

    result = clean_quarter(context.build("2022Q4", raw_dir=raw, config_dir=config_copy))
    assert result.records["modality"].astype(str).tolist() == ["in person", "remote", "unknown"]
    assert result.quality["unknown_values"]["modality"] == {"Hibrit": 1}
    unrecognised = check_quarter(context.build("2022Q4", raw_dir=raw, config_dir=config_copy)).unrecognised
    assert "Hibrit" in unrecognised.loc[unrecognised["column"] == "modality", "value"].tolist()

    cfg = Configuration(config_copy)  # the edited configuration, as a run would hand it down
    table = compute_indicators(result.records, Quarter.parse("2022Q4"), cfg)
    assert value(table, "people_reached", "modality", "remote", cfg=cfg) == 1
    assert value(table, "people_reached", "modality", "mobile team", cfg=cfg) == 0  # declared: listed even if zero
    public = public_indicators(table, cfg)
    assert public.loc[0, "modality"] == "#meta+modality"  # the HXL row
    order = list(public.columns)  # where public_columns places it: after the province's columns
    assert order.index("modality") == order.index("adm1_pcode") + 1
    assert "remote" in public.loc[public["dimension"] == "modality", "modality"].tolist()
