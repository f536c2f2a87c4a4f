"""The published totals of quarters before the pipeline: checked by the clean step as the hand-kept table it is,
and the only copy the indicators read (from processed data, never from data/raw/)."""

import inspect
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers import context
from helpers.clean import totals
from helpers.config import Configuration
from helpers.csvfile import read_csv
from helpers.errors import PipelineError, PublishedTotalsError
from helpers.measure.indicators import load_history, run_indicators
from helpers.paths import CONFIG_DIR, NOTEBOOKS_DIR, Quarter
from helpers.pipeline import notebook_parameters, run_quarter
from helpers.provenance import inputs
from helpers.provenance.revisions import _published_totals

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

HEADER = "quarter,people_reached,source\n"
GOOD = HEADER + "2022Q2,130000,Published quarterly update\n2022Q1,120000,Published quarterly update\n"


def _raw(tmp_path: Path, content: str | bytes) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    path = raw / "published-totals.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return raw


def test_a_good_table_is_checked_into_quarter_order_with_its_two_columns(tmp_path):
    table = totals.read(_raw(tmp_path, GOOD), Quarter.parse("2022Q4"), CFG)
    assert table.columns.tolist() == ["quarter", "people_reached"]  # the source column is for the people who keep it
    assert table["quarter"].tolist() == ["2022Q1", "2022Q2"] and table["people_reached"].tolist() == [120000, 130000]
    written = totals.write(table, tmp_path / "processed" / "2022Q4", CFG)
    assert written.read_bytes() == b"quarter,people_reached\r\n2022Q1,120000\r\n2022Q2,130000\r\n"


def test_excel_on_a_turkish_pc_byte_order_mark_and_blank_rows_are_read(tmp_path):
    saved = "quarter;people_reached;source\r\n2022Q1;120000;Yayımlanan güncelleme\r\n;;\r\n\r\n 2022Q2 ; 130000 ;\r\n"
    for content in (saved.encode("cp1254"), b"\xef\xbb\xbf" + GOOD.encode("utf-8")):
        table = totals.read(_raw(tmp_path, content), Quarter.parse("2022Q4"), CFG)
        assert dict(zip(table["quarter"], table["people_reached"], strict=True)) == {"2022Q1": 120000,
                                                                                    "2022Q2": 130000}


def test_no_table_is_no_published_totals(tmp_path):
    table = totals.read(tmp_path, Quarter.parse("2022Q4"), CFG)
    assert table.empty and table.columns.tolist() == ["quarter", "people_reached"]


BAD = [
    # numbers a person typed as they read them in a report: never guessed
    (HEADER + '2022Q1,"67,389",x\n', 2, r"'67,389' is not a whole number written as digits only \(a thousands"),
    (HEADER + "2022Q1,67.389,x\n", 2, r"'67\.389' is not a whole number written as digits only \(a thousands"),
    (HEADER + "2022Q1,1.234.567,x\n", 2, "'1.234.567' is not a whole number"),
    (HEADER + "2022Q1,67,389,Published quarterly update\n", 2, r"4 cells under a header of 3 \(an unquoted comma\?\)"),
    ("quarter,people_reached\n2022Q1,120000\n2022Q2,67,389\n", 3, "3 cells under a header of 2"),
    (HEADER + "2022Q1,67,389\n", 2, r"'67' is followed by '389': one number split by an unquoted comma\?"),
    (HEADER + "2022Q1,67 389,x\n", 2, "'67 389' is not a whole number"),
    (HEADER + "2022Q1,120000.0,x\n", 2, "'120000.0' is not a whole number"),
    (HEADER + "2022Q1,-120000,x\n", 2, "'-120000' is not a whole number"),
    (HEADER + "2022Q1,1e5,x\n", 2, "'1e5' is not a whole number"),
    (HEADER + "2022Q1,inf,x\n", 2, "'inf' is not a whole number"),
    (HEADER + "2022Q1,NaN,x\n", 2, "'NaN' is not a whole number"),
    (HEADER + "2022Q1,١٢٠٠٠٠,x\n", 2, "is not a whole number"),  # Arabic-Indic digits, which int() would read
    (HEADER + "2022Q1,=120000+1,x\n", 2, "is not a whole number"),
    (HEADER + "2022Q1,1234567890123456,x\n", 2, "has more than 15 digits"),
    (HEADER + "2022Q1,120000,x\n2022Q2,,x\n", 3, "no people_reached total"),
    # quarters
    (HEADER + "2022-Q1,120000,x\n", 2, "quarter must look like 2022Q4, got '2022-Q1'"),
    (HEADER + "2022q1,120000,x\n", 2, "quarter must look like 2022Q4"),
    (HEADER + "Q1 2022,120000,x\n", 2, "quarter must look like 2022Q4"),
    (HEADER + ",120000,x\n", 2, "quarter must look like 2022Q4, got ''"),
    (HEADER + "2022Q1,120000,x\n\n2022Q2,130000,x\n2022Q1,125000,corrected\n", 5,
     r"2022Q1 is listed twice \(rows 2 and 5\)"),
    # the header
    ("Quarter,People reached,Source\n2022Q1,120000,x\n", 1, "no column 'quarter'; nearest: 'Quarter'"),
    ("quarter,people,source\n2022Q1,120000,x\n", 1, "no column 'people_reached'; nearest: 'people'"),
    ("quarter,people_reached,quarter\n2022Q1,120000,2022Q2\n", 1, "column 'quarter' twice"),
    ("", None, "empty"),
    # not a text table
    (b"quarter,people_reached\n2022Q1,\x81\x8d\n", 2, "neither UTF-8 nor Windows-1254 text"),
]


