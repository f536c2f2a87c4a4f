"""Clean and indicators of one raw quarter, timed (and profiled), and two runs' outputs compared file by file.

A speed change must leave every output byte-identical: run ``make`` before and after it on the same raw data
(the sample quarter, a 1M quarter of ``generate.py``), then ``compare`` the two folders.

    python benchmarks/outputs.py make benchmarks/data/raw-1000000 /tmp/before [--profile /tmp/before.prof]
    python benchmarks/outputs.py compare /tmp/before /tmp/after
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import time
from pathlib import Path

QUARTER = "2022Q4"


def clean(raw: Path, out: Path):
    """The cleaning as ``notebooks/01_clean.ipynb`` runs it (published totals checked, ``clean_quarter``,
    ``write_clean``) of ``raw``'s quarter into ``out``: what this script and ``benchmarks/run.py`` both time.
    Returns the run's context, the cleaning's result and the quarter's processed folder."""
    from helpers import context
    from helpers.clean import totals
    from helpers.clean.quarter import clean_quarter, write_clean

    run = context.build(QUARTER, raw_dir=raw, processed_dir=out)
    published = totals.read(raw, run.quarter, run.config)
    result = clean_quarter(run)
    folder = write_clean(result, out)
    totals.write(published, folder, run.config)
    return run, result, folder


def make(raw: Path, out: Path, profile: Path | None = None) -> dict[str, float]:
    """What ``benchmarks/run.py`` times (:func:`clean`, then ``run_indicators``) into ``out``; returns the
    seconds of clean and indicators."""
    from helpers.measure.indicators import run_indicators

    os.environ.setdefault("PSEUDONYMISATION_KEY", "benchmark-key-not-secret")
    profiler = cProfile.Profile() if profile else None
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    run, _, _ = clean(raw, out)
    t1 = time.perf_counter()
    run_indicators(run)
    t2 = time.perf_counter()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return {"clean_s": round(t1 - t0, 2), "indicators_s": round(t2 - t1, 2), "load": os.getloadavg()[0]}


def compare(before: Path, after: Path) -> list[str]:
    """Every file that differs between two output folders (missing on one side, or other bytes); a Parquet
    file whose bytes differ is also compared as a table, to say whether its content does."""
    import pyarrow.parquet as pq

    def files(folder: Path) -> set[str]:
        return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}

    differences = []
    for name in sorted(files(before) | files(after)):
        a, b = before / name, after / name
        if not (a.is_file() and b.is_file()):
            differences.append(f"{name}: only in {before if a.is_file() else after}")
        elif a.read_bytes() != b.read_bytes():
            same = name.endswith(".parquet") and pq.read_table(a).equals(pq.read_table(b), check_metadata=True)
            differences.append(f"{name}: bytes differ{' (same table)' if same else ''}")
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("make")
    made.add_argument("raw", type=Path)
    made.add_argument("out", type=Path)
    made.add_argument("--profile", type=Path)
    compared = commands.add_parser("compare")
    compared.add_argument("before", type=Path)
    compared.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "make":
        print(make(args.raw.resolve(), args.out.resolve(), args.profile))
        return
    differences = compare(args.before, args.after)
    print("\n".join(differences) or f"identical: every file of {args.before} and {args.after}")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
