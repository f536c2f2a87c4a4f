"""The sample generator: deterministic, messy, and its clean table reproduces every figure of the seed report.

The figures are checked twice: on the generator's hidden canonical table with an independent implementation
of the reach rule (pure pandas, below), and — when the pipeline is there — on what the real cleaning and
indicator code make of the raw files.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import time
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pandas as pd
import pytest
from canonical import canonical as canonical_records
from canonical import people_reached, reach
from conftest import CFG, seed
from python_calamine import CalamineWorkbook

from helpers import context
from helpers.clean import totals
from helpers.clean.quarter import clean_quarter
from helpers.config import Configuration
from helpers.measure import indicators
from helpers.paths import CONFIG_DIR, Quarter
from samplegen import quarter as sample

SEED = seed()  # the published figures, one copy: tests/fixtures/seed-2022Q4.yml
SECTORS = SEED.of("people_reached", "sector")
PROVINCES = SEED.provinces
DONORS = SEED.of("people_reached", "donor")
CENTRES = SEED.of("people_reached", "centre")
CENTRE_SERVICES = SEED.of("services_delivered", "centre")
SANLIURFA_PARTS = {c.removeprefix("Şanlıurfa MMCC | "): v
                   for c, v in SEED.of("people_reached", "centre+activity_detail").items()}
TOTAL, SINCE_START, YEAR_TO_DATE = (SEED.of(i, "total")["all"] for i in (
    "people_reached", "people_reached_since_start", "people_reached_year_to_date"))
ACTIVITIES = {a: v for a, v in SEED.of("people_reached", "activity").items() if a.startswith("PROT_")}
ACTIVITY_PROVINCES = {
    "PROT_PSS": {"Gaziantep", "Hatay", "İstanbul", "İzmir", "Kahramanmaraş", "Şanlıurfa"},
    "PROT_SCHOOL_TRANSPORT": {"Adana", "Mersin", "Siirt", "Yalova"},
    "BN_INKIND": {"Adana", "Gaziantep", "Hatay", "İstanbul", "Mersin", "Osmaniye"},
    "BN_CASH": {"Adana", "İstanbul"},
    "BN_MUNICIPAL": {"Adana", "Gaziantep", "Hatay", "İzmir", "Manisa", "Kahramanmaraş", "Osmaniye"},
}
ITEMS = SEED.of("items_distributed", "item")


# ------------------------------------------------------------------------ an independent reach calculation


@pytest.fixture(scope="module")
def canonical() -> pd.DataFrame:
    return canonical_records()


# -------------------------------------------------------------------------- figures on the canonical table


def test_total_sectors_and_provinces(canonical):
    assert people_reached(canonical) == TOTAL
    by_sector = people_reached(canonical, "sector").reindex(list(SECTORS), fill_value=0)
    assert by_sector.to_dict() == SECTORS
    by_province = people_reached(canonical, "province")
    assert set(by_province[by_province > 0].index) == PROVINCES


def test_donors_and_centres(canonical):
    assert people_reached(canonical, "donor").to_dict() == DONORS
    by_centre = people_reached(canonical, "centre")
    assert {c: by_centre[c] for c in CENTRES} == CENTRES
    services = canonical.groupby("centre").size()
    assert {c: services[c] for c in CENTRE_SERVICES} == CENTRE_SERVICES
    urfa = people_reached(canonical[canonical["centre"].eq("Şanlıurfa MMCC")], "activity_detail")
    assert {d: urfa[d] for d in SANLIURFA_PARTS} == SANLIURFA_PARTS
    assert canonical.loc[canonical["centre"].eq("Şanlıurfa MMCC"), "sector"].eq("Protection").all()


def test_activities(canonical):
    by_activity = people_reached(canonical, "activity")
    assert {a: by_activity[a] for a in ACTIVITIES} == ACTIVITIES
    for activity, provinces in ACTIVITY_PROVINCES.items():
        assert set(canonical.loc[canonical["activity"].eq(activity), "province"]) == provinces, activity
    assert people_reached(canonical, ["activity", "province"])[("EDU_LANGUAGE", "Ankara")] == 96
    special = canonical[canonical["activity_detail"].eq("Specific-needs education support")]
    assert reach(special) == 123
    assert set(special["province"]) == {"Adana", "Gaziantep", "Kilis", "İzmir"}
    assert set(special["activity"]) == {"EDU_NFE"}
    assert canonical["activity"].str.startswith("HEA_").sum() == 0


def test_households_items_and_institutions(canonical):
    kits = canonical[canonical["item"].eq("hygiene kit")]
    assert kits["household_id"].nunique() == 1_500
    assert kits.groupby("household_id")["household_size"].max().sum() == 9_000
    assert set(kits["district"]) == {"Nizip"}
    assert canonical.groupby("item")["quantity"].sum()[list(ITEMS)].to_dict() == ITEMS
    inkind = canonical[canonical["activity"].eq("BN_INKIND")]
    assert inkind["household_id"].nunique() == 1_819
    cash = canonical[canonical["activity"].eq("BN_CASH")]
    assert cash["household_id"].nunique() == 2_037
    assert cash.groupby("household_id")["household_size"].max().sum() == 9_780
    municipal = canonical[canonical["activity"].eq("BN_MUNICIPAL")]
    assert municipal["site"].nunique() == 8
    projects = municipal[municipal["activity_detail"].eq("Community stabilization project")]
    assert len(projects) == 7 and projects["site"].nunique() == 7 and projects["participants"].sum() == 6_199
    shelter = canonical[canonical["activity"].eq("BN_SHELTER")]
    assert shelter["household_size"].tolist() == [6] and shelter["province"].tolist() == ["Gaziantep"]


def test_every_label_of_the_sample_is_on_the_reviewed_list(canonical):
    """The sample's reports publish its centres, donors, items and activity details, in both quarters and with the
    late file: none is counted as Other (config/labels.yml)."""
    from helpers.measure.disclosure import reviewed_labels

    for records in (canonical, canonical_records(sample.QUARTER, late=True), canonical_records("2023Q1")):
        assert reviewed_labels(records.copy(), Configuration(CONFIG_DIR)) == {}


def test_a_label_not_on_the_reviewed_list_is_counted_as_other_and_listed():
    from helpers.measure.disclosure import reviewed_labels

    records = pd.DataFrame({"centre": ["Adana MMCC", "Home visit Zeynep Yusuf", None, "Adana MMCC"],
                            "donor": ["Donor A"] * 4})
    cfg = Configuration(CONFIG_DIR)  # the configuration a run hands down
    counted = reviewed_labels(records, cfg)
    assert counted == {"centre": {"Home visit Zeynep Yusuf": 1}}
    assert records["centre"].tolist()[:2] == ["Adana MMCC", cfg.load("labels")["other"]]
    assert pd.isna(records["centre"][2]) and records["donor"].eq("Donor A").all()


def test_capacity_is_not_reach(canonical):
    capacity = canonical[canonical["reach_type"].eq("capacity")]
    assert capacity["beneficiary_id"].nunique() + capacity["participants"].sum() == 34


def test_clean_records_are_unique(canonical):
    assert not canonical[CFG.columns()].astype("string").duplicated().any()


# ------------------------------------------------------------------------------- the files and the mess


@pytest.fixture(scope="module")
def written(generated_sample) -> tuple:
    return generated_sample


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_deterministic_across_processes(written, tmp_path):
    """Another process, with another hash seed, writes the same bytes."""
    folder, paths = written
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "samplegen.quarter", "--raw-dir", str(tmp_path), "--quarter", "2022Q4"],
                   check=True, env=env,
                   capture_output=True)
    again = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert [p.relative_to(tmp_path) for p in again] == sorted(p.relative_to(folder) for p in paths)
    assert all(digest(p) == digest(folder / p.relative_to(tmp_path)) for p in again)


def test_the_written_files_are_the_ones_the_repository_lists_for_the_demo_key(written):
    """``config/sample-files.sha256`` (what the demo key is for) is exactly what the generator writes, the
    XLSX files included (fixed time stamps): when the generator changes, that file is written again with it."""
    from helpers.clean.sample import sample_files

    root = written[0].parent / "every-quarter"
    for quarter in sample.QUARTERS:
        sample.generate(root, quarter)
    data = {p.relative_to(root).as_posix(): digest(p) for p in root.glob("*/**/*") if p.suffix in (".csv", ".xlsx")}
    assert any(name.endswith(".xlsx") for name in data)
    assert {name.split("/")[0] for name in data} == {"2022Q4", "2023Q1", "late"}
    assert data == sample_files(), ("other bytes: a changed generator (write the list again, docs/runs.md), or "
                                    "openpyxl writing through lxml, or a zlib other than zlib's own (zlib-ng)")


def test_workbooks_hold_typed_cells_as_written():
    """What the reader gets from a sample workbook: date cells as dates, numbers as numbers, text as typed
    (spaces kept), empty cells and rows empty, every sheet in order."""
    rows = [["Tarih", "Sayı", "Ad", "İl"], [date(2022, 10, 3), 4, None, " Adana"], [], ["03.10.2022", 44837]]
    book = CalamineWorkbook.from_filelike(io.BytesIO(sample._xlsx_bytes([("Katılım", rows), ("Notlar", [["not"]])])))
    assert book.sheet_names == ["Katılım", "Notlar"]
    assert book.get_sheet_by_name("Katılım").to_python(skip_empty_area=False) == [
        ["Tarih", "Sayı", "Ad", "İl"], [date(2022, 10, 3), 4.0, "", " Adana"], ["", "", "", ""],
        ["03.10.2022", 44837.0, "", ""]]


def test_workbook_bytes_do_not_depend_on_when_they_are_written(monkeypatch):
    """The listed hashes hold on any later day: openpyxl's clock (workbook properties, zip entry times) does
    not reach the bytes, so a workbook written years later is the same file."""
    sheets = [("Katılım", [["Tarih", "Sayı", "Ad"], [date(2022, 10, 3), 4, "Ayşe"]])]
    first = sample._xlsx_bytes(sheets)
    later = datetime(2031, 5, 6, 7, 8, 9)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return later.replace(tzinfo=tz)

    monkeypatch.setattr("openpyxl.packaging.core.datetime", SimpleNamespace(datetime=Later, timezone=timezone))
    monkeypatch.setattr(time, "time", later.timestamp)
    assert sample._xlsx_bytes(sheets) == first


def test_refuses_to_overwrite_but_fills_an_empty_folder(written, tmp_path):
    first = written[0]
    with pytest.raises(FileExistsError):
        sample.generate(first)
    (tmp_path / "2022Q4").mkdir()
    (tmp_path / "2022Q4" / "real-log.csv").write_text("date,province,activity\n")
    with pytest.raises(FileExistsError):
        sample.generate(tmp_path, force=True)
    (tmp_path / "2022Q4" / "real-log.csv").unlink()
    assert sample.generate(tmp_path)


def test_files_and_manifest(written):
    folder = written[0] / "2022Q4"
    manifest = (folder / "sample-manifest.json").read_text(encoding="utf-8")
    assert '"demo_key": true' in manifest
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.suffix in (".csv", ".xlsx")}
    assert "RSU/e-voucher-market-cards.csv" in names and "PRU/centres/sanliurfa-mmcc-register.xlsx" in names
    voucher = (folder / "RSU/e-voucher-market-cards.csv").read_bytes()
    assert voucher.decode("cp1254").splitlines()[0].startswith("Tarih;İl;İlçe")
    with pytest.raises(UnicodeDecodeError):
        voucher.decode("utf-8")
    backup = folder / "RSU/distribution-lists/yedek/nizip-hygiene-kits-batch2.csv"
    assert digest(backup) == digest(folder / "RSU/distribution-lists/nizip-hygiene-kits-batch2.csv")


def test_history_table(written):
    history = pd.read_csv(written[0] / "published-totals.csv")
    assert list(history.columns) == ["quarter", "people_reached", "source"]
    assert history["quarter"].iloc[0] == "2016Q1" and history["quarter"].iloc[-1] == "2022Q3"
    assert history["people_reached"].sum() + TOTAL == SINCE_START
    assert history.loc[history["quarter"].str.startswith("2022"), "people_reached"].sum() + TOTAL == YEAR_TO_DATE
    assert (history["people_reached"] > 0).all()


def test_mess_is_planted(written):
    mess = sample.planted_mess()
    for reason in ["duplicate", "out_of_period", "missing_required", "unknown_activity", "unparseable_date",
                   "unknown_province", "invalid_value", "kept_typo", "kept_age_out_of_range", "kept_stray_donor"]:
        assert mess[reason] > 0, reason
    folder = written[0] / "2022Q4"
    text = (folder / "PRU/case-management-export.csv").read_text(encoding="utf-8")
    identifiers = sample.planted_identifiers(written[0])
    assert any(value in text for value in identifiers if value.startswith("+90 5"))
    assert re.search(";(Xyz|Bilinmiyor);", (folder / "RSU/e-voucher-market-cards.csv").read_text(encoding="cp1254"))


# ------------------------------------------------------------------------ the real pipeline on the files


@pytest.fixture(scope="module")
def cleaned(written):
    return clean_quarter(context.build("2022Q4", raw_dir=written[0]))


def test_cleaning_drops_exactly_the_planted_rows(cleaned):
    totals = cleaned.quality["totals"]
    mess = sample.planted_mess()
    assert totals["rows_kept"] == len(sample.canonical_records())
    assert totals["by_reason"] == {reason: mess.get(reason, 0) for reason in totals["by_reason"]}


def test_no_identifier_survives_cleaning(cleaned, written):
    values = set()
    for frame in (cleaned.records, cleaned.rejects):
        for column in frame.columns:
            values |= set(frame[column].dropna().astype(str).unique())
    assert not values & sample.planted_identifiers(written[0])
    assert not [v for v in values if re.search(r"(\+90 |\b0)5\d\d \d{3} \d\d \d\d|\b\d{11}\b", v)]


def test_pipeline_reproduces_the_seed_figures(cleaned, written, tmp_path):
    table = totals.read(written[0], Quarter.parse("2022Q4"), CFG)  # the sample's table passes the check
    totals.write(table, tmp_path / "2022Q4", CFG)
    run = context.build("2022Q4", processed_dir=tmp_path)
    history = indicators.load_history(run.quarter, run.config, tmp_path)
    table = indicators.compute_indicators(cleaned.records, run.quarter, run.config, history)

    def value(indicator, dimension="total", category="all"):
        return indicators.value(table, indicator, dimension, category, cfg=run.config)

    expected = {(i, d, c): v for i, d, c, v in SEED.figures}
    assert {key: value(*key) for key in expected} == expected
    assert value("people_reached", "activity", "BN_SHELTER") == 6
    provinces = indicators.series(table, "people_reached", "province", run.config)
    assert set(provinces[provinces > 0].index) == PROVINCES


def test_a_cell_text_that_starts_with_an_equals_sign_stays_text():
    """A planted value like ``=SUM(A1)`` is what a field file holds as text, never a formula for the reader."""
    import io
    import zipfile

    from samplegen.quarter import _xlsx_bytes

    sheet = zipfile.ZipFile(io.BytesIO(_xlsx_bytes([("S", [["=SUM(A1:A9)", 3]])]))).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<t>=SUM(A1:A9)</t>" in sheet


def test_the_sample_line_is_said_only_for_a_quarter_the_sample_has(written, capsys):
    """``make report QUARTER=2023Q2`` runs the generator first: a quarter without a sample gets no word about
    the sample (it once said "already holds the sample; use --force" beside the key error of the real data)."""
    assert sample.main(["--raw-dir", str(written[0]), "--quarter", "2023Q2"]) == 0
    assert capsys.readouterr().out == ""
    assert sample.main(["--raw-dir", str(written[0]), "--quarter", "2022Q4"]) == 0
    assert "2022Q4 already holds the sample; use --force" in capsys.readouterr().out


def test_the_late_file_keeps_the_folder_the_sample_but_an_edited_one_does_not(written, tmp_path):
    """The cycle adds 2022Q4's late file to the quarter's folder: still the sample (demo key); the late file
    edited, or only part of the sample left, is real data."""
    import shutil

    from helpers.clean.sample import is_sample

    folder = tmp_path / "2022Q4"
    shutil.copytree(written[0] / "2022Q4", folder)
    late = sample.late_folder(written[0])
    assert [p.name for p in late.rglob("*.csv")] == ["case-management-2022-12-hatay.csv"]
    shutil.copytree(late, folder, dirs_exist_ok=True)
    assert is_sample(folder, CFG)
    added = next(folder.rglob("case-management-2022-12-hatay.csv"))
    added.write_bytes(added.read_bytes().replace(b"Hatay", b"Adana", 1))
    assert not is_sample(folder, CFG)
    added.unlink()
    (folder / "PRU" / "case-management-export.csv").unlink()
    assert not is_sample(folder, CFG)
