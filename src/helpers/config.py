"""Load the analyst-editable configuration under ``config/``, each file checked against its declared model.

A file that does not fit its model stops the run at once with a :class:`~helpers.errors.ConfigError` naming the
file and the key (``config/indicators.yml: indicators[2] (unique_individuals).dimensions: ...``), instead of a
``KeyError`` deep inside a notebook. The models (:mod:`helpers.config_models`) are the one description of
what each file may hold.

A run reads a folder once (:class:`Configuration`, built by :mod:`helpers.context`) and hands it down: the
command's ``--config DIR``, else the environment variable :data:`CONFIG_ENV`, else ``config/`` of the repository
(:func:`directory`). A test builds one from its own edited copy of the folder the same way.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from helpers.config_models import ALL, MODELS, RecordColumn
from helpers.errors import ConfigError
from helpers.paths import CONFIG_DIR, CONFIG_ENV, REPO_ROOT
from helpers.text import nearest

# Files only the report reads (helpers.publication, helpers.provenance), never the cleaning or the indicators
REPORT_ONLY = ("report", "programme")


# ------------------------------------------------------------------------------------------------ loading
def directory() -> Path:
    """The configuration folder in use: :data:`CONFIG_ENV` if set, else ``config/`` of the repository."""
    chosen = os.environ.get(CONFIG_ENV)
    return Path(chosen).expanduser().resolve() if chosen else CONFIG_DIR


def read(file: Path, name: str) -> dict[str, Any]:
    """A YAML file checked against the model of config file ``name``."""
    return _parsed(*_state(Path(file)), name)[0]


def _state(file: Path) -> tuple[Path, int, int]:
    try:
        stat = file.stat()
    except FileNotFoundError:
        raise ConfigError(f"{shown(file)}: file not found") from None
    return file, stat.st_mtime_ns, stat.st_size


@cache
def _activity_table(file: Path, mtime: int, size: int) -> pd.DataFrame:
    return pd.DataFrame(_parsed(file, mtime, size, "activities")[0]["activities"]).set_index("code")


@cache
def _parsed(file: Path, _mtime: int, _size: int, name: str) -> tuple[dict[str, Any], BaseModel | None]:
    try:
        # libyaml's safe loader (in PyYAML's wheels): the same data as yaml.safe_load, ten times faster; every
        # process of a run reads the whole configuration, the command and each notebook's kernel
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise ConfigError(f"{shown(file)}: not valid YAML: {error}") from None
    model = MODELS.get(name)
    if model is None:
        return data, None
    try:
        return data, model.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{_key(data, e['loc'])}: {e['msg']}" for e in error.errors())
        raise ConfigError(f"{shown(file)}: {problems}") from None


def shown(file: Path) -> str:
    return str(file.relative_to(REPO_ROOT)) if file.is_relative_to(REPO_ROOT) else str(file)


def _key(data: Any, loc: tuple) -> str:
    """``indicators[2] (unique_individuals).dimensions``: a validation error's location as the analyst sees it."""
    text, node = "", data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            item = node[part] if part < len(node) else None
            named = next((item[k] for k in ("id", "code") if isinstance(item, dict) and k in item), None)
            text += f"[{part}]" + (f" ({named})" if named else "")
            node = item
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text or "(top level)"


