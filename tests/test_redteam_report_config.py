"""Red team: config/report.yml's labels are validated as the report fills them in: a label that passes the check
must not fail (or swell) when the report prints it."""

import pytest
from pydantic import ValidationError

from helpers.config_models import Figure


@pytest.mark.parametrize("label", ["people in {period:d}", "{year:>100000000}", "{period:{year}}", "{period!r}"])
def test_a_label_with_a_format_spec_or_conversion_is_refused_by_the_check(label):
    with pytest.raises(ValidationError, match="as it is"):
        Figure(indicator="people_reached", label=label)


def test_a_plain_label_is_accepted_and_filled_in():
    label = Figure(indicator="people_reached", label="people reached in {period} ({year})").label
    assert label.format(period="October–December 2022", year="2022") == "people reached in October–December 2022 (2022)"
