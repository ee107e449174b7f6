"""The installed entry points start and answer."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_python_m_tlvault_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tlvault", "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: tlvault ")
    assert "rebuild" in result.stdout and "notes" in result.stdout
    assert result.stderr == ""


def test_rebuild_on_example_vault_in_a_subprocess(tmp_path: Path) -> None:
    """The demo command, run on a copy of the example vault with a copy of the repository's config."""
    shutil.copytree(REPO / "example_vault", tmp_path / "example_vault")
    shutil.copy(REPO / "config.yaml", tmp_path / "config.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "tlvault", "rebuild", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert '"format": "tlvault-rebuild/1"' in result.stdout
    assert (tmp_path / "example_vault" / "tlvault" / ".tlvault-state.json").is_file()
