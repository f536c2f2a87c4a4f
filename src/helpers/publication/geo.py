"""Province boundaries of Türkiye (reference data built by ``scripts/build_province_boundaries.py``)."""

from __future__ import annotations

from functools import cache

import geopandas

from helpers.paths import REFERENCE_DIR

BOUNDARIES = REFERENCE_DIR / "turkiye-provinces.geojson"


@cache
def province_shapes() -> geopandas.GeoDataFrame:
    """The 81 provinces in plate order: ``iso_code``, ``plate``, ``province`` (official name), ``geometry``.

    Cached: treat the frame as read-only (``.copy()`` before changing it).
    """
    return geopandas.read_file(BOUNDARIES)[["iso_code", "plate", "province", "geometry"]]
