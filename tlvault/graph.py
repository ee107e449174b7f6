"""build_graph(notes, resolved, lexicon, config) -> IdeaGraph: notes, ghosts and explained edges.

Edge kinds and weights (PRODUCT.md, "Graph"): a written link 1 (both ways 2); two notes linked
from the same journal paragraph 0.5 per paragraph, at most 1.5; a shared non-trivial tag 0.3;
lexical neighbours 0.3. Journal notes are evidence (co-citations, mentions), not nodes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np

from tlvault import memo
from tlvault.config import Config, GraphConfig, JournalConfig
from tlvault.model import Note, Resolved
from tlvault.results import Cluster, EdgeArrays, IdeaGraph, Lexicon, Mention

WIKILINK = 1.0
COCITATION = 0.5
COCITATION_MAX = 1.5
TAG = 0.3
SIMILARITY = 0.3
TRIVIAL_TAG_FLOOR = 5  # in a small vault, a tag on up to 5 notes still says something
TAG_GROUP_MAX = 50  # a tag on more notes is a broad theme; its n² pairs would swamp the links
_EVIDENCE_MAX = 3
# File types Obsidian opens besides notes (its "accepted file formats"): a link to a missing one
# is a missing attachment, not an idea waiting to be written.
ATTACHMENT_EXTENSIONS = frozenset(
    {
        *("canvas", "base", "pdf", "png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif", "heic"),
        *("mp3", "wav", "m4a", "ogg", "3gp", "flac", "webm", "mp4", "ogv", "mov", "mkv", "excalidraw"),
    }
)
_DATE_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:\b|_|$)")


def is_journal(note: Note, journal: JournalConfig) -> bool:
    """Whether a note is a journal or daily note: by tag, by folder or by a date as its name."""
    return _journal_rule(journal)(note)


@lru_cache(maxsize=8)
def _journal_rule(journal: JournalConfig) -> Callable[[Note], bool]:
    """`is_journal` with the tags and folders lower-cased once: it is asked about every note twice."""
    tags = frozenset(tag.lower() for tag in journal.tags)
    folders = "|".join(re.escape(f"/{folder.strip('/').lower()}/") for folder in journal.folders)
    in_folder = re.compile(folders).search if folders else None  # one search for all the folders

    def rule(note: Note) -> bool:
        if not tags.isdisjoint(note.tags):
            return True
        if in_folder is not None and in_folder("/" + note.rel.lower()):
            return True
        # The name without `Note.name`'s slicing: the dot of `.md` ends a date as the name's end would.
        return journal.date_names and _DATE_NAME.match(note.rel, note.rel.rfind("/") + 1) is not None

    return memo.per_note(rule)


def journal_day(note: Note) -> date | None:
    """The day a journal note is about: the date in its name, else `created`, else its mtime."""
    match = _DATE_NAME.match(note.name)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    moment = note.created or note.mtime
    return moment.date() if moment else None


def is_attachment(target: str) -> bool:
    """Whether a link target names a file type Obsidian opens besides notes (`schéma.png`)."""
    name = target.rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[1].lower() in ATTACHMENT_EXTENSIONS


def ghost_key(target: str) -> str:
    """The node of an unresolved link target: one per name, whatever its case or `.md`."""
    folded = unicodedata.normalize("NFC", target.strip()).lower()
    return "ghost:" + (folded[:-3] if folded.endswith(".md") else folded)


class _Edges:
    """Edge weights and evidence, gathered before the graph is built in a fixed order."""

    def __init__(self) -> None:
        # node -> greater node -> kind -> weight: nested, so that an addition builds no pair tuple
        self.kinds: dict[str, dict[str, dict[str, float]]] = {}
        self.evidence: dict[tuple[str, str], list[str]] = {}  # co-cited pairs only

    def add(self, a: str, b: str, kind: str, weight: float) -> dict[str, float]:
        """Add `weight` to the `kind` of edge a–b; returns the edge's kinds."""
        if b < a:
            a, b = b, a
        row = self.kinds.get(a)
        if row is None:
            row = self.kinds[a] = {}
        kinds = row.get(b)
        if kinds is None:
            kinds = row[b] = {}
        kinds[kind] = kinds.get(kind, 0.0) + weight
        return kinds


