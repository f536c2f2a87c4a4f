"""The committed province boundaries: one valid shape per province, under its official name and codes."""

import warnings

import shapely

from helpers.clean.provinces import province_reference
from helpers.publication.geo import province_shapes


def test_81_provinces_with_iso_codes_and_plates_in_order():
    shapes = province_shapes()
    assert list(shapes.columns) == ["iso_code", "plate", "province", "geometry"]
    assert list(shapes["iso_code"]) == [f"TR-{n:02d}" for n in range(1, 82)]
    assert list(shapes["plate"]) == [f"{n:02d}" for n in range(1, 82)]
    assert shapes["province"].is_unique


def test_names_are_the_official_spellings_used_by_cleaning():
    shapes = province_shapes()
    reference = province_reference()
    assert list(shapes["province"]) == list(reference["province"])
    assert list(shapes["iso_code"]) == list(reference["iso_code"])
    named = dict(zip(shapes["plate"], shapes["province"], strict=True))
    assert [named[p] for p in ("34", "63", "46", "35", "33", "71", "03", "67", "30")] == [
        "İstanbul", "Şanlıurfa", "Kahramanmaraş", "İzmir", "Mersin", "Kırıkkale", "Afyonkarahisar",
        "Zonguldak", "Hakkari",
    ]


def test_geometries_are_valid_polygons_in_turkiye_without_gaps_or_overlaps():
    shapes = province_shapes()
    assert shapes.crs.to_epsg() == 4326
    geoms = shapes.geometry.to_numpy()
    assert shapely.is_valid(geoms).all()
    assert set(shapes.geom_type) <= {"Polygon", "MultiPolygon"}
    assert (shapely.area(geoms) > 0).all()
    assert shapely.coverage_is_valid(geoms)
    west, south, east, north = shapes.total_bounds
    assert 25 < west < 27 and 35 < south < 36.5 and 44 < east < 45.5 and 41.5 < north < 42.5

def test_each_name_is_on_the_right_shape():
    shapes = province_shapes().set_index("province").geometry
    cities = {"Ankara": (32.85, 39.93), "İstanbul": (28.98, 41.01), "Şanlıurfa": (38.79, 37.16),
              "Kahramanmaraş": (36.94, 37.58), "Kırıkkale": (33.52, 39.85), "Zonguldak": (31.79, 41.45)}
    for province, (lon, lat) in cities.items():
        assert shapes[province].contains(shapely.Point(lon, lat)), province


def test_reading_emits_no_warnings():
    province_shapes.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(province_shapes()) == 81
