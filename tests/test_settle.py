"""``check --apply`` on a partner tracker (not a form): only certain lines are filled in (the same words as a
label once generic words are set aside, a district of one province), they go into the configuration files as
written (comments, order, flow lists kept), near-misses stay blank for a person, a second check adds nothing,
and every correction the run will make is listed and counted."""

from __future__ import annotations

import io
import re

from pandas import read_csv
from rich.console import Console

from helpers import check, context
from helpers.config import Configuration

ROWS = [
    "Tarih,Provnce,İl,Faaliyet,Vaka No,Cinsiyet,Uyruğu",
    "2023-02-01,,Adana,Vaka yönetim,C1,Kadınn,Suriyeli",  # near-misses (a typo of a label, of a sex spelling)
    "2023-02-02,,Adana,Destek,C2,K,Suriyeli",  # only a generic word: never filled in
    "2023-02-03,,Adana,Vaka yönetimi desteği,C3,K,Syrain",  # a label and a generic word: certain
    "2023-02-04,,Adana,Psikososyal destek hizmeti,C4,K,Suriyeli",  # the same, with two generic words
    "2023-02-04,,Adana,إدارة الحالات الفردية,C4,K,Suriyeli",  # Arabic, close to a name but not it
    "2023-02-05,,Gazientep,Vaka yönetimi,C5,K,Suriyeli",  # a typo the run corrects: listed, counted
    "2023-02-06,,Þanlýurfa,Vaka yönetimi,C6,K,Suriyeli",  # Windows-1254 read as Latin-1: repaired, listed
    "2023-02-07,,Reyhanlı,Vaka yönetimi,C7,K,Suriyeli",  # a district of one province: its alias is certain
    "2023-02-08,,Eskişe.,Vaka yönetimi,C8,K,Suriyeli",  # a name cut short with a dot: listed, counted
    "2023-02-09,,krkkale,Vaka yönetimi,C9,K,Suriyeli",  # typed without ı: listed, counted
]
NEAR_MISSES = [["header", "Provnce"], ["activity", "Vaka yönetim"], ["activity", "إدارة الحالات الفردية"],
               ["sex value", "Kadınn"], ["nationality value", "Syrain"]]
CONFIG = ("columns.yml", "activities.yml", "vocabularies.yml", "province_aliases.csv")


def _run(raw, tmp_path, config_dir) -> tuple[int, str]:
    out = io.StringIO()
    code = check.run("2023Q1", raw, tmp_path / "out", console=Console(file=out, width=200), apply=True,
                     config_dir=config_dir)
    return code, out.getvalue()


def test_apply_adds_only_certain_lines_once_keeping_the_files_as_written(tmp_path, config_copy):
    raw = tmp_path / "raw"
    (raw / "2023Q1").mkdir(parents=True)
    (raw / "2023Q1" / "tracker.csv").write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    before = {name: (config_copy / name).read_text(encoding="utf-8") for name in CONFIG}
    _, shown = _run(raw, tmp_path, config_copy)
    assert "Added to the configuration (3 lines)" in shown, shown
    after = {name: (config_copy / name).read_text(encoding="utf-8") for name in before}
    for name, text in before.items():  # only insertions: every line of the file is still there
        removed = set(text.splitlines()) - set(after[name].splitlines())
        assert all(line.startswith(("  - {", "     names:")) for line in removed), removed
    assert after["columns.yml"] == before["columns.yml"] and after["vocabularies.yml"] == before["vocabularies.yml"]
    activities = {a["code"]: a for a in Configuration(config_copy).load("activities")["activities"]}
    assert activities["PROT_CASE_MGMT"]["names"] == {"ar": ["إدارة الحالات"], "tr": ["Vaka yönetimi desteği"]}
    assert activities["PROT_PSS"]["names"]["tr"][-1] == "Psikososyal destek hizmeti"
    assert after["province_aliases.csv"].endswith("Reyhanlı,Hatay,added by check --apply\n")
    for text in ("Destek", "Vaka yönetim,", "Kadınn", "Syrain", "Provnce", "الفردية"):
        assert all(text not in after[name] for name in CONFIG), text
    # The second check adds nothing and changes nothing; the near-misses and the generic word are left for a
    # person, blank, with their closest candidates in the note.
    _, shown = _run(raw, tmp_path, config_copy)
    assert "Nothing to add to the configuration." in shown
    assert {name: (config_copy / name).read_text(encoding="utf-8") for name in before} == after
    result = check.check_quarter(context.build("2023Q1", raw_dir=raw, config_dir=config_copy))
    left = result.unrecognised
    assert sorted(left[["kind", "value"]].values.tolist()) == sorted([*NEAR_MISSES, ["activity", "Destek"]])
    assert (left["suggestion"] == "").all()
    lines = read_csv(tmp_path / "out" / "activities.csv", dtype=str, keep_default_na=False)
    assert (lines["code"] == "").all() and lines["note"].str.contains("Vaka yönetimi → PROT_CASE_MGMT").any()
    # Every correction the run will make is listed by check and counted per file: a typo, a repaired encoding,
    # a district's province by the alias just added.
    assert "Corrections the run will make (province)" in shown
    for value, province, how in [("Gazientep", "Gaziantep", "fuzzy"), ("Þanlýurfa", "Şanlıurfa", "repaired"),
                                 ("Reyhanlı", "Hatay", "alias"), ("Eskişe.", "Eskişehir", "prefix"),
                                 ("krkkale", "Kırıkkale", "dotless")]:
        assert re.search(rf"{value}\s+{province}\s+{how}\s+1\s", shown), value
    assert result.examination.quality["corrections"] == {
        "tracker.csv": {"province alias": 1, "province dotless": 1, "province fuzzy": 1, "province prefix": 1,
                        "province repaired": 1}}
