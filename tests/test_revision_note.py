"""The first page's note after a published version: "Revised" only when a printed figure or raw file changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from helpers.record.revisions import revised_note, versions_dir

TODAY = datetime(2023, 2, 3, tzinfo=UTC)


def _publish_v1(reports):
    folder = versions_dir("2022Q4", reports) / "v1"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"published_at": "2023-01-10T09:00:00+00:00"}))


def test_no_note_for_a_quarter_never_published(tmp_path):
    assert revised_note("2022Q4", tmp_path, TODAY).data == ""


def test_changed_figures_make_a_revision(tmp_path):
    _publish_v1(tmp_path)
    note = revised_note("2022Q4", tmp_path, TODAY, changed=True).data
    assert "Revised 3 February 2023; replaces version 1 of 10 January 2023" in note


def test_unchanged_figures_make_a_reissue_not_a_revision(tmp_path):
    _publish_v1(tmp_path)
    note = revised_note("2022Q4", tmp_path, TODAY, changed=False).data
    assert "Revised" not in note
    assert "Reissued 3 February 2023; the figures are those of version 1 of 10 January 2023" in note
