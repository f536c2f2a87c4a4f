"""Normalisers: dates, numbers, categories, ages, items."""

import math

import pandas as pd
import pyarrow as pa
import pytest
from conftest import CFG, edit
from hypothesis import given
from hypothesis import strategies as st

from helpers.clean import dates, normalise, numbers, readings
from helpers.config import Configuration


def test_dates_in_every_contract_format_agree():
    raw = pd.Series(["2022-10-05", "05.10.2022", "05/10/2022", "5/10/2022", "44839", "44839.0",
                     "2022-10-05 00:00:00"])
    assert (dates.parse_dates(raw, CFG) == pd.Timestamp("2022-10-05")).all()


def test_ambiguous_dates_are_day_first_and_bad_dates_are_na():
    parsed = dates.parse_dates(pd.Series(["03/04/2022", "32.13.2022", "n/a", "", None]), CFG)
    assert parsed.iloc[0] == pd.Timestamp("2022-04-03")
    assert parsed.iloc[1:].isna().all()


@given(st.dates(min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2060-12-31").date()))
def test_every_date_round_trips_through_each_format(day):
    texts = [day.isoformat(), day.strftime("%d.%m.%Y"), day.strftime("%d/%m/%Y"),
             str((pd.Timestamp(day) - pd.Timestamp("1899-12-30")).days)]
    assert (dates.parse_dates(pd.Series(texts), CFG) == pd.Timestamp(day)).all()


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234,50", 1234.5), ("1,234.50", 1234.5), ("1234,5", 1234.5), ("12", 12), ("₺ 2.500,00", 2500), ("-3", -3),
    ("1.250,50", 1250.5), ("2.000,00 TL", 2000), ("₺750", 750), ("1500 TL", 1500), ("1500TL", 1500), ("25.00", 25),
    ("1.234.567", 1234567), ("1,234,567", 1234567), ("1 500", 1500), ("-0", 0), ("+7", 7), ("2,50", 2.5),
])
def test_numbers_that_show_their_own_convention_read_alone(text, expected):
    assert numbers.parse_numbers(pd.Series([text])).iloc[0] == expected


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_turkish_and_english_grouping_give_the_same_number(whole, cents):
    english = f"{whole:,}.{cents:02d}"
    turkish = english.replace(",", "X").replace(".", ",").replace("X", ".")
    parsed = numbers.parse_numbers(pd.Series([english, turkish]))
    assert parsed.iloc[0] == parsed.iloc[1] == pytest.approx(whole + cents / 100)


def test_sex_in_turkish_and_english():
    raw = pd.Series(["K", "Kadın", "KIZ", "Erkek çocuk", "E", "female", "M", "diğer", "?"])
    sex = normalise.parse_vocabulary(raw, "sex", CFG)
    assert sex.tolist()[:8] == ["female"] * 3 + ["male"] * 2 + ["female", "male", "other"]
    assert pd.isna(sex.iloc[8])


def test_population_group_is_derived_from_nationality_when_blank():
    nationality = normalise.parse_vocabulary(pd.Series(["Türk", "Suriye", None, "TC"]), "nationality", CFG)
    explicit = normalise.parse_vocabulary(pd.Series([None, None, None, "Mülteci"]), "population_group", CFG)
    group = normalise.derive_population_group(explicit, nationality)
    assert group.tolist() == ["host community", "refugee/migrant", "unknown", "refugee/migrant"]


def test_ages_out_of_range_become_unknown_and_fall_in_sadd_brackets():
    age = normalise.age_in_range(pd.Series([0, 4, 5, 11, 12, 17, 18, 59, 60, 121, -1], dtype="float64"))
    assert normalise.age_groups(age, CFG.age_groups()).tolist() == [
        "0-4", "0-4", "5-11", "5-11", "12-17", "12-17", "18-59", "18-59", "60+", "unknown", "unknown"]


