"""Integration tests on the real boundaries in ../shared/data."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from geoapp.boundaries import read_boundaries
from geoapp.errors import ValidationError
from geoapp.ingest import import_boundaries, import_unit_list

from .conftest import SHARED_DATA, requires_shared
from .test_ingest import neighbour_pairs

pytestmark = [requires_shared(), pytest.mark.realdata]
B2025 = SHARED_DATA / "boundaries" / "2025"
PRE2025 = SHARED_DATA / "boundaries" / "pre2025" / "xa_4tinh_truoc2025_xapxi.zip"


def test_all_34_provinces_read_to_3321_units():
    read = read_boundaries(sorted(B2025.glob("*.zip")))
    assert len(read.units) == 3321
    assert read.units["code"].is_unique and read.units["code"].str.fullmatch(r"\d{5}").all()
    assert len(read.provinces) == 34
    assert not [p for p in read.problems if p.level == "error"]


def test_pre2025_four_provinces_and_their_unit_list(store):
    report = import_boundaries(store, [PRE2025], "pre2025")
    assert report["units"] == 582
    import_unit_list(store, "pre2025", SHARED_DATA)
    provinces = store.provinces("pre2025").set_index("code")
    four = provinces.loc[["10", "12", "14", "68"]]
    assert four["with_geometry"].sum() == 582
    assert provinces.loc["12", "units"] == 106
    # units with no polygon are listed, not lost (12 of the 16 in the README's list still existed
    # on 30 June 2025; 4 Lâm Đồng communes had been merged away before that list was drawn)
    no_geom = store.units("pre2025")
    no_geom = no_geom[no_geom["province_code"].isin(["10", "12", "14", "68"]) & (no_geom["has_geometry"] == 0)]
    assert len(no_geom) == four["units"].sum() - 582 > 0
    assert len(store.units("pre2025")) == 10035


def test_lai_chau_in_vn2000_tm3_lands_within_a_metre(tmp_path):
    original = read_boundaries([B2025 / "12_lai_chau.zip"]).units
    copy = original[["code", "name", "province_code", "geometry"]].rename(
        columns={"code": "MaXa", "name": "TenXa", "province_code": "MaTinh"}).to_crs("EPSG:9205")
    path = tmp_path / "lai_chau_vn2000.shp"
    copy.to_file(path)
    assert "Vietnam_2000" in path.with_suffix(".prj").read_text()    # an ESRI-flavoured .prj
    back = read_boundaries([path]).units
    from geoapp.crs import EQUAL_AREA
    a = original.to_crs(EQUAL_AREA).geometry.values
    b = back.to_crs(EQUAL_AREA).geometry.values
    assert float(shapely.hausdorff_distance(a, b).max()) < 1.0


def test_shared_borders_survive_every_level_across_province_lines(store):
    files = [B2025 / "12_lai_chau.zip", B2025 / "11_dien_bien.zip", B2025 / "14_son_la.zip"]
    import_boundaries(store, files, "2025")
    full = store.geometries("2025", lod=0)
    expected = neighbour_pairs(np.asarray(full.geometry.values, dtype=object))
    cross = {(a, b) for a, b in expected if full["province_code"][a] != full["province_code"][b]}
    assert cross, "the three provinces touch each other"
    for level in (1, 2, 3):
        simple = store.geometries("2025", lod=level)
        assert list(simple["code"]) == list(full["code"])
        geoms = np.asarray(simple.geometry.values, dtype=object)
        assert shapely.coverage_is_valid(geoms), f"gaps or overlaps at level {level}"
        assert cross <= neighbour_pairs(geoms), f"a province border came apart at level {level}"


@pytest.mark.slow
def test_whole_2025_edition_imports(store):
    report = import_boundaries(store, sorted(B2025.glob("*.zip")), "2025")
    assert report["units"] == 3321
    stats = store.lod_stats("2025").set_index("lod")
    assert (stats["units"] == 3321).all()
    assert stats.loc[0, "vertices"] > 7_000_000
    assert stats["vertices"].is_monotonic_decreasing
    country = np.asarray(store.geometries("2025", lod=3).geometry.values, dtype=object)
    assert shapely.coverage_is_valid(country)


def test_a_2025_file_imported_as_pre2025_is_refused(store):
    import_unit_list(store, "pre2025", SHARED_DATA)
    before = store.data_version()
    with pytest.raises(ValidationError, match="is this file of edition 2025"):
        import_boundaries(store, [B2025 / "12_lai_chau.zip"], "pre2025")
    assert store.data_version() == before


def test_units_missing_from_the_list_are_reported(store):
    """Quảng Ninh's Ba Chẽ is 06978 in the boundary file but 06970 in the crosswalk-based list."""
    import_unit_list(store, "2025", SHARED_DATA)
    report = import_boundaries(store, [B2025 / "22_quang_ninh.zip"], "2025")
    assert any(p["where"] == "code 06978" and "not in the official" in p["message"] for p in report["problems"])
    ba_che = store.units("2025").set_index("code").loc["06970"]
    assert ba_che["has_geometry"] == 0
