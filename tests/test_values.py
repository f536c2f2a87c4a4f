"""Values as field tools write them, through the whole cleaning: labels, vocabularies, dates, numbers, bounds."""

import csv
import json

import pandas as pd
import pytest
from conftest import CFG

from helpers import context
from helpers.clean import normalise
from helpers.clean.quarter import clean_quarter, write_clean

HEADER = ["Tarih", "İl", "Faaliyet", "Vaka No", "Hane No", "Hane Büyüklüğü", "Cinsiyet", "Uyruk", "Engel Durumu",
          "Tutar"]


def write(folder, name, rows, header=HEADER):
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)


def person(date, activity="PROT_CASE_MGMT", case="TR-1", sex="K", nationality="", disability="", province="Adana"):
    return (date, province, activity, case, "", "", sex, nationality, disability, "")


def cash(household, amount, date="2022-10-05"):
    return (date, "Adana", "BN_CASH", "", household, "4", "", "", "", amount)


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "a test key of some length")


def by_row(result):
    return result.rejects.set_index("row_number")


def test_kobo_labels_and_turkish_vocabularies_are_kept(tmp_path, key):
    write(tmp_path / "2022Q4", "kobo.csv", [
        person("2022-10-14T09:50:00.000+03:00", "Vaka yönetimi", "TR-1", "Kadın", "Suriye", "Evet"),
        person("2022-10-14", "VAKA YÖNETİMİ", "TR-2", "Erkek", "SURİYE", "Hayır"),
        person("6 Ekim 2022", "vaka yonetimi", "TR-3", "Kız", "Türk", ""),
        person("Ekim 12, 2022", "prot_case_mgmt", "TR-4", "Erkek çocuk", "Afganistan", "hayır"),
        person("12.10.22", "Case management", "TR-5", "E", "İran", ""),
        person("2022-10-06", "Psikososyal destek", "TR-6"),
        person("2022-10-06", "Vaka yönetim", "TR-7"),  # a label that matches nothing: never guessed
    ])
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    assert result.records["activity"].astype(str).tolist() == ["PROT_CASE_MGMT"] * 5 + ["PROT_PSS"]
    assert result.records["sex"].astype(str).tolist()[:5] == ["female", "male", "female", "male", "male"]
    assert result.records["nationality"].astype(str).tolist()[:5] == ["Syrian", "Syrian", "Turkish", "Afghan",
                                                                      "Iranian"]
    assert result.records["disability"].tolist()[:4] == [True, False, pd.NA, False]
    assert result.records["date"].dt.strftime("%Y-%m-%d").tolist()[:5] == [
        "2022-10-14", "2022-10-14", "2022-10-06", "2022-10-12", "2022-10-12"]
    assert by_row(result).at[8, "reason"] == "unknown_activity"


def test_unrecognised_optional_values_are_kept_as_unknown_and_counted(tmp_path, key):
    write(tmp_path / "2022Q4", "log.csv", [
        person("2022-10-05", case="TR-1", sex="xyz"), person("2022-10-05", case="TR-2", sex="xyz"),
        person("2022-10-05", case="TR-3", sex="xyz", nationality="Narnian"),
        person("2022-10-05", case="TR-4", sex="0532 123 45 67", disability="belki"),
    ])
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    assert len(result.records) == 4 and result.rejects.empty
    assert result.records["sex"].astype(str).tolist() == ["unknown"] * 4
    assert result.records["nationality"].isna().all()
    assert result.records["population_group"].astype(str).tolist() == ["unknown"] * 4
    unknown = json.loads((write_clean(result, tmp_path / "out") / "quality.json").read_text())["unknown_values"]
    assert unknown == {"sex": {"xyz": 3, "(withheld: identifier-shaped)": 1}, "nationality": {"Narnian": 1},
                       "population_group": {}, "disability": {"belki": 1}}
    assert "0532" not in json.dumps(result.quality)


def test_amounts_are_read_by_each_files_own_evidence(tmp_path, key):
    write(tmp_path / "2022Q4", "turkish.csv", [
        cash("H1", "1.250,50"), cash("H2", "2.000,00 TL"), cash("H3", "2,750"), cash("H4", "1.500"), cash("H5", "₺750"),
        cash("H6", "1500 TL"),
    ])
    write(tmp_path / "2022Q4", "english.csv", [cash("E1", "25.00"), cash("E2", "1,500"), cash("E3", "1,234.50")])
    write(tmp_path / "2022Q4", "unclear.csv", [
        cash("U1", "1,500"), cash("U2", "0.500"), cash("U3", "750"), cash("U4", "0,500"),
    ])
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    amounts = result.records.set_index("household_id")["amount_try"]
    by_source = result.records.groupby("source", observed=True)["amount_try"].apply(list).to_dict()
    assert by_source["turkish.csv"] == [1250.5, 2000, 2.75, 1500, 750, 1500]
    assert by_source["english.csv"] == [25, 1500, 1234.5]
    assert by_source["unclear.csv"] == [750]
    assert len(amounts) == 10
    unclear = result.rejects[result.rejects["source"] == "unclear.csv"].set_index("row_number")
    assert unclear["reason"].tolist() == ["ambiguous_value"] * 3
    assert unclear["column"].tolist() == ["amount_try"] * 3
    assert unclear["detail"].tolist() == ["1,500 could be 1500 or 1.5", "0.500 could be 500 or 0.5",
                                          "0,500 could be 500 or 0.5"]
    assert result.quality["totals"]["by_reason"]["ambiguous_value"] == 3


