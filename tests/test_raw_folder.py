"""One rule for which files of a raw folder count: what the readers read is what the input hashes (which decide
reuse, revisions and whether a version may be published) record. A lock file or a note changes neither; a link
leading out of the folder is never followed."""

import hashlib
import os

import pytest

from helpers.ingest.readers import read_source
from helpers.ingest.sources import discover_sources
from helpers.record import inputs


@pytest.fixture
def folder(tmp_path):
    raw = tmp_path / "raw" / "2023Q1"
    (raw / "PRU").mkdir(parents=True)
    (raw / "PRU" / "cases.csv").write_text("Tarih,İl,Faaliyet Kodu\n2023-01-05,Adana,PROT_PSS\n", encoding="utf-8")
    (raw / "PRU" / "~$cases.xlsx").write_bytes(b"owner of the lock")  # Excel's lock file while a workbook is open
    (raw / "notes.txt").write_text("called the partner on Monday\n", encoding="utf-8")
    (raw / ".DS_Store").write_bytes(b"\0")
    secret = tmp_path / "elsewhere" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("Tarih,İl,Faaliyet Kodu\n2023-01-06,Adana,PROT_PSS\n", encoding="utf-8")
    os.symlink(secret, raw / "PRU" / "linked.csv")
    return raw


def test_the_hashes_record_exactly_the_files_the_readers_count(folder):
    hashes = inputs.raw_hashes(folder)
    assert list(hashes) == [path.relative_to(folder).as_posix() for path in discover_sources(folder)]
    assert list(hashes) == ["PRU/cases.csv", "PRU/linked.csv"]
    assert hashes["PRU/cases.csv"] == hashlib.sha256((folder / "PRU" / "cases.csv").read_bytes()).hexdigest()


def test_a_lock_file_or_a_note_changes_no_hash(folder):
    before = inputs.raw_hashes(folder)
    (folder / "PRU" / "~$cases.xlsx").write_bytes(b"another owner")
    (folder / "notes.txt").write_text("and again on Friday\n", encoding="utf-8")
    (folder / "~$other.xlsx").write_bytes(b"lock")
    assert inputs.raw_hashes(folder) == before


def test_a_link_out_of_the_folder_is_recorded_by_where_it_points_never_read(folder, tmp_path):
    before = inputs.raw_hashes(folder)
    (tmp_path / "elsewhere" / "secret.csv").write_text("changed\n", encoding="utf-8")
    assert inputs.raw_hashes(folder) == before  # its content is not an input: the readers refuse to open it
    assert not read_source(folder / "PRU" / "linked.csv", folder)  # no table, listed as not read
    (folder / "PRU" / "linked.csv").unlink()
    os.symlink(tmp_path / "elsewhere" / "other.csv", folder / "PRU" / "linked.csv")
    assert inputs.raw_hashes(folder)["PRU/linked.csv"] != before["PRU/linked.csv"]


def test_a_missing_raw_folder_has_no_files(tmp_path):
    assert inputs.raw_hashes(tmp_path / "2023Q1") == {}
