"""What the cleaning found, in the reader's language: files not read, losses accepted, measures not reported and
the neutral labels of sources are words of the catalogue, so the Turkish edition says them in Turkish."""

import pandas as pd
import pytest
from english import english_in

from helpers.config import CONFIG_DIR, Configuration
from helpers.csvfile import read_csv
from helpers.errors import NestedTooDeepError
from helpers.paths import Quarter
from helpers.publication.language import using
from helpers.publication.report import Report

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

SOURCES = {"PRU/a.csv": 40, "PRU/b.xlsx [Ocak]": 30, "PRU/b.xlsx [Şubat]": 20, "loose.csv": 30}


def _quality() -> dict:
    """A quarter whose cleaning found every kind of loss a report reports."""
    files = {source: {"rows_read": n, "rows_kept": n - 10, "duplicate": 0, "out_of_period": 10, "summary_row": 0,
                      "rejected": 0} for source, n in SOURCES.items()}
    read, out = sum(SOURCES.values()), 10 * len(SOURCES)
    by_reason = {reason: 0 for reason in [*CFG.dropped_reasons(), *CFG.reject_reasons()]}
    return {
        "quarter": "2023Q1",
        "totals": {"rows_read": read, "rows_kept": read - out, "duplicate": 0, "out_of_period": out,
                   "summary_row": 0, "rejected": 0, "by_reason": {**by_reason, "out_of_period": out}},
        "files": files,
        "skipped_files": [{"source": "PRU/c.xlsx", "reason": "not a readable .xlsx workbook (Bad CRC)",
                           "kind": "malformed"},
                          {"source": "z.csv", "reason": "no recognisable header row", "kind": "no_header_row"}],
        "not_read": [],
        "completeness": {"sex": 0.9, "age": 0.8, "population_group": 0.7},
        "accepted_losses": [{"kind": "out_of_period", "line": "2023Q1: 40 of 120 rows (33.3 %) are dated outside "
                                                              "January–March 2023; the files' dates run from ..."}],
        "not_reported": [
            {"column": "amount_try", "activities": ["BN_CASH"], "rows": 12, "rows_reported": 0,
             "figures": [{"indicator": "cash_transferred_try", "label": "Cash transferred (TRY)"}],
             "files": {"PRU/a.csv": 12}, "files_without_column": ["PRU/a.csv"]},
            {"column": "quantity", "activities": ["BN_INKIND", "BN_SHELTER"], "rows": 3, "rows_reported": 50,
             "figures": [{"indicator": "items_distributed", "label": "Items distributed"}],
             "files": {"loose.csv": 3}, "files_without_column": []},
        ],
    }


def _report(tmp_path, language: str) -> Report:
    indicators = pd.DataFrame({"quarter": "2023Q1", "indicator": "people_reached", "dimension": "sex",
                               "category": ["female", "male"], "value": [60.0, 40.0]})
    return Report(Quarter.parse("2023Q1"), indicators, _quality(), pd.DataFrame(), folder=tmp_path, cfg=CFG)


def _words(report: Report) -> str:
    """The data-quality paragraph as a reader sees it (its Markdown escapes undone) and the first page's note."""
    return report.quality_summary().replace("\\", "") + " " + report.losses_note().data


def test_what_the_cleaning_found_is_said_in_turkish(tmp_path):
    with using("tr", CFG):
        text = _words(_report(tmp_path, "tr"))
    assert english_in(text) == []
    assert "2 dosya okunamadı ve atlandı (Koruma ve Dayanıklılık Birimi, dosya 3: bozuk ya da geçerli bir dosya " \
           "değil; dosya 2: başlık satırı tanınmadı)" in text
    assert "Aktarılan nakit (TRY) bildirilmedi: Nakit yardımı kapsamında tutulan 12 kayıt bu değeri " \
           "bildirmiyor (1 dosyada bunun için sütun yok)" in text
    assert "Dağıtılan malzemeler: bu değeri bildirmeyen Ayni yardım dağıtımı ve Barınma onarımı kapsamında " \
           "tutulan 3 kayıt dahil değil" in text
    assert "Ocak–Mart 2023" in text and "%33" in text  # the accepted loss, in Turkish words and formats


