"""Red team: identifiers written the way people really type them must not reach processed data or rejects."""

import csv

import pandas as pd
import pytest

from helpers import context
from helpers.clean.quarter import clean_quarter
from helpers.clean.redact import mask, withhold

TCKN = "12345678950"  # valid check digits (see test_redact)
NBSP = "\u00a0"       # what Word, WhatsApp and Excel put between the groups of a pasted number


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "a red-team key of some length")


def test_a_phone_pasted_with_non_breaking_spaces_is_withheld_from_rejects():
    rejects = pd.DataFrame({"column": ["activity"], "value": [f"0532{NBSP}123{NBSP}45{NBSP}67"]})
    withhold(rejects)
    assert rejects["value"].tolist() == ["(withheld: phone)"]


@pytest.mark.parametrize("text", [
    "Aradı 0532 - 123 45 67",                 # spaced dash between groups
    "Aradı 0532 / 123 45 67",                 # slash after the area code
    "Aradı 0532–123–45–67",                   # en dash (autocorrect in Word)
    f"TC {TCKN[:3]} {TCKN[3:6]} {TCKN[6:9]} {TCKN[9:]} ile kayıt",  # TC Kimlik in groups of three
    f"TC {TCKN[:3]}.{TCKN[3:6]}.{TCKN[6:9]}.{TCKN[9:]}",
    "IBAN TR33-0006-1005-1978-6457-8413-26",  # IBAN grouped with dashes
])
def test_identifiers_grouped_with_other_separators_are_masked_in_free_text(text):
    masked, found = mask(text)
    assert found, masked
    assert sum(c.isdigit() for c in masked) < 7, masked


def test_an_identifier_in_a_file_name_reaches_no_output(tmp_path, key):
    """Partners name files after the person ("Ayşe 0532 123 45 67.csv"); the name is stored as each record's
    source, in rejects.csv and quality.json, and listed in the report's annex."""
    folder = tmp_path / "2022Q4"
    folder.mkdir()
    with (folder / "Ayşe 0532 123 45 67 vaka.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([
            ["service_date", "province", "activity_code", "case_id", "gender"],
            ["2022-10-03", "Adana", "PROT_CASE_MGMT", "C-1", "F"],
            ["2022-10-03", "Adana", "NOT_AN_ACTIVITY", "C-2", "F"],
        ])
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    texts = [*result.records["source"].astype(str), *result.rejects["source"].astype(str), str(result.quality)]
    assert not [t for t in texts if "0532 123 45 67" in t]


@pytest.mark.parametrize("text", [
    "هاتف ٠٥٣٢١٢٣٤٥٦٧",            # Arabic-Indic digits: Syrian staff type on Arabic keyboards
    "هاتف ۰۵۳۲ ۱۲۳ ۴۵ ۶۷",          # Extended (Persian) digits, as Afghan staff type them
    "Tel ０５３２ １２３ ４５ ６７",   # full-width digits from an East Asian input method
])
def test_identifiers_in_other_digit_scripts_are_masked_in_free_text(text):
    masked, found = mask(text)
    assert found, masked
    assert sum(c.isdigit() for c in masked) == 0, masked


def test_free_text_without_identifiers_keeps_its_own_digits():
    assert mask("٣ أطفال") == ("٣ أطفال", {})


def test_files_whose_names_differ_only_in_an_identifier_stay_apart(tmp_path, key):
    folder = tmp_path / "2022Q4"
    folder.mkdir()
    for n, name in enumerate(("Ayşe 0532 123 45 67.csv", "Ayşe 0533 765 43 21.csv")):
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["service_date", "province", "activity_code", "participants"],
                                          ["2022-10-03", "Adana", "PROT_AWARENESS", str(5 + n)],
                                          ["2022-10-04", "Adana", "NOT_AN_ACTIVITY", "6"]])
    result = clean_quarter(context.build("2022Q4", raw_dir=tmp_path))
    labels = sorted(result.quality["files"])
    assert labels == ["Ayşe [phone].csv", "Ayşe [phone].csv (2)"]
    assert sorted(result.records["source"].astype(str)) == labels
    assert sorted(result.rejects["source"].astype(str)) == labels


def test_the_record_of_what_a_run_read_names_files_masked_and_still_tells_them_apart(tmp_path):
    """inputs.json and every version's manifest list the raw files by name: masked like free text, two files
    differing only in a phone number stay two entries, and an edit to one is still seen as that file's change."""
    from helpers.provenance import inputs

    folder = tmp_path / "2022Q4"
    folder.mkdir()
    for name in ("Ayşe 0532 123 45 67.csv", "Ayşe 0533 765 43 21.csv", "kobo.csv"):
        (folder / name).write_text("service_date,province\n2022-10-03,Adana\n", encoding="utf-8")
    before = inputs.raw_hashes(folder)
    assert sorted(before) == ["Ayşe [phone].csv", "Ayşe [phone].csv (2)", "kobo.csv"]
    (folder / "Ayşe 0533 765 43 21.csv").write_text("service_date,province\n2022-10-04,Hatay\n", encoding="utf-8")
    assert inputs.changes(before, inputs.raw_hashes(folder)) == {
        "added": [], "removed": [], "changed": ["Ayşe [phone].csv (2)"]}
