"""Feedback to partners: one workbook per source file with the rows not kept, reason and hint in English and
Turkish, no identifier values, formulas inert."""

from __future__ import annotations

import pytest
from conftest import CFG

from helpers import context
from helpers.clean.feedback import HEADER, texts, write_feedback
from helpers.clean.quarter import clean_quarter, write_clean

PLANTED = ["Ayşe Yılmaz", "Mehmet Demir", "+90 532 111 22 33", "12345678901", "Derya Su", "TR-SAN-0001", "HH-0001",
           "05321234567"]


def test_one_workbook_per_file_with_every_row_not_kept(fixture_raw, tmp_path, monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "feedback test key, not a secret")
    result = clean_quarter(context.build("2022Q4", raw_dir=fixture_raw))
    out = write_clean(result, tmp_path)
    import openpyxl
    books = write_feedback(out, CFG)
    assert books == sorted((out / "feedback").glob("*.xlsx"))
    files = sorted({source.split(" [")[0] for source in result.rejects["source"]})
    assert len(books) == len(files) and len(files) >= 2
    rows = 0
    for book in books:
        sheet = openpyxl.load_workbook(book).active
        cells = list(sheet.iter_rows(values_only=True))
        assert list(cells[0]) == HEADER
        rows += len(cells) - 1
        for line in cells[1:]:
            assert line[2] and line[3] and line[7] and line[8]  # reason and hint in both languages
            text = " ".join(str(cell) for cell in line if cell is not None)
            assert not any(planted in text for planted in PLANTED), text
    assert rows == len(result.rejects)


def test_a_formula_typed_into_a_cell_stays_text(tmp_path, monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "feedback test key, not a secret")
    folder = tmp_path / "raw" / "2023Q1"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text('date,province,activity,beneficiary_id\n2023-02-01,Adana,"=HYPERLINK(""x"")",C1\n'
                                  "2023-02-02,Adana,PROT_LEGAL,C2\n", encoding="utf-8")
    out = write_clean(clean_quarter(context.build("2023Q1", raw_dir=tmp_path / "raw")), tmp_path / "processed")
    write_feedback(out, CFG)
    import openpyxl
    sheet = openpyxl.load_workbook(out / "feedback" / "a.csv.xlsx").active
    value = sheet.cell(row=2, column=6)
    assert value.value.startswith("=HYPERLINK") and value.data_type == "s"
    assert sheet.cell(row=2, column=4).value == texts(CFG)["unknown_activity"]["tr"]


@pytest.mark.parametrize("reason", ["duplicate", "out_of_period", "unknown_province", "missing_required"])
def test_every_reason_has_words_in_both_languages(reason):
    said = texts(CFG)[reason]
    assert all(said[key].strip() for key in ("en", "tr", "hint_en", "hint_tr"))
