"""``quarterly-report check``: what a run would make of a quarter, shown without a key and without writing results."""

import csv
import hashlib
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import CFG

from helpers import check, context
from helpers.clean import quarter as clean
from helpers.clean.provinces import resolve_provinces
from helpers.cli import build_parser, main
from helpers.csvfile import read_csv
from helpers.ingest.rules import ALIAS, HXL, IDENTIFIER, METADATA, UNKNOWN
from helpers.paths import CONFIG_DIR, PROCESSED_DIR, REPORTS_DIR

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
QUARTER_RAW = Path(__file__).parent / "fixtures" / "quarter"
SHAPES = ["kobo_xml_values_hxl.csv", "kobo_labels_tr_repeat.xlsx", "activityinfo_records.csv", "tracker_tr_months.xlsx"]


@pytest.fixture(autouse=True)
def no_key(monkeypatch, tmp_path):
    """No key anywhere: not in the environment, not in the key file; loading one fails the test."""
    monkeypatch.delenv("PSEUDONYMISATION_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def refuse(*args, **kwargs):
        raise AssertionError("check must not load the pseudonymisation key")

    monkeypatch.setattr(clean, "load_key", refuse)


@pytest.fixture
def exports(tmp_path) -> Path:
    """A 2023Q2 raw folder holding one file of each real-export shape."""
    folder = tmp_path / "raw" / "2023Q2"
    folder.mkdir(parents=True)
    for name in SHAPES:
        shutil.copy(EXPORTS / name, folder)
    return tmp_path / "raw"


def run_check(capsys, raw: Path, out: Path, quarter: str = "2023Q2", *extra: str) -> tuple[int, str]:
    code = main(["check", "--quarter", quarter, "--raw-dir", str(raw), "--out-dir", str(out), *extra])
    return code, capsys.readouterr().out


def line_of(output: str, *words: str) -> str:
    """The one table row (not a title: rows are indented) of the output holding every word."""
    [line] = [line for line in output.splitlines() if line.startswith(" ") and all(word in line for word in words)]
    return line


def file_row(output: str, label: str) -> tuple[list[str], list[str]]:
    """The cells of a file's row in the table of rows per file: (file, shape, read, kept), and the dropped lines."""
    lines = output.splitlines()
    column = next(line for line in lines if re.match(r"^\s+file\s+shape\s+read\s+kept\s+dropped", line)).index(
        "dropped")
    [first] = [i for i, line in enumerate(lines) if line[:column].strip().startswith(label + " ")]
    dropped = [lines[first][column:].strip()]
    for line in lines[first + 1:]:
        if line[:column].strip() or not line[column:].strip():
            break
        dropped.append(line[column:].strip())
    return lines[first][:column].split(), dropped


def test_each_export_shape_is_named_with_its_header_mapping_and_rows_per_reason(exports, tmp_path, capsys):
    found = check.check_quarter(context.build("2023Q2", raw_dir=exports))
    shapes = {check._label(found.examination, table): table.shape for table in found.examination.tables}
    assert shapes == {
        "kobo_xml_values_hxl.csv": "kobo", "kobo_labels_tr_repeat.xlsx [Koruma Hizmetleri]": "kobo",
        "activityinfo_records.csv": "activityinfo", "tracker_tr_months.xlsx [Nisan 2023]": "tracker",
        "tracker_tr_months.xlsx [Mayıs 2023]": "tracker"}

    code, output = run_check(capsys, exports, tmp_path / "out")
    assert code == 0  # 8 of 19 rows rejected: below the 50 % that stops a run
    for header, column, how in [("grp_service/kit", "item", "hxl hashtag"), ("_status", "—", METADATA),
                                ("grp_service/service_date", "date", ALIAS), ("grp_benef/phone", "—", IDENTIFIER),
                                ("Start Date", "date", ALIAS), ("End Date", "—", UNKNOWN),
                                ("Hizmet Bilgileri/İl", "province", ALIAS)]:
        assert re.search(rf"^\s*{re.escape(header)}\s+{re.escape(column)}\s+{re.escape(how)}\s*$", output, re.M), header
    assert HXL == "hxl"  # shown as "hxl hashtag"
    # the month sheets of the tracker have one header: shown once for both
    assert "Headers of tracker_tr_months.xlsx [Nisan 2023], [Mayıs 2023] (tracker)" in output.splitlines()
    assert len(re.findall(r"^\s*T\.C\. Kimlik No\s+—\s+identifier \(dropped\)", output, re.M)) == 1
    for label, shape, counts, dropped in [
            ("tracker_tr_months.xlsx [Nisan 2023]", "tracker", ["4", "0"], ["1 summary_row", "3 unknown_activity"]),
            ("tracker_tr_months.xlsx [Mayıs 2023]", "tracker", ["3", "0"], ["1 summary_row", "2 unknown_activity"]),
            ("activityinfo_records.csv", "activityinfo", ["4", "2"], ["2 unknown_activity"]),
            ("kobo_xml_values_hxl.csv", "kobo", ["5", "4"], ["1 missing_required"]),
            ("kobo_labels_tr_repeat.xlsx [Koruma Hizmetleri]", "kobo", ["3", "3"], ["none"])]:
        cells, lines = file_row(output, label)
        assert (cells[-3:], lines) == ([shape, *counts], dropped), label
    cells, lines = file_row(output, "all files")
    assert (cells[-2:], lines) == (["19", "9"], ["2 summary_row", "1 missing_required", "7 unknown_activity"])
    repeat = line_of(output, "kobo_labels_tr_repeat.xlsx", "Hane Üyeleri")
    assert "repeat group" in repeat
    assert "would run" in output


def test_unrecognised_values_are_listed_with_counts_and_closest_candidates(exports, tmp_path):
    found = check.check_quarter(context.build("2023Q2", raw_dir=exports)).unrecognised.set_index(["kind", "value"])
    cash = found.loc[("activity", "Nakit yardım")]
    assert cash["rows"] == 5 and cash["suggestion"] == "BN_CASH"
    assert cash["candidates"].startswith("label_tr: Nakit yardımı → BN_CASH")
    assert cash["where"] == "tracker_tr_months.xlsx [Nisan 2023] rows 5, 6, 8 (+2 more)"
    assert found.loc[("activity", "Hygiene kit distribution"), "rows"] == 2
    # the May sheet's 1.500 TL is settled by the April sheet's 2.000,00 TL (one workbook, one way of writing)
    assert "ambiguous number" not in set(found.index.get_level_values("kind"))
    end = found.loc[("header", "End Date")]
    assert end["suggestion"] == "" and end["candidates"].startswith("date (73)")  # shown, not suggested
    assert {"Record ID", "Comments", "grp_benef/vulnerabilities/elderly"} <= set(found.loc["header"].index)
    assert "_status" not in set(found.loc["header"].index)  # metadata is not an unknown header


def planted(tmp_path: Path, rows: list[list[str]], header=None, quarter="2023Q2") -> Path:
    folder = tmp_path / "raw" / quarter
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "tracker.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or ["Tarih", "İl", "Faaliyet Kodu", "Vaka No", "Cinsiyet", "Uyruk", "Provnce"])
        writer.writerows(rows)
    return tmp_path / "raw"


def test_every_kind_of_unknown_value_with_its_candidates_and_the_reason_it_was_not_read(tmp_path):
    raw = planted(tmp_path, [
        ["2023-04-05", "Amasra", "PROT_CASE_MGMT", "A1", "K", "Suriye", ""],
        ["2023-04-05", "Amasra", "PROT_CASE_MGMT", "A2", "Kadınn", "Syrain", ""],
        ["2023-04-31", "Adana", "PROT_CASE_MGMT", "A3", "K", "Suriye", ""],
        ["2023-04-06", "Adana", "Vaka yönetim", "A4", "Erkek", "Suriye", ""],
        ["2023-04-07", "Adana", "PROT_CASE_MGMT", "A5", "F", "Suriye", ""],
        ["2023-04-08", "Gazianteb", "Vaka yönetimi desteği", "A6", "K", "Suriye", ""],
    ])
    found = check.check_quarter(context.build("2023Q2", raw_dir=raw)).unrecognised.set_index(["kind", "value"])
    amasra = found.loc[("province", "Amasra")]
    assert amasra["rows"] == 2 and amasra["suggestion"] == "Bartın"  # a district of one province only
    assert amasra["candidates"] == "Amasra is a district of Bartın, not a province"
    # the same words as a catalogue label once the generic ones ("desteği") are set aside: filled in
    assert found.loc[("activity", "Vaka yönetimi desteği"), "suggestion"] == "PROT_CASE_MGMT"
    assert found.loc[("date", "2023-04-31"), "rows"] == 1
    # near-misses are shown with their closest candidates but never filled in: a person decides
    for kind, value, closest in [("activity", "Vaka yönetim", "label_tr: Vaka yönetimi → PROT_CASE_MGMT"),
                                 ("sex value", "Kadınn", "kadin → female"),
                                 ("nationality value", "Syrain", "syrian → Syrian"), ("header", "Provnce", "province")]:
        assert found.loc[(kind, value), "suggestion"] == "", value
        assert found.loc[(kind, value), "candidates"].startswith(closest), found.loc[(kind, value), "candidates"]


def test_the_csv_files_have_the_configuration_files_columns_and_accepted_lines_work(tmp_path, capsys):
    raw = planted(tmp_path, [
        ["2023-04-05", "Amasra", "PROT_CASE_MGMT", "A1", "Kadınn", "Syrain", ""],
        ["2023-04-06", "Adana", "Vaka yönetim", "A4", "Erkek", "Suriye", ""],
        ["2023-04-07", "Narnia", "PROT_CASE_MGMT", "A5", "F", "Suriye", ""],
    ])
    out = tmp_path / "out"
    code, output = run_check(capsys, raw, out)
    assert code == 1 and str(out) in output  # every row rejected: the run would stop, the files are written
    files = {path.name: read_csv(path, dtype=str, keep_default_na=False) for path in out.iterdir()}
    assert set(files) == set(check.SUGGESTION_FILES)
    aliases_header = next(csv.reader((CONFIG_DIR / "province_aliases.csv").open(encoding="utf-8")))
    assert list(files["provinces.csv"].columns) == aliases_header
    provinces = files["provinces.csv"].set_index("alias")
    assert provinces.at["Amasra", "province"] == "Bartın" and provinces.at["Amasra", "note"].startswith(
        "certain: read it once applied")
    assert provinces.at["Narnia", "province"] == ""  # nothing close: left for the analyst
    # The verified lines pasted into the alias file make the values resolve.
    pasted = tmp_path / "province_aliases.csv"
    shutil.copy(CONFIG_DIR / "province_aliases.csv", pasted)
    accepted = provinces[provinces["province"] != ""].reset_index()
    with pasted.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(accepted[aliases_header].to_numpy().tolist())
    assert resolve_provinces(["Amasra"], aliases=pasted)["province"].tolist() == ["Bartın"]

    columns = CFG.load("columns")["columns"]
    headers = files["headers.csv"]
    assert list(headers.columns) == ["alias", "column", "note"]
    assert headers.set_index("alias").at["Provnce", "column"] == "" and set(headers["column"]) <= {"", *columns}
    vocabularies = files["vocabularies.csv"]
    assert list(vocabularies.columns) == ["spelling", "vocabulary", "value", "note"]
    known = yaml.safe_load((CONFIG_DIR / "vocabularies.yml").read_text(encoding="utf-8"))
    for row in vocabularies.itertuples():
        assert row.vocabulary in known and (row.value == "" or row.value in known[row.vocabulary])
    assert {("Kadınn", "sex", ""), ("Syrain", "nationality", "")} <= set(  # near-misses: for a person
        vocabularies[["spelling", "vocabulary", "value"]].itertuples(index=False, name=None))
    activities = files["activities.csv"]
    assert list(activities.columns) == ["code", "label_en", "label_tr", "label_ar", "note"]  # names.<language>
    assert activities[["code", "label_en", "label_tr"]].to_numpy().tolist() == [["", "", "Vaka yönetim"]]
    listed = files["unrecognised.csv"]
    checked = check.check_quarter(context.build("2023Q2", raw_dir=raw))
    assert list(listed.columns) == check.COLUMNS and len(listed) == len(checked.unrecognised)


def tree(folder: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*")} if folder.exists() else {}


def digests(folder: Path) -> dict:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def test_nothing_is_written_but_the_check_folder_and_raw_files_stay_as_they_were(exports, tmp_path, capsys,
                                                                                   monkeypatch):
    monkeypatch.setattr(check, "DATA_DIR", tmp_path / "data")  # the default folder, inside the test's tmp
    before = {folder: tree(folder) for folder in (PROCESSED_DIR, REPORTS_DIR)}
    raw_before = digests(exports)
    code = main(["check", "--quarter", "2023Q2", "--raw-dir", str(exports)])
    assert code == 0 and "data/interim/2023Q2/check" in capsys.readouterr().out
    assert {folder: tree(folder) for folder in (PROCESSED_DIR, REPORTS_DIR)} == before
    assert digests(exports) == raw_before
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()
                     and not p.is_relative_to(exports))
    assert written == sorted(f"data/interim/2023Q2/check/{name}" for name in check.SUGGESTION_FILES)


@pytest.mark.parametrize("inside", [PROCESSED_DIR / "2023Q2", REPORTS_DIR, None])
def test_an_output_folder_under_processed_data_reports_or_raw_files_is_a_usage_error(exports, inside, capsys):
    out = inside or exports / "2023Q2" / "check"
    with pytest.raises(SystemExit) as stopped:
        main(["check", "--quarter", "2023Q2", "--raw-dir", str(exports), "--out-dir", str(out)])
    assert stopped.value.code == 2 and "writes nothing there" in capsys.readouterr().err
    assert not out.exists() or inside == REPORTS_DIR


def test_a_malformed_quarter_is_a_usage_error_and_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["check", "--quarter", "2023-Q1"])
    assert stopped.value.code == 2 and "2022Q4" in capsys.readouterr().err
    text = build_parser()._subparsers._group_actions[0].choices["check"].format_help()
    assert re.search(r"exit status: 0 .*would run, 1 .*would stop.*2 usage error", " ".join(text.split()))


