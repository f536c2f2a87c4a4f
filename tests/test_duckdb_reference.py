"""The DuckDB SQL reference of the benchmark and compute_indicators agree exactly on a generated quarter."""

import importlib.util
import sys
from pathlib import Path

import pytest

from helpers import context
from helpers.clean.quarter import clean_quarter, write_clean
from helpers.config import Configuration
from helpers.measure.indicators import compute_indicators
from helpers.paths import CONFIG_DIR

CFG = Configuration(CONFIG_DIR)  # the configuration a run hands down (helpers.context)

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    generate = _load("generate")
    root = tmp_path_factory.mktemp("bench")
    generate.generate(root / "raw", 3_000, seed=11, xlsx=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PSEUDONYMISATION_KEY", "test key, not a secret")
        result = clean_quarter(context.build(generate.QUARTER, raw_dir=root / "raw"))
    return result, write_clean(result, root / "processed") / "records.parquet"


def test_generated_quarter_has_the_mess(cleaned):
    totals = cleaned[0].quality["totals"]
    assert totals["duplicate"] > 0 and totals["out_of_period"] > 0 and totals["rejected"] > 0
    assert len(cleaned[0].quality["files"]) == 4


def test_duckdb_sql_gives_the_same_numbers(cleaned):
    reference = _load("duckdb_reference")
    result, parquet = cleaned
    project = compute_indicators(result.records, result.quarter, CFG)
    sql = reference.reference_indicators(parquet, str(result.quarter), CFG.indicators())
    assert len(sql) > 100
    assert set(sql["indicator"]) >= {"people_reached", "people_reached_max", "provinces_covered", "people_trained"}
    differences = reference.compare(project, sql)
    assert differences.empty, differences.head(20).to_string()


def test_duckdb_sql_counts_unreviewed_labels_as_the_project_publishes_them(cleaned):
    """Labels not on config/labels.yml's reviewed list count as "Other" on both sides (as make bench compares)."""
    from helpers.measure.disclosure import reviewed_labels

    reference = _load("duckdb_reference")
    result, parquet = cleaned
    records = result.records.copy()
    counted = reviewed_labels(records, CFG)
    assert counted, "the generated quarter should hold a label that is not on the reviewed list"
    labels = CFG.load("labels")
    project = compute_indicators(records, result.quarter, CFG)
    sql = reference.reference_indicators(parquet, str(result.quarter), CFG.indicators(), labels=labels)
    assert labels["other"] in set(sql["category"].str.split(" | ", regex=False).explode())
    differences = reference.compare(project, sql)
    assert differences.empty, differences.head(20).to_string()
