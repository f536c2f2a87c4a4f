"""The run itself is safe and loud: keys, losses, all-or-nothing publishing, the lock, fixed parameters, modes.

Full pipeline runs are few: the session's ``fixture_run`` is inspected, one run fails in the report step, one
publishes with accepted losses; the other runs stop in the first notebook or before any notebook.
"""

import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers.cli import build_parser, main
from helpers.errors import PipelineError
from helpers.paths import lock_file
from helpers.pipeline import KEEP_FAILED, RUN_PARAMETERS, run_quarter

KEY = "fixture key, not a secret"  # the key of conftest's fixture_run

pytestmark = pytest.mark.slow


def files(*roots: Path) -> dict[str, bytes]:
    """Every published file under ``roots`` with its bytes (lock files and failed-run folders left out)."""
    return {path.relative_to(root.parent).as_posix(): path.read_bytes()
            for root in roots for path in sorted(root.rglob("*"))
            if path.is_file() and not path.name.endswith(".lock") and ".failed-" not in path.as_posix()}


def late_rows(folder: Path, days: list[str]) -> None:
    """A log of the fixture's shape with one new person per day."""
    rows = [f"{day},Adana,Seyhan,,PROT_CASE_MGMT,TR-ADA-9{i:03},,,F,30,Syrian,Donor A," for i, day in enumerate(days)]
    header = ("service_date,province,district,site,activity_code,case_id,full_name,phone,gender,age,nationality,"
              "donor,detail")
    (folder / "late-entries.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def cli(raw: Path, out: Path, quarter: str, *extra: str) -> int:
    return main(["run", "--quarter", quarter, "--raw-dir", str(raw), "--processed-dir", str(out / "processed"),
                 "--reports-dir", str(out / "reports"), "--no-progress", "-p", "narratives_dir", str(out), *extra])


def test_published_outputs_follow_the_umask_carry_the_key_fingerprint_and_never_the_key(fixture_run):
    root, result = fixture_run
    umask = os.umask(0o022)
    os.umask(umask)
    for folder in [result.report_dir, root / "processed" / "2022Q4"]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask, folder  # tempfile.mkdtemp gave 0700
    for path in result.report_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    if umask == 0o022:
        assert result.report_dir.stat().st_mode & stat.S_IROTH and result.html.stat().st_mode & stat.S_IROTH
    quality = json.loads((root / "processed" / "2022Q4" / "quality.json").read_text(encoding="utf-8"))
    assert quality["key_fingerprint"] == hmac.new(KEY.encode(), b"fingerprint", hashlib.sha256).hexdigest()[:16]
    for path, data in files(root / "processed", root / "reports").items():
        assert KEY.encode() not in data and hashlib.sha256(KEY.encode()).hexdigest().encode() not in data, path
    assert not list(root.rglob(".2022Q4.staging-*"))  # nothing left behind


def test_a_run_failing_in_the_report_changes_no_byte_of_processed_data_history_or_report(fixture_run, fixture_raw,
                                                                                         tmp_path, monkeypatch):
    root, _ = fixture_run
    for name in ["processed", "reports"]:
        shutil.copytree(root / name, tmp_path / name)
    raw = tmp_path / "raw"
    shutil.copytree(fixture_raw, raw)
    late_rows(raw / "2022Q4" / "PRU", ["2022-12-01", "2022-12-02"])  # new data: new figures, new history row
    (tmp_path / "narratives").mkdir()
    (tmp_path / "narratives" / "2022Q4.md").write_text("We reached {{ people_reached.nowhere }} people.\n")
    before = files(tmp_path / "processed", tmp_path / "reports")
    monkeypatch.setenv("PSEUDONYMISATION_KEY", KEY)
    with pytest.raises(PipelineError, match=r"^03_report\.ipynb failed in cell \d+") as failed:
        run_quarter("2022Q4", raw, tmp_path / "processed", tmp_path / "reports", progress=False,
                    parameters={"narratives_dir": str(tmp_path / "narratives")})
    assert files(tmp_path / "processed", tmp_path / "reports") == before
    assert not list(tmp_path.rglob(".2022Q4.staging-*"))
    kept = re.search(r"kept in (\S+)\)$", str(failed.value)).group(1)
    assert (Path(kept) / "03_report.ipynb").is_file()
    assert KEY not in "".join(p.read_text("utf-8", "replace") for p in Path(kept).iterdir())


def test_last_quarters_files_stop_the_run_in_one_line_unless_losses_are_accepted(fixture_raw, tmp_path, capsys,
                                                                                 monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", KEY)
    raw = tmp_path / "raw"
    shutil.copytree(fixture_raw / "2022Q4", raw / "2023Q1")  # last quarter's files in this quarter's folder
    late_rows(raw / "2023Q1" / "PRU", ["2023-01-02", "2023-01-03"])  # with a few late entries: a 3-row report

    assert cli(raw, tmp_path, "2023Q1") == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith(
        "quarterly-report: error: 2023Q1: 19 of 23 rows (82.6 %) are dated outside January–March 2023; the files' "
        "dates run from 2022-09-28 to 2023-01-03; run with --accept-losses to publish anyway")
    assert not (tmp_path / "processed" / "2023Q1").exists() and not (tmp_path / "reports" / "2023Q1").exists()
    failed = next((tmp_path / "processed").glob("2023Q1.failed-*"))
    assert sorted(p.name for p in failed.glob("*.ipynb")) == ["01_clean.ipynb"]  # stopped after cleaning

    shutil.copytree(fixture_raw / "2022Q4", raw / "2023Q2")  # nothing of April–June: not even accepted
    assert cli(raw, tmp_path, "2023Q2", "--accept-losses") == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("quarterly-report: error: 2023Q2: no row kept, nothing to report: ")
    failed = next((tmp_path / "processed").glob("2023Q2.failed-*"))
    assert sorted(p.name for p in failed.glob("*.ipynb")) == ["01_clean.ipynb"]  # never reaches the report

    assert cli(raw, tmp_path, "2023Q1", "--accept-losses") == 0
    quality = json.loads((tmp_path / "processed" / "2023Q1" / "quality.json").read_text(encoding="utf-8"))
    assert len(quality["accepted_losses"]) == 1 and quality["totals"]["rows_kept"] == 3
    pdf = next((tmp_path / "reports" / "2023Q1").glob("*.pdf"))
    first_page = PdfReader(pdf).pages[0].extract_text()
    assert "Published with known gaps in the data" in first_page and "dated outside January–March 2023" in first_page
    assert "--accept-losses" not in first_page  # described for a reader, not flagged by a command-line option


@pytest.mark.parametrize("name", sorted(RUN_PARAMETERS))
def test_the_quarter_folders_and_switches_cannot_be_overridden_with_p(name, fixture_raw, tmp_path, capsys):
    code = main(["run", "--quarter", "2022Q4", "--raw-dir", str(fixture_raw), "--processed-dir", str(tmp_path / "p"),
                 "--reports-dir", str(tmp_path / "r"), "-p", name, "2023Q1" if name == "quarter" else "x"])
    error = capsys.readouterr().err
    assert code == 1 and f"parameter '{name}' cannot be set with -p" in error
    assert not (tmp_path / "p").exists() and not (tmp_path / "r").exists()


def test_help_lists_accept_losses():
    run = build_parser()._subparsers._group_actions[0].choices["run"]
    assert "--accept-losses" in run.format_help()


@pytest.mark.parametrize("key", ["a", ""])
def test_a_weak_or_empty_key_stops_the_run_before_anything_is_written(key, fixture_raw, tmp_path, capsys,
                                                                       monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", key)
    assert main(["run", "--quarter", "2022Q4", "--raw-dir", str(fixture_raw), "--processed-dir",
                 str(tmp_path / "p"), "--reports-dir", str(tmp_path / "r")]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and re.search("too short|empty", error[0]) and "at least 16 characters" in error[0]
    assert not (tmp_path / "p").exists() and not (tmp_path / "r").exists()


def test_a_quarter_pseudonymised_with_another_key_is_detected(fixture_run, fixture_raw, tmp_path, monkeypatch):
    root, _ = fixture_run
    earlier = tmp_path / "processed" / "2022Q3"
    shutil.copytree(root / "processed" / "2022Q4", earlier)
    quality = json.loads((earlier / "quality.json").read_text(encoding="utf-8"))
    (earlier / "quality.json").write_text(json.dumps({**quality, "quarter": "2022Q3"}), encoding="utf-8")
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "another key, also long enough")
    with pytest.raises(PipelineError, match=rf"not the one 2022Q3 \({quality['key_fingerprint']}\) was pseudonymised"):
        run_quarter("2022Q4", fixture_raw, tmp_path / "processed", tmp_path / "reports", progress=False)
    assert not (tmp_path / "reports").exists()


HOLD = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1]); lock.acquire(); print("held", flush=True); time.sleep(120)
"""


def test_the_lock_refuses_a_concurrent_run_and_a_killed_runs_lock_and_leftovers_do_not_last(fixture_raw, tmp_path,
                                                                                             monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", KEY)
    raw, processed, reports = tmp_path / "raw", tmp_path / "processed", tmp_path / "reports"
    shutil.copytree(fixture_raw, raw)
    (raw / "2022Q4" / "broken.xlsx").write_bytes(b"not a workbook")  # this run stops in the first notebook
    processed.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(lock_file(processed, "2022Q4"))], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(PipelineError, match=r"another run of 2022Q4 is in progress \(it holds .*2022Q4\.lock\)"):
            run_quarter("2022Q4", raw, processed, reports, progress=False)
    finally:
        holder.send_signal(signal.SIGKILL)  # a run killed while holding the lock
        holder.wait()
        holder.stdout.close()
    crashed = ".2022Q4.staging-20230105-030000-99"  # what a killed run leaves
    (processed / crashed / "2022Q4").mkdir(parents=True)
    (reports / crashed / "report").mkdir(parents=True)
    old_failures = [processed / f"2022Q4.failed-2023010{i}-030000" for i in range(1, 5)]
    for folder in old_failures:
        folder.mkdir()
    with pytest.raises(PipelineError, match=r"01_clean\.ipynb failed in cell \d+: SourceReadError"):
        run_quarter("2022Q4", raw, processed, reports, progress=False)
    assert not (processed / crashed).exists() and not (reports / crashed).exists()
    failed = sorted(processed.glob("2022Q4.failed-*"))
    assert len(failed) == KEEP_FAILED and failed[:2] == old_failures[2:]  # the newest kept, this run's included
    assert (failed[-1] / "01_clean.ipynb").is_file()


def test_a_run_whose_outputs_fail_half_way_into_place_puts_everything_back(tmp_path, monkeypatch):
    from helpers import staging

    processed, reports = tmp_path / "processed", tmp_path / "reports"
    stage_data, stage_report = processed / ".2022Q4.staging-x-data", reports / ".2022Q4.staging-x-report"
    for folder, text in [(processed / "2022Q4", "old"), (reports / "2022Q4", "old"), (stage_data / "2022Q4", "new"),
                         (stage_report / "report", "new")]:
        folder.mkdir(parents=True)
        (folder / "file.txt").write_text(text)
    (processed / "history.csv").write_text("old")
    (stage_data / "history.csv").write_text("new")
    before = files(processed, reports)
    rename = Path.rename

    def disk_full_at_the_report(self, target):
        if self == stage_report / "report":
            raise OSError(28, "No space left on device")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", disk_full_at_the_report)
    with pytest.raises(PipelineError,
                       match=r"could not move the run's outputs into place .*No space left.*outputs are unchanged"):
        staging.move_into_place([(stage_data / "2022Q4", processed / "2022Q4", stage_data / "previous" / "2022Q4"),
                           (stage_data / "history.csv", processed / "history.csv", stage_data / "previous" / "h.csv"),
                           (stage_report / "report", reports / "2022Q4", stage_report / "previous" / "2022Q4")],
                          processed)
    assert {k: v for k, v in files(processed, reports).items() if "staging" not in k} == {
        k: v for k, v in before.items() if "staging" not in k}
    assert (processed / "history.csv").read_text() == "old" and (processed / "2022Q4" / "file.txt").read_text() == "old"


def test_an_error_line_shows_terminal_control_characters_escaped(fixture_raw, tmp_path, capsys):
    """A message quoting untrusted text (here a parameter name) cannot clear or recolour the terminal."""
    code = main(["run", "--quarter", "2022Q4", "--raw-dir", str(fixture_raw), "--processed-dir", str(tmp_path / "p"),
                 "--reports-dir", str(tmp_path / "r"), "-p", "\x1b[2J\x1b[31mquarter", "x"])
    error = capsys.readouterr().err
    assert code == 1 and "\x1b" not in error and "\\x1b[2J\\x1b[31mquarter" in error
