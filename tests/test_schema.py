"""The raw-log contract: the same verdict for a row whether its values come as text or as categories."""

import pandas as pd
import pytest

from helpers import clean, config
from helpers.schema import violations

ROWS = [  # (date, province, activity, beneficiary_id, household_size, sex) and the reason expected
    (("05.10.2022", "Urfa", "PROT_CASE_MGMT", "TR-1", None, "K"), None),
    (("32.13.2022", "Urfa", "PROT_CASE_MGMT", "TR-2", None, "K"), "unparseable_date"),
    (("05.10.2022", "Narnia", "PROT_CASE_MGMT", "TR-3", None, "E"), "unknown_province"),
    (("05.10.2022", "Urfa", "NOPE", "TR-4", None, None), "unknown_activity"),
    (("05.10.2022", "Urfa", "PROT_CASE_MGMT", None, None, "K"), "missing_required"),
    (("05.10.2022", "Urfa", "BN_CASH", None, "0", None), "missing_required"),
    (("05.10.2022", "Urfa", "PROT_CASE_MGMT", "TR-5", None, "?"), "invalid_value"),
    ((None, "Urfa", "PROT_CASE_MGMT", "TR-6", None, "K"), "missing_required"),
]


@pytest.mark.parametrize("dtype", ["string", "category"])
def test_each_broken_rule_gives_its_reason(dtype):
    raw = pd.DataFrame([values for values, _ in ROWS], columns=[
        "date", "province", "activity", "beneficiary_id", "household_size", "sex"]).astype(dtype)
    raw = raw.reindex(columns=clean.RAW_COLUMNS).astype(dtype)
    schema = clean._contract(clean._province_lookup(raw["province"]), config.activities())
    reasons = violations(raw, schema)["reason"].reindex(raw.index)
    assert [None if pd.isna(r) else r for r in reasons] == [reason for _, reason in ROWS]