def test_a_workbooks_sheets_settle_each_others_numbers_and_dates(tmp_path, key):
    from openpyxl import Workbook

    book = Workbook()
    april = book.active
    april.title = "Nisan"
    for row in [HEADER, cash("H1", "2.000,00 TL", "05.04.2023"), cash("H2", "750", "25/04/2023")]:
        april.append(list(row))
    may = book.create_sheet("Mayıs")
    for row in [HEADER, cash("H3", "1.500", "03/05/2023")]:
        may.append(list(row))
    folder = tmp_path / "2023Q2"
    folder.mkdir()
    book.save(folder / "tracker.xlsx")
    result = clean_quarter(context.build("2023Q2", raw_dir=tmp_path))
    may = result.records[result.records["source"] == "tracker.xlsx [Mayıs]"]
    assert may["amount_try"].tolist() == [1500]  # the April sheet writes a decimal comma
    assert may["date"].tolist() == [pd.Timestamp("2023-05-03")]  # and its dates day first
    assert len(result.records) == 3


def test_a_rejected_row_still_shows_how_its_file_writes_numbers(tmp_path, key):
    write(tmp_path / "2022Q4", "log.csv", [
        ("2022-10-05", "Narnia", "BN_CASH", "", "H1", "4", "", "", "", "1.250,50"),  # rejected for its province
        cash("H2", "1.500"),
    ])
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    assert result.records["amount_try"].tolist() == [1500]


def test_non_finite_and_implausible_numbers_are_invalid_with_the_bound_named(tmp_path, key):
    write(tmp_path / "2022Q4", "log.csv", [
        cash("H1", "inf"), cash("H2", "1e308"), cash("H3", "NaN"), cash("H4", "2000000"), cash("H5", "-0"),
        cash("H6", "1.000.000,00"),
    ])
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    rejects = by_row(result)
    assert rejects.loc[[2, 3, 4, 5], "reason"].tolist() == ["invalid_value"] * 4
    bound = f"{CFG.setting('max_amount_try'):,}"
    assert rejects.loc[5, "detail"] == f"must be a number from 0 to {bound} (config max_amount_try)"
    assert result.records["amount_try"].tolist() == [0, 1_000_000]
    assert str(result.records["amount_try"].iloc[0]) == "0.0"  # -0 is 0


def test_month_only_dates_belong_to_their_months_quarter(tmp_path, key):
    write(tmp_path / "2022Q4", "activityinfo.csv", [
        person("2022-12", case="TR-1"), person("Ekim 2022", case="TR-2"), person("11/2022", case="TR-3"),
        person("2022-09", case="TR-4"), person("Ocak 2023", case="TR-5"), person("2022-13", case="TR-6"),
    ])
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    assert result.records["date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-12-01", "2022-10-01", "2022-11-01"]
    assert by_row(result)["reason"].tolist() == ["out_of_period", "out_of_period", "unparseable_date"]


def test_two_activities_sharing_a_label_are_a_configuration_error():
    catalogue = CFG.activities().copy()
    catalogue.loc["PROT_LEGAL", "label_tr"] = "VAKA YÖNETİMİ"
    with pytest.raises(normalise.VocabularyError, match="names both PROT_CASE_MGMT and PROT_LEGAL"):
        normalise.activity_names(catalogue)


def test_an_activity_holds_many_names_per_language_and_a_name_claimed_twice_names_both():
    catalogue = CFG.activities().copy()
    raw = pd.Series(["PSD", "Psikososyal destek seansı", "الدعم النفسي الاجتماعي", "Psychosocial support",
                     "nakit transferi", "Vaka yönetimi"])
    assert normalise.activity_codes(raw, catalogue).tolist() == ["PROT_PSS"] * 4 + ["BN_CASH", "PROT_CASE_MGMT"]
    catalogue.at["BN_CASH", "names"] = {"en": ["Cash transfer"], "tr": ["PSD"]}
    both = r"'PSD' names both (PROT_PSS and BN_CASH|BN_CASH and PROT_PSS)"
    with pytest.raises(normalise.VocabularyError, match=both):
        normalise.activity_names(catalogue)


def test_every_catalogue_activity_is_named_by_its_code_and_both_labels():
    catalogue = CFG.activities()
    names = normalise.activity_names(catalogue)
    more = sum(len(spellings) for entry in catalogue["names"] if isinstance(entry, dict)
               for spellings in entry.values())
    assert len(names) == 3 * len(catalogue) + more  # no label or name equals another activity's code, label or name
    raw = pd.Series([*catalogue.index.str.lower(), *catalogue["label_en"].str.upper(), *catalogue["label_tr"]])
    assert normalise.activity_codes(raw, catalogue).tolist() == list(catalogue.index) * 3
