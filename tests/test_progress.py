"""Progress people can read: bars on a terminal, plain lines in logs, nothing with --quiet."""
from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from geoapp.cli import main
from geoapp.progress import Reporter, as_reporter, choose_mode, make_reporter

from .conftest import communes, write_shp


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_mode_follows_the_terminal_and_quiet():
    assert choose_mode(False, FakeTTY()) == "bar"
    assert choose_mode(False, io.StringIO()) == "lines"
    assert choose_mode(True, FakeTTY()) == "quiet"


def test_plain_lines_give_percentage_eta_and_the_time_taken():
    out, clock = io.StringIO(), Clock()
    report = Reporter("lines", stream=out, clock=clock)
    with report.task("reading", 4, "files") as step:
        for _ in range(4):
            clock.now += 3.0
            step.update()
    text = out.getvalue()
    assert "reading… (4 files)" in text
    assert "reading: 50% (2/4 files), ETA 6.0 s" in text
    assert "reading: done in 12 s" in text
    assert "\r" not in text and "\x1b" not in text          # plain lines: no bar drawing


def test_short_tasks_print_only_start_and_end_lines():
    out, clock = io.StringIO(), Clock()
    report = Reporter("lines", stream=out, clock=clock)
    with report.task("reading", 10, "files") as step:
        for _ in range(10):
            clock.now += 0.1
            step.update()
    assert len(out.getvalue().splitlines()) == 2


def test_a_bar_on_a_terminal_shows_percentage():
    out = FakeTTY()
    with make_reporter(stream=out).task("reading", 2, "files") as step:
        step.update(2)
    assert "reading: 100%" in out.getvalue() and "2/2 files" in out.getvalue()


def test_estimated_steps_end_at_100_percent_and_say_so():
    out = FakeTTY()
    with make_reporter(stream=out).estimate("cleaning the coverage", 5):
        pass
    assert "cleaning the coverage: 100%" in out.getvalue() and "estimated" in out.getvalue()
    lines = io.StringIO()
    with Reporter("lines", stream=lines).estimate("cleaning the coverage", 5):
        pass
    assert "cleaning the coverage (about 5.0 s)…" in lines.getvalue()
    assert "cleaning the coverage: done in" in lines.getvalue()


def test_quiet_says_nothing_and_old_callbacks_still_work():
    out = io.StringIO()
    quiet = make_reporter(quiet=True, stream=out)
    with quiet.task("reading", 3) as step, quiet.estimate("cleaning", 1):
        step.update(3)
        quiet.note("hello")
    assert out.getvalue() == ""
    seen = []
    report = as_reporter(seen.append)
    with report.task("reading", 1, "files") as step:
        step.update()
    report("a plain message")
    assert seen[0].startswith("reading") and seen[-1] == "a plain message"
    with pytest.raises(TypeError):
        as_reporter(42)


def test_a_failing_step_still_closes_its_bar():
    out = FakeTTY()
    with pytest.raises(RuntimeError):
        with make_reporter(stream=out).estimate("level 1", 1):
            raise RuntimeError("boom")
    assert "level 1: 100%" in out.getvalue()


@pytest.fixture
def two_files(tmp_path):
    return [str(write_shp(communes(3), tmp_path / "a"))]


def _import(tmp_path, files, *args):
    env = {"GEOAPP_INSTANCE_PATH": str(tmp_path / "instance"), "GEOAPP_LOD_CACHE": "off"}
    return CliRunner().invoke(main, [*args, "boundaries", "import", "--edition", "2025", *files], env=env)


def test_cli_prints_plain_progress_lines_when_not_a_terminal(tmp_path, two_files):
    result = _import(tmp_path, two_files)
    assert result.exit_code == 0, result.output
    assert "cleaning the coverage" in result.stderr and "level 3 (600 m)" in result.stderr
    assert "imported 3 units" in result.stdout and "cleaning" not in result.stdout


@pytest.mark.parametrize("where", ["group", "command"])
def test_cli_quiet_silences_progress_not_results(tmp_path, two_files, where):
    args = ["--quiet"] if where == "group" else []
    files = [*two_files, "--quiet"] if where == "command" else two_files
    result = _import(tmp_path, files, *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "imported 3 units" in result.stdout


def test_a_short_estimated_step_prints_one_line_in_logs():
    out = io.StringIO()
    with Reporter("lines", stream=out).estimate("level 3 (600 m)", 0.5):
        pass
    assert out.getvalue().count("\n") == 1 and "level 3 (600 m): done in" in out.getvalue()


def test_a_whole_edition_export_shows_progress_unless_quiet(tmp_path, two_files):
    env = {"GEOAPP_INSTANCE_PATH": str(tmp_path / "instance"), "GEOAPP_LOD_CACHE": "off"}
    runner = CliRunner()
    assert runner.invoke(main, ["-q", "boundaries", "import", "--edition", "2025", *two_files], env=env).exit_code == 0
    out = tmp_path / "all.geojson"
    loud = runner.invoke(main, ["units", "export", "--edition", "2025", "--out", str(out)], env=env)
    assert loud.exit_code == 0 and "exporting every 2025 unit" in loud.stderr
    quiet = runner.invoke(main, ["units", "export", "--edition", "2025", "--out", str(out), "--quiet"], env=env)
    assert quiet.exit_code == 0 and "exporting" not in quiet.stderr and out.stat().st_size > 0


def test_a_whole_country_render_shows_progress_unless_quiet(tmp_path, two_files):
    env = {"GEOAPP_INSTANCE_PATH": str(tmp_path / "instance"), "GEOAPP_LOD_CACHE": "off"}
    runner = CliRunner()
    assert runner.invoke(main, ["-q", "boundaries", "import", "--edition", "2025", *two_files], env=env).exit_code == 0
    out = tmp_path / "all.png"
    args = ["render", "--edition", "2025", "--province", "all", "--as-of", "2025-12-31", "--out", str(out)]
    loud = runner.invoke(main, args, env=env)
    assert loud.exit_code == 0, loud.output
    assert "rendering every province (png): done in" in loud.stderr and out.read_bytes()[:4] == b"\x89PNG"
    quiet = runner.invoke(main, ["-q", *args], env=env)
    assert quiet.exit_code == 0 and "rendering" not in quiet.stderr and "wrote" in quiet.stderr
