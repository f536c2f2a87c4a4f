"""Reading every raw-file variant of the input contract into canonical string columns."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.readers import SourceReadError, discover_sources, load_columns, read_source

RAW = Path(__file__).parent / "fixtures" / "raw"
READABLE = [
    "kobo/pss_kobo_utf8_bom.csv",
    "adana_cp1254_semicolon.csv",
    "kilis_iso8859_9_tab.csv",
    "mmcc_tracker.xlsx",
]
# Names, phones and ID numbers written in the fixtures' identifier columns.
IDENTIFIER_VALUES = [
    "Ayşe Yılmaz",
    "532 111 22 33",
    "Mustafa Demir",
    "Mehmet Öztürk",
    "Gülşen Çelik",
    "Şükrü Ağa",
    "777 88 99",
    "Hüseyin Kılıç",
    "Zeynep Şahin",
    "İbrahim Güneş",
    "99123456780",
    "Özlem Doğan",
    "Ali Vural",
    "99887766554",
    "Elif Aksoy",
    "Hasan Arslan",
    "535 999 00 11",
    "Leyla Yıldız",
]


def read(name: str) -> list:
    return read_source(RAW / name, RAW)


def values(frame: pd.DataFrame, column: str) -> list:
    return [None if pd.isna(v) else v for v in frame[column]]


def test_discover_finds_csv_and_xlsx_at_any_depth_and_ignores_the_rest(tmp_path, caplog):
    for name in [
        "b.csv",
        "a/deeper/A.XLSX",
        "README.md",
        ".gitkeep",
        "~$A.xlsx",
        ".ipynb_checkpoints/x.csv",
        "old.xls",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    with caplog.at_level(logging.INFO, logger="helpers.readers"):
        found = discover_sources(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a/deeper/A.XLSX", "b.csv"]
    for ignored in ["README.md", ".gitkeep", "~$A.xlsx", "old.xls"]:
        assert ignored in caplog.text


def test_discover_on_a_missing_folder_says_which():
    with pytest.raises(FileNotFoundError, match="nowhere"):
        discover_sources(RAW / "nowhere")


def test_kobo_export_utf8_bom_english_headers():
    [table] = read("kobo/pss_kobo_utf8_bom.csv")
    assert (table.source, table.sheet) == ("kobo/pss_kobo_utf8_bom.csv", None)
    assert list(table.frame.columns) == [
        "date",
        "province",
        "district",
        "site",
        "activity",
        "activity_detail",
        "beneficiary_id",
        "sex",
        "age",
        "nationality",
        "donor",
    ]
    assert values(table.frame, "province") == ["Şanlıurfa", "İÇEL", "K.Maraş"]
    assert values(table.frame, "activity_detail") == [
        "Group session, adolescents",
        "Counselling\nreferred to legal aid",
        None,
    ]
    # The second record spans two lines in a text editor but is one row in Excel.
    assert table.row_number.tolist() == [2, 3, 4]
    assert table.dropped_identifiers == ["full_name", "phone"]
    assert {"start", "_uuid", "_submission_time"}.isdisjoint(table.unknown_columns)
    metadata = {raw for raw, _, why in table.mapping if why == "kobo metadata (ignored)"}
    assert {"start", "_uuid", "_submission_time"} <= metadata
    assert table.shape == "kobo"


def test_excel_csv_windows_1254_semicolons_title_rows_and_blank_rows():
    [table] = read("adana_cp1254_semicolon.csv")
    frame = table.frame
    assert list(frame.columns) == [
        "date",
        "province",
        "district",
        "site",
        "activity",
        "activity_detail",
        "beneficiary_id",
        "sex",
        "age",
        "amount_try",
    ]
    assert values(frame, "province") == ["Adana", "ADANA", "İçel", None, "Kahramanmaraş"]
    assert values(frame, "amount_try") == ["1.234,50", "850,00", None, None, None]  # parsed by the cleaner
    assert values(frame, "activity_detail")[1:3] == ["Urfa’dan taşınan aile", "Görüşme; sevk edildi"]
    assert values(frame, "date") == ["05.10.2022", "06.10.2022", "07/10/2022", None, "44839"]
    # Title on row 1, empty row 2, header row 3; the blank line 6 and the empty row 8 are not records, and the
    # row with only a name filled (9) is one, so that the cleaner can reject it visibly.
    assert table.row_number.tolist() == [4, 5, 7, 9, 10]
    assert frame.iloc[3].isna().all()
    assert table.dropped_identifiers == ["Ad Soyad", "Telefon"]


def test_notepad_tab_file_iso_8859_9_with_a_short_row():
    [table] = read("kilis_iso8859_9_tab.csv")
    frame = table.frame
    assert values(frame, "province") == ["Kilis", "Şanlıurfa", "Kilis"]
    assert values(frame, "item") == ["Hijyen kiti", "Gıda kolisi", "El dezenfektanı"]
    assert values(frame, "household_size") == ["6", "4", "5"]
    assert values(frame, "quantity") == ["1", "2", None]
    assert values(frame, "donor") == ["Donor C", "Donor C", None]
    assert table.row_number.tolist() == [2, 3, 4]
    assert table.dropped_identifiers == ["Adi Soyadi", "TC Kimlik No"]


def test_workbook_reads_each_sheet_with_a_header_and_skips_the_others(caplog):
    with caplog.at_level(logging.INFO, logger="helpers.readers"):
        october, november = read("mmcc_tracker.xlsx")
    assert (october.sheet, november.sheet) == ("Ekim", "Kasım")
    assert "'Notlar' skipped" in caplog.text and "'Boş' skipped" in caplog.text

    assert values(october.frame, "date") == [
        "2022-10-05",
        "2022-10-06",
        "2022-10-07",
    ]  # date cells, one with a time
    assert values(october.frame, "province") == ["Şanlıurfa", "Urfa", "SANLIURFA"]
    assert values(october.frame, "participants") == [None, "23", None]
    assert values(october.frame, "activity_detail") == ["Türkçe kursu A1", "16 Günlük Aktivizm", None]
    assert october.row_number.tolist() == [4, 5, 7]  # title row 1, blank row 2, header row 3, empty row 6

    assert values(november.frame, "date") == ["44866", "44867"]  # Excel serials, left for the cleaner
    assert values(november.frame, "age") == ["7", "31"]
    assert values(november.frame, "amount_try") == ["12.5", "2500"]
    assert november.row_number.tolist() == [2, 3]


@pytest.mark.parametrize("name", READABLE)
def test_direct_identifiers_never_reach_the_frame(name):
    for table in read(name):
        assert table.dropped_identifiers
        text = "\n".join(table.frame.astype(object).fillna("").to_numpy().ravel())
        assert not [value for value in IDENTIFIER_VALUES if value in text]


@pytest.mark.parametrize("name", READABLE)
def test_every_value_is_text_or_na_and_row_numbers_are_integers(name):
    for table in read(name):
        assert all(pd.api.types.is_string_dtype(dtype) for dtype in table.frame.dtypes)
        assert isinstance(table.row_number, np.ndarray) and table.row_number.dtype.kind == "i"
        assert len(table.row_number) == len(table.frame)
        assert set(table.frame.columns) <= set(load_columns().columns)


def test_reading_leaves_the_raw_files_unchanged():
    def digests():
        return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(RAW.rglob("*")) if p.is_file()}

    before = digests()
    for path in discover_sources(RAW):
        with contextlib.suppress(SourceReadError):
            read_source(path, RAW)
    assert digests() == before


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bad/corrupt.xlsx", "not a readable .xlsx workbook"),
        (
            "bad/no_header.csv",
            "no recognisable header row (looked for date, province, activity in the first 30 rows)",
        ),
    ],
)
def test_unreadable_files_raise_an_error_naming_the_file(name, reason):
    with pytest.raises(SourceReadError) as caught:
        read(name)
    assert caught.value.source == name
    assert str(caught.value).startswith(f"cannot read {name}: ")
    assert reason in caught.value.reason


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx"])
def test_zero_byte_files_are_unreadable(tmp_path, name):
    (tmp_path / name).touch()
    with pytest.raises(SourceReadError, match=name):
        read_source(tmp_path / name, tmp_path)


def test_encoding_is_decided_on_the_whole_file_not_the_first_lines(tmp_path):
    rows = "".join(f"2022-10-{1 + i % 28:02d},Adana,BN_CASH\n" for i in range(60_000))  # > 1 MiB of ASCII
    path = tmp_path / "late.csv"
    path.write_bytes(("date,province,activity\n" + rows + "2022-10-05,Şanlıurfa,PROT_PSS\n").encode("cp1254"))
    [table] = read_source(path, tmp_path)
    assert values(table.frame, "province")[-1] == "Şanlıurfa"
    assert table.row_number[-1] == 60_002


def test_a_byte_undefined_in_windows_1254_reads_as_iso_8859_9(tmp_path):
    path = tmp_path / "iso.csv"
    path.write_bytes("Tarih;İl;Faaliyet\n05.10.2022;İçel;PROT_PSS\x8d\n".encode("iso-8859-9"))
    [table] = read_source(path, tmp_path)
    assert values(table.frame, "province") == ["İçel"]


def test_header_only_file_gives_an_empty_table(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("Tarih,İl,Faaliyet Kodu\n", encoding="utf-8")
    [table] = read_source(path, tmp_path)
    assert list(table.frame.columns) == ["date", "province", "activity"] and table.frame.empty
    assert table.row_number.tolist() == []


def test_two_headers_for_one_column_keep_the_first_non_blank_value(tmp_path, caplog):
    path = tmp_path / "dup.csv"
    path.write_text(
        "Tarih,İl,TARİH,Faaliyet\n,Hatay,2022-10-05,PROT_PSS\n2022-10-06,Hatay,2022-10-01,PROT_PSS\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="helpers.readers"):
        [table] = read_source(path, tmp_path)
    assert values(table.frame, "date") == ["2022-10-05", "2022-10-06"]
    assert "TARİH" in caplog.text  # same alias twice: the file's order decides, and the analyst is warned


def test_the_configured_alias_order_decides_which_header_wins_wherever_it_stands(tmp_path):
    path = tmp_path / "ai.csv"
    path.write_text(
        "Reporting Month,Hizmet Tarihi,Province,Activity,Start Date\n"
        "2023-04,,Hatay,PROT_PSS,2023-04-03\n"  # start date wins over the month
        "2023-05,2023-05-09,Hatay,PROT_PSS,2023-05-02\n"  # hizmet tarihi is listed before start date
        "2023-06,,Hatay,PROT_PSS,\n",  # only the month: the month
        encoding="utf-8",
    )
    [table] = read_source(path, tmp_path)
    assert values(table.frame, "date") == ["2023-04-03", "2023-05-09", "2023-06"]


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("FAALİYET KODU", "activity"),
        ("faaliyet_kodu", "activity"),
        ("Katılımcı Sayısı", "participants"),
        ("HANE BÜYÜKLÜĞÜ", "household_size"),
        ("Doğum Tarihi", "date_of_birth"),
        ("Tutar (TL)", "amount_try"),
        ("group_svc/case_id", "beneficiary_id"),
        ("Donör", "donor"),
        ("YAŞ", "age"),
        ("Notlar", None),
    ],
)
def test_headers_match_after_turkish_folding(header, canonical):
    assert load_columns().canonical(header) == canonical


@pytest.mark.parametrize(
    "header",
    [
        "Ad Soyad",
        "ADI SOYADI",
        "Telefon (GSM)",
        "T.C. Kimlik No",
        "YKN",
        "e-mail",
        "group_person/full_name",
        "Adres",
    ],
)
def test_identifier_headers_are_recognised_in_any_spelling(header):
    spec = load_columns()
    assert spec.is_identifier(header) and spec.canonical(header) is None


def test_an_alias_listed_twice_in_the_configuration_is_an_error(tmp_path):
    path = tmp_path / "columns.yml"
    path.write_text(
        "header_search_rows: 30\ncolumns:\n  date: {aliases: [tarih]}\n  site: {aliases: [Tarih]}\n"
        "identifiers: [name]\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="Tarih"):
        load_columns(path)


def test_quoted_fields_spanning_lines_are_read_whole_wherever_they_fall(tmp_path, monkeypatch):
    monkeypatch.setattr("helpers.readers._CHUNK_BYTES", 1024)  # many parse blocks, split mid-record
    records = [f'2022-10-05,Hatay,PROT_PSS,"note {i}\nsecond line, with a comma"\n' for i in range(300)]
    path = tmp_path / "notes.csv"
    path.write_text("date,province,activity,description\n" + "".join(records), encoding="utf-8")
    [table] = read_source(path, tmp_path)
    assert values(table.frame, "activity_detail") == [
        f"note {i}\nsecond line, with a comma" for i in range(300)
    ]
    assert table.row_number.tolist() == list(range(2, 302))


def test_excel_unicode_text_utf16_with_bom(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes("Tarih\tİl\tFaaliyet Kodu\r\n05.10.2022\tKahramanmaraş\tPROT_PSS\r\n".encode("utf-16"))
    [table] = read_source(path, tmp_path)
    assert values(table.frame, "province") == ["Kahramanmaraş"]
    assert table.row_number.tolist() == [2]
