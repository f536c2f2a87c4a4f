"""A run's context is built once from plain values: the quarter parsed, the folders resolved, the configuration
checked with its typed models kept, and the folder chosen per run."""

from __future__ import annotations

import shutil

import pytest
from conftest import edit

from helpers import config, context
from helpers.config_models import IndicatorsFile
from helpers.errors import ConfigError
from helpers.paths import CONFIG_DIR, PROCESSED_DIR, RAW_DIR, REPO_ROOT, Quarter


def test_the_context_holds_the_parsed_quarter_the_folders_and_the_checked_configuration(tmp_path):
    run = context.build(" 2022Q4", processed_dir="data/interim", earlier_dir=tmp_path)
    assert run.quarter == Quarter(2022, 4) and str(run.quarter) == "2022Q4"
    assert run.folders.raw == RAW_DIR and run.folders.processed == REPO_ROOT / "data" / "interim"
    assert run.folders.earlier == tmp_path
    assert context.build("2022Q4").folders.earlier == PROCESSED_DIR  # unset: the processed folder
    assert run.config.folder == CONFIG_DIR
    assert isinstance(run.config.typed("indicators"), IndicatorsFile)  # the validated model is kept
    assert run.config.headline() == run.config.typed("indicators").headline == "people_reached"


@pytest.mark.parametrize("quarter", ["2022Q5", "2022-Q4", "٢٠٢٢Q4", ""])
def test_a_quarter_not_written_like_2022Q4_is_refused_when_the_context_is_built(quarter):
    with pytest.raises(ValueError, match="quarter must look like 2022Q4"):
        context.build(quarter)


def test_the_configuration_folder_is_chosen_per_run(tmp_path, monkeypatch):
    other = tmp_path / "other-programme"
    shutil.copytree(CONFIG_DIR, other)
    edit(other / "indicators.yml", "headline: people_reached", "headline: services_delivered")
    assert context.build("2022Q4", config_dir=other).config.headline() == "services_delivered"
    assert context.build("2022Q4").config.headline() == "people_reached"
    monkeypatch.setenv(config.CONFIG_ENV, str(other))  # QUARTERLY_REPORT_CONFIG, as --config DIR sets it
    assert context.build("2022Q4").config.headline() == "services_delivered"
    with pytest.raises(ConfigError, match="does not exist"):
        context.build("2022Q4", config_dir=tmp_path / "missing")


def test_a_run_keeps_the_configuration_it_started_with(tmp_path):
    """Files are read once per run: an edit while a run works does not mix two configurations in its figures."""
    folder = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, folder)
    run = context.build("2022Q4", config_dir=folder)
    assert run.config.headline() == "people_reached"
    edit(folder / "indicators.yml", "headline: people_reached", "headline: services_delivered")
    assert run.config.headline() == "people_reached"
    assert context.build("2022Q4", config_dir=folder).config.headline() == "services_delivered"  # the next run


def test_a_configuration_file_that_does_not_fit_its_model_stops_the_run_before_it_starts(tmp_path):
    folder = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, folder)
    edit(folder / "indicators.yml", "headline: people_reached", "headline: people_reachd")
    with pytest.raises(ConfigError, match=r"indicators.yml: .*headline 'people_reachd' is not an indicator with a "):
        context.build("2022Q4", config_dir=folder)  # at once, before anything runs


def test_the_quarter_is_parsed_once_when_the_context_is_built_and_never_by_the_layers(fixture_raw, tmp_path,
                                                                                       monkeypatch):
    """Cleaning, checking, measuring and the public files take the parsed quarter from the run's context; only
    what is read from disk (folder names, the published totals' rows, the history) is parsed where it is read."""
    from helpers.check import check_quarter
    from helpers.clean.quarter import clean_quarter, write_clean
    from helpers.measure.disclosure import public_indicators
    from helpers.measure.indicators import compute_indicators
    from helpers.publication.datapackage import write_datapackage

    monkeypatch.setenv("PSEUDONYMISATION_KEY", "a test key, long enough")
    run = context.build("2022Q4", raw_dir=fixture_raw, processed_dir=tmp_path)
    parsed = []
    parse = Quarter.parse.__func__
    monkeypatch.setattr(Quarter, "parse", classmethod(lambda cls, text: parsed.append(text) or parse(cls, text)))
    result = clean_quarter(run)
    write_clean(result, run.folders.processed)
    check = check_quarter(run)
    table = compute_indicators(result.records, run.quarter, run.config)
    write_datapackage(tmp_path, run.quarter, run.config)
    assert len(result.records) and check.examination is not None and len(table)
    assert "2022Q4" not in parsed  # the run's quarter: parsed once, when its context was built
    assert set(parsed) <= {"2022Q1", "2022Q2", "2022Q3"}  # only the published totals' rows, where they are read
    public_indicators(table, run.config)  # its period columns come from the table's own quarter column (data)


def test_the_report_and_its_published_versions_take_the_parsed_quarter(tmp_path, monkeypatch):
    """The report (its period, year and files), the published versions and the revised-report note take the run's
    parsed quarter, as the report notebook hands it; none parses the quarter's text again."""
    import pandas as pd

    from helpers.provenance import revisions
    from helpers.publication.language import use
    from helpers.publication.narrative import narrative_path
    from helpers.publication.report import Report

    run = context.build("2022Q4", processed_dir=tmp_path / "processed", reports_dir=tmp_path / "reports")
    parsed = []
    parse = Quarter.parse.__func__
    monkeypatch.setattr(Quarter, "parse", classmethod(lambda cls, text: parsed.append(text) or parse(cls, text)))
    indicators = pd.DataFrame([("2022Q4", "people_reached", "total", "all", 12.0)],
                              columns=["quarter", "indicator", "dimension", "category", "value"])
    report = Report(run.quarter, indicators, {}, pd.DataFrame(), run.config, language=use("en", run.config))
    assert (report.period, report.quarter.year) == ("October–December 2022", 2022)
    assert narrative_path(report.quarter, tmp_path).name == "2022Q4.md"
    assert revisions.versions_dir(run.quarter, run.folders.reports) == tmp_path / "reports" / "2022Q4.versions"
    assert revisions.versions(run.quarter, run.folders.reports, run.folders.processed) == []
    assert revisions.revised_note(run.quarter, run.folders.reports, run.folders.processed).data == ""
    assert parsed == []
