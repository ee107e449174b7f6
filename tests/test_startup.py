"""Start-up: the idea engine's modules (NumPy, SciPy, networkx, igraph) are imported while the
parse workers run, not before; a rebuild that finds nothing changed never imports them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tlvault import pipeline
from tlvault.config import default_config
from tlvault.scan import scan_vault

ENGINE_MODULES = (
    "numpy",
    "scipy",
    "scipy.sparse",
    "networkx",
    "igraph",
    "snowballstemmer",
    "tlvault.graph",
    "tlvault.text",
)


def loaded_after(code: str, tmp_path: Path) -> list[str]:
    """The engine modules a fresh interpreter has loaded after running `code`."""
    listing = f"sorted(m for m in {ENGINE_MODULES!r} if m in sys.modules)"
    probe = f"{code}\nimport json, sys\nprint(json.dumps({listing}))"
    env = {"TLVAULT_CACHE_DIR": str(tmp_path / "cache"), "TLVAULT_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO, env=env
    )
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_the_command_line_starts_without_the_engine(tmp_path: Path) -> None:
    assert loaded_after("import tlvault.cli", tmp_path) == []
    assert loaded_after("import tlvault.parse, tlvault.pipeline", tmp_path) == []


def test_a_rebuild_with_nothing_changed_never_imports_the_engine(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(REPO / "example_vault", vault)
    rebuild = (
        f"from tlvault.cli import main\nassert main(['rebuild', {str(vault)!r}, '--now', '2026-11-20']) == 0"
    )
    assert loaded_after(rebuild, tmp_path) == sorted(ENGINE_MODULES)  # the first one analyses
    assert loaded_after(rebuild, tmp_path) == []  # the second finds the same inputs and outputs


@pytest.fixture
def engine_imports(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each `import_engine` call, recorded instead of importing."""
    calls: list[str] = []
    monkeypatch.setattr(pipeline, "import_engine", lambda: calls.append("engine"))
    return calls


EXAMPLE_SOURCES = scan_vault(default_config(REPO / "example_vault")).notes


def test_a_parallel_parse_imports_the_engine_while_the_workers_run(engine_imports: list[str]) -> None:
    calls, sources = engine_imports, EXAMPLE_SOURCES
    pipeline.parse_sources(sources, jobs=1)
    assert calls == []  # one process: the engine comes when the analysis needs it
    parsed = pipeline.parse_sources(sources, jobs=2, min_parallel=0)
    assert calls == ["engine"]
    assert len(parsed) == len(sources)


def test_reading_without_analysing_leaves_the_engine_out(tmp_path: Path, engine_imports: list[str]) -> None:
    pipeline.parse_sources(EXAMPLE_SOURCES, jobs=2, min_parallel=0, analysing=False)  # `tlvault notes`
    assert engine_imports == []
    vault = tmp_path / "vault"
    shutil.copytree(REPO / "example_vault", vault)
    notes = f"from tlvault.cli import main\nassert main(['notes', {str(vault)!r}, '--json']) == 0"
    assert loaded_after(notes, tmp_path) == []
