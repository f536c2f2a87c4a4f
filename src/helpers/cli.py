"""``quarterly-report``: the command the scheduler calls; a thin wrapper over :func:`helpers.pipeline.run_quarter`
and :func:`helpers.publish.publish`."""

from __future__ import annotations

import argparse
import ast
import os
import sys
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.errors import PipelineError
from helpers.paths import CONFIG_ENV
from helpers.text import printable

if TYPE_CHECKING:
    from helpers.notebook_kernel import ReportKernel

# jsonschema, which nbformat loads for papermill and nbconvert, builds the grammar of its optional IRI format checker
# at import when `rfc3987-syntax` is installed (JupyterLab brings it): over a second of every run, for a format no
# notebook schema uses. The command leaves that one checker out; the pipeline is imported after this.
SKIPPED_IMPORTS = ("rfc3987_syntax",)


def _value(text: str) -> object:
    """A ``-p`` value as Python would read it (numbers, True/False), else the string itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


DISTRIBUTION = "refugee-response-reporting"  # pyproject.toml's project name, whose version --version prints
EXAMPLES = {  # shown at the end of each command's --help
    "run": ["quarterly-report run --quarter 2023Q1",
            "quarterly-report run --quarter 2023Q1 --raw-dir /data/raw --reports-dir /srv/reports",
            "quarterly-report run --quarter 2023Q1 --skip-bad-files -p narratives_dir /srv/narratives"],
    "publish": ["quarterly-report publish --quarter 2023Q1"],
    "check": ["quarterly-report check --quarter 2023Q1",
              "quarterly-report check --quarter 2023Q1 --config /srv/programme-b/config",
              "quarterly-report check --quarter 2023Q1 --raw-dir /data/raw --out-dir /tmp/check-2023Q1",
              "quarterly-report check --narrative --quarter 2023Q1"],
    "sample": ["quarterly-report sample", "quarterly-report sample --raw-dir /tmp/raw --force"],
}


def _examples(command: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in EXAMPLES[command])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quarterly-report", description=__doc__.split(";")[0].strip("`: "),
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=_examples("run") + "\n\n'quarterly-report COMMAND --help' for more")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version(DISTRIBUTION)}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="clean, compute indicators and render one quarter's report",
                              formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_examples("run"))
    run.add_argument("--quarter", required=True, help="quarter to run, e.g. 2022Q4")
    run.add_argument("--raw-dir", help="raw logs root (default data/raw; relative to the repository)")
    run.add_argument("--processed-dir", help="processed data root (default data/processed)")
    run.add_argument("--reports-dir", help="reports root (default reports)")
    run.add_argument("--skip-bad-files", action="store_true",
                     help="list unreadable files in the data-quality annex instead of stopping")
    run.add_argument("--accept-losses", action="store_true",
                     help="publish even when the quarter's data look wrong (too many rows rejected or dated outside "
                          "the quarter, see docs/losses.md); the report says so on its first page")
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                     help="override a notebook parameter such as narratives_dir (refused if no notebook declares "
                          "NAME; the quarter, the folders and the switches above are set only by their options)")
    run.add_argument("--force", action="store_true",
                     help="clean and compute indicators again even when raw files, config, code, key and earlier "
                          "quarters are unchanged since the last run (otherwise only the report is made again)")
    run.add_argument("--no-progress", action="store_true", help="no per-cell progress bars")
    publish = commands.add_parser("publish", help="freeze a quarter's current report as its next version "
                                                  "(read-only, with a manifest of every input and output)",
                                  formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_examples("publish"))
    publish.add_argument("--quarter", required=True, help="quarter to publish, e.g. 2022Q4")
    publish.add_argument("--raw-dir", help="raw logs root (default data/raw)")
    publish.add_argument("--processed-dir", help="processed data root (default data/processed)")
    publish.add_argument("--reports-dir", help="reports root (default reports)")
    publish.add_argument("--draft", action="store_true",
                         help="publish although an edition has no narrative yet (it says Draft on every page)")
    check = commands.add_parser(
        "check", help="show what a run would make of a quarter's raw files (no key needed, writes no results)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Per file: the shape recognised, how each header was mapped, rows kept or dropped per reason;\n"
                    "every unrecognised value with its closest candidates (also as CSV lines for config/, written\n"
                    "to data/interim/<QUARTER>/check/); the loss checks a run would trip (docs/check.md).\n"
                    "Nothing is written to data/processed/ or reports/; no pseudonymisation key is needed.",
        epilog="exit status: 0 the quarter would run, 1 a run would stop (unreadable file, losses, no row kept,\n"
               "no file), 2 usage error\n\n" + _examples("check"))
    check.add_argument("--quarter", required=True, help="quarter to check, e.g. 2023Q1")
    check.add_argument("--raw-dir", help="raw logs root (default data/raw; relative to the repository)")
    check.add_argument("--processed-dir", help="the run's processed data root, never written (default data/processed)")
    check.add_argument("--reports-dir", help="the run's reports root, never written to (default reports)")
    check.add_argument("--out-dir", help="folder for the CSV files (default data/interim/<QUARTER>/check)")
    check.add_argument("--apply", action="store_true",
                       help="first add the lines check is certain of to the configuration in use (a form's mapping "
                            "in config/forms/<form>.yml), keeping comments and order, and list them")
    check.add_argument("--no-color", action="store_true", help="plain text (also when the output is not a terminal)")
    check.add_argument("--narrative", action="store_true",
                       help="check narratives/<QUARTER>.md instead (seconds, no run): every unknown placeholder, "
                            "indicator, dimension, category or heading with the nearest valid names")
    check.add_argument("--narratives-dir", help="narratives folder (default narratives)")
    check.add_argument("--language", help="with --narrative: the edition whose narrative to check, e.g. tr "
                                          "(narratives/<QUARTER>.tr.md, its headings in Turkish)")
    sample = commands.add_parser("sample", help="write the bundled sample raw logs (2022Q4, calibrated to the seed; "
                                                "2023Q1; a late 2022Q4 file under late/)",
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_examples("sample"))
    sample.add_argument("--raw-dir", help="raw logs root (default data/raw)")
    sample.add_argument("--quarter", help="only this quarter's sample (nothing for a quarter without one)")
    sample.add_argument("--force", action="store_true", help="overwrite an existing sample")
    for command in (run, publish, check, sample):
        command.add_argument("--config", metavar="DIR", help=f"configuration folder to use (default: ${CONFIG_ENV}, "
                                                             "else the repository's config/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    for name in SKIPPED_IMPORTS:
        sys.modules.setdefault(name, None)  # None: `import name` raises ImportError, which jsonschema expects
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.config:  # handed to the command; in the environment too, for what has no run at hand (log lines)
        if not Path(args.config).is_dir():
            parser.error(f"--config {args.config}: no such folder")
        os.environ[CONFIG_ENV] = str(Path(args.config).resolve())
    if args.command == "run":  # the report's kernel starts and imports on the other core while this one imports
        from helpers.notebook_kernel import report_kernel

        with report_kernel() as kernel:
            return _run(args, kernel)
    if args.command == "check":
        if args.narrative:
            return _check_narrative(args, parser)
        from helpers.check import run as check
        from helpers.errors import CheckUsageError

        try:
            return check(args.quarter, args.raw_dir, args.out_dir, processed_dir=args.processed_dir,
                         reports_dir=args.reports_dir, color=not args.no_color,
                         apply=args.apply, config_dir=args.config)
        except CheckUsageError as error:
            parser.error(str(error))  # exit status 2
    if args.command == "sample":
        from samplegen.quarter import main as sample_main

        return sample_main([*(["--raw-dir", args.raw_dir] if args.raw_dir else []),
                            *(["--quarter", args.quarter] if args.quarter else []),
                            *(["--force"] if args.force else [])])
    return _publish(args)


def _run(args: argparse.Namespace, kernel: ReportKernel | None) -> int:
    """``run``: the quarter's run, its report's first edition in ``kernel``."""
    from helpers.pipeline import run_quarter, say

    try:
        result = run_quarter(
            args.quarter, args.raw_dir, args.processed_dir, args.reports_dir,
            skip_bad_files=args.skip_bad_files, accept_losses=args.accept_losses, force=args.force,
            parameters={name: _value(value) for name, value in args.parameter},
            progress=not args.no_progress, config_dir=args.config, report_kernel=kernel,
        )
    except PipelineError as error:
        print(f"quarterly-report: error: {printable(error)}", file=sys.stderr)
        return 1
    except Exception as error:  # the scheduler gets one line; the run log has the rest
        print(f"quarterly-report: error: {type(error).__name__}: {printable(error)}", file=sys.stderr)
        return 1
    say(f"report for {result.quarter} in {result.seconds:.1f} s:")
    print("\n".join(result.closing()))
    for line in result.out_of_date:  # last, where a person (or cron's mail) sees it
        say(f"warning: {line}")
    return 0


def _check_narrative(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from helpers.publication.narrative_check import check

    try:
        path, against, found = check(args.quarter, args.processed_dir, args.narratives_dir, args.language,
                                     config_dir=args.config)
    except ValueError as error:
        parser.error(str(error))  # exit status 2
    except FileNotFoundError as error:
        print(f"quarterly-report: {printable(error)}", file=sys.stderr)
        return 1
    for line in found:
        print(printable(line))
    print(f"{path}: {len(found) or 'no'} problem{'s' if len(found) != 1 else ''} (checked against {against})")
    return 1 if found else 0


def _publish(args: argparse.Namespace) -> int:
    from helpers.publish import publish

    try:
        version = publish(args.quarter, args.raw_dir, args.processed_dir, args.reports_dir, config_dir=args.config,
                          draft=args.draft)
    except PipelineError as error:
        print(f"quarterly-report: error: {printable(error)}", file=sys.stderr)
        return 1
    print(f"{version.quarter} published as version {version.number}: {version.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
