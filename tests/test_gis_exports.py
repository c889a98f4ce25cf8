"""For the GIS desk: every map view as a GeoPackage and as a zipped shapefile, read back with pyogrio."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pyogrio
import pytest

from geoapp.briefing.gis import short_names

from .test_access import app as acl_app  # noqa: F401  (the two-province instance with its users)
from .test_access import login
from .test_map_api import XSS_NAME, app  # noqa: F401  (the same small instance as the CSV tests)

VIEW = "scheme=antt&as_of=2025-12-31"


@pytest.fixture
def client(app):  # noqa: F811
    return app.test_client()


def _csv_rows(client, query: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(client.get(f"/export/2025/12.csv?{query}").data.decode("utf-8-sig"))))


def _read(data: bytes, path, name: str):
    target = path / name
    target.write_bytes(data)
    return pyogrio.read_dataframe(target), pyogrio.read_info(target)


def test_geopackage_is_the_view_with_geometry(client, tmp_path):
    resp = client.get(f"/export/2025/12.gpkg?{VIEW}")
    assert resp.status_code == 200 and resp.mimetype == "application/geopackage+sqlite3"
    assert resp.headers["Content-Disposition"].endswith('.gpkg"')
    frame, info = _read(resp.data, tmp_path, "v.gpkg")
    assert frame.crs.to_epsg() == 4326 and info["crs"] == "EPSG:4326"
    assert info["geometry_type"] in ("MultiPolygon", "Polygon") and frame.geometry.notna().all()
    rows = _csv_rows(client, VIEW)                    # same rows, codes and statuses as the CSV
    assert len(frame) == len(rows) - 1
    code_col, status_col = rows[0].index("Mã xã"), rows[0].index("Mã trạng thái")
    assert dict(zip(frame["code"], frame["status"].fillna(""))) == {r[code_col]: r[status_col] for r in rows[1:]}
    assert dict(zip(frame["code"], frame["status"]))["03388"] == "trong_diem_phuc_tap"
    assert XSS_NAME in set(frame["name"]) | set(frame["full_name"])          # stored text, as is
    assert "Xã Thử Bắc" in set(frame["name"]) | set(frame["full_name"])     # Vietnamese intact
    assert set(frame["province_name"]) == {"Tỉnh Lai Châu"}


def test_shapefile_zip_utf8_short_fields_and_field_list(client, tmp_path):
    resp = client.get(f"/export/2025/12.shp.zip?{VIEW}&lang=en")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert resp.headers["Content-Disposition"].endswith('.shp.zip"')
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    names = zf.namelist()
    assert {n.rsplit(".", 1)[-1] for n in names} >= {"shp", "shx", "dbf", "prj", "cpg", "csv"}
    cpg = next(n for n in names if n.endswith(".cpg"))
    assert zf.read(cpg).decode().strip().upper().replace("-", "") == "UTF8"
    fields = list(csv.DictReader(io.StringIO(zf.read("fields.csv").decode("utf-8-sig"))))
    assert {"field", "column", "meaning_vi", "meaning_en"} <= set(fields[0])
    mapping = {f["field"]: f for f in fields}
    assert mapping["district"]["column"] == "district_name" and mapping["district"]["meaning_vi"] != "district_name"
    assert mapping["code"]["meaning_en"] == "Commune code"

    frame, info = _read(resp.data, tmp_path, "v.shp.zip")
    assert all(len(f) <= 10 for f in info["fields"]) and set(info["fields"]) == set(mapping)
    assert info["encoding"].upper().replace("-", "") == "UTF8" and frame.crs.to_epsg() == 4326
    rows = _csv_rows(client, VIEW + "&lang=en")
    header = rows[0]
    codes = {r[header.index("Commune code")]: r[header.index("Status code")] for r in rows[1:]}
    assert dict(zip(frame["code"], frame["status"].fillna(""))) == codes
    assert XSS_NAME in set(frame["name"]) | set(frame["full_name"])
    assert set(frame["province"]) == {"Tỉnh Lai Châu"} and "Xã Thử Bắc" in set(frame["name"]) | set(frame["full_name"])


def test_indicator_view_and_country_as_gis(client, tmp_path):
    frame, info = _read(client.get("/export/2025/12.gpkg?indicator=so_vu_pham_toi").data, tmp_path, "i.gpkg")
    assert len(frame) == 4 and "value" in info["fields"]
    resp = client.get("/export/2025/all.shp.zip?indicator=so_vu_pham_toi")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    data = resp.data
    frame, info = _read(data, tmp_path, "all.shp.zip")
    assert len(frame) == 4 and "rate_1000" in info["fields"]


def test_short_names_are_unique_and_short():
    names = short_names(["province_name", "province_code", "a_very_long_column_name", "a_very_long_column_other"])
    assert all(len(n) <= 10 for n in names.values())
    assert len({n.lower() for n in names.values()}) == 4 and names["province_name"] == "province"


@pytest.mark.parametrize("fmt", ["gpkg", "shp.zip"])
def test_access_as_for_csv(acl_app, fmt):  # noqa: F811
    viewer = login(acl_app, "viewer12")
    assert viewer.get(f"/export/2025/12.{fmt}").status_code == 200
    assert viewer.get(f"/export/2025/14.{fmt}").status_code == 403
    assert viewer.get(f"/export/2025/all.{fmt}").status_code == 403
    assert acl_app.test_client().get(f"/export/2025/12.{fmt}").status_code in (302, 401)


def test_render_command_writes_gis_files(app, tmp_path, monkeypatch):  # noqa: F811
    from click.testing import CliRunner

    from geoapp.cli import main
    monkeypatch.setenv("GEOAPP_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("GEOAPP_INSTANCE_PATH", app.instance_path)
    for name in ("x.gpkg", "x.shp.zip"):
        out = tmp_path / name
        result = CliRunner().invoke(main, ["render", "--edition", "2025", "--province", "12", "--scheme", "antt",
                                           "--as-of", "2025-12-31", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert len(pyogrio.read_dataframe(out)) == 4


# -- the standalone HTML carries everything it draws --------------------------------------------------
def test_standalone_html_carries_its_outlines(client):
    html = client.get(f"/export/2025/12.html?{VIEW}").get_data(as_text=True)
    config = json.loads(re.search(r'<script[^>]*id="map-config"[^>]*>(.*?)</script>', html, re.DOTALL).group(1))
    outlines = config["inline"]["outline_province"]["features"]
    assert [f["properties"]["name"] for f in outlines] == ["Tỉnh Lai Châu"]
    assert "outline_district" not in config["inline"]                    # districts: pre-2025 only


@pytest.mark.browser
@pytest.mark.parametrize("query", [VIEW, "indicator=so_vu_pham_toi"])
def test_standalone_html_makes_no_request_at_all(client, chromium, tmp_path, query):
    path = tmp_path / "map.html"
    path.write_bytes(client.get(f"/export/2025/12.html?{query}").data)
    context = chromium.new_context(offline=True)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("#map[data-drawn='4']")
    page.wait_for_selector(".leaflet-outlines-pane path")            # the province outline, from the file
    page.wait_for_timeout(500)
    assert [u for u in requests if u != path.as_uri() and not u.startswith("data:")] == [] and errors == []
    context.close()
