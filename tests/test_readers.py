"""Reading every raw-file variant of the input contract into canonical string columns."""

from __future__ import annotations

import contextlib
import dataclasses
import faulthandler
import hashlib
import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import CFG, edit

from helpers import context
from helpers.clean.quarter import clean_quarter
from helpers.config import Configuration
from helpers.errors import ConfigError, SourceReadError
from helpers.ingest import workbooks
from helpers.ingest.readers import read_source
from helpers.ingest.rules import load_columns
from helpers.ingest.sources import discover_sources
from helpers.ingest.tables import NotRead, SourceTables

RAW = Path(__file__).parent / "fixtures" / "raw"
EXPORTS = Path(__file__).parent / "fixtures" / "exports"
ALIAS, HXL, IDENTIFIER, METADATA, UNKNOWN = (
    "alias", "hxl", "identifier (dropped)", "kobo metadata (ignored)", "unknown (ignored)")
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
    return read_source(RAW / name, RAW, load_columns(CFG))


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
    with caplog.at_level(logging.INFO, logger="helpers.ingest"):
        found = discover_sources(tmp_path)
    # old.xls is listed so that read_source refuses it by name (a partner's rows never vanish silently)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a/deeper/A.XLSX", "b.csv", "old.xls"]
    for ignored in ["README.md", ".gitkeep", "~$A.xlsx"]:
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
    with caplog.at_level(logging.INFO, logger="helpers.ingest"):
        tables = read("mmcc_tracker.xlsx")
    october, november = tables
    assert (october.sheet, november.sheet) == ("Ekim", "Kasım")
    assert "'Notlar' skipped" in caplog.text and "'Boş' skipped" in caplog.text
    assert [part.sheet for part in tables.not_read] == ["Notlar"]  # listed; the empty sheet is not
    assert "no recognisable header row" in tables.not_read[0].reason

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
        assert set(table.frame.columns) <= set(load_columns(CFG).columns)


def test_reading_leaves_the_raw_files_unchanged():
    def digests():
        return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(RAW.rglob("*")) if p.is_file()}

    before = digests()
    for path in discover_sources(RAW):
        with contextlib.suppress(SourceReadError):
            read_source(path, RAW, load_columns(CFG))
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
        read_source(tmp_path / name, tmp_path, load_columns(CFG))


def test_encoding_is_decided_on_the_whole_file_not_the_first_lines(tmp_path):
    rows = "".join(f"2022-10-{1 + i % 28:02d},Adana,BN_CASH\n" for i in range(60_000))  # > 1 MiB of ASCII
    path = tmp_path / "late.csv"
    path.write_bytes(("date,province,activity\n" + rows + "2022-10-05,Şanlıurfa,PROT_PSS\n").encode("cp1254"))
    [table] = read_source(path, tmp_path, load_columns(CFG))
    assert values(table.frame, "province")[-1] == "Şanlıurfa"
    assert table.row_number[-1] == 60_002


def test_a_byte_undefined_in_windows_1254_reads_as_iso_8859_9(tmp_path):
    path = tmp_path / "iso.csv"
    path.write_bytes("Tarih;İl;Faaliyet\n05.10.2022;İçel;PROT_PSS\x8d\n".encode("iso-8859-9"))
    [table] = read_source(path, tmp_path, load_columns(CFG))
    assert values(table.frame, "province") == ["İçel"]


def test_header_only_file_gives_an_empty_table(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("Tarih,İl,Faaliyet Kodu\n", encoding="utf-8")
    [table] = read_source(path, tmp_path, load_columns(CFG))
    assert list(table.frame.columns) == ["date", "province", "activity"] and table.frame.empty
    assert table.row_number.tolist() == []


def test_two_headers_for_one_column_keep_the_first_non_blank_value(tmp_path, caplog):
    path = tmp_path / "dup.csv"
    path.write_text(
        "Tarih,İl,TARİH,Faaliyet\n,Hatay,2022-10-05,PROT_PSS\n2022-10-06,Hatay,2022-10-01,PROT_PSS\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="helpers.ingest"):
        [table] = read_source(path, tmp_path, load_columns(CFG))
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
    [table] = read_source(path, tmp_path, load_columns(CFG))
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
    assert load_columns(CFG).canonical(header) == canonical


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
        "Tel-1",
        "Telefon 2",
        "Phone2",
        "Cep Telefonu",
    ],
)
def test_identifier_headers_are_recognised_in_any_spelling(header):
    spec = load_columns(CFG)
    assert spec.is_identifier(header) and spec.canonical(header) is None


