"""Shared, expensive fixtures: one pipeline run per data set for the whole test session."""

from pathlib import Path

import pytest

from helpers.pipeline import RunResult, run_quarter

FIXTURE_RAW = Path(__file__).parent / "fixtures" / "quarter"


@pytest.fixture(scope="session")
def fixture_raw() -> Path:
    """Raw root of the small fixture quarter (2022Q4): ugly but valid files, planted identifiers, rejects."""
    return FIXTURE_RAW


@pytest.fixture(scope="session")
def fixture_run(tmp_path_factory) -> tuple[Path, RunResult]:
    """The small fixture quarter run end to end: (output root, run result)."""
    root = tmp_path_factory.mktemp("fixture-run")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PSEUDONYMISATION_KEY", "fixture key, not a secret")
        result = run_quarter("2022Q4", FIXTURE_RAW, root / "processed", root / "reports", progress=False,
                             parameters={"narratives_dir": str(root / "no-narratives")})
    return root, result


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> tuple[Path, RunResult]:
    """The bundled 2022Q4 sample, generated afresh and run end to end with its narrative: (root, result)."""
    from samplegen.quarter import generate

    root = tmp_path_factory.mktemp("sample-run")
    generate(root / "raw")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PSEUDONYMISATION_KEY", raising=False)  # the sample runs on its own demo key
        result = run_quarter("2022Q4", root / "raw", root / "processed", root / "reports", progress=False)
    return root, result
