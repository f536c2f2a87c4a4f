"""The raw-log contract as a pandera schema: what a row must satisfy to be kept.

The schema runs on the combined raw frame (canonical column names, values still the analyst's strings).
Each check is named by the reject reason it produces, optionally ``reason:column``; a missing value in a
required column is ``missing_required``. Checks ignore blanks unless the column is required.

Column checks test each distinct value of a categorical column once and map the verdicts back to the rows,
and handle blanks themselves (no per-row parsing, no copies of the non-blank rows). Number checks see the
whole frame: how a file writes its decimals is decided from its other values (:func:`numbers.read_numbers`).

Optional coded columns (sex, nationality, population group, disability) are not checked: a value outside
their vocabulary becomes unknown and the record is kept (counted in quality.json by the cleaner).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from helpers.clean import dates, numbers, readings
from helpers.config import Configuration, shown
from helpers.errors import ConfigError
from helpers.kernels import by_code


def _check(test: Callable[[pd.Series], pd.Series], name: str) -> pa.Check:
    """A column check from ``test`` (values → passes), run on the distinct values; blanks pass."""

    def check(s: pd.Series) -> pd.Series:
        if not isinstance(s.dtype, pd.CategoricalDtype):
            return test(s).fillna(False).astype(bool) | s.isna()
        passes = test(pd.Series(s.cat.categories)).fillna(False).to_numpy(dtype=bool)
        return pd.Series(by_code(passes, s.cat.codes.to_numpy(), True), index=s.index)

    return pa.Check(check, name=name, ignore_na=False)


def number_bounds(cfg: Configuration) -> dict[str, numbers.Bounds]:
    """The checked number columns and their bounds, maxima from ``pipeline.yml``."""
    def bounds(low: float, setting: str, whole: bool) -> numbers.Bounds:
        return numbers.Bounds(low, cfg.setting(setting), whole, setting)

    return {
        "household_size": bounds(1, "max_household_size", True),
        "participants": bounds(0, "max_participants", True),
        "quantity": bounds(0, "max_quantity", False),
        "amount_try": bounds(0, "max_amount_try", False),
    }


def _per_frame(compute: Callable[[pd.DataFrame], object]) -> Callable[[pd.DataFrame], object]:
    """``compute`` of the frame being validated, done once for all the checks that need it: the result for the
    last frame is kept beside a weak reference to that frame."""
    last: list = [lambda: None, None]

    def cached(frame: pd.DataFrame) -> object:
        if last[0]() is not frame:
            last[:] = weakref.ref(frame), compute(frame)
        return last[1]

    return cached


def _read_checks(column: str, read: Callable[[pd.Series, pd.Series | None], np.ndarray],
                 invalid: str = "invalid_value") -> list[pa.Check]:
    """``ambiguous_value`` and ``invalid`` for one column whose statuses ``read`` (values, sources) gives, as
    :func:`numbers.read_numbers` and :func:`dates.read_dates` do: the file's evidence decides."""

    statuses = _per_frame(lambda frame: read(frame[column], frame["source"] if "source" in frame.columns else None))

    def rejects(status: int) -> Callable[[pd.DataFrame], pd.Series]:
        return lambda frame: pd.Series(statuses(frame) != status, index=frame.index)

    return [pa.Check(rejects(readings.AMBIGUOUS), name=f"ambiguous_value:{column}", ignore_na=False),
            pa.Check(rejects(readings.INVALID), name=f"{invalid}:{column}", ignore_na=False)]


def _number_checks(column: str, bounds: numbers.Bounds, marks: pd.Series | None,
                   typed: pd.Series | None = None) -> list[pa.Check]:
    """``ambiguous_value`` and ``invalid_value`` (not a finite number within ``bounds``) for one number column."""
    return _read_checks(column, lambda values, sources: numbers.read_numbers(values, sources, bounds, marks,
                                                                               typed)[1])


