"""People across quarters (helpers.measure.across): a fixture of quarters with a known overlap of people."""

import json
from pathlib import Path

import pandas as pd
import pytest

from helpers.config import Configuration
from helpers.csvfile import write_csv
from helpers.measure import across
from helpers.measure.disclosure import public_indicators
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
    assert list(out.columns) == list(indicators.columns) and out["quarter"].eq("2022Q4").all()
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


def _csv(table: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, path)


def _change(quarter: str, folder: Path, dimensions: list[str], published=()) -> tuple[list[tuple], across.Across]:
    now = _indicators(quarter, {"Protection": 55, "Health": 20, "Shelter": 5, "Nutrition": 5}, {})
    result = across.Across(quarter)
    spec = {"id": "people_reached_change", "dimensions": dimensions}
    rows = across.change_rows(Quarter.parse(quarter), now, folder, spec, result, CFG, published)
    assert list(rows.columns) == list(now.columns)
    return list(rows.itertuples(index=False, name=None)), result


def test_the_change_by_sector_largest_first_with_a_sector_no_longer_reached_and_one_at_the_threshold(tmp_path):
    """Education (10 last quarter) reached nobody this quarter: -10; Shelter and Nutrition at 5, the threshold,
    are shown; rows by this quarter's value, largest first, then by name."""
    _csv(_indicators("2022Q3", {"Protection": 40, "Health": 30, "Education": 10, "Shelter": 7}, {}),
         tmp_path / "2022Q3" / "indicators.csv")
    rows, result = _change("2022Q4", tmp_path, ["sector"])
    assert rows == [("2022Q4", "people_reached_change", "sector", "Protection", 15.0),
                    ("2022Q4", "people_reached_change", "sector", "Health", -10.0),
                    ("2022Q4", "people_reached_change", "sector", "Nutrition", 5.0),
                    ("2022Q4", "people_reached_change", "sector", "Shelter", -2.0),
                    ("2022Q4", "people_reached_change", "sector", "Education", -10.0)]
    assert result.previous == "2022Q3" and result.change_reason == ""
    assert _change("2022Q4", tmp_path, [])[0] == []  # no dimension, no rows


def test_the_change_of_a_second_quarter_is_since_the_first_quarter_of_the_same_year(tmp_path):
    _csv(_indicators("2023Q1", {"Protection": 50, "Health": 20, "Shelter": 5, "Nutrition": 5}, {}),
         tmp_path / "2023Q1" / "indicators.csv")
    _csv(_indicators("2022Q4", {"Protection": 10, "Health": 10, "Shelter": 5, "Nutrition": 5}, {}),
         tmp_path / "2022Q4" / "indicators.csv")
    rows, result = _change("2023Q2", tmp_path, ["sector"])
    assert result.previous == "2023Q1"
    assert {category: value for *_, category, value in rows} == {"Protection": 5, "Health": 0, "Nutrition": 0,
                                                                 "Shelter": 0}


def test_the_change_honours_every_cell_last_quarters_public_file_withheld_the_first_row_included(tmp_path):
    """A public file (row 2: HXL hashtags) whose first row is withheld: that sector has no change shown."""
    _csv(_indicators("2022Q3", {"Protection": 40, "Health": 30, "Shelter": 7, "Nutrition": 9}, {}),
         tmp_path / "2022Q3" / "indicators.csv")
    public = pd.DataFrame([("#indicator+code", "#meta+dimension", "#meta+category", "#reached", "#meta+suppressed"),
                           ("people_reached", "sector", "Shelter", "", "1"),
                           ("people_reached", "total", "all", "86", "0"),
                           ("people_reached", "sector", "Nutrition", "", "1"),
                           ("people_reached", "sector", "Health", "30", "0")],
                          columns=["indicator", "dimension", "category", "value", "suppressed"])
    _csv(public, tmp_path / "2022Q3" / "indicators_public.csv")
    rows, _ = _change("2022Q4", tmp_path, ["sector"])
    assert [category for *_, category, _value in rows] == ["Protection", "Health"]


def test_the_change_withholds_a_cell_revised_since_this_quarters_published_version(tmp_path):
    """This quarter was published with Health 22; the revision has 20: Health (with its complements) is
    withheld in the public file, so its change is not shown either (it would give the revision away)."""
    _csv(_indicators("2022Q3", {"Protection": 40, "Health": 30, "Shelter": 7, "Nutrition": 9}, {}),
         tmp_path / "2022Q3" / "indicators.csv")
    version = public_indicators(_indicators("2022Q4", {"Protection": 55, "Health": 22, "Shelter": 5,
                                                       "Nutrition": 5}, {}), CFG).iloc[1:]
    rows, _ = _change("2022Q4", tmp_path, ["sector"], [version])
    unrevised, _ = _change("2022Q4", tmp_path, ["sector"])
    shown = [category for *_, category, _value in rows]
    assert "Health" not in shown and len(shown) <= len(unrevised) - 2  # Health and at least one complement
    folder = _quarter(tmp_path / "staging", "2022Q4", ["p"])
    now = _indicators("2022Q4", {"Protection": 55, "Health": 20, "Shelter": 5, "Nutrition": 5}, {})
    out = across.across_indicators(Quarter.parse("2022Q4"), now, folder, tmp_path, CFG, [version])
    changed = out[out["indicator"] == "people_reached_change"]
    assert set(changed["category"]) == set(shown)


