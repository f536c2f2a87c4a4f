"""End to end on the small fixture quarter: papermill runs of the three notebooks, HTML and PDF, failures."""

import re
import shutil

import pandas as pd
import pytest
from pypdf import PdfReader

from helpers.cli import main
from helpers.config import Configuration
from helpers.errors import PipelineError
from helpers.measure.indicators import value
from helpers.paths import CONFIG_DIR
from helpers.pipeline import run_quarter

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

PLANTED = ["Ayşe Yılmaz", "Mehmet Demir", "+90 532 111 22 33", "12345678901", "Derya Su", "TR-SAN-0001", "HH-0001"]

pytestmark = pytest.mark.slow


@pytest.fixture
def run(fixture_run):
    return fixture_run


def test_each_notebook_ran_and_wrote_its_outputs(run):
    root, result = run
    processed = root / "processed" / "2022Q4"
    assert sorted(p.name for p in (processed / "audit").glob("*.ipynb")) == [  # the audit trail: not served
        "01_clean.ipynb", "02_indicators.ipynb", "03_report.ipynb", "03_report.tr.ipynb"]
    assert result.log == processed / "audit" / "run.log"
    assert not list(result.report_dir.glob("*.ipynb")) and not list(result.report_dir.glob("*.log"))
    for name in ["records.parquet", "rejects.csv", "quality.json", "indicators.csv", "indicators_public.csv"]:
        assert (processed / name).is_file(), name
    # the partners' feedback, written beside the later notebooks: one workbook per file with rows not kept
    rejects = pd.read_csv(processed / "rejects.csv", encoding="utf-8-sig")
    files = rejects["source"].str.split(" [", regex=False).str[0].unique()
    safe = [re.sub(r"[^\w.-]+", "_", name).strip("_") + ".xlsx" for name in files]
    assert sorted(p.name for p in (processed / "feedback").glob("*.xlsx")) == sorted(safe) and len(safe) >= 2
    indicators = pd.read_csv(processed / "indicators.csv", keep_default_na=False)
    assert list(indicators.columns) == ["quarter", "indicator", "dimension", "category", "value"]
    reached = value(indicators, "people_reached", cfg=CFG)
    assert value(indicators, "people_reached_year_to_date", cfg=CFG) == 390_000 + reached
    log = result.log.read_text()
    assert "run 2022Q4" in log and f"people reached {value(indicators, 'people_reached', cfg=CFG):,.0f}" in log
    assert re.search(r"rows read 21, kept \d+, duplicate 3", log)


def test_html_is_self_contained_and_shows_the_figures(run):
    _, result = run
    page = result.html.read_text(encoding="utf-8")
    assert "<script src=" not in page
    assert not re.search(r"(src|href)=\"https?://", page)
    assert page.count("data:image/svg+xml") >= 5
    assert "Şanlıurfa" in page and "DRAFT" in page  # no narrative file for the fixture quarter
    assert "import " not in page and "Traceback" not in page and "Warning" not in page


def test_pdf_text_has_turkish_names_and_the_quarter_total(run):
    root, result = run
    indicators = pd.read_csv(root / "processed" / "2022Q4" / "indicators.csv", keep_default_na=False)
    text = "\n".join(page.extract_text() for page in PdfReader(result.pdf).pages)
    assert "Şanlıurfa" in text
    assert f"{value(indicators, 'people_reached', cfg=CFG):,.0f}" in text
    assert re.search(r"Page 1 of \d+", text)


def test_no_direct_identifier_reaches_processed_data_or_reports(run):
    root, _ = run
    for path in [*root.joinpath("processed").rglob("*"), *root.joinpath("reports").rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".pdf":
                text = "".join(page.extract_text() for page in PdfReader(path).pages)
            else:
                text = data.decode("utf-8", "replace")
            for planted in PLANTED:
                assert planted.encode() not in data and planted not in text, f"{planted} in {path}"


def test_a_mistyped_parameter_or_quarter_is_refused_before_anything_runs(tmp_path, fixture_raw):
    with pytest.raises(PipelineError, match="unknown parameter 'quater'"):
        run_quarter("2022Q4", fixture_raw, tmp_path / "p", tmp_path / "r", parameters={"quater": "2022Q3"})
    with pytest.raises(PipelineError, match="2022Q4"):
        run_quarter("2022-Q4", fixture_raw, tmp_path / "p", tmp_path / "r")
    assert not (tmp_path / "r").exists() and not (tmp_path / "p").exists()


def test_a_failing_run_names_notebook_and_cell_and_keeps_the_good_report(run, fixture_raw, tmp_path, capsys,
                                                                        monkeypatch):
    _, good = run
    raw = tmp_path / "raw"
    shutil.copytree(fixture_raw, raw)
    (raw / "2022Q4" / "broken.xlsx").write_bytes(b"not a workbook")
    reports = tmp_path / "reports"
    shutil.copytree(good.report_dir, reports / "2022Q4")
    before = (reports / "2022Q4" / good.pdf.name).read_bytes()
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "fixture key, not a secret")
    code = main(["run", "--quarter", "2022Q4", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "p"),
                 "--reports-dir", str(reports), "--no-progress", "-p", "narratives_dir", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert re.search(r"01_clean\.ipynb failed in cell \d+: SourceReadError: .*broken\.xlsx", err[-1])
    assert (reports / "2022Q4" / good.pdf.name).read_bytes() == before
    assert not list(reports.glob("2022Q4.failed-*"))  # kept outside the served folder
    failed = list((tmp_path / "p").glob("2022Q4.failed-*"))
    assert len(failed) == 1 and (failed[0] / "01_clean.ipynb").is_file()


def test_skip_bad_files_lists_the_file_instead_of_stopping(tmp_path, fixture_raw, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(fixture_raw, raw)
    (raw / "2022Q4" / "broken.xlsx").write_bytes(b"not a workbook")
    monkeypatch.setenv("PSEUDONYMISATION_KEY", "fixture key, not a secret")
    result = run_quarter("2022Q4", raw, tmp_path / "p", tmp_path / "r", skip_bad_files=True, progress=False,
                         parameters={"narratives_dir": str(tmp_path)})
    page = result.html.read_text(encoding="utf-8")
    assert "1 file could not be read and was skipped (file 1: damaged or not a valid file)" in page  # counted, by
    # a neutral label, with why in the reader's words (the reason itself may quote the file's own names)
    assert "broken.xlsx" not in page  # file names never published
