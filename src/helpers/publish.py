"""``quarterly-report publish``: freeze a quarter's current report as version N, read-only, with a manifest.

The report folder ``reports/<Q>/`` is replaced by every run; a published version's public files are copied to
``reports/<Q>.versions/v<N>/`` and its audit trail (executed notebooks, run log) to
``<processed>/<Q>.versions/v<N>/``, which no run writes to, and made read-only (files 0444, folders 0555, less
what the umask takes away). The audit's ``manifest.json`` (internal: it names the raw files) holds the SHA-256
of every raw input, config, code and narrative file the report was made from and of every output, the code
commit, the package versions and the pseudonymisation key's fingerprint (never the key). The quarter's lock is
held meanwhile, so no run of the quarter changes the report while it is copied.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from filelock import FileLock

from helpers import context
from helpers.clean import redact
from helpers.config import Configuration
from helpers.errors import PipelineError
from helpers.measure.disclosure import PUBLIC_FILE
from helpers.paths import AUDIT, NARRATIVES_DIR, Quarter, lock_file, report_basename
from helpers.pipeline import say
from helpers.provenance import inputs, revisions, stale
from helpers.provenance.site_index import RUN_FILE, write_index
from helpers.publication.language import languages
from helpers.publication.narrative import narrative_path
from helpers.staging import MOVE_WAIT, OUTPUTS_LOCK, locked, recover

PROCESSED_OUTPUTS = ("records.parquet", "rejects.csv", "quality.json", "indicators.csv", "indicators_public.csv",
                     "across.json", inputs.INPUTS_FILE)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_only(folder: Path) -> None:
    """Files 0444 and folders 0555, less what the umask removes (so group and others read as usual)."""
    mask = _umask()
    for path in sorted(folder.rglob("*"), reverse=True):  # files and sub-folders before their parents
        path.chmod((0o555 if path.is_dir() else 0o444) & ~mask)
    folder.chmod(0o555 & ~mask)


def manifest(quarter: Quarter, number: int, report: Path, data: Path) -> dict:
    """The manifest of a version made from the report folder ``report`` and processed folder ``data``."""
    run = json.loads((data / AUDIT / RUN_FILE).read_text(encoding="utf-8"))
    made_from = inputs.load(data)
    return {
        "quarter": str(quarter),
        "version": number,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_at": run["run_at"],
        "run_id": run["run_id"],
        "code_commit": run["commit"],
        "helpers_version": run["helpers_version"],
        "python": run["python"],
        "packages": run["packages"],
        "key_fingerprint": made_from["key_fingerprint"],
        "drafts": run.get("drafts", []),  # editions published without their narrative (publish --draft)
        "inputs": {"raw": made_from["raw"], "published_totals": made_from.get("published_totals", {}),
                   "config": made_from["config"], "code": run["code"], "narrative": run["narrative"],
                   "earlier_quarters": made_from["earlier"]},
        "outputs": {"report": inputs.hashes(report), "audit": inputs.hashes(data / AUDIT),
                    "processed": {n: inputs.sha256(data / n) for n in PROCESSED_OUTPUTS if (data / n).is_file()}},
    }


def publish(quarter: str, raw_dir: str | Path | None = None, processed_dir: str | Path | None = None,
            reports_dir: str | Path | None = None, *, config_dir: str | Path | None = None,
            draft: bool = False) -> revisions.Version:
    """Freeze the quarter's current report as its next version and return it.

    Refused when the quarter has no complete run, when an edition of it is a draft (no narrative: its sections
    say their text is still to be written; ``draft=True`` publishes it as it is, and the manifest says so), when
    its raw files or the published totals changed since that run (the report would not be what they give: run it
    again first), when the report and the processed data come from different runs (the report's files are not
    those its ``run.json`` lists), when it is out of date (an earlier quarter it builds on changed since,
    :mod:`helpers.provenance.stale`), or when this run is already published. ``config_dir``: the configuration
    folder (else the one in use, :func:`helpers.config.directory`).
    """
    try:  # the context, once: the quarter parsed, the folders resolved, the configuration checked
        this = context.build(quarter, raw_dir=raw_dir, processed_dir=processed_dir, reports_dir=reports_dir,
                             config_dir=config_dir)
    except ValueError as error:  # a quarter not written like 2022Q4, or a configuration file that does not fit
        raise PipelineError(str(error)) from None
    q, raw, processed, reports = this.quarter, this.folders.raw, this.folders.processed, this.folders.reports
    report, data = reports / q, processed / q
    for line in recover(processed, reports):
        say(f"warning: {line}")
    with locked(q, processed):
        home = revisions.versions_dir(q, reports)
        for left in home.glob(".v*.staging-*"):  # of a publish killed while copying: read-only, never a version
            _remove(left)
        missing = [p.name for p in (report / f"{report_basename(q)}.html", report / f"{report_basename(q)}.pdf",
                                    data / AUDIT / RUN_FILE, data / inputs.INPUTS_FILE) if not p.is_file()]
        if missing:
            raise PipelineError(f"no complete run of {q} to publish ({', '.join(missing)} missing): run it first")
        run = json.loads((data / AUDIT / RUN_FILE).read_text(encoding="utf-8"))
        run_id = run["run_id"]
        if run.get("report") != inputs.hashes(report):  # the run recorded the report's files it made
            raise PipelineError(f"the report of {q} ({report}) and its processed data ({data}) come from different "
                                f"runs: run {q} again, check the report, then publish")
        made_from = inputs.load(data)
        changed = inputs.changes({**made_from["raw"], **made_from.get("published_totals", {})},
                                 {**inputs.raw_hashes(raw / q),
                                  **inputs.published_totals(raw, this.config.setting("published_totals"))})
        if any(changed.values()):
            listed = redact.masked("; ".join(f"{what}: {', '.join(names)}" for what, names in changed.items() if names),
                                   redact.origin_regions(this.config))
            raise PipelineError(f"the raw files of {q} changed since its report was made ({listed}): run the "
                                "quarter again, check the report, then publish")
        if changed := stale.changed_since(this.quarter, processed):
            raise PipelineError(f"{stale.message(q, changed)}, check the report, then publish")
        published = revisions.versions(q, reports, processed)
        if broken := [v for v in published if not v.intact]:
            raise PipelineError(f"{broken[-1].mismatch()}: restore it from the archive, or move it out of "
                                f"{broken[-1].folder.parent}, then publish")
        previous = published[-1] if published else None
        if previous and previous.manifest["run_id"] == run_id:
            raise PipelineError(f"this report of {q} is already published as version {previous.number}")
        if (drafts := run.get("drafts", [])) and not draft:
            raise PipelineError(_draft(q, drafts, this.config))
        number = 1 + max([0, *(v.number for v in published), *revisions.version_numbers(home),
                          *revisions.version_numbers(revisions.versions_dir(q, processed))])
        the_manifest = json.dumps(manifest(q, number, report, data), indent=2, ensure_ascii=False)
        public = (data / PUBLIC_FILE).read_text(encoding="utf-8")  # what a later revision must not be compared with
        audit = _freeze(data / AUDIT, revisions.versions_dir(q, processed), number,
                        {revisions.MANIFEST: the_manifest, PUBLIC_FILE: public})
        try:
            _freeze(report, home, number, {})  # the version exists once its public files are there
        except BaseException:
            _remove(audit)
            raise
        mark_versions(processed, reports)
    write_index(reports, processed, this.config)
    return revisions.latest(q, reports, processed)


def _draft(q: Quarter, drafts: list[str], cfg: Configuration) -> str:
    """Why a draft is not published: which editions lack their narrative, and the two ways on."""
    editions = [language for language in languages(cfg) if language.code in drafts]
    named = ", ".join(f"{language.name} ({narrative_path(q, NARRATIVES_DIR, language.suffix).name})"
                      for language in editions)
    return (f"the report of {q} is a draft, without the narrative of the edition(s) {named}: write it, run {q} "
            "again, check the report, then publish; or publish the draft as it is with --draft (it says Draft on "
            "every page)")


def _freeze(source: Path, home: Path, number: int, extra: dict[str, str]) -> Path:
    """Copy ``source`` to ``home/v<number>`` with the ``extra`` files, read-only; it appears complete or not at
    all."""
    home.mkdir(exist_ok=True)
    target, staging = home / f"v{number}", home / f".v{number}.staging-{os.getpid()}"
    _remove(staging)
    if target.exists() and extra:  # an audit left by a publish that stopped before its public files were in place
        _remove(target)
    try:
        shutil.copytree(source, staging, copy_function=shutil.copyfile)  # fresh modes, not the source's
        for name, text in extra.items():
            (staging / name).write_text(text, encoding="utf-8")
        read_only(staging)
        staging.rename(target)
    finally:
        _remove(staging)
    return target


def _remove(staging: Path) -> None:
    """Remove a version's staging folder, made writable again first (it may be read-only already)."""
    if not staging.exists():
        return
    for path in [staging, *staging.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(staging, ignore_errors=True)


def mark_versions(processed: Path, reports: Path) -> pd.DataFrame | None:
    """Rewrite ``history.csv`` saying which report each quarter's total comes from (its ``version`` column),
    under the lock runs of other quarters take to move their history into place."""
    path = Path(processed) / "history.csv"
    with FileLock(lock_file(processed, OUTPUTS_LOCK), timeout=MOVE_WAIT):
        return revisions.rewrite_versions(path, processed, reports) if path.is_file() else None
