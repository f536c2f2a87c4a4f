"""``make bench``: clean plus indicators at national scale, timed, with a DuckDB reference in the same run.

For each size, fresh subprocesses (so each run's peak memory is its own) run the helpers the notebooks use:
``clean_quarter`` + ``write_clean``, then ``run_indicators`` (read ``records.parquet``, compute, write). Each
size runs ``--repeat`` times and the median is reported (this machine is shared: single runs vary by ±10 %);
the last run also computes the same indicators as DuckDB SQL over the same Parquet and asserts that both give
identical numbers. Beside each size, in the same run, the engine anchor (``benchmarks/anchor.py``: the core of
the work as one DuckDB job on records of the same shape) is timed as often, and the speed target is the ratio of
the two, which holds across machines where seconds do not. Results go to stdout and ``benchmarks/results.md``.

    python benchmarks/run.py                      # 100k (with an XLSX workbook), 1M and 10M records
    python benchmarks/run.py --sizes 100000 --repeat 1   # quick try
    python benchmarks/run.py --sample             # also time the full sample quarter (report, HTML, PDF) and
                                                  # the edit loop (narrative edited: the report alone made again)
    python benchmarks/run.py --across 10000000    # also the people-across-quarters figures over 4 quarters of 10M
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
QUARTER = "2022Q4"
TARGETS = {1_000_000: 8.0, 10_000_000: 60.0}  # seconds for clean + indicators
ANCHOR_RATIO = 3.0  # at the largest size: clean + indicators at most this many times the engine anchor
MEMORY_TARGET_GIB = 4.5
SAMPLE_TARGET = 30.0
EDIT_SHARE = 0.5  # an edited narrative to the new HTML and PDF: at most this share of a full sample run
ACROSS_QUARTERS = ("2022Q1", "2022Q2", "2022Q3", "2022Q4")
ACROSS_TARGET = (20.0, 6.0)  # seconds and GiB for the cross-quarter figures over 4 quarters of 10M records
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


def _tree_rss_gib(pid: int) -> float:
    """Resident memory of a process and all its descendants now (from /proc; 0 for one that has ended)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total / 2**20


class TreePeak(threading.Thread):
    """Samples the memory of this process and its children (the identifier-hashing worker) 20 times a second.

    ``ru_maxrss`` cannot see both at once, and a child's own ``ru_maxrss`` still holds the parent's size
    from before it started its program; the sum of both resident sizes is what the machine must hold.
    """

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self._done = 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.05):
            self.peak = max(self.peak, _tree_rss_gib(os.getpid()))

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak


def worker(raw: Path, processed: Path, reference: bool) -> dict:
    """Run one size in this (fresh) process and return its timings (with the DuckDB check if ``reference``)."""
    import pandas as pd

    sys.path.insert(0, str(HERE))
    from duckdb_reference import compare, reference_indicators
    from outputs import clean

    from helpers.clean.feedback import write_feedback
    from helpers.measure.indicators import compute_indicators, run_indicators

    sampler = TreePeak()
    sampler.start()
    t0 = time.perf_counter()
    run, result, out = clean(raw, processed)
    t1 = time.perf_counter()
    peak_clean = _peak_gib()
    indicators = run_indicators(run)
    t2 = time.perf_counter()
    peak_pipeline = _peak_gib()
    peak_tree = max(sampler.stop(), peak_pipeline)
    t_feedback = time.perf_counter()
    write_feedback(out, run.config)  # beside the indicators and report notebooks in a run: timed apart
    stats = {"feedback_s": time.perf_counter() - t_feedback,
             "rows_read": result.quality["totals"]["rows_read"], "rows_kept": result.quality["totals"]["rows_kept"],
             "clean_s": t1 - t0, "indicators_s": t2 - t1, "peak_clean_gib": peak_clean,
             "peak_pipeline_gib": peak_pipeline, "peak_tree_gib": peak_tree}
    if not reference:
        return stats
    records = pd.read_parquet(out / "records.parquet")
    t3 = time.perf_counter()
    compute_indicators(records, run.quarter, run.config)
    t4 = time.perf_counter()
    del records
    reference_table = reference_indicators(out / "records.parquet", QUARTER, run.config.indicators(),
                                           labels=run.config.load("labels"))
    t5 = time.perf_counter()
    differences = compare(indicators, reference_table)
    if len(differences):
        print(differences.head(20).to_string(), file=sys.stderr)
    return {
        **stats, "read_parquet_s": t3 - t2, "compute_s": t4 - t3, "duckdb_s": t5 - t4, "peak_gib": _peak_gib(),
        "indicator_rows_compared": int((reference_table["value"] != 0).sum()), "differences": len(differences),
    }


