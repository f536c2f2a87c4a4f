"""The identifier detector: what it masks in free text, what it leaves alone, and what rejects withhold."""

import numpy as np
import pandas as pd
import pytest
from stdnum.tr import tckimlik

from helpers.clean.redact import kinds, mask, mask_columns, withhold

VALID_TCKN = "12345678950"
VALID_YKN = "99123456740"  # foreigner number: starts with 99, same check digits
BAD_CHECKSUM = "12345678901"


def test_the_planted_numbers_are_what_they_claim_to_be():
    assert tckimlik.is_valid(VALID_TCKN) and tckimlik.is_valid(VALID_YKN)
    assert not tckimlik.is_valid(BAD_CHECKSUM)


@pytest.mark.parametrize(("text", "masked"), [
    ("Aradı 0532 123 45 67", "Aradı [phone]"),
    ("+90 532 123 4567", "[phone]"),
    ("5321234567", "[phone]"),
    ("(0532) 123-45-67", "[phone]"),
    ("Tel:0212 555 12 34 (merkez)", "Tel:[phone] (merkez)"),
    ("0090 532 123 45 67 / +905321234567", "[phone] / [phone]"),
    (f"TC {VALID_TCKN} ile kayıt", "TC [id number] ile kayıt"),
    (f"YKN {VALID_YKN}", "YKN [id number]"),
    ("yazın: ayse.yilmaz@örnek.com.tr", "yazın: [e-mail]"),
    ("IBAN TR33 0006 1005 1978 6457 8413 26 hesabına", "IBAN [iban] hesabına"),
    ("tr330006100519786457841326", "[iban]"),
])
def test_identifiers_in_free_text_are_masked_by_kind(text, masked):
    assert mask(text)[0] == masked


@pytest.mark.parametrize("text", [
    "2022-2023 dönemi",             # a year range
    "1.250,50 TL",                  # an amount
    "TUR063", "TR-63",              # province codes
    "Adana MMCC - Seyhan",
    "05.10.2022", "2022-10-05 12:30",
    "@SUM(1+1)",                    # a formula, not an e-mail
    "TR33 0006 1005 1978 6457 8413 27",  # IBAN shape with wrong check digits
    "123 45 67",                    # seven digits without an area code
])
def test_look_alikes_are_left_alone(text):
    assert mask(text) == (text, {})


def test_kinds_name_each_identifier_and_long_digit_runs():
    assert kinds(f"0532 123 45 67 {VALID_TCKN}") == ["id number", "phone"]
    assert kinds(BAD_CHECKSUM) == ["id number"]  # no TC Kimlik number, but eleven digits: a Syrian national number
    assert kinds("1234567890123") == ["identifier-shaped"]  # a long digit run of no known kind: not shown either
    assert kinds("PROT_CASE_MGMT") == []


def test_free_text_columns_are_masked_per_category_and_counted_per_record():
    records = pd.DataFrame({
        "site": pd.Categorical(["Call 0532 123 45 67", "Call 0533 765 43 21", "Adana MMCC", "Call 0532 123 45 67"]),
        "donor": pd.Categorical(["Donor A", None, "Donor A", "Donor B"]),
    })
    counts = mask_columns(records, ["site", "donor"])
    assert counts == {"site": {"phone": 3}}
    assert records["site"].tolist() == ["Call [phone]", "Call [phone]", "Adana MMCC", "Call [phone]"]
    assert list(records["site"].cat.categories) == ["Adana MMCC", "Call [phone]"]  # merged, sorted
    assert records["donor"].tolist()[2:] == ["Donor A", "Donor B"]


def test_rejected_values_of_identifier_shape_are_withheld_whole():
    rejects = pd.DataFrame({
        "row_number": [2, 3, 4, 5, 6],
        "column": ["activity", "participants", "date", "province", np.nan],
        "value": ["Ayşe 0544 222 33 44", VALID_TCKN, "20221005123045", "Narnia", np.nan],
    })
    counts = withhold(rejects)
    assert rejects["value"].tolist()[:4] == ["(withheld: phone)", "(withheld: id number)",
                                             "(withheld: identifier-shaped)", "Narnia"]
    assert pd.isna(rejects["value"].iloc[4])
    assert counts == {"activity": {"phone": 1}, "participants": {"id number": 1}, "date": {"identifier-shaped": 1}}


def test_the_origin_regions_are_the_runs_not_the_folder_in_use():
    """A programme serving people from Iraq masks Iraqi mobiles written nationally; one whose configuration lists
    no origin country does not take them for phones (they are left to the eleven-digit rule)."""
    from helpers.clean.redact import origin_regions
    from helpers.config import CONFIG_DIR, Configuration

    assert "IQ" in origin_regions(Configuration(CONFIG_DIR))
    assert mask("Call 0770 123 4567", ("IQ",)) == ("Call [phone]", {"phone": 1})
    assert mask("Call 0770 123 4567", ()) == ("Call 0770 123 4567", {})
