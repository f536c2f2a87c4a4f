"""A quarter is written 2022Q4 and nothing else: other spellings and other scripts' digits are refused."""

from pathlib import Path

import pytest

from helpers.paths import Quarter


def test_a_quarter_is_read_and_ordered():
    assert Quarter.parse(" 2022Q4 ") == Quarter(2022, 4) and str(Quarter.parse("2023Q1")) == "2023Q1"
    assert Quarter.parse("2022Q4") < Quarter.parse("2023Q1")


def test_a_quarter_names_its_folder():
    assert Path("processed") / Quarter(2022, 4) / "audit" == Path("processed/2022Q4/audit")


@pytest.mark.parametrize("text", ["2022q4", "2022-Q4", "Q4 2022", "2022Q5", "22Q4", "٢٠٢٢Q4", "２０２２Q4", ""])
def test_other_spellings_and_digits_are_refused(text):
    with pytest.raises(ValueError, match="quarter must look like 2022Q4"):
        Quarter.parse(text)