def build_graph(notes: Sequence[Note], resolved: Resolved, lexicon: Lexicon, config: Config) -> IdeaGraph:
    """The idea graph of the vault's notes (journal notes become co-citations and mentions).

    While a watcher remembers results between rebuilds (`memo.remember`), the last graph is
    patched where its edges changed instead of being built again; the result is the same.
    """
    if memo.remembering():
        return _KEPT.build(notes, resolved, lexicon, config)
    return _build(notes, resolved, lexicon, config, None)


@dataclass
class _Built:
    """A graph as built, with the edge table and settings it was built from."""

    edges: _Edges
    graph: nx.Graph
    settings: tuple[JournalConfig, GraphConfig]
    revision: int  # see IdeaGraph.revision
    arrays: EdgeArrays


class GraphKeeper:
    """The last graph built, for the next rebuild to patch (one per process: the watcher's).

    The networkx graph a build returns is changed in place by the next one: only the latest
    `IdeaGraph` is to be read.
    """

    def __init__(self) -> None:
        self.last: _Built | None = None

    def build(self, notes: Sequence[Note], resolved: Resolved, lexicon: Lexicon, config: Config) -> IdeaGraph:
        """`build_graph`, patching the last graph when it was built with the same settings."""
        last, self.last = self.last, None  # a failure below must not leave a half-patched graph to reuse
        if last is not None and last.settings != (config.journal, config.graph):
            last = None
        built: list[_Built] = []
        graph = _build(notes, resolved, lexicon, config, last, built.append)
        self.last = built[0]
        return graph

    def forget(self) -> None:
        self.last = None


_KEPT = GraphKeeper()
memo.on_forget(_KEPT.forget)


def _build(
    notes: Sequence[Note],
    resolved: Resolved,
    lexicon: Lexicon,
    config: Config,
    last: _Built | None,
    keep: Callable[[_Built], None] | None = None,
) -> IdeaGraph:
    rule = _journal_rule(config.journal)
    journal = tuple(note for note in notes if rule(note))
    journal_rels = {note.rel for note in journal}
    members = {note.rel: note for note in notes if note.rel not in journal_rels}
    edges = _Edges()
    ghosts: dict[str, str] = {}
    linked = _add_links(edges, members, resolved, ghosts)
    mentions = _add_journal(edges, journal, members, resolved, ghosts)
    _add_tags(edges, members.values(), config.graph.trivial_tag_share)
    _add_similar(edges, members, lexicon)
    nodes = [*((rel, "note") for rel in sorted(members)), *((key, "ghost") for key in sorted(ghosts))]
    changes = _patched(last.graph, last.edges, edges, nodes) if last is not None else None
    if last is not None and changes is not None:
        graph, revision = last.graph, last.revision + (changes > 0)
        arrays = last.arrays if changes == 0 else _edge_arrays(graph, edges)
    else:
        graph, revision = nx.Graph(), 0
        graph.add_nodes_from(sorted(members), kind="note")
        graph.add_nodes_from(sorted(ghosts), kind="ghost")
        _fill(graph, edges)
        arrays = _edge_arrays(graph, edges)
    if keep is not None:
        keep(_Built(edges, graph, (config.journal, config.graph), revision, arrays))
    name_counts = Counter(note.name.lower() for note in notes)
    # The graph's own neighbour dicts, without networkx's views: the scores walk them a lot.
    adjacency = dict(graph.adjacency())
    linked_pairs = frozenset(linked)
    return IdeaGraph(
        graph, members, ghosts, journal, mentions, linked_pairs, name_counts, adjacency, revision, arrays
    )


def edge_arrays(graph: IdeaGraph) -> EdgeArrays:
    """The graph's neighbour entries as arrays: those `build_graph` made, or made now."""
    if graph.arrays is not None:
        return graph.arrays
    edges = _Edges()
    for a, b, evidence in graph.graph.edges(data="evidence"):
        if evidence:
            edges.evidence[min(a, b), max(a, b)] = list(evidence)
    return _edge_arrays(graph.graph, edges)


