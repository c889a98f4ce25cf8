"""Importing boundaries into the store: all-or-nothing, atomic replacement, levels of detail."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geoapp.errors import CRSError, ValidationError
from geoapp.ingest import export_units, import_boundaries
from geoapp.lod import levels_of_detail

from .conftest import LAI_CHAU_CRS, communes, write_shp


def wiggly_coverage(n: int = 12, seed: int = 1) -> gpd.GeoDataFrame:
    """Voronoi communes with dense, wiggly shared borders (so simplification has work to do)."""
    rng = np.random.default_rng(seed)
    origin = gpd.GeoSeries([shapely.Point(103.4, 22.3)], crs=4326).to_crs(LAI_CHAU_CRS).iloc[0]
    frame_box = shapely.box(origin.x, origin.y, origin.x + 20000, origin.y + 20000)
    pts = shapely.multipoints(rng.uniform([origin.x, origin.y], [origin.x + 20000, origin.y + 20000], (n, 2)))
    cells = [c.intersection(frame_box) for c in shapely.voronoi_polygons(pts, extend_to=frame_box).geoms]
    cells = shapely.segmentize(np.array(cells, dtype=object), 50.0)

    def wiggle(xy):  # the same vertex moves the same way in every cell: the coverage stays exact
        return xy + 40 * np.column_stack([np.sin(xy[:, 1] / 97.0), np.cos(xy[:, 0] / 89.0)])
    cells = shapely.transform(cells, wiggle)
    half = n // 2
    return gpd.GeoDataFrame({
        "MaXa": [f"{3388 + i:05d}" for i in range(n)],
        "TenXa": [f"Xã Số {i}" for i in range(n)],
        "MaTinh": ["12"] * half + ["11"] * (n - half),
        "TenTinh": ["Tỉnh Lai Châu"] * half + ["Tỉnh Điện Biên"] * (n - half),
    }, geometry=list(cells), crs=LAI_CHAU_CRS)


def neighbour_pairs(geoms) -> set[tuple[int, int]]:
    """Pairs of units sharing a border of positive length."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = set()
    for a, b in zip(left, right):
        if a < b and shapely.length(shapely.intersection(geoms[a].boundary, geoms[b].boundary)) > 1e-9:
            pairs.add((int(a), int(b)))
    return pairs


def snapshot(store):
    return (store.data_version(), store.units("2025").to_dict("records"), len(store.batches()),
            len(store.audit_log()), store.lod_stats("2025").to_dict("records"))


def test_levels_of_detail_keep_shared_borders():
    frame = wiggly_coverage().to_crs(4326)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    lods = levels_of_detail(geoms)
    before = shapely.get_num_coordinates(geoms).sum()
    for level, simple in lods.items():
        assert shapely.coverage_is_valid(simple), f"level {level} opened gaps or overlaps"
        assert shapely.is_valid(simple).all()
        assert neighbour_pairs(simple) == neighbour_pairs(geoms)
        assert shapely.get_num_coordinates(simple).sum() < before


def test_import_writes_units_lods_batch_and_audit(store, tmp_path):
    path = write_shp(wiggly_coverage(), tmp_path)
    report = import_boundaries(store, [path], "2025", user="tester")
    assert report["units"] == 12 and set(report["provinces"]) == {"11", "12"}
    assert list(store.lod_stats("2025")["lod"]) == [0, 1, 2, 3]
    batch = store.batches().iloc[0]
    assert batch["kind"] == "boundaries" and batch["user"] == "tester" and len(batch["file_hash"]) == 64
    audit = store.audit_log().iloc[0]
    assert audit["action"] == "boundaries.import" and audit["user"] == "tester"
    assert store.units("2025", "12")["has_geometry"].eq(1).all()


@pytest.mark.parametrize("breakage", ["duplicate", "no_prj", "outside"])
def test_refused_import_changes_nothing(store, tmp_path, breakage):
    import_boundaries(store, [write_shp(communes(3), tmp_path / "ok")], "2025")
    before = snapshot(store)
    frame = communes(3, start=3400)
    if breakage == "duplicate":
        frame.loc[2, "MaXa"] = frame.loc[0, "MaXa"]
    if breakage == "outside":
        frame.loc[1, "geometry"] = shapely.box(140, 40, 140.1, 40.1)
    path = write_shp(frame, tmp_path / "bad", prj=breakage != "no_prj")
    with pytest.raises((ValidationError, CRSError)):
        import_boundaries(store, [path], "2025")
    assert snapshot(store) == before


def test_reimport_replaces_one_province_and_leaves_the_others(store, tmp_path):
    import_boundaries(store, [write_shp(wiggly_coverage(), tmp_path / "v1")], "2025")
    fewer = wiggly_coverage()
    fewer = fewer[fewer["MaTinh"] == "12"].iloc[:3]
    import_boundaries(store, [write_shp(fewer, tmp_path / "v2")], "2025")
    assert len(store.units("2025", "12")) == 3
    assert len(store.units("2025", "11")) == 6
    assert len(store.geometries("2025", lod=2)) == 9
    assert list(store.audit_log()["action"]) == ["boundaries.import", "boundaries.import"]


def test_code_of_another_province_is_refused(store, tmp_path):
    import_boundaries(store, [write_shp(communes(2, province="12"), tmp_path / "a")], "2025")
    with pytest.raises(ValidationError, match="clash"):
        import_boundaries(store, [write_shp(communes(2, province="14"), tmp_path / "b")], "2025")


def test_editions_do_not_share_codes(store, tmp_path):
    """The same code in two editions is two different units (codes are reused by the reform)."""
    import_boundaries(store, [write_shp(communes(2), tmp_path / "a")], "2025")
    other = communes(2)
    other["TenXa"] = ["Phường Quyết Tiến", "Phường Đoàn Kết"]
    import_boundaries(store, [write_shp(other, tmp_path / "b")], "pre2025")
    assert store.units("2025").set_index("code")["name"]["03388"] != \
        store.units("pre2025").set_index("code")["name"]["03388"]


def test_export_geojson_and_csv(store, tmp_path):
    import_boundaries(store, [write_shp(communes(2), tmp_path)], "2025")
    gj = export_units(store, "2025", "12", "geojson", lod=1)
    assert b'"03388"' in gj and "Xã Thử".encode() in gj
    csv = export_units(store, "2025", None, "csv").decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("code,name") and "03389" in csv
