"""Indicator measures on a small hand-counted set of cleaned records."""

import numpy as np
import pandas as pd
import pytest

from helpers import context, kernels
from helpers.clean import totals
from helpers.config import Configuration
from helpers.measure.indicators import compute_indicators, history_with, load_history, value
from helpers.paths import CONFIG_DIR, Quarter

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)
Q4, HEADLINE = Quarter.parse("2022Q4"), CFG.headline()

ROW = dict(quarter="2022Q4", source="x.csv", row_number=2, date=pd.Timestamp("2022-10-05"), district=None,
           activity_detail=None, beneficiary_id=None, household_id=None, household_size=None, participants=None,
           sex="unknown", age=None, age_group="unknown", nationality=None, population_group="unknown",
           disability=None, item=None, quantity=None, amount_try=None, donor=None, site=None, centre=None)


def rec(**kw):
    return {**ROW, **kw}


@pytest.fixture
def records():
    rows = [
        # Protection, Adana: the same person twice (counts once), another person, a group session of 10
        rec(province="Adana", iso_code="TR-01", activity="PROT_CASE_MGMT", sector="Protection",
            reach_type="individual", beneficiary_id="a", sex="female", age_group="18-59", donor="Donor A",
            site="Adana MMCC - Seyhan", centre="Adana MMCC"),
        rec(province="Adana", iso_code="TR-01", activity="PROT_LEGAL", sector="Protection", reach_type="individual",
            beneficiary_id="a", sex="female", age_group="18-59", site="Adana MMCC", centre="Adana MMCC"),
        rec(province="Adana", iso_code="TR-01", activity="PROT_LEGAL", sector="Protection", reach_type="individual",
            beneficiary_id="b", sex="male", age_group="5-11"),
        rec(province="Adana", iso_code="TR-01", activity="PROT_PSS", sector="Protection", reach_type="group",
            participants=10, site="Adana MMCC", centre="Adana MMCC"),
        # Education, Adana: person a again (another sector: counts again in people_reached)
        rec(province="Adana", iso_code="TR-01", activity="EDU_LANGUAGE", sector="Education",
            reach_type="individual", beneficiary_id="a", sex="female", age_group="18-59"),
        # Basic Needs, Hatay: household h1 seen with size 4 and 6 (largest counts), h2 of 3
        rec(province="Hatay", iso_code="TR-31", activity="BN_INKIND", sector="Basic Needs", reach_type="household",
            household_id="h1", household_size=4, item="hygiene kit", quantity=1, donor="Donor A"),
        rec(province="Hatay", iso_code="TR-31", activity="BN_INKIND", sector="Basic Needs", reach_type="household",
            household_id="h1", household_size=6, item="food kit", quantity=1),
        rec(province="Hatay", iso_code="TR-31", activity="BN_CASH", sector="Basic Needs", reach_type="household",
            household_id="h2", household_size=3, amount_try=1500.5),
        # capacity: never beneficiaries
        rec(province="Hatay", iso_code="TR-31", activity="CAP_TRAINING", sector="Capacity", reach_type="capacity",
            participants=7),
        rec(province="Hatay", iso_code="TR-31", activity="CAP_TRAINING", sector="Capacity", reach_type="capacity",
            beneficiary_id="staff1"),
    ]
    frame = pd.DataFrame(rows)
    cats = ["quarter", "province", "iso_code", "activity", "sector", "reach_type", "sex", "age_group",
            "population_group", "item", "donor", "site", "centre", "beneficiary_id", "household_id",
            "activity_detail", "district", "nationality"]
    frame = frame.astype({c: "category" for c in cats})
    return frame.astype({"household_size": "Int64", "participants": "Int64"})


