"""The package's layers (docs/architecture.md): each module imports only from its own layer or those below it."""

from __future__ import annotations

import ast
from pathlib import Path

from helpers.paths import REPO_ROOT

SRC = REPO_ROOT / "src"
# Bottom to top. Top-level modules not named here (pipeline, cli, ...) orchestrate and may import any layer.
BASE = {"helpers", "helpers.paths", "helpers.config", "helpers.config_models", "helpers.context", "helpers.columns",
        "helpers.text", "helpers.csvfile", "helpers.errors", "helpers.kernels"}
LAYERS = ["base", "helpers.ingest", "helpers.clean", "helpers.measure", "helpers.publication", "helpers.provenance",
          "top"]


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    if module.startswith("samplegen"):
        return "samplegen"
    if module in BASE:
        return "base"
    for name in LAYERS[1:-1]:
        if module == name or module.startswith(name + "."):
            return name
    return "top"


def project_imports(path: Path) -> set[str]:
    """Every project module that ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from helpers.clean import normalise` imports the module helpers.clean.normalise
                sub = f"{node.module}.{alias.name}"
                is_module = (SRC / sub.replace(".", "/")).with_suffix(".py").is_file() or (
                    SRC / sub.replace(".", "/")).is_dir()
                found.add(sub if is_module else node.module)
    return {name for name in found if name.split(".")[0] in ("helpers", "samplegen")}


def allowed(importer: str, imported: str) -> bool:
    source, target = layer(importer), layer(imported)
    if target == "samplegen":  # the sample generator is a tool beside the package, started only by the CLI
        return source == "samplegen" or importer == "helpers.cli"
    if source == "samplegen":
        return target == "base"
    return LAYERS.index(target) <= LAYERS.index(source)


def violations() -> list[str]:
    return sorted(f"{module_name(path)} imports {imported}"
                  for path in SRC.rglob("*.py")
                  for imported in project_imports(path)
                  if not allowed(module_name(path), imported))


def test_every_module_imports_only_its_own_layer_or_below():
    assert violations() == []


def test_the_rule_catches_an_upward_import():
    assert not allowed("helpers.clean.quarter", "helpers.publication.report")
    assert not allowed("helpers.ingest.readers", "helpers.clean.normalise")
    assert not allowed("helpers.config", "helpers.measure.indicators")
    assert not allowed("helpers.measure.indicators", "samplegen.quarter")
    assert not allowed("samplegen.quarter", "helpers.clean.quarter")
    assert allowed("helpers.publication.report", "helpers.measure.indicators")
    assert allowed("helpers.pipeline", "helpers.publication.render")
    assert not allowed("helpers.provenance.revisions", "helpers.pipeline")


def test_the_layers_hold_the_modules_the_document_names():
    """Each layer exists, and the generator is outside the production package."""
    for package in ("ingest", "clean", "measure", "publication", "provenance"):
        assert (SRC / "helpers" / package / "__init__.py").is_file()
    assert (SRC / "samplegen" / "__init__.py").is_file()
    assert not (SRC / "helpers" / "sample.py").exists()
    doc = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for package in ("helpers.ingest", "helpers.clean", "helpers.measure", "helpers.publication", "helpers.provenance",
                    "samplegen"):
        assert f"`{package}`" in doc


def test_no_module_is_over_600_lines():
    """A module that outgrows 600 lines is split by what it does (docs/architecture.md), not left to grow."""
    sizes = {module_name(path): len(path.read_text(encoding="utf-8").splitlines()) for path in SRC.rglob("*.py")}
    assert sizes and {name: n for name, n in sizes.items() if n > 600} == {}
