"""CSV files: formula cells neutralised, numbers untouched, and read back as written."""

import csv

import pandas as pd

from helpers.csvfile import read_csv, write_csv

FORMULAS = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1"]


def cells(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_text_a_spreadsheet_would_run_gets_a_leading_quote(tmp_path):
    table = pd.DataFrame({"site": FORMULAS, "donor": pd.Categorical(FORMULAS)})
    write_csv(table, tmp_path / "x.csv", encoding="utf-8-sig")
    written = cells(tmp_path / "x.csv", "utf-8-sig")[2:]
    assert written == [f"'{f}" for f in FORMULAS for _ in range(2)]


def test_numbers_are_never_altered(tmp_path):
    table = pd.DataFrame({
        "value": [-5.0, -0.5, 3.0],                      # a numeric column is left as it is
        "count": pd.array([-5, 1, None], dtype="Int64"),
        "shown": ["-5", "-5.25", "<5"],                  # numbers kept as text (public file) stay numbers
        "amount": ["+3", "-1.250,50", "-1e5"],
    })
    write_csv(table, tmp_path / "x.csv")
    assert cells(tmp_path / "x.csv")[4:] == ["-5.0", "-5", "-5", "+3", "-0.5", "1", "-5.25", "-1.250,50",
                                             "3.0", "", "<5", "-1e5"]


def test_what_is_read_back_is_what_was_written(tmp_path):
    values = [*FORMULAS, "'=already quoted", "'plain", "-", "-5", "Adana MMCC", ""]
    write_csv(pd.DataFrame({"category": values}), tmp_path / "x.csv")
    back = read_csv(tmp_path / "x.csv", dtype={"category": "string"}, keep_default_na=False)
    assert back["category"].tolist() == values
    assert "''=already quoted" in cells(tmp_path / "x.csv")  # escaped once more, so the quote survives
