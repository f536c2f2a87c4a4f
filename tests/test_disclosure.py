"""Disclosure control (primary and complementary suppression) and the shareable, HXL-tagged indicators file."""

import logging
import re

import pandas as pd
import pytest
from conftest import edit

from helpers.clean.measures import LOWER_BOUND, NOT_REPORTED
from helpers.config import Configuration
from helpers.measure.disclosure import (
    COMPLEMENTARY,
    PLOTTED_COMPLEMENTARY,
    PRIMARY,
    SHOWN,
    Relation,
    definitions_name,
    derivable_ranges,
    dictionary_name,
    fmt,
    for_figures,
    public_definitions,
    public_dictionary,
    public_indicators,
    published_versions,
    relations,
    reviewed_labels,
    suppress,
    suppression,
)
from helpers.paths import CONFIG_DIR, Quarter

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

INDICATORS = pd.DataFrame({
    "quarter": "2022Q4",
    "indicator": ["people_reached", "people_reached", "people_reached", "people_reached", "people_trained"],
    "dimension": ["total", "province", "province", "sector", "total"],
    "category": ["all", "Şanlıurfa", "Siirt", "Health", "all"],
    "value": [67389.0, 8771.0, 3.0, 0.0, 4.0],
})
HXL_TAG = re.compile(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$")  # hashtag and attributes, lower case


def frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "dimension", "category", "value"]).assign(quarter="2022Q4")


def states(indicators: pd.DataFrame) -> dict[str, int]:
    found = suppression(indicators, CFG)
    return {f"{d}:{c}": s for d, c, s in zip(indicators["dimension"], indicators["category"], found, strict=True)}


def test_small_disaggregated_values_are_suppressed_but_not_totals_or_zeros():
    assert suppress(3) == "<5" and suppress(4.0) == "<5"
    assert suppress(5) == 5 and suppress(0) == 0
    assert suppress(3, total=True) == 3
    assert [fmt(v) for v in [67389, 3, 0]] == ["67,389", "<5", "–"]
    assert fmt(4, total=True) == "4"


def test_values_drawn_in_figures_carry_nothing_of_a_suppressed_value():
    drawn = for_figures(pd.Series([1.0, 4.0, 5.0, 0.0]))
    assert drawn.tolist() == [0.5, 0.5, 5.0, 0.0]
    assert [fmt(v) for v in drawn] == ["<5", "<5", "5", "–"]
    assert fmt(PLOTTED_COMPLEMENTARY) == "x"


def test_public_file_has_hxl_row_p_codes_and_blank_flagged_suppression():
    public = public_indicators(INDICATORS, CFG)
    hxl, rows = public.iloc[0], public.iloc[1:].reset_index(drop=True)
    assert all(HXL_TAG.match(tag) for tag in hxl), hxl.tolist()
    assert hxl["adm1_name"] == "#adm1+name" and hxl["adm1_pcode"] == "#adm1+code" and hxl["sector"] == "#sector"
    assert hxl["value"] == "#indicator+value+num" and hxl["suppressed"] == "#meta+suppressed"
    assert rows["value"].tolist() == ["67389", "8771", "", "0", "4"]  # total 4 stays, Siirt 3 does not
    assert rows["suppressed"].tolist() == ["0", "0", "1", "0", "0"]
    assert rows.loc[1, "adm1_pcode"] == "TUR063" and rows.loc[2, "adm1_pcode"] == "TUR056"
    assert rows.loc[0, "adm1_pcode"] == "" and rows.loc[3, "sector"] == "Health"
    assert rows.loc[0, "value_tag"] == "#reached"
    assert rows["quarter"].tolist() == ["2022Q4"] * 5 and rows["unit"].tolist() == ["people"] * 5
    assert rows["label"].tolist() == ["People reached"] * 4 + ["Staff and partner personnel trained"]


def test_crossed_categories_fill_one_column_per_breakdown_with_the_province_p_code():
    public = public_indicators(frame([
        ("people_reached", "total", "all", 1000.0),
        ("people_reached", "activity+province", "EDU_LANGUAGE | Ankara", 96.0),
        ("people_reached", "sex+age_group", "female | 18-59", 12.5),
        ("cash_transferred_try", "province", "Adana", 1250.25),
    ]), CFG).iloc[1:].reset_index(drop=True)
    ankara = public.loc[1]
    assert (ankara["activity"], ankara["activity_name"]) == ("EDU_LANGUAGE", "Language courses")
    assert (ankara["adm1_name"], ankara["adm1_pcode"]) == ("Ankara", "TUR006")
    assert (public.loc[2, "sex"], public.loc[2, "age_group"]) == ("female", "18-59")
    assert public["value"].tolist() == ["1000", "96", "12.5", "1250.25"]  # no 12.50, no 1000.00


