"""Run one quarter end to end: the three notebooks with papermill, then the report through nbconvert.

Failure is loud and safe. Before anything runs, parameters are checked against each notebook's ``parameters``
cell (the quarter, the folders and the run's switches cannot be overridden with ``-p``) and the key is checked.
Everything is written to staging folders and moved into place together only when the whole run succeeded
(:mod:`helpers.staging`: the quarter's lock, the renames and their journal); a failure anywhere (a notebook, the
rendering, a full disk, a failed rename) leaves the processed data, the history and the report as they were.
``history.csv`` is merged while the run's outputs are moved into place (:func:`_merge_history`).
The reports folder receives only what may be served to the public (the report, its public data, dictionary,
printed figures and sources); the audit trail (executed notebooks, ``run.log``, ``run.json``) joins the
quarter's processed data in ``data/processed/<QUARTER>/audit/``, and a failed run's is kept in
``data/processed/<QUARTER>.failed-<time>/`` (the last :data:`KEEP_FAILED`). Folders are created with ``mkdir``,
so what is served follows the umask.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import platform
import shutil
import subprocess
import time
import uuid
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import papermill
from papermill.exceptions import PapermillExecutionError

from helpers import __version__, context
from helpers.clean import redact
from helpers.clean.feedback import write_feedback
from helpers.clean.pseudonymise import fingerprint, load_key
from helpers.clean.sample import sample_check
from helpers.config import Configuration
from helpers.context import RunContext
from helpers.csvfile import write_csv
from helpers.errors import DataStop, MissingKeyError, PipelineError, raised
from helpers.measure.disclosure import definitions_name, dictionary_name
from helpers.measure.indicators import history_with, load_history, value
from helpers.notebook_kernel import KERNEL, KERNEL_ARGUMENTS, ReportKernel
from helpers.paths import (
    AUDIT,
    FAILED,
    NARRATIVES_DIR,
    NOTEBOOKS_DIR,
    REPO_ROOT,
    SOURCES_FILE,
    Quarter,
    failed_dir,
    public_data_name,
    quarter_folders,
    report_basename,
    resolve,
    sources_name,
)
from helpers.provenance import inputs, revisions, stale
from helpers.provenance.site_index import RUN_FILE, write_index
from helpers.publication.datapackage import write_datapackage
from helpers.publication.language import Language, catalogue_path, languages
from helpers.publication.narrative import narrative_path
from helpers.staging import Move, journal_path, locked, make_folder, move_into_place, recover, tidy

log = logging.getLogger(__name__)

NOTEBOOKS = [*inputs.DATA_NOTEBOOKS, inputs.REPORT_NOTEBOOK]


# Parameters the run sets from its validated arguments; ``-p`` cannot override them (the flag to use instead).
RUN_PARAMETERS = {"quarter": "--quarter", "raw_dir": "--raw-dir", "processed_dir": "--processed-dir",
                  "reports_dir": "--reports-dir", "skip_bad_files": "--skip-bad-files",
                  "accept_losses": "--accept-losses", "earlier_quarters_dir": None, "language": None,
                  "config_dir": "--config"}
KEEP_FAILED = 3  # failed-run folders kept per quarter for debugging; older ones are removed
PUBLISH_WAIT = 600  # seconds a run waits for another quarter's run to finish publishing (renames: seconds)


@dataclass
class RunResult:
    """Where a successful run put its outputs."""

    quarter: Quarter
    report_dir: Path
    html: Path
    pdf: Path
    log: Path
    seconds: float
    reused: list[str] = field(default_factory=list)  # notebooks whose outputs were reused (inputs unchanged)
    out_of_date: list[str] = field(default_factory=list)  # later quarters this run left out of date, and why
    editions: list[Path] = field(default_factory=list)  # every edition's HTML and PDF, the source language's first

    def closing(self) -> list[str]:
        """What a run says at its end, under its time: the HTML and PDF of every edition, then its log."""
        return [*(f"  {path}" for path in self.editions), f"  log: {self.log}"]


def say(line: str) -> None:
    """A line of the run's progress on standard output, with the time: what cron mails or journald keeps is read
    later, and says when each step started."""
    print(f"{datetime.now():%Y-%m-%d %H:%M:%S} {line}", flush=True)


def notebook_parameters(notebook: Path) -> dict[str, Any]:
    """Names and default values declared in a notebook's ``parameters`` cell."""
    return {name: spec["default"] for name, spec in papermill.inspect_notebook(str(notebook)).items()}


