"""The watcher's idea graph: kept between rebuilds and updated where notes changed.

A one-shot rebuild builds the graph once (`tlvault.graph`). A watcher rebuilds after every edit,
and most of the graph stage was reading every note's links again to find the few edges that
moved. `GraphKeeper` keeps the edge table split by kind, with what each note contributed:
written links come again only from the notes that changed (or whose link targets changed), the
journal's co-citations are summed again from each journal note's kept paragraphs, and the tag and
similarity edges, which depend on the whole vault, are recomputed and compared. The networkx
graph is then patched where edges changed. The result is the graph `tlvault.graph` builds
afresh, node order, neighbour order and edge data included (tests/unit/test_graph_patch.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TypeVar

import networkx as nx
import numpy as np

from tlvault import memo
from tlvault.arrays import runs
from tlvault.config import Config, GraphConfig, JournalConfig
from tlvault.graph import (
    SIMILARITY,
    TAG,
    WIKILINK,
    EdgeTable,
    JournalPart,
    Spellings,
    arrays_of,
    cocitations,
    edge_data,
    fill,
    idea_graph,
    journal_part,
    journal_rule,
    member_links,
    mentions_by_node,
    similar_pairs,
    tag_groups,
)
from tlvault.model import Note, Resolved
from tlvault.results import EdgeArrays, IdeaGraph, Lexicon

_V = TypeVar("_V")
Pair = tuple[str, str]  # two nodes, the lesser first


@dataclass
class _Tables:
    """The edge table by kind, and what each note contributed to it, as of the last rebuild."""

    notes: dict[str, Note] = field(default_factory=dict)  # every note read, journal or not, by rel
    resolutions: dict[str, tuple[str | None, ...]] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)
    targets: dict[str, dict[str, None]] = field(default_factory=dict)  # member -> linked nodes, in order
    spellings: dict[str, Spellings] = field(default_factory=dict)  # member -> ghosts it names
    journal: dict[str, JournalPart] = field(default_factory=dict)
    wikilink: dict[Pair, float] = field(default_factory=dict)
    cocitation: dict[Pair, tuple[float, list[str]]] = field(default_factory=dict)
    tag: dict[Pair, float] = field(default_factory=dict)
    similarity: set[Pair] = field(default_factory=set)
    edges: EdgeTable = field(default_factory=EdgeTable)


@dataclass
class _Built:
    """A graph as built, with the tables and settings it was built from."""

    tables: _Tables
    graph: nx.Graph
    settings: tuple[JournalConfig, GraphConfig]
    revision: int  # see IdeaGraph.revision
    arrays: EdgeArrays


class GraphKeeper:
    """The last graph built, for the next rebuild to update (one per process: the watcher's).

    The networkx graph a build returns is changed in place by the next one: only the latest
    `IdeaGraph` is to be read.
    """

    def __init__(self) -> None:
        self.last: _Built | None = None

    def build(self, notes: Sequence[Note], resolved: Resolved, lexicon: Lexicon, config: Config) -> IdeaGraph:
        """`build_graph`, updating the last graph when it was built with the same settings."""
        last, self.last = self.last, None  # a failure below must not leave a half-updated graph to reuse
        if last is not None and last.settings != (config.journal, config.graph):
            last = None
        tables = last.tables if last is not None else _Tables()
        rule = journal_rule(config.journal)
        journal = tuple(note for note in notes if rule(note))
        journal_rels = {note.rel for note in journal}
        members = {note.rel: note for note in notes if note.rel not in journal_rels}
        changed = _update(tables, notes, resolved, members, journal, lexicon, config)
        ghosts = _ghosts(tables, sorted(members), journal)
        nodes = [*((rel, "note") for rel in sorted(members)), *((key, "ghost") for key in sorted(ghosts))]
        changes = _patched(last.graph, changed, tables.edges, nodes) if last is not None else None
        if last is not None and changes is not None:
            graph, revision = last.graph, last.revision + (changes > 0)
            arrays = (
                last.arrays if changes == 0 else _arrays_updated(last.arrays, graph, changed, tables.edges)
            )
        else:
            graph, revision = nx.Graph(), 0
            graph.add_nodes_from(sorted(members), kind="note")
            graph.add_nodes_from(sorted(ghosts), kind="ghost")
            fill(graph, tables.edges)
            arrays = arrays_of(graph, tables.edges)
        self.last = _Built(tables, graph, (config.journal, config.graph), revision, arrays)
        mentions = mentions_by_node(tables.journal.values())
        return idea_graph(graph, notes, members, ghosts, journal, mentions, tables.wikilink, revision, arrays)

    def forget(self) -> None:
        """Drop the kept graph: the next build starts afresh."""
        self.last = None


KEPT = GraphKeeper()
memo.on_forget(KEPT.forget)


def _update(
    tables: _Tables,
    notes: Sequence[Note],
    resolved: Resolved,
    members: Mapping[str, Note],
    journal: Sequence[Note],
    lexicon: Lexicon,
    config: Config,
) -> set[Pair]:
    """Bring the tables up to these notes; returns the node pairs whose edge changed."""
    stale = _stale_notes(tables, notes, resolved, members.keys())
    changed = _update_links(tables, stale, resolved, members)
    tables.journal = {
        note.rel: journal_part(note, resolved.of(note), members)
        if note.rel in stale or note.rel not in tables.journal
        else tables.journal[note.rel]
        for note in journal
    }
    changed |= _replace(tables.cocitation, cocitations(tables.journal.values()))
    changed |= _replace(tables.tag, _tag_weights(members.values(), config.graph.trivial_tag_share))
    similarity = similar_pairs(members, lexicon)
    changed |= similarity ^ tables.similarity
    tables.similarity = similarity
    _rewrite(tables, changed)
    return changed


def _stale_notes(
    tables: _Tables, notes: Sequence[Note], resolved: Resolved, members: Iterable[str]
) -> set[str]:
    """Notes to read again: new, changed, gone, given other link targets, or linking a note that
    became (or stopped being) an idea while its links stayed the same."""
    stale: set[str] = set()
    present: dict[str, Note] = {}
    resolutions: dict[str, tuple[str | None, ...]] = {}
    for note in notes:
        rel = note.rel
        present[rel] = note
        resolution = resolutions[rel] = resolved.of(note)
        if tables.notes.get(rel) is not note or tables.resolutions.get(rel) != resolution:
            stale.add(rel)
    stale.update(rel for rel in tables.notes if rel not in present)
    member_set = set(members)
    flipped = {rel for rel in (member_set ^ tables.members) if rel in present and rel in tables.notes}
    if flipped:  # their linkers' resolutions did not change, but what the links lead to did
        stale.update(rel for rel, targets in resolutions.items() if not flipped.isdisjoint(targets))
    stale.update(flipped)
    tables.notes, tables.resolutions, tables.members = present, resolutions, member_set
    return stale


def _update_links(
    tables: _Tables, stale: set[str], resolved: Resolved, members: Mapping[str, Note]
) -> set[Pair]:
    """Written links of the stale notes read again; returns the pairs whose link weight changed."""
    touched: set[Pair] = set()
    for rel in stale:
        before = tables.targets.pop(rel, {})
        tables.spellings.pop(rel, None)
        after: dict[str, None] = {}
        note = members.get(rel)
        if note is not None:
            after, spellings = member_links(note, resolved.of(note), members)
            tables.targets[rel] = after
            if spellings:
                tables.spellings[rel] = spellings
        for node in before.keys() ^ after.keys():
            touched.add((rel, node) if rel < node else (node, rel))
    targets = tables.targets
    for a, b in touched:
        count = (b in targets.get(a, ())) + (a in targets.get(b, ()))
        if count:
            tables.wikilink[a, b] = WIKILINK * count
        else:
            tables.wikilink.pop((a, b), None)
    return touched


def _tag_weights(notes: Iterable[Note], trivial_share: float) -> dict[Pair, float]:
    """Each pair's shared-tag weight (as `tlvault.graph._add_tags` adds it)."""
    weights: dict[Pair, float] = {}
    for rels in tag_groups(notes, trivial_share):
        for pair in combinations(rels, 2):
            weights[pair] = weights.get(pair, 0.0) + TAG
    return weights


def _replace(table: dict[Pair, _V], new: dict[Pair, _V]) -> set[Pair]:
    """Make `table` equal `new`; returns the pairs whose value changed."""
    changed = set(table.keys() ^ new.keys())
    changed.update(pair for pair, value in new.items() if pair in table and table[pair] != value)
    table.clear()
    table.update(new)
    return changed


def _rewrite(tables: _Tables, changed: Iterable[Pair]) -> None:
    """Recombine the kinds of each changed pair into the edge table, in the order a fresh build adds them."""
    rows, evidence = tables.edges.kinds, tables.edges.evidence
    for pair in changed:
        a, b = pair
        kinds: dict[str, float] = {}
        if (weight := tables.wikilink.get(pair)) is not None:
            kinds["wikilink"] = weight
        if (cocited := tables.cocitation.get(pair)) is not None:
            kinds["cocitation"] = cocited[0]
            evidence[pair] = cocited[1]
        else:
            evidence.pop(pair, None)
        if (weight := tables.tag.get(pair)) is not None:
            kinds["tag"] = weight
        if pair in tables.similarity:
            kinds["similarity"] = SIMILARITY
        if kinds:
            rows.setdefault(a, {})[b] = kinds
        elif a in rows:
            rows[a].pop(b, None)
            if not rows[a]:
                del rows[a]


def _ghosts(tables: _Tables, members: Sequence[str], journal: Sequence[Note]) -> dict[str, str]:
    """Every ghost node and its first spelling: ideas in sorted order first, then the journal."""
    ghosts: dict[str, str] = {}
    for rel in members:
        for node, spelling in tables.spellings.get(rel, ()):
            ghosts.setdefault(node, spelling)
    for note in journal:
        for node, spelling in tables.journal[note.rel].spellings:
            ghosts.setdefault(node, spelling)
    return ghosts


def _arrays_updated(
    before: EdgeArrays, graph: nx.Graph, changed: Iterable[Pair], edges: EdgeTable
) -> EdgeArrays:
    """The edge arrays of the patched graph: the entries of nodes none of whose edges changed
    are copied from `before` (their neighbours renumbered), the others read from the graph."""
    adjacency = graph._adj
    nodes = tuple(adjacency)
    position = {node: index for index, node in enumerate(nodes)}
    old_position = {node: index for index, node in enumerate(before.nodes)}
    dirty = {node for pair in changed for node in pair}
    old_lengths = np.diff(before.starts)
    lengths = np.fromiter(map(len, adjacency.values()), dtype=np.int64, count=len(nodes))
    # Where each node was, or -1 for a node whose entries are read again.
    was = np.fromiter(
        (old_position.get(node, -1) if node not in dirty else -1 for node in nodes),
        dtype=np.int64,
        count=len(nodes),
    )
    kept = was >= 0
    kept[kept] = old_lengths[was[kept]] == lengths[kept]  # a safety net: same neighbours, same count
    starts = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    renumbered = np.full(len(before.nodes), -1, dtype=np.int64)
    renumbered[[old_position[node] for node in nodes if node in old_position]] = [
        position[node] for node in nodes if node in old_position
    ]
    others = np.empty(int(starts[-1]), dtype=np.int64)
    weights = np.empty(int(starts[-1]), dtype=np.float64)
    copied_to = runs(starts[:-1][kept], lengths[kept])
    copied_from = runs(before.starts[:-1][was[kept]], lengths[kept])
    others[copied_to] = renumbered[before.others[copied_from]]
    weights[copied_to] = before.weights[copied_from]
    for index in np.flatnonzero(~kept).tolist():
        near = adjacency[nodes[index]]
        start, end = int(starts[index]), int(starts[index + 1])
        others[start:end] = [position[other] for other in near]
        weights[start:end] = [data["weight"] for data in near.values()]
    return EdgeArrays(nodes, starts, others, weights, tuple(sorted(edges.evidence)))


_PATCH_SHARE = 0.2  # beyond this share of changed edges, building afresh is cheaper


def _patched(
    graph: nx.Graph, changed: Iterable[Pair], after: EdgeTable, nodes: list[tuple[str, str]]
) -> int | None:
    """Change `graph` in place into the graph `fill` makes of the edge table `after` with these
    `nodes` (in order, with their kind), given the pairs whose edge changed: same nodes, same
    neighbours in the same order, equal edge data. Returns how many nodes and edges changed (0:
    none), or None, the graph untouched, when too much changed to be worth it."""
    changed = sorted(changed)
    if len(changed) > _PATCH_SHARE * graph.number_of_edges() + 64:
        return None
    nodes_changed = _set_nodes(graph, nodes)
    adjacency = graph._adj
    unsorted: set[str] = set()
    for a, b in changed:
        kinds = after.kinds.get(a, {}).get(b)
        if kinds is None:  # gone (perhaps with one of its nodes, already removed)
            adjacency.get(a, {}).pop(b, None)  # a deletion keeps the other neighbours in order
            adjacency.get(b, {}).pop(a, None)
            continue
        if b not in adjacency[a]:
            unsorted.update((a, b))
        adjacency[a][b] = adjacency[b][a] = edge_data(after, a, b, kinds)
    for node in unsorted:
        near = adjacency[node]
        ordered = sorted(near.items())
        near.clear()
        near.update(ordered)
    return len(changed) + nodes_changed


def _set_nodes(graph: nx.Graph, nodes: list[tuple[str, str]]) -> bool:
    """Make the graph's nodes exactly `nodes`, in that order (edges of removed nodes go with them);
    False if they already were."""
    if [(node, data["kind"]) for node, data in graph._node.items()] == nodes:
        return False
    wanted = {node for node, _ in nodes}
    graph.remove_nodes_from([node for node in graph._node if node not in wanted])
    # Rebuilt in place: networkx's views hold these very dicts.
    attributes = {node: graph._node.get(node) for node, _ in nodes}
    neighbours = {node: graph._adj.get(node) for node, _ in nodes}
    graph._node.clear()
    graph._adj.clear()
    for node, kind in nodes:
        known = attributes[node]
        graph._node[node] = known if known is not None and known["kind"] == kind else {"kind": kind}
        graph._adj[node] = neighbours[node] if neighbours[node] is not None else {}
    return True
