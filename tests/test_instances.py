"""Two application instances on one database: caches stay coherent through the data version."""
from __future__ import annotations



from geoapp import create_app
from geoapp.records import import_status_file
from geoapp.schemes import load_catalogue
from geoapp.ingest import import_boundaries

from .conftest import communes, write_shp




def test_an_import_on_one_instance_is_seen_by_the_other(each_backend_url, tmp_path):
    url = each_backend_url
    settings = {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "t", "PUBLIC_READ": True}
    a, b = create_app(settings), create_app(settings)
    import_boundaries(a.extensions["geoapp.store"], [write_shp(communes(2), tmp_path / "s")], "2025")
    query = "/api/v1/2025/statuses?province=12&scheme=ma_tuy&as_of=2025-12-31"
    before = b.test_client().get(query)
    assert before.get_json()["legend"][0]["units"] == 0
    csv = tmp_path / "st.csv"
    csv.write_text("ma_xa,trang_thai,tu_ngay\n3388,khong_ma_tuy,2025-09-01\n")
    import_status_file(a.extensions["geoapp.store"], csv, "2025", load_catalogue())   # written through A
    after = b.test_client().get(query, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200                                                    # B's cached copy is stale
    assert after.get_json()["statuses"]["03388"]["status"] == "khong_ma_tuy"
    assert a.test_client().get(query).get_json() == after.get_json()
