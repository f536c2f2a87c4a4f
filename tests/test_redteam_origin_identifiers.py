"""Identifiers of the people served, in the formats of the countries they come from and of UNHCR (issue 22).

The examples follow the real numbering plans (libphonenumber's metadata: Syrian mobiles 09x, 9 national digits;
Iraqi mobiles 07xx, 10; Afghan 07x, 9; Iranian 09xx, 10; Damascus landlines 011), UNHCR proGres file numbers
(``123-45C67890``, since 2021 ``123-45-67890``) and individual numbers (``123-12345678``), Syrian national
numbers (eleven digits) and passport numbers (a letter and eight or nine digits).
"""

import pytest

from helpers.clean.redact import kinds, mask

ORIGIN = [
    ("Aradı +963 944 123 456", "Aradı [phone]"),
    ("0944 123 456", "[phone]"),
    ("00963-944-123-456", "[phone]"),
    ("(0944) 123-456", "[phone]"),
    ("963 944 123 456", "[phone]"),
    ("Şam 011 123 4567", "Şam [phone]"),
    ("+964 770 123 4567", "[phone]"),
    ("07701234567", "[phone]"),
    ("00964 (770) 123-4567", "[phone]"),
    ("+93 70 123 4567", "[phone]"),
    ("0701234567", "[phone]"),
    ("+98 912 345 6789", "[phone]"),
    ("0912-345-6789", "[phone]"),
    ("٠٩٤٤ ١٢٣ ٤٥٦", "[phone]"),  # Arabic-Indic digits
    ("Case 123-12C12345", "Case [unhcr number]"),
    ("file 123-45-67890 visit", "file [unhcr number] visit"),
    ("ind. 123-12345678", "ind. [unhcr number]"),
    ("national no 01020304050", "national no [id number]"),
    ("pasaport N012345678", "pasaport [passport]"),
    ("A12345678 Home visit", "[passport] Home visit"),
]


@pytest.mark.parametrize(("text", "masked"), ORIGIN)
def test_identifiers_of_the_people_served_are_masked(text, masked):
    assert mask(text)[0] == masked


@pytest.mark.parametrize("text", [
    "Gaziantep MMCC", "Adana MMCC - Seyhan", "Şanlıurfa Community Centre 2", "Donor C", "Hygiene kit",
    "2022-2023", "2022Q4", "Q4 2022", "TUR063", "EDU_LANGUAGE", "05.10.2022", "2022-10-05 12:30", "20221005",
    "Period 01.10.2022-31.12.2022", "1.250,50 TL", "1,500,000", "Cash 1500000 TRY", "x 10000000",
    "Hygiene kit x 1500", "TR-SAN-0001", "HH-0001", "Ref 2022/1234567", "Kit 0944", "ECHO 2022/00123",
])
def test_figures_dates_codes_and_centre_names_are_left_alone(text):
    assert mask(text) == (text, {})


def test_rejects_withhold_them_by_kind():
    assert kinds("+963 944 123 456") == ["phone"]
    assert kinds("123-12C12345") == ["unhcr number"]
    assert kinds("N012345678") == ["passport"]


def test_log_lines_quoting_file_and_sheet_names_are_masked_before_any_handler_writes_them():
    import io
    import logging

    from helpers.clean.redact import mask_logs

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    mask_logs(handler)
    log = logging.getLogger("test.origin.identifiers")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        log.info("%s: sheet %r skipped", "Fatma +963 944 123 456.xlsx", "Huda 0770 123 4567")
    finally:
        log.removeHandler(handler)
    assert stream.getvalue() == "Fatma [phone].xlsx: sheet 'Huda [phone]' skipped\n"
