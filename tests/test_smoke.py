"""The installed entry points start and answer."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_python_m_tlvault_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tlvault", "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: tlvault ")
    assert "rebuild" in result.stdout and "notes" in result.stdout
    assert result.stderr == ""


def test_rebuild_on_example_vault_in_a_subprocess() -> None:
    """The demo command, as a user runs it from the repository (it reads and writes nothing else)."""
    result = subprocess.run(
        [sys.executable, "-m", "tlvault", "rebuild", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert '"format": "tlvault-rebuild/1"' in result.stdout
