"""The report's languages: every message translated, Turkish formats from CLDR, Turkish upper case, direction."""

import datetime as dt

import pytest
from conftest import edit

from helpers.config import CONFIG_DIR, Configuration
from helpers.errors import ConfigError
from helpers.paths import Quarter
from helpers.publication import catalogue, figures
from helpers.publication.language import Language, get, languages, using
from helpers.publication.render import page_counter
from helpers.publication.report import category_label

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)


def test_every_message_has_a_turkish_translation():
    """Words added anywhere the report prints from (code, template, notebook, config) stop the tests until the
    catalogue translates them: run `make catalogue`, then translate the new entries."""
    for language in languages(CFG)[1:]:
        assert catalogue.untranslated(language.code, CFG) == []


def test_a_new_config_word_without_translation_is_caught(config_copy):
    edit(config_copy / "report.yml", "title: Innovation lab,", "title: Digital skills lab,")
    assert "Digital skills lab" in catalogue.untranslated("tr", Configuration(config_copy))


def test_a_translation_that_loses_a_placeholder_is_caught(monkeypatch):
    tr = catalogue.read("tr")
    tr["Published {date}"].string = "Yayım tarihi"
    monkeypatch.setattr(catalogue, "read", lambda code: tr)
    assert "Published {date} (placeholders differ)" in catalogue.untranslated("tr", CFG)


def test_turkish_numbers_and_dates_come_from_cldr():
    tr = get("tr", CFG)
    assert tr.number(67389) == "67.389"
    assert tr.number(1234.5, decimals=1) == "1.234,5"
    assert tr.percent(0.12) == "%12"
    assert tr.period(Quarter.parse("2022Q4")) == "Ekim–Aralık 2022"
    assert tr.period(Quarter.parse("2023Q1")) == "Ocak–Mart 2023"
    assert tr.day(dt.date(2026, 12, 7)) == "7 Aralık 2026"
    assert tr.signed(1234) == "+1.234"
    assert tr.fmt(67389, total=True) == "67.389"
    assert (tr.fmt(3), tr.fmt(0)) == ("<5", "–")


def test_english_formats_are_unchanged():
    en = languages(CFG)[0]
    q = Quarter.parse("2022Q4")
    assert (en.number(67389), en.percent(0.12), en.period(q), en.day(dt.date(2026, 12, 7))) == (
        "67,389", "12%", "October–December 2022", "7 December 2026")


def test_figures_printed_compare_across_editions():
    tr = get("tr", CFG)
    for neutral in ("67,389", "+1,234", "-5", "1,234.5", "<5", "x", "–", "0"):
        assert tr.neutral(tr.printed(neutral)) == neutral
    assert tr.printed("67,389") == "67.389"
    assert tr.printed("not reported") == "bildirilmedi" and tr.neutral("bildirilmedi") == "not reported"


def test_turkish_upper_case_rules():
    tr, en = get("tr", CFG), languages(CFG)[0]
    assert tr.upper("istanbul ılıca") == "İSTANBUL ILICA"
    assert tr.capitalize("işe yerleştirme") == "İşe yerleştirme"
    assert en.upper("istanbul") == "ISTANBUL"


def test_direction_comes_from_the_language():
    assert get("tr", CFG).direction == "ltr"
    assert Language("ar", "ar", "العربية").direction == "rtl"


def test_the_page_counter_is_translated_for_css():
    with using("tr", CFG):
        from helpers.publication.language import _

        assert page_counter(_("Page {page} of {pages}")) == '"Sayfa " counter(page) " / " counter(pages)'


def test_labels_in_turkish_from_config_and_catalogue():
    with using("tr", CFG):
        assert category_label("activity", "LIV_JOB_PLACEMENT") == "İşe yerleştirme"  # label_tr of activities.yml
        assert category_label("sex", "female") == "Kadın"
        assert category_label("sector", "Basic Needs") == "Temel İhtiyaçlar"
        assert figures.age_label("18-59") == "18-59 yaş"


def test_charts_use_the_language_formats():
    import pandas as pd

    with using("tr", CFG):
        fig = figures.bar_chart(pd.Series({"Koruma": 35293.0, "Eğitim": 6077.0}), "Başlık", "Ulaşılan kişi",
                                "Kaynak")
        assert figures.data_table(fig)["Ulaşılan kişi"].tolist() == ["35.293", "6.077"]
        assert figures.data_table(fig).index.name == "Kategori"


def test_an_unknown_language_is_refused():
    with pytest.raises(ConfigError, match=r"not one of config/report\.yml's languages"):
        get("xx", CFG)


def test_the_bundled_turkish_narrative_tells_the_same_sections_under_their_turkish_titles():
    from helpers.publication.narrative import check_headings, narrative_path, sections
    from helpers.publication.report import narrative_sections

    english = set(sections(narrative_path(Quarter.parse("2022Q4")).read_text(encoding="utf-8")))
    with using("tr", CFG):
        text = narrative_path(Quarter.parse("2022Q4"), suffix=".tr").read_text(encoding="utf-8")
        check_headings(text, narrative_sections())
        turkish = set(sections(text))
        assert "Koruma" in turkish and "Bağışçılar" in turkish
    assert len(turkish) == len(english)


