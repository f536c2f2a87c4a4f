"""Province resolution: every spelling of a real province resolves to it, and nothing resolves wrongly."""

from __future__ import annotations

import string
import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.clean.provinces import (
    ALIASES_FILE,
    _district_hint,
    district_reference,
    province_key,
    province_reference,
    resolve_provinces,
)
from helpers.paths import REPO_ROOT
from helpers.text import fold, turkish_lower

TURKISH_LETTERS = "abcçdefgğhıijklmnoöprsştuüvyz"
PROVINCES = list(province_reference()["province"])


def turkish_upper(text: str) -> str:
    return text.translate({ord("i"): "İ", ord("ı"): "I"}).upper()


def single_typos(word: str) -> set[str]:
    """Every deletion, insertion, substitution and transposition of one letter (Turkish alphabet)."""
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    typos = {a + b[1:] for a, b in cuts if b}
    typos |= {a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1}
    typos |= {a + c + b[1:] for a, b in cuts if b for c in TURKISH_LETTERS}
    typos |= {a + c + b for a, b in cuts for c in TURKISH_LETTERS}
    return typos


@pytest.fixture(scope="module")
def known_keys() -> dict[str, str]:
    """Key of every official name, alias and district → its province (a typo that *is* another name is not
    a typo; a district name is rejected, so it is keyed to no province)."""
    aliases = pd.read_csv(ALIASES_FILE, dtype="string")
    keys = {province_key(d): "(district)" for d in district_reference()["district"]}
    keys |= {province_key(name): name for name in PROVINCES}
    return keys | {province_key(a): p for a, p in zip(aliases["alias"], aliases["province"], strict=True)}


def test_reference_lists_81_provinces_with_official_spelling_plate_and_iso_code():
    reference = province_reference()
    assert len(reference) == 81
    assert list(reference["plate"]) == [f"{n:02d}" for n in range(1, 82)]
    assert (reference["iso_code"] == "TR-" + reference["plate"]).all()
    assert (reference["pcode"] == "TUR0" + reference["plate"]).all()
    by_name = reference.set_index("province")["plate"]
    expected = {
        "İstanbul": "34", "Şanlıurfa": "63", "Kahramanmaraş": "46", "İzmir": "35", "Mersin": "33",
        "Afyonkarahisar": "03", "Kırıkkale": "71", "Kırşehir": "40", "Muğla": "48", "Hakkari": "30",
        "Iğdır": "76", "Elazığ": "23", "Çanakkale": "17",
    }  # fmt: skip
    assert {name: by_name[name] for name in expected} == expected


def test_reference_is_not_changed_by_a_caller():
    reference = province_reference()
    reference.loc[0, "province"] = "Changed"
    assert province_reference()["province"].iat[0] == "Adana"
    districts = district_reference()
    districts.loc[districts["district"] == "Amasra", "district"] = "Changed"
    assert resolve_provinces(["Amasra"])["hint"].iat[0].startswith("Amasra is a district of Bartın")
    assert "Amasra" in set(district_reference()["district"])


