"""``make bench``: clean plus indicators at national scale, timed, with a DuckDB reference in the same run.

For each size a fresh subprocess (so each size's peak memory is its own) runs the helpers the notebooks use:
``clean_quarter`` + ``write_clean``, then ``run_indicators`` (read ``records.parquet``, compute, write), then
the same indicators as DuckDB SQL over the same Parquet; it asserts that both give identical numbers.
Results go to stdout and ``benchmarks/results.md``.

    python benchmarks/run.py                      # 1M and 10M records (the targets)
    python benchmarks/run.py --sizes 100000       # quick try (includes an XLSX workbook)
    python benchmarks/run.py --sample             # also time the full sample quarter (report, HTML, PDF)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
QUARTER = "2022Q4"
TARGETS = {1_000_000: 8.0, 10_000_000: 60.0}  # seconds for clean + indicators
MEMORY_TARGET_GIB = 6.0
SAMPLE_TARGET = 30.0
LIBRARIES = ["pandas", "numpy", "pyarrow", "duckdb", "pandera", "python-calamine"]


def machine() -> dict:
    """CPU model, cores, RAM, Python and library versions."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(mem_kib / 2**20, 1),
            "python": platform.python_version(), "os": platform.platform(),
            **{name: version(name) for name in LIBRARIES}}


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # ru_maxrss is KiB on Linux


def worker(raw: Path, processed: Path) -> dict:
    """Run one size in this (fresh) process and return its timings."""
    import pandas as pd

    sys.path.insert(0, str(HERE))
    from duckdb_reference import compare, reference_indicators

    from helpers import config
    from helpers.clean import clean_quarter, write_clean
    from helpers.indicators import compute_indicators, run_indicators

    t0 = time.perf_counter()
    result = clean_quarter(QUARTER, raw)
    out = write_clean(result, processed)
    t1 = time.perf_counter()
    peak_clean = _peak_gib()
    indicators = run_indicators(QUARTER, raw, processed)
    t2 = time.perf_counter()
    peak_pipeline = _peak_gib()
    records = pd.read_parquet(out / "records.parquet")
    t3 = time.perf_counter()
    compute_indicators(records, QUARTER)
    t4 = time.perf_counter()
    del records
    reference = reference_indicators(out / "records.parquet", QUARTER, config.load("indicators")["indicators"])
    t5 = time.perf_counter()
    differences = compare(indicators, reference)
    if len(differences):
        print(differences.head(20).to_string(), file=sys.stderr)
    return {
        "rows_read": result.quality["totals"]["rows_read"], "rows_kept": result.quality["totals"]["rows_kept"],
        "clean_s": t1 - t0, "indicators_s": t2 - t1, "read_parquet_s": t3 - t2, "compute_s": t4 - t3,
        "duckdb_s": t5 - t4, "peak_clean_gib": peak_clean, "peak_pipeline_gib": peak_pipeline,
        "peak_gib": _peak_gib(),
        "indicator_rows_compared": int((reference["value"] != 0).sum()), "differences": len(differences),
    }


def run_size(size: int, keep: bool) -> dict:
    """Generate (or reuse) the raw logs of ``size`` rows and time them in a fresh subprocess."""
    sys.path.insert(0, str(HERE))
    from generate import generate

    raw = DATA / f"raw-{size}"
    marker = raw / QUARTER / ".complete"
    if not marker.is_file():
        print(f"generating {size:,} rows ...", flush=True)
        generate(raw, size)
        marker.write_text("")
    with tempfile.TemporaryDirectory(prefix=f"bench-{size}-", dir=DATA) as processed:
        env = {**os.environ, "PSEUDONYMISATION_KEY": "benchmark-key-not-secret"}
        command = [sys.executable, __file__, "--worker", str(raw), processed]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"size {size:,} failed:\n{done.stderr[-4000:]}")
        stats = json.loads(done.stdout.strip().splitlines()[-1])
    if not keep:
        for path in sorted(raw.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    return {"size": size, **stats}


def run_sample() -> float:
    """Wall time of the full sample quarter: clean, indicators, report, HTML and PDF (the CLI)."""
    cli = str(Path(sys.executable).parent / "quarterly-report")
    with tempfile.TemporaryDirectory(prefix="bench-sample-") as tmp:
        _cli([cli, "sample", "--raw-dir", f"{tmp}/raw"])
        t0 = time.perf_counter()
        _cli([cli, "run", "--quarter", QUARTER, "--raw-dir", f"{tmp}/raw", "--processed-dir", f"{tmp}/processed",
              "--reports-dir", f"{tmp}/reports", "--no-progress"])
        return time.perf_counter() - t0


def _cli(command: list[str]) -> None:
    """Run the project CLI; on failure stop with its error output."""
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[1:3])} failed:\n{done.stderr[-4000:]}")


