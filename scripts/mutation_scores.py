"""Print the mutation score of each mutated module from mutmut's results (``mutants/``), as a Markdown table.

``make mutation`` runs it after ``mutmut run``; the table goes into tests/mutation.md with the surviving
mutants explained. Killed: a test failed (or the mutant timed out or crashed the tests). Survived: every
test passed. No tests: no selected fast test calls the mutated function. Suspicious: the tests ended oddly
(mutmut's word). Not run: the run stopped first.

    .venv/bin/python scripts/mutation_scores.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

REPO_ROOT = Path(__file__).resolve().parents[1]
KINDS = ("killed", "survived", "no tests", "suspicious", "not run")


def _kind(exit_code: int | None) -> str:
    """mutmut's own reading of a worker's exit code, a timeout, a crash or a type error counted as killed."""
    status = status_by_exit_code[exit_code]
    return {"not checked": "not run"}.get(status, status if status in KINDS else "killed")


def scores(mutants: Path = REPO_ROOT / "mutants") -> dict[str, Counter]:
    """Counts of each outcome per module (``measure/indicators.py``), from mutmut's ``*.py.meta`` files."""
    out = {}
    for meta in sorted(mutants.glob("src/helpers/**/*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].values()
        module = meta.relative_to(mutants / "src" / "helpers").as_posix().removesuffix(".meta")
        out[module] = Counter(_kind(code) for code in codes)
    return out


def table(counts: dict[str, Counter]) -> str:
    lines = ["| module | mutants | " + " | ".join(KINDS) + " | score (killed / run) |", "|---" * (len(KINDS) + 3) + "|"]
    for module, c in counts.items():
        run = c["killed"] + c["survived"] + c["no tests"]
        score = f"{100 * c['killed'] / run:.1f} %" if run else "–"
        lines.append(f"| {module} | {sum(c.values())} | " + " | ".join(str(c[k]) for k in KINDS) + f" | {score} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(scores()))
