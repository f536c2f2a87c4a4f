"""The published totals of quarters before the pipeline: checked by the clean step as the hand-kept table it is."""

from pathlib import Path

import pandas as pd
import pytest

from helpers.clean import totals
from helpers.csvfile import read_csv
from helpers.errors import PublishedTotalsError

HEADER = "quarter,people_reached,source\n"
GOOD = HEADER + "2022Q2,130000,Published quarterly update\n2022Q1,120000,Published quarterly update\n"


def _raw(tmp_path: Path, content: str | bytes) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    path = raw / "published-totals.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return raw


def test_a_good_table_is_checked_into_quarter_order_with_its_two_columns(tmp_path):
    table = totals.read(_raw(tmp_path, GOOD), "2022Q4")
    assert table.columns.tolist() == ["quarter", "people_reached"]  # the source column is for the people who keep it
    assert table["quarter"].tolist() == ["2022Q1", "2022Q2"] and table["people_reached"].tolist() == [120000, 130000]
    written = totals.write(table, tmp_path / "processed" / "2022Q4")
    assert written.read_bytes() == b"quarter,people_reached\r\n2022Q1,120000\r\n2022Q2,130000\r\n"


def test_excel_on_a_turkish_pc_byte_order_mark_and_blank_rows_are_read(tmp_path):
    saved = "quarter;people_reached;source\r\n2022Q1;120000;Yayımlanan güncelleme\r\n;;\r\n\r\n 2022Q2 ; 130000 ;\r\n"
    for content in (saved.encode("cp1254"), b"\xef\xbb\xbf" + GOOD.encode("utf-8")):
        table = totals.read(_raw(tmp_path, content), "2022Q4")
        assert dict(zip(table["quarter"], table["people_reached"], strict=True)) == {"2022Q1": 120000,
                                                                                    "2022Q2": 130000}


def test_no_table_is_no_published_totals(tmp_path):
    table = totals.read(tmp_path, "2022Q4")
    assert table.empty and table.columns.tolist() == ["quarter", "people_reached"]


BAD = [
    # numbers a person typed as they read them in a report: never guessed
    (HEADER + '2022Q1,"67,389",x\n', 2, r"'67,389' is not a whole number written as digits only \(a thousands"),
    (HEADER + "2022Q1,67.389,x\n", 2, r"'67\.389' is not a whole number written as digits only \(a thousands"),
    (HEADER + "2022Q1,1.234.567,x\n", 2, "'1.234.567' is not a whole number"),
    (HEADER + "2022Q1,67,389,Published quarterly update\n", 2, r"4 cells under a header of 3 \(an unquoted comma\?\)"),
    ("quarter,people_reached\n2022Q1,120000\n2022Q2,67,389\n", 3, "3 cells under a header of 2"),
    (HEADER + "2022Q1,67,389\n", 2, r"'67' is followed by '389': one number split by an unquoted comma\?"),
    (HEADER + "2022Q1,67 389,x\n", 2, "'67 389' is not a whole number"),
    (HEADER + "2022Q1,120000.0,x\n", 2, "'120000.0' is not a whole number"),
    (HEADER + "2022Q1,-120000,x\n", 2, "'-120000' is not a whole number"),
    (HEADER + "2022Q1,1e5,x\n", 2, "'1e5' is not a whole number"),
    (HEADER + "2022Q1,inf,x\n", 2, "'inf' is not a whole number"),
    (HEADER + "2022Q1,NaN,x\n", 2, "'NaN' is not a whole number"),
    (HEADER + "2022Q1,١٢٠٠٠٠,x\n", 2, "is not a whole number"),  # Arabic-Indic digits, which int() would read
    (HEADER + "2022Q1,=120000+1,x\n", 2, "is not a whole number"),
    (HEADER + "2022Q1,1234567890123456,x\n", 2, "has more than 15 digits"),
    (HEADER + "2022Q1,120000,x\n2022Q2,,x\n", 3, "no people_reached total"),
    # quarters
    (HEADER + "2022-Q1,120000,x\n", 2, "quarter must look like 2022Q4, got '2022-Q1'"),
    (HEADER + "2022q1,120000,x\n", 2, "quarter must look like 2022Q4"),
    (HEADER + "Q1 2022,120000,x\n", 2, "quarter must look like 2022Q4"),
    (HEADER + ",120000,x\n", 2, "quarter must look like 2022Q4, got ''"),
    (HEADER + "2022Q1,120000,x\n\n2022Q2,130000,x\n2022Q1,125000,corrected\n", 5,
     r"2022Q1 is listed twice \(rows 2 and 5\)"),
    # the header
    ("Quarter,People reached,Source\n2022Q1,120000,x\n", 1, "no column 'quarter'; nearest: 'Quarter'"),
    ("quarter,people,source\n2022Q1,120000,x\n", 1, "no column 'people_reached'; nearest: 'people'"),
    ("quarter,people_reached,quarter\n2022Q1,120000,2022Q2\n", 1, "column 'quarter' twice"),
    ("", None, "empty"),
    # not a text table
    (b"quarter,people_reached\n2022Q1,\x81\x8d\n", 2, "neither UTF-8 nor Windows-1254 text"),
]


@pytest.mark.parametrize(("content", "row", "reason"), BAD)
def test_a_bad_table_stops_naming_the_file_the_row_and_the_reason(tmp_path, content, row, reason):
    raw = _raw(tmp_path, content)
    with pytest.raises(PublishedTotalsError, match=reason) as stopped:
        totals.read(raw, "2022Q4")
    message = str(stopped.value)
    assert message.startswith(f"{raw / 'published-totals.csv'}: ")
    if row is not None:
        assert f": row {row}: " in message


def test_the_checked_copy_is_what_the_history_reads(tmp_path):
    """The copy holds quarters and numbers only; read back it is the checked table."""
    raw = _raw(tmp_path, HEADER + '2022Q1,120000,"=HYPERLINK(""http://x"")"\n')
    table = totals.read(raw, "2022Q4")
    path = totals.write(table, tmp_path / "processed" / "2022Q4")
    assert "HYPERLINK" not in path.read_text(encoding="utf-8")
    back = read_csv(path, dtype={"quarter": "string"})
    pd.testing.assert_frame_equal(back, table, check_dtype=False)