@pytest.mark.parametrize(("content", "row", "reason"), BAD)
def test_a_bad_table_stops_naming_the_file_the_row_and_the_reason(tmp_path, content, row, reason):
    raw = _raw(tmp_path, content)
    with pytest.raises(PublishedTotalsError, match=reason) as stopped:
        totals.read(raw, Quarter.parse("2022Q4"), CFG)
    message = str(stopped.value)
    assert message.startswith(f"{raw / 'published-totals.csv'}: ")
    if row is not None:
        assert f": row {row}: " in message


def test_quarters_at_or_after_the_run_are_kept_but_only_earlier_ones_add_up(tmp_path, caplog):
    """A back-fill: 2022Q1 is run from raw logs found later, while the table lists it and later quarters. They stay
    in the history (a processed quarter's total replaces its published one); year-to-date adds only earlier ones."""
    content = HEADER + "2021Q4,100,x\n2022Q1,200,x\n2022Q2,400,x\n"
    with caplog.at_level("INFO"):
        table = totals.read(_raw(tmp_path, content), Quarter.parse("2022Q1"), CFG)
    assert table["quarter"].tolist() == ["2021Q4", "2022Q1", "2022Q2"]
    assert "lists 2022Q1, the quarter being cleaned: its own total replaces the published 200" in caplog.text
    processed = tmp_path / "processed"
    totals.write(table, processed / "2022Q1", CFG)
    history = load_history(Quarter.parse("2022Q1"), CFG, processed)
    assert history["quarter"].tolist() == ["2021Q4", "2022Q2"]  # the run's own quarter comes from the run


def test_indicators_read_the_history_from_processed_data_only(tmp_path):
    """02_indicators takes no raw folder: load_history and run_indicators have no such parameter, the notebook
    declares none, and the history comes from the clean step's checked copy and earlier processed quarters."""
    for function in (load_history, run_indicators):
        assert not any("raw" in name for name in inspect.signature(function).parameters), function.__name__
    notebook = NOTEBOOKS_DIR / "02_indicators.ipynb"
    assert "raw_dir" not in notebook_parameters(notebook)
    assert not {"raw_dir", "RAW_DIR"} & set(re.findall(r"\w+", notebook.read_text(encoding="utf-8")))
    assert "raw_dir" in notebook_parameters(NOTEBOOKS_DIR / "01_clean.ipynb")  # the one step that reads raw data

    processed, earlier = tmp_path / "staging", tmp_path / "published"
    (processed / "2022Q4").mkdir(parents=True)
    totals.write(pd.DataFrame({"quarter": ["2022Q1", "2022Q3"], "people_reached": [10, 30]}), processed / "2022Q4", CFG)
    (earlier / "2022Q3").mkdir(parents=True)
    pd.DataFrame({"quarter": ["2022Q3"], "indicator": ["people_reached"], "dimension": ["total"],
                  "category": ["all"], "value": [33.0]}).to_csv(earlier / "2022Q3" / "indicators.csv", index=False)
    history = load_history(Quarter.parse("2022Q4"), CFG, processed, earlier)
    assert history.to_dict("list") == {"quarter": ["2022Q1", "2022Q3"], "people_reached": [10.0, 33.0],
                                       "source": ["published", "pipeline"]}  # a processed quarter overrides

    with pytest.raises(FileNotFoundError, match=r"2023Q1/published-totals.csv is missing: the clean step"):
        load_history(Quarter.parse("2023Q1"), CFG, processed, earlier)  # never silently without the published totals


