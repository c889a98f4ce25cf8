"""A demo instance says how to sign in again: `geoapp users list` shows the published demo passwords."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from geoapp import access
from geoapp.cli import main
from geoapp.demo import instance
from geoapp.store.base import BatchInfo

from .conftest import new_store


def _mark_demo(store):
    """What `geoapp demo` leaves behind, without building it: an active demo batch."""
    with store.transaction() as tx:
        store.add_batch(tx, BatchInfo("status", "2025", "geoapp demo (seed 1)", "", "demo", 0, {}, is_demo=True))


@pytest.fixture
def run(tmp_path):
    store = new_store(tmp_path)

    def invoke(*args):
        env = {"GEOAPP_DATABASE_URL": store.test_url, "GEOAPP_INSTANCE_PATH": str(tmp_path / "inst")}
        result = CliRunner().invoke(main, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output
    return store, invoke


def test_users_list_shows_the_published_passwords_on_a_demo_instance(run):
    store, invoke = run
    _mark_demo(store)
    instance.add_demo_accounts(store)
    out = invoke("users", "list")
    for name, _, _, _, password in instance.DEMO_ACCOUNTS:
        line = next(li for li in out.splitlines() if li.startswith(name + " "))
        assert f"demo password: {password}" in line
    assert "change them or disable these accounts" in out


def test_a_changed_or_disabled_demo_account_shows_no_password(run):
    store, invoke = run
    _mark_demo(store)
    instance.add_demo_accounts(store)
    access.disable_user(store, "laichau")
    with store.transaction() as tx:
        store.update_user(tx, "national", password_hash=access.hash_password("a-new-secret-42"))
    out = invoke("users", "list")
    assert "laichau-demo-2025" not in out and "toanquoc-demo-2025" not in out
    assert "quantri-demo-2025" in out


def test_no_passwords_outside_a_demo_instance(run):
    store, invoke = run
    instance.add_demo_accounts(store)          # same names and passwords, but no demo data loaded
    out = invoke("users", "list")
    assert "demo password" not in out and "quantri-demo-2025" not in out


def test_a_second_demo_run_says_how_to_see_the_accounts(run):
    store, invoke = run
    _mark_demo(store)
    out = invoke("demo")
    assert "already loaded" in out and "geoapp users list" in out