def run_size(size: int, keep: bool, repeat: int) -> dict:
    """Generate (or reuse) the raw logs of ``size`` rows and time them ``repeat`` times, each in a fresh process.

    Times are medians over the runs (with their range), peaks the largest; the last run adds the DuckDB check.
    """
    sys.path.insert(0, str(HERE))
    from generate import generate

    raw = DATA / f"raw-{size}"
    marker = raw / QUARTER / ".complete"
    if not marker.is_file():
        print(f"generating {size:,} rows ...", flush=True)
        generate(raw, size)
        marker.write_text("")
    runs = [_run_worker(raw, size, reference=i == repeat - 1) for i in range(repeat)]
    anchor = run_anchor(size, keep, repeat)
    if not keep:
        for path in sorted(raw.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        raw.rmdir()
    totals = [r["clean_s"] + r["indicators_s"] for r in runs]
    return {
        **runs[-1], "size": size, "runs": repeat, "total_min_s": min(totals), "total_max_s": max(totals),
        **{k: statistics.median(r[k] for r in runs) for k in ("clean_s", "indicators_s", "feedback_s")},
        "total_s": statistics.median(totals),
        **{k: max(r[k] for r in runs) for k in ("peak_clean_gib", "peak_pipeline_gib", "peak_tree_gib")},
        "anchor_s": anchor["seconds"], "anchor_peak_gib": anchor["peak_gib"],
        "anchor_ratio": statistics.median(totals) / anchor["seconds"],
    }


def run_anchor(size: int, keep: bool, repeat: int) -> dict:
    """The engine anchor on ``size`` records of the same shape, ``repeat`` times in fresh processes (median)."""
    records = DATA / f"anchor-{size}.csv"
    if not records.is_file():
        subprocess.run([sys.executable, str(HERE / "anchor.py"), "gen", str(size), str(records)], check=True)
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, str(HERE / "anchor.py"), "run", str(records)], capture_output=True,
                              text=True, check=False)
        if done.returncode:
            raise SystemExit(f"the anchor at {size:,} failed:\n{done.stderr[-4000:]}")
        runs.append(json.loads(done.stdout))
    if not keep:
        records.unlink()
    return {"seconds": statistics.median(r["seconds"] for r in runs), "peak_gib": max(r["peak_gib"] for r in runs)}


