"""A run killed between the renames that move its outputs into place: the next command completes the whole set
(processed data, history, report) before anything else, so no mix of old and new outputs persists. Publish pairs
report and data by run id, and cleans the staging folder of a publish killed while copying."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from test_versions_and_stale import _processed, _report

from helpers import staging
from helpers.errors import PipelineError
from helpers.paths import AUDIT, Quarter
from helpers.provenance.site_index import RUN_FILE
from helpers.publish import publish

KILL_AT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from helpers import staging
    from helpers.paths import Quarter

    root, kill_at, done = Path(sys.argv[1]), int(sys.argv[2]), [0]
    rename, unlink = Path.rename, Path.unlink

    def killed_at(self, target):
        if done[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)  # no finally, no cleanup: as the OOM killer or a power cut
        done[0] += 1
        return rename(self, target)

    def unlinked(self, missing_ok=False):
        if self.name.endswith(staging.JOURNAL) and done[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)  # every rename done, the journal not yet removed
        return unlink(self, missing_ok)

    Path.rename, Path.unlink = killed_at, unlinked
    data, report = root / "processed" / ".2023Q1.staging-x-data", root / "reports" / ".2023Q1.staging-x-report"
    staging.move_into_place([(data / "2023Q1", root / "processed" / "2023Q1", data / "previous" / "2023Q1"),
                       (data / "history.csv", root / "processed" / "history.csv", data / "previous" / "history.csv"),
                       (report / "report", root / "reports" / "2023Q1", report / "previous" / "2023Q1")],
                      root / "processed", staging.journal_path(Quarter.parse("2023Q1"), root / "processed"))
""")


def _outputs(root):
    return {"data": (root / "processed" / "2023Q1" / "indicators.csv").read_text(),
            "history": (root / "processed" / "history.csv").read_text(),
            "report": (root / "reports" / "2023Q1" / "report.html").read_text()}


def _lay_out(root):
    """Published outputs of an earlier run ("old") and a finished run's staged ones ("new")."""
    data, report = root / "processed" / ".2023Q1.staging-x-data", root / "reports" / ".2023Q1.staging-x-report"
    for folder, text in ((root / "processed" / "2023Q1", "old"), (data / "2023Q1", "new")):
        folder.mkdir(parents=True)
        (folder / "indicators.csv").write_text(text)
    (root / "processed" / "history.csv").write_text("old")
    (data / "history.csv").write_text("new")
    for folder, text in ((root / "reports" / "2023Q1", "old"), (report / "report", "new")):
        folder.mkdir(parents=True)
        (folder / "report.html").write_text(text)


@pytest.mark.slow  # a process per kill point: seconds each to import the pipeline
@pytest.mark.parametrize("kill_at", range(7))  # before the 1st rename, ..., after the 6th (journal not yet removed)
def test_a_kill_after_any_rename_is_completed_by_the_next_command(tmp_path, kill_at):
    _lay_out(tmp_path)
    script = tmp_path / "kill.py"
    script.write_text(KILL_AT)
    done = subprocess.run([sys.executable, str(script), str(tmp_path), str(kill_at)], check=False,
                          capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    journal = staging.journal_path(Quarter.parse("2023Q1"), tmp_path / "processed")
    assert journal.is_file()
    said = staging.recover(tmp_path / "processed", tmp_path / "reports")
    assert said == ["completed the moving into place of a run of 2023Q1 that was stopped half-way"]
    assert _outputs(tmp_path) == {"data": "new", "history": "new", "report": "new"}
    assert not journal.exists()
    staging.tidy(Quarter.parse("2023Q1"), tmp_path / "processed", tmp_path / "reports")  # as the next run does
    assert _outputs(tmp_path) == {"data": "new", "history": "new", "report": "new"}
    assert not [*(tmp_path / "processed").glob(".*staging*"), *(tmp_path / "reports").glob(".*staging*")]


def test_without_a_kill_no_journal_is_left_and_nothing_to_recover(tmp_path):
    _lay_out(tmp_path)
    data, report = tmp_path / "processed" / ".2023Q1.staging-x-data", tmp_path / "reports" / ".2023Q1.staging-x-report"
    staging.move_into_place([(data / "2023Q1", tmp_path / "processed" / "2023Q1", data / "previous" / "2023Q1"),
                       (report / "report", tmp_path / "reports" / "2023Q1", report / "previous" / "2023Q1")],
                      tmp_path / "processed", staging.journal_path(Quarter.parse("2023Q1"), tmp_path / "processed"))
    assert not staging.journal_path(Quarter.parse("2023Q1"), tmp_path / "processed").exists()
    assert staging.recover(tmp_path / "processed", tmp_path / "reports") == []


@pytest.fixture
def roots(tmp_path):
    raw, processed, reports = (tmp_path / name for name in ("raw", "processed", "reports"))
    (raw / "2022Q4").mkdir(parents=True)
    _processed(processed, "2022Q4")
    _report(reports / "2022Q4", "2022Q4", 67389, "run-b")
    return raw, processed, reports


def test_publish_refuses_a_report_and_data_of_different_runs(roots):
    raw, processed, reports = roots
    run = processed / "2022Q4" / AUDIT / RUN_FILE  # the run's audit record lists the report files it made
    made = run.read_text()
    run.write_text(json.dumps({**json.loads(made), "report": {"refugee-response-2022Q4.html": "another run's"}}))
    with pytest.raises(PipelineError, match=r"the report of 2022Q4 .* and its processed data .* come from different "
                                            r"runs: run 2022Q4 again"):
        publish("2022Q4", raw, processed, reports)
    run.write_text(made)
    assert publish("2022Q4", raw, processed, reports).number == 1


def test_a_draft_is_published_only_when_asked_and_its_manifest_says_so(roots):
    """An edition without its narrative prints "text not written yet" in every section: publishing it by
    mistake would freeze that as a version the public reads. Refused, naming the edition and its file, unless
    asked for (``--draft``); the version's manifest then lists the draft editions."""
    raw, processed, reports = roots
    run = processed / "2022Q4" / AUDIT / RUN_FILE
    run.write_text(json.dumps({**json.loads(run.read_text()), "drafts": ["tr"]}))
    with pytest.raises(PipelineError) as refused:
        publish("2022Q4", raw, processed, reports)
    assert str(refused.value) == (
        "the report of 2022Q4 is a draft, without the narrative of the edition(s) Türkçe (2022Q4.tr.md): write it, "
        "run 2022Q4 again, check the report, then publish; or publish the draft as it is with --draft (it says "
        "Draft on every page)")
    assert not (reports / "2022Q4.versions").exists() or not any((reports / "2022Q4.versions").iterdir())
    version = publish("2022Q4", raw, processed, reports, draft=True)
    assert (version.number, version.manifest["drafts"]) == (1, ["tr"])


def test_the_read_only_staging_folder_of_a_killed_publish_is_removed(roots):
    raw, processed, reports = roots
    left = reports / "2022Q4.versions" / ".v1.staging-4242"
    left.mkdir(parents=True)
    (left / "refugee-response-2022Q4.html").write_text("half a copy")
    os.chmod(left / "refugee-response-2022Q4.html", 0o444)
    os.chmod(left, 0o555)
    version = publish("2022Q4", raw, processed, reports)
    assert version.number == 1 and version.intact
    assert sorted(p.name for p in (reports / "2022Q4.versions").iterdir()) == ["v1"]
