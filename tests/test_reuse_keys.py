"""What makes a quarter's cleaning run again: every configuration file the data steps read, and not the files
only the report reads (editing the report's sections or the logo renders the report again, nothing more)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import edit

from helpers import config, context
from helpers.provenance import inputs

SRC = Path(config.__file__).resolve().parent


@pytest.fixture
def raw(tmp_path):
    (tmp_path / "raw" / "2022Q4").mkdir(parents=True)
    (tmp_path / "raw" / "2022Q4" / "log.csv").write_text("a\n", encoding="utf-8")
    return tmp_path / "raw"


def _made_from(raw, config_dir):
    run = context.build("2022Q4", raw_dir=raw, processed_dir=raw.parent / "processed", config_dir=config_dir)
    return inputs.run_inputs(run, key_fingerprint="f", switches={})


def test_the_report_s_own_config_is_recorded_but_does_not_clean_again(config_copy, raw):
    before = _made_from(raw, config_copy)
    edit(config_copy / "report.yml", "title: Protection,", "title: Protection services,")
    edit(config_copy / "logo.svg", "<svg", "<svg data-edited='1'")
    after = _made_from(raw, config_copy)
    assert after["config"]["report.yml"] != before["config"]["report.yml"]  # the record names what was used
    assert after["clean_key"] == before["clean_key"] and after["indicators_key"] == before["indicators_key"]


def test_config_the_cleaning_reads_cleans_again(config_copy, raw):
    before = _made_from(raw, config_copy)
    edit(config_copy / "vocabularies.yml", "female: [", "female: [bayan, ")
    assert _made_from(raw, config_copy)["clean_key"] != before["clean_key"]


def test_no_data_step_reads_the_report_s_own_config():
    """The cleaning, the indicators and the readers never load report.yml or programme.yml, from the module or
    from the configuration they are handed (``cfg.report()``, ``run.config.load("programme")``): else a change to
    them would have to clean again."""
    readers = {*config.REPORT_ONLY, "report_only_files"}
    for package in ("ingest", "clean", "measure"):
        for module in (SRC / package).glob("*.py"):
            tree = ast.parse(module.read_text(encoding="utf-8"))
            calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                     and isinstance(node.func, ast.Attribute)]
            called = {node.func.attr for node in calls}
            loaded = {node.args[0].value for node in calls if node.func.attr == "load" and node.args
                      and isinstance(node.args[0], ast.Constant)}
            assert not called & readers and not loaded & set(config.REPORT_ONLY), module.name
