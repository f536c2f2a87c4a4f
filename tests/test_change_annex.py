"""The change since the previous quarter is a figure like any other: printed in the section that shows it and
listed in Annex B under that section (a second quarter's report stopped here once: the change rows had no
section, and Annex B failed on the gap)."""

import pandas as pd
from bs4 import BeautifulSoup
from conftest import CFG

from helpers.paths import Quarter
from helpers.publication.report import Report


def test_changes_printed_are_listed_in_annex_b_under_their_section():
    rows = [("people_reached", "total", "all", 120.0), ("people_reached", "sector", "Protection", 80.0),
            ("people_reached", "sector", "Education", 40.0),
            ("people_reached_change", "sector", "Protection", 15.0),
            ("people_reached_change", "sector", "Education", -6.0)]
    indicators = pd.DataFrame(rows, columns=["indicator", "dimension", "category", "value"]).assign(quarter="2023Q1")
    report = Report(Quarter.parse("2023Q1"), indicators, quality={}, history=pd.DataFrame(), cfg=CFG)
    report.group = "People across quarters"
    shown = [report._change("sector", "Protection"), report._change("sector", "Education")]
    assert shown == ["+15", "-6"]
    annex = BeautifulSoup(report.annex().data, "html.parser")
    groups = [th.get_text() for th in annex.select("tr.group th")]
    assert groups == ["People across quarters"]
    every = [[td.get_text() for td in tr.find_all("td")] for tr in annex.select("details.every-figure tbody tr")
             if len(tr.find_all("td")) == 5]
    assert [row[0] for row in every] == ["People across quarters"] * 2
    assert [row[-1] for row in every] == ["+15", "-6"]
