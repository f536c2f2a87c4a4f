"""Red team: two quarters run at the same time (a scheduler back-filling, an analyst re-running last quarter
while this one runs). Each holds only its own quarter's lock, but both publish the one ``history.csv``."""

import csv

import pandas as pd
import pytest

from helpers import pipeline

pytestmark = pytest.mark.slow


def write_quarter(raw, quarter, months):
    folder = raw / quarter
    folder.mkdir(parents=True)
    with (folder / "sessions.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [["service_date", "province", "activity_code", "participants"],
             *[[f"2023-{month:02d}-{day:02d}", "Hatay", "PROT_AWARENESS", str(10 + day)]
               for month in months for day in range(1, 11)]])


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """raw, processed and reports folders with two quarters of raw logs."""
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "a red-team key of some length")
    write_quarter(tmp_path / "raw", "2023Q1", [1, 2, 3])
    write_quarter(tmp_path / "raw", "2023Q2", [4, 5, 6])
    return tmp_path / "raw", tmp_path / "processed", tmp_path / "reports"


def finishes_first(quarter, folders, monkeypatch):
    """The next run is staged; ``quarter`` runs and moves its outputs into place before it does."""
    move_into_place = pipeline.move_into_place

    def meanwhile(moves, processed, journal=None):
        monkeypatch.setattr(pipeline, "move_into_place", move_into_place)
        pipeline.run_quarter(quarter, *folders, progress=False)
        move_into_place(moves, processed, journal)

    monkeypatch.setattr(pipeline, "move_into_place", meanwhile)


def test_a_quarter_published_meanwhile_keeps_its_row_in_the_history(folders, monkeypatch):
    finishes_first("2023Q2", folders, monkeypatch)
    pipeline.run_quarter("2023Q1", *folders, progress=False)
    history = pd.read_csv(folders[1] / "history.csv")
    assert sorted(history["quarter"]) == ["2023Q1", "2023Q2"]


def test_a_later_quarter_whose_since_start_figure_went_stale_meanwhile_publishes_nothing(folders, monkeypatch):
    """2023Q2 read the history before 2023Q1 was published: its since-start figure lacks 2023Q1, so it stops."""
    raw, processed, reports = folders
    finishes_first("2023Q1", folders, monkeypatch)
    with pytest.raises(pipeline.PipelineError, match=r"history of 2023Q1 changed while 2023Q2 ran.*run 2023Q2 again"):
        pipeline.run_quarter("2023Q2", raw, processed, reports, progress=False)
    assert list(pd.read_csv(processed / "history.csv")["quarter"]) == ["2023Q1"]
    assert not (processed / "2023Q2").exists() and not (reports / "2023Q2").exists()
