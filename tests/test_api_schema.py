"""schemathesis against the OpenAPI document: whatever it sends, the API never answers 500.

The schema is loaded when the test runs, from a module fixture (the app with its small
instance), never at import: collecting the suite stays fast and writes nothing outside
pytest's temp folders. ``schemathesis.pytest.from_fixture`` would be the usual way, but its
lazy loader breaks on pytest 9.2 (it sets ``Function._nodeid``, which pytest no longer has), so
the test drives each operation's hypothesis strategy itself (positive and negative cases, as
``schema.parametrize`` does), one sub-test per operation.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from geoapp import create_app
from geoapp.ingest import import_boundaries
from geoapp.records import import_indicator_file, import_status_file
from geoapp.schemes import load_catalogue

from .conftest import communes, db_url, write_shp


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    """A public-read instance with three communes, one status and one indicator."""
    tmp = tmp_path_factory.mktemp("schema")
    app = create_app({"DATABASE_URL": db_url(tmp, "s"), "INSTANCE_PATH": str(tmp), "SECRET_KEY": "t",
                      "PUBLIC_READ": True})
    store = app.extensions["geoapp.store"]
    import_boundaries(store, [write_shp(communes(3), tmp / "shp")], "2025")
    (tmp / "s.csv").write_text("ma_xa,trang_thai,tu_ngay\n3388,khong_ma_tuy,2025-09-01\n")
    import_status_file(store, tmp / "s.csv", "2025", load_catalogue())
    (tmp / "i.csv").write_text("ma_xa,ky,chi_tieu,gia_tri\n3388,2025,so_vu_pham_toi,4\n3389,2025,so_vu_pham_toi,1\n")
    import_indicator_file(store, tmp / "i.csv", "2025", load_catalogue())
    return app


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)


def never_500(operation) -> None:
    """Up to 25 generated requests to ``operation``, valid and invalid; none may answer 5xx."""
    cases = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in GenerationMode))

    @given(case=cases)
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(checks=[not_a_server_error])

    check()


def test_api_never_answers_500(api_schema, subtests):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    for operation in operations:
        with subtests.test(msg=operation.label):
            never_500(operation)