IDENTIFIERS = ["0532 111 22 33", "10000000146", "ayse.yilmaz@example.org", "777 88 99"]


def test_identifiers_typed_into_cells_are_withheld_in_the_terminal_and_the_csv_files(tmp_path, capsys):
    raw = planted(tmp_path, [
        ["2023-04-05", "0532 111 22 33", "PROT_CASE_MGMT", "A1", "K", "Suriye", ""],
        ["2023-04-05", "Adana", "10000000146", "A2", "K", "Suriye", ""],
        ["2023-04-05", "Adana", "PROT_CASE_MGMT", "A3", "ayse.yilmaz@example.org", "Suriye", ""],
        ["2023-04-05", "Adana", "PROT_CASE_MGMT", "A4", "K", "777 88 99", ""],
        ["2023-04-05", "Adana", "PROT_CASE_MGMT", "A5", "K", "Suriye", "x"],
    ], header=["Tarih", "İl", "Faaliyet Kodu", "Vaka No", "Cinsiyet", "Uyruk", "0532 111 22 33"])
    code, output = run_check(capsys, raw, tmp_path / "out")
    assert code == 0  # 2 of 5 rows rejected; unknown optional values keep their rows
    written = "\n".join(path.read_text(encoding="utf-8-sig") for path in (tmp_path / "out").iterdir())
    for text in (output, written):
        for identifier in IDENTIFIERS:
            assert identifier not in text and identifier.replace(" ", "") not in text
    assert line_of(output, "(withheld: phone)", "province", "tracker.csv row 2")
    assert line_of(output, "(withheld: id number)", "activity", "tracker.csv row 3")
    assert line_of(output, "(withheld: e-mail)", "sex", "tracker.csv row 4")
    assert line_of(output, "(withheld: identifier-shaped)", "nationality", "tracker.csv row 5")
    listed = read_csv(tmp_path / "out" / "unrecognised.csv", dtype=str, keep_default_na=False)
    assert (listed["withheld"] == "True").sum() == 5  # four cells and the header
    assert set(listed.loc[listed["withheld"] == "True", "candidates"]) == {""}  # nothing derived from them
    assert not read_csv(tmp_path / "out" / "provinces.csv", dtype=str).shape[0]  # never a line to paste


