"""The embedded store: migrations, transactions, WAL."""
import sqlite3

import pandas as pd
import pytest

from .conftest import sqlite_pass_only

pytestmark = sqlite_pass_only("the embedded store itself (test_store_backends covers the contract on both)")

from geoapp.errors import ConfigError, StoreError
from geoapp.store import open_store
from geoapp.store.base import BatchInfo
from geoapp.store.sqlite import SQLiteStore, _migrations


def test_upgrade_is_idempotent_and_versioned(tmp_path):
    s = SQLiteStore(tmp_path / "db.sqlite")
    assert s.schema_version() == 0
    versions = [v for v, _ in _migrations()]
    assert versions[:2] == [1, 2]
    assert s.upgrade() == versions
    assert s.upgrade() == []
    assert s.schema_version() == versions[-1]
    assert set(s.editions()["edition"]) == {"2025", "pre2025"}


def test_wal_journal(store):
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused(store):
    con = sqlite3.connect(store.path)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    with pytest.raises(StoreError, match="newer"):
        store.upgrade()


def test_reads_before_upgrade_say_what_to_run(tmp_path):
    with pytest.raises(StoreError, match="geoapp db upgrade"):
        SQLiteStore(tmp_path / "empty.sqlite").editions()


def test_failed_transaction_leaves_nothing(store):
    before = store.data_version()
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            store.add_batch(tx, BatchInfo("boundaries", "2025", "x.zip", "0" * 64, "t", 1))
            store.audit(tx, "t", "boundaries.import")
            raise RuntimeError("disk on fire")
    assert store.batches().empty and store.audit_log().empty
    assert store.data_version() == before


def test_commit_bumps_data_version(store):
    before = store.data_version()
    with store.transaction() as tx:
        store.audit(tx, "t", "noop")
    assert store.data_version() == before + 1


def test_unit_list_keeps_units_without_geometry(store):
    units = pd.DataFrame({"code": ["00001", "00004"], "name": ["Phúc Xá", "Trúc Bạch"],
                          "province_code": ["01", "01"], "province_name": ["Hà Nội"] * 2})
    with store.transaction() as tx:
        batch = store.add_batch(tx, BatchInfo("unit_list", "pre2025", "list", "", "t", 2))
        store.upsert_unit_list(tx, "pre2025", units, {"01": "Hà Nội"}, batch)
    listed = store.units("pre2025")
    assert list(listed["code"]) == ["00001", "00004"]
    assert listed["has_geometry"].eq(0).all() and listed["in_list"].eq(1).all()
    assert store.geometries("pre2025").empty


@pytest.mark.parametrize("url", ["mysql://x", "geoapp.sqlite", "sqlite:/geoapp.sqlite"])
def test_unsupported_urls_are_explained(url):
    with pytest.raises(ConfigError):
        open_store(url)


def test_a_migration_written_in_parallel_still_runs(tmp_path, monkeypatch):
    """0003 landing after a database already reached 0004 must still be applied."""
    import geoapp.store.sqlite as mod
    real = mod._migrations()
    s = SQLiteStore(tmp_path / "p.sqlite")
    monkeypatch.setattr(mod, "_migrations", lambda: [m for m in real if m[0] != 3])
    s.upgrade()
    monkeypatch.setattr(mod, "_migrations", lambda: real)
    assert s.upgrade() == [3]
    con = sqlite3.connect(s.path)
    assert con.execute("SELECT name FROM sqlite_master WHERE name='crosswalk'").fetchone()