def _check_parameters(notebooks: list[Path], common: dict[str, Any], extra: dict[str, Any]) -> list[dict]:
    """Parameters per notebook; a name no notebook declares is refused (papermill alone only warns)."""
    if fixed := sorted(set(extra) & set(RUN_PARAMETERS)):
        flags = [RUN_PARAMETERS[name] for name in fixed if RUN_PARAMETERS[name]]
        raise PipelineError(f"parameter {', '.join(map(repr, fixed))} cannot be set with -p: the run sets it from "
                            f"its checked arguments{' (use ' + ', '.join(flags) + ')' if flags else ''}")
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
    redact.mask_logs(handler)
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per page and step
    return handler


def _log_outcome(folder: Path, cfg: Configuration) -> None:
    """Record in the run log what the data gave: rows kept and dropped, and the headline total."""
    totals = json.loads((folder / "quality.json").read_text(encoding="utf-8"))["totals"]
    log.info("rows read %s, kept %s, duplicate %s, out of period %s, totals rows %s, rejected %s %s",
             *(f"{totals[k]:,}" for k in ["rows_read", "rows_kept", *cfg.drop_kinds()]),
             {r: n for r, n in totals["by_reason"].items() if n and r not in cfg.drop_kinds()})
    indicators = pd.read_csv(folder / "indicators.csv", keep_default_na=False)
    headline = cfg.headline()
    log.info("%s %s", cfg.indicator_specs()[headline]["label"].lower(), f"{value(indicators, headline, cfg=cfg):,.0f}")


def _check_key(folder: Path, processed: Path, quarter: Quarter, cfg: Configuration) -> str:
    """Refuse a missing or weak key before anything runs, and a key other than the earlier quarters' one.

    Each quarter's ``quality.json`` records the key's fingerprint; pseudonyms made with another key would not
    match the earlier quarters' ones, so people would be counted again. Returns the key's fingerprint.
    """
    sample, not_sample = sample_check(folder, cfg)
    try:
        key = load_key(cfg.setting_path("key_file"), sample=sample, not_sample=not_sample)
    except MissingKeyError as error:
        raise PipelineError(str(error)) from None
    if sample:
        return fingerprint(key)
    mine, others = fingerprint(key), {}
    for path in (folder / "quality.json" for folder in quarter_folders(processed, "quality.json").values()):
        quality = json.loads(path.read_text(encoding="utf-8"))
        theirs = quality.get("key_fingerprint")
        if quality.get("quarter") != str(quarter) and not quality.get("sample") and theirs not in (None, mine):
            others[quality.get("quarter", path.parent.name)] = theirs
    if others:
        earlier = ", ".join(f"{q} ({f})" for q, f in sorted(others.items()))
        raise PipelineError(f"the pseudonymisation key (fingerprint {mine}) is not the one {earlier} "
                            "was pseudonymised with: pseudonyms would not match across quarters; use the same key, "
                            "or re-run those quarters with this one")
    return mine


