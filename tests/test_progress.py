"""The progress bar: drawn on a terminal (a pseudo-terminal here), never in piped output."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.conftest import MakeVault
from tests.watching import NOTES
from tlvault import progress

BROKEN = {**NOTES, "4 - Archives/Cassée.md": "---\ntitle: [oops\n---\nVoir [[Deep work]].\n"}


def rebuild_command(vault: Path) -> list[str]:
    return [sys.executable, "-m", "tlvault", "rebuild", str(vault), "--now", "2024-06-15", "--no-cache"]


def read_all(fd: int) -> bytes:
    """Everything written to a pseudo-terminal until its other end closes."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_the_bar_is_drawn_on_a_terminal(make_vault: MakeVault, tmp_path: Path) -> None:
    vault = make_vault(BROKEN)
    parent, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    with subprocess.Popen(
        rebuild_command(vault), stdout=subprocess.PIPE, stderr=child, env=env, cwd=tmp_path
    ) as process:
        os.close(child)
        terminal = read_all(parent)
        stdout = process.stdout.read() if process.stdout else b""
    os.close(parent)
    assert process.returncode == 0
    assert b"Reading notes" in terminal and b"Finding ideas" in terminal and b"Writing notes" in terminal
    assert b"frontmatter is not valid YAML" in terminal  # warnings still reach the terminal
    assert stdout.decode().startswith("6 notes read, 1 with warnings, 0 skipped;")


def test_piped_output_has_no_bar(make_vault: MakeVault, tmp_path: Path) -> None:
    vault = make_vault(BROKEN)
    done = subprocess.run(rebuild_command(vault), capture_output=True, text=True, cwd=tmp_path, check=True)
    assert done.stderr == (
        "tlvault: warning: 4 - Archives/Cassée.md: frontmatter is not valid YAML "
        "(line 2: did not find expected ',' or ']')\n"
    )
    assert done.stdout.count("\n") == 1 and done.stdout.startswith("6 notes read, 1 with warnings")


def test_progress_reaches_only_the_listener_of_its_block() -> None:
    heard: list[tuple[str, int, int]] = []
    progress.report("before", 0, 1)
    with progress.listening(lambda stage, done, total: heard.append((stage, done, total))):
        progress.report("Reading notes", 3, 10)
        progress.report("Finding ideas")
    progress.report("after", 1, 1)
    assert heard == [("Reading notes", 3, 10), ("Finding ideas", 0, 0)]
