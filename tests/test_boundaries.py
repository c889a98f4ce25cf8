"""Reading and validating boundary files built in code: CRS, encodings, fields, geometry."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from pyproj import CRS

from geoapp import crs as vncrs
from geoapp.boundaries import FieldOptions, read_boundaries
from geoapp.errors import CRSError, EncodingError, InputError, ValidationError

from .conftest import communes, write_shp


def _max_offset_m(a: gpd.GeoSeries, b: gpd.GeoSeries) -> float:
    """Largest Hausdorff distance in metres between matching geometries (ring order may differ)."""
    ga = a.to_crs(vncrs.EQUAL_AREA).values
    gb = b.to_crs(vncrs.EQUAL_AREA).values
    return float(shapely.hausdorff_distance(ga, gb).max())


ESRI_VN2000_TM3_10415 = (
    'PROJCS["VN_2000_TM_3_104_15",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",'
    'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",104.25],PARAMETER["Scale_Factor",0.9999],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]')


def test_tm3_copy_with_prj_lands_within_a_metre(tmp_path):
    original = communes(3)
    path = write_shp(original.to_crs("EPSG:9205"), tmp_path)
    read = read_boundaries([path])
    assert "9205" in next(iter(read.crs.values()))
    assert _max_offset_m(read.units.geometry, original.geometry) < 1.0


def test_custom_tm3_meridian_keeps_the_datum_shift(tmp_path):
    """104°15' is no EPSG zone: an ESRI .prj for it must still get the VN-2000 shift (~225 m)."""
    original = communes(2)
    custom = vncrs.tm3_crs(104.25)
    projected = original.to_crs(custom)
    path = write_shp(projected, tmp_path)
    path.with_suffix(".prj").write_text(ESRI_VN2000_TM3_10415)   # what ArcGIS writes: no TOWGS84
    read = read_boundaries([path])
    assert _max_offset_m(read.units.geometry, original.geometry) < 1.0
    # and the naive path through a PROJ string really is ~225 m off, which is why we care
    naive = CRS.from_proj4("+proj=tmerc +lon_0=104.25 +k=0.9999 +x_0=500000 +ellps=WGS84 +units=m")
    lost = gpd.GeoSeries(list(projected.geometry.values), crs=naive).to_crs(4326)
    assert _max_offset_m(lost, original.geometry) > 100


def test_missing_prj_is_refused_with_candidates(tmp_path):
    path = write_shp(communes(2, crs="EPSG:9205"), tmp_path, prj=False)
    with pytest.raises(CRSError) as info:
        read_boundaries([path])
    codes = [c.crs for c in info.value.candidates]
    assert "EPSG:9205" in codes and "EPSG:3405" in codes
    assert "--crs" in str(info.value)
    lai_chau = next(c for c in info.value.candidates if c.crs == "EPSG:9205")
    assert abs(lai_chau.lon - 103.4) < 0.1 and abs(lai_chau.lat - 22.3) < 0.1


def test_missing_prj_with_crs_option_is_accepted(tmp_path):
    original = communes(2)
    path = write_shp(original.to_crs("EPSG:9205"), tmp_path, prj=False)
    read = read_boundaries([path], crs="EPSG:9205")
    assert _max_offset_m(read.units.geometry, original.geometry) < 1.0


def test_degree_coordinates_without_crs_suggest_wgs84(tmp_path):
    path = write_shp(communes(2), tmp_path, prj=False)
    with pytest.raises(CRSError) as info:
        read_boundaries([path])
    assert info.value.candidates[0].crs == "EPSG:4326"


def test_geojson_with_projected_coordinates_is_caught(tmp_path):
    frame = communes(2, crs="EPSG:9205")
    path = tmp_path / "xa.geojson"
    # RFC 7946 GeoJSON has no CRS member: readers assume WGS 84
    doc = json.loads(frame.to_json())
    doc.pop("crs", None)
    path.write_text(json.dumps(doc))
    with pytest.raises(CRSError) as info:
        read_boundaries([path])
    assert "EPSG:9205" in [c.crs for c in info.value.candidates]


def test_geopackage_and_geojson_read(tmp_path):
    gpkg = tmp_path / "xa.gpkg"
    communes(2).to_file(gpkg, driver="GPKG")
    gj = tmp_path / "other.geojson"
    communes(2, start=3400).to_file(gj, driver="GeoJSON")
    read = read_boundaries([gpkg, gj])
    assert list(read.units["code"]) == ["03388", "03389", "03400", "03401"]