def test_age_from_date_of_birth_counts_whole_years():
    birth = dates.parse_dates(pd.Series(["2000-10-06", "2000-10-05"]), CFG)
    on = dates.parse_dates(pd.Series(["2022-10-05", "2022-10-05"]), CFG)
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

    yes_no = normalise.parse_yes_no(raw("evet", " ", None, "Hayır", "?"), CFG)
    assert yes_no.tolist() == [True, pd.NA, pd.NA, False, pd.NA]
    amounts = numbers.parse_numbers(raw("1,5", "", None, "2.000"))
    assert amounts.dtype == "float64" and amounts.isna().tolist() == [False, True, True, False]
    assert amounts[[0, 3]].tolist() == [1.5, 2000.0]
    days = dates.parse_dates(raw("05.10.2022", "  ", None), CFG)
    assert str(days.dtype) == "datetime64[s]" and days.isna().tolist() == [False, True, True]


@pytest.mark.parametrize("text", ["2023-04-14", "14.04.2023", "2023-04-14T09:50:00.000+03:00",
                                  "2023-04-14T09:50:00.000", "2023-04-14 09:50:00", "2023-04-14T20:59:59Z",
                                  "2023-04-14T06:50:00+00:00", "14.04.2023 09:50", "14.04.23", "14 Nisan 2023",
                                  "14 Nisan 2023 Cuma", "Nisan 14, 2023", "14 Nis 2023", "14 Apr 2023",
                                  "April 14, 2023", "14 April 2023 Friday",
                                  "14 NİSAN 2023 CUMA", "45030"])
def test_real_export_dates_give_their_calendar_date_in_turkiye(text):
    assert dates.parse_dates(pd.Series([text]), CFG).iloc[0] == pd.Timestamp("2023-04-14")


@pytest.mark.parametrize(("text", "day"), [
    ("6 Ekim 2022", "2022-10-06"), ("Ekim 12, 2022", "2022-10-12"), ("12.10.22", "2022-10-12"),
    ("05.04.2023", "2023-04-05"), ("5.4.2023", "2023-04-05"), ("12.04.23", "2023-04-12"),
    ("6 Nisan 2023", "2023-04-06"), ("6 Nisan 2023 Perşembe", "2023-04-06"), ("Nisan 6, 2023", "2023-04-06"),
    ("12 Oct 2022", "2022-10-12"), ("October 12, 2022", "2022-10-12"), ("1 Şub 2023", "2023-02-01"),
    ("3 AĞUSTOS 2022", "2022-08-03"), ("31 aralik 2022", "2022-12-31"),
    # an offset other than Türkiye's moves the calendar date; without an offset the date is as written
    ("2022-12-31T22:30:00Z", "2023-01-01"), ("2022-12-31T23:30:00+00:00", "2023-01-01"),
    ("2023-01-01T01:00:00+05:00", "2022-12-31"), ("2022-12-31T23:30:00", "2022-12-31"),
    # behind UTC (a server in New York), doubled, half-hour offsets (a device on Tehran time), hours only (PostgreSQL)
    ("2023-04-14T22:30:00-04:00", "2023-04-15"), ("2023-04-14T14:30:00-05:00", "2023-04-14"),
    ("2023-04-14T04:00:00+05:00", "2023-04-14"), ("2023-04-14T00:20:00+03:30", "2023-04-13"),
    ("2023-04-14T00:40:00+0330", "2023-04-14"), ("2023-04-14 00:00:00+03", "2023-04-14"),
    # a month only: the record belongs to the month, dated its first day
    ("2023-04", "2023-04-01"), ("04/2023", "2023-04-01"), ("Nisan 2023", "2023-04-01"), ("April 2023", "2023-04-01"),
    ("Aralık 2022", "2022-12-01"),
])
def test_dates_in_the_shapes_field_tools_export(text, day):
    assert dates.parse_dates(pd.Series([text]), CFG).iloc[0] == pd.Timestamp(day)


