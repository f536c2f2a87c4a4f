"""The account of every raw row, per source table and per file, as the clean notebook and Annex A show it."""

from __future__ import annotations

from helpers.clean.quality import public_labels, quality_table, rounded, source_table
from helpers.config import Configuration
from helpers.paths import CONFIG_DIR

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

QUALITY = {
    "files": {
        "PRU/centre.xlsx [Ekim]": {"rows_read": 1200, "rows_kept": 1100, "duplicate": 40, "out_of_period": 0,
                                   "summary_row": 1, "rejected": 59},
        "PRU/centre.xlsx [Kasım]": {"rows_read": 900, "rows_kept": 890, "duplicate": 0, "out_of_period": 5,
                                    "summary_row": 1, "rejected": 4},
        "RSU/nfi.csv": {"rows_read": 10, "rows_kept": 10},  # an older quality.json: kinds it did not count
    },
    "totals": {"rows_read": 2110, "rows_kept": 2000, "duplicate": 40, "out_of_period": 5, "summary_row": 2,
               "rejected": 63},
}


def test_each_sheet_is_a_source_of_its_file():
    table = source_table(QUALITY, CFG)
    assert table.loc["PRU/centre.xlsx [Kasım]", "file"] == "PRU/centre.xlsx"
    assert table.loc["RSU/nfi.csv", "rejected"] == 0
    assert list(table.columns) == ["file", "rows_read", "rows_kept", "duplicate", "out_of_period", "summary_row",
                                   "rejected"]


def test_a_workbook_adds_up_its_sheets_and_the_total_is_the_quarter_s():
    table = quality_table(QUALITY, CFG)
    assert list(table.index) == ["PRU/centre.xlsx", "RSU/nfi.csv", "Total"]
    assert table.loc["PRU/centre.xlsx", "Rows read"] == "2,100"
    assert table.loc["PRU/centre.xlsx", "Summary row"] == "2"
    assert table.loc["Total", "Rows kept"] == "2,000"


def test_sources_are_named_by_their_unit_and_a_number_never_by_file_sheet_or_folder_names():
    units = {"PRU": "Protection and Resilience Unit", "RSU": "Recovery and Stabilization Unit"}
    sources = ["PRU/Fatma 0944 123 456.xlsx [Huda]", "PRU/Fatma 0944 123 456.xlsx [Ekim]", "RSU/nfi.csv",
               "loose.csv"]
    assert public_labels(sources, units) == {
        "PRU/Fatma 0944 123 456.xlsx [Ekim]": "Protection and Resilience Unit, file 1, sheet 1",
        "PRU/Fatma 0944 123 456.xlsx [Huda]": "Protection and Resilience Unit, file 1, sheet 2",
        "RSU/nfi.csv": "Recovery and Stabilization Unit, file 1",
        "loose.csv": "file 1",
    }


def test_per_source_counts_of_one_to_four_are_withheld_and_the_others_rounded_to_five():
    assert [rounded(n) for n in (0, 1, 4, 5, 7, 8, 1234)] == [0, "<5", "<5", 5, 5, 10, 1235]
