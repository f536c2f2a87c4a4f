"""Bad input, named (issue 22): each file that would lose rows, mislead or crash is named with why."""

import os
import subprocess
import sys

import pytest

from helpers import context
from helpers.check import check_quarter
from helpers.clean.quarter import clean_quarter, examine_quarter
from helpers.errors import NestedTooDeepError, SourceReadError
from helpers.ingest import readers
from helpers.ingest.readers import read_source
from helpers.ingest.sources import discover_sources

HEADER = "service_date,province,district,site,activity_code,case_id,gender,age,nationality,donor\n"
ROWS = "".join(f"2022-11-0{i},Şanlıurfa,Eyyübiye,Şanlıurfa MMCC,PROT_CASE_MGMT,X{i},F,30,Syrian,Donor A\n"
               for i in range(1, 8))
CP1254_ROW = "2022-11-09,Şanlıurfa,Eyyübiye,Şanlıurfa MMCC,PROT_CASE_MGMT,Y1,F,30,Suriyeli,Donor A\n"


def test_a_utf8_file_with_one_windows_1254_line_is_named_with_line_and_byte(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes((HEADER + ROWS).encode() + CP1254_ROW.encode("cp1254"))
    with pytest.raises(SourceReadError) as refused:
        read_source(path, tmp_path)
    offset = len((HEADER + ROWS).encode()) + CP1254_ROW.encode("cp1254").index("Ş".encode("cp1254"))
    assert refused.value.reason.startswith(f"mixed encodings: UTF-8 up to line 9, where byte {offset:,} (0xDE)")


def test_a_whole_windows_1254_file_is_still_read(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes((HEADER + ROWS + CP1254_ROW).encode("cp1254"))
    (table,) = read_source(path, tmp_path)
    assert len(table.row_number) == 8


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path, encoding):
    path = tmp_path / "unicode-text.csv"
    path.write_bytes((HEADER + ROWS).encode(encoding))
    (table,) = read_source(path, tmp_path)
    assert len(table.row_number) == 7


def test_a_file_name_that_is_not_utf8_is_named_escaped_and_skipped(tmp_path, monkeypatch):
    folder = tmp_path / "raw" / "2022Q4"
    folder.mkdir(parents=True)
    (folder / "good.csv").write_text(HEADER + ROWS, encoding="utf-8")
    bad = os.fsencode(str(folder)) + b"/rapor-\xfe\xf0.csv"  # Windows-1254 bytes of "rapor-şğ.csv"
    with open(bad, "wb") as handle:
        handle.write((HEADER + ROWS).encode())
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "bad input test key, not a secret")
    with pytest.raises(SourceReadError, match=r"^cannot read rapor-\\xfe\\xf0\.csv: the file name is not UTF-8"):
        clean_quarter(context.build("2022Q4", raw_dir=tmp_path / "raw"))  # without --skip-bad-files: the run stops
    exam = examine_quarter(context.build("2022Q4", raw_dir=tmp_path / "raw"))  # skips unreadable files as a run would
    (skipped,) = exam.quality["skipped_files"]
    assert skipped["source"] == "rapor-\\xfe\\xf0.csv" and "not UTF-8" in skipped["reason"]
    assert exam.quality["totals"]["rows_kept"] == 7


def test_a_file_that_shrinks_while_it_is_read_is_named(tmp_path, monkeypatch):
    path = tmp_path / "copying.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    real = readers.read_csv

    def cut_while_reading(*args, **kwargs):
        result = real(*args, **kwargs)
        with open(path, "r+b") as handle:  # another program truncates the file meanwhile
            handle.truncate(100)
        return result

    monkeypatch.setattr(readers, "read_csv", cut_while_reading)
    with pytest.raises(SourceReadError, match="changed while it was read") as refused:
        read_source(path, tmp_path)
    assert refused.value.source == "copying.csv"


def test_folders_nested_too_deep_are_a_clear_error(tmp_path):
    folder = tmp_path / "raw" / "2022Q4"
    deep = str(folder)
    folder.mkdir(parents=True)
    for _ in range(1500):  # one level at a time: os.makedirs itself recurses
        deep = os.path.join(deep, "d")
        os.mkdir(deep)
    try:
        with pytest.raises(NestedTooDeepError, match="nested too deep"):
            discover_sources(folder)
        found = check_quarter("2022Q4", tmp_path / "raw")
        assert any("nested too deep" in line for line in found.stops)
    finally:  # removed from the bottom up: a recursive removal would itself hit the recursion limit
        while deep != str(folder):
            os.rmdir(deep)
            deep = os.path.dirname(deep)


def _workbook(path, rows: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["service_date", "province", "activity_code", "case_id"])
    for i in range(rows):
        sheet.append(["2022-11-01", "Adana", "PROT_CASE_MGMT", f"X{i}"])
    book.save(path)


