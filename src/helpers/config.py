"""Load the analyst-editable configuration under ``config/``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from helpers.paths import CONFIG_DIR, REPO_ROOT


@cache
def load(name: str) -> dict[str, Any]:
    """Parse ``config/<name>.yml``."""
    with (CONFIG_DIR / f"{name}.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def setting(name: str) -> Any:
    """One value of ``config/pipeline.yml``."""
    return load("pipeline")[name]


def setting_path(name: str) -> Path:
    """A path setting of ``config/pipeline.yml``, with ``~`` expanded and relative paths from the repository."""
    path = Path(setting(name)).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


@cache
def activities() -> pd.DataFrame:
    """The activity catalogue, indexed by code (label, sector, unit, reach_type)."""
    return pd.DataFrame(load("activities")["activities"]).set_index("code")


def indicator_specs() -> dict[str, dict]:
    """The indicator definitions of ``config/indicators.yml``, by id, in file order."""
    return {spec["id"]: spec for spec in load("indicators")["indicators"]}


def sectors() -> list[str]:
    """The five beneficiary sectors in report order."""
    return list(load("activities")["sectors"])
