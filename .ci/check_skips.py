#!/usr/bin/env python3
"""Fail a CI pass that ran no test or skipped a test for a reason not in .ci/allowed-skips.

    python3 .ci/check_skips.py RESULTS.xml [ALLOWED]

RESULTS.xml is pytest's ``--junitxml`` (it works with pytest-xdist, unlike most hooks); ALLOWED
defaults to ``.ci/allowed-skips`` beside this script: reason substrings, one a line, ``#``
comments. Standard library only (it runs with the system python3).
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def allowed_reasons(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def skips(results: Path) -> tuple[int, list[tuple[str, str]]]:
    """(how many test cases ran or were skipped, [(test id, skip reason), ...])."""
    cases = list(ET.parse(results).getroot().iter("testcase"))
    found = []
    for case in cases:
        for skipped in case.iter("skipped"):
            reason = " ".join(filter(None, [skipped.get("message"), skipped.text])).strip()
            found.append((f"{case.get('classname')}::{case.get('name')}", reason))
    return len(cases), found


def main(argv: list[str]) -> int:
    results = Path(argv[1])
    allowed = allowed_reasons(Path(argv[2]) if len(argv) > 2 else Path(__file__).with_name("allowed-skips"))
    if not results.is_file():
        print(f"check_skips: {results} was not written: did pytest run at all?", file=sys.stderr)
        return 1
    total, skipped = skips(results)
    if total == 0:
        print(f"check_skips: {results} lists no test: the pass ran nothing", file=sys.stderr)
        return 1
    bad = [(test, reason) for test, reason in skipped if not any(a in reason for a in allowed)]
    print(f"check_skips: {total} tests, {len(skipped)} skipped, {len(skipped) - len(bad)} of them allowed "
          f"by {len(allowed)} entries of .ci/allowed-skips")
    for test, reason in bad:
        print(f"  NOT ALLOWED: {test}: {reason}", file=sys.stderr)
    if bad:
        print("check_skips: fix the environment (a skip for a missing tool should have been a failure: "
              "tests/conftest.py need()), or add the reason to .ci/allowed-skips with a comment", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
