"""Signs that a quarter's data look wrong (``docs/losses.md``): too many rows rejected, or dated outside the
quarter by files whose dates do not cover it. A run stops on them unless the losses are accepted.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pandas as pd

from helpers.config import Configuration
from helpers.errors import DataLossError, NoRecordsError
from helpers.paths import Quarter

if TYPE_CHECKING:
    from helpers.clean.quarter import CleanResult

log = logging.getLogger(__name__)


def date_span(dates: pd.Series) -> dict:
    """Where the valid rows' dates lie: the central 99 % (a few mistyped dates do not stretch it)."""
    dates = dates.dropna()
    if dates.empty:
        return {"first": None, "last": None}
    return {"first": dates.quantile(0.005, interpolation="lower").date().isoformat(),
            "last": dates.quantile(0.995, interpolation="higher").date().isoformat()}


def _covers(span: dict, q: Quarter, coverage: float) -> bool:
    """True when the files' date span covers at least ``min_quarter_coverage`` of the quarter's days."""
    if span.get("first") is None:
        return False
    first = max(pd.Timestamp(span["first"]).date(), q.start)
    last = min(pd.Timestamp(span["last"]).date(), q.end)
    days = (q.end - q.start).days + 1
    return (last - first).days + 1 >= coverage * days


def _share(part: int, whole: int) -> str:
    return f"{part:,} of {whole:,} rows ({100 * part / whole:.1f} %)"


def losses(quality: dict, q: Quarter, cfg: Configuration) -> list[str]:
    """One line per sign that quarter ``q``'s data look wrong (``docs/losses.md``); empty when they look right."""
    return [line for _, line in signs(quality, q, cfg)]


def signs(quality: dict, q: Quarter, cfg: Configuration) -> list[tuple[str, str]]:
    """Each sign that the quarter's data look wrong as (kind, line): the kind (``unmapped_form``, ``rejected``,
    ``out_of_period``) is what a report prints, in its reader's words; the line is the run's own wording.

    - More than ``max_rejected_share`` of the rows read were rejected.
    - More than ``max_out_of_period_share`` of the rows read are dated outside the quarter, *and* the files'
      dates (their central 99 %) cover less than ``min_quarter_coverage`` of the quarter's days. This tells
      last quarter's files put in the wrong folder (their dates stop before the quarter starts) from exports
      that rightly span many quarters, a Kobo form's whole history or a yearly ActivityInfo export, whose
      dates run across the quarter.
    """
    totals, span = quality["totals"], quality.get("dates", {})
    read = totals["rows_read"]
    found = [("unmapped_form", f"{q}: {', '.join(entry['files'])} "
              f"{'is an export' if len(entry['files']) == 1 else 'are exports'} of the form {form!r}, which is not "
              f"mapped yet: run `quarterly-report check --quarter {q} --apply`, then review config/forms/{form}.yml")
             for form, entry in quality.get("forms", {}).items() if not entry["mapped"]]
    if read and totals["rejected"] / read > (limit := cfg.setting("max_rejected_share")):
        reasons = sorted(((n, r) for r, n in totals["by_reason"].items() if n and r not in cfg.dropped_reasons()),
                         reverse=True)
        found.append(("rejected", f"{q}: {_share(totals['rejected'], read)} were rejected "
                      f"({', '.join(f'{n:,} {r}' for n, r in reasons[:3])}), more than the {100 * limit:g} % "
                      "allowed (max_rejected_share)"))
    if (read and totals["out_of_period"] / read > cfg.setting("max_out_of_period_share")
            and not _covers(span, q, cfg.setting("min_quarter_coverage"))):
        where = (f"the files' dates run from {span['first']} to {span['last']}" if span.get("first")
                 else "no row has a valid date")
        found.append(("out_of_period", f"{q}: {_share(totals['out_of_period'], read)} are dated outside {q.label}; "
                      f"{where}"))
    return found


def stop_on_losses(result: CleanResult, cfg: Configuration, *, accept: bool = False) -> list[str]:
    """Raise :class:`DataLossError` when the quarter's data look wrong (see :func:`losses`), unless ``accept``;
    the accepted losses are recorded in ``quality.json`` (``accepted_losses``: each one's kind and line) and the
    report says so.

    A quarter with no row kept stops even when losses are accepted: there is nothing to report.
    """
    kinds = signs(result.quality, result.quarter, cfg)
    found = [line for _, line in kinds]
    totals = result.quality["totals"]
    if not totals["rows_kept"]:
        reasons = ", ".join(f"{n:,} {r}" for r, n in totals["by_reason"].items() if n)
        why = [line.removeprefix(f"{result.quarter}: ") for line in found] or [f"{reasons or 'no row'} of "
                                                                                 f"{totals['rows_read']:,} read"]
        raise NoRecordsError(f"{result.quarter}: no row kept, nothing to report: {'; '.join(why)}")
    if found and not accept:
        lines = [found[0], *(line.removeprefix(f"{result.quarter}: ") for line in found[1:])]
        raise DataLossError(f"{'; '.join(lines)}; run with --accept-losses to publish anyway")
    for line in found:
        log.warning("losses accepted: %s", line)
    result.quality["accepted_losses"] = [{"kind": kind, "line": line} for kind, line in kinds]
    return found