def test_an_alias_listed_twice_in_the_configuration_is_an_error(config_copy):
    edit(config_copy / "columns.yml", "aliases: [centre, center,", "aliases: [Tarih, centre, center,")
    with pytest.raises(ValueError, match="header 'Tarih' is listed under both date and site"):
        load_columns(Configuration(config_copy))


def test_a_malformed_columns_file_names_the_file_and_the_key(config_copy):
    edit(config_copy / "columns.yml", "header_search_rows: 30", "header_search_rows: thirty")
    with pytest.raises(ConfigError, match=r"columns\.yml: header_search_rows: Input should be a valid integer"):
        load_columns(Configuration(config_copy))


def test_quoted_fields_spanning_lines_are_read_whole_wherever_they_fall(tmp_path, monkeypatch):
    monkeypatch.setattr("helpers.ingest.delimited._CHUNK_BYTES", 1024)  # many parse blocks, split mid-record
    records = [f'2022-10-05,Hatay,PROT_PSS,"note {i}\nsecond line, with a comma"\n' for i in range(300)]
    path = tmp_path / "notes.csv"
    path.write_text("date,province,activity,description\n" + "".join(records), encoding="utf-8")
    [table] = read_source(path, tmp_path, load_columns(CFG))
    assert values(table.frame, "activity_detail") == [
        f"note {i}\nsecond line, with a comma" for i in range(300)
    ]
    assert table.row_number.tolist() == list(range(2, 302))


def test_excel_unicode_text_utf16_with_bom(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes("Tarih\tİl\tFaaliyet Kodu\r\n05.10.2022\tKahramanmaraş\tPROT_PSS\r\n".encode("utf-16"))
    [table] = read_source(path, tmp_path, load_columns(CFG))
    assert values(table.frame, "province") == ["Kahramanmaraş"]
    assert table.row_number.tolist() == [2]


# --- the shapes of real exports (tests/fixtures/exports, built by make_exports.py) -------------------------


def exported(name: str) -> SourceTables:
    return read_source(EXPORTS / name, EXPORTS, load_columns(CFG))


def test_kobo_csv_xml_values_hxl_row_metadata_and_group_paths():
    read = exported("kobo_xml_values_hxl.csv")  # ";", every cell quoted, CRLF, HXL row under the header
    [table] = read
    assert read.not_read == []
    assert table.shape == "kobo"
    metadata = ["start", "end", "today", "deviceid"]
    tail = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
            "__version__", "_tags", "_index"]
    assert table.mapping == [
        *((name, None, METADATA) for name in metadata),
        ("grp_service/service_date", "date", ALIAS),
        ("grp_service/province", "province", ALIAS),
        ("grp_service/district", "district", ALIAS),
        ("grp_service/site", "site", ALIAS),
        ("grp_service/activity_code", "activity", ALIAS),
        ("grp_service/kit", "item", HXL),  # header unknown, hashtag #item+name
        ("grp_benef/case_id", "beneficiary_id", ALIAS),
        ("grp_benef/full_name", None, IDENTIFIER),
        ("grp_benef/phone", None, IDENTIFIER),
        ("grp_benef/gender", "sex", ALIAS),
        ("grp_benef/age", "age", ALIAS),
        ("grp_benef/nationality", "nationality", ALIAS),
        ("grp_benef/vulnerabilities", None, UNKNOWN),
        ("grp_benef/vulnerabilities/disability", "disability", ALIAS),  # select-multiple 0/1 column
        ("grp_benef/vulnerabilities/elderly", None, UNKNOWN),
        *((name, None, METADATA) for name in tail),
    ]
    assert table.row_number.tolist() == [3, 4, 5, 6, 7]  # header row 1, HXL row 2 is not a record
    frame = table.frame
    assert "population_group" not in frame  # _status (submitted_via_web) is not "status"
    assert values(frame, "date") == ["2023-04-14", "2023-04-17", "2023-05-02", "2023-05-09", "2023-06-01"]
    assert values(frame, "province") == ["TUR063", "TUR063", "TUR033", "TUR031", "TUR063"]
    assert values(frame, "disability") == ["1", "0", "0", "1", "0"]
    assert values(frame, "item") == [None, None, "hygiene_kit", None, None]
    assert table.summary_rows == []


