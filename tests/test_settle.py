"""``check --apply`` on a partner tracker (not a form): the filled-in lines go into the configuration files as
written (comments, order, flow lists kept), a second check adds nothing, and a generic word is never enough."""

from __future__ import annotations

import io

import yaml
from rich.console import Console

from helpers import check, config

ROWS = [
    "Tarih,Provnce,Faaliyet,Vaka No,Cinsiyet,Uyruğu",
    "2023-02-01,Adana,Vaka yönetim,C1,Kadınn,Suriyeli",  # a typo of a Turkish label; of a sex spelling
    "2023-02-02,Adana,Destek,C2,K,Suriyeli",  # only a generic word: never suggested
    "2023-02-03,Adana,Kapasite geliştirme eğitimleri,C3,K,Syrain",  # an activity that has no names yet
    "2023-02-04,Adana,إدارة الحالات الفردية,C4,K,Suriyeli",  # Arabic
    "2023-02-05,Gazientep,Vaka yönetimi,C5,K,Suriyeli",  # a typo the run corrects: listed, counted
    "2023-02-06,Þanlýurfa,Vaka yönetimi,C6,K,Suriyeli",  # Windows-1254 read as Latin-1: repaired, listed
]


def _run(raw, tmp_path) -> tuple[int, str]:
    out = io.StringIO()
    code = check.run("2023Q1", raw, tmp_path / "out", console=Console(file=out, width=200), apply=True)
    return code, out.getvalue()


def test_apply_adds_filled_lines_once_keeping_the_files_as_written(tmp_path, config_dir):
    raw = tmp_path / "raw"
    (raw / "2023Q1").mkdir(parents=True)
    (raw / "2023Q1" / "tracker.csv").write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    before = {name: (config_dir / name).read_text(encoding="utf-8")
              for name in ("columns.yml", "activities.yml", "vocabularies.yml")}
    _, shown = _run(raw, tmp_path)
    assert "Added to the configuration (6 lines)" in shown, shown
    after = {name: (config_dir / name).read_text(encoding="utf-8") for name in before}
    for name, text in before.items():  # only insertions: every line of the file is still there
        removed = set(text.splitlines()) - set(after[name].splitlines())
        assert all(line.startswith(("  - {", "     names:", "  female:", "  Syrian:", "  province:", "    aliases:"))
                   for line in removed), removed
    assert "# month-only dates (ActivityInfo): last" in after["columns.yml"]
    activities = {a["code"]: a for a in config.load("activities")["activities"]}
    assert activities["PROT_CASE_MGMT"]["names"] == {"ar": ["إدارة الحالات", "إدارة الحالات الفردية"],
                                                     "tr": ["Vaka yönetim"]}
    assert activities["CAP_TRAINING"]["names"] == {"tr": ["Kapasite geliştirme eğitimleri"]}
    assert "Provnce" in config.load("columns")["columns"]["province"]["aliases"]
    vocabularies = yaml.safe_load(after["vocabularies.yml"])
    assert "Kadınn" in vocabularies["sex"]["female"] and "Syrain" in vocabularies["nationality"]["Syrian"]
    assert "Destek" not in after["activities.yml"]
    # The second check adds nothing and changes nothing; only the generic word is left for a person.
    _, shown = _run(raw, tmp_path)
    assert "Nothing to add to the configuration." in shown
    assert {name: (config_dir / name).read_text(encoding="utf-8") for name in before} == after
    result = check.check_quarter("2023Q1", raw)
    left = result.unrecognised
    assert left[["kind", "value", "suggestion"]].values.tolist() == [["activity", "Destek", ""]]
    # Every correction the run will make is listed by check and counted per file.
    assert "Corrections the run will make (province)" in shown and "Gazientep   Gaziantep   fuzzy" in shown
    assert result.examination.quality["corrections"] == {"tracker.csv": {"province fuzzy": 1, "province repaired": 1}}
