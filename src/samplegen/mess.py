"""The mess planted in the sample's files: rows the cleaning must drop (with their reason) or tolerate."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from samplegen.people import PROVINCE_TYPOS

# Mess planted per source: (kind, count). Kinds that keep the row: age_out_of_range, typo, stray_donor.
MESS = {
    "adana_mmcc": [("duplicate", 45), ("out_of_period", 60), ("bad_date", 8), ("unknown_activity", 6),
                   ("missing_id", 10), ("age_out_of_range", 6), ("stray_donor", 20)],
    "adana_mhv": [("out_of_period", 12), ("age_out_of_range", 3)],
    "case_management": [("out_of_period", 40), ("bad_date", 5), ("unknown_province", 4), ("missing_province", 3),
                        ("health_out_of_period", 3)],
    "school_transport": [("out_of_period", 20), ("missing_id", 5)],
    "sanliurfa_mmcc": [("duplicate", 12), ("bad_date", 4), ("typo", 3)],
    "sanliurfa_events": [("negative_participants", 2)],
    "gaziantep_mmcc": [("unknown_activity", 3), ("typo", 2)],
    "kilis_mmcc": [("missing_participants", 2)],
    "pss_istanbul": [("duplicate", 8)],
    "pss_hatay": [("out_of_period", 10)],
    "pss_kahramanmaras": [("typo", 3)],
    "fablab": [("duplicate", 30), ("out_of_period", 15), ("unknown_activity", 4), ("unknown_province", 2)],
    "hygiene_1": [("missing_household_id", 4), ("household_size_zero", 2)],
    "hygiene_3": [("missing_household_size", 3)],
    "evoucher": [("out_of_period", 12), ("bad_date", 3), ("missing_province", 2), ("unknown_province", 2),
                 ("household_size_zero", 2), ("household_size_99", 2), ("household_size_text", 1),
                 ("stray_donor", 5)],
}
REASONS = {
    "duplicate": "duplicate", "out_of_period": "out_of_period", "health_out_of_period": "out_of_period",
    "bad_date": "unparseable_date", "unknown_activity": "unknown_activity", "unknown_province": "unknown_province",
    "missing_id": "missing_required", "missing_province": "missing_required",
    "missing_participants": "missing_required", "missing_household_id": "missing_required",
    "missing_household_size": "missing_required", "negative_participants": "invalid_value",
    "household_size_zero": "invalid_value", "household_size_99": "invalid_value",
    "household_size_text": "invalid_value",
}
_OUTSIDE = [date(2022, 9, d) for d in range(19, 31)] + [date(2023, 1, d) for d in range(2, 14)]


# -------------------------------------------------------------------------------------------------- mess


def _suits(kind: str, rec: dict) -> bool:
    """Whether a clean record can carry this kind of mess."""
    return {
        "missing_id": rec["beneficiary_id"] is not None,
        "age_out_of_range": rec["age"] is not None and rec["date_of_birth"] is None,
        "typo": rec["province"] in PROVINCE_TYPOS,
        "stray_donor": rec["donor"] is not None,
        "negative_participants": rec["participants"] is not None,
        "missing_participants": rec["participants"] is not None,
        "health_out_of_period": rec["beneficiary_id"] is not None,
    }.get(kind, True)


def _spoil(kind: str, rec: dict, rng: random.Random) -> dict:
    """A copy of ``rec`` with one defect that makes the cleaning drop it."""
    bad = {**rec, "_raw": dict(rec["_raw"])}
    if kind in ("out_of_period", "health_out_of_period"):
        bad["date"] = rng.choice(_OUTSIDE)
    if kind == "health_out_of_period":
        bad.update(activity="HEA_TRANSPORT", activity_detail="Health transportation", site=None)
    changes = {
        "bad_date": ("_raw", "date", rng.choice(["32.13.2022", "n/a", "31/11/2022", "2022-13-05"])),
        "unknown_activity": ("activity", None, rng.choice(["PROT_OTHER", "TEST", "EDU_VOCATIONAL"])),
        "unknown_province": ("_raw", "province", rng.choice(["Xyz", "Bilinmiyor"])),
        "missing_id": ("beneficiary_id", None, None), "missing_province": ("province", None, None),
        "missing_participants": ("participants", None, None), "missing_household_id": ("household_id", None, None),
        "missing_household_size": ("household_size", None, None),
        "negative_participants": ("participants", None, -rng.randint(2, 9)),
        "household_size_zero": ("household_size", None, 0), "household_size_99": ("household_size", None, 99),
        "household_size_text": ("_raw", "household_size", "altı"),
    }
    if kind in changes:
        key, raw_field, value = changes[kind]
        if key == "_raw":
            bad["_raw"][raw_field] = value
        else:
            bad[key] = value
    return bad


def _mark_kept(kind: str, rec: dict, rng: random.Random) -> None:
    """Mess that the cleaning must tolerate: the record stays (an impossible age becomes unknown)."""
    if kind == "age_out_of_range":
        rec["_raw"]["age"] = rng.choice([150, -2, 999])
        rec["age"] = None
    elif kind == "typo":
        rec["_raw"]["province"] = PROVINCE_TYPOS[rec["province"]]
    else:
        rec["_raw"]["donor"] = rng.choice([f" {rec['donor']}", f"{rec['donor']}  ", rec["donor"].replace(" ", "  ")])


def _dirty(key: str, records: list[dict], rng: random.Random, planted: Counter) -> list[tuple[dict, bool]]:
    """The source's rows in file order, defects inserted; each row flagged kept (True) or to be dropped."""
    rows = [(rec, True) for rec in records]
    for kind, n in MESS.get(key, []):
        if kind == "duplicate":
            continue
        templates = rng.sample([r for r in records if _suits(kind, r)], n)
        planted[kind] += n
        if kind in ("age_out_of_range", "typo", "stray_donor"):
            for rec in templates:
                _mark_kept(kind, rec, rng)
            continue
        for rec in templates:
            rows.insert(rng.randrange(len(rows) + 1), (_spoil(kind, rec, rng), False))
    return rows