def test_kobo_xlsx_labels_repeat_group_sheet_is_listed_not_read():
    read = exported("kobo_labels_tr_repeat.xlsx")
    [table] = read
    assert table.sheet == "Koruma Hizmetleri"
    assert table.shape == "kobo"
    assert [(part.source, part.sheet) for part in read.not_read] == [("kobo_labels_tr_repeat.xlsx", "Hane Üyeleri")]
    assert "repeat group" in read.not_read[0].reason and "_parent_index" in read.not_read[0].reason
    assert [(raw, column) for raw, column, why in table.mapping if why not in (METADATA,)] == [
        ("Hizmet Bilgileri/Hizmet tarihi", "date"),
        ("Hizmet Bilgileri/İl", "province"),
        ("Hizmet Bilgileri/İlçe", "district"),
        ("Hizmet Bilgileri/Faaliyet", "activity"),
        ("Yararlanıcı/Vaka numarası", "beneficiary_id"),
        ("Yararlanıcı/Adı Soyadı", None),
        ("Yararlanıcı/Telefon", None),
        ("Yararlanıcı/Cinsiyet", "sex"),
        ("Yararlanıcı/Yaş", "age"),
        ("Yararlanıcı/Uyruk", "nationality"),
        ("Kırılganlıklar/Engellilik", "disability"),
    ]
    assert sum(why == METADATA for _, _, why in table.mapping) == 13
    assert table.dropped_identifiers == ["Yararlanıcı/Adı Soyadı", "Yararlanıcı/Telefon"]
    assert table.row_number.tolist() == [2, 3, 4]
    assert values(table.frame, "activity") == ["Vaka yönetimi", "Psikososyal destek", "Vaka yönetimi"]


def test_activityinfo_export_start_date_before_reporting_month_and_comments_left_out():
    [table] = exported("activityinfo_records.csv")
    assert table.shape == "activityinfo"
    assert table.mapping == [
        ("Record ID", None, UNKNOWN),
        ("Partner", None, UNKNOWN),
        ("Province", "province", ALIAS),
        ("Activity", "activity", ALIAS),
        ("Start Date", "date", ALIAS),
        ("End Date", None, UNKNOWN),  # not the service date
        ("Reporting Month", "date", ALIAS),
        ("Number of participants", "participants", ALIAS),
        ("Quantity", "quantity", ALIAS),
        ("Comments", None, UNKNOWN),  # free text that may hold identifiers: never published
    ]
    assert table.row_number.tolist() == [2, 3, 4, 5]
    assert values(table.frame, "date") == ["2023-04-03", "2023-05", "2023-06-12", "2023-06-20"]
    assert values(table.frame, "quantity") == [None, None, "25.00", "40.00"]
    assert "activity_detail" not in table.frame


def test_turkish_tracker_month_sheets_title_rows_identifiers_and_totals_rows():
    april, may = exported("tracker_tr_months.xlsx")
    assert (april.sheet, may.sheet) == ("Nisan 2023", "Mayıs 2023")
    assert april.shape == may.shape == "tracker"
    expected = [
        ("Sıra No", None, UNKNOWN), ("Tarih", "date", ALIAS), ("İl", "province", ALIAS),
        ("İlçe", "district", ALIAS), ("Faaliyet", "activity", ALIAS), ("Adı Soyadı", None, IDENTIFIER),
        ("T.C. Kimlik No", None, IDENTIFIER), ("Cep Telefonu", None, IDENTIFIER), ("Tel-1", None, IDENTIFIER),
        ("Adres", None, IDENTIFIER), ("Hane No", "household_id", ALIAS),
        ("Hane Büyüklüğü", "household_size", ALIAS), ("Tutar (TL)", "amount_try", ALIAS),
        ("Açıklama", "activity_detail", ALIAS),
    ]
    assert april.mapping == may.mapping == expected
    # April: 2 title rows, a blank row, header on row 4, a blank row 7, TOPLAM on row 9.
    assert april.row_number.tolist() == [5, 6, 8]
    assert april.summary_rows == [(9, "TOPLAM")]
    # May: "Genel Toplam:" written in the date column counts as no date.
    assert may.row_number.tolist() == [4, 5]
    assert may.summary_rows == [(6, "Genel Toplam:")]
    cells = {v for table in (april, may) for column in table.frame for v in table.frame[column].dropna()}
    for identifier in ["Ayşe Yılmaz", "10000000146", "0532 111 22 33", "0414 222 33 44", "777 88 99", "Akabe Mah."]:
        assert identifier not in cells


