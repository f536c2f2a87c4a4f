"""Repository paths and quarter handling, resolved from this file (or ``QUARTERLY_REPORT_HOME`` for an installed
package), never from the working directory."""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HOME_ENV = "QUARTERLY_REPORT_HOME"


def _project_root() -> Path:
    """The project folder (config, reference data, notebooks, narratives, data): the checkout this package lives
    in, as ``make setup`` installs it; for a package installed from a wheel (``pip install .`` on a server), the
    checkout named by ``QUARTERLY_REPORT_HOME``."""
    chosen = os.environ.get(HOME_ENV)
    return Path(chosen).expanduser().resolve() if chosen else Path(__file__).resolve().parents[2]


REPO_ROOT = _project_root()
CONFIG_DIR = REPO_ROOT / "config"
CONFIG_ENV = "QUARTERLY_REPORT_CONFIG"  # the configuration folder to use instead (tests, other programmes)
DATA_DIR = REPO_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
REFERENCE_DIR = DATA_DIR / "reference"
REPORTS_DIR = REPO_ROOT / "reports"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
DATA_NOTEBOOKS = ("01_clean.ipynb", "02_indicators.ipynb")  # the report notebook makes no processed data
REPORT_NOTEBOOK = "03_report.ipynb"  # run once per edition
NARRATIVES_DIR = REPO_ROOT / "narratives"
SAMPLE_LATE_DIR = "late"  # under the raw folder: the bundled sample's late files, late/<Q>/..., until added to <Q>/


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; it replaces ``path`` only once the block succeeds.

    A reader never sees half a file, and a failed write leaves the previous file as it was. The temporary name
    is the writer's own (process and thread): two writers of the same file (the editions of a report, made side
    by side, each write the quarter's sources) never rename each other's half-written file.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


# The names of what a run publishes beside a quarter's report (the report itself, its public data, its sources).
SOURCES_FILE = "sources.csv"  # per source table counts, in the processed quarter, published beside the report
# Everything under the reports folder may be served to the public; the audit trail may not (it names raw files and
# shows the cleaning's workings), so it lives in the processed folder: a run's executed notebooks, run.log and
# run.json in ``<processed>/<Q>/audit/``, a failed run's in ``<processed>/<Q>.failed-<time>/``, and a published
# version's, with its manifest, in ``<processed>/<Q>.versions/v<N>/``.
AUDIT = "audit"
VERSIONS = ".versions"  # ``<Q>.versions``: a quarter's published versions, in both roots
FAILED = ".failed-"  # ``<Q>.failed-<time>``: a failed run's executed notebooks and log


def lock_file(processed: Path, name: str) -> Path:
    """The lock ``name`` (an OS file lock taken with :mod:`filelock`), in ``<processed>/.locks/``: the processed
    root holds the locks that guard it and the reports root published with it, since nothing but publishable
    files may be under the reports folder."""
    folder = Path(processed) / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.lock"


def failed_dir(processed: Path, quarter: Quarter, stamp: str) -> Path:
    """Where a failed run of ``quarter`` keeps its executed notebooks and run.log (internal, never served)."""
    return Path(processed) / f"{quarter}{FAILED}{stamp}"


def report_basename(quarter: Quarter) -> str:
    """File name (without extension) of a quarter's report."""
    return f"refugee-response-{quarter}"


def public_data_name(quarter: Quarter) -> str:
    """File name of the shareable indicators published next to the report."""
    return f"{report_basename(quarter)}-indicators.csv"


def sources_name(quarter: Quarter) -> str:
    """File name of the per-file data-quality table published next to the report."""
    return f"{report_basename(quarter)}-sources.csv"


_QUARTER_RE = re.compile(r"^([0-9]{4})Q([1-4])$")  # ASCII digits: \d would also read ٢٠٢٢ or ２０２２
_OWN_RE = re.compile(rf"^[0-9]{{4}}Q[1-4](?:{re.escape(VERSIONS)}|{re.escape(FAILED)}.+)$")  # beside the quarters


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter such as ``2022Q4``."""

    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER_RE.fullmatch(str(text).strip())
        if not match:
            raise ValueError(f"quarter must look like 2022Q4, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    def __fspath__(self) -> str:
        """A quarter names its folder in each of the raw, processed and reports folders: ``processed / q``."""
        return str(self)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> date:
        """Last day of the quarter."""
        return date(self.year, 12, 31) if self.q == 4 else date(self.year, 3 * self.q + 1, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        """Human label, e.g. ``October–December 2022``."""
        first, last = self.start.strftime("%B"), self.end.strftime("%B")
        return f"{first}–{last} {self.year}"


_IGNORED: set[Path] = set()  # folders already said to be ignored (one log line each per process)


def quarter_folders(root: Path, needs: str | None = None) -> dict[str, Path]:
    """The folders of ``root`` named exactly as a quarter (``2022Q4``), by quarter, oldest first; with ``needs``,
    only those holding that file. Any other visible folder (a backup ``2022Q3.bak``, ``2022Q3 `` with a space, a
    copy) is not a quarter: it is ignored, with one log line naming it. The pipeline's own folders pass in
    silence: hidden ones (staging, locks), published versions and failed runs."""
    found = {}
    for path in sorted(Path(root).iterdir()) if Path(root).is_dir() else []:
        if not path.is_dir() or path.name.startswith(".") or _OWN_RE.fullmatch(path.name):
            continue
        if _QUARTER_RE.fullmatch(path.name) is None:
            if path not in _IGNORED:
                _IGNORED.add(path)
                logging.getLogger(__name__).warning("%s is not a quarter's folder (not named like 2022Q4): ignored",
                                                    path)
            continue
        if needs is None or (path / needs).is_file():
            found[path.name] = path
    return dict(sorted(found.items(), key=lambda item: Quarter.parse(item[0])))


def inside(path: Path, root: Path) -> bool:
    """True when ``path``, links followed, lies within ``root``."""
    return path.resolve().is_relative_to(Path(root).resolve())


def resolve(path: str | Path | None, default: Path) -> Path:
    """Resolve a user-given folder: absolute as given, relative to the repository root, or the default."""
    if path is None or str(path) == "":
        return default
    path = Path(path).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path