def _reach_requirements(reach_type: Callable[[pd.Series], pd.Series]) -> list[pa.Check]:
    """Each reach type needs its own identifying fields (the reach types of config/activities.yml)."""

    reaches = _per_frame(lambda frame: reach_type(frame["activity"]).astype("category"))  # once for the five

    def needs(kinds: set[str], *columns: str) -> pa.Check:
        """Records of ``kinds`` need a value in one of ``columns`` (named by the last); blanks are what it tests."""

        def check(frame: pd.DataFrame) -> pd.Series:
            reach = reaches(frame)
            wanted = by_code(reach.cat.categories.isin(kinds), reach.cat.codes.to_numpy(), False)
            present = np.logical_or.reduce([frame[column].notna().to_numpy() for column in columns])
            return pd.Series(~wanted | present, index=frame.index)

        return pa.Check(check, name=f"missing_required:{columns[-1]}", ignore_na=False)

    return [
        needs({"individual"}, "beneficiary_id"),
        needs({"household"}, "household_id"),
        needs({"household"}, "household_size"),
        needs({"group"}, "participants"),
        needs({"mixed", "capacity"}, "beneficiary_id", "participants"),
    ]


FORMULA = "formula_without_value"  # a reason of config/reasons.yml


def _formula_checks(formulas: dict[str, pd.Series]) -> list[pa.Check]:
    """``formula_without_value`` for each column with cells whose formula was saved without its value."""

    def check(rows: pd.Series) -> Callable[[pd.DataFrame], pd.Series]:
        return lambda frame: ~rows.reindex(frame.index, fill_value=False)

    return [pa.Check(check(rows), name=f"{FORMULA}:{column}", ignore_na=False) for column, rows in formulas.items()]


def _formula_hint(cfg: Configuration) -> str:
    """What to do about a formula without its value: the words sent back to partners (``feedback.yml``)."""
    return cfg.load("feedback")["reasons"][FORMULA]["hint_en"]


def raw_record_schema(
    cfg: Configuration,
    *,
    known_province: Callable[[pd.Series], pd.Series],
    reach_type: Callable[[pd.Series], pd.Series],
    bounds: dict[str, numbers.Bounds] | None = None,
    marks: dict[str, pd.Series] | None = None,
    typed: dict[str, pd.Series] | None = None,
    orders: pd.Series | None = None,
    formulas: dict[str, pd.Series] | None = None,
) -> pa.DataFrameSchema:
    """The input contract (docs/input-contract.md) for one raw row.

    ``known_province`` tells which raw province spellings resolve; ``reach_type`` maps raw activity values to
    their catalogue reach type (NA for values that name no activity). ``bounds`` are the number columns'
    bounds (default :func:`number_bounds` of ``cfg``, the run's configuration); ``marks`` their decimal-mark
    evidence by source (:func:`numbers.decimal_marks`, default: from the frame validated); ``typed`` their rows
    that hold numbers typed into workbook cells (:func:`numbers.read_numbers`); ``orders`` the dates' day/month
    order evidence by source (:func:`dates.date_orders`, default: from the frame validated); ``formulas`` per
    column the rows blank because their workbook cell holds a formula saved without its value (rejected as
    ``formula_without_value``: the value is unknown, not missing).
    """
    bounds = number_bounds(cfg) if bounds is None else bounds
    marks, typed = marks or {}, typed or {}
    numbers = [check for column, limits in bounds.items()
               for check in _number_checks(column, limits, marks.get(column), typed.get(column))]
    return pa.DataFrameSchema(
        {
            "date": pa.Column(nullable=False),
            "province": pa.Column(nullable=False, checks=_check(known_province, name="unknown_province")),
            "activity": pa.Column(nullable=False,
                                  checks=_check(lambda s: reach_type(s).notna(), name="unknown_activity")),
        },
        checks=[*_formula_checks(formulas or {}), *_reach_requirements(reach_type), *numbers,
                *_read_checks("date", lambda values, sources: dates.read_dates(values, cfg, sources, orders)[1],
                              "unparseable_date")],
        strict=False,
        coerce=False,
        metadata={"hints": {**{f"invalid_value:{column}": limits.hint() for column, limits in bounds.items()},
                            **{f"{FORMULA}:{column}": _formula_hint(cfg) for column in formulas or {}}}},
    )