@pytest.mark.parametrize("text", [
    "6 Nisan 2023 Cuma",  # 6 April 2023 was a Thursday: the weekday contradicts the date
    "6 Nisan 2023 Perşembe Cuma",  # two day names: the first fits, the second does not
    "Cumartesi Nisan 2023", "Saturday April 2023",  # a day name needs a day (1 April 2023 was a Saturday)
    "Ekim", "12 Foo 2022", "Nisan Ekim 2023", "2023-13", "13/2023", "31.04.2023", "29.02.23", "12.10.2022.1",
    "2023-04-14T25:00:00+03:00", "2023-04-14T09:50:00+25:00", "6 Nisan", "April 14", "123456", "14 04 2023",
    "a" * 5000 + "!", "1 " * 5000 + "x",  # long junk is refused in linear time
])
def test_dates_not_understood_are_missing_never_guessed(text):
    assert pd.isna(dates.parse_dates(pd.Series([text]), CFG).iloc[0])


MONTH_NAMES = {"tr": ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim",
                      "Kasım", "Aralık"],
               "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]}
DAY_NAMES = {"tr": ["Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar"],
             "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]}


@given(st.dates(min_value=pd.Timestamp("2000-01-01").date(), max_value=pd.Timestamp("2099-12-31").date()),
       st.sampled_from(["tr", "en"]), st.booleans(), st.sampled_from([str, str.upper, str.lower]))
def test_a_date_written_in_any_supported_way_parses_back_to_itself(day, language, short, case):
    month = MONTH_NAMES[language][day.month - 1]
    month = month[:3] if short else month
    weekday = DAY_NAMES[language][day.weekday()]
    texts = [f"{day.day} {month} {day.year}", f"{day.day} {month} {day.year} {weekday}",
             f"{month} {day.day}, {day.year}", day.strftime("%d.%m.%y"), f"{day.day}.{day.month}.{day.year}",
             f"{day.isoformat()}T12:00:00.000+03:00", f"{day.isoformat()}T09:00:00Z"]
    parsed = dates.parse_dates(pd.Series([case(t) for t in texts]), CFG)
    assert (parsed == pd.Timestamp(day)).all(), list(zip(texts, parsed, strict=True))


@given(st.integers(min_value=2000, max_value=2099), st.integers(min_value=1, max_value=12),
       st.sampled_from(["tr", "en"]))
def test_a_month_written_alone_is_its_first_day(year, month, language):
    texts = [f"{year}-{month:02d}", f"{month:02d}/{year}", f"{MONTH_NAMES[language][month - 1]} {year}"]
    assert (dates.parse_dates(pd.Series(texts), CFG) == pd.Timestamp(year, month, 1)).all()


ANY = numbers.Bounds()


def read(*texts, bounds=ANY):
    values, status = numbers.read_numbers(pd.Series(texts), bounds=bounds)
    return values.tolist(), status.tolist()


AMOUNT = numbers.Bounds(0, 1_000_000)
COUNT = numbers.Bounds(0, 5000, whole=True)
HOUSEHOLD = numbers.Bounds(1, 30, whole=True)
A, OK = readings.AMBIGUOUS, readings.OK


def test_a_separator_before_three_digits_is_read_by_the_columns_other_values():
    # decimal comma in evidence: 2,750 is 2.75 (not 2750) and 1.500 is one thousand five hundred
    assert read("1.250,50", "2.000,00 TL", "2,750", "1.500", "₺750", bounds=AMOUNT) == (
        [1250.5, 2000, 2.75, 1500, 750], [OK] * 5)
    # decimal point in evidence: 1,500 is one thousand five hundred and 2.750 is 2.75
    assert read("25.00", "1,234.50", "1,500", "2.750", bounds=AMOUNT) == ([25, 1234.5, 1500, 2.75], [OK] * 4)


@pytest.mark.parametrize("text", ["1,500", "1.500", "0,500", "0.500", "2,750", "999,999"])
def test_a_separator_before_three_digits_without_evidence_is_ambiguous(text):
    values, status = read(text, "1500", "12", bounds=AMOUNT)
    assert status[0] == A and pd.isna(values[0])


def test_conflicting_evidence_settles_nothing_and_a_leading_zero_group_is_never_settled():
    assert read("1.250,50", "1,234.50", "1,500", "7", bounds=AMOUNT)[1] == [OK, OK, A, OK]
    assert read("1.250,50", "0.500", "0,500", bounds=AMOUNT)[1] == [OK, A, A]


def test_a_count_takes_the_only_whole_reading_within_bounds():
    assert read("1.500", "1,500", "12", bounds=COUNT) == ([1500, 1500, 12], [OK] * 3)
    assert read("2.000", bounds=HOUSEHOLD) == ([2], [OK])  # 2000 people is above the household maximum
    assert read("2.000", bounds=COUNT)[1] == [A]  # 2 and 2000 are both plausible headcounts
    assert read("1,5", "45.000", bounds=HOUSEHOLD)[1] == [readings.INVALID] * 2


@pytest.mark.parametrize("text", ["inf", "-inf", "Infinity", "nan", "NaN", "1e308", "1E5", "9" * 400, "0x10",
                                  "1.2,5", "1,2,3", "12abc", "--3", "1.23.456"])
def test_non_finite_exponent_and_malformed_numbers_are_invalid(text):
    values, status = read(text, bounds=AMOUNT)
    assert status == [readings.INVALID] and pd.isna(values[0])


def test_bounds_make_a_number_invalid_and_name_the_setting():
    values, status = read("-1", "1000001", "1000000", "0", bounds=AMOUNT)
    assert status == [readings.INVALID, readings.INVALID, OK, OK] and values[2:] == [1_000_000, 0]
    hint = numbers.Bounds(0, 1_000_000, setting="max_amount_try").hint()
    assert hint == "must be a number from 0 to 1,000,000 (config max_amount_try)"


def test_the_hint_of_an_ambiguous_number_gives_both_readings():
    assert numbers.ambiguity_hint("1,500") == "1,500 could be 1500 or 1.5"
    assert numbers.ambiguity_hint(" 0.500 ") == "0.500 could be 500 or 0.5"


def test_evidence_is_decided_per_source_file():
    values = pd.Series(["1.250,50", "1.500", "25.00", "1.500", "1.500"], dtype="category")
    sources = pd.Series(["tr.csv", "tr.csv", "en.csv", "en.csv", "none.csv"], dtype="category")
    marks = numbers.decimal_marks(values, sources)
    assert marks.to_dict() == {"en.csv": numbers.POINT, "none.csv": 0, "tr.csv": numbers.COMMA}
    parsed, status = numbers.read_numbers(values, sources, AMOUNT, marks)
    assert parsed.tolist()[:4] == [1250.5, 1500, 25, 1.5] and status.tolist() == [OK, OK, OK, OK, A]


def test_numbers_typed_into_workbook_cells_are_read_as_written_and_are_no_evidence():
    values = pd.Series(["1250.5", "1.125", "1.500", "2,50", "1.125"], dtype="category")
    sources = pd.Series(["tr.xlsx"] * 5, dtype="category")
    typed = pd.Series([True, True, False, False, False])
    marks = numbers.decimal_marks(values, sources, typed)
    assert marks.to_dict() == {"tr.xlsx": numbers.COMMA}  # only the text cells' 2,50
    parsed, status = numbers.read_numbers(values, sources, AMOUNT, marks, typed)
    assert parsed.tolist() == [1250.5, 1.125, 1500, 2.5, 1125] and status.tolist() == [OK] * 5


def test_a_sign_is_read_and_minus_zero_is_plain_zero():
    values, status = read("-12,5", "-1.250,50", "+7", "-0", "-0,00", "0,000", "0.000")
    assert values == [-12.5, -1250.5, 7, 0, 0, 0, 0] and status == [OK] * 7
    assert [math.copysign(1, v) for v in values[3:]] == [1] * 4  # never "-0.0" in a published file


def test_a_number_whose_two_readings_agree_is_not_ambiguous():
    # 0,000 is 0 read either way: its leading 0 group leaves nothing to settle
    assert read("0,000", "0.000", bounds=COUNT) == ([0, 0], [OK, OK])


def test_a_leading_zero_group_with_no_plausible_reading_is_invalid_not_ambiguous():
    # a household of 0,500: neither 0.5 (not whole) nor 500 (above 30) is a household size
    values, status = read("0,500", bounds=HOUSEHOLD)
    assert pd.isna(values[0]) and status == [readings.INVALID]
    assert read("0,500", bounds=COUNT)[1] == [A]  # 500 people is plausible, 0.5 is not: still never settled


def test_blank_cells_are_missing_and_not_invalid():
    values, status = read("", "   ", "12")
    assert pd.isna(values[0]) and pd.isna(values[1]) and values[2] == 12 and status == [OK, OK, OK]


def test_a_missing_cell_is_no_evidence_of_a_decimal_mark():
    values = pd.Series([None, "1.500", "12"], dtype="object")
    assert numbers.decimal_marks(values).to_dict() == {None: 0}  # without sources: one entry, for no file
    assert numbers.read_numbers(values, bounds=AMOUNT)[1].tolist() == [OK, A, OK]


def test_each_source_files_evidence_is_found_when_not_given():
    values = pd.Series(["1.250,50", "1.500", "25.00", "1.500", "1.500"], dtype="category")
    sources = pd.Series(["tr.csv", "tr.csv", "en.csv", "en.csv", "none.csv"], dtype="category")
    parsed, status = numbers.read_numbers(values, sources, AMOUNT)
    assert parsed.tolist()[:4] == [1250.5, 1500, 25, 1.5] and status.tolist() == [OK, OK, OK, OK, A]


def test_evidence_given_by_file_name_is_matched_by_name_and_a_file_it_omits_has_none():
    values = pd.Series(["1.500", "1.500", "1.500"], dtype="category")
    sources = pd.Series(["tr.csv", "en.csv", "new.csv"], dtype="category")  # categories en, new, tr
    marks = pd.Series({"tr.csv": numbers.COMMA, "en.csv": numbers.POINT})
    parsed, status = numbers.read_numbers(values, sources, AMOUNT, marks)
    assert parsed.tolist()[:2] == [1500, 1.5] and pd.isna(parsed.iloc[2]) and status.tolist() == [OK, OK, A]


def test_an_empty_column_reads_as_empty():
    for parsed, status in (numbers.read_numbers(pd.Series([], dtype="object")),
                           dates.read_dates(pd.Series([], dtype="object"), CFG)):
        assert len(parsed) == 0 and len(status) == 0


def test_a_typed_number_is_no_evidence_when_the_evidence_is_found_from_the_values_themselves():
    # Excel writes 1250.5 into a typed cell whatever the file's convention: 2,750 beside it stays ambiguous
    values, typed = pd.Series(["1250.5", "2,750"]), pd.Series([True, False])
    parsed, status = numbers.read_numbers(values, bounds=AMOUNT, typed=typed)
    assert parsed.tolist()[0] == 1250.5 and pd.isna(parsed.iloc[1]) and status.tolist() == [OK, A]
    assert numbers.parse_numbers(values, bounds=AMOUNT, typed=typed).tolist()[0] == 1250.5
    assert pd.isna(numbers.parse_numbers(values, bounds=AMOUNT, typed=typed).iloc[1])
    # rows that typed does not name are text cells
    parsed, status = numbers.read_numbers(values, bounds=AMOUNT, typed=pd.Series([True], index=[0]))
    assert parsed.tolist()[0] == 1250.5 and status.tolist() == [OK, A]


def test_typed_numbers_add_no_evidence_beside_a_files_decimal_points():
    values = pd.Series(["1250.5", "25.00", "1,500"], dtype="category")
    typed = pd.Series([True, False, False])
    assert numbers.decimal_marks(values, typed=typed).tolist() == [numbers.POINT]
    assert numbers.read_numbers(values, bounds=AMOUNT, typed=typed)[0].tolist() == [1250.5, 25, 1500]


def test_a_typed_number_out_of_bounds_is_invalid():
    values, status = numbers.read_numbers(pd.Series(["2000000", "12"]), bounds=AMOUNT, typed=pd.Series([True, True]))
    assert pd.isna(values.iloc[0]) and values.iloc[1] == 12 and status.tolist() == [readings.INVALID, OK]


def test_the_bounds_hint_says_whether_a_whole_number_is_needed_and_names_only_a_setting_given():
    household = numbers.Bounds(1, 30, whole=True, setting="max_household_size")
    assert household.hint() == "must be a whole number from 1 to 30 (config max_household_size)"
    assert numbers.Bounds(0, 5000, whole=True).hint() == "must be a whole number from 0 to 5,000"


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99),
       st.sampled_from(["", " TL", "₺"]))