@pytest.mark.parametrize(
    ("value", "province", "method"),
    [
        ("İçel", "Mersin", "alias"),
        ("ICEL", "Mersin", "alias"),
        ("Urfa", "Şanlıurfa", "alias"),
        ("Ş.Urfa", "Şanlıurfa", "alias"),
        ("S.Urfa", "Şanlıurfa", "alias"),
        ("Ş. Urfa", "Şanlıurfa", "alias"),
        ("K.Maraş", "Kahramanmaraş", "alias"),
        ("K. Maras", "Kahramanmaraş", "alias"),
        ("Maraş", "Kahramanmaraş", "alias"),
        ("Antep", "Gaziantep", "alias"),
        ("G.Antep", "Gaziantep", "alias"),
        ("Afyon", "Afyonkarahisar", "alias"),
        ("Antakya", "Hatay", "alias"),
        ("İzmit", "Kocaeli", "alias"),
        ("Adapazarı", "Sakarya", "alias"),
        ("İSTANBUL", "İstanbul", "exact"),
        ("ISTANBUL", "İstanbul", "exact"),
        ("istanbul ", "İstanbul", "exact"),
        ("Istanbul", "İstanbul", "exact"),
        ("Izmir", "İzmir", "exact"),
        ("Eskişehır", "Eskişehir", "exact"),
        ("SANLIURFA", "Şanlıurfa", "exact"),
        ("Şanlıurfa", "Şanlıurfa", "exact"),
        ("Sanli Urfa", "Şanlıurfa", "exact"),
        ("KAHRAMANMARAS", "Kahramanmaraş", "exact"),
        ("Kahraman Maraş", "Kahramanmaraş", "exact"),
        ("Gaziantep ", "Gaziantep", "exact"),
        ("Gazi Antep", "Gaziantep", "exact"),
        ("hatay", "Hatay", "exact"),
        ("ADANA", "Adana", "exact"),
        ("Mersin", "Mersin", "exact"),
        ("Elazig", "Elazığ", "exact"),
        ("Hakkâri", "Hakkari", "exact"),
        ("Hakkari", "Hakkari", "exact"),
        ("Şanlıurfa ili", "Şanlıurfa", "exact"),
        ("Hatay Merkez", "Hatay", "exact"),
        ("Gaziantep Province", "Gaziantep", "exact"),
        ("Kirikale", "Kırıkkale", "fuzzy"),
        ("Gaziantp", "Gaziantep", "fuzzy"),
        ("Hatya", "Hatay", "fuzzy"),
    ],
)
def test_spellings_resolve_to_the_official_province(value, province, method):
    row = resolve_provinces([value]).iloc[0]
    assert (row["province"], row["method"], row["reason"]) == (province, method, pd.NA)
    assert row["iso_code"] == "TR-" + row["plate"]


@pytest.mark.parametrize(
    "value", ["TUR063", "tur063", "TR-63", "TR63", "tr-63", "TR 63", "63", " 63 ", "63.0", "TUR-063"]
)
def test_codes_in_a_province_column_resolve(value):
    row = resolve_provinces([value]).iloc[0]
    assert (row["province"], row["plate"], row["iso_code"], row["pcode"], row["method"]) == (
        "Şanlıurfa", "63", "TR-63", "TUR063", "code")


def test_every_plate_iso_code_and_pcode_resolves_to_its_province():
    reference = province_reference()
    for column in ["plate", "iso_code", "pcode"]:
        assert list(resolve_provinces(reference[column])["province"]) == PROVINCES
    assert list(resolve_provinces([str(n) for n in range(1, 82)])["province"]) == PROVINCES


@pytest.mark.parametrize(
    ("value", "province"),
    [("KOCAELİ (İZMİT)", "Kocaeli"), ("Mersin (İçel)", "Mersin"), ("İçel (Mersin)", "Mersin"),
     ("HATAY (ANTAKYA)", "Hatay"), ("Şanlıurfa (Haliliye)", "Şanlıurfa"), ("Amasra (Bartın)", "Bartın"),
     ("Hatay [deprem bölgesi]", "Hatay"), ("Şanlıurfa / Haliliye", "Şanlıurfa"), ("Gaziantep - Şahinbey", "Gaziantep"),
     ("Kahramanmaraş (Merkez)", "Kahramanmaraş"), ("Urfa/Şanlıurfa", "Şanlıurfa"), ("Şanlıurfa, Türkiye", "Şanlıurfa")],
)
def test_a_name_with_its_old_centre_or_a_district_beside_it_resolves(value, province):
    assert resolve_provinces([value])["province"].iat[0] == province


@pytest.mark.parametrize(
    ("value", "hint"),
    [("Adana (Hatay)", "the parts name different provinces: Adana, Hatay"),
     ("Hatay (Amasra)", "the parts name different provinces: Hatay, Bartın"),
     ("Adana, Mersin", "the parts name different provinces: Adana, Mersin"),
     ("Mersin (Tarsus) (Adana)", "the parts name different provinces: Adana, Mersin"),
     ("Haliliye / Eyyübiye", "districts of Şanlıurfa, not a province"),
     # a part one typo from another province and a district name shared by three: both said
     ("Hatay / Osmaiye / Yenişehir",
      "the parts name different provinces: Hatay, Osmaniye; Osmaiye is closest to Osmaniye; "
      "Yenişehir is a district name in several provinces: Bursa, Diyarbakır, Mersin"),
     # one province named, the other part a district name of two others: neither of those is its district
     ("Hatay / Kale", "the parts do not name one province: Hatay; Kale is a district name in several provinces: "
                      "Denizli, Malatya")],
)
def test_parts_naming_different_provinces_or_only_districts_are_rejected(value, hint):
    row = resolve_provinces([value]).iloc[0]
    assert (row["method"], row["reason"], row["hint"]) == ("unresolved", "unknown_province", hint)


