"""Which breakdowns may be published: free-text dimensions only where config/indicators.yml allows them."""

import pandas as pd
import pytest

from helpers.config import Configuration
from helpers.errors import UnpublishedDimensionError
from helpers.measure.indicators import for_publication, publishable, series
from helpers.paths import CONFIG_DIR

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)


def test_a_dimension_using_free_text_is_published_only_when_config_lists_it():
    settings = CFG.load("indicators")
    assert {"activity_detail", "site", "centre", "donor"} <= set(settings["free_text"])
    assert publishable("sector", CFG) and publishable("activity+province", CFG) and publishable("total", CFG)
    assert publishable("centre", CFG) and publishable("donor", CFG)  # listed under publish_free_text
    assert not publishable("activity_detail", CFG) and not publishable("centre+activity_detail", CFG)
    assert not publishable("site", CFG) and not publishable("province+site", CFG)


def test_the_public_rows_and_the_report_series_leave_unpublished_dimensions_out():
    table = pd.DataFrame({"indicator": "people_reached", "dimension": ["total", "centre", "activity_detail"],
                          "category": ["all", "Adana MMCC", "Görüşme: Ayşe Hanım"], "value": [9.0, 9.0, 9.0]})
    assert table[for_publication(table, CFG)]["dimension"].tolist() == ["total", "centre"]
    assert series(table, "people_reached", "centre", CFG).to_dict() == {"Adana MMCC": 9.0}
    with pytest.raises(UnpublishedDimensionError, match=r"activity_detail is free text .* publish_free_text"):
        series(table, "people_reached", "activity_detail", CFG)


def test_a_report_series_is_named_for_its_indicator():
    table = pd.DataFrame({"indicator": "people_reached", "dimension": "sector", "category": ["Protection"],
                          "value": [9.0]})
    assert series(table, "people_reached", "sector", CFG).name == "people_reached"
