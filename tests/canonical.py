"""An independent reach calculation on the sample generator's clean records (what the cleaning must get back):
the oracle the sample's figures are checked against, written without the project's indicator code."""

from __future__ import annotations

import pandas as pd
import yaml

from helpers.paths import CONFIG_DIR
from samplegen import quarter as sample

CATALOGUE = yaml.safe_load((CONFIG_DIR / "activities.yml").read_text(encoding="utf-8"))
SECTORS = CATALOGUE["sectors"]


def canonical(quarter: str = sample.QUARTER, *, late: bool = False) -> pd.DataFrame:
    """The generator's clean records of ``quarter`` (``late``: with the late file) with sector, reach type and
    centre."""
    catalogue = pd.DataFrame(CATALOGUE["activities"])
    frame = sample.canonical_records(quarter, late=late).merge(catalogue[["code", "sector", "reach_type"]],
                                                                left_on="activity", right_on="code", how="left")
    mixed = frame["reach_type"].eq("mixed")
    frame.loc[mixed, "reach_type"] = frame.loc[mixed, "beneficiary_id"].notna().map({True: "individual",
                                                                                   False: "group"})
    frame["centre"] = frame["site"].str.split(" - ").str[0]
    return frame


def reach(records: pd.DataFrame) -> int:
    """Distinct individuals + people in distinct households (largest size) + group headcounts."""
    individual = records.loc[records["reach_type"].eq("individual"), "beneficiary_id"].nunique()
    households = records[records["reach_type"].eq("household")].groupby("household_id")["household_size"].max()
    groups = records.loc[records["reach_type"].eq("group"), "participants"].sum()
    return int(individual + households.sum() + groups)


def people_reached(records: pd.DataFrame, by: str | list[str] | None = None) -> pd.Series | int:
    """Sum over the sectors of the reach within each sector (and category of ``by``)."""
    beneficiaries = records[records["sector"].isin(SECTORS)]
    if by is None:
        return sum(reach(part) for _, part in beneficiaries.groupby("sector"))
    keys = ["sector", *([by] if isinstance(by, str) else by)]
    per_sector = beneficiaries.groupby(keys).apply(reach)
    return per_sector.groupby(level=list(range(1, len(keys)))).sum()


def individuals(records: pd.DataFrame) -> set[str]:
    """The case numbers of the individuals reached (what people across quarters counts)."""
    return set(records.loc[records["reach_type"].eq("individual"), "beneficiary_id"].dropna())