def _merge_history(q: Quarter, processed: Path, reports: Path, staged: Path, cfg: Configuration) -> None:
    """Rewrite the staged ``history.csv`` as the history is now, with this run's row for ``q``.

    Runs under the publishing lock, so a quarter that another run published meanwhile keeps its row (the
    published totals are those this run's cleaning checked, beside the staged history). Its
    year-to-date and since-start figures add the quarters before ``q`` as they were when the run began; if one
    of those changed meanwhile (an earlier quarter published or re-run), the figures would be stale, so the
    run stops, publishing nothing, and is run again. The ``version`` column says which report each total comes
    from (:func:`helpers.provenance.revisions.with_versions`; this run's data are still in the staging folder).
    """
    used = pd.read_csv(staged, dtype={"quarter": "string"})
    now, headline = load_history(q, cfg, staged.parent, processed), cfg.headline()

    def before(table: pd.DataFrame) -> dict[str, float]:
        return {k: float(v) for k, v in zip(table["quarter"], table[headline], strict=True)
                if Quarter.parse(k) < q}

    if changed := sorted(set(before(used).items()) ^ set(before(now).items())):
        quarters = ", ".join(dict.fromkeys(k for k, _ in changed))
        raise PipelineError(f"the history of {quarters} changed while {q} ran, so its year-to-date and since-start "
                            f"figures are out of date; nothing was published: run {q} again")
    merged = history_with(now, q, float(used.loc[used["quarter"] == str(q), headline].iloc[0]), headline)
    write_csv(revisions.with_versions(merged, processed, reports, staged={str(q): staged.parent}), staged)


def run_quarter(
    quarter: str,
    raw_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    reports_dir: str | Path | None = None,
    *,
    skip_bad_files: bool = False,
    accept_losses: bool = False,
    force: bool = False,
    parameters: dict[str, Any] | None = None,
    progress: bool = True,
    config_dir: str | Path | None = None,
    report_kernel: ReportKernel | None = None,
) -> RunResult:
    """Clean, compute indicators and render the report of ``quarter`` (e.g. ``2022Q4``).

    Folders default to ``data/raw``, ``data/processed`` and ``reports``; relative folders are taken from the
    repository root. ``parameters`` overrides other notebook parameters by name (such as ``narratives_dir``).
    ``accept_losses`` publishes a quarter whose data look wrong (``docs/losses.md``); the report says so.
    When the raw files, config, code, key and earlier quarters are those of the quarter's last run (content
    hashes, :mod:`helpers.provenance.inputs`), its cleaned data and indicators are reused and only the report is made
    again (an edited narrative); ``force`` recomputes everything. ``config_dir``: the configuration folder (else
    the one in use, :func:`helpers.config.directory`), handed to each notebook as its ``config_dir`` parameter.
    ``report_kernel``: a kernel started ahead (:mod:`helpers.notebook_kernel`) for the first edition made.
    """
    try:  # the run's context, once: the quarter parsed, the folders resolved, every configuration file checked
        run = context.build(quarter, raw_dir=raw_dir, processed_dir=processed_dir, reports_dir=reports_dir,
                            config_dir=config_dir)
    except ValueError as error:  # a quarter not written like 2022Q4, or a configuration file that does not fit
        raise PipelineError(str(error)) from None
    q, raw, processed, reports = run.quarter, run.folders.raw, run.folders.processed, run.folders.reports
    if not (raw / q).is_dir():
        raise PipelineError(f"no raw data for {q}: {raw / q} does not exist")
    notebooks = [NOTEBOOKS_DIR / name for name in NOTEBOOKS]
    _check_parameters(notebooks, {}, dict(parameters or {}))
    key_fingerprint = _check_key(raw / q, processed, q, run.config)
    for line in recover(processed, reports):
        say(f"warning: {line}")
    with locked(q, processed):
        tidy(q, processed, reports)
        name = f".{q}.staging-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}"
        stage_data, stage_report = make_folder(processed / f"{name}-data"), make_folder(reports / f"{name}-report")
        try:
            return _run(run, stage_data, stage_report, notebooks, parameters or {},
                        skip_bad_files=skip_bad_files, accept_losses=accept_losses, progress=progress,
                        force=force, key_fingerprint=key_fingerprint, report_kernel=report_kernel)
        finally:
            shutil.rmtree(stage_data, ignore_errors=True)
            shutil.rmtree(stage_report, ignore_errors=True)