@pytest.mark.parametrize("weight", ["normal", "bold"])
def test_the_report_fonts_have_the_turkish_letters_and_the_lira_sign(weight):
    """DejaVu Sans, the charts' font and the page's first choice (report.css), regular and bold."""
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    path = findfont(FontProperties(family="DejaVu Sans", weight=weight), fallback_to_default=False)
    font = FT2Font(path)
    assert "DejaVuSans" in path
    assert [ch for ch in "İıŞşĞğÇçÖöÜü₺" if font.get_char_index(ord(ch)) == 0] == []


def test_a_turkish_narrative_is_checked_against_the_turkish_titles(tmp_path):
    from helpers.publication.narrative_check import check

    (tmp_path / "2022Q4.tr.md").write_text("Giriş.\n\n## Protection\n\nMetin.\n", encoding="utf-8")
    path, _, found = check("2022Q4", tmp_path / "processed", tmp_path, "tr")
    assert path.name == "2022Q4.tr.md"
    assert any("Protection" in line and "Koruma" in line for line in found), found
    (tmp_path / "2022Q4.tr.md").write_text("Giriş.\n\n## Koruma\n\nMetin.\n", encoding="utf-8")
    assert check("2022Q4", tmp_path / "processed", tmp_path, "tr")[2] == []


def test_a_third_language_is_a_catalogue_away(config_copy, tmp_path, monkeypatch):
    """docs/how-to-change.md, "Add a language", step by step for Arabic: one line of config, `make catalogue`
    starts its catalogue, the test lists what is left to translate; once translated, its pages are written right
    to left, and Turkish and English are as they were."""
    import shutil

    from babel.messages.pofile import read_po, write_po

    from helpers.provenance.site_index import index_html
    from helpers.publication import language

    locales = tmp_path / "locales"
    shutil.copytree(language.LOCALES_DIR, locales)
    monkeypatch.setattr(language, "LOCALES_DIR", locales)
    edit(config_copy / "report.yml", "  - {code: tr, locale: tr_TR, name: Türkçe}\n",
         "  - {code: tr, locale: tr_TR, name: Türkçe}\n  - {code: ar, locale: ar, name: العربية}\n")
    cfg = Configuration(config_copy)  # the run's configuration, with its third language
    written = catalogue.update(cfg)
    assert locales / "ar" / "LC_MESSAGES" / "report.po" in written
    template = catalogue.extract_catalogue(cfg)
    assert len(catalogue.untranslated("ar", cfg, template)) == len([m for m in template if m.id])  # all to translate
    assert catalogue.untranslated("tr", cfg, template) == []
    path = language.catalogue_path("ar")
    with path.open("rb") as po:
        arabic = read_po(po, locale="ar")
    for message in arabic:  # a stand-in translation, placeholders kept; Arabic has six plural forms
        if message.pluralizable:
            message.string = tuple(f"ع {message.id[min(n, 1)]}" for n in range(arabic.num_plurals))
        elif message.id:
            message.string = f"ع {message.id}"
    with path.open("wb") as po:
        write_po(po, arabic)
    assert catalogue.untranslated("ar", cfg, template) == []
    ar = get("ar", cfg)
    assert (ar.direction, ar.suffix) == ("rtl", ".ar")
    with using("ar", cfg):
        from helpers.publication.language import _

        assert _("Contents") == "ع Contents"
        page = index_html(tmp_path / "reports", tmp_path / "processed", cfg)
    assert "<html lang='ar' dir='rtl'>" in page


def test_the_turkish_narrative_has_the_english_ones_photos_and_boxes_in_turkish():
    """The Turkish reader sees the same photo (alt text and caption in Turkish, its credit told apart by the
    Turkish word) and the same story and highlight boxes, opened by their Turkish words."""
    import re

    from helpers.paths import NARRATIVES_DIR
    from helpers.publication import photos
    from helpers.publication.blocks import BOXES
    from helpers.publication.language import _
    from helpers.publication.narrative import narrative_path

    def shown(suffix: str) -> tuple[list[str], list[str], list]:
        text = narrative_path(Quarter.parse("2022Q4"), suffix=suffix).read_text(encoding="utf-8")
        words = {_(word): kind for word, kind in BOXES.items()}
        boxes = [words.get(m[1]) for m in re.finditer(r"^> \*\*([^*]+)\*\*", text, re.MULTILINE)]
        return [photo[1] for line in text.splitlines() if (photo := photos.parse(line))], boxes, [
            photos.load(*photo, NARRATIVES_DIR, "test") for line in text.splitlines()
            if (photo := photos.parse(line))]

    english = shown("")
    with using("tr", CFG):
        turkish = shown(".tr")
    assert turkish[:2] == english[:2] and english[1] == ["highlight", "story"]
    (en,), (tr,) = english[2], turkish[2]
    assert en.credit.startswith("Illustration: ") and tr.credit.startswith("Çizim: ")
    assert tr.alt != en.alt and tr.caption != en.caption and tr.jpeg == en.jpeg