# ----------------------------------------------------------------------------- one run's configuration
class Configuration:
    """One configuration folder, each file checked against its model once and kept, typed (:meth:`typed`) and as
    read (:meth:`load`), with the facts derived from them. A run builds one (:mod:`helpers.context`) and passes it
    down, so every layer sees the same configuration, read once."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder).expanduser().resolve()
        self._files: dict[str, tuple[dict[str, Any], BaseModel | None]] = {}
        self._states: dict[str, tuple[Path, int, int]] = {}  # each file as it was read: what _parsed is keyed on

    def __repr__(self) -> str:
        return f"Configuration({shown(self.folder)!r})"

    def path(self, filename: str) -> Path:
        """A file of this folder (``province_aliases.csv``, ``columns.yml``, ...)."""
        return self.folder / filename

    def _file(self, name: str) -> tuple[dict[str, Any], BaseModel | None]:
        if name not in self._files:
            self._states[name] = _state(self.path(f"{name}.yml"))
            self._files[name] = _parsed(*self._states[name], name)
            if name == "report":
                self._report_indicators()
        return self._files[name]

    def load(self, name: str) -> dict[str, Any]:
        """``<name>.yml`` as read, checked against its model (:data:`MODELS`); ``report.yml`` also against
        ``indicators.yml``, whose indicators its figures name."""
        return self._file(name)[0]

    def typed(self, name: str) -> BaseModel:
        """``<name>.yml`` as the model it was checked against (:data:`MODELS`)."""
        return self._file(name)[1]

    def checked(self) -> Configuration:
        """This configuration with every file of :data:`MODELS` read and checked now (and the record schema against
        the vocabularies): a file that does not fit stops a run before it starts, and later edits do not reach it."""
        for name in MODELS:
            self._file(name)
        self.record()
        return self

    def setting(self, name: str) -> Any:
        """One value of ``pipeline.yml``."""
        return self.load("pipeline")[name]

    def setting_path(self, name: str) -> Path:
        """A path setting of ``pipeline.yml``, with ``~`` expanded and relative paths from the repository."""
        path = Path(self.setting(name)).expanduser()
        return path if path.is_absolute() else REPO_ROOT / path

    def report_only_files(self) -> set[str]:
        """The files only the report reads: :data:`REPORT_ONLY` and the logo ``programme.yml`` names. Editing them
        renders the report again without cleaning the quarter again (:mod:`helpers.provenance.inputs`)."""
        logo = self.load("programme").get("logo")
        return {f"{name}.yml" for name in REPORT_ONLY} | ({logo} if logo else set())

    def dropped_reasons(self) -> list[str]:
        """Reasons a row is set apart without being rejected (duplicate, out of period, totals row), in order."""
        return list(self.load("reasons")["dropped"])

    def drop_kinds(self) -> list[str]:
        """The columns that count dropped rows in ``quality.json``: each dropped reason, then ``rejected``."""
        return [*self.dropped_reasons(), "rejected"]

    def reject_reasons(self) -> list[str]:
        """The contract's reject reasons in priority order (``reasons.yml``)."""
        return list(self.load("reasons")["rejected"])

    def reason_label(self, reason: str) -> str:
        """What a reader is told a reason means, after a count (``reasons.yml``)."""
        reasons = self.load("reasons")
        return {**reasons["dropped"], **reasons["rejected"]}.get(reason, reason.replace("_", " "))

    def unreadable_label(self, kind: str) -> str:
        """What a reader is told about a file that could not be read, by its kind (``unreadable`` of
        ``config/reasons.yml``)."""
        return self.load("reasons")["unreadable"].get(kind, kind.replace("_", " "))

    def activities(self) -> pd.DataFrame:
        """The activity catalogue, indexed by code (label, sector, unit, reach_type): built once per version of the
        file (a report names activities a few hundred times, each through a new :func:`current`), each caller
        given its own copy."""
        self._file("activities")
        return _activity_table(*self._states["activities"]).copy()

    def columns(self) -> list[str]:
        """The canonical columns of a raw activity log, in ``columns.yml`` order."""
        return list(self.load("columns")["columns"])

    def sectors(self) -> list[str]:
        """The beneficiary sectors in report order."""
        return list(self.load("activities")["sectors"])

    def age_groups(self) -> dict[str, tuple[int, int]]:
        """The SADD age groups of ``indicators.yml``: name → (youngest, oldest) in whole years."""
        return {name: (int(low), int(high)) for name, (low, high) in self.load("indicators")["age_groups"].items()}

    def vocabulary_values(self, name: str) -> list[str]:
        """The values of one vocabulary of ``vocabularies.yml`` (``sex``: female, male, other, unknown)."""
        return [str(value) for value in self.load("vocabularies")[name]]

    def record(self) -> dict[str, RecordColumn]:
        """The record schema (``columns.yml`` ``record``): every record column in order, typed; a vocabulary it
        names must be in ``vocabularies.yml``."""
        schema, vocabularies = self.typed("columns").record, self.load("vocabularies")
        for name, column in schema.items():
            if column.vocabulary and column.vocabulary not in vocabularies:
                raise ConfigError(f"{shown(self.path('columns.yml'))}: record.{name}.vocabulary: "
                                  f"{column.vocabulary!r} is not a vocabulary of "
                                  f"{shown(self.path('vocabularies.yml'))}")
        return schema

    def declared_categories(self, dimension: str) -> list[str] | None:
        """Every category the configuration declares for a record column, in report order; None when the
        column's categories come from the data only (centre, donor, item, ...)."""
        column = self.record().get(dimension)
        declared = column.categories if column else None
        if declared == "sectors":
            return self.sectors()
        if declared == "age_groups":
            return [*self.age_groups(), "unknown"]
        if declared == "vocabulary":
            values = self.vocabulary_values(column.vocabulary)
            return values if "unknown" in values else [*values, "unknown"]
        if declared == "activities":
            return list(self.activities().index)
        return None if declared is None else list(declared)

    def headline(self) -> str:
        """The id of the headline indicator, whose quarterly totals make the history (``indicators.yml``)."""
        return self.load("indicators")["headline"]

    def indicator_specs(self) -> dict[str, dict]:
        """The indicator definitions of ``indicators.yml``, by id, in file order, with ``categories: all``
        replaced by the categories the configuration declares (:meth:`declared_categories`)."""
        return {spec["id"]: spec for spec in self.indicators()}

    def indicators(self) -> list[dict]:
        """The indicator definitions as :meth:`indicator_specs`, as a list in file order."""
        specs = []
        for place, spec in enumerate(self.load("indicators")["indicators"]):
            categories = {}
            for dim, wanted in (spec.get("categories") or {}).items():
                categories[dim] = self.declared_categories(dim) if wanted == ALL else wanted
                if categories[dim] is None:
                    raise ConfigError(f"{shown(self.path('indicators.yml'))}: indicators[{place}] ({spec['id']})."
                                      f"categories.{dim}: 'all' needs categories declared in config; {dim} has none: "
                                      "list them")
            specs.append({**spec, "categories": categories} if "categories" in spec else spec)
        return specs

    def report(self) -> dict[str, Any]:
        """``report.yml`` with its defaults filled in: ``sections`` in print order (id, title, narrative, heading,
        figures), ``headline_figures`` (indicator, label, tile) and ``breakdowns``."""
        return self.typed("report").model_dump()

    def _report_indicators(self) -> None:
        _report_indicators(_state(self.path("report.yml")), _state(self.path("indicators.yml")))