def test_a_number_in_a_column_with_clear_evidence_round_trips(whole, cents, currency):
    english = f"{whole:,}.{cents:02d}"
    turkish = english.replace(",", "X").replace(".", ",").replace("X", ".")
    plain = f"{whole:,}".replace(",", ".")  # Turkish thousands without decimals: read by the column's evidence
    expected = pytest.approx(whole + cents / 100)
    parsed = numbers.parse_numbers(pd.Series([turkish + currency, plain, "1.250,50"]))
    assert parsed.iloc[0] == expected and parsed.iloc[1] == whole
    parsed = numbers.parse_numbers(pd.Series([english, f"{whole:,}", "25.00"]))
    assert parsed.iloc[0] == expected and parsed.iloc[1] == whole


def test_vocabularies_match_kobo_labels_and_turkish_spellings_after_folding():
    sex = pd.Series(["Kadın", "KADIN", "kadin", "Erkek", "Kız", "KIZ ÇOCUK", "Erkek çocuk", "ERKEK ÇOCUK"])
    assert normalise.parse_vocabulary(sex, "sex", CFG).tolist() == ["female"] * 3 + ["male", "female", "female", "male",
                                                                                  "male"]
    nationality = pd.Series(["Suriye", "SURİYE", "Türk", "İran", "IRAN", "Afganistan", "Somali"])
    assert normalise.parse_vocabulary(nationality, "nationality", CFG).tolist()[:6] == [
        "Syrian", "Syrian", "Turkish", "Iranian", "Iranian", "Afghan"]
    assert normalise.parse_yes_no(pd.Series(["Evet", "HAYIR", "hayir", "1", "0", "Yes"]), CFG).tolist() == [
        True, False, False, True, False, True]


