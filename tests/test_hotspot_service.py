"""Hot spots end to end on real geometry: the command, the API and the map page agree."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from geoapp import create_app
from geoapp.cli import main
from geoapp.ingest import import_boundaries
from geoapp.records import import_indicator_file, import_status_file
from geoapp.schemes import load_catalogue

from .conftest import SHARED_DATA, db_url, requires_shared

pytestmark = [requires_shared(), pytest.mark.realdata]
LAI_CHAU = SHARED_DATA / "boundaries" / "2025" / "12_lai_chau.zip"


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hot")
    settings = {"DATABASE_URL": db_url(tmp, "h"), "INSTANCE_PATH": str(tmp), "SECRET_KEY": "t", "PUBLIC_READ": True}
    app = create_app(settings)
    store = app.extensions["geoapp.store"]
    import_boundaries(store, [LAI_CHAU], "2025")
    geo = store.geometries("2025", "12", lod=1)
    centre = geo.loc[geo["code"] == "03388"].geometry.iloc[0]
    block = set(geo.loc[geo.geometry.intersects(centre.buffer(0.01)), "code"])      # a unit and its ring
    rng = np.random.default_rng(3)
    lines = ["ma_xa,ky,chi_tieu,gia_tri"]
    for code in geo["code"]:
        lines.append(f"{code},2024,so_vu_pham_toi,{(60 if code in block else 0) + rng.poisson(5)}")
    (tmp / "ind.csv").write_text("\n".join(lines) + "\n")
    import_indicator_file(store, tmp / "ind.csv", "2025", load_catalogue())
    st = ["ma_xa,che_do,trang_thai,tu_ngay"] + [f"{c},antt,trong_diem_phuc_tap,2025-08-01" for c in sorted(block)]
    (tmp / "st.csv").write_text("\n".join(st) + "\n")
    import_status_file(store, tmp / "st.csv", "2025", load_catalogue())
    near = set(geo.loc[geo.geometry.intersects(geo.loc[geo["code"].isin(block)].union_all().buffer(0.005)), "code"])
    return app, settings, block, near


def test_planted_cluster_is_hot_and_command_agrees_with_api(instance, monkeypatch):
    app, settings, block, near = instance
    api = app.test_client().get("/api/v1/2025/hotspots?province=12&indicator=so_vu_pham_toi&period=2024").get_json()
    classes = {r["code"]: r["class"] for r in api["rows"]}
    assert len(classes) == 38                                   # every unit, exactly one class
    assert classes["03388"] == "hot_99"                         # the centre of the planted block
    assert sum(classes[c].startswith("hot") for c in block) >= len(block) / 2
    assert not [c for c, k in classes.items() if k.startswith("hot") and c not in near]   # nothing far away
    assert "permutations" in api["how_to_read"] or "hoán vị" in api["how_to_read"]
    monkeypatch.setenv("GEOAPP_DATABASE_URL", settings["DATABASE_URL"])
    monkeypatch.setenv("GEOAPP_INSTANCE_PATH", settings["INSTANCE_PATH"])
    out = CliRunner().invoke(main, ["hotspots", "--edition", "2025", "--province", "12", "--indicator",
                                    "so_vu_pham_toi", "--period", "2024", "--format", "json"])
    assert out.exit_code == 0, out.output
    cli = json.loads(out.stdout)
    assert {r["code"]: r["class"] for r in cli["rows"]} == classes
    assert [r["code"] for r in cli["rows"]] == [r["code"] for r in api["rows"]]        # same ranking


def test_join_count_on_a_status(instance):
    app, _, block, _ = instance
    body = app.test_client().get("/api/v1/2025/hotspots?province=12&scheme=antt&status=key&as_of=2025-12-31").get_json()
    assert body["run"]["method"] == "join_count"
    hot = {r["code"] for r in body["rows"] if r["class"].startswith("hot")}
    assert hot and hot <= block


def test_bad_hotspot_requests_are_400(instance):
    client = instance[0].test_client()
    for url in ("/api/v1/2025/hotspots?province=12",
                "/api/v1/2025/hotspots?province=12&indicator=nope",
                "/api/v1/2025/hotspots?province=12&indicator=so_vu_pham_toi&permutations=100000",
                "/api/v1/2025/hotspots?province=12&scheme=antt&status=weird"):
        resp = client.get(url)
        assert resp.status_code == 400 and resp.get_json()["message"]


def test_emerging_hot_spots_through_the_api(instance, tmp_path):
    app = instance[0]
    store = app.extensions["geoapp.store"]
    geo = store.geometries("2025", "12", lod=1)
    path = tmp_path / "years.csv"
    rng = np.random.default_rng(5)
    lines = ["ma_xa,ky,chi_tieu,gia_tri"]
    for year in range(2018, 2024):
        for code in geo["code"]:
            lines.append(f"{code},{year},tin_bao_to_giac,{rng.poisson(5) + (50 if code in instance[2] and year == 2023 else 0)}")
    path.write_text("\n".join(lines) + "\n")
    import_indicator_file(store, path, "2025", load_catalogue())
    body = app.test_client().get("/api/v1/2025/emerging?province=12&indicator=tin_bao_to_giac").get_json()
    assert body["periods"] == [str(y) for y in range(2018, 2024)]
    categories = {r["code"]: r["category"] for r in body["rows"]}
    assert len(categories) == 38
    assert categories["03388"] in ("new_hot", "consecutive_hot", "sporadic_hot")
    too_short = app.test_client().get("/api/v1/2025/emerging?province=12&indicator=so_vu_pham_toi")
    assert too_short.status_code == 400
