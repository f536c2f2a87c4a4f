"""The command line says what it is and shows how to use each command: --version, and examples in every --help
that are real command lines of this parser."""

import shlex
from importlib.metadata import version

import pytest

from helpers import cli, config


def test_version_prints_the_installed_version(capsys):
    with pytest.raises(SystemExit) as done:
        cli.build_parser().parse_args(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"quarterly-report {version(cli.DISTRIBUTION)}"


@pytest.mark.parametrize("command", ["run", "publish", "check", "sample"])
def test_every_command_has_examples_in_its_help_that_the_parser_accepts(command, capsys):
    parser = cli.build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args([command, "--help"])
    shown = capsys.readouterr().out
    lines = [line.strip() for line in shown.split("examples:\n", 1)[1].splitlines() if line.strip()]
    assert lines and all(line.startswith(f"quarterly-report {command}") for line in lines)
    for line in lines:
        assert parser.parse_args(shlex.split(line)[1:]).command == command


@pytest.mark.parametrize("command", ["run", "publish", "check", "sample"])
def test_every_command_takes_a_configuration_folder(command):
    args = cli.build_parser().parse_args([command, *(["--quarter", "2023Q1"] if command != "sample" else []),
                                          "--config", "/srv/programme-b/config"])
    assert args.config == "/srv/programme-b/config"


def test_check_reads_the_configuration_folder_given(config_copy, tmp_path, monkeypatch, capsys):
    """--config selects the folder as QUARTERLY_REPORT_CONFIG does: a mistake in the chosen copy stops the check."""
    from conftest import FIXTURE_RAW, edit

    monkeypatch.setenv(config.CONFIG_ENV, "")  # unset again after the test: --config sets it in this process
    edit(config_copy / "indicators.yml", "headline: people_reached", "headline: people_reachd")
    argv = ["check", "--quarter", "2022Q4", "--raw-dir", str(FIXTURE_RAW), "--out-dir", str(tmp_path / "out"),
            "--no-color"]
    with pytest.raises(config.ConfigError, match=r"headline 'people_reachd'"):
        cli.main([*argv, "--config", str(config_copy)])
    monkeypatch.delenv(config.CONFIG_ENV)
    assert cli.main(argv) == 0  # the repository's own configuration


def test_a_missing_configuration_folder_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["check", "--quarter", "2022Q4", "--config", str(tmp_path / "nowhere")])
    assert done.value.code == 2 and "no such folder" in capsys.readouterr().err


def test_a_run_ends_by_listing_every_edition(tmp_path, monkeypatch, capsys):
    """The closing lines name the HTML and PDF of the English and the Turkish edition, then the log."""
    from helpers import pipeline

    folder = tmp_path / "reports" / "2022Q4"
    names = ["refugee-response-2022Q4.html", "refugee-response-2022Q4.pdf", "refugee-response-2022Q4.tr.html",
             "refugee-response-2022Q4.tr.pdf"]
    done = pipeline.RunResult("2022Q4", folder, folder / names[0], folder / names[1], tmp_path / "run.log", 1.0,
                              editions=[folder / name for name in names])
    monkeypatch.setattr(pipeline, "run_quarter", lambda *args, **kwargs: done)
    assert cli.main(["run", "--quarter", "2022Q4"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[-5:] == [*(f"  {folder / name}" for name in names), f"  log: {tmp_path / 'run.log'}"]
