"""The first page's note after a published version: "Revised" only when a printed figure or raw file changed."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime

from bs4 import BeautifulSoup
from PIL import Image

from helpers.config import CONFIG_DIR, Configuration
from helpers.paths import Quarter
from helpers.provenance.revisions import revised_note, versions_dir
from helpers.publication.photos import Photo

Q4 = Quarter.parse("2022Q4")
CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

TODAY = datetime(2023, 2, 3, tzinfo=UTC)


def _publish_v1(root):
    """Version 1: its public folder under reports, its audit (the manifest) under processed."""
    (versions_dir(Q4, root / "reports") / "v1").mkdir(parents=True)
    audit = versions_dir(Q4, root / "processed") / "v1"
    audit.mkdir(parents=True)
    (audit / "manifest.json").write_text(json.dumps({"quarter": "2022Q4", "version": 1,
                                                     "published_at": "2023-01-10T09:00:00+00:00",
                                                     "outputs": {"report": {}}}))


def test_no_note_for_a_quarter_never_published(tmp_path):
    assert revised_note(Q4, tmp_path / "reports", tmp_path / "processed", TODAY).data == ""


def test_changed_figures_make_a_revision(tmp_path):
    _publish_v1(tmp_path)
    note = revised_note(Q4, tmp_path / "reports", tmp_path / "processed", TODAY, changed=True).data
    assert "Revised 3 February 2023; replaces version 1 of 10 January 2023" in note


def test_unchanged_figures_make_a_reissue_not_a_revision(tmp_path):
    _publish_v1(tmp_path)
    note = revised_note(Q4, tmp_path / "reports", tmp_path / "processed", TODAY, changed=False).data
    assert "Revised" not in note
    assert "Reissued 3 February 2023; the figures are those of version 1 of 10 January 2023" in note


class _Note:
    """Stands for the first page's displayed note (an IPython display handle)."""

    def update(self, shown):
        self.text = shown.data


def _revision(tmp_path, *, shown_now: str, quality_now: str, photos_then=(), photos_now=()):
    """The Revisions section of a report printing ``shown_now`` for one figure, after version 1 printed 120;
    the note's text, and the section's. ``photos_then`` and ``photos_now`` are the narrative's photos of each."""
    from types import SimpleNamespace

    import nbformat

    from helpers.config import Configuration
    from helpers.paths import CONFIG_DIR
    from helpers.provenance import inputs
    from helpers.provenance.revisions import PRINTED, section
    from helpers.publication.language import languages

    reports, processed = tmp_path / "reports", tmp_path / "processed"
    version = versions_dir(Q4, reports) / "v1"
    version.mkdir(parents=True)
    (version / PRINTED).write_text("indicator,dimension,category,shown\npeople_reached,total,all,120\n")
    (processed / "2022Q4").mkdir(parents=True)
    (processed / "2022Q4" / "quality.json").write_text('{"totals": {"rows_kept": 9}}')
    audit = versions_dir(Q4, processed) / "v1"
    audit.mkdir(parents=True)
    cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", {"image/jpeg": base64.b64encode(photo.jpeg).decode()}, metadata={"image/jpeg": photo.metadata})
        for photo in photos_then])
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), audit / "03_report.ipynb")
    (audit / "manifest.json").write_text(json.dumps({
        "quarter": "2022Q4", "version": 1, "published_at": "2023-01-10T09:00:00+00:00",
        "inputs": {"raw": {}, "published_totals": {}, "earlier_quarters": {}},
        "outputs": {"report": inputs.hashes(version),
                    "processed": {"quality.json": inputs.sha256(processed / "2022Q4" / "quality.json")}}}))
    (processed / "2022Q4" / "quality.json").write_text(quality_now)
    report = SimpleNamespace(quarter="2022Q4", language=languages(CFG)[0], cfg=Configuration(CONFIG_DIR),
                             traced=[{"indicator": "people_reached", "dimension": "total", "category": "all",
                                      "shown": shown_now}], shown_photos=list(photos_now))
    note = _Note()
    shown = section(report, reports, processed, note)
    return note.text, shown.data


