"""Disclosure control and the shareable, HXL-tagged indicators file."""

import pandas as pd

from helpers.disclosure import fmt, for_figures, public_indicators, suppress

INDICATORS = pd.DataFrame({
    "quarter": "2022Q4",
    "indicator": ["people_reached", "people_reached", "people_reached", "people_reached", "people_trained"],
    "dimension": ["total", "province", "province", "sector", "total"],
    "category": ["all", "Şanlıurfa", "Siirt", "Health", "all"],
    "value": [67389.0, 8771.0, 3.0, 0.0, 4.0],
})


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


def test_public_file_has_hxl_row_admin_codes_and_suppression():
    public = public_indicators(INDICATORS)
    hxl, rows = public.iloc[0], public.iloc[1:].reset_index(drop=True)
    assert all(str(tag).startswith("#") for tag in hxl)
    assert hxl["adm1_name"] == "#adm1+name" and hxl["sector"] == "#sector"
    assert rows["value"].tolist() == ["67389", "8771", "<5", "0", "4"]  # total 4 stays, Siirt 3 does not
    assert rows.loc[1, "adm1_pcode"] == "TR-63" and rows.loc[2, "adm1_pcode"] == "TR-56"
    assert rows.loc[3, "sector"] == "Health"
    assert rows.loc[0, "value_tag"] == "#reached"
