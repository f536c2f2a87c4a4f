"""The first page's note after a published version: "Revised" only when a printed figure or raw file changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from helpers.record.revisions import revised_note, versions_dir

TODAY = datetime(2023, 2, 3, tzinfo=UTC)


def _publish_v1(root):
    """Version 1: its public folder under reports, its audit (the manifest) under processed."""
    (versions_dir("2022Q4", root / "reports") / "v1").mkdir(parents=True)
    audit = versions_dir("2022Q4", root / "processed") / "v1"
    audit.mkdir(parents=True)
    (audit / "manifest.json").write_text(json.dumps({"quarter": "2022Q4", "version": 1,
                                                     "published_at": "2023-01-10T09:00:00+00:00",
                                                     "outputs": {"report": {}}}))


def test_no_note_for_a_quarter_never_published(tmp_path):
    assert revised_note("2022Q4", tmp_path / "reports", tmp_path / "processed", TODAY).data == ""


def test_changed_figures_make_a_revision(tmp_path):
    _publish_v1(tmp_path)
    note = revised_note("2022Q4", tmp_path / "reports", tmp_path / "processed", TODAY, changed=True).data
    assert "Revised 3 February 2023; replaces version 1 of 10 January 2023" in note


def test_unchanged_figures_make_a_reissue_not_a_revision(tmp_path):
    _publish_v1(tmp_path)
    note = revised_note("2022Q4", tmp_path / "reports", tmp_path / "processed", TODAY, changed=False).data
    assert "Revised" not in note
    assert "Reissued 3 February 2023; the figures are those of version 1 of 10 January 2023" in note


class _Note:
    """Stands for the first page's displayed note (an IPython display handle)."""

    def update(self, shown):
        self.text = shown.data


def _revision(tmp_path, *, shown_now: str, quality_now: str):
    """The Revisions section of a report printing ``shown_now`` for one figure, after version 1 printed 120."""
    from types import SimpleNamespace

    from helpers.config import Configuration
    from helpers.paths import CONFIG_DIR
    from helpers.publication.language import languages
    from helpers.record import inputs
    from helpers.record.revisions import PRINTED, section

    reports, processed = tmp_path / "reports", tmp_path / "processed"
    version = versions_dir("2022Q4", reports) / "v1"
    version.mkdir(parents=True)
    (version / PRINTED).write_text("indicator,dimension,category,shown\npeople_reached,total,all,120\n")
    (processed / "2022Q4").mkdir(parents=True)
    (processed / "2022Q4" / "quality.json").write_text('{"totals": {"rows_kept": 9}}')
    audit = versions_dir("2022Q4", processed) / "v1"
    audit.mkdir(parents=True)
    (audit / "manifest.json").write_text(json.dumps({
        "quarter": "2022Q4", "version": 1, "published_at": "2023-01-10T09:00:00+00:00",
        "inputs": {"raw": {}, "published_totals": {}, "earlier_quarters": {}},
        "outputs": {"report": inputs.hashes(version),
                    "processed": {"quality.json": inputs.sha256(processed / "2022Q4" / "quality.json")}}}))
    (processed / "2022Q4" / "quality.json").write_text(quality_now)
    report = SimpleNamespace(quarter="2022Q4", language=languages()[0], cfg=Configuration(CONFIG_DIR),
                             traced=[{"indicator": "people_reached", "dimension": "total", "category": "all",
                                      "shown": shown_now}])
    note = _Note()
    section(report, reports, processed, note)
    return note.text


def test_the_section_settles_the_note_reissued_when_nothing_changed(tmp_path):
    assert "Reissued" in _revision(tmp_path, shown_now="120", quality_now='{"totals": {"rows_kept": 9}}')


def test_a_changed_printed_figure_revises(tmp_path):
    assert "Revised" in _revision(tmp_path, shown_now="126", quality_now='{"totals": {"rows_kept": 9}}')


def test_a_changed_row_account_revises_even_with_the_same_printed_figures(tmp_path):
    """Annex A's numbers (rows kept, dropped per reason) are the quarter's data too."""
    assert "Revised" in _revision(tmp_path, shown_now="120", quality_now='{"totals": {"rows_kept": 8}}')