def _run(run: RunContext, stage_data: Path, stage_report: Path,
         notebooks: list[Path], parameters: dict[str, Any], *, skip_bad_files: bool, accept_losses: bool,
         progress: bool, force: bool, key_fingerprint: str, report_kernel: ReportKernel | None) -> RunResult:
    """Execute the notebooks into the staging folders, render, and publish everything together."""
    q, raw, processed, reports = run.quarter, run.folders.raw, run.folders.processed, run.folders.reports
    common = {"quarter": str(q), "raw_dir": str(raw), "processed_dir": str(stage_data), "reports_dir": str(reports),
              "skip_bad_files": skip_bad_files, "accept_losses": accept_losses,
              "earlier_quarters_dir": str(processed), "config_dir": str(run.config.folder)}
    per_notebook = _check_parameters(notebooks, common, parameters)
    # The report notebook runs once per edition (config/report.yml's languages), from the same processed data
    editions = languages(run.config)
    steps = [(notebook, params, notebook.name, None) for notebook, params in zip(notebooks[:-1], per_notebook[:-1],
                                                                                 strict=True)]
    steps += [(notebooks[-1], {**per_notebook[-1], "language": language.code},
               inputs.executed_report(language.suffix), language) for language in editions]
    total = len(steps) + 1
    staging = make_folder(stage_report / "report")  # public files only
    audit = make_folder(stage_data / AUDIT)  # executed notebooks and logs: joins the processed quarter at the end
    run_log = audit / "run.log"
    handler = _start_log(run_log)
    started = time.perf_counter()
    # Two worker processes, forked now, before any thread of the run exists, take what can run beside the rest:
    # the partners' feedback workbooks (made after cleaning, read by nothing) and each edition's HTML and PDF. The
    # editions' notebooks run side by side too, each in its own kernel process.
    beside = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork"))
    wait([beside.submit(os.getpid) for _ in range(2)])
    for _ in range(2):  # the renderers' imports, meanwhile (an edition reused needs none)
        beside.submit(_prepare_render)
    feedback: Future | None = None
    renders: dict[str, Future] = {}
    try:
        log.info("run %s: helpers %s, commit %s, Python %s", q, __version__, _git_commit(), platform.python_version())
        log.info("raw %s, processed %s, reports %s", raw, processed, reports)
        made_from = inputs.run_inputs(run, key_fingerprint=key_fingerprint,
                                      switches=_switches(per_notebook[:-1]))
        reused = [] if force else _reusable(q, processed, reports, made_from)
        if reused:
            shutil.copytree(processed / q, stage_data / q, copy_function=shutil.copyfile)
            if len(reused) == len(inputs.DATA_NOTEBOOKS):
                shutil.copyfile(processed / "history.csv", stage_data / "history.csv")
        for step, (notebook, params, executed, _language) in enumerate(steps[:len(inputs.DATA_NOTEBOOKS)], start=1):
            if notebook.name in reused:
                shutil.copyfile(processed / q / AUDIT / notebook.name, audit / notebook.name)
                say(f"[{step}/{total}] {notebook.name} reused (inputs unchanged; --force to recompute)")
                log.info("%s reused: raw files, config, code, key%s unchanged since the last run", notebook.name,
                         " and earlier quarters" if step > 1 else "")
                continue
            say(f"[{step}/{total}] {notebook.name}")
            _execute(notebook, params, audit / executed, progress)
            if notebook.name == NOTEBOOKS[0]:
                feedback = beside.submit(write_feedback, stage_data / q, run.config)
        editions_steps = steps[len(inputs.DATA_NOTEBOOKS):]
        made_from["editions"] = _edition_keys(run, stage_data, parameters, made_from, per_notebook[-1])
        kept = ([] if force or len(reused) < len(inputs.DATA_NOTEBOOKS)
                else _reusable_editions(q, processed, reports, made_from, editions))
        inputs.write(stage_data / q, made_from)
        made = [(notebook, params, executed, language) for notebook, params, executed, language in editions_steps
                if language.code not in kept]
        for step, (notebook, _params, executed, language) in enumerate(editions_steps, start=total - len(editions)):
            if language.code in kept:
                shutil.copyfile(processed / q / AUDIT / executed, audit / executed)
                reused.append(executed)
                say(f"[{step}/{total}] {notebook.name} ({language.name}) reused (its narrative, words, data and "
                    "published versions unchanged; --force to make it again)")
                log.info("%s reused: its inputs are unchanged since the last run", executed)
            else:
                say(f"[{step}/{total}] {notebook.name} ({language.name})")
        with ThreadPoolExecutor(max_workers=max(len(made), 1), thread_name_prefix="edition") as side_by_side:
            executions = [side_by_side.submit(_execute, notebook, params, audit / executed,
                                              progress and len(made) == 1, report_kernel)
                          for notebook, params, executed, _language in made]
        for execution in executions:
            execution.result()  # the first edition that failed, in the order of config/report.yml
        renders = {language.code: beside.submit(_render, audit / executed, staging, report_basename(q),
                                                    run.config.folder)
                   for _notebook, _params, executed, language in made}
        _log_outcome(stage_data / q, run.config)
        if made:
            say(f"[{total}/{total}] rendering HTML and PDF ({', '.join(step[3].name for step in made)})")
        rendered = [renders[language.code].result() if language.code in renders
                    else _kept_edition(reports / q, staging, report_basename(q) + language.suffix)
                    for language in editions]
        html, pdf = rendered[0]
        if feedback is not None:
            log.info("feedback workbooks for %d source files", len(feedback.result()))
        printed = [(revisions.printed_name(language), revisions.printed_name(language)) for language in editions]
        for public, name in [("indicators_public.csv", public_data_name(q)),
                             (dictionary_name("indicators_public.csv"), dictionary_name(public_data_name(q))),
                             (definitions_name("indicators_public.csv"), definitions_name(public_data_name(q))),
                             *printed,
                             (SOURCES_FILE, sources_name(q))]:
            shutil.copyfile(stage_data / q / public, staging / name)
        write_datapackage(staging, run.quarter, run.config)
        _mark_versions(q, stage_data, processed, reports, run.config)
        _write_run(audit / RUN_FILE, q, processed, reports, parameters, reused, staging, editions)
        seconds = time.perf_counter() - started
        log.info("report rendered: %s; run took %.1f s", ", ".join(p.name for pair in rendered for p in pair),
                 seconds)
        logging.getLogger().removeHandler(handler)
        handler.close()
        shutil.rmtree(stage_data / q / AUDIT, ignore_errors=True)  # the reused quarter's last audit trail
        audit = audit.rename(stage_data / q / AUDIT)
        target = reports / q
        history = stage_data / "history.csv"
        move_into_place([Move(stage_data / q, processed / q, stage_data / "previous" / q),
                  Move(history, processed / "history.csv", stage_data / "previous" / "history.csv",
                       partial(_merge_history, run.quarter, processed, reports, history, run.config)),
                  Move(staging, target, stage_report / "previous" / q)],
                 processed, journal_path(q, processed))
        _index(reports, processed, run.config)
        later = [stale.message(other, changed)
                 for other, changed in stale.out_of_date(processed, after=run.quarter).items()]
    except BaseException as error:
        # they write into staging, which a failed run removes
        wait([f for f in [feedback, *renders.values()] if f is not None])
        log.error("run failed: %s", error)
        logging.getLogger().removeHandler(handler)
        handler.close()
        failed = failed_dir(processed, q, f"{datetime.now():%Y%m%d-%H%M%S-%f}")
        if audit.exists():
            audit.rename(failed)
            for old in sorted(processed.glob(f"{q}{FAILED}*"))[:-KEEP_FAILED]:  # the newest are kept
                shutil.rmtree(old, ignore_errors=True)
        if isinstance(error, PipelineError):
            raise PipelineError(f"{error} (executed notebooks and run.log kept in {failed})") from None
        raise
    finally:
        beside.shutdown(wait=True)
    return RunResult(q, target, target / html.name, target / pdf.name, processed / q / AUDIT / run_log.name,
                     seconds, reused, later, [target / path.name for pair in rendered for path in pair])


