"""The watcher's graph, patched between rebuilds, is the graph a fresh build makes: same nodes,
same neighbours in the same order, same edge data, through hundreds of random changes."""

from __future__ import annotations

import random
from itertools import accumulate
from pathlib import Path
from typing import Any

import pytest

from tlvault import graph_keep, memo
from tlvault.cluster import _louvain
from tlvault.config import Config, GraphConfig
from tlvault.graph import build_graph, member_links
from tlvault.graph_keep import GraphKeeper
from tlvault.model import Note
from tlvault.parse import parse_note
from tlvault.resolve import resolve_links
from tlvault.results import IdeaGraph, Lexicon

CONFIG = Config(vault=Path("vault"))
MTIME_NS = 1_700_000_000 * 10**9
NAMES = [f"idée {i}" for i in range(30)]
GHOSTS = ["Fantôme", "fantôme", "Autre piste", "Livre à lire"]
TAGS = ["#écriture", "#vision", "#moc", "#journal"]


def shape(graph: IdeaGraph) -> list[Any]:
    """Everything about a graph that a later stage could see, orders included."""
    network = graph.graph
    for a, near in network.adj.items():
        for b, data in near.items():
            assert network.adj[b][a] is data  # one data dict per edge, shared by both ends
    return [
        list(network.nodes(data=True)),
        [
            (a, [(b, d["weight"], list(d["kinds"].items()), d["evidence"]) for b, d in near.items()])
            for a, near in network.adj.items()
        ],
        list(network.edges(data="weight")),
        list(graph.adjacency.items()) == list(network.adj.items()),
        list(graph.notes),
        list(graph.ghosts.items()),
        [note.rel for note in graph.journal],
        list(graph.mentions.items()),
        sorted(graph.linked),
        list(graph.name_counts.items()),
        arrays_shape(graph),
    ]


def arrays_shape(graph: IdeaGraph) -> list[Any]:
    """The graph's edge arrays as plain lists, checked against the networkx graph they come from."""
    arrays = graph.arrays
    assert arrays is not None
    network = graph.graph
    assert arrays.nodes == tuple(network.nodes)
    entries = [(b, data["weight"]) for near in network.adj.values() for b, data in near.items()]
    assert [
        (arrays.nodes[b], w) for b, w in zip(arrays.others.tolist(), arrays.weights.tolist(), strict=True)
    ] == entries
    assert arrays.starts.tolist() == [0, *accumulate(len(near) for near in network.adj.values())]
    cocited = sorted((min(a, b), max(a, b)) for a, b, evidence in network.edges(data="evidence") if evidence)
    assert list(arrays.cocited) == cocited
    return [
        arrays.nodes,
        arrays.starts.tolist(),
        arrays.others.tolist(),
        arrays.weights.tolist(),
        arrays.cocited,
    ]


class RandomVault:
    """Idea notes linking each other and ghosts, journal notes co-citing them, tags, neighbours."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.texts: dict[str, str] = {}
        self.neighbours: dict[str, tuple[tuple[str, float], ...]] = {}
        self.parsed: dict[tuple[str, str], Note] = {}
        for name in NAMES[:20]:
            self.texts[f"{name}.md"] = self.note_text()
        for day in range(1, 6):
            self.texts[f"Journal/2026-11-0{day}.md"] = self.journal_text()

    def note_text(self) -> str:
        pick = self.random
        links = [f"[[{pick.choice(NAMES + GHOSTS)}]]" for _ in range(pick.randint(0, 4))]
        tags = pick.sample(TAGS[:3], pick.randint(0, 2))
        return f"Une idée. {' '.join(links)} {' '.join(tags)}\n"

    def journal_text(self) -> str:
        pick = self.random
        paragraphs = [
            pick.choice(["Relu ", "Pensé à ", ""])
            + " et ".join(f"[[{pick.choice(NAMES + GHOSTS)}]]" for _ in range(pick.randint(1, 3)))
            for _ in range(pick.randint(1, 3))
        ]
        return "\n\n".join([*paragraphs, "#journal"]) + "\n"

    def change(self) -> None:
        """One random change: an edit, a new note, a deletion, a retag or new lexical neighbours."""
        pick = self.random
        ideas = [rel for rel in self.texts if not rel.startswith("Journal/")]
        kind = pick.choice(["edit", "edit", "add", "delete", "journal", "neighbours", "to journal"])
        if kind == "edit" and ideas:
            self.texts[pick.choice(ideas)] = self.note_text()
        elif kind == "add":
            self.texts[f"{pick.choice(NAMES)}.md"] = self.note_text()
        elif kind == "delete" and len(ideas) > 2:
            del self.texts[pick.choice(ideas)]
        elif kind == "journal":
            self.texts[f"Journal/2026-11-{pick.randint(1, 28):02d}.md"] = self.journal_text()
        elif kind == "to journal" and ideas:
            self.texts[pick.choice(ideas)] += "\n#journal\n"
        else:
            rels = sorted(self.texts)
            for rel in pick.sample(rels, min(3, len(rels))):
                chosen = pick.sample(rels, 2)
                self.neighbours[rel] = tuple((other, 0.5) for other in chosen if other != rel)

    def notes(self) -> list[Note]:
        """The parsed notes; an unchanged note is the same object, as the parse cache gives it."""
        parsed = {
            key: self.parsed.get(key) or parse_note(*key, MTIME_NS) for key in sorted(self.texts.items())
        }
        self.parsed = parsed
        return list(parsed.values())

    def lexicon(self) -> Lexicon:
        present = {rel: found for rel, found in self.neighbours.items() if rel in self.texts}
        return Lexicon("fr", {}, present)


def built(vault: RandomVault, notes: list[Note], keeper: GraphKeeper | None = None) -> IdeaGraph:
    """The graph of the vault's notes: afresh, or through `keeper`."""
    resolved = resolve_links(notes, sorted(vault.texts))
    if keeper is None:
        return build_graph(notes, resolved, vault.lexicon(), CONFIG)
    return keeper.build(notes, resolved, vault.lexicon(), CONFIG)


