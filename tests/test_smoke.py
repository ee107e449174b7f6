"""The installed entry points start and answer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, write_file
from tlvault.cache import ParseCache


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
    result = tlvault_process(["rebuild", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"format": "tlvault-rebuild/1"' in result.stdout
    assert (tmp_path / "example_vault" / "tlvault" / ".tlvault-state.json").is_file()


def test_rebuild_process_flushes_its_report_and_commits_the_cache(tmp_path: Path) -> None:
    """`python -m tlvault rebuild` ends without the interpreter's teardown: its piped (so
    block-buffered) summary line is out and the cache holds every note and the run."""
    vault = tmp_path / "vault"
    for i in range(40):
        write_file(vault / f"Note {i}.md", f"# Note {i}\n\nAbout [[Note {(i + 1) % 40}]], idea {i % 7}.\n")
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    result = tlvault_process(["rebuild", str(vault)], tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("40 notes read, 0 skipped; 40 links, 0 unresolved;")
    cache = ParseCache.open(vault)
    try:
        assert len(cache.files) == 40
        assert cache.run is not None
    finally:
        cache.close()


def tlvault_process(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m tlvault ARGS` run to its end in `cwd`, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "tlvault", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
