"""Indicator measures on a small hand-counted set of cleaned records."""

import numpy as np
import pandas as pd
import pytest
from conftest import edit

from helpers import context, kernels
from helpers.clean import totals
from helpers.config import Configuration
from helpers.measure.indicators import Records, compute_indicators, history_with, load_history, value
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


def test_the_columns_read_are_the_reach_inputs_then_each_dimension_filter_and_measured_column_once():
    from helpers.measure.indicators import REACH_COLUMNS, needed_columns

    specs = [{"id": "a", "measure": "reach", "dimensions": ["total", "sex+age_group", "province"]},
             {"id": "b", "measure": "year_to_date"},  # no dimensions given
             {"id": "c", "measure": "sum", "column": "quantity", "dimensions": ["item"],
              "filter": {"activity": ["BN_INKIND"], "sex": ["female"]}}]
    assert needed_columns(specs) == [*REACH_COLUMNS, "sex", "age_group", "item", "activity", "quantity"]


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
    assert table(ind, "institutions_supported", "total") == [("all", 0)]  # a total of 0 is a row, and says so
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


def test_a_history_row_of_the_quarter_itself_is_never_added_to_it(counted):
    """A history handed in with this quarter's own earlier total (1000 for 2022Q4) adds only the quarters before."""
    assert cumulative(compute_indicators(counted, Q4, CFG, HISTORY)) == (23 + 50 + 60, 23 + 40 + 50 + 60)


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
    counted["activity_detail"] = ["Case management"] + [None] * (len(counted) - 1)  # free text, reviewed
    counted.to_parquet(processed / "2022Q4" / "records.parquet")
    returned = run_indicators(context.build("2022Q4", processed_dir=processed))
    assert table(returned, "services_delivered", "activity_detail") == [("Case management", 1)]  # computed...
    written = pd.read_csv(processed / "2022Q4" / "indicators.csv", dtype={"category": "string"})
    assert table(written, "people_reached", "province") == [("Hatay", 17), ("Adana", 3), ("Kilis", 3)]
    assert cumulative(written) == cumulative(returned) == (23 + 40, 23 + 40)
    public = pd.read_csv(processed / "2022Q4" / "indicators_public.csv", skiprows=[1])  # row 2: HXL hashtags
    crossed = [category for category, _ in table(returned, "people_reached", "sex+age_group")]
    assert [category for category, _ in table(public, "people_reached", "sex+age_group")] == crossed  # small cells
    assert table(public, "people_reached", "total") == [("all", 23)]  # are suppressed, but every row is there
    assert {"activity_detail", "centre+activity_detail"} & set(public["dimension"]) == set()  # ...not published
    items = public[public["indicator"] == "items_distributed"]  # h1's in-kind record has no quantity
    assert items[["dimension", "value", "completeness"]].astype(object).fillna("").values.tolist() == [
        ["total", "", "not_reported"]]  # never a silent 0
    assert sorted(p.name for p in (processed / "2022Q4").glob("indicators_public*.csv")) == [
        "indicators_public-definitions.csv", "indicators_public-dictionary.csv", "indicators_public.csv"]
    history = pd.read_csv(processed / "history.csv", dtype={"quarter": "string"})
    assert list(history.columns) == ["quarter", "people_reached", "source"]
    assert list(zip(history["quarter"], history["people_reached"], history["source"], strict=True)) == [
        ("2022Q3", 40, "published"), ("2022Q4", 23, "pipeline")]


def test_records_with_plain_text_columns_give_the_same_numbers_as_categorical_ones(counted):
    """A quarter read back without its categories (plain strings) is counted the same."""
    plain = counted.astype({c: "string" for c in counted.columns if isinstance(counted[c].dtype, pd.CategoricalDtype)})
    pd.testing.assert_frame_equal(compute_indicators(plain, Q4, CFG), compute_indicators(counted, Q4, CFG))


def _staged(tmp_path, records, published_totals=None):
    """A processed folder holding one cleaned quarter, as the clean step leaves it."""
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    if published_totals is not None:
        published_totals.to_csv(raw / "published-totals.csv", index=False)
    totals.write(totals.read(raw, Quarter.parse("2022Q4"), CFG), processed / "2022Q4", CFG)
    records.to_parquet(processed / "2022Q4" / "records.parquet")
    return processed