def test_an_unknown_breakdown_or_province_is_refused_not_published_blank():
    with pytest.raises(KeyError, match=r"no public column for dimension 'shoe_size': give its record column public "
                                       r"columns and place it in public_columns in config/columns\.yml"):
        public_indicators(frame([("people_reached", "shoe_size", "44", 10.0)]), CFG)
    with pytest.raises(ValueError, match="Atlantis"):
        public_indicators(frame([("people_reached", "province", "Atlantis", 10.0)]), CFG)


def test_the_data_dictionary_describes_every_column_with_its_hashtag():
    public, dictionary = public_indicators(INDICATORS, CFG), public_dictionary(CFG)
    assert dictionary["column"].tolist() == public.columns.tolist()
    assert dictionary["hashtag"].tolist() == public.iloc[0].tolist()
    assert dictionary["meaning"].notna().all() and dictionary["meaning"].str.len().min() > 3
    assert set(dictionary["type"]) >= {"text", "number"}
    meanings = dictionary.set_index("column")["meaning"]  # from indicators.yml's public_columns
    assert meanings["adm1_pcode"] == "Province OCHA p-code (TUR + plate, e.g. TUR063)"
    assert meanings["activity_name"] == "Activity name (catalogue)"


def test_a_figure_no_record_reports_is_blank_never_0_and_a_partial_sum_is_a_lower_bound():
    """Never a silent 0 (issues 21, 23): the flag says what the report's "not reported" and "at least" say, and a
    withheld cell of a partial sum stays withheld."""
    rows = public_indicators(frame([
        ("people_reached", "total", "all", 100.0),
        ("cash_transferred_try", "total", "all", 0.0),  # computed from no amount at all
        ("items_distributed", "item", "blanket", 30.0),
        ("items_distributed", "item", "hygiene kit", 3.0),
    ]), CFG, incomplete={"cash_transferred_try": NOT_REPORTED, "items_distributed": LOWER_BOUND}).iloc[1:]
    assert rows["value"].tolist() == ["100", "", "30", ""]
    assert rows["suppressed"].tolist() == ["0", "0", "0", "1"]  # not reported is not withheld; <5 stays withheld
    assert rows["completeness"].tolist() == ["complete", "not_reported", "lower_bound", "lower_bound"]
    # a figure with no breakdown left (every category 0) still says, in total, that it is not reported
    rows = public_indicators(frame([("people_reached", "total", "all", 100.0)]), CFG,
                             incomplete={"items_distributed": NOT_REPORTED}).iloc[1:]
    assert rows[["indicator", "dimension", "category", "value", "suppressed", "completeness"]].values.tolist() == [
        ["people_reached", "total", "all", "100", "0", "complete"],
        ["items_distributed", "total", "all", "", "0", "not_reported"]]
    assert rows["period_start"].tolist() == ["2022-10-01"] * 2


def test_a_revision_of_a_figure_published_as_not_reported_is_compared_with_nothing():
    before = public_indicators(frame([("cash_transferred_try", "total", "all", 0.0)]), CFG,
                               incomplete={"cash_transferred_try": NOT_REPORTED}).iloc[1:]
    now = frame([("cash_transferred_try", "total", "all", 1000.0), ("cash_transferred_try", "province", "Adana", 998.0),
                 ("cash_transferred_try", "province", "Kilis", 2.0)])
    assert suppression(now, CFG, [before]).tolist() == [SHOWN, COMPLEMENTARY, PRIMARY]


def test_one_small_cell_gets_a_complement_so_total_minus_the_others_does_not_reveal_it():
    found = states(frame([("people_reached", "total", "all", 30.0),
                          ("people_reached", "sector", "Basic Needs", 20.0),
                          ("people_reached", "sector", "Protection", 7.0),
                          ("people_reached", "sector", "Education", 3.0)]))
    assert found == {"total:all": SHOWN, "sector:Basic Needs": SHOWN, "sector:Protection": COMPLEMENTARY,
                     "sector:Education": PRIMARY}


