"""Every real vault in ../shared/vaults parses without a crash, each note read or skipped with a reason."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SHARED, RunCli
from tests.test_generated_notes import unresolved_generated_links
from tlvault.config import default_config
from tlvault.pipeline import read_vault
from tlvault.report import Report

# The only problems in these vaults: two notes with NUL bytes inside otherwise valid text.
KNOWN_WARNINGS = {
    "vaultofknowledge": {"Magic Numbers (in computer science).md"},
    "yoshi-zettelkasten": {"Security/FlareON 2025 Pretty Devilish File.md"},
}
VAULTS = sorted(p.parent.name for p in (SHARED / "vaults").glob("*/vault")) if SHARED.exists() else []


def _visible_notes(root: Path) -> set[str]:
    """The `.md` files outside hidden folders, counted independently of tlvault's scanner."""
    found = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel_folder = Path(folder).relative_to(root).as_posix()
        for name in files:
            if name.endswith(".md") and not name.startswith("."):
                found.add(name if rel_folder == "." else f"{rel_folder}/{name}")
    return found


@pytest.mark.parametrize("name", VAULTS)
def test_real_vault_parses_and_rebuilds(name: str, tmp_path: Path, run_cli: RunCli) -> None:
    vault = tmp_path / name
    shutil.copytree(SHARED / "vaults" / name / "vault", vault, symlinks=True)
    report = Report()
    parsed = read_vault(default_config(vault), report)
    assert {note.rel for note in parsed.notes} == _visible_notes(vault)
    assert report.skipped == []
    assert {w.rel for w in report.warned} == KNOWN_WARNINGS.get(name, set())
    assert all(w.reason.startswith("contains NUL bytes") for w in report.warned)
    assert report.links_count == sum(len(parsed.resolved.of(note)) for note in parsed.notes)
    assert 0 <= report.unresolved_count <= report.links_count
    rebuilt = run_cli("rebuild", "--json", "--now", "2026-11-20", vault)
    assert rebuilt.exit_code == 0, rebuilt.stderr
    document = json.loads(rebuilt.stdout)
    assert (
        vault
        / "tlvault"
        / ("Idées à cultiver.md" if document["language"] == "fr" else "Ideas to cultivate.md")
    ).is_file()
    assert unresolved_generated_links(vault, document) == []