def test_a_spelling_with_two_meanings_is_refused(config_copy):
    edit(config_copy / "vocabularies.yml", "male: [m, male,", "male: [m, K, male,")
    with pytest.raises(normalise.VocabularyError, match=r"vocabularies\.yml, sex: 'K' means both 'female' and 'male'"):
        normalise.vocabulary("sex", Configuration(config_copy))


def test_unrecognised_optional_values_are_counted_and_identifiers_withheld():
    raw = pd.DataFrame({
        "sex": ["K", "xyz", "xyz", "0532 123 45 67", "05321234567", None, "xyz"],
        "nationality": ["Suriye", "Somali", None, None, None, None, None],
        "disability": ["Evet", "belki", None, None, None, None, None],
        "population_group": ["mülteci", None, None, None, None, None, "12345678901"],
    }, dtype="category")
    counts = normalise.unrecognised_values(raw, raw.index[:6], CFG)  # the last row was not kept
    assert counts == {"sex": {"(withheld: identifier-shaped)": 2, "xyz": 2}, "nationality": {"Somali": 1},
                      "disability": {"belki": 1}, "population_group": {}}


def test_day_or_month_first_is_decided_per_source_file_from_its_dates():
    values = pd.Series(["15/01/2023", "02/03/2023", "1/15/2023", "02/03/2023", "02/03/2023", "1/15/2023",
                        "13/01/2023", "05/05/2023"], dtype="category")
    sources = pd.Series(["tr", "tr", "us", "us", "none", "both", "both", "both"], dtype="category")
    orders = dates.date_orders(values, CFG, sources)
    assert orders.to_dict() == {"both": 3, "none": 0, "tr": dates.DAY_FIRST, "us": dates.MONTH_FIRST}
    read, status = dates.read_dates(values, CFG, sources, orders)
    assert [d.strftime("%m-%d") if pd.notna(d) else None for d in read] == [
        "01-15", "03-02", "01-15", "02-03", "03-02", "01-15", "01-13", "05-05"]
    assert status.tolist() == [OK] * 8