def test_two_small_cells_whose_sum_pins_both_get_a_complement():
    # 108 - 100 = 8 = 4 + 4: both would be known exactly
    found = states(frame([("people_reached", "total", "all", 108.0),
                          ("people_reached", "sector", "Basic Needs", 100.0),
                          ("people_reached", "sector", "Protection", 4.0),
                          ("people_reached", "sector", "Education", 4.0)]))
    assert found["sector:Basic Needs"] == COMPLEMENTARY and found["total:all"] == SHOWN


def test_small_cells_of_a_table_that_does_not_add_up_need_no_complement():
    # a person counted in two provinces: the provinces sum to more than the total, total - others reveals nothing
    found = states(frame([("people_reached", "total", "all", 100.0), ("people_reached", "province", "Adana", 99.0),
                          ("people_reached", "province", "Kilis", 3.0)]))
    assert found == {"total:all": SHOWN, "province:Adana": SHOWN, "province:Kilis": PRIMARY}


def test_a_complement_that_its_crossed_row_would_reveal_is_protected_in_turn():
    # the sample's households: hiding in-kind (1,819) alone is useless, its provinces add up to it
    rows = frame([
        ("households_reached", "total", "all", 3857.0),
        ("households_reached", "activity", "BN_CASH", 2037.0), ("households_reached", "activity", "BN_INKIND", 1819.0),
        ("households_reached", "activity", "BN_SHELTER", 1.0),
        ("households_reached", "province", "Adana", 2037.0), ("households_reached", "province", "Gaziantep", 1501.0),
        ("households_reached", "province", "Hatay", 319.0),
        ("households_reached", "activity+province", "BN_CASH | Adana", 2037.0),
        ("households_reached", "activity+province", "BN_INKIND | Gaziantep", 1500.0),
        ("households_reached", "activity+province", "BN_INKIND | Hatay", 319.0),
        ("households_reached", "activity+province", "BN_SHELTER | Gaziantep", 1.0),
    ])
    found = states(rows)
    assert {k for k, s in found.items() if s == COMPLEMENTARY} == {
        "activity:BN_INKIND", "activity+province:BN_INKIND | Gaziantep"}
    assert found["total:all"] == SHOWN


def test_the_dictionary_and_definitions_are_named_after_the_public_file():
    name = "refugee-response-turkiye-2022Q4-indicators.csv"
    assert dictionary_name(name) == "refugee-response-turkiye-2022Q4-indicators-dictionary.csv"
    assert definitions_name(name) == "refugee-response-turkiye-2022Q4-indicators-definitions.csv"
    assert dictionary_name("indicators_public.csv") == "indicators_public-dictionary.csv"


def test_the_definitions_list_each_published_indicator_once_in_file_order(config_copy):
    """One row per indicator of the public file (its hashtag row left out), with the name, unit, hashtag (blank
    when the indicator has none) and the definition on one line, as ``indicators.yml`` words it."""
    indicators_yml = config_copy / "indicators.yml"
    edit(indicators_yml, '    hxl: "#output+trained"\n', "")
    edit(indicators_yml, "Capacity-building records; distinct trainees",
         '"Capacity-building  records;\\n  distinct  trainees')
    edit(indicators_yml, "Never counted as beneficiaries.\n", 'Never counted as beneficiaries. "\n')
    cfg = Configuration(config_copy)
    rows = [("people_trained", "total", "all", 12.0), ("people_reached", "total", "all", 80.0),
            ("people_reached", "province", "Siirt", 80.0)]
    public = public_indicators(frame(rows), cfg)
    assert public_definitions(public, cfg).to_dict("records") == [
        {"indicator": "people_trained", "label": "Staff and partner personnel trained", "unit": "people",
         "hashtag": "", "definition": "Capacity-building records; distinct trainees plus session headcounts. "
                                      "Never counted as beneficiaries."},
        {"indicator": "people_reached", "label": "People reached", "unit": "people", "hashtag": "#reached",
         "definition": "Sum of the five sectors' reach; a sector's reach is its distinct registered individuals, "
                       "plus the people in its distinct households, plus the headcount of its group sessions. "
                       "A person served by two sectors counts in both."},
    ]


