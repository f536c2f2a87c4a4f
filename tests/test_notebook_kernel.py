"""The report's kernel started ahead: it loads the notebook's modules, binds no name, and is handed out once."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from helpers import pipeline
from helpers.errors import PipelineError
from helpers.notebook_kernel import ReportKernel, modules, report_kernel
from helpers.paths import NOTEBOOKS_DIR, REPORT_NOTEBOOK


def _notebook(path, *cells: str):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def test_the_kernel_loads_what_the_report_notebook_imports():
    names = modules(NOTEBOOKS_DIR / REPORT_NOTEBOOK)
    assert {"helpers.publication.report", "helpers.publication.figures", "helpers.context"} <= set(names)
    assert len(names) == len(set(names))


def test_modules_are_read_from_every_code_cell_and_a_magic_cell_is_skipped(tmp_path):
    notebook = _notebook(tmp_path / "n.ipynb", "%matplotlib inline\nimport os", "import json, csv as c\nx = 1",
                         "from helpers.text import fold, printable\nfrom . import local")
    assert modules(notebook) == ["json", "csv", "helpers.text", "helpers.text.fold", "helpers.text.printable"]


def _ipykernels() -> list[int]:
    """This process's child processes that are IPython kernels (from /proc: the tests run on Linux)."""
    children = [int(pid) for task in Path("/proc/self/task").iterdir()
                for pid in (task / "children").read_text().split()]
    return [pid for pid in children
            if Path(f"/proc/{pid}").exists() and b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()]


@pytest.mark.slow
def test_the_kernel_is_handed_out_once_and_shut_down_when_nobody_took_it():
    before = len(_ipykernels())
    with report_kernel() as kernel:
        assert len(_ipykernels()) == before + 1
    assert len(_ipykernels()) == before
    kernel = ReportKernel()
    manager = kernel.take()
    assert manager is not None and kernel.take() is None
    kernel.close()  # taken: the taker shuts it down
    assert manager.is_alive()
    manager.shutdown_kernel(now=True)


def test_a_kernel_that_cannot_start_is_left_to_the_run(monkeypatch):
    monkeypatch.setattr("helpers.notebook_kernel.KERNEL", "no-such-kernel")
    with report_kernel() as kernel:
        assert kernel is None


@pytest.mark.slow
def test_a_notebook_run_in_the_warm_kernel_is_the_one_a_fresh_kernel_makes(tmp_path):
    """The start-up line binds no name and counts no execution: a cell that uses a name imported only later fails
    in both, and the outputs and execution counts are the same."""
    notebook = _notebook(tmp_path / "n.ipynb", "import json\nfrom helpers.text import fold",
                         "print(sorted(name for name in globals() if not name.startswith('_')))",
                         "print(json.dumps(fold('İstanbul')))")
    outputs = []
    for kernel in (ReportKernel(notebook), None):
        executed = tmp_path / f"out-{kernel is None}.ipynb"
        pipeline._execute(notebook, {}, executed, progress=False, kernel=kernel)
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
        outputs.append([(cell["execution_count"], cell["outputs"]) for cell in cells])
    assert outputs[0] == outputs[1]
    assert [count for count, _ in outputs[0]] == [1, 2, 3]

    late = _notebook(tmp_path / "late.ipynb", "print(fold('x'))", "from helpers.text import fold")
    with pytest.raises(PipelineError, match="NameError"):
        pipeline._execute(late, {}, tmp_path / "late-out.ipynb", progress=False, kernel=ReportKernel(late))
