"""What the demo shows on example_vault/: the full range of bands, ripest first, and a living dashboard.

Runs on a copy of the vault (committed output and state included) with the repository's config,
as `make demo` does.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO
from tlvault.cli import main

_WIKILINK = re.compile(r"!?\[\[([^\]]+?)\]\]")
_BANDS_ORDER = ("seed", "cultivate", "ripe", "harvest")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The example vault and the repository's config, copied."""
    root = tmp_path
    shutil.copytree(REPO / "example_vault", root / "example_vault")
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    return root


@pytest.fixture
def report(demo: Path) -> dict[str, Any]:
    """`tlvault rebuild --json` of the copy: it also writes the generated notes the checks read."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["--config", str(demo / "config.yaml"), "rebuild", "--json"])
    assert code == 0
    document: dict[str, Any] = json.loads(buffer.getvalue())
    return document


def test_the_example_vault_has_80_to_120_notes() -> None:
    notes = [
        path
        for path in (REPO / "example_vault").rglob("*.md")
        if "tlvault" not in path.relative_to(REPO / "example_vault").parts[:1]
    ]
    assert 80 <= len(notes) <= 120


def test_the_ripe_cluster_comes_first_and_three_bands_show(report: dict[str, Any]) -> None:
    clusters = report["clusters"]
    first, second = clusters[0], clusters[1]
    assert first["band"] in ("ripe", "harvest")
    assert first["ripeness"] - second["ripeness"] >= 5  # clearly first
    bands = {cluster["band"] for cluster in clusters}
    assert len(bands) >= 3
    assert "seed" in bands
    ranks = [cluster["ripeness"] for cluster in clusters]
    assert ranks == sorted(ranks, reverse=True)


def test_the_index_first_screen_names_the_ripe_cluster(demo: Path, report: dict[str, Any]) -> None:
    index = (demo / "example_vault" / "tlvault" / "Idées à cultiver.md").read_text(encoding="utf-8")
    first_screen = index.split("## ", 1)[0]
    assert f"1. **[[tlvault/clusters/{report['clusters'][0]['name']}|" in first_screen


def _dashboard(demo: Path) -> str:
    return (demo / "example_vault" / "tlvault" / "Tableau de bord.md").read_text(encoding="utf-8")


def test_the_dashboard_shows_habits_cadence_and_scorecard(demo: Path, report: dict[str, Any]) -> None:
    text = _dashboard(demo)
    habits = text.split("## Habitudes", 1)[1].split("## Élan", 1)[0]
    assert habits.count("✅") >= 5  # days at target, in several habits
    assert "### 📚 Lecture" in habits and "min" in habits
    publishing = text.split("## Publication", 1)[1].split("## ", 1)[0]
    assert re.search(r"\| ✅ [1-9] \| \[\[", publishing)  # a week with a published piece, linked
    scorecard = text.split("## Bilan de thought leader", 1)[1]
    assert re.search(r"Quiz : \[\[[^\]]+\]\] — \d+ oui sur 35 questions", scorecard)
    rows = [line for line in scorecard.splitlines() if line.startswith("| ") and "/" in line.split("|")[2]]
    assert len(rows) == 5  # one row per pillar
    assert "## Élan" in text and "| [[tlvault/clusters/" in text.split("## Élan", 1)[1]
    assert "## Sur quoi se concentrer" in text and "\n- " in text.split("## Sur quoi se concentrer", 1)[1]


def _resolves(vault: Path, target: str) -> bool:
    path = target.split("|", 1)[0].split("#", 1)[0].replace("\\", "").strip()
    candidates = [vault / path, vault / f"{path}.md"]
    name = Path(path).name
    return any(c.is_file() for c in candidates) or any(vault.rglob(f"{name}.md"))


def test_every_link_of_the_dashboard_resolves(demo: Path, report: dict[str, Any]) -> None:
    vault = demo / "example_vault"
    targets = _WIKILINK.findall(_dashboard(demo))
    assert len(targets) >= 10
    assert [t for t in targets if not _resolves(vault, t)] == []


def test_the_base_file_is_valid_bases_yaml(demo: Path, report: dict[str, Any]) -> None:
    base = demo / "example_vault" / "tlvault" / "Pipeline des idées.base"
    document = yaml.safe_load(base.read_text(encoding="utf-8"))
    assert set(document) == {"filters", "properties", "views"}
    assert document["filters"] == {"and": ['file.inFolder("tlvault/clusters")', 'tlvault_kind == "cluster"']}
    assert [view["type"] for view in document["views"]] == ["table", "table"]
    for view in document["views"]:
        assert view["order"][0] == "file.name"
        assert all(column.startswith(("file.", "note.")) for column in view["order"])
    cluster_note = next((demo / "example_vault" / "tlvault" / "clusters").glob("*.md")).read_text("utf-8")
    properties = yaml.safe_load(cluster_note.split("---\n", 2)[1])
    assert {key.removeprefix("note.") for key in document["properties"]} <= set(properties)


def test_the_readme_tour_quotes_the_current_index_note() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    tour = readme.split("## A tour of what you get", 1)[1]
    quoted = tour.split("```markdown\n", 1)[1].split("```", 1)[0]
    index = (REPO / "example_vault" / "tlvault" / "Idées à cultiver.md").read_text(encoding="utf-8")
    assert quoted in index, "update README's tour from example_vault/tlvault/Idées à cultiver.md"