def test_published_versions_are_read_in_order_from_the_quarters_audit_folders(tmp_path):
    """Each published version's public file, its hashtag row skipped and every cell kept as text (a withheld
    value stays blank, 17 too as 20 − 3; a category such as ``NA`` is not read as missing); other quarters and
    other files left alone."""
    first = frame([("people_reached", "total", "all", 20.0), ("people_reached", "sector", "NA", 17.0),
                   ("people_reached", "sector", "Health", 3.0)])
    second = first.assign(value=[21.0, 18.0, 3.0])
    for folder, table in [("2022Q4.versions/v1", first), ("2022Q4.versions/v2", second),
                          ("2023Q1.versions/v1", second), ("2022Q4.versions/v3/other", second)]:
        (tmp_path / folder).mkdir(parents=True)
        public_indicators(table, CFG).to_csv(tmp_path / folder / "indicators_public.csv", index=False)
    (tmp_path / "2022Q4.versions" / "v3" / "indicators_public.xlsx").write_text("not a public file")
    versions = published_versions(Quarter.parse("2022Q4"), tmp_path)
    assert [v.to_dict("list") for v in versions] == [
        {"indicator": ["people_reached"] * 3, "dimension": ["total", "sector", "sector"],
         "category": ["all", "NA", "Health"], "value": ["20", "", ""], "suppressed": ["0", "1", "1"]},
        {"indicator": ["people_reached"] * 3, "dimension": ["total", "sector", "sector"],
         "category": ["all", "NA", "Health"], "value": ["21", "", ""], "suppressed": ["0", "1", "1"]},
    ]


def test_an_unreviewed_label_is_counted_as_other_in_each_listed_column_whatever_the_records_hold():
    """``labels.yml`` lists centre, donor, item, activity_detail: records without a centre column, with donors all
    reviewed, and items held as categories (a name first in order, an unused category last) on a filtered index
    still have their unreviewed item counted once and relabelled in place, row for row."""
    records = pd.DataFrame({
        "donor": ["Donor A", "Donor A", "Donor B", None],
        "item": pd.Categorical(["blanket", "A kit for Ahmet Yılmaz", "blanket", None],
                               categories=["A kit for Ahmet Yılmaz", "blanket", "zz never given"]),
    }, index=[10, 11, 12, 13])
    assert reviewed_labels(records, CFG) == {"item": {"A kit for Ahmet Yılmaz": 1}}
    assert list(records.index) == [10, 11, 12, 13]
    assert records["item"].tolist()[:3] == ["blanket", "Other", "blanket"] and pd.isna(records["item"][13])
    assert records["donor"].tolist()[:3] == ["Donor A", "Donor A", "Donor B"]


def test_an_activity_no_longer_in_the_catalogue_has_a_blank_name_in_the_public_file():
    """An earlier quarter's code the catalogue has dropped keeps its code; its name is blank, never "None"."""
    rows = [("services_delivered", "total", "all", 40.0), ("services_delivered", "activity", "PROT_LEGAL", 25.0),
            ("services_delivered", "activity", "PROT_RETIRED_2021", 15.0)]
    public = public_indicators(frame(rows), CFG).iloc[1:]
    assert public["activity"].tolist() == ["", "PROT_LEGAL", "PROT_RETIRED_2021"]
    assert public["activity_name"].tolist() == ["", "Legal assistance", ""]


def test_only_the_kept_rows_are_published_but_withheld_as_the_report_withholds_them():
    """``keep`` leaves rows out of the file after suppression was decided over all rows: the 3 home visits are
    not published, and the 17 group sessions stay withheld (20 − 17 would give the 3 the report withholds)."""
    rows = [("people_reached", "total", "all", 20.0), ("people_reached", "activity_detail", "Home visits", 3.0),
            ("people_reached", "activity_detail", "Group sessions", 17.0)]
    public = public_indicators(frame(rows), CFG, keep=pd.Series([True, False, True])).iloc[1:]
    assert public["category"].tolist() == ["all", "Group sessions"]
    assert public["value"].tolist() == ["20", ""] and public["suppressed"].tolist() == ["0", "1"]


def test_each_of_several_figures_no_record_reports_gets_its_own_not_reported_total():
    rows = public_indicators(frame([("people_reached", "total", "all", 100.0)]), CFG,
                             incomplete={"items_distributed": NOT_REPORTED, "cash_transferred_try": NOT_REPORTED})
    assert rows.iloc[1:][["indicator", "value", "suppressed", "completeness"]].values.tolist() == [
        ["people_reached", "100", "0", "complete"],
        ["items_distributed", "", "0", "not_reported"],
        ["cash_transferred_try", "", "0", "not_reported"]]


