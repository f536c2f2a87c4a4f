"""Red team: the demo key must be for the bundled sample's files only, not for any folder whose manifest
lists its own files' hashes (the manifest sits in the same folder as the files it vouches for)."""

import csv
import hashlib
import json

from conftest import CFG

from helpers.clean.sample import is_sample


def test_a_manifest_written_for_real_files_does_not_unlock_the_demo_key(tmp_path):
    folder = tmp_path / "2023Q1"
    folder.mkdir()
    with (folder / "partner.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["service_date", "province", "activity_code", "case_id"],
                                      ["2023-01-05", "Hatay", "PROT_CASE_MGMT", "12345678950"]])
    digest = hashlib.sha256((folder / "partner.csv").read_bytes()).hexdigest()
    # what a user does after "no pseudonymisation key": copies the sample's manifest and fixes the list
    (folder / "sample-manifest.json").write_text(json.dumps(
        {"generator": "helpers.sample", "quarter": "2022Q4", "demo_key": True, "files": {"partner.csv": digest}}))
    assert not is_sample(folder, CFG)  # else real ID numbers are hashed with the published demo key
