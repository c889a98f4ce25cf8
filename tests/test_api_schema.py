"""schemathesis against the OpenAPI document: whatever it sends, the API never answers 500."""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from geoapp import create_app  # noqa: E402
from geoapp.ingest import import_boundaries  # noqa: E402
from geoapp.records import import_indicator_file, import_status_file  # noqa: E402
from geoapp.schemes import load_catalogue  # noqa: E402

from .conftest import communes, db_url, write_shp  # noqa: E402


def _app():
    import tempfile
    from pathlib import Path
    tmp = Path(tempfile.mkdtemp(prefix="geoapp-schema-"))
    app = create_app({"DATABASE_URL": db_url(tmp, "s"), "INSTANCE_PATH": str(tmp), "SECRET_KEY": "t",
                      "PUBLIC_READ": True})
    store = app.extensions["geoapp.store"]
    import_boundaries(store, [write_shp(communes(3), tmp / "shp")], "2025")
    (tmp / "s.csv").write_text("ma_xa,trang_thai,tu_ngay\n3388,khong_ma_tuy,2025-09-01\n")
    import_status_file(store, tmp / "s.csv", "2025", load_catalogue())
    (tmp / "i.csv").write_text("ma_xa,ky,chi_tieu,gia_tri\n3388,2025,so_vu_pham_toi,4\n3389,2025,so_vu_pham_toi,1\n")
    import_indicator_file(store, tmp / "i.csv", "2025", load_catalogue())
    return app


APP = _app()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_500(case):
    case.call_and_validate(checks=[not_a_server_error])