def test_the_section_settles_the_note_reissued_when_nothing_changed(tmp_path):
    assert "Reissued" in _revision(tmp_path, shown_now="120", quality_now='{"totals": {"rows_kept": 9}}')[0]


def test_a_changed_printed_figure_revises(tmp_path):
    assert "Revised" in _revision(tmp_path, shown_now="126", quality_now='{"totals": {"rows_kept": 9}}')[0]


def test_a_changed_row_account_revises_even_with_the_same_printed_figures(tmp_path):
    """Annex A's numbers (rows kept, dropped per reason) are the quarter's data too."""
    assert "Revised" in _revision(tmp_path, shown_now="120", quality_now='{"totals": {"rows_kept": 8}}')[0]


def _photo(colour: str, caption: str, credit: str = "Photo: the team", alt: str = "A workshop") -> Photo:
    """A photo as the report embeds it (a small picture of one colour)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(out, format="JPEG")
    return Photo(out.getvalue(), alt, caption, credit)


def _photo_lines(tmp_path, then, now) -> list[str]:
    note, shown = _revision(tmp_path, shown_now="120", quality_now='{"totals": {"rows_kept": 9}}', photos_then=then,
                            photos_now=now)
    assert "Reissued" in note  # a photo changes no figure
    page = BeautifulSoup(shown, "html.parser")
    assert ".jpg" not in shown and "sewing" not in shown  # a photo is named by its caption, never by its file
    return [li.get_text() for li in page.select("ul.photos li")]


def test_a_photo_replaced_between_versions_is_named_by_its_caption_in_the_revisions(tmp_path):
    lines = _photo_lines(tmp_path, [_photo("red", "The FabLab's workbench.")],
                         [_photo("blue", "The FabLab's workbench.")])
    assert lines == ["A photo was replaced: “The FabLab's workbench.”."]


def test_a_new_caption_or_credit_or_alt_text_is_named_with_the_old_one(tmp_path):
    then = [_photo("red", "A tailoring course."), _photo("green", "Lunch.", alt="People at a table")]
    now = [_photo("red", "A tailoring course in Gaziantep.", credit="Photo: Ayşe K."),
           _photo("green", "Lunch.", alt="Six people at a table")]
    assert _photo_lines(tmp_path, then, now) == [
        "A photo's caption or credit changed: “A tailoring course in Gaziantep. Photo: Ayşe K.” (before: “A "
        "tailoring course. Photo: the team”).",
        "The description of a photo for readers who cannot see it changed: “Six people at a table” (before: "
        "“People at a table”)."]


def test_photos_added_removed_and_replaced_with_another_caption(tmp_path):
    then = [_photo("red", "Before."), _photo("green", "Kept."), _photo("white", "Dropped.")]
    now = [_photo("green", "Kept."), _photo("blue", "After."), _photo("black", "", alt="A new drawing")]
    assert _photo_lines(tmp_path, then, now) == ["A photo was replaced: “After.” (before: “Before.”).",
                                                 "A photo was replaced: “A new drawing” (before: “Dropped.”)."]
    assert _photo_lines(tmp_path / "added", then[:1], then[:2]) == ["A photo was added: “Kept.”."]
    assert _photo_lines(tmp_path / "removed", then[:2], then[1:2]) == ["A photo was removed: “Before.”."]


def test_no_photo_line_when_the_photos_are_those_of_the_version(tmp_path):
    photos = [_photo("red", "A tailoring course.")]
    _note, shown = _revision(tmp_path, shown_now="120", quality_now='{"totals": {"rows_kept": 9}}',
                             photos_then=photos, photos_now=[_photo("red", "A tailoring course.")])
    assert "photo" not in shown.lower()
