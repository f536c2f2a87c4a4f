"""Statistical disclosure control and the shareable indicators file.

Disaggregated values from 1 to 4 are shown as ``<5`` in every published table, figure and file, so that
no small group of people can be singled out; totals are not suppressed.
"""

from __future__ import annotations

import numbers

import pandas as pd

from helpers import config
from helpers.provinces import province_reference

SUPPRESSED = "<5"
THRESHOLD = 5
PLOTTED_SUPPRESSED = 0.5


def suppress(value: float, *, total: bool = False) -> float | str:
    """``<5`` for a disaggregated value from 1 to 4, otherwise the value itself."""
    if not total and isinstance(value, numbers.Number) and 0 < value < THRESHOLD:
        return SUPPRESSED
    return value


def for_figures(values: pd.Series) -> pd.Series:
    """Values safe to draw: 1–4 become a token 0.5, so a bar or colour says nothing about the suppressed value
    while ``fmt`` still labels it ``<5``."""
    return values.mask((values > 0) & (values < THRESHOLD), PLOTTED_SUPPRESSED)


def fmt(value: float | str, *, total: bool = False, decimals: int = 0) -> str:
    """A number as printed in the report: ``67,389``; ``–`` for zero; ``<5`` when suppressed."""
    shown = suppress(value, total=total)
    if isinstance(shown, str):
        return shown
    if shown == 0:
        return "–"
    return f"{shown:,.{decimals}f}"


HXL = {
    "quarter": "#date+quarter",
    "indicator": "#indicator+code",
    "label": "#indicator+name",
    "dimension": "#meta+dimension",
    "category": "#meta+category",
    "adm1_name": "#adm1+name",
    "adm1_pcode": "#adm1+code",
    "sector": "#sector",
}


def public_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicators ready for a data portal: labels, admin codes, suppressed small values, HXL hashtag row."""
    specs = config.indicator_specs()
    codes = province_reference().set_index("province")["iso_code"]
    table = indicators.copy()
    table.insert(2, "label", table["indicator"].map(lambda i: specs[i]["label"]))
    is_province = table["dimension"] == "province"
    table["adm1_name"] = table["category"].where(is_province, "")
    table["adm1_pcode"] = table["category"].map(codes).where(is_province, "").fillna("")
    table["sector"] = table["category"].where(table["dimension"] == "sector", "")
    total = table["dimension"] == "total"
    table["value"] = [suppress(v, total=t) for v, t in zip(table["value"], total, strict=True)]
    table["value"] = table["value"].map(lambda v: v if isinstance(v, str) else f"{v:.2f}".removesuffix(".00"))
    value_tags = table["indicator"].map(lambda i: specs[i].get("hxl", "#indicator+value+num"))
    columns = ["quarter", "indicator", "label", "dimension", "category", "adm1_name", "adm1_pcode", "sector", "value"]
    table = table[columns]
    # one hashtag per column: the value column carries the generic indicator-value tag; the indicator's own
    # tag (e.g. #reached) is kept in an extra column so that HXL tools can filter on it
    table.insert(len(columns) - 1, "value_tag", value_tags)
    hxl = pd.DataFrame([{**HXL, "value_tag": "#meta+value_tag", "value": "#indicator+value+num"}])
    return pd.concat([hxl, table.astype(str)], ignore_index=True)