def test_control_characters_markup_and_formulas_in_a_cell_stay_inert(tmp_path, capsys):
    raw = planted(tmp_path, [["2023-04-05", "Ada\x1b[2Jna", "PROT_CASE_MGMT", "A1", "K", "Suriye", ""],
                             ["2023-04-05", "Adana", "[bold red]PSS[/]", "A2", "K", "Suriye", ""],
                             ["2023-04-05", "Adana", '=HYPERLINK("http://example.org")', "A3", "K", "Suriye", ""]])
    _, output = run_check(capsys, raw, tmp_path / "out")
    assert "\x1b" not in output
    assert line_of(output, "Ada\\x1b[2Jna", "province") and line_of(output, "[bold red]PSS[/]", "activity")
    written = (tmp_path / "out" / "activities.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in written  # a spreadsheet shows it as text, never runs it


@pytest.mark.parametrize("no_color", [False, True])
def test_no_color_gives_plain_text_even_on_a_terminal(exports, tmp_path, capsys, monkeypatch, no_color):
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then writes as to a terminal
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, output = run_check(capsys, exports, tmp_path / "out", "2023Q2", *(["--no-color"] if no_color else []))
    assert ("\x1b[" in output) is not no_color


def daily(first: date, days: int) -> list[str]:
    return [(first + timedelta(days=i)).isoformat() for i in range(days)]


def test_last_quarters_files_would_stop_the_run_with_the_loss_line(tmp_path, capsys):
    raw = planted(tmp_path, [[day, "Adana", "PROT_CASE_MGMT", f"A{i}", "K", "Suriye", ""]
                             for i, day in enumerate(daily(date(2023, 1, 1), 90))])
    code, output = run_check(capsys, raw, tmp_path / "out")
    assert code == 1
    assert "2023Q2: 90 of 90 rows (100.0 %) are dated outside April–June 2023; the files' dates run from " \
           "2023-01-01 to 2023-03-31" in " ".join(output.split())
    assert "no row kept, nothing to report" in output
    assert file_row(output, "tracker.csv") == (["tracker.csv", "generic", "90", "0"], ["90 out_of_period"])


def test_a_quarter_whose_every_row_is_rejected_is_diagnosed_not_crashed(tmp_path, capsys):
    raw = planted(tmp_path, [["2023-04-05", "Adana", "NOT_AN_ACTIVITY", f"A{i}", "K", "Suriye", ""]
                             for i in range(4)])
    code, output = run_check(capsys, raw, tmp_path / "out")
    assert code == 1
    assert "4 of 4 rows (100.0 %) were rejected (4 unknown_activity)" in output
    assert line_of(output, "NOT_AN_ACTIVITY", "activity", "4")


def test_unreadable_files_and_empty_folders_would_stop_the_run(tmp_path, capsys):
    folder = tmp_path / "raw" / "2023Q3"
    folder.mkdir(parents=True)
    shutil.copy(EXPORTS / "hostile" / "dimension_bomb.xlsx", folder)
    code, output = run_check(capsys, tmp_path / "raw", tmp_path / "out", "2023Q3")
    assert code == 1
    assert line_of(output, "dimension_bomb.xlsx", "unreadable")
    assert "cannot read dimension_bomb.xlsx" in output and "no row kept" in output
    code, output = run_check(capsys, tmp_path / "raw", tmp_path / "out", "2023Q4")
    assert code == 1 and "no .csv or .xlsx files in" in output


def test_the_fixture_quarter_with_its_planted_mess(capsys, tmp_path):
    code, output = run_check(capsys, QUARTER_RAW, tmp_path / "out", "2022Q4")
    assert code == 0
    assert file_row(output, "PRU/case-management.csv") == (
        ["PRU/case-management.csv", "generic", "13", "3"],
        ["3 duplicate", "2 out_of_period", "2 missing_required", "1 unknown_activity", "1 unparseable_date",
         "1 unknown_province"])
    found = pd.read_csv(tmp_path / "out" / "unrecognised.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert set(zip(found["kind"], found["column"], found["value"], strict=True)) == {
        ("province", "province", "Narnia"), ("activity", "activity", "PROT_UNKNOWN"), ("date", "date", "2022-13-45"),
        ("invalid number", "household_size", "0"), ("ambiguous number", "quantity", "75.000"),
        ("sex value", "sex", "X?"),
        ("label to review", "activity_detail", "Language course")}  # not on config/labels.yml: published as Other
    labels = pd.read_csv(tmp_path / "out" / "labels.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(zip(labels["column"], labels["label"], strict=True)) == [("activity_detail", "Language course")]
    assert line_of(output, "Narnia", "closest: Manisa")
