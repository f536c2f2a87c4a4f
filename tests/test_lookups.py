"""Lookups refuse to guess: a misspelt indicator, dimension or category raises naming the nearest names, while a
known category in which nothing was counted is a true 0."""

import pandas as pd
import pytest

from helpers.config import Configuration
from helpers.errors import NarrativeError, UnknownLookupError
from helpers.measure.indicators import Lookups, check_lookup, value
from helpers.paths import CONFIG_DIR
from helpers.publication.narrative import render_narrative

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

TABLE = pd.DataFrame({
    "indicator": ["people_reached"] * 6 + ["services_delivered"] * 2,
    "dimension": ["total", "sector", "sector", "centre", "sex+age_group", "sex", "total", "centre"],
    "category": ["all", "Protection", "Basic Needs", "Adana MMCC", "female | 0-4", "female", "all", "Kilis MMCC"],
    "value": [120.0, 80.0, 40.0, 30.0, 7.0, 60.0, 300.0, 12.0],
})


def test_a_counted_category_gives_its_value():
    assert value(TABLE, "people_reached", "sector", "Protection", cfg=CFG) == 80
    assert value(TABLE, "people_reached", cfg=CFG) == 120


@pytest.mark.parametrize(("dimension", "category"), [
    ("sector", "Health"),  # a configured sector with no activity this quarter
    ("sex+age_group", "male | 60+"),  # configured sex and age group, nobody counted
    ("centre", "Kilis MMCC"),  # a centre the data hold (in another indicator), none reached in this one
    ("population_group", "host community"),  # a configured dimension in which this table counted nobody
])
def test_a_known_category_in_which_nothing_was_counted_is_zero(dimension, category):
    assert value(TABLE, "people_reached", dimension, category, cfg=CFG) == 0


@pytest.mark.parametrize(("indicator", "dimension", "category", "message"), [
    ("people_reachd", "total", "all", r"unknown indicator: 'people_reachd'; nearest: 'people_reached'"),
    ("people_reached", "sectors", "Protection", r"unknown dimension of people_reached: 'sectors'; nearest: 'sector'"),
    ("people_reached", "sector", "Basic needs", r"unknown sector of people_reached: 'Basic needs'; nearest: "
                                                r"'Basic Needs'"),
    ("people_reached", "centre", "Adana MMC", r"unknown centre of people_reached: 'Adana MMC'; nearest: 'Adana MMCC'"),
    ("people_reached", "sex+age_group", "female | 0-5", r"unknown age_group of people_reached: '0-5'"),
])
def test_a_misspelt_name_is_refused_with_the_nearest_candidates(indicator, dimension, category, message):
    with pytest.raises(UnknownLookupError, match=message):
        value(TABLE, indicator, dimension, category, cfg=CFG)


def test_a_narrative_placeholder_follows_the_same_rule():
    def number(indicator, dimension, category):
        return f"{value(TABLE, indicator, dimension, category, cfg=CFG):,.0f}"

    text = '{{ people_reached.sector["Health"] }} and {{ people_reached.sector["Protection"] }}'
    assert render_narrative(text, TABLE, number, CFG) == "0 and 80"
    with pytest.raises(NarrativeError, match=r"line 1: unknown placeholder .*'Basic needs'; nearest: 'Basic Needs'"):
        render_narrative('{{ people_reached.sector["Basic needs"] }}', TABLE, number, CFG)


@pytest.mark.parametrize(("dimension", "category", "message"), [
    ("centre", "Protection", r"unknown centre of people_reached: 'Protection'"),  # a sector
    ("sector", "Adana MMCC", r"unknown sector of people_reached: 'Adana MMCC'"),  # a centre
    ("sex+age_group", "Protection | 0-4", r"unknown sex of people_reached: 'Protection'"),
])
def test_a_category_of_another_dimension_is_refused_not_read_as_zero(dimension, category, message):
    """A narrative citing a centre by a sector's name must stop, not print 0 people."""
    with pytest.raises(UnknownLookupError, match=message):
        value(TABLE, "people_reached", dimension, category, cfg=CFG)


