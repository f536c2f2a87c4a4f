"""The command line says what it is and shows how to use each command: --version, and examples in every --help
that are real command lines of this parser."""

import shlex
from importlib.metadata import version

import pytest

from helpers import cli


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
