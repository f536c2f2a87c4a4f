"""Shared, expensive fixtures: one pipeline run per data set for the whole test session."""

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from helpers.clean import dates, normalise, numbers
from helpers.config import Configuration
from helpers.paths import CONFIG_DIR
from helpers.pipeline import RunResult, run_quarter
from helpers.publication import language

FIXTURE_RAW = Path(__file__).parent / "fixtures" / "quarter"
CHROMIUM = "/usr/bin/chromium"
# Headless, and quiet on a machine without a network: no background requests, no updates, no sync.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
SEED_FILE = Path(__file__).parent / "fixtures" / "seed-2022Q4.yml"
CFG = Configuration(CONFIG_DIR)  # the repository's configuration, as a run hands it down (helpers.context)

# No test is timed: on a loaded machine an example that takes longer than hypothesis's 200 ms deadline is not
# a failure of the code.
settings.register_profile("untimed", deadline=None)
settings.load_profile("untimed")


@pytest.fixture(autouse=True)
def _parsers_start_each_test_unread():
    """The text parsers remember each distinct text they read (per process). A test starts with them empty, so it
    reads every text itself whichever tests ran before it; mutation testing relies on it too, since mutmut runs the
    clean tests in the process it then forks per mutant, and a remembered reading would hide a mutated parser."""
    for parser in (numbers._readings, dates._date_readings, normalise._activity_names):
        parser.cache_clear()


@pytest.fixture(autouse=True)
def _edition_in_use_stays_in_its_test():
    """A test that chooses an edition (``language.use``, as ``Report.load`` does once per report kernel) leaves it
    behind in this process; the next test would print with that edition's configuration, not its own."""
    before = list(language._active)
    yield
    language._active[:] = before


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


@dataclass(frozen=True)
class Seed:
    """The seed report's published figures (tests/fixtures/seed-2022Q4.yml, the one copy)."""

    figures: list[tuple[str, str, str, int]]
    provinces: set[str]

    def of(self, indicator: str, dimension: str) -> dict[str, int]:
        """The figures of one indicator and dimension, by category."""
        return {c: v for i, d, c, v in self.figures if (i, d) == (indicator, dimension)}


def seed() -> Seed:
    data = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    return Seed([tuple(row) for row in data["figures"]], set(data["provinces"]))


@pytest.fixture(scope="session")
def seed_figures() -> Seed:
    return seed()


@pytest.fixture(scope="session")
def generated_sample(tmp_path_factory) -> tuple[Path, list[Path]]:
    """The bundled sample, generated once per test run: (raw root, files written). Read it, never change it;
    copy it to tamper with it."""
    from samplegen.quarter import generate

    root = tmp_path_factory.mktemp("sample") / "raw"
    return root, generate(root)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory, generated_sample) -> tuple[Path, RunResult]:
    """The bundled 2022Q4 sample run end to end with its narrative: (root, result); the raw data under
    ``generated_sample``."""
    root = tmp_path_factory.mktemp("sample-run")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PSEUDONYMISATION_KEY", raising=False)  # the sample runs on its own demo key
        result = run_quarter("2022Q4", generated_sample[0], root / "processed", root / "reports", progress=False)
    return root, result


@pytest.fixture
def config_copy(tmp_path) -> Path:
    """A copy of ``config/`` to edit as an analyst would, never switched on for the process: a test builds its
    configuration from it (``Configuration(config_copy)``, ``context.build(..., config_dir=config_copy)``,
    ``run_quarter(..., config_dir=config_copy)``) and hands it down, as a run does."""
    folder = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) by ``new`` in a text file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's), shared by the tests that look at a page as a reader's browser does."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