@pytest.mark.parametrize(
    ("row", "summary"),
    [
        ("TOPLAM,,,,15,4000", True),
        ("Toplam:,,,,15,4000", True),
        (",,,Genel Toplam,15,4000", True),  # the totals word in the activity column: no activity
        ("Total,2023-04-05,Hatay,PROT_PSS,3,", False),  # a site named Total with a date and an activity
        ("TOPLAM,2023-04-05,,,15,4000", False),  # dated: a record (the cleaner judges it)
        ("Toplam tutar,,,,15,4000", False),  # not exactly a totals word
        (",,Hatay,,15,4000", False),  # no totals word: a record the cleaner rejects
    ],
)
def test_totals_rows_are_set_apart_only_under_the_strict_rule(tmp_path, row, summary):
    path = tmp_path / "t.csv"
    path.write_text(f"Merkez,Tarih,İl,Faaliyet,Hane Büyüklüğü,Tutar\nA,2023-04-04,Hatay,PROT_PSS,2,\n{row}\n",
                    encoding="utf-8")
    [table] = read_source(path, tmp_path, load_columns(CFG))
    assert table.row_number.tolist() == ([2] if summary else [2, 3])
    assert [number for number, _ in table.summary_rows] == ([3] if summary else [])


def test_hashtags_map_unrecognised_headers_and_the_hxl_row_is_not_a_record(tmp_path):
    path = tmp_path / "hxl.csv"
    path.write_text("Q1,Q2,Q3,Status,_status\n#date,#adm1+name,#activity+code,,\n"
                    "2023-04-03,Hatay,PROT_PSS,refugee,submitted_via_web\n", encoding="utf-8")
    [table] = read_source(path, tmp_path, load_columns(CFG))
    assert table.mapping == [("Q1", "date", HXL), ("Q2", "province", HXL), ("Q3", "activity", HXL),
                             ("Status", "population_group", ALIAS), ("_status", None, METADATA)]
    assert table.row_number.tolist() == [3]
    assert values(table.frame, "population_group") == ["refugee"]


