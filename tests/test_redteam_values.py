"""Red team: numbers and dates that the cleaning must reject (or read by the file's evidence), never guess."""

import csv

import pandas as pd
import pytest

from helpers import context
from helpers.clean.quarter import clean_quarter


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "a red-team key of some length")


def write(folder, rows):
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "sessions.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["service_date", "province", "activity_code", "participants"], *rows])


@pytest.mark.parametrize("written", ["0,500", "0.500", "0,050"])
def test_a_headcount_written_with_a_leading_zero_group_is_not_read_as_hundreds(tmp_path, key, written):
    """No one writes 500 as ``0,500``: a thousands group never follows a lone 0. The decimal reading (0.5) is
    no headcount, so the value is not understood; taking the other reading (500) is a guess (issue 11 names
    ``0,500`` → 500 as wrong)."""
    write(tmp_path / "2022Q4", [["2022-10-05", "Adana", "PROT_AWARENESS", written],
                                ["2022-10-06", "Adana", "PROT_AWARENESS", "12"]])
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    assert result.records["participants"].dropna().tolist() == [12]
    assert result.rejects["row_number"].tolist() == [2]


def test_a_file_that_shows_month_first_dates_is_not_read_day_first(tmp_path, key):
    """An Excel on an English (US) system saves ``1/15/2023``: month first. The same file's ``2/3/2023`` is
    3 February; read day first it becomes 2 March and is silently kept in the wrong month (and ``3/7/2023``,
    7 March, is counted out of period as 3 July)."""
    write(tmp_path / "2023Q1", [["1/15/2023", "Adana", "PROT_AWARENESS", "10"],
                                ["1/20/2023", "Adana", "PROT_AWARENESS", "11"],
                                ["2/3/2023", "Adana", "PROT_AWARENESS", "12"],
                                ["3/7/2023", "Adana", "PROT_AWARENESS", "13"]])
    result = clean_quarter(context.build("2023Q1", raw_dir=tmp_path))
    dates = dict(zip(result.records["participants"], result.records["date"], strict=True))
    assert pd.Timestamp("2023-03-02") not in dates.values()
    assert result.quality["totals"]["out_of_period"] == 0


def test_a_date_column_whose_header_says_month_first_is_not_read_day_first(tmp_path, key):
    """Partner trackers label the format in the header; ``Date (mm/dd/yyyy)`` is mapped to the date column and
    its ``02/03/2023`` (3 February) is then read day first as 2 March."""
    folder = tmp_path / "2023Q1"
    folder.mkdir()
    with (folder / "tracker.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["Date (mm/dd/yyyy)", "Province", "Activity", "Participants"],
                                      ["02/03/2023", "Hatay", "PROT_AWARENESS", "12"]])
    result = clean_quarter(context.build("2023Q1", raw_dir=tmp_path))
    assert pd.Timestamp("2023-03-02") not in result.records["date"].tolist()


def test_numeric_cells_of_a_workbook_are_not_evidence_for_the_text_cells_beside_them(tmp_path, key):
    """In a Turkish tracker most amounts are numeric cells (1250,5 shows in Excel; the file stores 1250.5), and
    some were pasted as text in the Turkish way (``1.500`` = 1500 TL). The reader writes the numeric cell as
    ``1250.5``, which the cleaner takes as the file's evidence of a decimal point, so ``1.500`` becomes 1.5 TL."""
    import openpyxl

    folder = tmp_path / "2022Q4"
    folder.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Tarih", "İl", "Faaliyet", "Hane No", "Hane Büyüklüğü", "Tutar"])
    sheet.append(["05.10.2022", "Adana", "BN_CASH", "H-1", 4, 1250.5])
    sheet.append(["06.10.2022", "Adana", "BN_CASH", "H-2", 4, "1.500"])
    book.save(folder / "nakit.xlsx")
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    assert 1.5 not in result.records["amount_try"].tolist()


def test_a_date_readable_both_ways_in_a_file_showing_both_orders_is_rejected_with_both_readings(tmp_path, key):
    write(tmp_path / "2023Q1", [["1/15/2023", "Adana", "PROT_AWARENESS", "10"],
                                ["15/01/2023", "Adana", "PROT_AWARENESS", "11"],
                                ["02/03/2023", "Adana", "PROT_AWARENESS", "12"]])
    result = clean_quarter(context.build("2023Q1", raw_dir=tmp_path))
    assert result.records["participants"].tolist() == [10, 11]
    (reject,) = result.rejects.to_dict("records")
    assert (reject["row_number"], reject["reason"], reject["column"]) == (4, "ambiguous_value", "date")
    assert reject["detail"] == "02/03/2023 could be 2023-03-02 or 2023-02-03"
