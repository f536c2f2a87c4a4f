"""The Jupyter kernel the notebooks run in, and the report's kernel started before the run needs it.

A report edition spends seconds before its first figure: its kernel starts, then imports pandas, matplotlib and
the report helpers. :class:`ReportKernel` starts one kernel as the command starts, before the command has
imported the pipeline itself, so that this happens on the other core; the first edition a run makes (the only
one when an edited narrative is made again) runs in it. The kernel's start-up line (IPython's ``exec_lines``, run
before the kernel answers, outside the notebook's history and execution counts) loads the modules the report
notebook imports without binding a name, so the notebook's cells see the namespace a fresh kernel gives them.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers.paths import NOTEBOOKS_DIR, REPORT_NOTEBOOK

KERNEL = "python3"
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]  # the kernel's own start-up chatter is not the user's business


def modules(notebook: Path) -> list[str]:
    """The modules ``notebook``'s code cells import, in order: ``from a import b`` names ``a`` and ``a.b`` (which
    may be a module). A cell only IPython can read (a magic) is skipped."""
    found: list[str] = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return list(dict.fromkeys(found))


def warm(names: list[str]) -> None:
    """Import each module of ``names`` that exists; one that fails fails again in the notebook, which says why."""
    for name in names:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


class ReportKernel:
    """A kernel started now in the notebooks' folder, loading the modules ``notebook`` imports; handed out once."""

    def __init__(self, notebook: Path = NOTEBOOKS_DIR / REPORT_NOTEBOOK) -> None:
        from jupyter_client.manager import KernelManager

        warm = f"--IPKernelApp.exec_lines=__import__({__name__!r}, fromlist=['warm']).warm({modules(notebook)!r})"
        self._manager = KernelManager(kernel_name=KERNEL,
                                      client_class="jupyter_client.asynchronous.AsyncKernelClient")  # as nbclient's
        self._manager.start_kernel(extra_arguments=[*KERNEL_ARGUMENTS, warm], cwd=str(NOTEBOOKS_DIR))
        self._lock = threading.Lock()
        self._taken = False

    def take(self):
        """The kernel's manager, for papermill's ``km``, to the first caller only (else None); the caller shuts the
        kernel down when its notebook is done."""
        with self._lock:
            taken, self._taken = self._taken, True
        return None if taken else self._manager

    def close(self) -> None:
        """Shut the kernel down if nobody took it."""
        if self.take() is not None and self._manager.has_kernel:
            self._manager.shutdown_kernel(now=True)


@contextmanager
def report_kernel() -> Iterator[ReportKernel | None]:
    """A :class:`ReportKernel` for the length of a run, shut down after it if no edition was made; None if it
    cannot start (the run then starts its own kernels, and says why if those cannot start either)."""
    try:
        kernel = ReportKernel()
    except Exception:  # a kernel that cannot start is the run's to report
        kernel = None
    try:
        yield kernel
    finally:
        if kernel is not None:
            kernel.close()