def test_districts_of_two_provinces_are_not_called_districts_of_either():
    """``Kozan / Haliliye``: a district of Adana and one of Şanlıurfa name no single province, so the hint must
    not say "districts of Adana" (the first by plate); the value is left to the district and typo rules."""
    row = resolve_provinces(["Kozan / Haliliye"]).iloc[0]
    assert (row["province"], row["method"]) == (pd.NA, "unresolved")
    assert row["hint"].startswith("closest: the district Haliliye (Şanlıurfa)")


@pytest.mark.parametrize(
    ("value", "hint"),
    [("Amasra", "Amasra is a district of Bartın"), ("AMASRA", "Amasra is a district of Bartın"),
     ("Eyyübiye", "Eyyübiye is a district of Şanlıurfa"), ("Eyyubiye", "Eyyübiye is a district of Şanlıurfa"),
     ("Şahinbey Merkez", "Şahinbey is a district of Gaziantep"),
     ("Merkez", "Merkez is a district name in 51 provinces"),
     ("19Mayıs", "19 Mayıs is a district of Samsun"), ("19 MAYIS", "19 Mayıs is a district of Samsun"),
     ("Yenişehir", "Yenişehir is a district name in several provinces: Bursa, Diyarbakır, Mersin")],
)
def test_a_district_name_is_rejected_with_its_province_as_hint(value, hint):
    row = resolve_provinces([value]).iloc[0]
    assert (row["method"], row["reason"]) == ("unresolved", "unknown_province")
    assert pd.isna(row["province"])
    assert row["hint"].startswith(hint)


def test_a_district_hint_names_the_district_province_as_candidate():
    row = resolve_provinces(["Amasra"]).iloc[0]
    assert row["candidate"] == "Bartın"  # not Amasya, one letter away


@pytest.mark.parametrize(
    ("value", "hint"),
    [("Adala", "closest: Adana (80); also close to the district Adalar (İstanbul)"),
     ("Izmi", "closest: İzmir (80); also close to the district İzmit (Kocaeli)"),
     ("K.Kalee", "an abbreviation not in the alias list; closest:"),
     ("A.Karahisar", "an abbreviation not in the alias list; closest:"),
     ("Beydagi", "closest: the district Beydağ (İzmir); closest province:"),
     ("xyz", "no close province")],
)
def test_a_value_near_a_district_or_an_unknown_abbreviation_is_not_guessed(value, hint):
    row = resolve_provinces([value]).iloc[0]
    assert (row["method"], row["reason"]) == ("unresolved", "unknown_province")
    assert row["hint"].startswith(hint)


@pytest.mark.parametrize(
    ("value", "province"),
    [("K.kale", "Kırıkkale"), ("K. Kale", "Kırıkkale"), ("Kkale", "Kırıkkale"), ("Ç.Kale", "Çanakkale"),
     ("C.KALE", "Çanakkale"), ("G.Antep", "Gaziantep"), ("K.Maraş", "Kahramanmaraş"), ("Ş.Urfa", "Şanlıurfa")],
)
def test_abbreviations_resolve_only_through_the_alias_list(value, province):
    assert resolve_provinces([value])["method"].iat[0] == "alias"
    assert resolve_provinces([value])["province"].iat[0] == province