def test_an_indicator_without_its_own_hashtag_is_tagged_as_a_plain_value(config_copy):
    edit(config_copy / "indicators.yml", '    hxl: "#output+trained"\n', "")
    rows = public_indicators(frame([("people_trained", "total", "all", 12.0)]), Configuration(config_copy)).iloc[1:]
    assert rows["value_tag"].tolist() == ["#indicator+value+num"]


def test_a_small_activity_is_protected_within_its_sector_of_the_catalogue():
    """The activities do not add up to the total (90 of 100: no equation there), but Health's two activities add
    up to the Health sector: 30 − 27 would give the 3 medical assistance cases, so the 27 is withheld too."""
    found = states(frame([("people_reached", "total", "all", 100.0),
                          ("people_reached", "sector", "Health", 30.0),
                          ("people_reached", "sector", "Education", 70.0),
                          ("people_reached", "activity", "HEA_TRANSPORT", 27.0),
                          ("people_reached", "activity", "HEA_MEDICAL", 3.0),
                          ("people_reached", "activity", "EDU_LANGUAGE", 60.0)]))
    assert found == {"total:all": SHOWN, "sector:Health": SHOWN, "sector:Education": SHOWN,
                     "activity:HEA_TRANSPORT": COMPLEMENTARY, "activity:HEA_MEDICAL": PRIMARY,
                     "activity:EDU_LANGUAGE": SHOWN}


def _cell(category: str) -> tuple[str, str, str]:
    return ("people_reached", "sector", category)


TOTAL = ("people_reached", "total", "all")


@pytest.mark.parametrize(("values", "hidden", "ranges"), [
    # 30 = 20 + x + <5: the x is 6 to 9 (at least 5, and the <5 is 1 to 4), the <5 stays 1 to 4
    ({"a": 20, "x": 7, "s": 3}, {"x": COMPLEMENTARY, "s": PRIMARY}, {"x": (6.0, 9.0), "s": (1.0, 4.0)}),
    # 10 = 6 + <5 + <5: each is 1 to 3
    ({"a": 6, "s": 2, "t": 2}, {"s": PRIMARY, "t": PRIMARY}, {"s": (1.0, 3.0), "t": (1.0, 3.0)}),
    # 11 = 5 + <5 + <5: each is 2 to 4 (only the lower bound narrows, by one)
    ({"a": 5, "s": 3, "t": 3}, {"s": PRIMARY, "t": PRIMARY}, {"s": (2.0, 4.0), "t": (2.0, 4.0)}),
    # 10 = x + x: both at least 5, so both exactly 5 (every cell of the equation hidden)
    ({"x": 5, "y": 5}, {"x": COMPLEMENTARY, "y": COMPLEMENTARY}, {"x": (5.0, 5.0), "y": (5.0, 5.0)}),
])
def test_what_a_reader_derives_about_each_hidden_cell_of_a_table(values, hidden, ranges):
    keys = {name: _cell(name) for name in values}
    total = float(sum(values.values()))
    derived = derivable_ranges({TOTAL: total, **{keys[n]: float(v) for n, v in values.items()}},
                               {keys[n]: state for n, state in hidden.items()},
                               [Relation(TOTAL, tuple(keys.values()))])
    assert derived == {keys[n]: r for n, r in ranges.items()}


def test_a_long_chain_of_equations_is_followed_to_its_end(caplog):
    """102 withheld cells linked pairwise by 101 published sums, listed so that each sweep narrows one link: a
    reader who follows the chain pins the last cell to 6–9, which a fixed limit of 100 sweeps left at 5–10."""
    cells = [_cell(f"c{i:03d}") for i in range(102)]
    counts = [3.0] + [7.0 if i % 2 else 8.0 for i in range(1, 102)]
    values = dict(zip(cells, counts, strict=True))
    equations = []
    for i in range(101):
        pair = ("people_reached", f"pair{i:03d}", "sum")
        values[pair] = counts[i] + counts[i + 1]
        equations.append(Relation(pair, (cells[i], cells[i + 1])))
    hidden = {cell: PRIMARY if i == 0 else COMPLEMENTARY for i, cell in enumerate(cells)}
    with caplog.at_level(logging.WARNING):
        derived = derivable_ranges(values, hidden, equations[::-1])
    assert derived[cells[-1]] == pytest.approx((6.0, 9.0))
    assert derived[cells[0]] == pytest.approx((1.0, 4.0))
    assert "did not settle" not in caplog.text