def _prepare_render() -> None:
    """A worker's first task: nbconvert and WeasyPrint imported while the notebooks run, not before them in the
    run's own process (about a second and a half of every run's start)."""
    from helpers.publication import render

    render.prepare()


def _render(executed: Path, folder: Path, basename: str, config_dir: Path) -> tuple[Path, Path]:
    """An edition's HTML and PDF (:func:`helpers.publication.render.render_report`), in a worker process, with
    the run's configuration folder (``config_dir``)."""
    from helpers.publication.render import render_report

    return render_report(executed, folder, basename, Configuration(config_dir))


def _execute(notebook: Path, params: dict[str, Any], executed: Path, progress: bool,
             kernel: ReportKernel | None = None) -> None:
    """Execute ``notebook`` into ``executed`` with papermill (in ``kernel``'s kernel if it is still free, else a new
    one); a failure becomes a :class:`PipelineError` whose message names the notebook and cell (or is the data's own
    stop), with identifiers masked. The executed notebook is written once, at the end (or at the failing cell)."""
    log.info("executing %s with %s", notebook.name, params)
    t0 = time.perf_counter()
    manager = kernel.take() if kernel else None
    try:
        papermill.execute_notebook(str(notebook), str(executed), parameters=params, kernel_name=KERNEL,
                                   progress_bar=progress, cwd=str(NOTEBOOKS_DIR), extra_arguments=KERNEL_ARGUMENTS,
                                   request_save_on_cell_execute=False, **({"km": manager} if manager else {}))
    except PapermillExecutionError as error:  # messages quote file, sheet and header names: masked
        if issubclass(raised(error.ename) or Exception, DataStop):  # the data or the key: shown as is
            raise PipelineError(redact.masked(error.evalue)) from None
        raise PipelineError(redact.masked(
            f"{executed.name} failed in cell {error.cell_index + 1}: {error.ename}: {error.evalue}")) from None
    finally:
        if manager is not None:  # its notebook is written: nothing in it is left to keep
            manager.shutdown_kernel(now=True)
    log.info("%s done in %.1f s", executed.name, time.perf_counter() - t0)