def test_an_abbreviation_one_letter_from_an_alias_is_not_matched_fuzzily(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("alias,province\nÇ.Kale,Çanakkale\n", encoding="utf-8")
    result = resolve_provinces(["K.kale", "Kkale", "Ç.Kale"], aliases=path)  # Kkale is one letter from Çkale
    assert list(result["method"]) == ["unresolved", "unresolved", "alias"]


@pytest.mark.parametrize(
    ("value", "province"), [("Gaziantp", "Gaziantep"), ("Sanlıurfaa", "Şanlıurfa"), ("Istambul", "İstanbul")]
)
def test_true_typos_of_province_names_are_still_corrected(value, province):
    row = resolve_provinces([value]).iloc[0]
    assert (row["province"], row["method"]) == (province, "fuzzy")


SPELLINGS = pd.read_csv(REPO_ROOT / "tests" / "data" / "province_spellings.csv", dtype="string",
                        keep_default_na=False)


def test_the_spelling_list_is_large_sourced_and_names_official_provinces():
    assert len(SPELLINGS) >= 300 and not SPELLINGS["spelling"].duplicated().any()
    assert (SPELLINGS["source"] != "").all()
    assert set(SPELLINGS["expect"]) == {"resolve", "reject"}
    named = set(SPELLINGS["province"]) | set(SPELLINGS["hint_province"])
    assert named - {""} <= set(PROVINCES)


def test_real_world_spellings_resolve_with_no_wrong_province_and_no_miss():
    """Every spelling meant as a province resolves to it; every district or non-province is rejected."""
    result = resolve_provinces(SPELLINGS["spelling"]).set_index("value")
    got = SPELLINGS["spelling"].map(result["province"])
    meant = SPELLINGS["expect"] == "resolve"
    wrong = SPELLINGS[got.notna() & (got != SPELLINGS["province"]).fillna(True)]
    misses = SPELLINGS[meant & got.isna()]
    assert wrong.empty, wrong
    assert misses.empty, misses
    hints = SPELLINGS["spelling"].map(result["hint"])
    rejected = ~meant & (SPELLINGS["hint_province"] != "")
    assert all(p in h for p, h in zip(SPELLINGS.loc[rejected, "hint_province"], hints[rejected], strict=True))


def test_district_list_has_973_districts_in_81_provinces_with_known_ones():
    districts = district_reference()
    assert len(districts) == 973 and districts["plate"].nunique() == 81
    by_plate = province_reference().set_index("plate")["province"]
    assert (districts["province"] == districts["plate"].map(by_plate)).all()
    province_of = districts.drop_duplicates("district", keep=False).set_index("district")["province"]
    known = {"Amasra": "Bartın", "Eyyübiye": "Şanlıurfa", "Salihli": "Manisa", "Şahinbey": "Gaziantep",
             "Antakya": "Hatay", "Adalar": "İstanbul", "İzmit": "Kocaeli", "Onikişubat": "Kahramanmaraş"}
    assert {d: province_of[d] for d in known} == known
    assert "Adala" not in set(districts["district"])  # a neighbourhood of Salihli, not a district


@pytest.mark.parametrize(
    "value",
    ["Kır", "xyz", "Ankaraa Adana", "Bursa Ankara", "Van Gölü", "Izmi", "Musa", "Kara", "Ordo", "0", "82", "TR-00",
     "TUR082", "TUR63", "TR-063", "630"],
)
def test_short_ambiguous_or_garbled_values_are_rejected(value):
    row = resolve_provinces([value]).iloc[0]
    assert row["method"] == "unresolved"
    assert row["reason"] == "unknown_province"
    assert pd.isna(row["province"]) and pd.isna(row["plate"]) and pd.isna(row["iso_code"])


def test_an_unresolved_value_names_its_closest_province_and_score():
    row = resolve_provinces(["Ordo"]).iloc[0]
    assert (row["candidate"], row["score"]) == ("Ordu", 75.0)


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA, "", "   ", "-", "ili"])
def test_blank_values_are_unresolved_as_missing(value):
    row = resolve_provinces([value]).iloc[0]
    assert (row["method"], row["reason"]) == ("unresolved", "missing_required")
    assert pd.isna(row["province"]) and pd.isna(row["candidate"])


def test_close_real_provinces_each_resolve_to_themselves():
    close = ["Kırklareli", "Kırıkkale", "Kırşehir", "Bartın", "Batman", "Siirt", "Şırnak", "Ağrı", "Artvin",
             "Bitlis", "Kilis", "Muş", "Muğla", "Sinop", "Bingöl", "Van", "Rize", "Ordu", "Kars", "Aydın",
             "Mardin", "Bursa", "Burdur", "Adana", "Ardahan"]  # fmt: skip
    result = resolve_provinces(close)
    assert list(result["province"]) == close
    assert set(result["method"]) == {"exact"}