def test_a_dimension_of_another_indicator_is_refused():
    """services_delivered is not broken down by sex: the sex rows of people_reached do not make it so."""
    with pytest.raises(UnknownLookupError, match=r"unknown dimension of services_delivered: 'sex'"):
        value(TABLE, "services_delivered", "sex", "female", cfg=CFG)


@pytest.mark.parametrize(("dimension", "category", "message"), [
    ("total", "Protection", r"^people_reached total: the category of a total is 'all', not 'Protection'$"),
    ("sex+age_group", "female", r"^people_reached by sex\+age_group: 'female' is not a category of 2 columns "
                                r"\(written SEX \| AGE_GROUP\)$"),
    ("sector", "Educaton", r"^unknown sector of people_reached: 'Educaton'; nearest: 'Education', 'Protection', "
                           r"'Health'$"),
    ("province", "Adana", r"^unknown province of people_reached: 'Adana'$"),  # no province counted: none to suggest
])
def test_a_refused_lookup_says_what_the_category_must_look_like(dimension, category, message):
    with pytest.raises(UnknownLookupError, match=message):
        value(TABLE, "people_reached", dimension, category, cfg=CFG)


def test_a_category_known_only_from_a_crossed_dimension_is_a_true_zero():
    """A centre that appears only in the centre × activity detail rows is a known centre."""
    crossed = pd.DataFrame({"indicator": ["services_delivered"], "dimension": ["centre+activity_detail"],
                            "category": ["Mardin MMCC | home visit"], "value": [3.0]})
    table = pd.concat([TABLE, crossed])
    assert value(table, "people_reached", "centre", "Mardin MMCC", cfg=CFG) == 0


def test_an_indicator_the_configuration_no_longer_defines_can_still_be_cited_from_its_table():
    """An indicators.csv of an earlier quarter may hold an indicator since retired from the configuration."""
    table = pd.DataFrame({"indicator": "people_helped", "dimension": ["total", "sector"],
                          "category": ["all", "Protection"], "value": [12.0, 12.0]})
    assert value(table, "people_helped", cfg=CFG) == 12
    assert value(table, "people_helped", "sector", "Health", cfg=CFG) == 0


def test_the_total_of_an_indicator_that_has_none_is_refused_not_read_as_zero():
    """Items are counted per item (masks and blankets are not added up): ``items_distributed.total`` in a
    narrative must stop, not print 0 items."""
    table = pd.concat([TABLE, pd.DataFrame({"indicator": "items_distributed", "dimension": "item",
                                            "category": ["mask", "blanket"], "value": [50.0, 20.0]})])
    assert value(table, "items_distributed", "item", "mask", cfg=CFG) == 50
    with pytest.raises(UnknownLookupError, match=r"^unknown dimension of items_distributed: 'total'"):
        value(table, "items_distributed", cfg=CFG)
    with pytest.raises(NarrativeError, match=r"line 1: .*unknown dimension of items_distributed: 'total'"):
        render_narrative("{{ items_distributed.total }} items", table, lambda *key: "0", CFG)


def test_an_indicator_of_the_configuration_this_quarter_counted_nothing_in_is_a_true_zero():
    """households_reached has no row in the table (no household was reached): its total and its breakdowns are
    0, as the configuration defines them."""
    assert value(TABLE, "households_reached", cfg=CFG) == 0
    assert value(TABLE, "households_reached", "activity", "BN_CASH", cfg=CFG) == 0


def test_a_lookup_without_a_dimension_is_the_total_and_a_check_refuses_as_a_lookup_does():
    """The report's indexed table (Lookups) and the module's functions give the same answers."""
    assert Lookups(TABLE, CFG).value("people_reached") == value(TABLE, "people_reached", cfg=CFG) == 120
    assert check_lookup(TABLE, "people_reached", "sector", "Health", CFG) is None  # known, nothing counted
    with pytest.raises(UnknownLookupError, match=r"^unknown sector of people_reached: 'Basic needs'; nearest: "
                                                 r"'Basic Needs'"):
        check_lookup(TABLE, "people_reached", "sector", "Basic needs", CFG)
    with pytest.raises(UnknownLookupError, match=r"^unknown dimension of services_delivered: 'sex'"):
        check_lookup(TABLE, "services_delivered", "sex", "female", CFG)
