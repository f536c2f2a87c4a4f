"""Red team: issue 11's ``quarterly-report check --quarter Q`` (the analyst's look before a run) must exist."""

import csv

from helpers.cli import main


def test_check_shows_mapping_and_unknown_values_without_a_key_or_writing(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PSEUDONYMISATION_KEY", raising=False)
    folder = tmp_path / "raw" / "2022Q4"
    folder.mkdir(parents=True)
    with (folder / "tracker.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["Tarih", "İl", "Faaliyet", "Vaka No", "Cinsiyet"],
                                      ["05.10.2022", "Adana", "Vaka yönetimi", "C-1", "Kadın"],
                                      ["06.10.2022", "Adana", "Vaka yönetimi", "C-2", "kadınn"]])
    code = main(["check", "--quarter", "2022Q4", "--raw-dir", str(tmp_path / "raw"),
                 "--processed-dir", str(tmp_path / "processed")])
    out = capsys.readouterr().out
    assert code == 0
    assert "Tarih" in out and "kadınn" in out  # the raw header's mapping and the unrecognised value
    assert not (tmp_path / "processed").exists()