def _edge_arrays(graph: nx.Graph, edges: _Edges) -> EdgeArrays:
    adjacency = graph._adj
    position = {node: index for index, node in enumerate(adjacency)}
    rows = list(adjacency.values())
    starts = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, rows), dtype=np.int64, count=len(rows)), out=starts[1:])
    total = int(starts[-1])
    others = np.fromiter((position[b] for near in rows for b in near), dtype=np.int64, count=total)
    weights = np.fromiter(
        (data["weight"] for near in rows for data in near.values()), dtype=np.float64, count=total
    )
    return EdgeArrays(tuple(adjacency), starts, others, weights, tuple(sorted(edges.evidence)))


def _fill(graph: nx.Graph, edges: _Edges) -> None:
    """Add the edges, by sorted node pair, each attribute dict shared by both ends.

    What `add_edges_from` does, without copying ~90k attribute dicts: that took a third of the
    graph stage on a 10k-note vault. Tested against `add_edges_from` (tests/unit/test_graph.py).
    Each node's neighbours thus come in sorted order (`_patched` keeps that order).
    """
    adjacency = graph._adj  # networkx's own dict of neighbour dicts (its documented data structure)
    for a in sorted(edges.kinds):
        row, near = edges.kinds[a], adjacency[a]
        for b in sorted(row):
            near[b] = adjacency[b][a] = _attributes(edges, a, b, row[b])


def _attributes(edges: _Edges, a: str, b: str, kinds: dict[str, float]) -> dict[str, Any]:
    """The data of edge a–b (a < b): its total weight, its kinds and its evidence."""
    if len(kinds) == 1:  # most edges: the weight of their one kind, as `sum` would give it
        [weight] = kinds.values()
    else:
        weight = sum(kinds.values())
    evidence = tuple(edges.evidence[a, b]) if "cocitation" in kinds else ()
    return {"weight": weight, "kinds": kinds, "evidence": evidence}


_PATCH_SHARE = 0.2  # beyond this share of changed edges, building afresh is cheaper


def _patched(graph: nx.Graph, before: _Edges, after: _Edges, nodes: list[tuple[str, str]]) -> int | None:
    """Change `graph`, built from the edge table `before`, in place into the graph `_fill` makes
    of `after` with these `nodes` (in order, with their kind): same nodes, same neighbours in the
    same order, equal edge data. Returns how many nodes and edges changed (0: none), or None,
    the graph untouched, when too much changed to be worth it."""
    changed = _changed_pairs(before, after)
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
        adjacency[a][b] = adjacency[b][a] = _attributes(after, a, b, kinds)
    for node in unsorted:
        near = adjacency[node]
        ordered = sorted(near.items())
        near.clear()
        near.update(ordered)
    return len(changed) + nodes_changed


def _changed_pairs(before: _Edges, after: _Edges) -> list[tuple[str, str]]:
    """The node pairs (a < b) whose edge was added, removed, or given other kinds or evidence."""
    # Kinds are added stage by stage, so equal kinds dicts also list their kinds in the same order.
    changed: list[tuple[str, str]] = []
    for a in before.kinds.keys() | after.kinds.keys():
        old, new = before.kinds.get(a, {}), after.kinds.get(a, {})
        if old != new:
            changed.extend((a, b) for b in old.keys() | new.keys() if old.get(b) != new.get(b))
    if before.evidence != after.evidence:
        changed.extend(
            pair
            for pair in before.evidence.keys() | after.evidence.keys()
            if before.evidence.get(pair) != after.evidence.get(pair)
        )
    return sorted(set(changed))


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


def _node(target: str, resolved: str | None, members: dict[str, Note], ghosts: dict[str, str]) -> str | None:
    """The node a link leads to: a member note, a ghost idea, or None (journal, attachment…)."""
    if resolved is None:
        if not target.strip() or is_attachment(target):
            return None
        key = ghost_key(target)
        ghosts.setdefault(key, target.strip())
        return key
    return resolved if resolved in members else None


def _add_links(
    edges: _Edges, members: dict[str, Note], resolved: Resolved, ghosts: dict[str, str]
) -> set[tuple[str, str]]:
    linked = set()
    for rel in sorted(members):  # sorted: the first spelling of a ghost names it
        note = members[rel]
        targets: dict[str, None] = {}  # in order of first link
        for link, target in zip(note.links, resolved.of(note), strict=True):
            # most links lead to a member: `_node` is only asked about the others
            node = target if target in members else _node(link.target, target, members, ghosts)
            if node is not None and node != rel:
                targets[node] = None
        for node in targets:  # each direction once; both make 2
            edges.add(rel, node, "wikilink", WIKILINK)
            linked.add((rel, node) if rel < node else (node, rel))
    return linked


