"""A revision reveals no one (issue 22): publish, add one late record, compute again, compare the versions.

The attack is on the public tables: a reader holding version 1 and the revised file looks for the cells that
changed by 1 to 4. Also the change since the previous quarter must not give back a value either quarter withheld.
"""

import pandas as pd

from helpers.config import Configuration
from helpers.csvfile import write_csv
from helpers.measure import across
from helpers.measure.disclosure import (
    COMPLEMENTARY,
    PRIMARY,
    REVISION_CELLS,
    derivable_ranges,
    public_indicators,
    relations,
    suppression,
)
from helpers.paths import CONFIG_DIR, Quarter

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)


def _table(province: dict[str, float], sex: dict[str, float]) -> pd.DataFrame:
    rows = [("2022Q4", "people_reached", "total", "all", sum(province.values()))]
    rows += [("2022Q4", "people_reached", "province", c, v) for c, v in province.items()]
    rows += [("2022Q4", "people_reached", "sex", c, v) for c, v in sex.items()]
    return pd.DataFrame(rows, columns=["quarter", "indicator", "dimension", "category", "value"])


def _public(indicators: pd.DataFrame, published=()) -> pd.DataFrame:
    """The public file as published (the HXL row dropped), read back as text."""
    return public_indicators(indicators, CFG, published=published).iloc[1:].reset_index(drop=True)


PROVINCES = {"Gaziantep": 120, "Hatay": 60, "Adana": 45, "Mersin": 30, "Kilis": 22}
SEXES = {"female": 150, "male": 127}


def _shown(public: pd.DataFrame) -> dict[tuple[str, str], str]:
    rows = public[public["dimension"] != "total"]
    return {(d, c): v for d, c, v in zip(rows["dimension"], rows["category"], rows["value"], strict=True)}


def test_one_late_record_changes_no_published_cell_by_one_to_four():
    v1 = _public(_table(PROVINCES, SEXES))
    assert v1["suppressed"].eq("0").all()  # nothing small: version 1 shows every cell
    late = _table({**PROVINCES, "Gaziantep": 121}, {**SEXES, "female": 151})  # one woman in Gaziantep, added
    before, after = _shown(v1), _shown(_public(late, [v1]))
    for key, now in after.items():
        if now and before.get(key):
            assert not 0 < abs(float(now) - float(before[key])) < 5, f"{key}: {before[key]} -> {now}"
    hidden = {key for key, now in after.items() if not now}
    provinces = {c for d, c in hidden if d == "province"}
    assert "Gaziantep" in provinces and len(provinces) >= REVISION_CELLS  # one of at least three, never which
    assert {c for d, c in hidden if d == "sex"} == {"female", "male"}  # two categories: both withheld


def test_without_versions_the_revision_would_have_shown_the_person():
    """The attack as the issue found it: the same file computed without the published version."""
    late = _public(_table({**PROVINCES, "Gaziantep": 121}, {**SEXES, "female": 151}))
    v1 = _shown(_public(_table(PROVINCES, SEXES)))
    changed = {key for key, now in _shown(late).items() if now != v1[key]}
    assert changed == {("province", "Gaziantep"), ("sex", "female")}


def test_a_withheld_revised_cell_cannot_be_worked_out_from_its_table():
    v1 = _public(_table(PROVINCES, SEXES))
    late = _table({**PROVINCES, "Gaziantep": 121}, {**SEXES, "female": 151})
    states = suppression(late, CFG, [v1])
    keys = list(zip(late["indicator"], late["dimension"], late["category"], strict=True))
    hidden = {k: s for k, s in zip(keys, states, strict=True) if s}
    values = dict(zip(keys, late["value"].astype(float), strict=True))
    for key, (low, high) in derivable_ranges(values, hidden, relations(late, CFG)).items():
        assert high - low >= 2, key  # at least three possible values: the complements hold
    assert set(hidden.values()) == {COMPLEMENTARY}


def test_a_later_version_is_compared_with_every_published_one():
    v1 = _public(_table(PROVINCES, SEXES))
    v2_table = _table({**PROVINCES, "Gaziantep": 127, "Hatay": 66}, {**SEXES, "female": 162})  # 11 added
    v2 = _public(v2_table, [v1])
    assert v2["suppressed"].eq("0").all()  # changes of 5 or more are shown
    v3 = _table({**PROVINCES, "Gaziantep": 129, "Hatay": 66}, {**SEXES, "female": 164})  # two more in Gaziantep
    shown = _shown(_public(v3, [v1, v2]))
    assert shown["province", "Gaziantep"] == ""


def test_a_value_that_was_small_and_grew_a_little_is_withheld():
    v1 = _public(_table({**PROVINCES, "Kilis": 3}, SEXES))
    assert _shown(v1)["province", "Kilis"] == ""
    v2 = _shown(_public(_table({**PROVINCES, "Kilis": 6}, {**SEXES, "female": 153}), [v1]))
    assert v2["province", "Kilis"] == ""  # <5 -> 6 would show 2 to 5 people added there


def test_the_change_since_last_quarter_respects_both_quarters_suppression(tmp_path):
    """Last quarter withheld Kilis (x, protecting a small value); this quarter shows it: the change would give
    last quarter's Kilis back."""
    earlier = tmp_path / "processed"
    (earlier / "2022Q3").mkdir(parents=True)
    last = _table({"Gaziantep": 100, "Kilis": 12, "Hatay": 2}, {"female": 60, "male": 54})
    last["quarter"] = "2022Q3"
    write_csv(last, earlier / "2022Q3" / "indicators.csv")
    public = public_indicators(last, CFG)
    write_csv(public, earlier / "2022Q3" / "indicators_public.csv")
    withheld = set(public.iloc[1:].query("suppressed == '1'")["category"])
    assert withheld == {"Hatay", "Kilis"}  # Hatay small, Kilis its complement
    now = _table({"Gaziantep": 110, "Kilis": 40, "Hatay": 30}, {"female": 90, "male": 90})
    spec = {"id": "people_reached_change", "dimensions": ["province"]}
    rows = across.change_rows(Quarter.parse("2022Q4"), now, earlier, spec, across.Across("2022Q4"), CFG)
    assert set(rows["category"]) == {"Gaziantep"}


def test_primary_suppression_is_unchanged_without_versions():
    states = suppression(_table({**PROVINCES, "Kilis": 3}, SEXES), CFG)
    assert PRIMARY in set(states) and COMPLEMENTARY in set(states)