def test_the_hxl_row_of_a_workbook_is_not_a_record(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Soru 1", "Soru 2", "Faaliyet", "_uuid"])
    book.active.append(["#date", "#adm1+code", "#activity+code", None])
    book.active.append(["2023-04-03", "TUR031", "PROT_PSS", "a1"])
    book.save(tmp_path / "kobo.xlsx")
    [table] = read_source(tmp_path / "kobo.xlsx", tmp_path, load_columns(CFG))
    assert [(raw, column, why) for raw, column, why in table.mapping] == [
        ("Soru 1", "date", HXL), ("Soru 2", "province", HXL), ("Faaliyet", "activity", ALIAS),
        ("_uuid", None, METADATA)]
    assert table.row_number.tolist() == [3] and table.shape == "kobo"
    assert values(table.frame, "province") == ["TUR031"]


def test_a_row_with_one_hashtag_among_data_is_a_record(tmp_path):
    path = tmp_path / "not_hxl.csv"
    path.write_text("Tarih,İl,Faaliyet,Açıklama\n2023-04-03,Hatay,PROT_PSS,#yardım\n", encoding="utf-8")
    [table] = read_source(path, tmp_path, load_columns(CFG))
    assert table.row_number.tolist() == [2]
    assert values(table.frame, "activity_detail") == ["#yardım"]


@pytest.mark.parametrize(
    ("tag", "column"),
    [("#date", "date"), ("#adm1+code", "province"), ("#adm1 +name +v_pcode", "province"), ("#date+end", None),
     ("#contact+phone", None), ("#item+name", "item"), ("not a tag", None)],
)
def test_hxl_patterns_follow_the_hxl_standard(tag, column):
    assert load_columns(CFG).hxl_column(tag) == column


def test_kobo_metadata_never_maps_but_plain_headers_still_do():
    spec = load_columns(CFG)
    for name in ["_status", "start", "today", "meta/instanceID", "_submission__uuid", "__version__"]:
        assert spec.map_header(name) == (None, METADATA), name
    assert spec.map_header("Status") == ("population_group", ALIAS)
    assert spec.map_header("Start Date") == ("date", ALIAS)



@pytest.mark.parametrize("header", [
    "Hane büyüklüğü", "Hane Bilgileri/Hane büyüklüğü", "Hane Bilgileri-Hane büyüklüğü", "Hane Bilgileri.Hane büyüklüğü",
    "Hane büyüklüğü (kişi)", "Hane Bilgileri/Hane büyüklüğü (kişi)", "Hane Bilgileri - Hane büyüklüğü [kişi]",
    "Hane büyüklüğü:", "grp_hh/Household size (persons):", "Household.Household size",
])
def test_a_label_reads_the_same_with_any_group_path_brackets_units_or_colon(header):
    """Issue 21, build 5: a partner tracker's header (not a form's) is matched with or without its group path
    (``/``, ``-`` or ``.``), brackets, units and a trailing colon."""
    assert load_columns(CFG).map_header(header) == ("household_size", ALIAS)


# --- hostile files -----------------------------------------------------------------------------------------


def test_a_workbook_declaring_a_huge_sheet_is_refused_before_it_is_loaded(monkeypatch):
    def never(*args):
        raise AssertionError("the workbook was loaded")

    monkeypatch.setattr(workbooks, "_load_sheets_isolated", never)
    with pytest.raises(SourceReadError) as error:
        read_source(EXPORTS / "hostile" / "dimension_bomb.xlsx", EXPORTS, load_columns(CFG))
    assert error.value.source == "hostile/dimension_bomb.xlsx"
    assert "A1:XFD1048576" in error.value.reason and "17,179,869,184 cells" in error.value.reason


def test_a_workbook_unpacking_beyond_the_limit_is_refused():
    spec = dataclasses.replace(load_columns(CFG), max_uncompressed_bytes=4096)
    with pytest.raises(SourceReadError, match=r"tracker_tr_months\.xlsx.*more than the 0 MB allowed"):
        read_source(EXPORTS / "tracker_tr_months.xlsx", EXPORTS, spec)


def test_a_bad_workbook_is_skipped_by_the_cleaner_with_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "readers test key, not a secret")
    folder = tmp_path / "2023Q2"
    folder.mkdir()
    shutil.copy(EXPORTS / "hostile" / "dimension_bomb.xlsx", folder)
    shutil.copy(EXPORTS / "activityinfo_records.csv", folder)
    with pytest.raises(SourceReadError, match=r"dimension_bomb\.xlsx"):
        clean_quarter(context.build("2023Q2", raw_dir=tmp_path))
    result = clean_quarter(context.build("2023Q2", raw_dir=tmp_path), skip_bad_files=True)
    [skipped] = result.quality["skipped_files"]
    assert skipped["source"] == "dimension_bomb.xlsx" and "cells" in skipped["reason"]


def _abort(*args):
    """Stands in for the workbook reader in the child process: dies as a crashing native library would
    (quietly: pytest's fault handler would print the child's stack into the test log)."""
    faulthandler.disable()
    os.abort()


def test_a_reader_crash_becomes_an_error_naming_the_file(monkeypatch):
    monkeypatch.setattr(workbooks, "_load_sheets", _abort)
    with pytest.raises(SourceReadError) as error:
        read_source(EXPORTS / "tracker_tr_months.xlsx", EXPORTS, load_columns(CFG))
    assert error.value.source == "tracker_tr_months.xlsx" and "crashed" in error.value.reason