def test_reach_counts_each_person_once_per_sector_and_sums_sectors(records):
    ind = compute_indicators(records, Q4, CFG)
    assert value(ind, "people_reached", "sector", "Protection", cfg=CFG) == 2 + 10
    assert value(ind, "people_reached", "sector", "Education", cfg=CFG) == 1
    assert value(ind, "people_reached", "sector", "Basic Needs", cfg=CFG) == 6 + 3
    assert value(ind, "people_reached", "sector", "Health", cfg=CFG) == 0  # listed even when zero
    assert value(ind, "people_reached", cfg=CFG) == 12 + 1 + 9
    assert value(ind, "people_reached", "province", "Adana", cfg=CFG) == 13


def test_other_conventions_and_capacity(records):
    ind = compute_indicators(records, Q4, CFG)
    assert value(ind, "people_reached_max", cfg=CFG) == 12 + 9  # Adana: max(12, 1); Hatay: 9
    assert value(ind, "unique_individuals", cfg=CFG) == 2  # a and b; staff are not beneficiaries
    assert value(ind, "people_trained", cfg=CFG) == 8
    assert value(ind, "provinces_covered", cfg=CFG) == 2


def test_disaggregations_centres_and_crossed_dimensions(records):
    ind = compute_indicators(records, Q4, CFG)
    assert value(ind, "people_reached", "centre", "Adana MMCC", cfg=CFG) == 1 + 10
    assert value(ind, "services_delivered", "centre", "Adana MMCC", cfg=CFG) == 3
    assert value(ind, "people_reached", "activity+province", "EDU_LANGUAGE | Adana", cfg=CFG) == 1
    assert value(ind, "people_reached", "sex", "female", cfg=CFG) == 2  # a in Protection and in Education
    assert value(ind, "people_reached", "donor", "Donor A", cfg=CFG) == 1 + 4  # within the donor, h1 was seen with 4


def test_households_items_and_cash(records):
    ind = compute_indicators(records, Q4, CFG)
    assert value(ind, "households_reached", cfg=CFG) == 2
    assert value(ind, "people_in_households", cfg=CFG) == 9
    assert value(ind, "households_reached", "item", "hygiene kit", cfg=CFG) == 1
    assert value(ind, "items_distributed", "item", "hygiene kit", cfg=CFG) == 1
    assert value(ind, "cash_transferred_try", cfg=CFG) == 1500.5


def test_contract_columns_and_plain_numbers(records):
    ind = compute_indicators(records, Q4, CFG)
    assert list(ind.columns) == ["quarter", "indicator", "dimension", "category", "value"]
    assert ind["value"].dtype == "float64"
    assert set(ind.loc[ind["dimension"] == "total", "category"]) == {"all"}


def test_cumulative_totals_use_history_and_rerun_replaces_the_quarter(tmp_path, records):
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    pd.DataFrame({"quarter": ["2021Q4", "2022Q1", "2022Q2"], "people_reached": [100, 20, 30]}).to_csv(
        raw / "published-totals.csv", index=False)
    totals.write(totals.read(raw, Quarter.parse("2022Q4"), CFG), processed / "2022Q4", CFG)  # what the clean step does
    history = load_history(Q4, CFG, processed)
    ind = compute_indicators(records, Q4, CFG, history)
    assert value(ind, "people_reached_year_to_date", cfg=CFG) == 22 + 50
    assert value(ind, "people_reached_since_start", cfg=CFG) == 22 + 150
    twice = history_with(history_with(history, Q4, 22, HEADLINE), Q4, 23, HEADLINE)
    assert twice["quarter"].tolist().count("2022Q4") == 1
    assert twice.set_index("quarter").at["2022Q4", "people_reached"] == 23


def test_indicators_read_only_the_columns_they_use_and_nothing_they_need_is_missing():
    from helpers.measure.indicators import needed_columns

    columns = needed_columns(CFG.indicators())
    assert {"province", "sex", "age_group", "activity_detail", "site", "quantity", "amount_try"} <= set(columns)
    assert not {"date", "row_number", "source", "district", "age", "nationality"} & set(columns)


