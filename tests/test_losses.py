"""Losses stop the run: last quarter's files or a mostly rejected quarter stop it; whole-history exports pass."""

import csv
from datetime import date, timedelta

import pytest

from helpers import context
from helpers.clean.losses import losses, stop_on_losses
from helpers.clean.quarter import clean_quarter
from helpers.config import Configuration
from helpers.errors import DataLossError, NoRecordsError
from helpers.paths import CONFIG_DIR

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

HEADER = ["Tarih", "İl", "Faaliyet Kodu", "Vaka No", "Katılımcı Sayısı", "Cinsiyet"]


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "test key, not a secret")


def write(folder, name, days, activity="PROT_CASE_MGMT"):
    """One CSV with a valid row per day (distinct people)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows([d.isoformat(), "Adana", activity, f"TR-{i}", "", "K"] for i, d in enumerate(days))


def daily(first, last, step=1):
    return [first + timedelta(days=i) for i in range(0, (last - first).days + 1, step)]


def test_last_quarters_files_in_the_quarters_folder_stop_with_what_happened(tmp_path):
    write(tmp_path / "2023Q1", "tracker.csv", [*daily(date(2022, 10, 1), date(2022, 12, 31)), date(2023, 1, 3)])
    result = clean_quarter(context.build("2023Q1", raw_dir=tmp_path))
    assert result.quality["totals"]["rows_kept"] == 1  # one late entry: a report of 1 row would be published
    with pytest.raises(DataLossError) as stopped:
        stop_on_losses(result, CFG)
    assert str(stopped.value) == (
        "2023Q1: 92 of 93 rows (98.9 %) are dated outside January–March 2023; the files' dates run from "
        "2022-10-01 to 2023-01-03; run with --accept-losses to publish anyway")
    assert "\n" not in str(stopped.value)


@pytest.mark.parametrize("span", [(date(2019, 1, 1), date(2023, 3, 31)), (date(2023, 1, 1), date(2023, 12, 31)),
                                  (date(2022, 4, 1), date(2023, 3, 31))],
                         ids=["kobo-whole-history", "activityinfo-yearly", "twelve-months-to-date"])
def test_exports_that_rightly_span_many_quarters_pass(tmp_path, span):
    write(tmp_path / "2023Q1", "export.csv", daily(*span, step=2))
    result = clean_quarter(context.build("2023Q1", raw_dir=tmp_path))
    totals = result.quality["totals"]
    assert totals["out_of_period"] / totals["rows_read"] > 0.7  # mostly other quarters, and that is right
    assert losses(result.quality, result.quarter, CFG) == []
    assert stop_on_losses(result, CFG) == [] and result.quality["accepted_losses"] == []


def test_a_whole_history_with_a_few_mistyped_dates_far_away_still_passes(tmp_path):
    days = [*daily(date(2021, 1, 1), date(2023, 3, 31)), date(2032, 1, 5), date(2002, 1, 5)]
    write(tmp_path / "2023Q1", "export.csv", days)
    result = clean_quarter(context.build("2023Q1", raw_dir=tmp_path))
    assert losses(result.quality, result.quarter, CFG) == []


def test_rejected_rows_above_the_configured_share_stop_and_can_be_accepted(tmp_path):
    write(tmp_path / "2023Q1", "good.csv", daily(date(2023, 1, 1), date(2023, 1, 10)))
    write(tmp_path / "2023Q1", "bad.csv", daily(date(2023, 1, 1), date(2023, 1, 11)), activity="NOT_AN_ACTIVITY")
    result = clean_quarter(context.build("2023Q1", raw_dir=tmp_path))
    stopped = r"^2023Q1: 11 of 21 rows \(52\.4 %\) were rejected \(11 unknown_activity\), more than the 50 % allowed"
    with pytest.raises(DataLossError, match=stopped):
        stop_on_losses(result, CFG)
    accepted = stop_on_losses(result, CFG, accept=True)
    assert len(accepted) == 1 and result.quality["accepted_losses"] == [{"kind": "rejected", "line": accepted[0]}]


def test_a_quarter_with_no_row_kept_stops_even_when_losses_are_accepted(tmp_path):
    write(tmp_path / "2023Q1", "bad.csv", daily(date(2023, 1, 1), date(2023, 1, 5)), activity="NOT_AN_ACTIVITY")
    result = clean_quarter(context.build("2023Q1", raw_dir=tmp_path))
    with pytest.raises(NoRecordsError, match=r"^2023Q1: no row kept, nothing to report: 5 of 5 rows .* rejected"):
        stop_on_losses(result, CFG, accept=True)
    write(tmp_path / "2023Q2", "old.csv", daily(date(2023, 1, 1), date(2023, 1, 5)))
    with pytest.raises(NoRecordsError, match=r"^2023Q2: no row kept, .*: 5 of 5 rows .* dated outside April–June 2023"):
        stop_on_losses(clean_quarter(context.build("2023Q2", raw_dir=tmp_path)), CFG, accept=True)