def test_a_run_reads_only_the_columns_the_indicators_use(tmp_path, counted, monkeypatch):
    """A national quarter has ten million records: the run reads the columns its indicators need, no others."""
    from helpers.measure.indicators import needed_columns, run_indicators

    processed = _staged(tmp_path, counted)
    read, real = [], pd.read_parquet
    monkeypatch.setattr(pd, "read_parquet", lambda path, **kw: read.append(kw.get("columns")) or real(path, **kw))
    run_indicators(context.build("2022Q4", processed_dir=processed))
    assert read[0] == needed_columns(CFG.indicators())
    assert "date" not in read[0] and "age" not in read[0]


def test_a_run_warns_of_each_label_not_on_the_reviewed_list_and_how_many_records_it_holds(tmp_path, counted, caplog):
    from helpers.measure.indicators import run_indicators

    counted = counted.assign(donor=["Donor Z", "Donor A", "Donor Z"] + [None] * (len(counted) - 3))
    processed = _staged(tmp_path, counted)
    with caplog.at_level("WARNING", logger="helpers.measure.indicators"):
        ind = run_indicators(context.build("2022Q4", processed_dir=processed))
    assert [r.getMessage() for r in caplog.records if r.name == "helpers.measure.indicators"] == [
        "donor: 1 label(s) not on the reviewed list counted as 'Other' (2 records); review them with "
        "quarterly-report check"]
    assert table(ind, "people_reached", "donor") == [("Other", 2), ("Donor A", 1)]  # Donor Z: p1 and p2


def test_a_staged_run_takes_earlier_quarters_from_the_published_folder(tmp_path, counted):
    """A run writes into a staging folder; the quarters already published (with their indicators.csv) are
    read from the published one, and the staging folder's history gains them with this quarter."""
    from helpers.measure.indicators import run_indicators

    staging, published = _staged(tmp_path, counted), tmp_path / "published"
    (published / "2022Q3").mkdir(parents=True)
    pd.DataFrame({"quarter": "2022Q3", "indicator": "people_reached", "dimension": "total", "category": "all",
                  "value": [90.0]}).to_csv(published / "2022Q3" / "indicators.csv", index=False)
    ind = run_indicators(context.build("2022Q4", processed_dir=staging, earlier_dir=published))
    assert cumulative(ind) == (23 + 90, 23 + 90)
    history = pd.read_csv(staging / "history.csv", dtype={"quarter": "string"})
    assert list(zip(history["quarter"], history["people_reached"], history["source"], strict=True)) == [
        ("2022Q3", 90, "pipeline"), ("2022Q4", 23, "pipeline")]
    assert not (published / "history.csv").exists()


def test_a_revised_quarter_withholds_what_changed_since_its_published_version(tmp_path, counted):
    """2022Q4 was published (its public file kept in the published folder's audit trail) before p6, a person of
    Protection, was added: the revision's Protection (15, once 14) is withheld in the public file and left out
    of the change since 2022Q3, either of which would give the one person away."""
    from helpers.measure.disclosure import public_indicators
    from helpers.measure.indicators import run_indicators

    staging, published = _staged(tmp_path, counted), tmp_path / "published"
    (published / "2022Q3").mkdir(parents=True)
    pd.DataFrame({"quarter": "2022Q3", "indicator": "people_reached", "dimension": ["total", "sector", "sector"],
                  "category": ["all", "Protection", "Basic Needs"], "value": [30.0, 10.0, 20.0]}).to_csv(
        published / "2022Q3" / "indicators.csv", index=False)
    version = published / "2022Q4.versions" / "v1"
    version.mkdir(parents=True)
    before = counted[counted["beneficiary_id"] != "p6"]
    public_indicators(compute_indicators(before, Q4, CFG), CFG).to_csv(version / "indicators_public.csv",
                                                                       index=False)
    ind = run_indicators(context.build("2022Q4", processed_dir=staging, earlier_dir=published))
    public = pd.read_csv(staging / "2022Q4" / "indicators_public.csv", skiprows=[1], dtype=str,
                         keep_default_na=False)
    sectors = public[(public["indicator"] == "people_reached") & (public["dimension"] == "sector")]
    assert dict(zip(sectors["category"], sectors["value"], strict=True))["Protection"] == ""
    assert table(ind, "people_reached_change", "sector") == [("Health", 0), ("Livelihoods", 0)]  # Protection left out


