"""Scheduling that someone notices: the cron line (run exactly as cron would, for fixed dates, in cron's minimal
environment) names the quarter that just ended and keeps cron's mail; the systemd units verify and notify on
failure; the run's lines carry the time."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers.paths import REPO_ROOT
from helpers.pipeline import say

DEPLOY = REPO_ROOT / "deploy"
CRON = DEPLOY / "cron.d" / "quarterly-report"
UNITS = sorted((DEPLOY / "systemd").glob("quarterly-report*"))
INSTALLED = "/opt/refugee-response"
DATE_AT = """#!/bin/sh
# date, as if it were $FIXED: `date -d '-1 month' +%Y` counts from that moment
if [ "$1" = -d ]; then relative=$2; shift 2; exec /usr/bin/date -d "$FIXED UTC $relative" "$@"; fi
exec /usr/bin/date -d "$FIXED UTC" "$@"
"""


def _cron_job() -> tuple[dict[str, str], list[str], str]:
    """(the crontab's variables, the schedule and user fields, the command) of the one job line."""
    lines = [line for line in CRON.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    variables = dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z]+=", line))
    (job,) = [line for line in lines if not re.match(r"^[A-Z]+=", line)]
    fields = job.split(None, 6)
    return variables, fields[:6], fields[6]


def _as_cron_runs(command: str, install: Path, fixed: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """The command as cron runs it: ``\\%`` unescaped, through SHELL, in an environment of HOME, LOGNAME, SHELL
    and the crontab's PATH only; ``date`` sees ``fixed`` as now."""
    variables, _, _ = _cron_job()
    shim = tmp_path / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "date").write_text(DATE_AT)
    (shim / "date").chmod(0o755)
    env = {"HOME": str(tmp_path), "LOGNAME": "refugee", "SHELL": variables["SHELL"],
           "PATH": f"{shim}:{variables['PATH']}", "FIXED": fixed}
    command = command.replace("\\%", "%").replace(INSTALLED, str(install))
    return subprocess.run([variables["SHELL"], "-c", command], env=env, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(("now", "quarter"), [("2023-01-05 03:00", "2022Q4"), ("2023-04-05 03:00", "2023Q1"),
                                              ("2023-07-05 03:00", "2023Q2"), ("2023-10-05 03:00", "2023Q3")])
def test_the_exact_cron_line_runs_the_quarter_that_just_ended(tmp_path, now, quarter):
    variables, schedule, command = _cron_job()
    assert schedule == ["0", "3", "5", "1,4,7,10", "*", "refugee"]
    assert variables["MAILTO"] and ">" not in command  # no redirect: cron mails what the run says
    install = tmp_path / "install"
    (install / ".venv" / "bin").mkdir(parents=True)
    fake = install / ".venv" / "bin" / "quarterly-report"
    fake.write_text('#!/bin/sh\necho "$PWD: $*"\n')
    fake.chmod(0o755)
    done = _as_cron_runs(command, install, now, tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"{install}: run --no-progress --quarter {quarter}\n"


def test_the_cron_line_starts_the_real_command_in_cron_s_environment(tmp_path):
    """The project's own command, from the cron line, in cron's environment: it starts and says in one line why
    it stops (no raw data in an empty install)."""
    _, _, command = _cron_job()
    install = tmp_path / "install"
    (install / ".venv" / "bin").mkdir(parents=True)
    os.symlink(REPO_ROOT / ".venv" / "bin" / "quarterly-report", install / ".venv" / "bin" / "quarterly-report")
    done = _as_cron_runs(f"{command} --raw-dir {tmp_path / 'raw'}", install, "2023-01-05 03:00", tmp_path)
    assert done.returncode == 1
    missing = tmp_path / "raw" / "2022Q4"
    assert done.stderr == f"quarterly-report: error: no raw data for 2022Q4: {missing} does not exist\n"


def test_the_systemd_units_notify_on_failure_and_hold_no_inline_comment():
    service = (DEPLOY / "systemd" / "quarterly-report.service").read_text(encoding="utf-8")
    assert "OnFailure=quarterly-report-failed.service" in service and "--no-progress" in service
    assert (DEPLOY / "systemd" / "quarterly-report-failed.service").is_file()
    for unit in UNITS:  # systemd reads `# ...` after a value as part of the value
        values = [line for line in unit.read_text(encoding="utf-8").splitlines() if "=" in line
                  and not line.startswith(("#", ";"))]
        assert not [line for line in values if re.search(r"\s#", line.split("=", 1)[1].split("'")[0])], unit.name


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_the_systemd_units_verify():
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, UNITS)], capture_output=True,
                          text=True, check=False, cwd=DEPLOY / "systemd")
    assert (done.returncode, done.stderr) == (0, "")


def test_the_run_s_lines_carry_the_time(capsys):
    say("[1/4] 01_clean.ipynb")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[1/4\] 01_clean\.ipynb\n", capsys.readouterr().out)