def test_each_source_files_order_is_found_when_not_given():
    values = pd.Series(["15/01/2023", "02/03/2023", "1/15/2023", "02/03/2023", "02/03/2023"], dtype="category")
    sources = pd.Series(["tr", "tr", "us", "us", "none"], dtype="category")
    read, status = dates.read_dates(values, CFG, sources)
    assert [d.strftime("%m-%d") for d in read] == ["01-15", "03-02", "01-15", "02-03", "03-02"]
    assert status.tolist() == [OK] * 5


def test_a_missing_date_is_no_evidence_of_the_order():
    read, status = dates.read_dates(pd.Series([None, "1/15/2023", "02/03/2023"], dtype="object"), CFG)
    assert pd.isna(read.iloc[0]) and read.iloc[2] == pd.Timestamp("2023-02-03") and status.tolist() == [OK] * 3


def test_a_date_readable_both_ways_in_a_file_showing_both_orders_is_ambiguous():
    values = pd.Series(["1/15/2023", "13/01/2023", "02/03/2023"])
    read, status = dates.read_dates(values, CFG)
    assert pd.isna(read.iloc[2]) and status.tolist() == [OK, OK, A]
    assert dates.date_ambiguity_hint("02/03/2023", CFG) == "02/03/2023 could be 2023-03-02 or 2023-02-03"