def violations(raw: pd.DataFrame, schema: pa.DataFrameSchema, cfg: Configuration) -> pd.DataFrame:
    """One row per raw row that breaks the contract: ``reason``, ``column``, ``value``, ``hint`` (what the value
    should be, or both readings of an ambiguous number) and ``also`` (other reasons).

    Indexed like ``raw``. When a row breaks several rules, the first reason in ``config/reasons.yml`` (rejected) is
    reported (``reasons.yml`` of ``cfg``) and the others are listed in ``also``.
    """
    try:
        # The checks only read, so no column is copied (pandera copies the frame unless inplace); the frame is a
        # new shallow one, so results kept per frame never outlive this validation.
        schema.validate(raw.copy(deep=False), lazy=True, inplace=True)
        return pd.DataFrame(columns=["reason", "column", "value", "hint", "also"], index=raw.index[:0])
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    # A frame-wide check lists every cell of a failing row: each distinct check name is split once, not per case.
    codes, names = pd.factorize(cases["check"].astype(str), use_na_sentinel=False)
    reason_column = (pd.Series(names).str.split(":", n=1, expand=True).reindex(columns=[0, 1])
                     .take(codes).set_axis(cases.index))
    order = cfg.reject_reasons()
    cases = cases.assign(
        reason=reason_column[0].replace({"not_nullable": "missing_required"}),
        column=reason_column[1].astype("object").fillna(cases["column"].astype("object")),
        rank=lambda c: c["reason"].map({r: i for i, r in enumerate(order)}),
    )
    if unlisted := sorted(set(cases.loc[cases["rank"].isna(), "reason"])):
        raise ConfigError(f"{shown(cfg.path('reasons.yml'))}: the contract rejects rows for {unlisted}, "
                          "which the rejected reasons do not list")
    cases = cases.dropna(subset=["index"]).drop_duplicates(subset=["index", "reason", "column"])
    cases = cases.sort_values(["index", "rank"], kind="stable")
    first = cases.drop_duplicates(subset="index").set_index("index")
    rest = cases[cases.duplicated(subset="index")]
    also = (rest["reason"] + " (" + rest["column"].astype(str) + ")").groupby(rest["index"]).agg("; ".join)
    values = _offending_values(raw, first["column"])
    return pd.DataFrame(
        {"reason": first["reason"], "column": first["column"], "value": values,
         "hint": _hints(first["reason"], first["column"], values, (schema.metadata or {}).get("hints", {}), cfg),
         "also": also.reindex(first.index)},
        index=first.index.astype(raw.index.dtype),
    )


def _hints(reasons: pd.Series, columns: pd.Series, values: np.ndarray, known: dict[str, str], cfg: Configuration
           ) -> np.ndarray:
    """Per violation: both readings of an ambiguous number or date, the rule an invalid value breaks, else NaN."""
    hints = (reasons.astype(str) + ":" + columns.astype(str)).map(known).to_numpy(dtype=object)
    ambiguous = (reasons == "ambiguous_value").to_numpy()
    hints[ambiguous] = [dates.date_ambiguity_hint(v, cfg) if c == "date" else numbers.ambiguity_hint(v)
                        for v, c in zip(values[ambiguous], columns[ambiguous], strict=True)]
    return hints


def _offending_values(raw: pd.DataFrame, columns: pd.Series) -> np.ndarray:
    """The raw value of each row (index of ``columns``) in its named column; NaN for a frame-level check."""
    values = np.full(len(columns), np.nan, dtype=object)
    for column in columns.unique():
        if column in raw.columns:
            rows = np.flatnonzero((columns == column).to_numpy())
            values[rows] = raw.loc[columns.index[rows], column].astype(object).to_numpy()
    return values