@pytest.mark.parametrize("spell", [str, turkish_upper, str.upper, turkish_lower, lambda s: f"  {s}\t"])
def test_every_official_province_resolves_exactly_in_any_case(spell):
    result = resolve_provinces([spell(name) for name in PROVINCES])
    assert list(result["province"]) == PROVINCES
    assert set(result["method"]) == {"exact"}


def test_every_alias_in_the_config_resolves_to_its_province():
    aliases = pd.read_csv(ALIASES_FILE, dtype="string")
    result = resolve_provinces(aliases["alias"])
    assert list(result["province"]) == list(aliases["province"])
    assert set(result["method"]) == {"alias"}


def test_no_single_typo_of_any_province_resolves_to_another(known_keys):
    """Exhaustive over one-letter typos: right province or unresolved, and most typos are resolved."""
    expected = {}
    for name in PROVINCES:
        for typo in single_typos(turkish_lower(name)):
            if known_keys.get(province_key(typo), name) == name:
                expected.setdefault(typo, set()).add(name)
    result = resolve_provinces(list(expected))
    found = result.dropna(subset=["province"])
    wrong = [(v, p) for v, p in zip(found["value"], found["province"], strict=True) if p not in expected[v]]
    assert wrong == []
    # 89.9 % resolve; the rest are typos of short names, or as close to another province or to a district of
    # another province (``acana``: one letter from Adana and from Abana, a district of Kastamonu)
    assert len(found) > 0.88 * len(result)


def _typo(draw, word: str) -> str:
    i = draw(st.integers(0, len(word) - 1))
    letter = draw(st.sampled_from(TURKISH_LETTERS + TURKISH_LETTERS.upper()))
    edit = draw(st.sampled_from(["delete", "substitute", "transpose", "insert"]))
    return {
        "delete": word[:i] + word[i + 1 :],
        "substitute": word[:i] + letter + word[i + 1 :],
        "transpose": word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :],
        "insert": word[:i] + letter + word[i:],
    }[edit]


@st.composite
def garbled_provinces(draw) -> tuple[str, str]:
    """An official name with up to two typos, a case style (Turkish or English capitals) and stray spaces."""
    name = draw(st.sampled_from(PROVINCES))
    spell = draw(st.sampled_from([str, turkish_upper, str.upper, str.lower, turkish_lower, str.title]))
    text = spell(name)
    for _ in range(draw(st.integers(0, 2))):
        text = _typo(draw, text)
    pad = st.text(" \t", max_size=3)
    return draw(pad) + text + draw(pad), name


@settings(max_examples=200, deadline=None)
@given(st.lists(garbled_provinces(), min_size=1, max_size=50))
def test_a_garbled_province_resolves_to_itself_or_not_at_all(known_keys, garbled):
    # a typo that produced another real name (İzmir → İzmit) is that name, not a typo
    typos = [(text, name) for text, name in garbled if known_keys.get(province_key(text), name) == name]
    result = resolve_provinces([text for text, _ in typos]).set_index("value")["province"]
    for text, name in typos:
        assert pd.isna(result[text]) or result[text] == name, text


NAME_TEXT = st.text(TURKISH_LETTERS + TURKISH_LETTERS.upper() + "İIâîûÂÎÛ" + string.ascii_letters + " .-'\t")


@given(st.text().filter(lambda s: unicodedata.normalize("NFKC", s) == s))
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(NAME_TEXT)
def test_fold_ignores_turkish_and_english_capitals(text):
    assert fold(turkish_upper(text)) == fold(text) == fold(text.upper()) == fold(turkish_lower(text))


@given(NAME_TEXT)
def test_province_key_ignores_case_spacing_and_dots(text):
    key = province_key(text)
    assert province_key(turkish_upper(text)) == key
    assert province_key(f" {text.replace(' ', '.  ')} ") == key


def test_each_distinct_value_is_resolved_once_and_maps_back():
    column = pd.Series(["Urfa", "Hatay", None, "Urfa", "xyz", "Hatay", None] * 1000)
    result = resolve_provinces(column)
    assert len(result) == 4
    mapped = column.map(result.set_index("value")["province"])
    assert list(mapped[:7]) == ["Şanlıurfa", "Hatay", pd.NA, "Şanlıurfa", pd.NA, "Hatay", pd.NA]
    reasons = column.map(result.set_index("value")["reason"])
    assert list(reasons[:3]) == [pd.NA, pd.NA, "missing_required"]