@pytest.mark.parametrize(("note", "order"), [("mm/dd/yyyy", dates.MONTH_FIRST), ("MM-DD-YY", dates.MONTH_FIRST),
                                             ("gg.aa.yyyy", dates.DAY_FIRST), ("dd/mm/yyyy", dates.DAY_FIRST),
                                             ("aa/gg/yyyy", dates.MONTH_FIRST), ("yyyy-mm-dd", 0), ("TL", 0),
                                             ("mm/mm/yyyy", 0)])
def test_a_format_written_in_a_header_states_the_order(note, order):
    assert dates.written_order(note) == order


def test_free_text_is_trimmed_with_inner_spaces_collapsed_and_blank_is_missing():
    free = normalise.collapse_spaces(pd.Series(["  Kilis   merkez ", " ", None, "Ceylanpınar\tToplum  Merkezi"]))
    assert str(free.dtype) == "string" and free.tolist() == ["Kilis merkez", pd.NA, pd.NA, "Ceylanpınar Toplum Merkezi"]
    plain = normalise.blank_to_na(pd.Series([" Suruç  Kampı ", "", "   ", None]))
    assert str(plain.dtype) == "string" and plain.tolist() == ["Suruç  Kampı", pd.NA, pd.NA, pd.NA]


def test_each_value_keeps_its_row_of_a_filtered_frame():
    values = pd.Series(["b", "a", "b"], index=[10, 20, 30])  # the kept rows of a quarter: not 0, 1, 2
    upper = normalise.map_distinct(values, str.upper)
    assert upper.to_dict() == {10: "B", 20: "A", 30: "B"}
    assert normalise.map_non_blank(values, str.upper).to_dict() == {10: "B", 20: "A", 30: "B"}
    coded = normalise.map_distinct(values, str.upper, "category")
    assert coded.astype(str).to_dict() == {10: "B", 20: "A", 30: "B"}
    groups = normalise.age_groups(pd.Series([3.0, 70.0], index=[5, 9]), CFG.age_groups())
    assert groups.astype(str).to_dict() == {5: "0-4", 9: "60+"}


