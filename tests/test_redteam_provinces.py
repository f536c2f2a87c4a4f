"""Red team: composite province values whose other part is a misspelt province must not resolve to the first."""

import pytest

from helpers.clean.provinces import resolve_provinces


@pytest.mark.parametrize(("value", "other"), [
    ("Hatay / Osmaiye", "Osmaniye"),         # one typo: the site serves two provinces, or the row is Osmaniye's
    ("Kahramanmaraş - Adıyamn", "Adıyaman"),
    ("Gaziantep (Kils)", "Kilis"),
])
def test_a_misspelt_second_province_is_a_conflict_not_a_district_of_nothing(value, other):
    row = resolve_provinces([value]).iloc[0]
    assert row["method"] == "unresolved", f"{value!r} resolved to {row['province']}"
    assert other in row["hint"]


def test_a_district_of_other_provinces_beside_a_province_is_named_in_the_hint():
    """``Hatay / Yenişehir``: Yenişehir is a district of Bursa, Diyarbakır and Mersin, not of Hatay. The hint
    says "the parts name different provinces: Hatay", naming one province and not the district."""
    row = resolve_provinces(["Hatay / Yenişehir"]).iloc[0]
    assert row["method"] == "unresolved"
    assert "Yenişehir" in row["hint"]