def test_an_indicators_file_of_other_quarters_or_of_none_is_left_out_of_the_history_and_said(tmp_path, caplog):
    """A folder copied under another quarter's name is not read as that quarter: the warning names the quarters
    its file holds, or says it holds none."""
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    totals.write(totals.read(raw, Q4, CFG), processed / "2022Q4", CFG)
    for folder, quarters, indicator in [("2022Q3", ["2022Q2", "2022Q1"], "people_reached"),
                                        ("2022Q2", ["2022Q2"], "services_delivered")]:
        (processed / folder).mkdir()
        pd.DataFrame({"quarter": quarters, "indicator": indicator, "dimension": "total", "category": "all",
                      "value": 5.0}).to_csv(processed / folder / "indicators.csv", index=False)
    with caplog.at_level("WARNING", logger="helpers.measure.indicators"):
        assert load_history(Q4, CFG, processed).empty
    assert sorted(r.getMessage() for r in caplog.records if r.name == "helpers.measure.indicators") == [
        f"{processed / '2022Q2'} holds figures of no quarter, not of 2022Q2: ignored",
        f"{processed / '2022Q3'} holds figures of 2022Q1, 2022Q2, not of 2022Q3: ignored"]


@pytest.mark.parametrize("plain", [False, True])
def test_a_filter_on_another_column_keeps_only_its_records_within_each_reach_type(counted, plain):
    """An indicator's filter (here sex: female) applies with the reach type a measure adds to it, and a record
    with no value in the filtered column (p7's sex not recorded) is not kept, whether the column is categorical
    or plain text."""
    counted = counted.astype({"sex": "object"})
    counted.loc[counted["beneficiary_id"] == "p7", "sex"] = None
    if plain:
        counted = counted.astype({c: "string" for c in counted.columns
                                  if isinstance(counted[c].dtype, pd.CategoricalDtype) or c == "sex"})
    data = Records(counted.astype({"sex": "string" if plain else "category"}))
    assert data.rows({"sex": ["female"]}, "individual").tolist() == [0, 1, 2, 7]  # p1 twice, p2, p6
    assert data.rows({"sex": ["female", "male"]}, "group").tolist() == []  # the session's sex is unknown
    reached = data.reach_matrix("province", {"sex": ["female"]}).sum(axis=0)
    assert dict(zip(data.dimension("province").labels, reached.tolist(), strict=True)) == {
        "Adana": 1, "Hatay": 2, "Kilis": 0, "Osmaniye": 0}


def test_a_record_with_no_value_in_one_column_of_a_crossed_breakdown_is_not_counted_in_it(counted):
    """People reached by centre × activity detail: p1's two records are at Adana MMCC, one with a detail; the
    other (no detail), and p2's (a detail, no centre), are in no cell, never in a neighbour's."""
    counted = counted.assign(centre=None, activity_detail=None)
    counted.loc[[0, 1], "centre"] = "Adana MMCC"
    counted.loc[[0, 2], "activity_detail"] = "Case management"
    ind = compute_indicators(counted, Q4, CFG)
    assert table(ind, "people_reached", "centre+activity_detail") == [("Adana MMCC | Case management", 1)]
    assert table(ind, "services_delivered", "centre") == [("Adana MMCC", 2)]


def test_reach_counts_each_record_by_its_reach_type_only(counted):
    """h2's cash record also carries the head's registration (p9), and p3's service records name p3's household
    (h3, 6 people): h2's one person is counted once, as a household member; p3 once, as an individual (not
    their household); the training's 4 participants (capacity) are never people reached, with or without a
    filter."""
    counted = counted.astype({"beneficiary_id": "object", "household_id": "object"})
    counted.loc[counted["household_id"] == "h2", "beneficiary_id"] = "p9"
    counted.loc[counted["beneficiary_id"] == "p3", ["household_id", "household_size"]] = ["h3", 6]
    counted = counted.astype({"beneficiary_id": "category", "household_id": "category"})
    ind = compute_indicators(counted, Q4, CFG)
    assert value(ind, "people_reached", cfg=CFG) == 23
    assert table(ind, "people_reached", "province") == [("Hatay", 17), ("Adana", 3), ("Kilis", 3)]
    data = Records(counted)
    reached = data.reach_matrix("province", None).sum(axis=0)
    assert dict(zip(data.dimension("province").labels, reached.tolist(), strict=True)) == {
        "Adana": 3, "Hatay": 17, "Kilis": 3, "Osmaniye": 0}


