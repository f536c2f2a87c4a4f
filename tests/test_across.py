"""People across quarters (helpers.measure.across): a fixture of quarters with a known overlap of people."""

import json
from pathlib import Path

import pandas as pd
import pytest

from helpers.config import Configuration
from helpers.csvfile import write_csv
from helpers.measure import across
from helpers.paths import CONFIG_DIR, Quarter

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

FINGERPRINT = "0123456789abcdef"


def _quarter(root: Path, quarter: str, individuals: list[str], others: list[tuple[str, str]] = (),
             fingerprint: str | None = FINGERPRINT) -> Path:
    """A processed quarter folder: individual records of ``individuals`` (repeats allowed) and ``others``
    (beneficiary_id, reach_type) records, with the quality.json fingerprint."""
    folder = root / quarter
    folder.mkdir(parents=True)
    ids = [*individuals, *(i for i, _ in others)]
    kinds = ["individual"] * len(individuals) + [k for _, k in others]
    pd.DataFrame({"quarter": quarter, "beneficiary_id": pd.Series(ids, dtype="string"),
                  "reach_type": pd.Categorical(kinds)}).to_parquet(folder / "records.parquet")
    quality = {"quarter": quarter, **({"key_fingerprint": fingerprint} if fingerprint else {})}
    (folder / "quality.json").write_text(json.dumps(quality), encoding="utf-8")
    return folder


def _indicators(quarter: str, sector: dict[str, float], province: dict[str, float]) -> pd.DataFrame:
    rows = [(quarter, "people_reached", "total", "all", sum(sector.values()))]
    rows += [(quarter, "people_reached", "sector", c, v) for c, v in sector.items()]
    rows += [(quarter, "people_reached", "province", c, v) for c, v in province.items()]
    return pd.DataFrame(rows, columns=["quarter", "indicator", "dimension", "category", "value"])


@pytest.fixture
def quarters(tmp_path):
    """2021Q4 {x, a}; 2022Q3 {a, b, c, d}; this run's 2022Q4 (staged) {c, d, e, f}; published folders also hold
    a stale 2022Q4 and a later 2023Q1, neither of which may be counted."""
    published, staging = tmp_path / "processed", tmp_path / "processed" / ".2022Q4.staging-1-data"
    _quarter(published, "2021Q4", ["x", "a", "a"])
    _quarter(published, "2022Q3", ["a", "b", "c", "d"], [(None, "group")])
    _quarter(published, "2022Q4", ["stale"])
    _quarter(published, "2023Q1", ["g", "a"])
    # e twice (two services), z only in a household record (not a registered individual), one without an id
    current = _quarter(staging, "2022Q4", ["c", "d", "e", "e", "f"], [("z", "household"), (None, "individual")])
    write_csv(_indicators("2022Q3", {"Protection": 40, "Health": 3, "Education": 10},
                          {"Adana": 30, "Hatay": 23}), published / "2022Q3" / "indicators.csv")
    return published, current


def test_every_cross_quarter_figure_on_a_known_overlap(quarters):
    published, current = quarters
    indicators = _indicators("2022Q4", {"Protection": 55, "Health": 20, "Education": 10, "Livelihoods": 2},
                             {"Adana": 25, "Hatay": 60, "Mardin": 2})
    out = across.across_indicators(Quarter.parse("2022Q4"), indicators, current, published, CFG)
    got = out[out["indicator"] != "people_reached"].set_index(["indicator", "dimension", "category"])["value"]
    assert got.to_dict() == {
        ("unique_individuals_year_to_date", "total", "all"): 6,   # a b c d e f
        ("unique_individuals_since_start", "total", "all"): 7,    # x a b c d e f
        ("returning_individuals", "total", "all"): 2,             # c d
        ("new_individuals", "total", "all"): 2,                   # e f
        # Health 3 -> 20 and Livelihoods 0 -> 2 and Mardin 0 -> 2: a suppressed side, no change shown; Education
        # and Adana are withheld this quarter to protect Livelihoods and Mardin (complementary): no change either,
        # or the change and last quarter's value would give them back
        ("people_reached_change", "sector", "Protection"): 15,
        ("people_reached_change", "province", "Hatay"): 37,
    }
    record = across.load(current)
    assert record.quarters == ["2021Q4", "2022Q3", "2022Q4"] and record.previous == "2022Q3"
    assert record.reason == "" and record.change_reason == ""


def test_a_quarter_pseudonymised_with_another_key_stops_the_people_figures(quarters):
    published, current = quarters
    (published / "2021Q4" / "quality.json").write_text(
        json.dumps({"quarter": "2021Q4", "key_fingerprint": "fedcba9876543210"}))
    indicators = _indicators("2022Q4", {"Protection": 55}, {"Adana": 55})
    out = across.across_indicators(Quarter.parse("2022Q4"), indicators, current, published, CFG)
    assert not out["indicator"].str.contains("individuals").any()
    assert set(out["indicator"]) == {"people_reached", "people_reached_change"}  # no pseudonyms involved
    reason = across.load(current).reason
    assert "2021Q4" in reason and "fedcba9876543210" in reason and "different key" in reason


def test_a_quarter_without_a_fingerprint_is_not_assumed_to_share_the_key(quarters):
    published, current = quarters
    (published / "2022Q3" / "quality.json").write_text(json.dumps({"quarter": "2022Q3"}))
    out = across.across_indicators(Quarter.parse("2022Q4"), _indicators("2022Q4", {"Health": 9}, {}), current,
                                   published, CFG)
    assert "unique_individuals_since_start" not in set(out["indicator"])
    assert "2022Q3 recorded no key fingerprint" in across.load(current).reason


def test_the_first_quarter_counts_everyone_as_new_and_has_no_change(tmp_path):
    current = _quarter(tmp_path / "staging", "2023Q1", ["p", "q", "p"])
    out = across.across_indicators(Quarter.parse("2023Q1"), _indicators("2023Q1", {"Health": 9}, {}), current,
                                   tmp_path / "none", CFG)
    got = out.set_index("indicator")["value"].to_dict()
    assert got["unique_individuals_since_start"] == got["unique_individuals_year_to_date"] == 2
    assert got["new_individuals"] == 2 and got["returning_individuals"] == 0
    assert "people_reached_change" not in got
    assert across.load(current).change_reason == "not computed: 2022Q4 has not been processed"
