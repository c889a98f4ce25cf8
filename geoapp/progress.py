"""Progress people can read: one home for progress bars, plain log lines and silence (no click).

Library code (ingest, lod, demo …) takes a ``progress`` argument and turns it into a
:class:`Reporter` with :func:`as_reporter`; it then says what it does through three calls:

* ``reporter.note(label)`` — one line ("2025: 3321 units listed");
* ``with reporter.task(label, total, unit) as step: … step.update()`` — counted work (files read,
  provinces exported): a bar with percentage and ETA;
* ``with reporter.estimate(label, seconds): …`` — one opaque call that cannot report (a GEOS
  ``coverage_clean`` of 7 M vertices): the bar moves with the clock against an *estimated*
  duration, stays below 100 % until the call returns, and the real time is printed at the end.

How it is shown is the caller's choice (:func:`choose_mode`): ``bar`` (tqdm, when stderr is a
terminal), ``lines`` (plain timestamped lines, for logs and CI: a start line, a line per tenth
of the work or per :data:`LINE_EVERY` seconds, an end line), ``quiet`` (nothing), or
``callback`` (every message to a plain ``f(label)``, which is what older callers pass).

Trip-wires: everything goes to ``stream`` (stderr by default) — stdout stays for data
(``--format json``, exports); never print from a ticker thread in ``lines`` mode more often than
:data:`LINE_EVERY`; a worker that raises must still close its bar (the context managers do).
"""
from __future__ import annotations

import shutil
import sys
import threading
import time
from contextlib import contextmanager

MODES = ("bar", "lines", "quiet", "callback")
#: in ``lines`` mode, at most one progress line per this many seconds (plus one per tenth of a task)
LINE_EVERY = 10.0
#: how often the clock-driven bar of :meth:`Reporter.estimate` moves
TICK = 0.2
#: in ``lines`` mode, a task shorter than this prints no intermediate lines
QUIET_START = 2.0


def choose_mode(quiet: bool = False, stream=None) -> str:
    """``quiet`` when asked, ``bar`` when ``stream`` (stderr) is a terminal, else ``lines``."""
    if quiet:
        return "quiet"
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    return "bar" if isatty is not None and isatty() else "lines"


def _seconds(value: float) -> str:
    value = max(0.0, value)
    if value < 10:
        return f"{value:.1f} s"
    return f"{value:.0f} s" if value < 90 else f"{value / 60:.1f} min"