def test_each_filter_has_its_own_reach_whichever_was_counted_first(counted):
    """Reach is worked out once per selection of records and kept: filters that differ in one reach type only,
    in another column, or not at all, each get their own counts, never another filter's."""
    data = Records(counted)
    for where, expected in [
        ({"reach_type": ["household", "group"]}, {"Adana": 0, "Hatay": 5 + 10, "Kilis": 1, "Osmaniye": 0}),
        ({"reach_type": ["individual", "group"]}, {"Adana": 3, "Hatay": 2 + 10, "Kilis": 2, "Osmaniye": 0}),
        ({"reach_type": ["individual", "household"]}, {"Adana": 3, "Hatay": 2 + 5, "Kilis": 2 + 1, "Osmaniye": 0}),
        ({"reach_type": ["individual", "household", "group"]}, {"Adana": 3, "Hatay": 17, "Kilis": 3, "Osmaniye": 0}),
        (None, {"Adana": 3, "Hatay": 17, "Kilis": 3, "Osmaniye": 0}),
        ({"sex": ["male"]}, {"Adana": 1, "Hatay": 0, "Kilis": 2, "Osmaniye": 0}),  # p3; p4 and p5
    ]:
        reached = data.reach_matrix("province", where).sum(axis=0)
        assert dict(zip(data.dimension("province").labels, reached.tolist(), strict=True)) == expected, where


FILTERED = """indicators:
  - id: women_reached
    label: Women and girls reached
    definition: People reached among records of women and girls.
    measure: reach
    filter: {sex: [female]}
    dimensions: [total, province]
    unit: people
  - id: people_in_kilis_households
    label: People in households reached in Kilis
    definition: People in the distinct households of Kilis records.
    measure: household_people
    filter: {province: [Kilis]}
    dimensions: [total]
    unit: people
  - id: cash_in_kilis
    label: Cash transferred in Kilis
    definition: Lira transferred by Kilis records.
    measure: sum
    column: amount_try
    filter: {province: [Kilis]}
    dimensions: [total]
    unit: TRY
  - id: women_reached_max
    label: Women and girls reached, largest sector per province
    definition: Sum over provinces of the largest sector's women and girls reached.
    measure: reach_max
    filter: {sex: [female]}
    dimensions: [total]
    unit: people
  - id: provinces_reaching_women
    label: Provinces where women and girls were reached
    definition: Provinces with at least one woman or girl reached.
    measure: covered
    filter: {sex: [female]}
    dimensions: [total]
    unit: provinces

"""


def test_a_filtered_indicator_of_each_measure_counts_only_its_records(config_copy, counted):
    """Indicators an analyst adds with a filter: reach among women and girls (p1 in Adana; p2, p6 in Hatay), its
    largest sector per province and the provinces it covers, Kilis households' people (h2: 1 of the 6) and Kilis
    cash (200.11 of 300.23)."""
    edit(config_copy / "indicators.yml", "indicators:\n", FILTERED)
    cfg = Configuration(config_copy)
    ind = compute_indicators(counted, Q4, cfg)
    assert table(ind, "women_reached", "province") == [("Hatay", 2), ("Adana", 1)]
    assert value(ind, "women_reached", cfg=cfg) == 3
    assert value(ind, "people_in_kilis_households", cfg=cfg) == 1
    assert value(ind, "cash_in_kilis", cfg=cfg) == 200.11
    assert value(ind, "women_reached_max", cfg=cfg) == 1 + 2  # Adana: p1; Hatay: p2, p6 (all Protection)
    assert value(ind, "provinces_reaching_women", cfg=cfg) == 2  # Adana with one woman reached counts


@pytest.mark.parametrize("plain", [False, True])
def test_a_quarter_with_no_records_reports_zeros(counted, plain):
    """Whether the empty records keep their categories or, read as plain text, have none."""
    empty = counted.iloc[:0]
    if plain:
        empty = empty.astype({c: "string" for c in empty.columns if isinstance(empty[c].dtype, pd.CategoricalDtype)})
    ind = compute_indicators(empty, Q4, CFG)
    assert [value(ind, indicator, cfg=CFG) for indicator in ("people_reached", "people_reached_max",
                                                              "provinces_covered")] == [0, 0, 0]


def test_an_unknown_measure_names_the_indicator_and_the_measure(config_copy, counted):
    edit(config_copy / "indicators.yml", "indicators:\n", FILTERED.replace("measure: sum", "measure: total"))
    with pytest.raises(ValueError, match=r"^indicator cash_in_kilis: unknown measure 'total'$"):
        compute_indicators(counted, Q4, Configuration(config_copy))