def test_a_workbook_without_its_dimension_is_counted_while_streaming(tmp_path):
    import dataclasses
    import re
    import zipfile

    from helpers.ingest.rules import load_columns
    from helpers.ingest.workbooks import read_xlsx

    _workbook(tmp_path / "with.xlsx", 3000)
    with zipfile.ZipFile(tmp_path / "with.xlsx") as source, zipfile.ZipFile(tmp_path / "without.xlsx", "w") as out:
        for part in source.infolist():
            data = source.read(part)
            if part.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)  # the declared size, which the old check trusted
            out.writestr(part, data)
    rules = dataclasses.replace(load_columns(), max_cells=5000)
    with pytest.raises(SourceReadError, match=r"holds more than 5,000 cells"):
        read_xlsx(tmp_path / "without.xlsx", "without.xlsx", rules)
    (table,) = read_xlsx(tmp_path / "without.xlsx", "without.xlsx", load_columns())
    assert len(table.row_number) == 3000


def test_the_process_that_opens_workbooks_has_a_memory_limit(tmp_path):
    """In a fresh interpreter, as a run's notebook reads: the limit counts address space beyond what the reading
    process holds, and a test process that has run hundreds of tests holds enough free heap for the child to load
    this workbook without asking for more."""
    _workbook(tmp_path / "big.xlsx", 150_000)
    script = ("import dataclasses, sys\n"
              "from pathlib import Path\n"
              "from helpers.errors import SourceReadError\n"
              "from helpers.ingest.rules import load_columns\n"
              "from helpers.ingest.workbooks import read_xlsx\n"
              "rules = dataclasses.replace(load_columns(), max_reader_memory_bytes=1 << 20)\n"
              "try:\n"
              "    read_xlsx(Path(sys.argv[1]), 'big.xlsx', rules)\n"
              "except SourceReadError as error:\n"
              "    print(error.reason)\n")
    found = subprocess.run([sys.executable, "-c", script, str(tmp_path / "big.xlsx")], capture_output=True,
                           text=True, check=True, timeout=300)
    assert "more than the 1 MB of memory allowed" in found.stdout, found.stderr[-2000:]


@pytest.mark.parametrize("references", [True, False], ids=["cells-named", "cells-unnamed"])
def test_a_formula_cell_saved_without_its_value_is_rejected_for_that_with_a_hint(tmp_path, references):
    """openpyxl writes formulas without calculated values, as scripts and tools that do not calculate do: the
    spreadsheet reader sees blanks, and a row of formulas only vanishes. Each such row is rejected for what it is,
    with what to do, in English and Turkish; also when the cells do not give their references (``r``), which a
    few writers leave out."""
    import re
    import zipfile

    from openpyxl import Workbook, load_workbook

    from helpers.clean.feedback import write_feedback
    from helpers.csvfile import write_csv

    folder = tmp_path / "raw" / "2022Q4"
    folder.mkdir(parents=True)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    for line in ROWS.splitlines():  # rows 2-8: kept
        sheet.append(line.split(","))
    rest = ["Şanlıurfa", "Eyyübiye", "Şanlıurfa MMCC", "PROT_CASE_MGMT"]
    sheet.append(["2022-11-20", *rest, '=CONCAT("Z", 1)', "F", 30, "Syrian", "Donor A"])  # 9: the case id
    sheet.append(["=DATE(2022,11,21)", *rest, "Z2", "F", 30, "Syrian", "Donor A"])  # 10: the date
    sheet.append([f"={column}10" for column in "ABCDEFGHIJ"])  # 11: every cell (the reader drops the row)
    sheet.append(["2022-11-23", *rest, "Z4", "F", "=20+10", "Syrian", "Donor A"])  # 12: the age, not required
    sheet.append(["2022-11-24", *rest, "", "F", 30, "Syrian", "Donor A"])  # 13: truly missing
    book.save(tmp_path / "tracker.xlsx")
    with zipfile.ZipFile(tmp_path / "tracker.xlsx") as source, zipfile.ZipFile(folder / "tracker.xlsx", "w") as out:
        for part in source.infolist():
            data = source.read(part)
            if part.filename.startswith("xl/worksheets/") and not references:
                data = re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", data)
            out.writestr(part, data)
    exam = examine_quarter(context.build("2022Q4", raw_dir=tmp_path / "raw"))
    rejects = exam.rejects.set_index("row_number")
    assert exam.quality["totals"]["rows_read"] == 12 and exam.quality["totals"]["rows_kept"] == 7
    formula = rejects[rejects["reason"] == "formula_without_value"]
    assert dict(formula["column"]) == {9: "beneficiary_id", 10: "date", 11: "date", 12: "age"}
    assert formula["detail"].str.contains("saved without calculated values: open it in Excel or LibreOffice and "
                                        "save it again").all()
    assert rejects.loc[13, "reason"] == "missing_required"
    assert exam.quality["totals"]["by_reason"]["formula_without_value"] == 4
    (tmp_path / "processed").mkdir()
    write_csv(exam.rejects, tmp_path / "processed" / "rejects.csv", encoding="utf-8-sig")  # as a run writes it
    (path,) = write_feedback(tmp_path / "processed")
    said = next(row for row in load_workbook(path).active.iter_rows(values_only=True) if row[1] == 9)
    assert "saved without its calculated value" in said[2] and "formül" in said[3]
    assert "save it again" in said[7] and "yeniden kaydedin" in said[8]
