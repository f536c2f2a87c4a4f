"""Only quarters are quarters: a folder beside the processed quarters is read as one only if its name is exactly a
quarter and its files say the same quarter; anything else is ignored, with one log line naming it."""

import json
import logging

import pandas as pd

from helpers.config import Configuration
from helpers.measure.across import earlier_quarters
from helpers.measure.indicators import load_history
from helpers.paths import CONFIG_DIR, Quarter

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

INDICATORS = "quarter,indicator,dimension,category,value\n{q},people_reached,total,all,{n}\n"


def _quarter(processed, folder, says, n):
    path = processed / folder
    path.mkdir(parents=True)
    (path / "indicators.csv").write_text(INDICATORS.format(q=says, n=n))
    (path / "quality.json").write_text(json.dumps({"quarter": says}))
    pd.DataFrame({"beneficiary_id": ["a"]}).to_parquet(path / "records.parquet")


def test_a_backup_a_trailing_space_and_a_copy_are_not_quarters(tmp_path, caplog):
    processed = tmp_path / "processed"
    _quarter(processed, "2022Q4", "2022Q4", 67389)
    _quarter(processed, "2022Q3.bak", "2022Q3", 1)  # a backup: once read as 2022Q3 (the last glob match won)
    _quarter(processed, "2022Q3 ", "2022Q3", 2)  # trailing space: once counted by people across quarters
    _quarter(processed, "2022Q2", "2022Q1", 3)  # a copy of 2022Q1's folder under another quarter's name
    (processed / "2023Q1").mkdir()
    (processed / "2023Q1" / "published-totals.csv").write_text("quarter,people_reached\n2022Q3,118555\n")
    with caplog.at_level(logging.WARNING):
        history = load_history(Quarter.parse("2023Q1"), CFG, processed)
        assert dict(zip(history["quarter"], history["people_reached"], strict=True)) == {"2022Q3": 118555,
                                                                                         "2022Q4": 67389}
        assert list(earlier_quarters(Quarter.parse("2023Q1"), processed)) == ["2022Q4"]
        load_history(Quarter.parse("2023Q1"), CFG, processed)
    ignored = [r.getMessage() for r in caplog.records if "not a quarter's folder" in r.getMessage()]
    assert sorted(ignored) == sorted(f"{processed / name} is not a quarter's folder (not named like 2022Q4): ignored"
                                     for name in ("2022Q3 ", "2022Q3.bak"))  # once each, though read three times
    copies = {r.getMessage() for r in caplog.records if "2022Q2" in r.getMessage()}
    assert copies == {f"{processed / '2022Q2'} holds figures of 2022Q1, not of 2022Q2: ignored",
                      f"{processed / '2022Q2'} holds the records of 2022Q1, not of 2022Q2: ignored"}


def test_the_pipelines_own_folders_beside_the_quarters_pass_in_silence(tmp_path, caplog):
    """A publish makes ``2022Q4.versions`` and a failed run ``2022Q4.failed-<time>``: they are the pipeline's own,
    so no run or publish logs them as a stray folder, while a backup of a quarter still is."""
    processed = tmp_path / "processed"
    _quarter(processed, "2022Q4", "2022Q4", 67389)
    (processed / "2022Q4.versions" / "v1").mkdir(parents=True)
    (processed / "2022Q4.failed-20261207-095100").mkdir()
    _quarter(processed, "2022Q4.versions.bak", "2022Q4", 1)
    with caplog.at_level(logging.WARNING):
        assert list(earlier_quarters(Quarter.parse("2023Q1"), processed)) == ["2022Q4"]
    ignored = [r.getMessage() for r in caplog.records if "not a quarter's folder" in r.getMessage()]
    assert ignored == [f"{processed / '2022Q4.versions.bak'} is not a quarter's folder (not named like 2022Q4): "
                       "ignored"]
