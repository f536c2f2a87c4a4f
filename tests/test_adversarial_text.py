"""A quarter typed by a careless or hostile hand: identifiers in free text and shifted rows, spreadsheet formulas.

The whole pipeline runs on it; then every file it wrote (processed data, rejects, quality, indicator files,
history, executed notebooks, HTML and PDF text) is searched.
"""

import csv
import json
import re

import pandas as pd
import pytest
from pypdf import PdfReader

from helpers.config import Configuration
from helpers.csvfile import FORMULA_START
from helpers.measure import indicators
from helpers.paths import CONFIG_DIR
from helpers.pipeline import run_quarter

pytestmark = pytest.mark.slow

TCKN, YKN = "12345678950", "99123456740"  # valid check digits (see test_redact)
PHONES = ["0532 123 45 67", "+90 533 765 4321", "0544 222 33 44", "(0212) 555-12-34"]
IDENTIFIERS = [*PHONES, TCKN, YKN, "ayse.yilmaz@example.org", "TR33 0006 1005 1978 6457 8413 26"]
HYPERLINK = '=HYPERLINK("http://x","click")'
FORMULAS = [HYPERLINK, "+cmd|' /C calc'!A0", "@SUM(1+1)"]

HEADER = ["service_date", "province", "site", "activity_code", "case_id", "participants", "gender", "donor",
          "detail"]
