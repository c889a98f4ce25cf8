"""geoapp finds its templates, static files and libraries from a checkout or an installed wheel, and
refuses to start — naming every missing file and the fix — when one is missing (geoapp.resources)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest
import xstatic.pkg.leaflet
from click.testing import CliRunner

from geoapp import create_app
from geoapp import resources as res
from geoapp.cli import main
from geoapp.resources import ResourcesMissingError

from .conftest import ROOT, db_url


def settings(folder) -> dict:
    return {"DATABASE_URL": db_url(folder, "d"), "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "t"}


def test_a_checkout_has_everything():
    assert res.DATA_ROOT == ROOT                      # an editable install reads the top-level folders
    assert res.missing_files() == []
    assert sorted(p.name for p in (ROOT / "templates").glob("*.html")) == sorted(res.TEMPLATES)
    needed = set(res.referenced_static())
    assert {"lib/leaflet/leaflet.js", "lib/leaflet/leaflet.css", "fullscreen.js", "fullscreen.css", "map.js",
            "geoapp.css", "dom.js"} <= needed, needed


@pytest.fixture
def copied_root(tmp_path, monkeypatch):
    """A copy of templates/ and static/ that DATA_ROOT points at (the test removes files from it)."""
    for folder in ("templates", "static"):
        shutil.copytree(ROOT / folder, tmp_path / "root" / folder)
    monkeypatch.setattr(res, "DATA_ROOT", tmp_path / "root")
    return tmp_path / "root"


def test_create_app_names_every_missing_file_and_the_fix(copied_root, tmp_path):
    (copied_root / "templates" / "map.html").unlink()
    (copied_root / "static" / "fullscreen.js").unlink()
    with pytest.raises(ResourcesMissingError) as err:
        create_app(settings(tmp_path))
    text = str(err.value)
    assert str(copied_root / "templates" / "map.html") in text
    assert str(copied_root / "static" / "fullscreen.js") in text
    assert "pip install --force-reinstall geoapp" in text and "pip install -e ." in text
    assert err.value.missing == [str(copied_root / "templates" / "map.html"),
                                 str(copied_root / "static" / "fullscreen.js")]
    assert not (tmp_path / "instance").exists()      # refused before touching the instance


def test_a_missing_library_file_is_named(tmp_path, monkeypatch):
    copy = tmp_path / "leaflet"
    shutil.copytree(xstatic.pkg.leaflet.BASE_DIR, copy)
    (copy / "leaflet.css").unlink()
    monkeypatch.setattr(xstatic.pkg.leaflet, "BASE_DIR", str(copy))
    with pytest.raises(ResourcesMissingError, match=r"(?s)1 file.*leaflet\.css.*xstatic-leaflet"):
        create_app(settings(tmp_path))


def test_a_missing_migration_catalogue_or_scheme_file_is_named(tmp_path, monkeypatch):
    pkg = tmp_path / "geoapp"
    shutil.copytree(res.PACKAGE_DIR / "store" / "migrations", pkg / "store" / "migrations")
    shutil.copytree(res.PACKAGE_DIR / "translations", pkg / "translations")
    shutil.copy(res.PACKAGE_DIR / "schemes.toml", pkg / "schemes.toml")
    monkeypatch.setattr(res, "PACKAGE_DIR", pkg)
    assert res.missing_files() == []
    gone = [next((pkg / "store" / "migrations" / "sqlite").glob("0002_*.sql")),
            pkg / "translations" / "en" / "LC_MESSAGES" / "messages.po", pkg / "schemes.toml"]
    for path in gone:
        path.unlink()
    assert sorted(res.missing_files()) == sorted(str(p) for p in gone)


def test_serve_refuses_to_start_without_a_traceback(copied_root, tmp_path, monkeypatch):
    (copied_root / "static" / "map.js").unlink()
    monkeypatch.setenv("GEOAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setattr("waitress.serve", lambda *a, **k: pytest.fail("serve() was reached"))
    result = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert result.exit_code != 0
    assert str(copied_root / "static" / "map.js") in result.output
    assert "pip install" in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_the_wheel_carries_templates_static_and_data(tmp_path):
    """``python -m build`` (sdist, then the wheel from it) — what scripts/wheel_smoke.sh installs."""
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    [wheel] = tmp_path.glob("geoapp-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = "geoapp/_data/"
    assert {data + "templates/" + t for t in res.TEMPLATES} <= names
    assert {data + "static/" + p.name for p in (ROOT / "static").iterdir() if p.is_file()} <= names
    assert {data + "shapefiles/" + m for m in res.MANIFESTS} <= names
    assert {"geoapp/schemes.toml", "geoapp/translations/vi/LC_MESSAGES/messages.po",
            "geoapp/translations/en/LC_MESSAGES/messages.po"} <= names
    for dialect in res.DIALECTS:
        sql = {f"geoapp/store/migrations/{dialect}/{p.name}"
               for p in (ROOT / "geoapp" / "store" / "migrations" / dialect).glob("*.sql")}
        assert sql and sql <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "static/", "templates/"))]
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA"))).decode()
    assert "Requires-Dist: xstatic-leaflet" in metadata and "Requires-Dist: whitenoise" in metadata
