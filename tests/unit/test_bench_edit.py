"""benchmarks/bench_edit.py: two versions timed edit by edit on one vault (a small one here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_both_versions_are_timed_and_compared(tmp_path: Path) -> None:
    other = tmp_path / "same-code"  # another name for the same tree: two versions to time
    other.symlink_to(REPO)
    command = [sys.executable, str(REPO / "benchmarks" / "bench_edit.py"), str(REPO), str(other)]
    result = subprocess.run(
        [*command, "--rounds", "1", "--edits", "2", "--notes", "60"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=True,
    )
    lines = result.stdout.splitlines()
    for tree, line in zip((REPO, other), lines[:2], strict=True):
        timed = re.escape(str(tree)) + r": (-?\d+\.\d\d) (-?\d+\.\d\d) \(median (-?\d+\.\d\d) s\)"
        match = re.fullmatch(timed, line)
        assert match is not None
        assert all(float(seconds) < 5 for seconds in match.groups())  # 66 notes: well under a second
    assert re.fullmatch(r"new / old: (\d+\.\d\d|old took no time after the debounce)", lines[2])
    assert len(lines) == 3