ROWS = [
    # identifiers typed into activity_detail and site (kept records)
    ["2022-10-03", "Adana", "Adana MMCC", "PROT_CASE_MGMT", "C-1", "", "F", "Donor A",
     f"Aradı {PHONES[0]}, TC {TCKN}"],
    ["2022-10-04", "Adana", f"Kilis MMCC {PHONES[1]} / {YKN}", "PROT_CASE_MGMT", "C-2", "", "M", "Donor A",
     "Counselling and information"],
    ["2022-10-04", "Adana", "Adana MMCC", "PROT_CASE_MGMT", "C-3", "", "M", "Donor B",
     "yazdı: ayse.yilmaz@example.org, IBAN TR33 0006 1005 1978 6457 8413 26"],
    # a shifted row: the phone number lands in the activity column, an ID number in participants
    ["2022-10-05", "Adana", "Adana MMCC", PHONES[2], "C-4", "", "F", "Donor A", ""],
    ["2022-10-05", "Adana", "Adana MMCC", "PROT_AWARENESS", "", TCKN, "", "Donor A", ""],
    ["2022-10-06", "Adana", "Adana MMCC", PHONES[3], "C-5", "", "F", "Donor A", ""],
    # formulas in site, donor and activity_detail (kept), and in the activity column (rejected)
    ["2022-10-06", "Adana", HYPERLINK, "PROT_CASE_MGMT", "C-6", "", "F", HYPERLINK, "Social cohesion event"],
    ["2022-10-07", "Adana", "Adana MMCC", "PROT_CASE_MGMT", "C-7", "", "F", "Donor A", FORMULAS[1]],
    ["2022-10-07", "Adana", "Adana MMCC", "PROT_CASE_MGMT", "C-8", "", "M", FORMULAS[2], "Language course"],
    ["2022-10-08", "Adana", "Adana MMCC", HYPERLINK, "C-9", "", "M", "Donor A", ""],
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("adversarial")
    folder = root / "raw" / "2022Q4"
    folder.mkdir(parents=True)
    with (folder / "typed.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *ROWS])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PSEUDONYMISATION_KEY", "adversarial-text test key")
        result = run_quarter("2022Q4", root / "raw", root / "processed", root / "reports", progress=False,
                             parameters={"narratives_dir": str(root / "no-narratives")})
    return root, result


def outputs(root):
    return [p for p in [*(root / "processed").rglob("*"), *(root / "reports").rglob("*")] if p.is_file()]


def text_of(path):
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype(str).to_csv()
    return path.read_bytes().decode("utf-8", "replace")


def digits(text):
    return re.sub(r"[\s().+-]", "", text)


def test_no_identifier_reaches_any_output(run):
    root, _ = run
    files = outputs(root)
    assert {p.suffix for p in files} >= {".parquet", ".csv", ".json", ".ipynb", ".html", ".pdf"}
    for path in files:
        text = text_of(path)
        for identifier in IDENTIFIERS:
            assert identifier not in text, f"{identifier} in {path.name}"
            core = digits(identifier)[-10:]  # the number however it is spaced or prefixed
            assert not core.isdigit() or core not in digits(text), f"{identifier} in {path.name}"


def test_identifiers_are_masked_in_kept_records_and_counted(run):
    root, _ = run
    records = pd.read_parquet(root / "processed" / "2022Q4" / "records.parquet")
    details = set(records["activity_detail"].dropna())
    assert "Aradı [phone], TC [id number]" in details
    assert "yazdı: [e-mail], IBAN [iban]" in details
    assert "Kilis MMCC [phone] / [id number]" in set(records["site"])
    quality = json.loads((root / "processed" / "2022Q4" / "quality.json").read_text(encoding="utf-8"))
    masked = quality["masked_identifiers"]
    assert masked["records"]["activity_detail"] == {"phone": 1, "id number": 1, "e-mail": 1, "iban": 1}
    assert masked["records"]["site"] == {"phone": 1, "id number": 1}
    assert masked["rejects"] == {"activity": {"phone": 2}, "participants": {"id number": 1}}


def test_rejects_withhold_identifiers_but_say_where_they_were(run):
    root, _ = run
    rejects = pd.read_csv(root / "processed" / "2022Q4" / "rejects.csv", encoding="utf-8-sig")
    by_row = rejects.set_index("row_number")
    assert by_row.loc[5, ["reason", "column", "value"]].tolist() == ["unknown_activity", "activity",
                                                                      "(withheld: phone)"]
    assert by_row.loc[6, ["column", "value"]].tolist() == ["participants", "(withheld: id number)"]


def test_no_csv_cell_starts_with_a_formula(run):
    root, _ = run
    tables = [p for p in outputs(root) if p.suffix == ".csv"]
    assert len(tables) >= 4  # rejects, indicators, public indicators (twice: processed and report), history
    seen = []
    for path in tables:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for cell in (cell for row in csv.reader(handle) for cell in row):
                seen.append(cell)
                if cell.startswith(FORMULA_START):
                    assert re.fullmatch(r"[+-]?\d[\d.,]*", cell), f"{cell!r} in {path.name}"
    assert f"'{HYPERLINK}" in seen  # a rejected row's value is there, as text a spreadsheet shows and never runs
    for formula in FORMULAS[1:]:  # labels of kept rows that are not on the reviewed list are published as Other
        assert not any(formula in cell for cell in seen), formula


def test_executed_notebooks_show_counts_not_rows(run):
    root, result = run
    records = pd.read_parquet(root / "processed" / "2022Q4" / "records.parquet")
    pseudonyms = set(records["beneficiary_id"].dropna())
    assert pseudonyms
    for notebook in result.report_dir.glob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        shown = json.dumps([cell.get("outputs", []) for cell in cells], ensure_ascii=False)
        for value in [*pseudonyms, "(withheld", "row_number"]:  # a record, a rejected value, a row-level table
            assert value not in shown, f"{value} in {notebook.name}"


def test_free_text_dimensions_are_published_only_where_config_allows(run):
    root, _ = run
    internal = pd.read_csv(root / "processed" / "2022Q4" / "indicators.csv")
    public = pd.read_csv(root / "processed" / "2022Q4" / "indicators_public.csv", skiprows=[1])
    unpublished = {"activity_detail", "centre+activity_detail", "activity+activity_detail"}
    assert unpublished <= set(internal["dimension"])  # analysts keep every breakdown
    assert not unpublished & set(public["dimension"])
    assert {"centre", "donor", "province"} <= set(public["dimension"])
    with pytest.raises(indicators.UnpublishedDimensionError, match="publish_free_text"):
        indicators.series(internal, "people_reached", "centre+activity_detail", Configuration(CONFIG_DIR))
