"""Every file of config/ is checked against its declared model when loaded; errors name the file and the key."""

import pytest
from conftest import CFG, edit

from helpers import config, context
from helpers.clean.quarter import clean_quarter
from helpers.config import Configuration
from helpers.errors import ConfigError


@pytest.mark.parametrize("name", sorted(config.MODELS))
def test_the_repository_configuration_fits_its_models(name):
    assert CFG.load(name)


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("indicators.yml", "  - id: people_reached\n", "  - id: people_reached\n    dimension: [total]\n",
     r"indicators\.yml: indicators\[0\] \(people_reached\)\.dimension: Extra inputs are not permitted"),
    ("indicators.yml", "    categories: {sector: all,", "    categories: {nationality: all, sector: all,",
     r"indicators\[0\] \(people_reached\): Value error, categories given for dimensions the indicator does not "
     r"have: \[.nationality.\]"),
    ("indicators.yml", "  5-11: [5, 11]", "  5-11: [6, 11]", r"age group '5-11' must start at 5"),
    ("activities.yml", "reach_type: individual}", "reach_type: individuals}",
     r"activities\.yml: activities\[0\] \(PROT_CASE_MGMT\)\.reach_type: Input should be 'individual'"),
    ("pipeline.yml", "max_rejected_share: 0.5", "max_rejected_share: 50",
     r"pipeline\.yml: max_rejected_share: Input should be less than or equal to 1"),
    ("vocabularies.yml", "  unknown: [unknown, bilinmiyor]\n", "",
     r"vocabularies\.yml: sex: Value error, sex must have an 'unknown' value"),
    ("columns.yml", "  max_cells_per_sheet: 50000000", "  max_cells_per_sheet: lots",
     r"columns\.yml: workbook_limits\.max_cells_per_sheet: Input should be a valid integer"),
    ("indicators.yml", "headline: people_reached", "headline: people_reachd",
     r"indicators\.yml: \(top level\): Value error, headline 'people_reachd' is not an indicator with a total"),
    ("reasons.yml", "  summary_row: totals rows", "  invalid_value: totals rows",
     r"reasons\.yml: \(top level\): Value error, reasons listed both as dropped and as rejected: \['invalid_value'\]"),
    ("columns.yml", "public_columns: [sector, province,", "public_columns: [sector, district, province,",
     r"columns\.yml: \(top level\): Value error, public_columns names \['district'\]: not a record column with "
     r"public columns"),
    ("columns.yml", "public_columns: [sector, province,", "public_columns: [sector,",
     r"columns\.yml: \(top level\): Value error, record columns \['province'\] have public columns: place them in "
     r"public_columns"),
    ("items.yml", "  maske: mask", "  maske: [mask]", r"items\.yml: synonyms\.maske: Input should be a valid string"),
    ("report.yml", "{indicator: provinces_covered,", "{indicator: provinces_coverd,",
     r"report\.yml: headline_figures\[1\]\.indicator: 'provinces_coverd' is not an indicator with a total in "
     r"indicators\.yml; nearest: provinces_covered"),
    ("report.yml", "{id: donors, title: Donors, narrative: true}",
     "{id: donors, title: Donors, figures: [{indicator: people_reached_by_donor, label: people}]}",
     r"report\.yml: sections\[8\] \(donors\)\.figures\[0\]\.indicator: 'people_reached_by_donor' is not an "
     r"indicator with a total .*nearest: people_reached"),
    ("report.yml", 'label: "people reached in {period}"', 'label: "people reached in {quarter}"',
     r"report\.yml: headline_figures\[0\]\.label: Value error, a label may name \{period\} or \{year\}, "
     r"not \{quarter\}"),
    ("report.yml", "{indicator: unique_individuals_since_start, tile: false}",
     "{indicator: unique_individuals_since_start}", r"headline_figures\[4\]: Value error, a tile needs a label"),
    ("report.yml", "title: Innovation lab,", "title: Protection,",
     r"report\.yml: sections: Value error, section titles listed twice: \['Protection'\]"),
    ("report.yml", "{id: overview, title: Overview, narrative: true,", "{id: overview, title: Overview,",
     r"sections: Value error, the first section \(overview\) opens the report: .*needs narrative: true"),
    ("report.yml", "  centre: centre or site", "  centres: centre or site",
     r"report\.yml: breakdowns\.centres: not a dimension of any indicator in indicators\.yml; nearest: centre"),
])
def test_a_file_that_does_not_fit_its_model_is_refused_naming_the_file_and_the_key(config_copy, file, old, new,
                                                                                   message):
    edit(config_copy / file, old, new)
    with pytest.raises(ConfigError, match=message):
        Configuration(config_copy).load(file.removesuffix(".yml"))


def test_a_yaml_syntax_error_names_the_file(config_copy):
    (config_copy / "items.yml").write_text("synonyms: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"items\.yml: not valid YAML"):
        Configuration(config_copy).load("items")


def test_the_configuration_follows_the_folder_in_use_and_its_edits(config_copy, monkeypatch):
    """QUARTERLY_REPORT_CONFIG (what --config sets) chooses the folder of what has no run at hand; edits are seen."""
    monkeypatch.setenv(config.CONFIG_ENV, str(config_copy))
    assert config.directory() == config_copy
    assert "Livelihoods" in config.current().sectors()
    edit(config_copy / "activities.yml", ", Livelihoods]", ", Livelihoods, Shelter]")
    assert config.current().sectors()[-1] == "Shelter"  # the edit is seen without restarting anything


def test_all_in_an_indicators_categories_lists_what_config_declares():
    categories = CFG.indicator_specs()["people_reached"]["categories"]
    assert categories["sector"] == CFG.sectors()
    assert categories["sex"] == ["female", "male", "other", "unknown"]
    assert categories["age_group"] == [*CFG.age_groups(), "unknown"]


def test_a_column_added_to_columns_yml_is_refused_rather_than_silently_dropped(config_copy, fixture_raw):
    edit(config_copy / "columns.yml", "  donor:\n", "  referral_source:\n    aliases: [referred by]\n  donor:\n")
    with pytest.raises(ConfigError, match=r"columns\.yml: columns\.referral_source: the cleaner has no rule for this "
                                          "column, so its values would be lost"):
        clean_quarter(context.build("2022Q4", raw_dir=fixture_raw, config_dir=config_copy))


def test_the_report_figures_are_checked_again_when_the_indicators_change(config_copy):
    assert Configuration(config_copy).load("report")
    edit(config_copy / "indicators.yml", "  - id: provinces_covered\n", "  - id: provinces\n")
    with pytest.raises(ConfigError, match=r"report\.yml: headline_figures\[1\]\.indicator: 'provinces_covered' is "
                                          r"not an indicator with a total in indicators\.yml; nearest: provinces"):
        Configuration(config_copy).load("report")  # the next run's
