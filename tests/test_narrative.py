"""Narrative placeholders: numbers from the indicators, formatted and suppressed; unknown ones fail loudly."""

import pandas as pd
import pytest

from helpers.disclosure import fmt
from helpers.indicators import value
from helpers.narrative import NarrativeError, render_narrative, sections

INDICATORS = pd.DataFrame({
    "quarter": "2022Q4",
    "indicator": ["people_reached", "people_reached", "people_reached", "people_reached", "provinces_covered"],
    "dimension": ["total", "centre", "centre", "sector", "total"],
    "category": ["all", "Adana MMCC", "Kilis MMCC", "Health", "all"],
    "value": [67389.0, 18204.0, 3.0, 0.0, 14.0],
})


def number(indicator, dimension, category):
    return fmt(value(INDICATORS, indicator, dimension, category), total=dimension == "total")


def render(text):
    return render_narrative(text, INDICATORS, number)


def test_placeholders_are_filled_formatted_and_suppressed():
    text = ("Reached {{ people_reached.total }} people in {{ provinces_covered.total }} provinces; "
            "Adana MMCC {{ people_reached.centre[\"Adana MMCC\"] }}, Kilis {{ people_reached.centre['Kilis MMCC'] }}, "
            "Health {{ people_reached.sector.Health }}.")
    # Values come out HTML-escaped (autoescape): the Markdown shows "<5" once converted to HTML.
    assert render(text) == "Reached 67,389 people in 14 provinces; Adana MMCC 18,204, Kilis &lt;5, Health –."


@pytest.mark.parametrize(("placeholder", "named"), [
    ("{{ people_reachd.total }}", "people_reachd"),
    ("{{ people_reached.centr[\"Adana MMCC\"] }}", "people_reached.centr"),
    ("{{ people_reached.centre[\"Adana\"] }}", "people_reached.centre[\"Adana\"]"),
    ("{{ people_reached }}", "people_reached"),
])
def test_an_unknown_placeholder_fails_naming_itself(placeholder, named):
    with pytest.raises(NarrativeError, match=named.replace("[", r"\[").replace(".", r"\.")):
        render(f"Text {placeholder} text")


def test_sections_split_at_second_level_headings():
    parts = sections("Overview text\n\n## Protection\nP text\n\n## Donors\nD text\n")
    assert parts == {"": "Overview text", "Protection": "P text", "Donors": "D text"}
