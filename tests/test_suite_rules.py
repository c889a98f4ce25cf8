"""The suite cannot pass by skipping: conftest.need() fails under CI, .ci/check_skips.py fails a pass.

Issue 13: with no PostgreSQL, Chromium or poppler a run used to be green with most tests skipped.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from . import conftest
from .conftest import ROOT, need

CHECK_SKIPS = ROOT / ".ci" / "check_skips.py"


@pytest.fixture
def laptop(monkeypatch):
    """A developer's shell: not CI, nothing required, the SQLite pass."""
    for name in ("CI", "GEOAPP_REQUIRE_ALL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(conftest, "TEST_BACKEND", "sqlite")


@pytest.mark.parametrize("setting", [{"CI": "true"}, {"GEOAPP_REQUIRE_ALL": "1"}, {"CI": "1"}])
@pytest.mark.parametrize("what", ["postgis", "chromium", "poppler", "shared data"])
def test_a_missing_tool_fails_when_everything_is_required(laptop, monkeypatch, setting, what):
    for name, value in setting.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(pytest.fail.Exception, match=f"{what} is required .* but missing: not here"):
        need(what, "not here")


@pytest.mark.parametrize("what", ["postgis", "chromium", "poppler", "shared data"])
def test_a_missing_tool_is_a_skip_on_a_laptop(laptop, what):
    with pytest.raises(pytest.skip.Exception, match=f"needs {what}: not here"):
        need(what, "not here")


def test_the_postgis_pass_requires_postgis_even_on_a_laptop(laptop, monkeypatch):
    monkeypatch.setattr(conftest, "TEST_BACKEND", "postgis")
    with pytest.raises(pytest.fail.Exception, match=r"GEOAPP_TEST_BACKEND=postgis"):
        need("postgis", "no server")
    with pytest.raises(pytest.skip.Exception):           # the other tools are still optional there
        need("chromium", "not here")


def test_an_unset_database_url_is_reported_as_missing(monkeypatch):
    monkeypatch.delenv(conftest.PG_ENV, raising=False)
    assert conftest.PG_ENV in conftest.PROBES["postgis"]()


# -- .ci/check_skips.py -----------------------------------------------------------------------------
def junit(tmp_path, *cases: str) -> str:
    path = tmp_path / "results.xml"
    path.write_text('<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">'
                    + "".join(cases) + "</testsuite></testsuites>", encoding="utf-8")
    return str(path)


PASSED = '<testcase classname="tests.test_a" name="test_ok" time="0.1"/>'


def skipped(reason: str) -> str:
    return (f'<testcase classname="tests.test_a" name="test_skipped" time="0.0">'
            f'<skipped type="pytest.skip" message="{reason}">tests/test_a.py:3: {reason}</skipped></testcase>')


def check(results: str, tmp_path, allowed: str = "# why\nsqlite_only:\n") -> subprocess.CompletedProcess:
    (tmp_path / "allowed").write_text(allowed, encoding="utf-8")
    return subprocess.run([sys.executable, str(CHECK_SKIPS), results, str(tmp_path / "allowed")],
                          capture_output=True, text=True)


def test_check_skips_passes_allowed_skips(tmp_path):
    proc = check(junit(tmp_path, PASSED, skipped("sqlite_only: exercises the SQLite file itself")), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "2 tests, 1 skipped, 1 of them allowed" in proc.stdout


def test_check_skips_fails_on_a_skip_not_in_the_list(tmp_path):
    proc = check(junit(tmp_path, PASSED, skipped("needs chromium: no Chromium at /usr/bin/chromium")), tmp_path)
    assert proc.returncode == 1
    assert "NOT ALLOWED: tests.test_a::test_skipped: needs chromium" in proc.stderr


def test_check_skips_ignores_comment_lines_of_the_list(tmp_path):
    proc = check(junit(tmp_path, skipped("needs chromium: gone")), tmp_path, allowed="# needs chromium\n")
    assert proc.returncode == 1


@pytest.mark.parametrize("cases", [(), None])
def test_check_skips_fails_a_pass_that_ran_nothing(tmp_path, cases):
    results = junit(tmp_path) if cases is not None else str(tmp_path / "never-written.xml")
    proc = check(results, tmp_path)
    assert proc.returncode == 1 and "check_skips:" in proc.stderr


def test_the_allow_list_is_short_and_every_entry_has_a_comment():
    lines = (ROOT / ".ci" / "allowed-skips").read_text(encoding="utf-8").splitlines()
    entries = [i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
    assert 0 < len(entries) <= 5
    assert all(lines[i - 1].startswith("#") for i in entries), "each entry sits under its comment"