def test_a_symlink_out_of_the_raw_folder_is_not_read_and_is_listed(tmp_path, caplog):
    secret = tmp_path / "elsewhere" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("Tarih,İl,Faaliyet\n2023-04-03,Hatay,PROT_PSS\n", encoding="utf-8")
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    (raw / "link.csv").symlink_to(secret)
    (raw / "sub" / "inside.csv").write_text("Tarih,İl,Faaliyet\n2023-04-04,Hatay,PROT_PSS\n", encoding="utf-8")
    (raw / "alias.csv").symlink_to(raw / "sub" / "inside.csv")
    (raw / "linked_folder").symlink_to(secret.parent, target_is_directory=True)
    (raw / "sub_again").symlink_to(raw / "sub", target_is_directory=True)
    assert [p.relative_to(raw).as_posix() for p in discover_sources(raw)] == [
        "alias.csv", "link.csv", "linked_folder", "sub/inside.csv"]  # the link inside the folder: not twice
    [folder_part] = read_source(raw / "linked_folder", raw, load_columns(CFG)).not_read
    assert folder_part.source == "linked_folder" and "outside the raw data folder" in folder_part.reason
    with caplog.at_level(logging.WARNING, logger="helpers.ingest"):
        outside = read_source(raw / "link.csv", raw, load_columns(CFG))
    assert list(outside) == []
    [part] = outside.not_read
    assert part.source == "link.csv" and part.sheet is None and "outside the raw data folder" in part.reason
    assert "link.csv" in caplog.text
    [inside] = read_source(raw / "alias.csv", raw, load_columns(CFG))
    assert values(inside.frame, "date") == ["2023-04-04"]


def test_clean_accounts_totals_rows_and_lists_repeat_groups(tmp_path, monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "readers test key, not a secret")
    folder = tmp_path / "2023Q2"
    folder.mkdir()
    for name in ["tracker_tr_months.xlsx", "kobo_labels_tr_repeat.xlsx"]:
        shutil.copy(EXPORTS / name, folder)
    result = clean_quarter(context.build("2023Q2", raw_dir=tmp_path))
    quality = result.quality
    totals = quality["totals"]
    assert totals["rows_read"] == 3 + 2 + 2 + 3  # records and totals rows; never the repeat group's 4 rows
    assert totals["summary_row"] == 2 and totals["by_reason"]["summary_row"] == 2
    assert totals["rows_read"] == (totals["rows_kept"] + totals["duplicate"] + totals["out_of_period"]
                                   + totals["summary_row"] + totals["rejected"])
    for name, read, summary in [("tracker_tr_months.xlsx [Nisan 2023]", 4, 1),
                                ("tracker_tr_months.xlsx [Mayıs 2023]", 3, 1),
                                ("kobo_labels_tr_repeat.xlsx [Koruma Hizmetleri]", 3, 0)]:
        counts = quality["files"][name]
        assert (counts["rows_read"], counts["summary_row"]) == (read, summary), name
        assert "summary_row" not in counts["rejected_by_reason"]
    summaries = result.rejects[result.rejects["reason"] == "summary_row"]
    assert sorted(zip(summaries["source"], summaries["row_number"], summaries["value"], strict=True)) == [
        ("tracker_tr_months.xlsx [Mayıs 2023]", 6, "Genel Toplam:"),
        ("tracker_tr_months.xlsx [Nisan 2023]", 9, "TOPLAM"),
    ]
    assert quality["not_read"] == [dataclasses.asdict(NotRead(
        "kobo_labels_tr_repeat.xlsx", "Hane Üyeleri", exported("kobo_labels_tr_repeat.xlsx").not_read[0].reason))]


def test_a_workbook_says_which_cells_held_typed_numbers(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Tarih", "İl", "Faaliyet", "Tutar"])
    book.active.append(["05.10.2022", "Adana", "BN_CASH", 1250.5])
    book.active.append(["06.10.2022", "Adana", "BN_CASH", "1.500"])
    book.active.append([None, None, None, None])
    book.active.append(["07.10.2022", "Adana", "BN_CASH", 7])
    book.save(tmp_path / "nakit.xlsx")
    (table,) = read_source(tmp_path / "nakit.xlsx", tmp_path, load_columns(CFG))
    assert table.frame["amount_try"].tolist() == ["1250.5", "1.500", "7"]
    assert set(table.numbers) == {"amount_try"} and table.numbers["amount_try"].tolist() == [True, False, True]
