"""Generated notes, end to end: every link resolves, the canvas is valid, the language is right."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, SHARED, RunCli, inside
from tlvault.config import default_config
from tlvault.parse import parse_note
from tlvault.resolve import LinkIndex
from tlvault.scan import scan_vault

FRENCH_LABELS = ("Idées à cultiver", "Prochaines actions", "Pourquoi", "Notes du cluster", "Santé du coffre")
ENGLISH_LABELS = ("Ideas to cultivate", "Next actions", "Why", "Notes in the cluster", "Vault health")


def _copy_example(tmp_path: Path, language: str | None = None) -> Path:
    shutil.copytree(REPO / "example_vault", tmp_path / "example_vault")
    config = (REPO / "config.yaml").read_text("utf-8")
    if language:
        config = config.replace("language: auto", f"language: {language}")
    (tmp_path / "config.yaml").write_text(config, "utf-8")
    return tmp_path / "example_vault"


def _rebuild(run_cli: RunCli, *args: str | Path) -> dict[str, Any]:
    result = run_cli("rebuild", "--json", *args)
    assert result.exit_code == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def unresolved_generated_links(vault: Path, report: dict[str, Any], output: str = "tlvault") -> list[str]:
    """Wikilinks of generated notes that resolve to no file, other than ghost ideas listed as such."""
    files = scan_vault(default_config(vault)).files
    index = LinkIndex(files)
    ghosts = {ghost["name"] for ghost in report["ghosts"]}
    ghosts |= {name for cluster in report["clusters"] for name in cluster["ghosts"]}
    problems = []
    for rel in files:
        if rel.startswith(output + "/") and rel.endswith(".md"):
            note = parse_note(rel, (vault / rel).read_bytes())
            for link in note.links:
                if index.resolve(link.target, rel) is None and link.target not in ghosts:
                    problems.append(f"{rel}: [[{link.target}]]")
    return problems


def canvas_problems(vault: Path, canvas: dict[str, Any]) -> list[str]:
    """What makes a JSON Canvas 1.0 document invalid, or a file node point nowhere."""
    problems = []
    nodes = {node["id"]: node for node in canvas["nodes"]}
    if len(nodes) != len(canvas["nodes"]):
        problems.append("duplicate node ids")
    for node in canvas["nodes"]:
        if not {"id", "type", "x", "y", "width", "height"} <= node.keys():
            problems.append(f"incomplete node {node['id']}")
        if node["type"] == "file" and not (vault / node["file"]).is_file():
            problems.append(f"file node to a missing file: {node['file']}")
    for edge in canvas["edges"]:
        if edge["fromNode"] not in nodes or edge["toNode"] not in nodes:
            problems.append(f"edge {edge['id']} to a missing node")
    groups = [node for node in canvas["nodes"] if node["type"] == "group"]
    for node in canvas["nodes"]:
        if node["type"] == "file" and not any(inside(node, group) for group in groups):
            problems.append(f"file node outside every group: {node['file']}")
    return problems


def test_example_vault_generated_notes_in_french(tmp_path: Path, run_cli: RunCli) -> None:
    vault = _copy_example(tmp_path)
    shutil.rmtree(vault / "tlvault")
    report = _rebuild(run_cli, "--config", tmp_path / "config.yaml")
    assert report["language"] == "fr"
    index = (vault / "tlvault" / "Idées à cultiver.md").read_text("utf-8")
    assert "> [!tip] Quoi écrire ensuite ?" in index
    assert unresolved_generated_links(vault, report) == []
    canvas = json.loads((vault / "tlvault" / "Carte des idées.canvas").read_text("utf-8"))
    assert canvas_problems(vault, canvas) == []
    assert sum(node["type"] == "group" for node in canvas["nodes"]) == len(report["clusters"])


def test_language_en_gives_complete_english_notes(tmp_path: Path, run_cli: RunCli) -> None:
    vault = _copy_example(tmp_path, "en")
    shutil.rmtree(vault / "tlvault")
    report = _rebuild(run_cli, "--config", tmp_path / "config.yaml")
    assert report["language"] == "en"
    generated = sorted(path for path in (vault / "tlvault").rglob("*.md"))
    assert [path.name for path in generated if path.parent.name == "tlvault"] == [
        "Dashboard.md",
        "Ideas to cultivate.md",
        "Vault health.md",
    ]
    assert (vault / "tlvault" / "Idea pipeline.base").is_file()
    everything = "\n".join(path.read_text("utf-8") for path in generated)
    assert all(label in everything for label in ENGLISH_LABELS)
    assert not [label for label in FRENCH_LABELS if label in everything]
    assert unresolved_generated_links(vault, report) == []


def test_auto_language_is_english_on_an_english_vault(tmp_path: Path, run_cli: RunCli) -> None:
    source = SHARED / "vaults" / "kepano-obsidian" / "vault"
    if not source.exists():
        pytest.skip(f"{source} is not available (CI provides ../shared)")
    vault = tmp_path / "kepano"
    shutil.copytree(source, vault, symlinks=True)
    report = _rebuild(run_cli, vault, "--now", "2026-11-20")
    assert report["language"] == "en"
    assert (vault / "tlvault" / "Ideas to cultivate.md").is_file()
    assert unresolved_generated_links(vault, report) == []