@pytest.mark.parametrize("block", [1, 3, 64, 1 << 20])
def test_people_are_counted_the_same_whatever_the_block_size(block, monkeypatch):
    """Distinct people and largest household sizes per category, block by block = all rows at once."""
    rng = np.random.default_rng(7)
    ids = np.sort(rng.integers(0, 60, 500)).astype(np.int32)
    group = rng.integers(-1, 6, 500).astype(np.int8)
    size = rng.integers(1, 9, 500).astype("float64")
    size[::11] = np.nan
    frame = pd.DataFrame({"id": ids, "group": group, "size": size}).query("group >= 0")
    distinct = frame.groupby("group")["id"].nunique().reindex(range(6), fill_value=0)
    largest = frame.dropna().groupby(["group", "id"])["size"].max().groupby("group").sum().reindex(range(6),
                                                                                                   fill_value=0)
    monkeypatch.setattr(kernels, "BLOCK", block)
    assert kernels.distinct_per(group, ids, 6).tolist() == distinct.tolist()
    assert kernels.largest_per(group, ids, size, 6).tolist() == largest.tolist()


# A second small quarter in which every cell of the crossed breakdowns, every row of the published tables and
# every cumulative figure is counted by hand (comments give the count).
@pytest.fixture
def counted():
    def person(pid, sex, age_group, activity, province, sector="Protection"):
        return rec(province=province, activity=activity, sector=sector, reach_type="individual",
                   beneficiary_id=pid, sex=sex, age_group=age_group)

    def household(hid, size, activity, province, amount=None):
        return rec(province=province, activity=activity, sector="Basic Needs", reach_type="household",
                   household_id=hid, household_size=size, amount_try=amount)

    rows = [
        person("p1", "female", "18-59", "PROT_LEGAL", "Adana"),
        person("p1", "female", "18-59", "PROT_CASE_MGMT", "Adana"),  # p1 in a second activity
        person("p2", "female", "0-4", "PROT_LEGAL", "Hatay"),
        person("p3", "male", "18-59", "PROT_CASE_MGMT", "Adana"),
        person("p3", "male", "18-59", "PROT_CASE_MGMT", "Adana"),  # p3 twice in one cell: once
        person("p4", "male", "60+", "EDU_LANGUAGE", "Kilis", sector="Education"),
        person("p5", "male", "60+", "EDU_LANGUAGE", "Kilis", sector="Education"),
        person("p6", "female", "5-11", "PROT_CASE_MGMT", "Hatay"),
        person("p7", "unknown", "unknown", "PROT_LEGAL", "Adana"),
        rec(province="Hatay", activity="PROT_PSS", sector="Protection", reach_type="group", participants=10),
        household("h1", 4, "BN_INKIND", "Hatay"),
        household("h1", 5, "BN_CASH", "Hatay", amount=100.123),  # h1 largest: 5
        household("h2", 1, "BN_CASH", "Kilis", amount=200.111),
        # a training in Osmaniye: nobody reached there, so Osmaniye is in no table of people reached
        rec(province="Osmaniye", activity="CAP_TRAINING", sector="Capacity", reach_type="capacity", participants=4),
    ]
    frame = pd.DataFrame(rows)
    cats = ["quarter", "province", "activity", "sector", "reach_type", "sex", "age_group", "beneficiary_id",
            "household_id"]
    frame = frame.astype({c: "category" for c in cats})
    return frame.astype({"household_size": "Int64", "participants": "Int64"})


def table(ind, indicator, dimension):
    """The rows of one published table, in order: [(category, value), ...]."""
    rows = ind[(ind["indicator"] == indicator) & (ind["dimension"] == dimension)]
    return list(zip(rows["category"], rows["value"], strict=True))


def test_each_cell_of_sex_by_age_group_holds_its_own_people(counted):
    ind = compute_indicators(counted, Q4, CFG)
    assert dict(table(ind, "people_reached", "sex+age_group")) == {
        "female | 0-4": 1, "female | 5-11": 1, "female | 18-59": 1, "male | 18-59": 1, "male | 60+": 2,
        "unknown | unknown": 1 + 10 + 5 + 1,  # p7, the group session, households h1 and h2
    }