def _switches(per_notebook: list[dict]) -> dict:
    """The data notebooks' parameters that change what they compute (folders do not: their contents count)."""
    folders = {"raw_dir", "processed_dir", "reports_dir", "earlier_quarters_dir", "config_dir"}
    return {k: v for params in per_notebook for k, v in sorted(params.items()) if k not in folders}


def _reusable(q: Quarter, processed: Path, reports: Path, made_from: dict) -> list[str]:
    """The data notebooks whose outputs the quarter's last run made from the same inputs: none, the cleaning
    (same raw files, config, code, key, switches) or both (earlier quarters unchanged too)."""
    before = inputs.load(processed / q)
    if (not before or before.get("clean_key") != made_from["clean_key"]
            or not all((processed / q / AUDIT / name).is_file() for name in inputs.DATA_NOTEBOOKS)):
        return []
    if before.get("indicators_key") != made_from["indicators_key"] or not (processed / "history.csv").is_file():
        return list(inputs.DATA_NOTEBOOKS[:1])
    return list(inputs.DATA_NOTEBOOKS)


def _edition_keys(run: RunContext, stage_data: Path, parameters: dict[str, Any], made_from: dict,
                  report_parameters: dict[str, Any]) -> dict[str, str]:
    """Each edition's key (:func:`helpers.provenance.inputs.edition_keys`), once the staged history is in place."""
    q = run.quarter
    narratives = resolve(parameters.get("narratives_dir"), NARRATIVES_DIR)
    folders = {"processed_dir", "reports_dir", "earlier_quarters_dir", "narratives_dir", "raw_dir", "config_dir"}
    return inputs.edition_keys(
        made_from, narratives=narratives, history=stage_data / "history.csv",
        published=[revisions.versions_dir(q, run.folders.reports), revisions.versions_dir(q, run.folders.processed)],
        editions={language.code: narrative_path(q, narratives, language.suffix).name
                  for language in languages(run.config)},
        switches={k: v for k, v in sorted(report_parameters.items()) if k not in folders})