def current() -> Configuration:
    """The configuration of the folder in use now (:func:`directory`), only where no run is at hand to hand one
    down (``docs/architecture.md`` lists where); files are re-read when they change."""
    return Configuration(directory())


@cache
def _report_indicators(report_state: tuple[Path, int, int], indicators_state: tuple[Path, int, int]) -> None:
    """Every figure of ``report.yml`` is the total of an indicator of ``indicators.yml``, and every breakdown a
    dimension of one; else stop, naming the key and the nearest names. Checked again when either file changes."""
    report_file, indicators_file = report_state[0], indicators_state[0]
    data, specs = read(report_file, "report"), read(indicators_file, "indicators")["indicators"]
    totals = [spec["id"] for spec in specs if "total" in spec.get("dimensions", [])]
    figures = [(("headline_figures", i), figure) for i, figure in enumerate(data["headline_figures"])]
    figures += [(("sections", i, "figures", j), figure) for i, section in enumerate(data["sections"])
                for j, figure in enumerate(section.get("figures") or [])]
    for place, figure in figures:
        if (indicator := figure["indicator"]) not in totals:
            raise ConfigError(f"{shown(report_file)}: {_key(data, (*place, 'indicator'))}: {indicator!r} is "
                              "not an indicator with a total in indicators.yml; nearest: "
                              + ", ".join(nearest(indicator, totals)))
    dimensions = {part for spec in specs for name in spec.get("dimensions", []) for part in name.split("+")} - {"total"}
    for name in data.get("breakdowns") or {}:
        if name not in dimensions:
            raise ConfigError(f"{shown(report_file)}: breakdowns.{name}: not a dimension of any indicator "
                              f"in indicators.yml; nearest: {', '.join(nearest(name, dimensions))}")
