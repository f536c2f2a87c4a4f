"""Red team: the table of published totals (data/raw/published-totals.csv) as a hostile or mistaken file.

A table that is there but cannot be read as the file it should be must stop the run, never be taken as "no
published totals" (every cumulative figure would silently lose the quarters before the pipeline); a link out of
the raw folder is refused as the raw readers refuse one; a header cell reaching the terminal is escaped."""

import os

import pytest
from conftest import CFG

from helpers.clean import totals
from helpers.errors import PublishedTotalsError
from helpers.paths import Quarter

GOOD = "quarter,people_reached,source\n2022Q1,120000,Published quarterly update\n"


def _raw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    return raw, raw / "published-totals.csv"


def test_a_link_out_of_the_raw_folder_is_not_read(tmp_path):
    raw, path = _raw(tmp_path)
    (tmp_path / "elsewhere.csv").write_text(GOOD, encoding="utf-8")
    path.symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(PublishedTotalsError, match="outside the raw data folder"):
        totals.read(raw, Quarter.parse("2022Q4"), CFG)


def test_a_link_inside_the_raw_folder_is_read(tmp_path):
    raw, path = _raw(tmp_path)
    (raw / "kept.csv").write_text(GOOD, encoding="utf-8")
    path.symlink_to(raw / "kept.csv")
    assert totals.read(raw, Quarter.parse("2022Q4"), CFG)["people_reached"].tolist() == [120000]


@pytest.mark.parametrize("make", [
    lambda path: path.mkdir(),  # a folder saved under the table's name
    lambda path: path.symlink_to(path.parent / "moved.csv"),  # a link whose file was moved
    lambda path: os.mkfifo(path),  # not a file at all (reading it would wait forever)
], ids=["folder", "broken-link", "fifo"])
def test_a_table_that_is_not_a_file_stops_instead_of_being_no_table(tmp_path, make):
    raw, path = _raw(tmp_path)
    make(path)
    with pytest.raises(PublishedTotalsError, match=r"published-totals\.csv: not a file"):
        totals.read(raw, Quarter.parse("2022Q4"), CFG)


def test_control_characters_of_a_header_are_escaped_in_the_message(tmp_path):
    raw, path = _raw(tmp_path)
    path.write_text("quarter,people\x1b[31m\x1b]0;title\x07,source\n2022Q1,1,x\n", encoding="utf-8")
    with pytest.raises(PublishedTotalsError, match="no column 'people_reached'") as stopped:
        totals.read(raw, Quarter.parse("2022Q4"), CFG)
    assert "\x1b" not in str(stopped.value) and "\x07" not in str(stopped.value)
