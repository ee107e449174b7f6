"""The idea engine end to end: planted topics are found, ranked, and keep their identity."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sklearn.metrics import normalized_mutual_info_score
from stop_words import get_stop_words

from benchmarks.vaultgen import GeneratedVault, generate_vault, write_vault
from tests.conftest import REPO, RunCli
from tlvault.config import default_config, load_config
from tlvault.pipeline import analyse, read_vault
from tlvault.report import Report
from tlvault.results import Insights

TODAY = date(2026, 11, 20)


def _insights(vault: Path) -> Insights:
    config = default_config(vault)
    return analyse(config, read_vault(config, Report()), now=TODAY).insights


def _generated(tmp_path: Path, notes: int, seed: int, language: str = "fr") -> tuple[GeneratedVault, Path]:
    generated = generate_vault(notes, seed=seed, language=language, today=TODAY)
    root = tmp_path / "vault"
    write_vault(generated, root)
    return generated, root


@pytest.mark.parametrize(("notes", "seed", "language"), [(120, 1, "fr"), (300, 2, "en"), (400, 3, "mixed")])
def test_planted_topics_are_found_and_ranked(tmp_path: Path, notes: int, seed: int, language: str) -> None:
    generated, root = _generated(tmp_path, notes, seed, language)
    insights = _insights(root)
    cluster_of = {rel: s.cluster.id for s in insights.clusters for rel in s.cluster.notes}
    rels = sorted(generated.topics)
    planted = [generated.topics[rel] for rel in rels]
    found = [cluster_of.get(rel, f"unclustered:{rel}") for rel in rels]
    assert normalized_mutual_info_score(planted, found) >= 0.85

    def main_cluster(topic: str) -> str | None:
        owners = Counter(cluster_of.get(rel) for rel in rels if generated.topics[rel] == topic)
        return owners.most_common(1)[0][0]

    ranking = [scored.cluster.id for scored in insights.clusters]
    assert ranking[0] == main_cluster(generated.ripe_topic)
    assert ranking[-1] == main_cluster(generated.seed_topic)


def test_same_vault_twice_gives_the_same_report(tmp_path: Path, run_cli: RunCli) -> None:
    _, root = _generated(tmp_path, 200, 5)
    first = run_cli("rebuild", "--json", "--now", "2026-11-20", root)
    second = run_cli("rebuild", "--json", "--now", "2026-11-20", root)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["clusters"]


def _memberships(root: Path, run_cli: RunCli) -> dict[str, set[str]]:
    result = run_cli("rebuild", "--json", "--now", "2026-11-20", root)
    assert result.exit_code == 0, result.stderr
    return {cluster["id"]: set(cluster["notes"]) for cluster in json.loads(result.stdout)["clusters"]}


def _topic_note(generated: GeneratedVault, index: int) -> str:
    """A plain idea note of a growing topic (not a hub, not the ripe or seed topic)."""
    candidates = [
        rel
        for rel, topic in sorted(generated.topics.items())
        if topic not in (generated.ripe_topic, generated.seed_topic) and "/Carte" not in rel
    ]
    return candidates[index]


def test_editing_a_note_keeps_every_cluster_id(tmp_path: Path, run_cli: RunCli) -> None:
    generated, root = _generated(tmp_path, 300, 7)
    before = _memberships(root, run_cli)
    note = root / _topic_note(generated, 3)
    note.write_text(note.read_text("utf-8") + "\nUne pensée de plus, écrite ce matin.\n", "utf-8")
    assert _memberships(root, run_cli) == before


def test_adding_a_note_changes_only_the_cluster_it_joins(tmp_path: Path, run_cli: RunCli) -> None:
    generated, root = _generated(tmp_path, 300, 8)
    before = _memberships(root, run_cli)
    anchor = _topic_note(generated, 5)
    title = Path(anchor).stem
    (root / "Nouvelle note.md").write_text(f"Une suite à [[{title}]].\n", "utf-8")
    after = _memberships(root, run_cli)
    assert after.keys() == before.keys()
    changed = {cid for cid in after if after[cid] != before[cid]}
    owner = next(cid for cid, members in before.items() if anchor in members)
    assert changed == {owner}
    assert after[owner] == before[owner] | {"Nouvelle note.md"}


def test_renaming_a_note_changes_only_its_own_membership(tmp_path: Path, run_cli: RunCli) -> None:
    generated, root = _generated(tmp_path, 300, 9)
    before = _memberships(root, run_cli)
    old = _topic_note(generated, 8)
    new = str(Path(old).with_name("Note renommée.md"))
    (root / old).rename(root / new)
    after = _memberships(root, run_cli)
    assert after.keys() == before.keys()
    for cid, members in after.items():
        assert members ^ before[cid] <= {old, new}


def test_example_vault_names_and_sentences(tmp_path: Path) -> None:
    shutil.copytree(REPO / "example_vault", tmp_path / "example_vault")
    shutil.copy(REPO / "config.yaml", tmp_path / "config.yaml")
    config = load_config(tmp_path / "config.yaml")
    insights = analyse(config, read_vault(config, Report())).insights
    assert insights.language == "fr"
    assert len(insights.clusters) >= 3
    stop_words = set(get_stop_words("french")) | set(get_stop_words("english"))
    for scored in insights.clusters:
        words = re.findall(r"[^\W\d_]+", scored.cluster.name)
        assert words and not [w for w in words if w.lower() in stop_words and w.lower() != "et"]
        for sentence in (scored.why, scored.next_action):
            assert sentence[0].isupper() and sentence.endswith("."), sentence
            assert "{" not in sentence and "  " not in sentence, sentence
    assert any(re.search(r"[àâçéèêëîïôûùüÿœ]", s.cluster.name) for s in insights.clusters)
