"""Interactive runs write to a scratch area: a notebook run by hand with papermill (or Run All in JupyterLab) with
its default parameters writes under data/interim/<Q>/ and never touches data/processed/, history.csv or reports/;
only `quarterly-report run` publishes."""

import shutil

import papermill
import pytest

from helpers.paths import DATA_DIR, NOTEBOOKS_DIR, PROCESSED_DIR, REPORTS_DIR
from helpers.pipeline import KERNEL, notebook_parameters

pytestmark = pytest.mark.slow

INTERIM = DATA_DIR / "interim"


def _snapshot(*roots):
    return {path: path.read_bytes() for root in roots if root.is_dir() for path in sorted(root.rglob("*"))
            if path.is_file() and not path.name.endswith(".lock")}


def test_the_notebooks_default_to_the_scratch_area():
    for name in ("01_clean.ipynb", "02_indicators.ipynb", "03_report.ipynb"):
        assert notebook_parameters(NOTEBOOKS_DIR / name)["processed_dir"] == '"data/interim"', name


def test_papermill_by_hand_with_defaults_leaves_processed_and_reports_byte_identical(generated_sample, tmp_path,
                                                                                    monkeypatch):
    monkeypatch.delenv("PSEUDONYMISATION_KEY", raising=False)  # the sample's demo key
    before = _snapshot(PROCESSED_DIR, REPORTS_DIR)
    scratch = INTERIM / "2022Q4"
    kept = tmp_path / "interim-before"
    if scratch.exists():  # a developer's own scratch work: put back afterwards
        shutil.copytree(scratch, kept)
    history = INTERIM / "history.csv"
    had = history.read_bytes() if history.is_file() else None
    try:
        for name in ("01_clean.ipynb", "02_indicators.ipynb"):
            parameters = {"raw_dir": str(generated_sample[0])} if name == "01_clean.ipynb" else {}
            papermill.execute_notebook(str(NOTEBOOKS_DIR / name), str(tmp_path / name), parameters=parameters,
                                       kernel_name=KERNEL, progress_bar=False, cwd=str(NOTEBOOKS_DIR))
        assert (scratch / "records.parquet").is_file() and (scratch / "indicators.csv").is_file()
        assert history.is_file()
        assert _snapshot(PROCESSED_DIR, REPORTS_DIR) == before
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        history.unlink(missing_ok=True)
        if had is not None:
            history.write_bytes(had)
        if kept.exists():
            shutil.copytree(kept, scratch)