def test_bow_tie_is_repaired_and_reported(tmp_path):
    frame = communes(2)
    x0, y0, x1, y1 = frame.geometry.iloc[1].bounds
    frame.loc[1, "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    read = read_boundaries([write_shp(frame, tmp_path)])
    repaired = [p for p in read.problems if p.level == "repaired"]
    assert len(repaired) == 1 and "03389" in repaired[0].where
    geom = read.units.set_index("code").geometry["03389"]
    assert geom.is_valid and geom.geom_type in ("Polygon", "MultiPolygon") and geom.area > 0


def test_every_problem_is_collected_before_refusing(tmp_path):
    frame = communes(4)
    frame.loc[1, "MaXa"] = frame.loc[0, "MaXa"]               # duplicate code
    frame.loc[2, "MaXa"] = "X12"                              # not a code
    frame.loc[3, "geometry"] = shapely.Point(103.5, 22.3).buffer(0.01).boundary  # a line
    path = tmp_path / "mixed.geojson"
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(ValidationError) as info:
        read_boundaries([path])
    messages = " | ".join(p.message for p in info.value.problems)
    assert "appears 2 times" in messages
    assert "'X12'" in messages
    assert "not a polygon" in messages
    assert all(p.message_vi for p in info.value.problems)


def test_codes_that_lost_their_zeros_are_padded_and_reported(tmp_path):
    frame = communes(2)
    frame["MaXa"] = ["3388", "3389.0"]
    read = read_boundaries([write_shp(frame, tmp_path)])
    assert list(read.units["code"]) == ["03388", "03389"]
    assert sum("padded" in p.message for p in read.problems) == 2


def test_features_outside_vietnam_are_refused(tmp_path):
    frame = communes(2)
    frame.loc[1, "geometry"] = shapely.box(120.0, 30.0, 120.1, 30.1)
    with pytest.raises(ValidationError, match="refused") as info:
        read_boundaries([write_shp(frame, tmp_path)])
    assert any("outside Vietnam" in p.message and "03389" in p.where for p in info.value.problems)


def test_missing_fields_name_the_option_and_the_fields(tmp_path):
    frame = communes(2).rename(columns={"MaXa": "ID_XA"})
    path = write_shp(frame, tmp_path)
    with pytest.raises(ValidationError) as info:
        read_boundaries([path])
    assert "--code-field" in str(info.value) and "ID_XA" in str(info.value)
    read = read_boundaries([path], fields=FieldOptions(code="ID_XA"))
    assert list(read.units["code"]) == ["03388", "03389"]


def test_province_field_option_accepts_a_name_field(tmp_path):
    frame = communes(2).rename(columns={"MaTinh": "PROV"})
    read = read_boundaries([write_shp(frame, tmp_path)], fields=FieldOptions(province="PROV"))
    assert set(read.units["province_code"]) == {"12"}


def test_utf8_read_through_a_wrong_cpg_is_refused_with_advice(tmp_path):
    path = write_shp(communes(3), tmp_path, cpg="1252")
    with pytest.raises(EncodingError, match="--encoding UTF-8"):
        read_boundaries([path])
    read = read_boundaries([path], encoding="UTF-8")
    assert read.units["name"].iloc[0] == "Xã Thử Aắc"


def test_cp1258_without_cpg_is_detected(tmp_path):
    frame = communes(2)
    frame["TenXa"] = ["Xã Hòa Bình", "Phường Đoàn Kết"]
    path = write_shp(frame, tmp_path, cpg=None, encoding="cp1258")
    read = read_boundaries([path])
    assert list(read.units["name"]) == ["Xã Hòa Bình", "Phường Đoàn Kết"]
    assert any("cp1258" in p.message for p in read.problems)


@pytest.mark.parametrize("names, kind", [
    (["X· B¾c S¬n", "X· §oµn KÕt", "Ph­êng T©n Phong"], "TCVN3"),
    (["Xaõ Ñoaøn Keát", "Phöôøng Taân Phong", "Xaõ Bình Lö"], "VNI"),
])
def test_legacy_font_names_are_refused(tmp_path, names, kind):
    frame = communes(3)
    frame["TenXa"] = names
    with pytest.raises(EncodingError, match=kind):
        read_boundaries([write_shp(frame, tmp_path)])


def test_zip_of_a_shapefile_set_is_read(tmp_path):
    import zipfile
    path = write_shp(communes(2), tmp_path / "set")
    archive = tmp_path / "xa.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in path.parent.iterdir():
            zf.write(f, f"nested/{f.name}")
    assert len(read_boundaries([archive]).units) == 2


def test_incomplete_shapefile_set_says_what_is_missing(tmp_path):
    path = write_shp(communes(2), tmp_path)
    path.with_suffix(".dbf").unlink()
    with pytest.raises(InputError, match=".dbf"):
        read_boundaries([path])


def test_area_is_computed_in_square_kilometres():
    frame = communes(1, size_m=1000.0)
    area = shapely.area(frame.to_crs(vncrs.EQUAL_AREA).geometry.values)[0] / 1e6
    assert area == pytest.approx(1.0, rel=2e-3)
