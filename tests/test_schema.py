"""The raw-log contract: the same verdict for a row whether its values come as text or as categories."""

import pandas as pd
import pytest
from conftest import CFG, edit

from helpers.clean import quarter as clean
from helpers.clean import schema
from helpers.clean.schema import violations
from helpers.config import Configuration
from helpers.errors import ConfigError

COLUMNS = ["date", "province", "activity", "household_id", "household_size", "sex", "amount_try"]
# (date, province, activity, beneficiary or household id, household_size, sex, amount_try) and the reason expected
ROWS = [
    (("05.10.2022", "Urfa", "PROT_CASE_MGMT", "TR-1", None, "K", None), None),
    (("32.13.2022", "Urfa", "PROT_CASE_MGMT", "TR-2", None, "K", None), "unparseable_date"),
    (("05.10.2022", "Narnia", "PROT_CASE_MGMT", "TR-3", None, "E", None), "unknown_province"),
    (("05.10.2022", "Urfa", "NOPE", "TR-4", None, None, None), "unknown_activity"),
    (("05.10.2022", "Urfa", "PROT_CASE_MGMT", None, None, "K", None), "missing_required"),
    (("05.10.2022", "Urfa", "BN_CASH", None, "0", None, None), "missing_required"),
    (("05.10.2022", "Urfa", "PROT_CASE_MGMT", "TR-5", None, "?", None), None),  # optional: unknown, kept
    ((None, "Urfa", "PROT_CASE_MGMT", "TR-6", None, "K", None), "missing_required"),
    (("05.10.2022", "Urfa", "Vaka yönetimi", "TR-7", None, "K", None), None),
    (("05.10.2022", "Urfa", "BN_CASH", "HH-8", "5", None, "1,500"), "ambiguous_value"),
    (("05.10.2022", "Urfa", "BN_CASH", "HH-9", "5", None, "inf"), "invalid_value"),
    (("05.10.2022", "Urfa", "BN_CASH", "HH-10", "5", None, "1e308"), "invalid_value"),
    (("05.10.2022", "Urfa", "BN_CASH", "HH-11", "5", None, "1000001"), "invalid_value"),
    (("05.10.2022", "Urfa", "BN_CASH", "HH-12", "1.500", None, "250"), "invalid_value"),  # 1.5 or 1500 people
    (("NOT A DATE", "Urfa", "BN_CASH", "HH-13", "5", None, "0,500"), "unparseable_date"),  # first reason reported
]


def _frame(dtype):
    raw = pd.DataFrame([values for values, _ in ROWS], columns=COLUMNS)
    individual = raw["household_id"].str.startswith("TR").fillna(False)
    raw["beneficiary_id"] = raw["household_id"].where(individual)
    raw["household_id"] = raw["household_id"].where(~individual)
    return raw.reindex(columns=CFG.columns()).astype(dtype)


def _contract(raw: pd.DataFrame, cfg: Configuration = CFG):
    """The raw-log contract a run checks these rows against, with the configuration a run hands down."""
    return clean._contract(clean._province_lookup(raw["province"], cfg), cfg.activities(), cfg)


@pytest.mark.parametrize("dtype", ["string", "category"])
def test_each_broken_rule_gives_its_reason(dtype):
    raw = _frame(dtype)
    contract = _contract(raw)
    reasons = violations(raw, contract, CFG)["reason"].reindex(raw.index)
    assert [None if pd.isna(r) else r for r in reasons] == [reason for _, reason in ROWS]


def test_hints_give_both_readings_or_the_bound_and_later_reasons_are_listed():
    raw = _frame("category")
    found = violations(raw, _contract(raw), CFG)
    assert found.at[9, "hint"] == "1,500 could be 1500 or 1.5"
    assert found.at[10, "hint"] == f"must be a number from 0 to {CFG.setting('max_amount_try'):,} " \
                                   "(config max_amount_try)"
    assert "max_household_size" in found.at[13, "hint"]
    assert found.at[14, "also"] == "ambiguous_value (amount_try)"


def test_every_reason_is_listed_once_in_report_order():
    order = CFG.reject_reasons()
    assert len(set(order)) == len(order)
    assert order.index("ambiguous_value") < order.index("invalid_value")
    assert set(schema.number_bounds(CFG)) == {"household_size", "participants", "quantity", "amount_try"}


def test_reject_reasons_and_their_priority_come_from_config(config_copy):
    raw = _frame("category")
    reasons = config_copy / "reasons.yml"
    edit(reasons, "  ambiguous_value: with a number or date that reads two ways\n", "")
    edit(reasons, "rejected:\n", "rejected:\n  ambiguous_value: with a number or date that reads two ways\n")
    cfg = Configuration(config_copy)
    found = violations(raw, _contract(raw, cfg), cfg)
    assert found.at[14, "reason"] == "ambiguous_value" and found.at[14, "also"] == "unparseable_date (date)"
    edit(reasons, "  invalid_value: with a value out of bounds or not a number\n", "")
    with pytest.raises(ConfigError, match=r"reasons.yml: the contract rejects rows for \['invalid_value'\]"):
        cfg = Configuration(config_copy)
        violations(raw, _contract(raw, cfg), cfg)