def _run_worker(raw: Path, size: int, reference: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-{size}-", dir=DATA) as processed:
        env = {**os.environ, "PSEUDONYMISATION_KEY": "benchmark-key-not-secret"}
        command = [sys.executable, __file__, "--worker", str(raw), processed, *(["--reference"] if reference else [])]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"size {size:,} failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def run_sample() -> tuple[float, float]:
    """Wall times of the full sample quarter (clean, indicators, report, HTML and PDF, through the CLI), then of
    the edit loop: one sentence added to the narrative, run again (cleaned data and indicators reused)."""
    cli = str(Path(sys.executable).parent / "quarterly-report")
    with tempfile.TemporaryDirectory(prefix="bench-sample-") as tmp:
        _cli([cli, "sample", "--raw-dir", f"{tmp}/raw"])
        narrative = Path(tmp, "narratives", f"{QUARTER}.md")
        shutil.copytree(ROOT / "narratives", narrative.parent)  # both editions' texts and the quarter's photos
        run = [cli, "run", "--quarter", QUARTER, "--raw-dir", f"{tmp}/raw", "--processed-dir", f"{tmp}/processed",
               "--reports-dir", f"{tmp}/reports", "--no-progress", "-p", "narratives_dir", str(narrative.parent)]
        t0 = time.perf_counter()
        _cli(run)
        full = time.perf_counter() - t0
        with narrative.open("a", encoding="utf-8") as handle:
            handle.write("\nAn analyst's late edit.\n")
        t0 = time.perf_counter()
        _cli(run)
        return full, time.perf_counter() - t0


def make_across(size: int, folder: Path, seed: int = 15) -> None:
    """Four quarters of ``size`` records each, as cleaned ``records.parquet`` with the columns the cross-quarter
    figures read: 24-hex pseudonyms (as the cleaning writes them), 70 % individual records, and people drawn
    from overlapping pools so that about a third of a quarter's people were also reached the quarter before."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    pool = 2 * size  # people across the four quarters
    raw = rng.integers(0, 256, size=(pool, 12), dtype=np.uint8)
    hexed = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[np.stack([raw >> 4, raw & 15], axis=-1)].reshape(-1)
    ids = pa.Array.from_buffers(pa.binary(24), pool, [None, pa.py_buffer(hexed)]).cast(pa.binary()).cast(pa.string())
    kinds = pa.array(["individual", "household", "group", "capacity"]).dictionary_encode()
    for number, quarter in enumerate(ACROSS_QUARTERS):
        people = rng.integers(0, size // 2, size=size) + number * size // 3
        kind = rng.choice(4, size=size, p=[0.7, 0.15, 0.1, 0.05]).astype(np.int8)
        table = pa.table({"quarter": pa.array([quarter] * 1).dictionary_encode().take(np.zeros(size, np.int8)),
                          "beneficiary_id": ids.take(people),
                          "reach_type": pa.DictionaryArray.from_arrays(kind, kinds.dictionary)})
        (folder / quarter).mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / quarter / "records.parquet")


def across_worker(folder: Path) -> dict:
    """Time the project's cross-quarter count (helpers.measure.across) over the four quarters, in this fresh process."""
    from helpers.measure.across import count_people
    from helpers.paths import Quarter

    t0 = time.perf_counter()
    people = count_people((Quarter.parse(ACROSS_QUARTERS[-1]), folder / ACROSS_QUARTERS[-1]),
                          {q: folder / q for q in ACROSS_QUARTERS[:-1]})
    return {"seconds": time.perf_counter() - t0, "peak_gib": _peak_gib(), "people": people}


def run_across(size: int, keep: bool) -> dict:
    """Generate four quarters of ``size`` records and time the cross-quarter figures over them."""
    folder = DATA / f"across-{size}"
    t0 = time.perf_counter()
    if not (folder / ACROSS_QUARTERS[-1] / "records.parquet").is_file():
        make_across(size, folder)
    generated = time.perf_counter() - t0
    done = subprocess.run([sys.executable, __file__, "--across-worker", str(folder)], capture_output=True,
                          text=True, check=False)
    if done.returncode:
        raise SystemExit(f"cross-quarter figures at {size:,} failed:\n{done.stderr[-4000:]}")
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return {"size": size, "generate_s": generated, **json.loads(done.stdout.strip().splitlines()[-1])}


def _cli(command: list[str]) -> None:
    """Run the project CLI; on failure stop with its error output."""
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[1:3])} failed:\n{done.stderr[-4000:]}")


def _line(r: dict) -> str:
    target = TARGETS.get(r["size"])
    verdict = "" if target is None else (" ✓" if r["total_s"] <= target else f" ✗ (target {target:.0f} s)")
    memory = "" if r["size"] < max(TARGETS) else (
        " ✓" if r["peak_tree_gib"] <= MEMORY_TARGET_GIB else f" ✗ (target {MEMORY_TARGET_GIB:g} GiB)")
    project = r["read_parquet_s"] + r["compute_s"]
    return (f"| {r['size']:,} | {r['clean_s']:.1f} | {r['indicators_s']:.1f} | **{r['total_s']:.1f}**{verdict} | "
            f"{r['anchor_s']:.1f} | **{r['anchor_ratio']:.2f}** | "
            f"{r['total_min_s']:.1f}–{r['total_max_s']:.1f} | {r['size'] / r['total_s']:,.0f} | "
            f"{r['peak_pipeline_gib']:.2f} | {r['peak_tree_gib']:.2f}{memory} | {r['peak_gib']:.2f} | "
            f"{project:.1f} | {r['duckdb_s']:.1f} | "
            f"{project / r['duckdb_s']:.2f} | {r['feedback_s']:.1f} | "
            f"{'identical' if not r['differences'] else r['differences']} ({r['indicator_rows_compared']} values) |")


