"""benchmarks/bench_edit.py and bench_vault.py's edit timing, on small vaults."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.bench_vault import TODAY, one_edit_latencies
from benchmarks.vaultgen import generate_vault, write_vault

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


@pytest.mark.parametrize("edit", ["property", "text"])
def test_edits_of_an_existing_idea_are_timed_too(tmp_path: Path, edit: str) -> None:
    """bench_vault's other kinds of edit: an idea's `status` published, then back; a sentence
    added, then taken back. Each is seen by the watcher (the index is replaced each time), and
    the idea is left as it was."""
    vault = tmp_path / "vault"
    write_vault(generate_vault(60, language="mixed", today=TODAY), vault)
    before = {path: path.read_bytes() for path in (vault / "2 - Idées").rglob("*.md")}
    latencies = one_edit_latencies(vault, 2, edit=edit)
    assert len(latencies) == 2
    assert all(-0.1 < seconds < 5 for seconds in latencies)  # 66 notes: the index follows at once
    assert {path: path.read_bytes() for path in (vault / "2 - Idées").rglob("*.md")} == before


def test_an_edit_is_timed_stage_by_stage(tmp_path: Path) -> None:
    command = [sys.executable, str(REPO / "benchmarks" / "edit_stages.py"), "--notes", "60", "--edits", "2"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300, check=True)
    rows = re.findall(r"^\| ([^|]+) \| (\d+\.\d{3}) \|$", result.stdout, re.M)
    labels = [label for label, _ in rows]
    assert labels == [
        "scan",
        "reading (cache, links)",
        "lexicon",
        "graph",
        "clusters",
        "scores",
        "dashboard",
        "rendering",
        "writing",
        "total",
    ]
    seconds = dict(rows)
    assert 0 < float(seconds["total"]) < 5
    assert float(seconds["lexicon"]) < float(seconds["total"])