def test_the_published_totals_are_an_input_of_the_cleaning(tmp_path):
    """Changed totals make the clean step (and so the indicators) run again; they are not an earlier quarter."""
    raw, processed = _raw(tmp_path, GOOD), tmp_path / "processed"
    (raw / "2022Q4").mkdir()
    (raw / "2022Q4" / "log.csv").write_text("a\n", encoding="utf-8")
    run = context.build("2022Q4", raw_dir=raw, processed_dir=processed)
    record = inputs.run_inputs(run, key_fingerprint="f", switches={})
    assert record["published_totals"] == {"published-totals.csv": inputs.sha256(raw / "published-totals.csv")}
    assert record["earlier"] == {}
    (raw / "published-totals.csv").write_text(GOOD.replace("130000", "130500"), encoding="utf-8")
    corrected = inputs.run_inputs(run, key_fingerprint="f", switches={})
    assert corrected["clean_key"] != record["clean_key"] and corrected["indicators_key"] != record["indicators_key"]
    assert corrected["raw"] == record["raw"]


def test_a_version_published_before_the_check_still_names_its_published_totals():
    """Manifests made before the cleaning checked the totals list them among the earlier quarters' files."""
    name = "published-totals.csv"  # pipeline.yml's published_totals
    old = {"raw": {}, "earlier_quarters": {"2022Q3/indicators.csv": "a", "published-totals.csv": "b"}}
    assert _published_totals(old, name) == {"published-totals.csv": "b"}
    assert _published_totals({**old, "published_totals": {"published-totals.csv": "c"}}, name) == {
        "published-totals.csv": "c"}
    assert _published_totals({"raw": {}, "published_totals": {}, "earlier_quarters": {}}, name) == {}


@pytest.mark.slow
def test_a_run_with_a_bad_table_stops_in_the_clean_step_with_one_line(tmp_path, fixture_raw, monkeypatch):
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "fixture key, not a secret")
    raw = tmp_path / "raw"
    shutil.copytree(fixture_raw, raw)
    table = raw / "published-totals.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("2022Q2,130000", '2022Q2,"130,000"'),
                     encoding="utf-8")
    with pytest.raises(PipelineError) as stopped:
        run_quarter("2022Q4", raw, tmp_path / "processed", tmp_path / "reports", progress=False)
    message = str(stopped.value)
    assert message.startswith(f"{table}: row 3: people_reached '130,000' is not a whole number")
    assert "cell" not in message.split(" (executed notebooks")[0]  # the reason itself, not a notebook traceback
    assert not (tmp_path / "processed" / "2022Q4").exists() and not (tmp_path / "reports" / "2022Q4").exists()
    failed = next((tmp_path / "processed").glob("2022Q4.failed-*"))
    assert sorted(p.name for p in failed.glob("*.ipynb")) == ["01_clean.ipynb"]


def test_the_checked_copy_is_what_the_history_reads(tmp_path):
    """The copy holds quarters and numbers only; read back it is the checked table."""
    raw = _raw(tmp_path, HEADER + '2022Q1,120000,"=HYPERLINK(""http://x"")"\n')
    table = totals.read(raw, Quarter.parse("2022Q4"), CFG)
    path = totals.write(table, tmp_path / "processed" / "2022Q4", CFG)
    assert "HYPERLINK" not in path.read_text(encoding="utf-8")
    back = read_csv(path, dtype={"quarter": "string"})
    pd.testing.assert_frame_equal(back, table, check_dtype=False)


def test_an_identifier_typed_in_a_cell_is_masked_in_the_message(tmp_path):
    raw = _raw(tmp_path, HEADER + "2022Q1,Ahmet 0532 123 45 67,typed in the wrong column\n")
    with pytest.raises(PublishedTotalsError, match=r"row 2: .*\[phone\]") as stopped:
        totals.read(raw, Quarter.parse("2022Q4"), CFG)
    assert "0532" not in str(stopped.value) and "123 45 67" not in str(stopped.value)


def test_the_check_before_a_run_names_a_bad_table(tmp_path, fixture_raw):
    from helpers.check import check_quarter

    raw = tmp_path / "raw"
    shutil.copytree(fixture_raw, raw)
    (raw / "published-totals.csv").write_text(HEADER + "2022Q1,67.389,typed by hand\n", encoding="utf-8")
    found = check_quarter(context.build("2022Q4", raw_dir=raw))
    assert found.exit_code == 1
    assert any("published-totals.csv: row 2:" in line and "67.389" in line for line in found.stops)


def test_excel_unicode_text_and_an_oversized_file_are_named_not_parsed(tmp_path):
    raw = _raw(tmp_path, GOOD.encode("utf-16"))
    with pytest.raises(PublishedTotalsError, match=r"UTF-16 text.*save the table as CSV UTF-8"):
        totals.read(raw, Quarter.parse("2022Q4"), CFG)
    raw = _raw(tmp_path, GOOD + "2021Q1,1,x\n" * 100_000)
    with pytest.raises(PublishedTotalsError, match="bytes; a table of published totals is a few lines"):
        totals.read(raw, Quarter.parse("2022Q4"), CFG)