def test_categories_of_a_mapped_column_are_its_distinct_results_in_order_unused_ones_included():
    values = pd.Series(["b", "a"], dtype=pd.CategoricalDtype(["b", "a", "c"]))
    coded = normalise.map_distinct(values, str.upper, "category")
    assert coded.cat.categories.tolist() == ["B", "A", "C"] and coded.tolist() == ["B", "A"]


def test_yes_and_no_in_turkish_and_english_are_a_nullable_boolean():
    answers = normalise.parse_yes_no(pd.Series(["Evet", "hayır", "Yes", "0", "VAR", "", None, "belki"]), CFG)
    assert str(answers.dtype) == "boolean"
    assert answers.tolist() == [True, False, True, False, True, pd.NA, pd.NA, pd.NA]


def test_unrecognised_values_are_counted_most_frequent_first_in_each_column_present():
    nationality = pd.Categorical(["Somali", "Zimbabwe", "Eritrea", "Zimbabwe", " ", "Suriye"],
                                 categories=["Somali", "Zimbabwe", "Eritrea", " ", "Suriye"])
    raw = pd.DataFrame({"nationality": nationality})  # no sex column: the other columns are still counted
    counts = normalise.unrecognised_values(raw, raw.index, CFG)
    assert list(counts) == ["nationality"]
    assert list(counts["nationality"].items()) == [("Zimbabwe", 2), ("Eritrea", 1), ("Somali", 1)]


def test_a_value_with_as_many_digits_as_an_identifier_is_withheld():
    raw = pd.DataFrame({"sex": ["123456", "1234567", "0532 123 45 67"]}, dtype="category")  # min_digits: 7
    assert normalise.unrecognised_values(raw, raw.index, CFG) == {"sex": {"(withheld: identifier-shaped)": 2,
                                                                          "123456": 1}}


def test_an_age_from_0_to_120_is_kept_and_rounded_and_any_other_is_unknown():
    ages = normalise.age_in_range(pd.Series([-1, 0, 35.6, 120, 121], dtype="float64"))
    assert ages.tolist()[1:4] == [0, 36, 120] and ages.iloc[[0, 4]].isna().all()
    groups = normalise.age_groups(pd.Series([-1.0, 0.0, 60.0]), CFG.age_groups())
    assert groups.tolist() == ["unknown", "0-4", "60+"]
    # ordered youngest first, as pd.cut makes them: records.parquet keeps the order, so age groups compare and sort
    assert groups.cat.ordered and (groups == "60+").tolist() == [False, False, True] and (groups < "5-11")[1]


def test_only_a_plural_s_is_dropped_and_synonyms_match_before_and_after():
    raw = pd.Series(["Blanket", "Gas", "Cooking gas", "Mattress", "Face masks", "Hand sanitisers", "Sanitary pads"])
    synonyms = {"face mask": "mask", "hand sanitiser": "hand sanitizer", "sanitary pads": "menstrual pad kit"}
    assert normalise.normalise_items(raw, synonyms).tolist() == [
        "blanket", "gas", "cooking gas", "mattress", "mask", "hand sanitizer", "menstrual pad kit"]


def test_an_activity_code_is_read_with_underscores_hyphens_or_spaces_between_its_words():
    catalogue = CFG.activities()
    raw = pd.Series(["PROT_CASE_MGMT", "prot case mgmt", "Prot-Case-Mgmt", " prot__case  mgmt "])
    assert normalise.activity_codes(raw, catalogue).tolist() == ["PROT_CASE_MGMT"] * 4


def test_a_catalogue_of_codes_alone_names_its_activities_by_their_codes():
    catalogue = pd.DataFrame(index=pd.Index(["PROT_CASE_MGMT", "BN_CASH"]))
    assert normalise.activity_names(catalogue) == {"prot case mgmt": "PROT_CASE_MGMT", "bn cash": "BN_CASH"}