def test_a_hidden_cell_in_no_equation_is_known_only_to_be_at_least_5():
    values = {TOTAL: 12.0, _cell("a"): 12.0, _cell("x"): 40.0}
    assert derivable_ranges(values, {_cell("x"): COMPLEMENTARY}, [Relation(TOTAL, (_cell("a"),))]) == {
        _cell("x"): (5.0, 64.0 + 5)}  # "unbounded": more than every published value together


def test_a_hidden_margin_whose_cells_are_all_shown_is_derived_exactly():
    female = ("people_reached", "sex", "female")
    cells = (("people_reached", "sex+age_group", "female | 0-17"),
             ("people_reached", "sex+age_group", "female | 18-59"))
    values = {female: 12.0, cells[0]: 5.0, cells[1]: 7.0}
    assert derivable_ranges(values, {female: COMPLEMENTARY}, [Relation(female, cells)]) == {female: (12.0, 12.0)}


def test_bounds_propagate_through_equations_in_any_order_until_nothing_narrows():
    """15 = x + y, then 8 = y + 3: the second pins y to 5 only after the first was read, and then x to 10."""
    x, y, three, other = _cell("x"), _cell("y"), _cell("three"), ("people_reached", "province", "all of y")
    values = {TOTAL: 15.0, x: 10.0, y: 5.0, three: 3.0, other: 8.0}
    equations = [Relation(TOTAL, (x, y)), Relation(other, (y, three))]
    assert derivable_ranges(values, {x: COMPLEMENTARY, y: COMPLEMENTARY}, equations) == {x: (10.0, 10.0),
                                                                                          y: (5.0, 5.0)}


def test_a_table_adds_up_to_half_a_cent_and_no_looser():
    """Lira amounts are rounded to cents: a total within half a cent of its cells is an equation a reader can
    solve; one a lira off is not."""
    found = relations(frame([("cash_transferred_try", "total", "all", 10.0),
                             ("cash_transferred_try", "province", "Adana", 6.0),
                             ("cash_transferred_try", "province", "Hatay", 3.996),
                             ("people_reached", "total", "all", 10.0),
                             ("people_reached", "province", "Adana", 6.0),
                             ("people_reached", "province", "Hatay", 3.0)]), CFG)
    cash = [("cash_transferred_try", "total", "all"), ("cash_transferred_try", "province", "Adana"),
            ("cash_transferred_try", "province", "Hatay")]
    assert found == [Relation(cash[0], tuple(cash[1:]))]


def test_the_equations_of_every_breakdown_hold_beside_those_of_the_activities():
    """Sectors and then activities: the sector equation still protects the 3 of Education (the 7 withheld)."""
    found = states(frame([("people_reached", "total", "all", 30.0),
                          ("people_reached", "sector", "Basic Needs", 20.0),
                          ("people_reached", "sector", "Protection", 7.0),
                          ("people_reached", "sector", "Education", 3.0),
                          ("people_reached", "activity", "BN_CASH", 20.0)]))
    assert (found["sector:Protection"], found["sector:Education"]) == (COMPLEMENTARY, PRIMARY)


def test_a_small_cell_known_to_within_three_values_is_protected_and_to_within_two_is_not():
    """PROTECTION: 10 = 6 + <5 + <5 leaves each small cell 1, 2 or 3 (no complement needed); 9 = 6 + <5 + <5
    leaves 1 or 2, so the 6 is withheld too."""
    wide = states(frame([("people_reached", "total", "all", 10.0), ("people_reached", "sector", "Health", 6.0),
                         ("people_reached", "sector", "Education", 2.0),
                         ("people_reached", "sector", "Protection", 2.0)]))
    assert wide == {"total:all": SHOWN, "sector:Health": SHOWN, "sector:Education": PRIMARY,
                    "sector:Protection": PRIMARY}
    narrow = states(frame([("people_reached", "total", "all", 9.0), ("people_reached", "sector", "Health", 6.0),
                           ("people_reached", "sector", "Education", 1.0),
                           ("people_reached", "sector", "Protection", 2.0)]))
    assert narrow == {"total:all": SHOWN, "sector:Health": COMPLEMENTARY, "sector:Education": PRIMARY,
                      "sector:Protection": PRIMARY}


