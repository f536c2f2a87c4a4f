"""The indicator definitions of ``config/indicators.yml`` as DuckDB SQL over a cleaned ``records.parquet``.

An independent second implementation: it shares no code with :mod:`helpers.measure.indicators`, only the YAML.
It gives the long table ``quarter, indicator, dimension, category, value`` for the measures reach, reach_max,
distinct, records, household_people, sum, trained and covered, listing non-zero values only (the project also
lists fixed categories at zero; :func:`compare` drops zeros on both sides). The same SQL runs unchanged on
the whole history (``read_parquet('data/processed/*/records.parquet')``), in DuckDB or, with light edits,
in Spark SQL.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

MEASURES = ("reach", "reach_max", "distinct", "records", "household_people", "sum", "trained", "covered")
REACH_TYPES = ("individual", "household", "group")
KEYS = ["quarter", "indicator", "dimension", "category"]


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _column(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _category(dimension: str) -> str:
    """SQL for a dimension's category: 'all', a column as text, or two columns joined by ' | '."""
    if dimension == "total":
        return "'all'"
    return " || ' | ' || ".join(f"CAST({_column(c)} AS VARCHAR)" for c in dimension.split("+"))


def _where(filters: dict | None) -> str:
    parts = [f"CAST({_column(c)} AS VARCHAR) IN ({', '.join(_quote(v) for v in values)})"
             for c, values in (filters or {}).items()]
    return " AND ".join(parts) or "TRUE"


def _reach_cells(category: str, where: str) -> str:
    """Reach per (category, sector): distinct individuals + largest size per household + headcounts."""
    base = (f"SELECT {category} AS category, * FROM records "
            f"WHERE {where} AND {category} IS NOT NULL AND sector IS NOT NULL")
    return f"""
      SELECT category, sector, sum(v) AS v FROM (
        SELECT category, sector, count(*) AS v FROM (
          SELECT DISTINCT category, sector, beneficiary_id FROM ({base}) b
          WHERE reach_type = 'individual' AND beneficiary_id IS NOT NULL) GROUP BY ALL
        UNION ALL
        SELECT category, sector, sum(m) FROM (
          SELECT category, sector, household_id, max(household_size) AS m FROM ({base}) b
          WHERE reach_type = 'household' AND household_id IS NOT NULL AND household_size IS NOT NULL
          GROUP BY ALL) GROUP BY ALL
        UNION ALL
        SELECT category, sector, sum(participants) FROM ({base}) b
        WHERE reach_type = 'group' AND participants IS NOT NULL GROUP BY ALL
      ) GROUP BY ALL"""


def _largest(category: str, where: str) -> str:
    return f"""
      SELECT category, sum(m) AS v FROM (
        SELECT {category} AS category, household_id, max(household_size) AS m FROM records
        WHERE {where} AND {category} IS NOT NULL AND household_id IS NOT NULL AND household_size IS NOT NULL
        GROUP BY ALL) GROUP BY ALL"""


def _distinct(category: str, where: str, column: str) -> str:
    return f"""
      SELECT {category} AS category, count(DISTINCT {_column(column)}) AS v FROM records
      WHERE {where} AND {category} IS NOT NULL GROUP BY ALL"""


def _sum(category: str, where: str, column: str) -> str:
    return f"""
      SELECT {category} AS category, sum({_column(column)}) AS v FROM records
      WHERE {where} AND {category} IS NOT NULL AND {_column(column)} IS NOT NULL GROUP BY ALL"""


