"""Normalisers: dates, numbers, categories, ages, items."""

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import normalise


def test_dates_in_every_contract_format_agree():
    raw = pd.Series(["2022-10-05", "05.10.2022", "05/10/2022", "5/10/2022", "44839", "44839.0",
                     "2022-10-05 00:00:00"])
    assert (normalise.parse_dates(raw) == pd.Timestamp("2022-10-05")).all()


def test_ambiguous_dates_are_day_first_and_bad_dates_are_na():
    parsed = normalise.parse_dates(pd.Series(["03/04/2022", "32.13.2022", "n/a", "", None]))
    assert parsed.iloc[0] == pd.Timestamp("2022-04-03")
    assert parsed.iloc[1:].isna().all()


@given(st.dates(min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2060-12-31").date()))
def test_every_date_round_trips_through_each_format(day):
    texts = [day.isoformat(), day.strftime("%d.%m.%Y"), day.strftime("%d/%m/%Y"),
             str((pd.Timestamp(day) - pd.Timestamp("1899-12-30")).days)]
    assert (normalise.parse_dates(pd.Series(texts)) == pd.Timestamp(day)).all()


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234,50", 1234.5), ("1,234.50", 1234.5), ("1234,5", 1234.5), ("12", 12), ("1.500", 1500),
    ("₺ 2.500,00", 2500), ("-3", -3),
])
def test_numbers_written_the_turkish_or_the_english_way(text, expected):
    assert normalise.parse_numbers(pd.Series([text])).iloc[0] == expected


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_turkish_and_english_grouping_give_the_same_number(whole, cents):
    english = f"{whole:,}.{cents:02d}"
    turkish = english.replace(",", "X").replace(".", ",").replace("X", ".")
    parsed = normalise.parse_numbers(pd.Series([english, turkish]))
    assert parsed.iloc[0] == parsed.iloc[1] == pytest.approx(whole + cents / 100)


def test_sex_in_turkish_and_english():
    raw = pd.Series(["K", "Kadın", "KIZ", "Erkek çocuk", "E", "female", "M", "diğer", "?"])
    assert normalise.parse_sex(raw).tolist()[:8] == ["female"] * 3 + ["male"] * 2 + ["female", "male", "other"]
    assert pd.isna(normalise.parse_sex(raw).iloc[8])


def test_population_group_is_derived_from_nationality_when_blank():
    nationality = normalise.parse_nationality(pd.Series(["Türk", "Suriye", None, "TC"]))
    explicit = normalise.parse_population_group(pd.Series([None, None, None, "Mülteci"]))
    group = normalise.derive_population_group(explicit, nationality)
    assert group.tolist() == ["host community", "refugee/migrant", "unknown", "refugee/migrant"]


def test_ages_out_of_range_become_unknown_and_fall_in_sadd_brackets():
    age = normalise.age_in_range(pd.Series([0, 4, 5, 11, 12, 17, 18, 59, 60, 121, -1], dtype="float64"))
    assert normalise.age_groups(age).tolist() == [
        "0-4", "0-4", "5-11", "5-11", "12-17", "12-17", "18-59", "18-59", "60+", "unknown", "unknown"]


def test_age_from_date_of_birth_counts_whole_years():
    birth = normalise.parse_dates(pd.Series(["2000-10-06", "2000-10-05"]))
    on = normalise.parse_dates(pd.Series(["2022-10-05", "2022-10-05"]))
    assert normalise.age_from_birth(birth, on).tolist() == [21, 22]


def test_items_become_singular_lower_case_with_synonyms():
    raw = pd.Series(["Hygiene Kits", "hygiene kit", "MASKS", "Hand sanitizers", "Maske", "HİJYEN KİTİ"])
    items = normalise.normalise_items(raw, {"maske": "mask", "hijyen kiti": "hygiene kit"})
    assert items.tolist() == ["hygiene kit", "hygiene kit", "mask", "hand sanitizer", "mask", "hygiene kit"]


def test_identifiers_are_trimmed_and_upper_cased():
    texts = pa.array([" tr-ada-001 ", "TR-ADA-001", "", None, "hh-çş-2\u00a0"], pa.large_string())
    assert normalise.id_texts(texts).to_pylist() == ["TR-ADA-001", "TR-ADA-001", None, None, "HH-ÇŞ-2"]


@pytest.mark.parametrize("dtype", ["string", "category"])
def test_blank_and_missing_cells_give_missing_values_of_each_type(dtype):
    def raw(*values):
        return pd.Series(values, dtype=dtype)

    assert normalise.parse_yes_no(raw("evet", " ", None, "Hayır", "?")).tolist() == [True, pd.NA, pd.NA, False, pd.NA]
    numbers = normalise.parse_numbers(raw("1,5", "", None, "2.000"))
    assert numbers.dtype == "float64" and numbers.isna().tolist() == [False, True, True, False]
    assert numbers[[0, 3]].tolist() == [1.5, 2000.0]
    dates = normalise.parse_dates(raw("05.10.2022", "  ", None))
    assert str(dates.dtype) == "datetime64[s]" and dates.isna().tolist() == [False, True, True]