def test_records_under_a_folder_named_with_an_apostrophe_are_read(tmp_path):
    """Turkish writes suffixes after an apostrophe (``Türkiye'nin``): the path is quoted in DuckDB's SQL."""
    root = tmp_path / "Türkiye'nin verileri"
    earlier = _quarter(root / "processed", "2022Q3", ["a", "b"])
    current = _quarter(root / "staging", "2022Q4", ["b", "c", "c'"])
    people = across.count_people((Quarter.parse("2022Q4"), current), {"2022Q3": earlier})
    assert people == {"distinct_year_to_date": 4, "distinct_since_start": 4, "returning": 1, "new": 2}


def test_earlier_quarters_need_records_and_take_a_quality_file_without_a_quarter_as_its_folders(tmp_path):
    """2022Q1 has only indicators (no records): not counted; 2022Q2 has records and no quality.json; 2022Q3's
    quality.json (of an older run) names no quarter: both are earlier quarters."""
    _csv(_indicators("2022Q1", {"Health": 9}, {}), tmp_path / "2022Q1" / "indicators.csv")
    _quarter(tmp_path, "2022Q2", ["a"])
    (tmp_path / "2022Q2" / "quality.json").unlink()
    _quarter(tmp_path, "2022Q3", ["a"])
    (tmp_path / "2022Q3" / "quality.json").write_text(json.dumps({"key_fingerprint": FINGERPRINT}))
    assert across.earlier_quarters(Quarter.parse("2022Q4"), tmp_path) == {"2022Q2": tmp_path / "2022Q2",
                                                          "2022Q3": tmp_path / "2022Q3"}


def test_people_counted_beside_the_indicators_are_the_ones_added(quarters):
    """A run counts the people while it computes the quarter's indicators (run_indicators); they are not counted
    again, so the records may be gone by the time they are added."""
    published, current = quarters
    q = Quarter.parse("2022Q4")
    counted = across.people(q, current, published, CFG)
    (current / "records.parquet").unlink()
    out = across.across_indicators(q, _indicators("2022Q4", {"Protection": 55}, {}), current, published, CFG,
                                   counted=counted)
    got = out[out["dimension"] == "total"].set_index("indicator")["value"]
    assert got["unique_individuals_since_start"] == 7 and got["new_individuals"] == 2
    assert json.loads((current / across.REPORT_FILE).read_text())["people"] == counted.people


def test_why_people_were_not_counted_names_the_quarters_to_run_again(quarters):
    published, current = quarters
    (published / "2022Q3" / "quality.json").write_text(json.dumps({"quarter": "2022Q3"}))
    (current / "quality.json").unlink()
    assert across.compute_across(Quarter.parse("2022Q4"), current, published).reason == (
        "not computed: 2022Q4, 2022Q3 recorded no key fingerprint, so it cannot be shown that every quarter was "
        "pseudonymised with the same key; re-run it")


def test_why_people_were_not_counted_names_each_quarter_of_another_key_and_its_fingerprint(quarters):
    published, current = quarters
    (published / "2021Q4" / "quality.json").write_text(json.dumps({"quarter": "2021Q4", "key_fingerprint": "f1"}))
    assert across.compute_across(Quarter.parse("2022Q4"), current, published).reason == (
        f"not computed: 2021Q4 was pseudonymised with a different key (fingerprint f1) than 2022Q4 ({FINGERPRINT}), "
        "so one person has different pseudonyms in them and would be counted twice; re-run the quarters with one "
        "key")
    (published / "2022Q3" / "quality.json").write_text(json.dumps({"quarter": "2022Q3", "key_fingerprint": "f2"}))
    result = across.compute_across(Quarter.parse("2022Q4"), current, published)
    assert result.reason.startswith("not computed: 2021Q4, 2022Q3 were pseudonymised with a different key "
                                    "(fingerprint f1, f2) than 2022Q4")
    assert result.quarter == "2022Q4" and result.people == {}


def test_a_quarter_processed_before_the_cross_quarter_figures_says_so(tmp_path):
    record = across.load(tmp_path / "2021Q4")
    assert record == across.Across("2021Q4", reason="not computed: this quarter was processed before they existed")


def test_without_people_indicators_in_the_configuration_no_records_are_read(config_copy, quarters):
    """Only the change since the previous quarter configured: no quarter is counted (this one holds no records)."""
    published, current = quarters
    text = (config_copy / "indicators.yml").read_text(encoding="utf-8")
    start, end = text.index("  - id: unique_individuals_year_to_date"), text.index("  - id: people_reached_change")
    (config_copy / "indicators.yml").write_text(text[:start] + text[end:], encoding="utf-8")
    (current / "records.parquet").unlink()
    out = across.across_indicators(Quarter.parse("2022Q4"), _indicators("2022Q4", {"Protection": 55}, {}), current,
                                   published, Configuration(config_copy))
    assert set(out["indicator"]) == {"people_reached", "people_reached_change"}
    assert across.load(current) == across.Across("2022Q4", previous="2022Q3")