@pytest.mark.parametrize("seed", range(8))
def test_a_patched_graph_is_the_graph_built_afresh(seed: int) -> None:
    vault, keeper = RandomVault(seed), GraphKeeper()
    graphs = []
    for _ in range(80):
        vault.change()
        notes = vault.notes()
        kept = built(vault, notes, keeper)
        assert shape(kept) == shape(built(vault, notes))
        graphs.append(kept.graph)
    # The same networkx graph went from change to change: it was patched, not built again.
    assert len({id(graph) for graph in graphs}) < len(graphs) / 4


def test_new_settings_build_a_new_graph() -> None:
    vault, keeper = RandomVault(0), GraphKeeper()
    notes = vault.notes()
    first = built(vault, notes, keeper)
    assert built(vault, notes, keeper).graph is first.graph
    wider = Config(vault=Path("vault"), graph=GraphConfig(trivial_tag_share=0.9))
    resolved = resolve_links(notes, sorted(vault.texts))
    again = keeper.build(notes, resolved, vault.lexicon(), wider)
    assert again.graph is not first.graph
    assert shape(again) == shape(build_graph(notes, resolved, vault.lexicon(), wider))


def test_the_watcher_switch_uses_the_kept_graph_and_forgets_it(remembering: None) -> None:
    vault = RandomVault(1)
    notes = vault.notes()
    first = built(vault, notes)
    assert built(vault, notes).graph is first.graph
    memo.remember(True)  # turned on again: everything kept is forgotten
    assert built(vault, notes).graph is not first.graph


def test_the_revision_moves_only_when_nodes_or_edges_change() -> None:
    vault, keeper = RandomVault(2), GraphKeeper()
    first = built(vault, vault.notes(), keeper)
    again = built(vault, vault.notes(), keeper)  # new note objects, same content
    vault.texts["idée 0.md"] = "Voir [[idée 1]] et [[Fantôme]]."
    changed = built(vault, vault.notes(), keeper)
    assert again.graph is first.graph is changed.graph
    assert (first.revision, again.revision, changed.revision) == (0, 0, 1)
    assert (
        build_graph(
            vault.notes(), resolve_links(vault.notes(), sorted(vault.texts)), vault.lexicon(), CONFIG
        ).revision
        == 0
    )


def test_a_watcher_reuses_communities_only_for_an_unchanged_graph(remembering: None) -> None:
    vault = RandomVault(3)
    first = built(vault, vault.notes())
    communities = _louvain(first, 1.0, 42)
    assert _louvain(built(vault, vault.notes()), 1.0, 42) is communities
    assert _louvain(first, 1.5, 42) is not communities  # other settings: computed again
    vault.texts["idée 0.md"] = "Voir [[idée 1]], [[idée 2]] et [[idée 3]]."
    changed = built(vault, vault.notes())
    recomputed = _louvain(changed, 1.0, 42)
    memo.remember(False)
    assert recomputed == _louvain(built(vault, vault.notes()), 1.0, 42)


def test_the_keeper_reads_again_only_the_notes_that_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    vault, keeper = RandomVault(5), GraphKeeper()
    built(vault, vault.notes(), keeper)
    read: list[str] = []
    original = member_links

    def spy(note: Note, *args: Any) -> Any:
        read.append(note.rel)
        return original(note, *args)  # the reading a fresh build does too

    monkeypatch.setattr(graph_keep, "member_links", spy)
    built(vault, vault.notes(), keeper)
    assert read == []  # nothing changed: no note read again
    vault.texts["idée 3.md"] = "Voir [[idée 4]] et [[Une piste neuve]]."
    notes = vault.notes()
    assert shape(built(vault, notes, keeper)) == shape(built(vault, notes))
    assert read == ["idée 3.md"]
