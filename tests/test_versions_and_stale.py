"""Published versions are checked against their manifest before use, and a quarter made from an earlier quarter's
data as they no longer are is named out of date: by the index and by publish (the run's own message is walked in
tests/test_cycle.py). Folders are laid out as runs and publish leave them, without running the notebooks."""

import json
import os

import pytest
from bs4 import BeautifulSoup

from helpers.config import Configuration
from helpers.errors import PipelineError
from helpers.paths import AUDIT, CONFIG_DIR, Quarter
from helpers.provenance import inputs, revisions, stale
from helpers.provenance.site_index import index_html
from helpers.publish import publish

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

PUBLIC = ("quarter,indicator,label,dimension,category,value\n#date,#indicator,#name,#dim,#cat,#value\n"
          "{q},people_reached,People reached,total,all,{n}\n")


def _report(folder, q, n, run_id):
    """A report's public files in ``folder``; for a current report (``reports/<Q>``), its run's audit record too
    (``processed/<Q>/audit/run.json``, which lists the report's files and so pairs them with the data)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"refugee-response-{q}-indicators.csv").write_text(PUBLIC.format(q=q, n=n))
    (folder / f"refugee-response-{q}.html").write_text(f"<p>{n:,} people</p>")
    (folder / f"refugee-response-{q}.pdf").write_bytes(b"%PDF-1.7 " + str(n).encode())
    if folder.name == q:
        audit = folder.parent.parent / "processed" / q / AUDIT
        audit.mkdir(parents=True, exist_ok=True)
        (audit / "run.json").write_text(json.dumps(
            {"run_at": "2023-02-03T10:00:00+00:00", "run_id": run_id, "commit": "abc", "helpers_version": "1",
             "python": "3.11", "packages": {}, "code": {}, "narrative": {}, "report": inputs.hashes(folder)}))


def _version(reports, q, number, n, run_id="a", folder_name=None):
    """A published version: its public files under ``reports``, its manifest under the processed folder beside."""
    folder = reports / f"{q}.versions" / (folder_name or f"v{number}")
    _report(folder, q, n, run_id)
    audit = reports.parent / "processed" / f"{q}.versions" / folder.name
    audit.mkdir(parents=True, exist_ok=True)
    (audit / "manifest.json").write_text(json.dumps(
        {"quarter": q, "version": number, "published_at": "2023-01-10T09:00:00+00:00", "run_id": run_id,
         "outputs": {"report": inputs.hashes(folder), "processed": {}}}))
    return folder


def _processed(processed, q, earlier_of=None):
    """A processed quarter; ``earlier_of``: made from the processed quarters as they are now."""
    folder = processed / q
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("records.parquet", "indicators.csv", "quality.json"):
        (folder / name).write_text(f"{q} {name}")
    (folder / "indicators_public.csv").write_text(PUBLIC.format(q=q, n=1))  # kept with a version's audit
    inputs.write(folder, {"quarter": q, "raw": {}, "published_totals": {}, "config": {}, "key_fingerprint": "k",
                          "earlier": inputs.earlier_hashes(Quarter.parse(q), processed) if earlier_of else {}})
    return folder


@pytest.fixture
def roots(tmp_path):
    raw, processed, reports = (tmp_path / name for name in ("raw", "processed", "reports"))
    for q in ("2022Q4", "2023Q1"):
        (raw / q).mkdir(parents=True)
    return raw, processed, reports


def test_a_version_edited_by_hand_is_named_shown_and_never_the_base(roots):
    raw, processed, reports = roots
    _version(reports, "2022Q4", 1, 67389)
    second = _version(reports, "2022Q4", 2, 67509, run_id="b")
    assert revisions.latest(Quarter.parse("2022Q4"), reports, processed).number == 2
    os.chmod(second / "refugee-response-2022Q4.html", 0o644)  # chmod u+w, change a figure
    (second / "refugee-response-2022Q4.html").write_text("<p>99,999 people</p>")
    (second / "notes.txt").write_text("planted")
    (second / "refugee-response-2022Q4.pdf").unlink()
    found = revisions.versions(Quarter.parse("2022Q4"), reports, processed)
    assert found[1].problems == ("changed: refugee-response-2022Q4.html", "missing: refugee-response-2022Q4.pdf",
                                 "extra: notes.txt")
    assert revisions.latest(Quarter.parse("2022Q4"), reports, processed).number == 1  # compared with v1, not the edit
    _report(reports / "2022Q4", "2022Q4", 67600, "run-2022Q4")
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all(["th", "td"])]
            for tr in BeautifulSoup(index_html(reports, processed, CFG), "html.parser").select("tbody tr")]
    assert rows[0][0] == "current report (revises version 1)"
    assert rows[1][0] == "version 2: does not match its manifest"
    assert "changed: refugee-response-2022Q4.html" in rows[1][2] and "99,999" not in " ".join(rows[1])
    assert rows[2][:3] == ["version 1", "10 January 2023", "67,389"]
    _processed(processed, "2022Q4")
    with pytest.raises(PipelineError, match=r"version 2 of 2022Q4 .* does not match its manifest \(changed: "
                                            r"refugee-response-2022Q4\.html; missing: .*; extra: notes\.txt\)"):
        publish("2022Q4", raw, processed, reports)


@pytest.mark.parametrize("name", ["v1٠", "v٢", "v２", "v9", "v01", "v1 ", "v1\n"])
def test_only_v_and_ascii_digits_is_a_version_and_a_planted_one_is_named(roots, name):
    _, processed, reports = roots
    _version(reports, "2022Q4", 1, 67389)
    copy = _version(reports, "2022Q4", 1, 12345, folder_name=name)  # a copy of version 1's manifest, planted
    found = revisions.versions(Quarter.parse("2022Q4"), reports, processed)
    if name == "v9":  # a version folder, but its manifest is version 1's: it does not match
        assert [v.number for v in found] == [1, 9]
        assert found[1].problems == ("the manifest is of 2022Q4 version 1",)
    else:
        assert [v.number for v in found] == [1], copy
    assert revisions.latest(Quarter.parse("2022Q4"), reports, processed).number == 1


def test_a_corrupt_manifest_stops_with_the_file_named(roots):
    _, processed, reports = roots
    _version(reports, "2022Q4", 1, 67389)
    (processed / "2022Q4.versions" / "v1" / "manifest.json").write_text('{"quarter": "2022Q4", "version": ')
    with pytest.raises(PipelineError, match=r"2022Q4\.versions/v1/manifest\.json cannot be read \(JSONDecodeError"):
        revisions.versions(Quarter.parse("2022Q4"), reports, processed)
    with pytest.raises(PipelineError, match=r"v1/manifest\.json cannot be read"):
        index_html(reports, processed, CFG)


def test_a_quarter_made_from_an_earlier_quarter_since_revised_is_out_of_date(roots):
    raw, processed, reports = roots
    _processed(processed, "2022Q4")
    _processed(processed, "2023Q1", earlier_of=True)
    _processed(processed, "2023Q2", earlier_of=True)
    assert stale.out_of_date(processed) == {}
    (processed / "2023Q2" / "indicators.csv").write_text("a later quarter changed: no earlier one is stale")
    assert stale.out_of_date(processed) == {}
    (processed / "2022Q4" / "indicators.csv").write_text("2022Q4 revised")
    behind = stale.out_of_date(processed, after=Quarter.parse("2022Q4"))
    assert behind == {Quarter.parse("2023Q1"): ["2022Q4"], Quarter.parse("2023Q2"): ["2022Q4"]}
    assert stale.message(Quarter.parse("2023Q1"), behind[Quarter.parse("2023Q1")]) == (
        "2023Q1 is out of date: it was made from 2022Q4's figures before its last run changed them; "
        "run 2023Q1 again")
    for q, n in (("2022Q4", 67509), ("2023Q1", 5000)):
        _report(reports / q, q, n, f"run-{q}")
    page = BeautifulSoup(index_html(reports, processed, CFG), "html.parser")
    marked = [p.get_text(" ", strip=True) for p in page.select("p.stale")]
    assert marked == ["Out of date: made from the figures of October–December 2022 before they were revised; "
                      "January–March 2023 is to be run again."]
    assert page.select("p.stale")[0].find_previous("h2").get_text().startswith("2023Q1")
    with pytest.raises(PipelineError, match=r"^2023Q1 is out of date: .*; run 2023Q1 again, check the report"):
        publish("2023Q1", raw, processed, reports)
    _processed(processed, "2023Q1", earlier_of=True)  # run again: up to date
    assert Quarter.parse("2023Q1") not in stale.out_of_date(processed)
