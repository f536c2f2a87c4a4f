"""docs/how-to-change.md, path by path: each change is made in a copy of config/ only, and the real cleaning and
indicator code then does the new thing. If one of these fails, the page is wrong or config stopped being the
single source."""

import csv

import pytest
from conftest import edit

from helpers.clean.quarter import clean_quarter
from helpers.measure.indicators import compute_indicators, value

HEADER = ["Tarih", "İl", "Faaliyet Kodu", "Vaka No", "Cinsiyet"]


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


def test_add_an_activity(config_dir, tmp_path):
    raw = quarter(tmp_path, [["2022-10-05", "Adana", "Hukuk danışma hattı", "TR-1", "K"],
                             ["2022-10-06", "Adana", "PROT_HOTLINE", "TR-2", "E"]])
    before = clean_quarter("2022Q4", raw)
    assert before.quality["totals"]["by_reason"]["unknown_activity"] == 2
    edit(config_dir / "activities.yml", "  - {code: PROT_LEGAL,",
         "  - {code: PROT_HOTLINE, label: Legal hotline, label_en: Legal hotline, label_tr: Hukuk danışma hattı, "
         "sector: Protection, unit: PRU, reach_type: individual}\n  - {code: PROT_LEGAL,")
    result = clean_quarter("2022Q4", raw)
    assert result.records["activity"].astype(str).tolist() == ["PROT_HOTLINE", "PROT_HOTLINE"]
    table = compute_indicators(result.records, "2022Q4")
    assert value(table, "people_reached", "sector", "Protection") == 2
    assert value(table, "people_reached", "activity", "PROT_HOTLINE") == 2


def test_add_a_header_alias(config_dir, tmp_path):
    raw = quarter(tmp_path, [["2022-10-05", "Adana", "PROT_LEGAL", "TR-1", "K"]],
                  header=["Tarih", "İl", "Faaliyet Kodu", "Kayıt Numarası", "Cinsiyet"])
    assert clean_quarter("2022Q4", raw).quality["totals"]["by_reason"]["missing_required"] == 1  # no id column
    edit(config_dir / "columns.yml", "aliases: [case_id, case number,",
         "aliases: [kayıt numarası, case_id, case number,")
    result = clean_quarter("2022Q4", raw)
    assert len(result.records) == 1 and result.records["beneficiary_id"].notna().all()


def test_add_a_vocabulary_value(config_dir, tmp_path):
    raw = quarter(tmp_path, [["2022-10-05", "Adana", "PROT_LEGAL", "TR-1", "Hanım"]])
    assert clean_quarter("2022Q4", raw).records["sex"].astype(str).tolist() == ["unknown"]
    edit(config_dir / "vocabularies.yml", "female: [f, female,", "female: [f, hanım, female,")
    assert clean_quarter("2022Q4", raw).records["sex"].astype(str).tolist() == ["female"]


def test_add_an_indicator(config_dir, tmp_path):
    raw = quarter(tmp_path, [["2022-10-05", "Adana", "PROT_LEGAL", "TR-1", "K"],
                             ["2022-10-09", "Adana", "PROT_LEGAL", "TR-1", "K"],
                             ["2022-10-05", "Kilis", "PROT_LEGAL", "TR-2", "E"],
                             ["2022-10-05", "Kilis", "PROT_CASE_MGMT", "TR-3", "E"]])
    records = clean_quarter("2022Q4", raw).records
    edit(config_dir / "indicators.yml", "indicators:\n", """indicators:
  - id: legal_clients
    label: People given legal assistance
    definition: Distinct registered individuals of legal assistance records.
    measure: distinct
    column: beneficiary_id
    filter: {activity: [PROT_LEGAL]}
    dimensions: [total, province]
    hxl: "#reached+legal"

""")
    table = compute_indicators(records, "2022Q4")
    assert value(table, "legal_clients") == 2
    assert value(table, "legal_clients", "province", "Kilis") == 1
