"""Run one quarter end to end: the three notebooks with papermill, then the report through nbconvert.

Failure is loud and safe: parameters are checked against each notebook's ``parameters`` cell before
anything runs; a failing notebook stops the run with the notebook and cell named; everything is written to
a staging folder first and moved into ``reports/<QUARTER>/`` only when the whole run succeeded, so the
previous good report stays in place. The failed run is kept in ``reports/<QUARTER>.failed-<time>/``.
"""

from __future__ import annotations

import json
import logging
import platform
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import papermill
from papermill.exceptions import PapermillExecutionError

from helpers import __version__
from helpers.disclosure import dictionary_name
from helpers.indicators import value
from helpers.paths import NOTEBOOKS_DIR, PROCESSED_DIR, RAW_DIR, REPO_ROOT, REPORTS_DIR, Quarter, resolve
from helpers.render import render_report
from helpers.report import public_data_name, report_basename

log = logging.getLogger(__name__)

NOTEBOOKS = ["01_clean.ipynb", "02_indicators.ipynb", "03_report.ipynb"]
KERNEL = "python3"
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]  # the kernel's own start-up chatter is not the user's business


class PipelineError(RuntimeError):
    """A run failed; the message is the one-line reason shown to the user."""


@dataclass
class RunResult:
    """Where a successful run put its outputs."""

    quarter: str
    report_dir: Path
    html: Path
    pdf: Path
    log: Path
    seconds: float


def notebook_parameters(notebook: Path) -> dict[str, Any]:
    """Names and default values declared in a notebook's ``parameters`` cell."""
    return {name: spec["default"] for name, spec in papermill.inspect_notebook(str(notebook)).items()}


def _check_parameters(notebooks: list[Path], common: dict[str, Any], extra: dict[str, Any]) -> list[dict]:
    """Parameters per notebook; a name no notebook declares is refused (papermill alone only warns)."""
    declared = {nb: notebook_parameters(nb) for nb in notebooks}
    known = set().union(*(set(d) for d in declared.values()))
    unknown = sorted(set(extra) - known)
    if unknown:
        raise PipelineError(
            f"unknown parameter {', '.join(map(repr, unknown))}: the notebooks declare {', '.join(sorted(known))}"
        )
    for nb, names in declared.items():
        if "quarter" not in names:
            raise PipelineError(f"{nb.name} has no 'quarter' in its parameters cell")
    merged = {**common, **extra}
    return [{k: v for k, v in merged.items() if k in declared[nb]} for nb in notebooks]


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=False)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def _start_log(path: Path) -> logging.Handler:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per page and step
    return handler


def _log_outcome(folder: Path) -> None:
    """Record in the run log what the data gave: rows kept and dropped, and the headline total."""
    totals = json.loads((folder / "quality.json").read_text(encoding="utf-8"))["totals"]
    log.info("rows read %s, kept %s, duplicate %s, out of period %s, rejected %s %s",
             *(f"{totals[k]:,}" for k in ["rows_read", "rows_kept", "duplicate", "out_of_period", "rejected"]),
             {r: n for r, n in totals["by_reason"].items() if n and r not in ("duplicate", "out_of_period")})
    indicators = pd.read_csv(folder / "indicators.csv", keep_default_na=False)
    log.info("people reached %s", f"{value(indicators, 'people_reached'):,.0f}")


def _publish(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with two renames; the old report survives until the new one is in."""
    backup = target.with_name(f".{target.name}.previous")
    shutil.rmtree(backup, ignore_errors=True)
    if target.exists():
        target.rename(backup)
    staging.rename(target)
    shutil.rmtree(backup, ignore_errors=True)


def run_quarter(
    quarter: str,
    raw_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    reports_dir: str | Path | None = None,
    *,
    skip_bad_files: bool = False,
    parameters: dict[str, Any] | None = None,
    progress: bool = True,
) -> RunResult:
    """Clean, compute indicators and render the report of ``quarter`` (e.g. ``2022Q4``).

    Folders default to ``data/raw``, ``data/processed`` and ``reports``; relative folders are taken from the
    repository root. ``parameters`` overrides notebook parameters by name.
    """
    try:
        q = str(Quarter.parse(quarter))
    except ValueError as error:
        raise PipelineError(str(error)) from None
    raw = resolve(raw_dir, RAW_DIR)
    processed = resolve(processed_dir, PROCESSED_DIR)
    reports = resolve(reports_dir, REPORTS_DIR)
    if not (raw / q).is_dir():
        raise PipelineError(f"no raw data for {q}: {raw / q} does not exist")
    notebooks = [NOTEBOOKS_DIR / name for name in NOTEBOOKS]
    common = {"quarter": q, "raw_dir": str(raw), "processed_dir": str(processed), "reports_dir": str(reports),
              "skip_bad_files": skip_bad_files}
    per_notebook = _check_parameters(notebooks, common, dict(parameters or {}))

    reports.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{q}.staging-", dir=reports))
    run_log = staging / "run.log"
    handler = _start_log(run_log)
    started = time.perf_counter()
    try:
        log.info("run %s: helpers %s, commit %s, Python %s", q, __version__, _git_commit(), platform.python_version())
        log.info("raw %s, processed %s, reports %s", raw, processed, reports)
        for step, (notebook, params) in enumerate(zip(notebooks, per_notebook, strict=True), start=1):
            print(f"[{step}/{len(notebooks) + 1}] {notebook.name}", flush=True)
            log.info("executing %s with %s", notebook.name, params)
            t0 = time.perf_counter()
            try:
                papermill.execute_notebook(
                    str(notebook), str(staging / notebook.name), parameters=params, kernel_name=KERNEL,
                    progress_bar=progress, cwd=str(NOTEBOOKS_DIR), extra_arguments=KERNEL_ARGUMENTS,
                )
            except PapermillExecutionError as error:
                raise PipelineError(
                    f"{notebook.name} failed in cell {error.cell_index + 1}: {error.ename}: {error.evalue}"
                ) from None
            log.info("%s done in %.1f s", notebook.name, time.perf_counter() - t0)
        _log_outcome(processed / q)
        print(f"[{len(notebooks) + 1}/{len(notebooks) + 1}] rendering HTML and PDF", flush=True)
        html, pdf = render_report(staging / NOTEBOOKS[-1], staging, report_basename(q))
        for public, name in [("indicators_public.csv", public_data_name(q)),
                             (dictionary_name("indicators_public.csv"), dictionary_name(public_data_name(q)))]:
            shutil.copyfile(processed / q / public, staging / name)
        seconds = time.perf_counter() - started
        log.info("report rendered: %s, %s; run took %.1f s", html.name, pdf.name, seconds)
    except BaseException as error:
        log.error("run failed: %s", error)
        logging.getLogger().removeHandler(handler)
        handler.close()
        failed = reports / f"{q}.failed-{datetime.now():%Y%m%d-%H%M%S}"
        staging.rename(failed)
        if isinstance(error, PipelineError):
            raise PipelineError(f"{error} (executed notebooks and run.log kept in {failed})") from None
        raise
    logging.getLogger().removeHandler(handler)
    handler.close()
    target = reports / q
    _publish(staging, target)
    return RunResult(q, target, target / html.name, target / pdf.name, target / run_log.name, seconds)
