"""The generated notes of example_vault/ are committed; a rebuild of a copy reproduces them byte for byte.

To refresh them after a deliberate change, run `tlvault rebuild` (or `make demo`) at the
repository's root and review the diff of example_vault/tlvault/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, RunCli

OUTPUT = REPO / "example_vault" / "tlvault"


def _generated(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the example vault, committed output included, and of the repository's config."""
    shutil.copytree(REPO / "example_vault", tmp_path / "example_vault")
    shutil.copy(REPO / "config.yaml", tmp_path / "config.yaml")
    return tmp_path


def test_the_committed_output_is_complete() -> None:
    names = set(_generated(OUTPUT))
    assert {
        ".tlvault-state.json",
        "Idées à cultiver.md",
        "Santé du coffre.md",
        "Carte des idées.canvas",
    } <= names
    assert len([name for name in names if name.startswith("clusters/")]) >= 3


def test_rebuild_reproduces_the_committed_output(copy: Path, run_cli: RunCli) -> None:
    output = copy / "example_vault" / "tlvault"
    mtimes = {path: path.stat().st_mtime_ns for path in output.rglob("*") if path.is_file()}
    result = run_cli("--config", copy / "config.yaml", "rebuild")
    assert result.exit_code == 0, result.stderr
    assert " 0 files written, 12 unchanged " in result.stdout
    assert _generated(output) == _generated(OUTPUT)
    assert {path: path.stat().st_mtime_ns for path in mtimes} == mtimes


def test_a_second_rebuild_from_scratch_writes_nothing(copy: Path, run_cli: RunCli) -> None:
    """Without the output folder a rebuild writes everything once, then nothing, and no temporary file."""
    output = copy / "example_vault" / "tlvault"
    shutil.rmtree(output)
    assert " 12 files written, 0 unchanged " in run_cli("--config", copy / "config.yaml", "rebuild").stdout
    first = _generated(output)
    assert " 0 files written, 12 unchanged " in run_cli("--config", copy / "config.yaml", "rebuild").stdout
    assert _generated(output) == first
    assert not [name for name in os.listdir(output) if name.endswith(".tlvault-tmp")]


def test_the_output_does_not_depend_on_file_times(copy: Path, run_cli: RunCli) -> None:
    """A fresh clone gives every note today's modification time: the committed output must not show it."""
    vault = copy / "example_vault"
    later = 1_950_000_000  # 2031
    for path in vault.rglob("*.md"):
        if "tlvault" not in path.relative_to(vault).parts[:1]:
            os.utime(path, (later, later))
    result = run_cli("--config", copy / "config.yaml", "rebuild", "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert _generated(vault / "tlvault") == _generated(OUTPUT)