def test_a_cell_nothing_can_protect_is_logged_and_the_run_goes_on(caplog):
    """Health is the only sector: its 3 equals the total, which stays published; nothing else can be withheld."""
    with caplog.at_level("WARNING", logger="helpers.measure.disclosure"):
        found = states(frame([("people_reached", "total", "all", 3.0), ("people_reached", "sector", "Health", 3.0)]))
    assert found == {"total:all": SHOWN, "sector:Health": PRIMARY}
    assert caplog.messages == ["('people_reached', 'sector', 'Health') cannot be protected by suppressing other "
                               "cells of its tables"]


def test_a_cell_a_complement_protects_is_not_logged_as_unprotectable(caplog):
    """9 = 6 + <5 + <5 is protected by withholding the 6: no cell is reported as beyond protection."""
    with caplog.at_level("WARNING", logger="helpers.measure.disclosure"):
        found = states(frame([("people_reached", "total", "all", 9.0), ("people_reached", "sector", "Health", 6.0),
                              ("people_reached", "sector", "Education", 1.0),
                              ("people_reached", "sector", "Protection", 2.0)]))
    assert found == {"total:all": SHOWN, "sector:Health": COMPLEMENTARY, "sector:Education": PRIMARY,
                     "sector:Protection": PRIMARY}
    assert caplog.messages == []


def test_a_sector_margin_is_withheld_when_it_alone_protects_its_activities():
    """Health's 3 and 4 add up to its published 7 (each then 3 or 4); the sectors do not add up to the total (67 of
    60: no equation there), so withholding the 7 protects both and nothing else needs to go."""
    found = states(frame([("people_reached", "total", "all", 60.0), ("people_reached", "sector", "Health", 7.0),
                          ("people_reached", "sector", "Education", 60.0),
                          ("people_reached", "activity", "HEA_MEDICAL", 3.0),
                          ("people_reached", "activity", "HEA_TRANSPORT", 4.0),
                          ("people_reached", "activity", "EDU_LANGUAGE", 60.0)]))
    assert found == {"total:all": SHOWN, "sector:Health": COMPLEMENTARY, "sector:Education": SHOWN,
                     "activity:HEA_MEDICAL": PRIMARY, "activity:HEA_TRANSPORT": PRIMARY,
                     "activity:EDU_LANGUAGE": SHOWN}


def test_a_total_is_never_withheld_even_as_the_only_possible_complement():
    """3 = <5 + <5 gives each 1 or 2; withholding the total would protect them, but totals stay published."""
    found = states(frame([("people_reached", "total", "all", 3.0), ("people_reached", "sector", "Health", 2.0),
                          ("people_reached", "sector", "Education", 1.0)]))
    assert found == {"total:all": SHOWN, "sector:Health": PRIMARY, "sector:Education": PRIMARY}


def test_complements_come_from_the_exposed_cells_own_equations_not_smaller_cells_elsewhere():
    """Twelve provinces of 5 people trained are smaller than Health's 6 but share no equation with the small
    sectors: the 6 is withheld and every province stays published."""
    provinces = ["Adana", "Adıyaman", "Batman", "Gaziantep", "Hatay", "Kahramanmaraş", "Kilis", "Malatya", "Mardin",
                 "Mersin", "Osmaniye", "Şanlıurfa"]
    found = states(frame([("people_reached", "total", "all", 9.0), ("people_reached", "sector", "Health", 6.0),
                          ("people_reached", "sector", "Education", 1.0),
                          ("people_reached", "sector", "Protection", 2.0), ("people_trained", "total", "all", 60.0),
                          *[("people_trained", "province", p, 5.0) for p in provinces]]))
    assert found == {"total:all": SHOWN, "sector:Health": COMPLEMENTARY, "sector:Education": PRIMARY,
                     "sector:Protection": PRIMARY, **{f"province:{p}": SHOWN for p in provinces}}


