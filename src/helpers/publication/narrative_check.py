"""``quarterly-report check --narrative --quarter Q``: a narrative checked in seconds, without a run.

Every unknown placeholder, indicator, dimension, category and heading of ``narratives/<Q>.md`` is listed at once,
each with its line and the nearest valid names, against the quarter's indicators when it has been processed
(``data/processed/<Q>/indicators.csv``), else against what the configuration declares. A run stops on the first
of them only, after the data steps, and leaves a failed-run folder behind.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers import context
from helpers.context import RunContext
from helpers.publication.labels import narrative_sections
from helpers.publication.language import languages, using
from helpers.publication.narrative import narrative_path, problems

COLUMNS = ["quarter", "indicator", "dimension", "category", "value"]


def check(quarter: str, processed_dir: str | Path | None = None, narratives_dir: str | Path | None = None,
          language: str | None = None, *, config_dir: str | Path | None = None) -> tuple[Path, str, list[str]]:
    """(the narrative file, what it was checked against, its problems); raises ``ValueError`` for a malformed
    quarter and ``FileNotFoundError`` when the quarter has no narrative. ``language``: an edition's narrative
    (``tr``: ``<Q>.tr.md``, its headings the Turkish section titles); the first language's by default."""
    run = context.build(quarter, processed_dir=processed_dir, narratives_dir=narratives_dir, config_dir=config_dir)
    with using(language or languages(run.config)[0].code, run.config) as edition:
        return _check(run, edition.suffix)


def _check(run: RunContext, suffix: str) -> tuple[Path, str, list[str]]:
    q = run.quarter
    path = narrative_path(q, run.folders.narratives, suffix)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: the report of {q} would be a draft with an automatic "
                                "summary")
    table = run.folders.processed / q / "indicators.csv"
    if table.is_file():
        indicators, against = pd.read_csv(table, keep_default_na=False, dtype={"category": str}), str(table)
    else:
        indicators, against = pd.DataFrame(columns=COLUMNS), "config/ (the quarter has no processed data yet)"
    return path, against, problems(path.read_text(encoding="utf-8"), indicators, narrative_sections(), run.config,
                                   str(path))