def indicator_sql(spec: dict, dimension: str) -> str:
    """One SELECT giving ``category, v`` for one indicator and dimension."""
    measure, category = spec["measure"], _category(dimension)
    where = _where(spec.get("filter"))
    if measure == "reach":
        return f"SELECT category, sum(v) AS v FROM ({_reach_cells(category, where)}) GROUP BY ALL"
    reached = f"{where} AND {_where({'reach_type': REACH_TYPES})}"
    cells = _reach_cells(_category("province"), reached)
    if measure == "reach_max":
        per_province = f"SELECT category, max(v) AS v FROM ({cells}) GROUP BY ALL"
        return f"SELECT 'all' AS category, sum(v) AS v FROM ({per_province})"
    if measure == "covered":
        per_province = f"SELECT category, sum(v) AS v FROM ({cells}) GROUP BY ALL"
        return f"SELECT 'all' AS category, count(*) FILTER (WHERE v > 0) AS v FROM ({per_province})"
    if measure == "records":
        return (f"SELECT {category} AS category, count(*) AS v FROM records "
                f"WHERE {where} AND {category} IS NOT NULL GROUP BY ALL")
    if measure == "distinct":
        return _distinct(category, where, spec["column"])
    if measure == "household_people":
        return _largest(category, where)
    if measure == "sum":
        return _sum(category, where, spec["column"])
    if measure == "trained":
        return f"""SELECT category, sum(v) AS v FROM ({_distinct(category, where, 'beneficiary_id')}
                   UNION ALL {_sum(category, where, 'participants')}) GROUP BY ALL"""
    raise ValueError(f"indicator {spec['id']}: measure {measure!r} has no SQL reference")


def reference_sql(specs: list[dict], quarter: str) -> str:
    """All supported indicators as one UNION ALL statement over a relation called ``records``."""
    parts = []
    for spec in specs:
        if spec["measure"] not in MEASURES:
            continue
        dimensions = ["total"] if spec["measure"] in ("reach_max", "covered") else spec["dimensions"]
        for dimension in dimensions:
            parts.append(f"""SELECT {_quote(quarter)} AS quarter, {_quote(spec['id'])} AS indicator,
                {_quote(dimension)} AS dimension, CAST(category AS VARCHAR) AS category,
                round(CAST(v AS DOUBLE), 2) AS value FROM ({indicator_sql(spec, dimension)}) WHERE v <> 0""")
    return "\nUNION ALL\n".join(parts)


def _reviewed(labels: dict | None) -> str:
    """The SELECT list that publishes a free-text label only when ``config/labels.yml`` lists it, else as
    its ``other`` label (as the project does before computing, ``helpers.measure.disclosure``)."""
    if not labels:
        return "*"
    replaced = [f"CASE WHEN {_column(column)} IS NULL OR CAST({_column(column)} AS VARCHAR) IN "
                f"({', '.join(_quote(v) for v in listed) or 'NULL'}) THEN CAST({_column(column)} AS VARCHAR) "
                f"ELSE {_quote(labels['other'])} END AS {_column(column)}"
                for column, listed in labels["reviewed"].items()]
    return f"* REPLACE ({', '.join(replaced)})"


def reference_indicators(parquet: str | Path, quarter: str, specs: list[dict], *, labels: dict | None = None,
                         threads: int | None = None) -> pd.DataFrame:
    """Run the reference SQL over ``parquet`` (a file or a glob) and return the long table, sorted;
    ``labels`` (``config/labels.yml``) counts unreviewed free-text labels under its ``other`` label."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    columns = con.execute(f"SELECT * FROM read_parquet({_quote(str(parquet))}) LIMIT 0").df().columns
    if labels:
        labels = {**labels, "reviewed": {c: v for c, v in labels["reviewed"].items() if c in columns}}
    con.execute(f"CREATE TEMP TABLE records AS SELECT {_reviewed(labels)} FROM read_parquet({_quote(str(parquet))})")
    table = con.execute(reference_sql(specs, quarter)).df()
    con.close()
    return table.sort_values(KEYS, ignore_index=True)


def compare(project: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Rows where the two disagree (empty when identical); zeros and measures without SQL are left out."""
    ids = set(reference["indicator"])
    mine = project[project["indicator"].isin(ids) & (project["value"] != 0)]
    mine = mine.astype({k: str for k in KEYS})
    theirs = reference.astype({k: str for k in KEYS})
    both = mine.merge(theirs, on=KEYS, how="outer", suffixes=("_project", "_duckdb"))
    return both[~(both["value_project"] == both["value_duckdb"])].reset_index(drop=True)
