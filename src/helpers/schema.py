"""The raw-log contract as a pandera schema: what a row must satisfy to be kept.

The schema runs on the combined raw frame (canonical column names, values still the analyst's strings).
Each check is named by the reject reason it produces, optionally ``reason:column``; a missing value in a
required column is ``missing_required``. Checks ignore blanks unless the column is required.

Column checks test each distinct value of a categorical column once and map the verdicts back to the rows,
and handle blanks themselves (no per-row parsing, no copies of the non-blank rows).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from helpers import normalise

REASON_ORDER = ["missing_required", "unknown_activity", "unparseable_date", "unknown_province", "invalid_value"]


def _check(test: Callable[[pd.Series], pd.Series], name: str) -> pa.Check:
    """A column check from ``test`` (values → passes), run on the distinct values; blanks pass."""

    def check(s: pd.Series) -> pd.Series:
        if not isinstance(s.dtype, pd.CategoricalDtype):
            return test(s).fillna(False).astype(bool) | s.isna()
        passes = test(pd.Series(s.cat.categories)).fillna(False).to_numpy(dtype=bool)
        return pd.Series(normalise.by_code(passes, s.cat.codes.to_numpy(), True), index=s.index)

    return pa.Check(check, name=name, ignore_na=False)


def _parses(parser: Callable[[pd.Series], pd.Series]) -> Callable[[pd.Series], pd.Series]:
    return lambda s: parser(s).notna()


def _whole_in_range(low: float, high: float) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        n = normalise.parse_numbers(s)
        return (n >= low) & (n <= high) & (n == n.round())

    return check


def _non_negative(s: pd.Series) -> pd.Series:
    return normalise.parse_numbers(s) >= 0


def _reach_requirements(reach_type: Callable[[pd.Series], pd.Series]) -> list[pa.Check]:
    """Each reach type needs its own identifying fields (activity-catalogue.md)."""

    def needs(kinds: set[str], *columns: str) -> pa.Check:
        """Records of ``kinds`` need a value in one of ``columns`` (named by the last); blanks are what it tests."""

        def check(frame: pd.DataFrame) -> pd.Series:
            reach = reach_type(frame["activity"]).astype("category")
            wanted = normalise.by_code(reach.cat.categories.isin(kinds), reach.cat.codes.to_numpy(), False)
            return pd.Series(~wanted, index=frame.index) | frame[list(columns)].notna().any(axis=1)

        return pa.Check(check, name=f"missing_required:{columns[-1]}", ignore_na=False)

    return [
        needs({"individual"}, "beneficiary_id"),
        needs({"household"}, "household_id"),
        needs({"household"}, "household_size"),
        needs({"group"}, "participants"),
        needs({"mixed", "capacity"}, "beneficiary_id", "participants"),
    ]


def raw_record_schema(
    *,
    known_province: Callable[[pd.Series], pd.Series],
    reach_type: Callable[[pd.Series], pd.Series],
    max_household_size: int,
    max_participants: int,
) -> pa.DataFrameSchema:
    """The contract of activity-log.md for one raw row.

    ``known_province`` tells which raw province spellings resolve; ``reach_type`` maps raw activity codes to
    their catalogue reach type (NA for codes not in the catalogue).
    """
    invalid = "invalid_value"
    return pa.DataFrameSchema(
        {
            "date": pa.Column(nullable=False, checks=_check(_parses(normalise.parse_dates), name="unparseable_date")),
            "province": pa.Column(nullable=False, checks=_check(known_province, name="unknown_province")),
            "activity": pa.Column(nullable=False,
                                  checks=_check(lambda s: reach_type(s).notna(), name="unknown_activity")),
            "household_size": pa.Column(nullable=True,
                                        checks=_check(_whole_in_range(1, max_household_size), name=invalid)),
            "participants": pa.Column(nullable=True, checks=_check(_whole_in_range(0, max_participants), name=invalid)),
            "quantity": pa.Column(nullable=True, checks=_check(_non_negative, name=invalid)),
            "amount_try": pa.Column(nullable=True, checks=_check(_non_negative, name=invalid)),
            "sex": pa.Column(nullable=True, checks=_check(_parses(normalise.parse_sex), name=invalid)),
            "disability": pa.Column(nullable=True, checks=_check(_parses(normalise.parse_yes_no), name=invalid)),
            "population_group": pa.Column(nullable=True,
                                          checks=_check(_parses(normalise.parse_population_group), name=invalid)),
        },
        checks=_reach_requirements(reach_type),
        strict=False,
        coerce=False,
    )


def violations(raw: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """One row per raw row that breaks the contract: ``reason``, ``column``, ``value``, ``also`` (other reasons).

    Indexed like ``raw``. When a row breaks several rules, the first reason in :data:`REASON_ORDER` is
    reported and the others are listed in ``also``.
    """
    try:
        schema.validate(raw, lazy=True)
        return pd.DataFrame(columns=["reason", "column", "value", "also"], index=raw.index[:0])
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    reason_column = cases["check"].astype(str).str.split(":", n=1, expand=True).reindex(columns=[0, 1])
    cases = cases.assign(
        reason=reason_column[0].replace({"not_nullable": "missing_required"}),
        column=reason_column[1].astype("object").fillna(cases["column"].astype("object")),
        rank=lambda c: c["reason"].map({r: i for i, r in enumerate(REASON_ORDER)}).fillna(len(REASON_ORDER)),
    )
    cases = cases.dropna(subset=["index"]).drop_duplicates(subset=["index", "reason", "column"])
    cases = cases.sort_values(["index", "rank"], kind="stable")
    first = cases.drop_duplicates(subset="index").set_index("index")
    rest = cases[cases.duplicated(subset="index")]
    also = (rest["reason"] + " (" + rest["column"].astype(str) + ")").groupby(rest["index"]).agg("; ".join)
    return pd.DataFrame(
        {"reason": first["reason"], "column": first["column"], "value": _offending_values(raw, first["column"]),
         "also": also.reindex(first.index)},
        index=first.index.astype(raw.index.dtype),
    )


def _offending_values(raw: pd.DataFrame, columns: pd.Series) -> np.ndarray:
    """The raw value of each row (index of ``columns``) in its named column; NaN for a frame-level check."""
    values = np.full(len(columns), np.nan, dtype=object)
    for column in columns.unique():
        if column in raw.columns:
            rows = np.flatnonzero((columns == column).to_numpy())
            values[rows] = raw.loc[columns.index[rows], column].astype(object).to_numpy()
    return values