def _add_journal(
    edges: _Edges,
    journal: Iterable[Note],
    members: dict[str, Note],
    resolved: Resolved,
    ghosts: dict[str, str],
) -> dict[str, tuple[Mention, ...]]:
    mentions: dict[str, list[Mention]] = defaultdict(list)
    for note in journal:
        day = journal_day(note)
        by_paragraph: dict[int, list[str]] = defaultdict(list)
        header_lines = {field.line for field in note.inline_fields}  # `Lien : [[…]]` is not prose
        for link, target in zip(note.links, resolved.of(note), strict=True):
            if link.line in header_lines:
                continue
            node = target if target in members else _node(link.target, target, members, ghosts)
            if node is not None and link.paragraph is not None and node not in by_paragraph[link.paragraph]:
                by_paragraph[link.paragraph].append(node)
        for index, nodes in sorted(by_paragraph.items()):
            text = note.paragraphs[index].text
            for node in nodes:
                if day is not None:
                    mentions[node].append(Mention(note.rel, day, text))
            for a, b in combinations(sorted(nodes), 2):
                _cocite(edges, a, b, text)
    return {
        node: tuple(sorted(found, key=lambda m: (m.day, m.journal)))
        for node, found in sorted(mentions.items())
    }


def _cocite(edges: _Edges, a: str, b: str, text: str) -> None:
    """One more paragraph citing a and b (a < b): weight up to the cap, the first sentences kept."""
    kinds = edges.add(a, b, "cocitation", COCITATION)
    kinds["cocitation"] = min(kinds["cocitation"], COCITATION_MAX)
    evidence = edges.evidence.setdefault((a, b), [])
    if len(evidence) < _EVIDENCE_MAX:
        evidence.append(text)


def _add_tags(edges: _Edges, notes: Iterable[Note], trivial_share: float) -> None:
    by_tag: dict[str, list[str]] = defaultdict(list)
    count = 0
    for note in notes:
        count += 1
        for tag in note.tags:
            by_tag[tag].append(note.rel)
    trivial = max(trivial_share * count, TRIVIAL_TAG_FLOOR)
    for tag in sorted(by_tag):
        rels = by_tag[tag]
        if len(rels) <= trivial and len(rels) <= TAG_GROUP_MAX:
            for a, b in combinations(sorted(rels), 2):
                edges.add(a, b, "tag", TAG)


def _add_similar(edges: _Edges, members: dict[str, Note], lexicon: Lexicon) -> None:
    """Lexical neighbours: one weight per pair, however many times either lists the other."""
    for rel, neighbours in lexicon.neighbours.items():
        if rel in members:
            for other, _ in neighbours:
                if other in members:
                    # Set, not summed: a pair that both notes list counts once.
                    edges.add(rel, other, "similarity", 0.0)["similarity"] = SIMILARITY


EXPORT_FORMATS = ("graphml", "gexf", "json")
EDGE_KINDS = ("wikilink", "cocitation", "tag", "similarity")


def export_graph(graph: IdeaGraph, clusters: Sequence[Cluster], fmt: str) -> bytes:
    """The idea graph as GraphML, GEXF (Gephi) or node-link JSON, with clusters as node attributes."""
    membership = {node: cluster for cluster in clusters for node in (*cluster.notes, *cluster.ghosts)}
    flat = nx.Graph()
    for node, kind in graph.graph.nodes(data="kind"):
        cluster = membership.get(node)
        label = graph.notes[node].title if node in graph.notes else graph.ghosts[node]
        flat.add_node(
            node,
            kind=kind,
            label=label,
            cluster=cluster.id if cluster else "",
            cluster_name=cluster.name if cluster else "",
        )
    for a, b, data in graph.graph.edges(data=True):
        flat.add_edge(
            a, b, weight=data["weight"], **{kind: data["kinds"].get(kind, 0.0) for kind in EDGE_KINDS}
        )
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(flat)).encode("utf-8") + b"\n"
    if fmt == "gexf":
        return "\n".join(nx.generate_gexf(flat)).encode("utf-8") + b"\n"
    document = nx.node_link_data(flat, edges="edges")
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
