"""One run's context, built once from the run's plain values: the quarter parsed, the folders resolved, the
configuration loaded and checked (the typed models kept). The command line and each notebook build it from their
parameters and pass it down, so the layers neither read configuration nor parse the quarter themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helpers import config
from helpers.config import Configuration
from helpers.errors import ConfigError
from helpers.paths import NARRATIVES_DIR, PROCESSED_DIR, RAW_DIR, REPORTS_DIR, Quarter, resolve


@dataclass(frozen=True)
class Folders:
    """Where a run reads and writes; relative folders are taken from the repository."""

    raw: Path = RAW_DIR  # the raw logs' root (<raw>/<Q>/...)
    processed: Path = PROCESSED_DIR  # where this run writes its processed quarter (a staging folder in a run)
    reports: Path = REPORTS_DIR
    narratives: Path = NARRATIVES_DIR
    earlier: Path = PROCESSED_DIR  # earlier quarters' processed data, and published versions' audit trails


@dataclass(frozen=True)
class RunContext:
    """What every layer of one run needs to know about the run."""

    quarter: Quarter
    folders: Folders
    config: Configuration


def build(quarter: str | Quarter, *, raw_dir: str | Path | None = None, processed_dir: str | Path | None = None,
          reports_dir: str | Path | None = None, narratives_dir: str | Path | None = None,
          earlier_dir: str | Path | None = None, config_dir: str | Path | None = None) -> RunContext:
    """The context of a run of ``quarter`` (``2022Q4``): an unset or empty folder is the default (``earlier_dir``:
    the processed folder); the configuration folder is ``config_dir``, else the one in use
    (:func:`helpers.config.directory`: ``QUARTERLY_REPORT_CONFIG`` or ``config/``). A quarter not written like
    ``2022Q4`` is a :class:`ValueError`; a configuration file that does not fit its model a ConfigError, raised
    here, before anything runs."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    processed = resolve(processed_dir, PROCESSED_DIR)
    folders = Folders(raw=resolve(raw_dir, RAW_DIR), processed=processed, reports=resolve(reports_dir, REPORTS_DIR),
                      narratives=resolve(narratives_dir, NARRATIVES_DIR), earlier=resolve(earlier_dir, processed))
    folder = Path(config_dir).expanduser().resolve() if config_dir else config.directory()
    if not folder.is_dir():
        raise ConfigError(f"configuration folder {folder} does not exist")
    return RunContext(q, folders, Configuration(folder).checked())