def _targets(results: list[dict], sample: tuple[float, float] | None, across: dict | None = None) -> list[str]:
    """One row per target of issue 6: what it asks, what was measured, met or not."""
    by_size = {r["size"]: r for r in results}
    rows = [(f"{size / 1e6:g}M clean + indicators ≤ {limit:.0f} s", f"{by_size[size]['total_s']:.1f} s (median)",
             by_size[size]["total_s"] <= limit) for size, limit in TARGETS.items() if size in by_size]
    if (big := by_size.get(max(TARGETS))) is not None:
        rows.append((f"{max(TARGETS) / 1e6:g}M peak memory ≤ {MEMORY_TARGET_GIB:g} GiB",
                     f"{big['peak_tree_gib']:.2f} GiB (with the hashing worker)",
                     big["peak_tree_gib"] <= MEMORY_TARGET_GIB))
        rows.append((f"{max(TARGETS) / 1e6:g}M clean + indicators ≤ {ANCHOR_RATIO:g}× the engine anchor",
                     f"{big['anchor_ratio']:.2f}× ({big['total_s']:.1f} s against {big['anchor_s']:.1f} s)",
                     big["anchor_ratio"] <= ANCHOR_RATIO))
    if set(TARGETS) <= set(by_size):
        small, large = (by_size[size]["total_s"] for size in sorted(TARGETS))
        rows.append(("cost no worse than linear: 10M / 1M time ≤ 10", f"{large / small:.1f}", large / small <= 10))
    if results:
        slowest = max(results, key=lambda r: (r["read_parquet_s"] + r["compute_s"]) / r["duckdb_s"])
        ratio = (slowest["read_parquet_s"] + slowest["compute_s"]) / slowest["duckdb_s"]
        rows.append(("project indicators ≤ 2× DuckDB", f"{ratio:.2f}× at most", ratio <= 2))
        rows.append(("project and DuckDB give identical numbers",
                     ", ".join(f"{r['differences']} differences at {r['size']:,}" for r in results),
                     not any(r["differences"] for r in results)))
    if sample is not None:
        rows.append((f"full sample quarter ≤ {SAMPLE_TARGET:.0f} s", f"{sample[0]:.1f} s (median)",
                     sample[0] <= SAMPLE_TARGET))
        rows.append((f"edited narrative → new HTML and PDF ≤ {EDIT_SHARE:.0%} of a full sample run",
                     f"{sample[1]:.1f} s (median), {sample[1] / sample[0]:.0%}", sample[1] <= EDIT_SHARE * sample[0]))
    if across is not None:
        seconds, gib = ACROSS_TARGET
        rows.append((f"people across 4 quarters of {across['size'] / 1e6:g}M records ≤ {seconds:.0f} s and "
                     f"≤ {gib:.0f} GiB (target at 10M)", f"{across['seconds']:.1f} s, {across['peak_gib']:.2f} GiB",
                     across["seconds"] <= seconds and across["peak_gib"] <= gib))
    return ["| target | measured | met |", "|---|---:|---|",
            *[f"| {what} | {measured} | {'✓' if met else '✗'} |" for what, measured, met in rows]]