def _line(r: dict) -> str:
    total = r["clean_s"] + r["indicators_s"]
    target = TARGETS.get(r["size"])
    verdict = "" if target is None else (" ✓" if total <= target else f" ✗ (target {target:.0f} s)")
    memory = "" if r["size"] < max(TARGETS) else (
        " ✓" if r["peak_pipeline_gib"] <= MEMORY_TARGET_GIB else f" ✗ (target {MEMORY_TARGET_GIB:.0f} GiB)")
    return (f"| {r['size']:,} | {r['clean_s']:.1f} | {r['indicators_s']:.1f} | **{total:.1f}**{verdict} | "
            f"{r['size'] / total:,.0f} | {r['peak_pipeline_gib']:.2f}{memory} | {r['peak_gib']:.2f} | "
            f"{r['read_parquet_s'] + r['compute_s']:.1f} | "
            f"{r['duckdb_s']:.1f} | {(r['read_parquet_s'] + r['compute_s']) / r['duckdb_s']:.2f} | "
            f"{'identical' if not r['differences'] else r['differences']} ({r['indicator_rows_compared']} values) |")


def report(results: list[dict], info: dict, sample: float | None) -> str:
    """Markdown table of the results with the machine they ran on."""
    lines = [
        "# Benchmark results", "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')} with `python benchmarks/run.py "
        f"--sizes {','.join(str(r['size']) for r in results)}{' --sample' if sample is not None else ''}`.", "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM; {info['os']}; Python "
        f"{info['python']}; " + ", ".join(f"{name} {info[name]}" for name in LIBRARIES) + ".", "",
        "| records | clean s | indicators s | clean + indicators s | records/s | peak GiB clean + indicators | "
        "peak GiB incl. checks | project indicators from Parquet s | DuckDB s | project / DuckDB | DuckDB vs project |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *[_line(r) for r in results], "",
    ]
    by_size = {r["size"]: r["clean_s"] + r["indicators_s"] for r in results}
    if 1_000_000 in by_size and 10_000_000 in by_size:
        lines += [f"10M / 1M time ratio: {by_size[10_000_000] / by_size[1_000_000]:.1f} (linear = 10).", ""]
    if sample is not None:
        verdict = "✓" if sample <= SAMPLE_TARGET else f"✗ (target {SAMPLE_TARGET:.0f} s)"
        lines += [f"Full sample quarter (clean, indicators, report, HTML and PDF): {sample:.1f} s {verdict}.", ""]
    lines += [
        "clean = `clean_quarter` + `write_clean`; indicators = `run_indicators` (read Parquet, compute, write CSVs "
        "and history); peak = `ru_maxrss` of a fresh process per size, after clean + indicators and at the end "
        "(incl. the Parquet re-read and DuckDB comparison); project indicators from Parquet = "
        "`read_parquet` + `compute_indicators`, DuckDB = load the same Parquet + the SQL of "
        "`benchmarks/duckdb_reference.py`. Targets: 1M ≤ 8 s, 10M ≤ 60 s and ≤ 6 GiB, project ≤ 2× DuckDB.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark clean + indicators at national scale.")
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated record counts")
    parser.add_argument("--sample", action="store_true", help="also time the full sample quarter end to end")
    parser.add_argument("--keep-data", action="store_true", help="keep generated raw logs in benchmarks/data/")
    parser.add_argument("--output", type=Path, default=HERE / "results.md")
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    DATA.mkdir(exist_ok=True)
    info, results = machine(), []
    for size in (int(s) for s in args.sizes.split(",")):
        results.append(run_size(size, args.keep_data))
        r = results[-1]
        print(f"{size:>12,} rows: clean {r['clean_s']:.1f} s, indicators {r['indicators_s']:.1f} s, "
              f"peak {r['peak_pipeline_gib']:.2f} GiB, DuckDB {r['duckdb_s']:.1f} s, differences {r['differences']}",
              flush=True)
    sample = run_sample() if args.sample else None
    text = report(results, info, sample)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    if any(r["differences"] for r in results):
        raise SystemExit("DuckDB reference and compute_indicators disagree")


if __name__ == "__main__":
    main()
