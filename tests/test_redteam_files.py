"""Red team: a partner's workbook saved in another spreadsheet format must not vanish from the quarter."""

import csv

import openpyxl
import pytest

from helpers import context
from helpers.clean.quarter import clean_quarter
from helpers.errors import SourceReadError


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "a red-team key of some length")


@pytest.mark.parametrize("name", ["Ortak takip.xls", "Ortak takip.xlsm", "Ortak takip.ods", "ortak.tsv"])
def test_a_spreadsheet_in_another_format_stops_the_run_or_is_listed(tmp_path, key, name):
    """Old-format Excel (.xls), macro workbooks (.xlsm), LibreOffice (.ods) and tab-separated exports hold a
    partner's rows; today they are skipped with a log line only, and the report is published without them."""
    folder = tmp_path / "2022Q4"
    folder.mkdir()
    with (folder / "kobo.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["service_date", "province", "activity_code", "case_id"],
                                      ["2022-10-05", "Adana", "PROT_CASE_MGMT", "C-1"]])
    book = openpyxl.Workbook()
    book.active.append(["Tarih", "İl", "Faaliyet", "Vaka No"])
    book.active.append(["05.10.2022", "Hatay", "Vaka yönetimi", "P-1"])
    book.save(folder / name)  # the content does not matter: the name alone decides today
    try:
        result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path), skip_bad_files=True)
    except SourceReadError as error:
        assert name in str(error)
        return
    listed = [entry["source"] for entry in result.quality["skipped_files"] + result.quality["not_read"]]
    assert name in listed or name in result.quality["files"]
