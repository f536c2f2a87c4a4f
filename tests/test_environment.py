"""environment.yml (conda) and pyproject.toml (pip) pin the same versions; notebooks are stripped."""

import json
import re
import tomllib

import yaml
from packaging.specifiers import SpecifierSet

from helpers.paths import NOTEBOOKS_DIR, REPO_ROOT


def test_environment_yml_and_pyproject_pin_the_same_packages():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    pins = project["dependencies"] + project["optional-dependencies"]["dev"]
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert sorted(p for p in pip if "==" in p) == sorted(pins)
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", p) for p in pins), "every dependency is pinned"
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert SpecifierSet(project["requires-python"]).contains(python.split("=")[1] + ".0"), "conda's Python is allowed"


def test_notebooks_are_committed_without_outputs_and_with_a_plain_parameters_cell():
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert not any(c.get("outputs") or c.get("execution_count") for c in code), path.name
        params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(params) == 1, path.name
        for line in "".join(params[0]["source"]).splitlines():
            assert re.fullmatch(r'\w+ = ("[^"]*"|True|False|-?\d+(\.\d+)?)', line), f"{path.name}: {line}"