def test_a_batch_resolves_as_each_value_alone():
    """The vectorised fuzzy pass gives every value the same answer it gets on its own, in input order."""
    values = ["Gaziantp", "Amasra", "TUR063", "Adala", "Hatya", "K.kale", "Izmi", "Istambul", "xyz", "Urfa"]
    batch = resolve_provinces(values)
    alone = pd.concat([resolve_provinces([v]) for v in values], ignore_index=True)
    pd.testing.assert_frame_equal(batch, alone)


def test_an_edited_alias_file_is_reread(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("alias,province\nUrfa,Şanlıurfa\n", encoding="utf-8")
    assert resolve_provinces(["Kozan"], aliases=path)["method"].iat[0] == "unresolved"
    path.write_text("alias,province,note\nUrfa,Şanlıurfa,\nKozan,Adana,district\n", encoding="utf-8")
    assert resolve_provinces(["KOZAN"], aliases=path)["province"].iat[0] == "Adana"


@pytest.mark.parametrize(
    "row",
    ["Kozan,Adanna", "Kars,Ardahan", "Urfa,Hatay", "...,Adana", "Amasra,Amasya"],
    ids=["unknown province", "another official name", "alias twice", "blank alias", "district of another"],
)
def test_an_alias_file_with_a_wrong_row_is_refused_with_its_line(tmp_path, row):
    path = tmp_path / "aliases.csv"
    path.write_text(f"alias,province\nUrfa,Şanlıurfa\n{row}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":3:"):
        resolve_provinces(["Adana"], aliases=path)


@pytest.mark.parametrize(("value", "hint"), [
    ("Killis", "closest: Kilis (83)"),  # the older spelling of maps and treaties; two letters from Bitlis
    ("Batin", "closest: Bartın (83)"),  # Bartın without its r, and two letters from Batman
])
def test_a_typo_only_one_letter_closer_to_one_province_than_another_is_not_guessed(value, hint):
    """FUZZY_MARGIN: the runner-up province must need two more typos; one more is a guess between two."""
    row = resolve_provinces([value]).iloc[0]
    assert (row["province"], row["method"], row["hint"]) == (pd.NA, "unresolved", hint)
    assert resolve_provinces([value], margin=1)["province"].iat[0] == row["candidate"]  # what the margin stops


@pytest.mark.parametrize(("value", "hint"), [
    # as close to Güce (Giresun) as to Düzce, though Güce is too short to be within typo distance itself
    ("Düce", "closest: Düzce (80); also close to the district Güce (Giresun)"),
    # one typo from Kırşehir, two from Viranşehir (Şanlıurfa), itself within typo distance
    ("Kıraşehir", "closest: Kırşehir (89); also close to the district Viranşehir (Şanlıurfa)"),
])
def test_a_typo_near_a_district_of_another_province_is_not_guessed(value, hint):
    """The nearby-district rule: a district of another province competes when it is as close, or when it is
    itself within typo distance and less than FUZZY_MARGIN typos farther."""
    row = resolve_provinces([value]).iloc[0]
    assert (row["province"], row["method"], row["hint"]) == (pd.NA, "unresolved", hint)


def test_a_district_of_the_province_itself_never_competes_with_it():
    """Çankaya is a district of Ankara and Gürsu one of Bursa: a typo between the two is still that province
    (rejected here only for the runner-up province, as the hint says), unlike a district shared by others."""
    result = resolve_provinces(["Ankaya", "Gursa"])
    assert list(result["hint"]) == ["closest: Ankara (83)", "closest: Bursa (80)"]
    assert list(resolve_provinces(["Ankaya", "Gursa"], margin=1)["province"]) == ["Ankara", "Bursa"]


GATHERED = REPO_ROOT / "tests" / "fixtures" / "province_spellings"  # public lists, each with its source


def test_public_lists_of_real_spellings_resolve_at_least_97_percent_and_never_wrongly():
    """Province names as humanitarian reports, map data and hand-made tables spell them (sources.csv: the address
    and what each is; spellings.csv: each list as found, with the p-code meant or "reject" for a district, a camp,
    two provinces in one cell or a garbled name). At least 97 % of the names meant as a province resolve to it;
    none resolves to another province, and nothing meant to be rejected resolves."""
    sources = pd.read_csv(GATHERED / "sources.csv", dtype="string", keep_default_na=False)
    found = pd.read_csv(GATHERED / "spellings.csv", dtype="string", keep_default_na=False)
    assert sources["url"].str.match(r"https?://\S+$").all() and (sources["what"].str.len() > 20).all()
    assert set(found["source"]) == set(sources["source"]) and len(found) >= 200
    assert set(found["expected"]) - {"reject"} <= set(province_reference()["pcode"])
    for complete in ("natural-earth-svg-map", "student-proj-sql"):  # every province once (a check on the fixture)
        listed = found.loc[found["source"] == complete, "expected"]
        assert set(listed) - {"reject"} | ({"TUR079"} if complete == "student-proj-sql" else set()) == set(
            province_reference()["pcode"]), complete
    result = resolve_provinces(found["spelling"]).set_index("value")  # one row per distinct value
    got = found["spelling"].map(result["pcode"]).astype("string")
    meant = found["expected"] != "reject"
    wrong = found[got.notna() & (got != found["expected"]).fillna(True)]
    assert wrong.empty, wrong
    right = (got[meant] == found.loc[meant, "expected"]).fillna(False)
    assert right.mean() >= 0.97, found[meant][~right.to_numpy()]


@pytest.mark.parametrize(("value", "hint"), [
    ("Gantp", "closest: Gaziantep (60)"),  # one letter from G.Antep, two from Antep
    ("Surfaa", "closest: Şanlıurfa (67)"),  # one letter from Ş.Urfa
])
def test_a_typo_of_an_abbreviation_on_the_alias_list_is_not_corrected(value, hint):
    """An abbreviation in the alias list resolves only as written: a key of five or six letters is too short
    to tell a typo of it from another word, so it is left out of fuzzy matching (and of the hint's score)."""
    row = resolve_provinces([value]).iloc[0]
    assert (row["province"], row["method"], row["hint"]) == (pd.NA, "unresolved", hint)


def test_an_alias_made_only_of_digits_keeps_its_leading_zero(tmp_path):
    """A form that exports the p-code's number without ``TUR`` (``063``): the alias is text, not the plate 63."""
    path = tmp_path / "aliases.csv"
    path.write_text("alias,province\n063,Şanlıurfa\n", encoding="utf-8")
    result = resolve_provinces(["063", "0063"], aliases=path)
    assert list(result["province"]) == ["Şanlıurfa", pd.NA]
    assert list(result["method"]) == ["alias", "unresolved"]


def test_an_alias_line_without_a_province_is_refused_with_its_line_and_the_empty_name(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("alias,province\nUrfa,Şanlıurfa\nKozan,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"aliases\.csv:3: '' is not an official province name$"):
        resolve_provinces(["Adana"], aliases=path)


@pytest.mark.parametrize(("value", "hint"), [
    ("Vanı", "closest: Van (75); also close to the district Hani (Diyarbakır)"),
    ("Urşfa", "closest: Şanlıurfa (80)"),
])
def test_a_turkish_letter_typed_into_a_name_is_not_dropped_as_mis_decoding(value, hint):
    """Only text showing Windows-1254 read as Latin-1 (``ý þ ð Ý Þ Ð``) is re-decoded; a stray ``ı`` or ``ş``
    is a typo for the fuzzy rules, not a letter to drop until a name appears."""
    row = resolve_provinces([value]).iloc[0]
    assert (row["province"], row["method"], row["hint"]) == (pd.NA, "unresolved", hint)


def test_half_mis_decoded_text_and_a_byte_windows_1254_lacks_are_repaired_without_error():
    """``Þanlıurfa``: Ş mis-decoded, ı right (the ı is left out of the re-decoding, the typo rule then
    corrects it); a byte Windows-1254 does not define (0x8D) is skipped rather than stopping the run."""
    result = resolve_provinces(["Þanlıurfa", "Þanlýurfa\x8d"])
    assert list(result["province"]) == ["Şanlıurfa", "Şanlıurfa"]
    assert list(result["method"]) == ["fuzzy", "repaired"]


def test_a_district_name_in_up_to_five_provinces_lists_them_and_in_more_counts_them():
    """The hint for a district name shared by several provinces (today Yenişehir in three, Merkez in 51): up to
    five are named, more are counted, whatever a new version of the district list holds."""
    rows = (0, 1, 2, 3, 4)
    assert _district_hint("Yeniköy", rows) == (
        "Yeniköy is a district name in several provinces: Adana, Adıyaman, Afyonkarahisar, Ağrı, Amasya")
    assert _district_hint("Yeniköy", (*rows, 5)) == "Yeniköy is a district name in 6 provinces: the province is needed"


@pytest.mark.parametrize(("value", "method"), [
    ("Adana", "exact"), ("01", "code"), ("TUR001", "code"), ("Adan.", "prefix"), ("ADAN.", "prefix"),
    ("Adana (Seyhan)", "exact"), ("Seyhan / Adana", "exact"), ("ADANA ÝLÝ", "repaired"),
])
def test_adana_the_first_province_by_plate_resolves_by_every_rule(value, method):
    """Adana is row 0 of the reference: a rule that took 0 for "not found" would lose it."""
    row = resolve_provinces([value]).iloc[0]
    assert (row["province"], row["pcode"], row["method"]) == ("Adana", "TUR001", method)
    assert row["hint"] is pd.NA and row["reason"] is pd.NA


def test_a_district_name_of_several_provinces_names_no_candidate_province():
    """Kozan is a district of Adana only, so Adana is its candidate; Yenişehir (Bursa, Diyarbakır, Mersin) and
    Kale (Denizli, Malatya) name none, rather than the first of their provinces."""
    result = resolve_provinces(["Kozan", "Yenişehir", "Kale"])
    assert list(result["candidate"]) == ["Adana", pd.NA, pd.NA]
    assert list(result["method"]) == ["unresolved"] * 3


def test_a_value_resolved_with_certainty_scores_100_and_is_its_own_candidate():
    result = resolve_provinces(["Urfa", "TUR063", "Şanlıurfa", "Þanlýurfa", "Gaziantp"])
    assert list(result["method"]) == ["alias", "code", "exact", "repaired", "fuzzy"]
    assert list(result["score"]) == [100.0, 100.0, 100.0, 100.0, 88.9]
    assert list(result["candidate"]) == ["Şanlıurfa"] * 4 + ["Gaziantep"]


def test_the_values_come_back_in_the_type_of_the_column_they_came_from():
    """A records column of text or categories maps back onto its resolution without a change of type."""
    assert resolve_provinces(pd.Series(["Urfa", None, "Urfa"], dtype="string"))["value"].dtype == "string"
    assert resolve_provinces(pd.Series(["Urfa", None], dtype="category"))["value"].dtype == "category"


def test_the_margin_also_sets_how_much_farther_a_nearby_district_must_be():
    """Kıraşehir: one typo from Kırşehir, two from Viranşehir (Şanlıurfa). With a margin of 1 a district one typo
    farther no longer competes; one as close as the province (Güce beside Düzce) still does."""
    result = resolve_provinces(["Kıraşehir", "Düce"], margin=1)
    assert list(result["province"]) == ["Kırşehir", pd.NA]


def test_a_blank_value_or_parts_naming_two_provinces_score_0_with_no_candidate():
    result = resolve_provinces(["Adana (Hatay)", "  ", "ili", None])
    assert list(result["score"]) == [0.0] * 4
    assert result["candidate"].isna().all()


@pytest.mark.parametrize(("value", "score", "candidate", "hint"), [
    # nearest a district of two provinces: both named, then the closest province
    ("Ckalee", 33.3, "Kars", "closest: the district Kale (Denizli, Malatya); closest province: Kars (33)"),
    # nothing in common with any name: no province is offered, and no district either
    ("Qqqq", 0.0, pd.NA, "no close province"),
    # a note of 200 letters pasted in the column shares one letter with Adana: still named, at a score under 1
    ("a" + "q" * 199, 0.5, "Adana", "closest: Adana (1); also close to the district Akyurt (Ankara)"),
])
def test_the_hint_of_an_unresolved_value_names_what_is_closest(value, score, candidate, hint):
    row = resolve_provinces([value]).iloc[0]
    assert (row["province"], row["score"], row["candidate"], row["hint"]) == (pd.NA, score, candidate, hint)


def test_the_key_of_a_missing_value_is_blank():
    assert province_key(pd.NA) == province_key(None) == province_key(float("nan")) == ""