def test_the_english_edition_says_the_same_in_english(tmp_path):
    text = _words(_report(tmp_path, "en"))
    assert "2 files could not be read and were skipped (Protection and Resilience Unit, file 3: damaged or not a " \
           "valid file; file 2: no header row recognised)" in text
    assert "Cash transferred (TRY) is not reported: no value for it in 12 kept records of Cash assistance " \
           "(1 file has no column for it)" in text
    assert "Items distributed leaves out 3 kept records of In-kind distribution and Shelter rehabilitation with no " \
           "value for it" in text
    assert "40 of the 120 rows received (33%) were dated outside January–March 2023" in text


def test_a_file_is_numbered_alike_in_both_editions_and_the_public_sources_file(tmp_path):
    """One public sources file for every edition, labelled in English (the source language); the Turkish edition
    names the same file by the same number in its own words."""
    en = _report(tmp_path, "en")
    with using("tr", CFG):
        tr = _report(tmp_path, "tr")
        turkish = tr.source_labels()
        written = read_csv(tr.write_sources(), dtype=str, keep_default_na=False)
    english = en.source_labels()
    assert english["PRU/b.xlsx [Şubat]"] == "Protection and Resilience Unit, file 2, sheet 2"
    assert turkish["PRU/b.xlsx [Şubat]"] == "Koruma ve Dayanıklılık Birimi, dosya 2, sayfa 2"
    assert list(written["source"]) == [english[s] for s in SOURCES]  # the skipped files keep their numbers


@pytest.mark.parametrize("kind", list(CFG.load("reasons")["unreadable"]))
def test_every_kind_of_unreadable_file_has_reader_words_in_every_language(kind):
    from helpers.publication.catalogue import read

    label = CFG.unreadable_label(kind)
    assert label != kind.replace("_", " ")
    assert read("tr")[label].string


def test_every_kind_the_readers_raise_is_in_config():
    """The readers' codes are strings at each raise: one not in config/reasons.yml would reach readers raw."""
    import ast
    from pathlib import Path

    import helpers

    kinds = set()
    for path in Path(helpers.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "SourceReadError":
                kind = node.args[2] if len(node.args) > 2 else None
                assert isinstance(kind, ast.Constant), f"{path.name}:{node.lineno}: a kind given as a literal"
                kinds.add(kind.value)
    kinds.add(NestedTooDeepError.__init__.__defaults__[-1])  # its own, given by default
    assert len(kinds) > 5 and kinds <= set(CFG.load("reasons")["unreadable"])


def test_rows_of_a_form_not_mapped_yet_are_said_on_the_first_page_in_each_language(tmp_path):
    """Published with --accept-losses while a partner's form had no reviewed mapping: page 1 says how many rows
    that form's exports held and that they are not counted, never an empty list of gaps."""
    quality = {**_quality(), "forms": {"partner_intake": {"mapped": False, "files": ["PRU/b.xlsx [Ocak]"]},
                                       "pru_cases": {"mapped": True, "files": ["PRU/a.csv"]}},
               "accepted_losses": [{"kind": "unmapped_form", "line": "2023Q1: PRU/b.xlsx [Ocak] is an export ..."}]}
    indicators = pd.DataFrame({"quarter": "2023Q1", "indicator": "people_reached", "dimension": "total",
                               "category": ["all"], "value": [60.0]})
    notes = {}
    for language in ("en", "tr"):
        with using(language, CFG):
            notes[language] = Report(Quarter.parse("2023Q1"), indicators, quality, pd.DataFrame(), CFG,
                                     folder=tmp_path).losses_note().data
    assert ("<li>30 of the 120 rows received (25%) come from a partner&#x27;s form not yet matched to this "
            "report&#x27;s records and are not counted") in notes["en"]
    assert "<li>Alınan 120 satırın 30 tanesi (%25), henüz bu raporun kayıtlarıyla eşleştirilmemiş bir ortak " \
           "kuruluş formundan geliyor ve sayılmadı" in notes["tr"]
    assert english_in(notes["tr"]) == []
