"""The geoapp command line, run in-process with click's runner."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from geoapp.cli import main

from .conftest import SHARED_DATA, communes, requires_shared, write_shp


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("GEOAPP_DATA_MIRROR", str(SHARED_DATA))

    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return invoke


def test_import_then_export(run, tmp_path):
    path = write_shp(communes(3), tmp_path / "shp")
    result = run("boundaries", "import", path, "--edition", "2025")
    assert result.exit_code == 0, result.output
    assert "imported 3 units" in result.output
    out = tmp_path / "units.csv"
    assert run("units", "export", "--edition", "2025", "--format", "csv", "--out", out).exit_code == 0
    assert out.read_text(encoding="utf-8-sig").count("\n") == 4


def test_missing_prj_exits_2_with_candidates(run, tmp_path):
    path = write_shp(communes(2, crs="EPSG:9205"), tmp_path / "shp", prj=False)
    result = run("boundaries", "import", path, "--edition", "2025")
    assert result.exit_code == 2
    assert "--crs EPSG:9205" in result.output and "Traceback" not in result.output


def test_json_report_of_a_refused_file(run, tmp_path):
    frame = communes(2)
    frame.loc[1, "MaXa"] = frame.loc[0, "MaXa"]
    result = run("boundaries", "import", write_shp(frame, tmp_path / "shp"), "--edition", "2025",
                 "--format", "json")
    assert result.exit_code == 2
    body = json.loads(result.output)
    assert body["error"] == "ValidationError" and body["problems"][0]["where"] == "code 03388"


def test_config_table_is_markdown(run):
    result = run("config", "table")
    assert result.output.startswith("| variable | default | meaning |")


@requires_shared()
def test_fetch_from_mirror_folder_imports_a_province(run):
    result = run("boundaries", "fetch", "--edition", "2025", "--province", "12", "--source", SHARED_DATA)
    assert result.exit_code == 0, result.output
    assert "imported 38 units" in result.output


@requires_shared()
def test_unit_list_import(run):
    result = run("units", "import-list", "--edition", "2025")
    assert result.exit_code == 0 and "listed 3321 units in 34 provinces" in result.output


@requires_shared()
def test_status_import_refusal_and_rollback_from_the_command_line(run, tmp_path):
    assert run("units", "import-list", "--edition", "pre2025").exit_code == 0
    good = tmp_path / "ok.csv"
    good.write_text("Mã xã;Trạng thái;Từ ngày;Số quyết định\n3386;Trọng điểm, phức tạp về ANTT;01/03/2016;12/QĐ\n",
                    encoding="utf-8-sig")
    result = run("status", "import", good, "--edition", "pre2025")
    assert result.exit_code == 0 and "imported as batch" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("ma_xa,trang_thai,tu_ngay\n3386,khong ma tuy,2020-01-01\n99999,khong_ma_tuy,2020-01-01\n")
    refused = run("status", "import", bad, "--edition", "pre2025", "--format", "json")
    assert refused.exit_code == 2
    body = json.loads(refused.output)
    assert [p["where"] for p in body["problems"]] == ["row 3, code"]
    exported = run("status", "export", "--edition", "pre2025", "--province", "12", "--as-of", "2020-01-01")
    assert "03386" in exported.output and "trong_diem_phuc_tap" in exported.output
    batch = json.loads(run("status", "batches", "--format", "json").output)[0]["id"]
    assert run("status", "rollback", batch).exit_code == 0
    assert "03386" not in run("status", "export", "--edition", "pre2025", "--as-of", "2020-01-01").output
    assert "rolled back" in run("status", "history", "--edition", "pre2025", "3386").output


def test_status_import_with_header_row_and_scheme(run, tmp_path):
    """A province's file as sent: a letterhead above the header, no scheme column (issue 14, item 7)."""
    assert run("boundaries", "import", write_shp(communes(3), tmp_path / "shp"), "--edition", "2025").exit_code == 0
    path = tmp_path / "st.csv"
    path.write_text("CÔNG AN TỈNH LAI CHÂU,,\nDANH SÁCH XÃ KHÔNG MA TÚY,,\nma_xa,trang_thai,tu_ngay\n"
                    "3388,khong_ma_tuy,2025-09-01\n", encoding="utf-8")
    refused = run("status", "import", path, "--edition", "2025", "--header-row", "1", "--scheme", "ma_tuy")
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    result = run("status", "import", path, "--edition", "2025", "--header-row", "3", "--scheme", "ma_tuy",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["records"] == 1 and report["header_row"] == 3
    assert run("status", "import", path, "--edition", "2025", "--header-row", "0").exit_code == 2