def test_a_zero_is_never_withheld_as_a_complement():
    """18 = 15 + 0 + <5: the 0 of Education would be the smallest cell, but a withheld cell reads as at least 5,
    so the 15 of Health is withheld, and one of its activities with it (8 + 7 = 15)."""
    found = states(frame([("people_reached", "total", "all", 18.0), ("people_reached", "sector", "Health", 15.0),
                          ("people_reached", "sector", "Education", 0.0),
                          ("people_reached", "sector", "Protection", 3.0),
                          ("people_reached", "activity", "HEA_MEDICAL", 8.0),
                          ("people_reached", "activity", "HEA_TRANSPORT", 7.0),
                          ("people_reached", "activity", "EDU_LANGUAGE", 0.0)]))
    assert found == {"total:all": SHOWN, "sector:Health": COMPLEMENTARY, "sector:Education": SHOWN,
                     "sector:Protection": PRIMARY, "activity:HEA_MEDICAL": SHOWN,
                     "activity:HEA_TRANSPORT": COMPLEMENTARY, "activity:EDU_LANGUAGE": SHOWN}


def _version(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """A published version's public table as ``published_versions`` reads it: (dimension, category, value,
    suppressed), all text, a withheld value blank."""
    return pd.DataFrame([("people_reached", d, c, v, s) for d, c, v, s in rows],
                        columns=["indicator", "dimension", "category", "value", "suppressed"])


def _states(now: list[tuple[str, str, float]], published: pd.DataFrame) -> dict[str, int]:
    indicators = frame([("people_reached", d, c, v) for d, c, v in now])
    found = suppression(indicators, CFG, [published])
    return {f"{d}:{c}": s for d, c, s in zip(indicators["dimension"], indicators["category"], found, strict=True)}


def test_a_revision_compares_cells_not_totals_and_a_change_of_5_is_shown():
    """Since the version: the total moved by 2 (totals are published whatever they are), Adana by exactly 5,
    Hatay appears at 5 and Kilis at 0 (both were 0): no cell moved by 1 to 4, so nothing is withheld."""
    published = _version([("total", "all", "100", "0"), ("province", "Adana", "60", "0"),
                          ("province", "Mersin", "50", "0")])
    now = [("total", "all", 102.0), ("province", "Adana", 65.0), ("province", "Mersin", 50.0),
           ("province", "Hatay", 5.0), ("province", "Kilis", 0.0)]
    assert set(_states(now, published).values()) == {SHOWN}


def test_a_withheld_cell_that_grew_to_8_and_a_new_small_cell_are_withheld_with_a_third():
    """Kilis was withheld (1 to 4) and is now 8: it may have grown by 4, so it is withheld as revised; Hatay is new
    at 3, withheld as small (``<5``, not as a revision); the table then withholds its smallest other cell too."""
    published = _version([("total", "all", "95", "0"), ("province", "Adana", "92", "0"),
                          ("province", "Kilis", "", "1")])
    now = [("total", "all", 103.0), ("province", "Adana", 92.0), ("province", "Kilis", 8.0),
           ("province", "Hatay", 3.0)]
    assert _states(now, published) == {"total:all": SHOWN, "province:Adana": COMPLEMENTARY,
                                       "province:Kilis": COMPLEMENTARY, "province:Hatay": PRIMARY}


@pytest.mark.parametrize(("now", "expected"), [
    # one revised cell and one small: the smallest other non-zero cell makes the third (not the 0, not the
    # first by name, not the small one again)
    ([("Adana", 92.0), ("Mersin", 50.0), ("Kilis", 8.0), ("Hatay", 1.0), ("Osmaniye", 0.0)],
     {"Adana": SHOWN, "Mersin": COMPLEMENTARY, "Kilis": COMPLEMENTARY, "Hatay": PRIMARY, "Osmaniye": SHOWN}),
    # one revised cell and two small: three withheld already, nothing more
    ([("Adana", 92.0), ("Kilis", 8.0), ("Hatay", 1.0), ("Mersin", 2.0)],
     {"Adana": SHOWN, "Kilis": COMPLEMENTARY, "Hatay": PRIMARY, "Mersin": PRIMARY}),
])
def test_a_revised_table_withholds_three_cells_its_smallest_shown_ones_first(now, expected):
    """REVISION_CELLS: a reader comparing versions learns only that the people added are among three cells."""
    published = _version([("total", "all", "95", "0"), ("province", "Adana", "92", "0"),
                          ("province", "Mersin", "50", "0"), ("province", "Kilis", "", "1")])
    total = ("total", "all", sum(v for _, v in now))
    found = _states([total, *(("province", c, v) for c, v in now)], published)
    assert found == {"total:all": SHOWN, **{f"province:{c}": s for c, s in expected.items()}}