def test_each_cell_of_activity_by_province_holds_its_own_records(counted):
    ind = compute_indicators(counted, Q4, CFG)
    assert dict(table(ind, "people_reached", "activity+province")) == {
        "PROT_LEGAL | Adana": 2, "PROT_LEGAL | Hatay": 1, "PROT_CASE_MGMT | Adana": 2, "PROT_CASE_MGMT | Hatay": 1,
        "PROT_PSS | Hatay": 10, "EDU_LANGUAGE | Kilis": 2, "BN_INKIND | Hatay": 4, "BN_CASH | Hatay": 5,
        "BN_CASH | Kilis": 1,
    }
    assert dict(table(ind, "households_reached", "activity+province")) == {
        "BN_INKIND | Hatay": 1, "BN_CASH | Hatay": 1, "BN_CASH | Kilis": 1}
    assert dict(table(ind, "people_in_households", "activity+province")) == {
        "BN_CASH | Hatay": 5, "BN_INKIND | Hatay": 4, "BN_CASH | Kilis": 1}


def test_a_published_table_has_exactly_the_counted_rows_in_order(counted):
    """Zero rows are left out except the fixed categories (listed in the configuration's order, zeros
    included); then the largest value first, ties by name."""
    ind = compute_indicators(counted, Q4, CFG)
    assert table(ind, "people_reached", "province") == [("Hatay", 17), ("Adana", 3), ("Kilis", 3)]
    assert table(ind, "people_reached", "sector") == [
        ("Basic Needs", 6), ("Protection", 15), ("Education", 2), ("Health", 0), ("Livelihoods", 0)]
    assert table(ind, "people_reached", "age_group") == [
        ("0-4", 1), ("5-11", 1), ("12-17", 0), ("18-59", 2), ("60+", 2), ("unknown", 17)]
    assert table(ind, "services_delivered", "activity") == [
        ("PROT_CASE_MGMT", 4), ("PROT_LEGAL", 3), ("BN_CASH", 2), ("EDU_LANGUAGE", 2), ("BN_INKIND", 1),
        ("PROT_PSS", 1)]
    assert table(ind, "people_trained", "province") == [("Osmaniye", 4)]
    assert table(ind, "people_reached", "total") == [("all", 23)]
    assert value(ind, "provinces_covered", cfg=CFG) == 3  # Osmaniye had a training only
    assert value(ind, "people_reached_max", cfg=CFG) == 3 + 12 + 2  # largest sector per province


def test_published_values_are_rounded_to_cents(counted):
    ind = compute_indicators(counted, Q4, CFG)
    assert table(ind, "cash_transferred_try", "province") == [("Kilis", 200.11), ("Hatay", 100.12)]
    assert value(ind, "cash_transferred_try", cfg=CFG) == 300.23  # 300.234


def cumulative(ind):
    return value(ind, "people_reached_year_to_date", cfg=CFG), value(ind, "people_reached_since_start", cfg=CFG)


@pytest.mark.parametrize("history", [None, pd.DataFrame(columns=["quarter", "people_reached", "source"])])
def test_the_first_quarter_on_record_is_its_own_year_to_date_and_since_start(counted, history):
    assert cumulative(compute_indicators(counted, Q4, CFG, history)) == (23, 23)


HISTORY = pd.DataFrame({"quarter": ["2021Q4", "2022Q1", "2022Q2", "2022Q4"], "people_reached": [40, 50, 60, 1000]})


@pytest.mark.parametrize(("quarter", "year_to_date", "since_start"), [
    ("2022Q1", 23, 23 + 40),  # first quarter of a year: nothing earlier in that year
    ("2022Q3", 23 + 50 + 60, 23 + 40 + 50 + 60),  # 2022Q4 is later: never counted
    ("2023Q1", 23, 23 + 40 + 50 + 60 + 1000),
])
def test_cumulative_figures_add_the_earlier_quarters_on_record(counted, quarter, year_to_date, since_start):
    history = HISTORY[HISTORY["quarter"] != quarter]  # load_history never returns the quarter itself
    assert cumulative(compute_indicators(counted, Quarter.parse(quarter), CFG, history)) == (year_to_date, since_start)