class Step:
    """The handle of one counted task: ``update(n)``; ``total`` may be raised as work is found."""

    def __init__(self, reporter: "Reporter", label: str, total: float, unit: str):
        self.reporter, self.label, self.total, self.unit = reporter, label, float(total or 0), unit
        self.done = 0.0
        self.start = reporter.clock()
        self._last_line = self.start
        self._last_tenth = 0
        self.bar = None

    def set_total(self, total: float) -> None:
        """The amount of work, once known (a fetch learns it from its manifest)."""
        if total and total != self.total:
            self.total = float(total)
            if self.bar is not None:
                self.bar.total = total
                self.bar.refresh()

    def update(self, n: float = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.reporter.mode == "lines":
            self._maybe_line()

    def _maybe_line(self) -> None:
        now = self.reporter.clock()
        tenth = int(10 * self.done / self.total) if self.total else 0
        if now - self.start < QUIET_START:
            return
        if tenth > self._last_tenth or now - self._last_line >= LINE_EVERY:
            self._last_tenth, self._last_line = tenth, now
            self.reporter.line(f"{self.label}: {self.describe(now)}")

    def describe(self, now: float) -> str:
        """``40% (12/30 files), ETA 8 s`` — the ETA from the rate so far."""
        elapsed = now - self.start
        if not self.total:
            return f"{self.done:g} {self.unit} in {_seconds(elapsed)}"
        share = min(1.0, self.done / self.total)
        eta = elapsed * (1 - share) / share if share > 0 else None
        counted = f" ({self.done:g}/{self.total:g} {self.unit})" if self.unit else ""
        return f"{100 * share:.0f}%{counted}" + (f", ETA {_seconds(eta)}" if eta is not None and share < 1 else "")


class Reporter:
    """Where progress goes: a tqdm bar, plain lines, a callback, or nowhere (see the module doc).

    Parameters
    ----------
    mode : str
        One of :data:`MODES`.
    stream : file, optional
        Where bars and lines go; default ``sys.stderr`` (looked up when writing).
    callback : callable, optional
        For ``mode="callback"``: called with each message.
    clock : callable
        Seconds (tests pass a fake one).
    """

    def __init__(self, mode: str = "lines", stream=None, callback=None, clock=time.perf_counter):
        if mode not in MODES:
            raise ValueError(f"progress mode {mode!r}; use one of {', '.join(MODES)}")
        self.mode, self._stream, self.callback, self.clock = mode, stream, callback, clock
        self.origin = clock()

    @property
    def stream(self):
        return self._stream if self._stream is not None else sys.stderr

    # -- one line --------------------------------------------------------------------------------
    def __call__(self, label: str) -> None:
        """Old-style callbacks (``progress(label)``) keep working."""
        self.note(label)

    def line(self, text: str) -> None:
        """A timestamped line (``lines``), above the bars (``bar``), or to the callback."""
        if self.mode == "quiet":
            return
        if self.mode == "callback":
            if self.callback:
                self.callback(text)
            return
        stamped = f"  [{self.clock() - self.origin:6.1f}s] {text}"
        if self.mode == "bar":
            from tqdm import tqdm
            tqdm.write(stamped, file=self.stream)
        else:
            print(stamped, file=self.stream, flush=True)

    note = line

    # -- counted work ----------------------------------------------------------------------------
    @contextmanager
    def task(self, label: str, total: float, unit: str = ""):
        """A counted task; yields a :class:`Step` to ``update``."""
        step = Step(self, label, total, unit)
        if self.mode == "bar":
            step.bar = self._bar(label, total, unit)
        elif self.mode in ("lines", "callback"):
            self.line(f"{label}…" + (f" ({total:g} {unit})" if unit and total else ""))
        try:
            yield step
        finally:
            self._finish(step)

    def _bar(self, label: str, total: float, unit: str, fmt: str | None = None):
        from tqdm import tqdm
        fmt = fmt or "{desc}: {percentage:3.0f}%|{bar:24}| {n_fmt}/{total_fmt} {unit} [{elapsed}<{remaining}]"
        # a pseudo-terminal may report 0×0, and tqdm hides every bar below the screen's height
        width, height = shutil.get_terminal_size((100, 20))
        return tqdm(total=total or None, desc=label, unit=unit or "it", file=self.stream, leave=True,
                    bar_format=fmt, ncols=min(width or 100, 120), nrows=max(height, 20), mininterval=0.2)

    def _finish(self, step: Step) -> None:
        took = self.clock() - step.start
        if step.bar is not None:
            step.bar.close()
        elif self.mode in ("lines", "callback"):
            self.line(f"{step.label}: done in {_seconds(took)}")

    # -- one opaque call -------------------------------------------------------------------------
    @contextmanager
    def estimate(self, label: str, seconds: float):
        """A call that cannot report: the bar follows the clock against ``seconds`` (an estimate)."""
        seconds = max(float(seconds), 0.1)
        if self.mode in ("quiet",):
            yield
            return
        start = self.clock()
        if self.mode != "bar" and seconds < QUIET_START:       # a short step: its end line is enough
            try:
                yield
            finally:
                self.line(f"{label}: done in {_seconds(self.clock() - start)}")
            return
        if self.mode != "bar":
            self.line(f"{label} (about {_seconds(seconds)})…")
            stop = threading.Event()
            ticker = threading.Thread(target=self._estimate_lines, args=(label, seconds, start, stop), daemon=True)
        else:
            bar = self._bar(label, 100, "%", "{desc}: {percentage:3.0f}%|{bar:24}| [{elapsed}<{remaining}, estimated]")
            stop = threading.Event()
            ticker = threading.Thread(target=self._estimate_bar, args=(bar, seconds, start, stop), daemon=True)
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            ticker.join()
            if self.mode == "bar":
                bar.update(100 - bar.n)
                bar.close()
            else:
                self.line(f"{label}: done in {_seconds(self.clock() - start)}")

    def _estimate_bar(self, bar, seconds: float, start: float, stop: threading.Event) -> None:
        while not stop.wait(TICK):
            share = min(0.99, (self.clock() - start) / seconds)
            bar.update(int(100 * share) - bar.n)

    def _estimate_lines(self, label: str, seconds: float, start: float, stop: threading.Event) -> None:
        if self.mode != "lines":
            return
        while not stop.wait(LINE_EVERY):
            elapsed = self.clock() - start
            share = min(0.99, elapsed / seconds)
            eta = f"ETA {_seconds(seconds - elapsed)}" if elapsed < seconds else "taking longer than estimated"
            self.line(f"{label}: ~{100 * share:.0f}%, {eta}")


def as_reporter(progress) -> Reporter:
    """A :class:`Reporter` from what a caller passed: a Reporter, a plain ``f(label)``, or None (silent)."""
    if isinstance(progress, Reporter):
        return progress
    if progress is None:
        return Reporter("quiet")
    if callable(progress):
        return Reporter("callback", callback=progress)
    raise TypeError(f"progress must be a Reporter, a callable or None, not {type(progress).__name__}")


def make_reporter(quiet: bool = False, stream=None) -> Reporter:
    """The reporter a command line uses: see :func:`choose_mode`."""
    return Reporter(choose_mode(quiet, stream), stream=stream)
