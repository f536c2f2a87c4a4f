"""A server installs the package without the dev extras (`pip install .` in a fresh virtual environment) and runs
it: every module imports (libhxl and what it needs are runtime dependencies), `--version` answers, and `check`
reads a small fixture quarter, with the project folder (a copy of config/ and data/reference/) named by
QUARTERLY_REPORT_HOME."""

import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURE_RAW

from helpers.config import CONFIG_ENV
from helpers.paths import HOME_ENV, REPO_ROOT

pytestmark = pytest.mark.slow  # builds a virtual environment (minutes, from pip's cache)

IMPORT_ALL = """
import importlib, pkgutil, helpers, samplegen
for package in (helpers, samplegen):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not module.name.endswith("__main__"):  # running the module, not importing it
            importlib.import_module(module.name)
print(helpers.__file__)
"""


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh virtual environment with the package installed from a copy of the source, as a wheel (no dev
    extras, not editable)."""
    root = tmp_path_factory.mktemp("plain")
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source)
    shutil.copytree(REPO_ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for folder in ("config", "data/reference"):  # the project folder the installed command is pointed at
        shutil.copytree(REPO_ROOT / folder, source / folder)
    subprocess.run([sys.executable, "-m", "venv", root / "venv"], check=True)
    python = root / "venv" / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(source)], check=True, capture_output=True)
    return root / "venv" / "bin", source


def test_every_module_imports_without_the_dev_extras(venv):
    bin_dir, _ = venv
    done = subprocess.run([bin_dir / "python", "-c", IMPORT_ALL], capture_output=True, text=True, cwd=bin_dir)
    assert done.returncode == 0, done.stderr
    assert "site-packages" in done.stdout  # the installed copy, not the checkout


def test_version_and_check_run_from_the_installed_command(venv, tmp_path):
    bin_dir, home = venv
    env = {**{k: v for k, v in os.environ.items() if k != CONFIG_ENV}, HOME_ENV: str(home)}
    version = subprocess.run([bin_dir / "quarterly-report", "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and version.stdout.startswith("quarterly-report ")
    check = subprocess.run([bin_dir / "quarterly-report", "check", "--quarter", "2022Q4", "--raw-dir", FIXTURE_RAW,
                            "--out-dir", tmp_path / "check", "--no-color"], capture_output=True, text=True, env=env,
                           cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Check of 2022Q4" in check.stdout and (tmp_path / "check").is_dir()