def report(results: list[dict], info: dict, sample: tuple[float, float] | None, command: str,
           across: dict | None = None) -> str:
    """Markdown tables of the results and the targets, with the machine they ran on."""
    lines = [
        "# Benchmark results", "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')} with `{command}`.", "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM; {info['os']}; Python "
        f"{info['python']}; " + ", ".join(f"{name} {info[name]}" for name in LIBRARIES) + ".", "",
        *_targets(results, sample, across), "",
        "| records | clean s | indicators s | clean + indicators s | anchor s | ratio to anchor | range s | "
        "records/s | "
        "peak GiB clean + indicators | with hashing worker | peak GiB incl. checks | "
        "project indicators from Parquet s | DuckDB s | project / DuckDB | partners' feedback s | "
        "DuckDB vs project |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *[_line(r) for r in results], "",
        f"Times are medians of {results[0]['runs'] if results else 0} runs, each in a fresh process (range: "
        "fastest–slowest). "
        "clean = `clean_quarter` + `write_clean`; indicators = `run_indicators` (read Parquet, compute, write "
        "CSVs and history). Peak = the largest `ru_maxrss` of the process after clean + indicators; with hashing "
        "worker = the largest resident size of the process and its child that hashes identifiers meanwhile "
        "(from 250,000 distinct ids), sampled 20 times a second; incl. checks = `ru_maxrss` at the end of the "
        "last run (with the Parquet re-read and DuckDB comparison). "
        "Project indicators from Parquet = `read_parquet` + `compute_indicators`; DuckDB = load the same Parquet "
        "+ the SQL of `benchmarks/duckdb_reference.py`. Partners' feedback = `write_feedback` (one workbook per "
        "file of the rows not kept), which a run writes beside the indicators and report notebooks, not before "
        "them: timed on its own, after the indicators, outside clean + indicators. "
        "Anchor = `benchmarks/anchor.py` (read, fold and alias "
        "provinces, two date formats, drop duplicates, people by sector and province in one DuckDB job) on as many "
        "records, median of as many fresh runs; ratio = clean + indicators / anchor. "
        "At 100,000 records one source is an XLSX workbook "
        "(read with python-calamine). What the numbers mean and where the time goes: `benchmarks/README.md`.",
        *([] if across is None else [
            "", f"People across quarters (`helpers.measure.across`, DuckDB): 4 quarters of {across['size']:,} records "
            f"(generated as cleaned Parquet in {across['generate_s']:.0f} s), counted in {across['seconds']:.1f} s "
            f"at a peak of {across['peak_gib']:.2f} GiB (`ru_maxrss` of a fresh process): {across['people']}."]),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark clean + indicators at national scale.")
    parser.add_argument("--sizes", default="100000,1000000,10000000", help="comma-separated record counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (and of the sample); medians reported")
    parser.add_argument("--sample", action="store_true", help="also time the full sample quarter end to end")
    parser.add_argument("--keep-data", action="store_true", help="keep generated raw logs in benchmarks/data/")
    parser.add_argument("--output", type=Path, default=HERE / "results.md")
    parser.add_argument("--across", type=int, metavar="N",
                        help="also time the people-across-quarters figures over 4 quarters of N records each")
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--across-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--reference", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker, reference=args.reference)))
        return
    if args.across_worker:
        print(json.dumps(across_worker(args.across_worker)))
        return
    DATA.mkdir(exist_ok=True)
    info, results = machine(), []
    for size in (int(s) for s in args.sizes.split(",") if s):
        results.append(run_size(size, args.keep_data, args.repeat))
        r = results[-1]
        print(f"{size:>12,} rows: clean {r['clean_s']:.1f} s, indicators {r['indicators_s']:.1f} s "
              f"(median of {args.repeat}), peak {r['peak_tree_gib']:.2f} GiB, DuckDB {r['duckdb_s']:.1f} s, "
              f"differences {r['differences']}; engine anchor {r['anchor_s']:.1f} s, ratio {r['anchor_ratio']:.2f}",
              flush=True)
    sample = None
    if args.sample:
        runs = [run_sample() for _ in range(args.repeat)]
        sample = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
    across = run_across(args.across, args.keep_data) if args.across else None
    if across:
        print(f"people across 4 quarters of {args.across:,} records: {across['seconds']:.1f} s, peak "
              f"{across['peak_gib']:.2f} GiB ({across['people']})", flush=True)
    command = " ".join(["python benchmarks/run.py", *sys.argv[1:]])
    text = report(results, info, sample, command, across)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    if any(r["differences"] for r in results):
        raise SystemExit("DuckDB reference and compute_indicators disagree")


if __name__ == "__main__":
    main()
