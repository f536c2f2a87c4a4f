"""Which processed quarters are out of date: made from an earlier quarter's data as they no longer are.

A quarter's figures build on the quarters before it (year-to-date and since-start totals, people across
quarters, the change since the previous quarter). Each run records the earlier quarters' processed files it
read, by content (``earlier`` in ``inputs.json``, :mod:`helpers.provenance.inputs`). When one of them has changed
since (the earlier quarter was revised), the later quarter is out of date until it is run again: the run that
made the change names it, ``reports/index.html`` marks it and ``publish`` refuses it.
"""

from __future__ import annotations

from pathlib import Path

from helpers.paths import Quarter, quarter_folders
from helpers.provenance import inputs


def processed_quarters(processed: Path) -> list[str]:
    """The quarters with processed data, oldest first (folders named exactly as a quarter)."""
    return list(quarter_folders(processed))


def changed_since(quarter: Quarter, processed: Path) -> list[str]:
    """The earlier quarters whose processed data changed since ``quarter`` was made from them, oldest first
    (none for a quarter made before runs recorded what they read)."""
    made = inputs.load(Path(processed) / quarter)
    if "earlier" not in made:
        return []

    def before(listing: dict[str, str]) -> dict[str, str]:  # names as inputs.json lists them: read from disk
        return {name: digest for name, digest in listing.items() if Quarter.parse(name.split("/")[0]) < quarter}

    then, now = before(made["earlier"]), before(inputs.earlier_hashes(quarter, processed))
    changed = {name.split("/")[0] for name in set(then) | set(now) if then.get(name) != now.get(name)}
    return sorted(changed, key=Quarter.parse)


def out_of_date(processed: Path, after: Quarter | None = None) -> dict[Quarter, list[str]]:
    """Out-of-date quarters (later than ``after``, when given): quarter → the earlier quarters that changed."""
    quarters = [Quarter.parse(name) for name in processed_quarters(processed)]  # folder names: read from disk
    if after is not None:
        quarters = [q for q in quarters if q > after]
    return {q: changed for q in quarters if (changed := changed_since(q, processed))}


def message(quarter: Quarter, changed: list[str]) -> str:
    """What a person reads: which quarter is out of date, why, and what to do."""
    return (f"{quarter} is out of date: it was made from {' and '.join(changed)}'s figures before "
            f"{'their' if len(changed) > 1 else 'its'} last run changed them; run {quarter} again")