def test_history_takes_the_headline_total_row_of_an_earlier_indicators_file(tmp_path, counted):
    """Another indicator's total or the headline's other dimensions are never read as a quarter's total, and
    a quarter the pipeline processed overrides its published total."""
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    pd.DataFrame({"quarter": ["2022Q2", "2022Q3"], "people_reached": [60, 999]}).to_csv(
        raw / "published-totals.csv", index=False)
    totals.write(totals.read(raw, Quarter.parse("2022Q4"), CFG), processed / "2022Q4", CFG)
    (processed / "2022Q3").mkdir()
    pd.DataFrame({
        "quarter": "2022Q3",
        "indicator": ["people_reached_max", "people_reached", "people_reached", "people_reached", "new_individuals"],
        "dimension": ["total", "sector", "total", "province", "total"],
        "category": ["all", "Protection", "all", "Adana", "all"],
        "value": [70.0, 80.0, 90.0, 85.0, 7.0],
    }).to_csv(processed / "2022Q3" / "indicators.csv", index=False)
    history = load_history(Q4, CFG, processed)
    assert list(zip(history["quarter"], history["people_reached"], history["source"], strict=True)) == [
        ("2022Q2", 60, "published"), ("2022Q3", 90, "pipeline")]
    assert cumulative(compute_indicators(counted, Q4, CFG, history)) == (23 + 60 + 90, 23 + 60 + 90)


def test_the_first_quarter_on_record_starts_an_empty_history(tmp_path):
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    totals.write(totals.read(raw, Quarter.parse("2022Q4"), CFG), processed / "2022Q4", CFG)  # no published totals file
    history = load_history(Q4, CFG, processed)
    assert history.empty and list(history.columns) == ["quarter", "people_reached", "source"]
    after = history_with(history, Q4, 23, HEADLINE)
    assert list(zip(after["quarter"], after["people_reached"], strict=True)) == [("2022Q4", 23)]


def test_a_run_writes_its_tables_the_public_rows_and_the_history(tmp_path, counted):
    from helpers.measure.indicators import run_indicators

    raw, processed = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    pd.DataFrame({"quarter": ["2022Q3"], "people_reached": [40]}).to_csv(raw / "published-totals.csv", index=False)
    totals.write(totals.read(raw, Quarter.parse("2022Q4"), CFG), processed / "2022Q4", CFG)
    counted.to_parquet(processed / "2022Q4" / "records.parquet")
    returned = run_indicators(context.build("2022Q4", processed_dir=processed))
    written = pd.read_csv(processed / "2022Q4" / "indicators.csv", dtype={"category": "string"})
    assert table(written, "people_reached", "province") == [("Hatay", 17), ("Adana", 3), ("Kilis", 3)]
    assert cumulative(written) == cumulative(returned) == (23 + 40, 23 + 40)
    public = pd.read_csv(processed / "2022Q4" / "indicators_public.csv", skiprows=[1])  # row 2: HXL hashtags
    crossed = [category for category, _ in table(returned, "people_reached", "sex+age_group")]
    assert [category for category, _ in table(public, "people_reached", "sex+age_group")] == crossed  # small cells
    assert table(public, "people_reached", "total") == [("all", 23)]  # are suppressed, but every row is there
    assert {"activity_detail", "centre+activity_detail"} & set(public["dimension"]) == set()  # free text
    history = pd.read_csv(processed / "history.csv", dtype={"quarter": "string"})
    assert list(zip(history["quarter"], history["people_reached"], strict=True)) == [("2022Q3", 40), ("2022Q4", 23)]


def test_records_with_plain_text_columns_give_the_same_numbers_as_categorical_ones(counted):
    """A quarter read back without its categories (plain strings) is counted the same."""
    plain = counted.astype({c: "string" for c in counted.columns if isinstance(counted[c].dtype, pd.CategoricalDtype)})
    pd.testing.assert_frame_equal(compute_indicators(plain, Q4, CFG), compute_indicators(counted, Q4, CFG))