def _reusable_editions(q: Quarter, processed: Path, reports: Path, made_from: dict,
                       editions: list[Language]) -> list[str]:
    """The editions (language codes) the quarter's last run made from the same inputs, whose executed notebook,
    printed figures, HTML and PDF are still as that run made them (``run.json`` lists the report's files)."""
    before, folder = inputs.load(processed / q).get("editions", {}), processed / q
    try:
        made = json.loads((folder / AUDIT / RUN_FILE).read_text(encoding="utf-8"))["report"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    kept = []
    for language in editions:
        name = report_basename(q) + language.suffix
        files = [f"{name}.html", f"{name}.pdf", revisions.printed_name(language)]
        if (made_from["editions"].get(language.code) == before.get(language.code)
                and (folder / AUDIT / inputs.executed_report(language.suffix)).is_file()
                and (folder / revisions.printed_name(language)).is_file()
                and all((reports / q / file).is_file() and made.get(file) == inputs.sha256(reports / q / file)
                        for file in files)):
            kept.append(language.code)
    return kept


def _kept_edition(published: Path, staging: Path, name: str) -> tuple[Path, Path]:
    """A reused edition's HTML and PDF, copied from the published report into the staged one."""
    for extension in (".html", ".pdf"):
        shutil.copyfile(published / f"{name}{extension}", staging / f"{name}{extension}")
    return staging / f"{name}.html", staging / f"{name}.pdf"


def _mark_versions(q: Quarter, stage_data: Path, processed: Path, reports: Path, cfg: Configuration) -> None:
    """Say in the staged ``history.csv`` and the run log which report each quarter's total comes from."""
    history = revisions.rewrite_versions(stage_data / "history.csv", processed, reports, staged={str(q): stage_data})
    headline = cfg.headline()
    label = cfg.indicator_specs()[headline]["label"].lower()
    for row in history.to_dict("records"):
        origin = row["version"] if row["source"] == "pipeline" else cfg.setting("published_totals")
        log.info("history: %s %s %s from %s%s", row["quarter"], label, f"{row[headline]:,.0f}", origin,
                 " (this run)" if row["quarter"] == str(q) else "")


def _write_run(path: Path, q: Quarter, processed: Path, reports: Path, parameters: dict[str, Any],
               reused: list[str], report: Path, editions: list[Language]) -> str:
    """``run.json`` in the audit trail: when and with what code and packages the report was made, from which
    narratives (one per edition; ``drafts``: the editions without one, which ``publish`` refuses unless told), which
    published version it revises (a version's manifest carries it) and the SHA-256 of the report's files
    (``report``), which pair the report with these processed data when it is published."""
    stories = [narrative_path(q, resolve(parameters.get("narratives_dir"), NARRATIVES_DIR), language.suffix)
               for language in editions]
    code = inputs.code_hashes()
    code[f"notebooks/{NOTEBOOKS[-1]}"] = inputs.sha256(NOTEBOOKS_DIR / NOTEBOOKS[-1])
    for language in editions[1:]:  # the words of each edition (a version's manifest lists them)
        words = catalogue_path(language.code)
        code[words.relative_to(REPO_ROOT / "src").as_posix()] = inputs.sha256(words)
    previous = revisions.latest(q, reports, processed)
    run = {"run_id": uuid.uuid4().hex, "quarter": str(q), "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
           "commit": _git_commit(), "helpers_version": __version__, "python": platform.python_version(),
           "packages": inputs.packages(),
           "code": code, "narrative": {story.name: inputs.sha256(story) for story in stories if story.is_file()},
           "drafts": [language.code for language, story in zip(editions, stories, strict=True) if not story.is_file()],
           "reused": reused, "revises": previous.number if previous else None, "report": inputs.hashes(report)}
    path.write_text(json.dumps(run, indent=2, ensure_ascii=False), encoding="utf-8")
    return run["run_id"]


def _index(reports: Path, processed: Path, cfg: Configuration) -> None:
    """Rewrite ``reports/index.html``; the quarter is published by then, so a failure here only warns."""
    try:
        write_index(reports, processed, cfg)
    except Exception as error:  # the report is in place; the next run or publish writes the index again
        log.warning("reports/index.html not written: %s", error)
        say(f"warning: {reports / 'index.html'} not written: {type(error).__name__}: {error}")
