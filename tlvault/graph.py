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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import chain, combinations
from operator import itemgetter
from typing import Any

import networkx as nx
import numpy as np

from tlvault import memo
from tlvault.config import Config, JournalConfig
from tlvault.model import Note, Resolved
from tlvault.results import Cluster, EdgeArrays, IdeaGraph, Lexicon, Mention

WIKILINK = 1.0
COCITATION = 0.5
COCITATION_MAX = 1.5
TAG = 0.3
SIMILARITY = 0.3
TRIVIAL_TAG_FLOOR = 5  # in a small vault, a tag on up to 5 notes still says something
TAG_GROUP_MAX = 50  # a tag on more notes is a broad theme; its n² pairs would swamp the links
EVIDENCE_MAX = 3
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
    return journal_rule(journal)(note)


@lru_cache(maxsize=8)
def journal_rule(journal: JournalConfig) -> Callable[[Note], bool]:
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


class EdgeTable:
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
    updated where notes changed instead of being built again (`tlvault.graph_keep`); the result
    is the same.
    """
    if memo.remembering():
        from tlvault.graph_keep import KEPT  # imported here: it builds on this module

        return KEPT.build(notes, resolved, lexicon, config)
    rule = journal_rule(config.journal)
    journal = tuple(note for note in notes if rule(note))
    journal_rels = {note.rel for note in journal}
    members = {note.rel: note for note in notes if note.rel not in journal_rels}
    edges = EdgeTable()
    ghosts: dict[str, str] = {}
    linked = _add_links(edges, members, resolved, ghosts)
    mentions = _add_journal(edges, journal, members, resolved, ghosts)
    _add_tags(edges, members.values(), config.graph.trivial_tag_share)
    _add_similar(edges, members, lexicon)
    graph = nx.Graph()
    graph.add_nodes_from(sorted(members), kind="note")
    graph.add_nodes_from(sorted(ghosts), kind="ghost")
    fill(graph, edges)
    arrays = arrays_of(graph, edges)
    return idea_graph(graph, notes, members, ghosts, journal, mentions, linked, 0, arrays)


@memo.per_note
def _folded_name(note: Note) -> str:
    """The note's name, lower-cased: how `IdeaGraph.name_counts` counts it."""
    return note.name.lower()


def idea_graph(
    graph: nx.Graph,
    notes: Sequence[Note],
    members: dict[str, Note],
    ghosts: dict[str, str],
    journal: tuple[Note, ...],
    mentions: dict[str, tuple[Mention, ...]],
    linked: Iterable[tuple[str, str]],
    revision: int,
    arrays: EdgeArrays,
) -> IdeaGraph:
    """The IdeaGraph of a built networkx graph and what the build found on the way."""
    name_counts = Counter(map(_folded_name, notes))
    # The graph's own neighbour dicts, without networkx's views: the scores walk them a lot.
    adjacency = dict(graph.adjacency())
    return IdeaGraph(
        graph, members, ghosts, journal, mentions, frozenset(linked), name_counts, adjacency, revision, arrays
    )


def edge_arrays(graph: IdeaGraph) -> EdgeArrays:
    """The graph's neighbour entries as arrays: those `build_graph` made, or made now."""
    if graph.arrays is not None:
        return graph.arrays
    edges = EdgeTable()
    for a, b, evidence in graph.graph.edges(data="evidence"):
        if evidence:
            edges.evidence[min(a, b), max(a, b)] = list(evidence)
    return arrays_of(graph.graph, edges)


def arrays_of(graph: nx.Graph, edges: EdgeTable) -> EdgeArrays:
    """The edge arrays of a graph built (or patched) from `edges`."""
    adjacency = graph._adj
    position = {node: index for index, node in enumerate(adjacency)}
    rows = list(adjacency.values())
    starts = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, rows), dtype=np.int64, count=len(rows)), out=starts[1:])
    total = int(starts[-1])
    # map and chain iterate in C: several times faster than generator expressions over ~180k entries
    others = np.fromiter(map(position.__getitem__, chain.from_iterable(rows)), dtype=np.int64, count=total)
    data = chain.from_iterable(map(dict.values, rows))
    weights = np.fromiter(map(itemgetter("weight"), data), dtype=np.float64, count=total)
    return EdgeArrays(tuple(adjacency), starts, others, weights, tuple(sorted(edges.evidence)))


def fill(graph: nx.Graph, edges: EdgeTable) -> None:
    """Add the edges, by sorted node pair, each attribute dict shared by both ends.

    What `add_edges_from` does, without copying ~90k attribute dicts: that took a third of the
    graph stage on a 10k-note vault. Tested against `add_edges_from` (tests/unit/test_graph.py).
    Each node's neighbours thus come in sorted order (`tlvault.graph_keep` keeps that order).
    """
    adjacency = graph._adj  # networkx's own dict of neighbour dicts (its documented data structure)
    for a in sorted(edges.kinds):
        row, near = edges.kinds[a], adjacency[a]
        for b in sorted(row):
            near[b] = adjacency[b][a] = edge_data(edges, a, b, row[b])


def edge_data(edges: EdgeTable, a: str, b: str, kinds: dict[str, float]) -> dict[str, Any]:
    """The data of edge a–b (a < b): its total weight, its kinds and its evidence."""
    if len(kinds) == 1:  # most edges: the weight of their one kind, as `sum` would give it
        [weight] = kinds.values()
    else:
        weight = sum(kinds.values())
    evidence = tuple(edges.evidence[a, b]) if "cocitation" in kinds else ()
    return {"weight": weight, "kinds": kinds, "evidence": evidence}


def link_node(target: str, resolved: str | None, members: Mapping[str, Note]) -> str | None:
    """The node a link leads to: a member note, a ghost idea (when `resolved` is None), or None
    (a journal note, an attachment, an empty target…)."""
    if resolved is None:
        if not target.strip() or is_attachment(target):
            return None
        return ghost_key(target)
    return resolved if resolved in members else None


Spellings = tuple[tuple[str, str], ...]  # (ghost node, target as written), in the order of the links


def member_links(
    note: Note, resolution: tuple[str | None, ...], members: Mapping[str, Note]
) -> tuple[dict[str, None], Spellings]:
    """The nodes an idea note links to, in order of first link, and the ghosts it names."""
    targets: dict[str, None] = {}
    spellings: Spellings = ()  # most notes name no ghost
    rel = note.rel
    for link, target in zip(note.links, resolution, strict=True):
        if target is not None and target in members:  # most links: `link_node` is for the others
            if target != rel:
                targets[target] = None
            continue
        node = link_node(link.target, target, members)
        if node is not None and target is None:
            spellings += ((node, link.target.strip()),)
        if node is not None and node != rel:
            targets[node] = None
    return targets, spellings


@dataclass(frozen=True)
class JournalPart:
    """What one journal note adds to the graph: ghosts it names, mentions, co-cited pairs."""

    spellings: Spellings
    mentions: tuple[tuple[str, Mention], ...]  # (node, the paragraph naming it), in paragraph order
    cocited: tuple[tuple[str, str, str], ...]  # (a, b, paragraph text), a < b, in paragraph order


def journal_part(note: Note, resolution: tuple[str | None, ...], members: Mapping[str, Note]) -> JournalPart:
    """What a journal note adds: the nodes each prose paragraph links (its `Lien : [[…]]` header
    is not prose) are mentioned there and co-cited in pairs."""
    day = journal_day(note)
    by_paragraph: dict[int, list[str]] = defaultdict(list)
    header_lines = {field.line for field in note.inline_fields}
    spellings: list[tuple[str, str]] = []
    for link, target in zip(note.links, resolution, strict=True):
        if link.line in header_lines:
            continue
        node = target if target in members else link_node(link.target, target, members)
        if node is not None and target is None:
            spellings.append((node, link.target.strip()))
        if node is not None and link.paragraph is not None and node not in by_paragraph[link.paragraph]:
            by_paragraph[link.paragraph].append(node)
    mentions: list[tuple[str, Mention]] = []
    cocited: list[tuple[str, str, str]] = []
    for index, nodes in sorted(by_paragraph.items()):
        text = note.paragraphs[index].text
        if day is not None:
            mentions.extend((node, Mention(note.rel, day, text)) for node in nodes)
        cocited.extend((a, b, text) for a, b in combinations(sorted(nodes), 2))
    return JournalPart(tuple(spellings), tuple(mentions), tuple(cocited))


def cocitations(parts: Iterable[JournalPart]) -> dict[tuple[str, str], tuple[float, list[str]]]:
    """Each co-cited pair's weight (0.5 a paragraph, at most 1.5) and first sentences, over the
    journal notes' parts in the journal's order."""
    weights: dict[tuple[str, str], float] = {}
    evidence: dict[tuple[str, str], list[str]] = {}
    for part in parts:
        for a, b, text in part.cocited:
            weights[a, b] = min(weights.get((a, b), 0.0) + COCITATION, COCITATION_MAX)
            texts = evidence.setdefault((a, b), [])
            if len(texts) < EVIDENCE_MAX:
                texts.append(text)
    return {pair: (weight, evidence[pair]) for pair, weight in weights.items()}


def mentions_by_node(parts: Iterable[JournalPart]) -> dict[str, tuple[Mention, ...]]:
    """The journal paragraphs naming each node, by day then journal note."""
    found: dict[str, list[Mention]] = defaultdict(list)
    for part in parts:
        for node, mention in part.mentions:
            found[node].append(mention)
    return {
        node: tuple(sorted(mentions, key=lambda m: (m.day, m.journal)))
        for node, mentions in sorted(found.items())
    }


def _add_links(
    edges: EdgeTable, members: dict[str, Note], resolved: Resolved, ghosts: dict[str, str]
) -> set[tuple[str, str]]:
    linked = set()
    for rel in sorted(members):  # sorted: the first spelling of a ghost names it
        note = members[rel]
        targets, spellings = member_links(note, resolved.of(note), members)
        for node, spelling in spellings:
            ghosts.setdefault(node, spelling)
        for node in targets:  # each direction once; both make 2
            edges.add(rel, node, "wikilink", WIKILINK)
            linked.add((rel, node) if rel < node else (node, rel))
    return linked


def _add_journal(
    edges: EdgeTable,
    journal: Iterable[Note],
    members: dict[str, Note],
    resolved: Resolved,
    ghosts: dict[str, str],
) -> dict[str, tuple[Mention, ...]]:
    parts = [journal_part(note, resolved.of(note), members) for note in journal]
    for part in parts:
        for node, spelling in part.spellings:
            ghosts.setdefault(node, spelling)
    for (a, b), (weight, evidence) in cocitations(parts).items():
        edges.add(a, b, "cocitation", weight)
        edges.evidence[a, b] = evidence
    return mentions_by_node(parts)


def _add_tags(edges: EdgeTable, notes: Iterable[Note], trivial_share: float) -> None:
    for rels in tag_groups(notes, trivial_share):
        for a, b in combinations(rels, 2):
            edges.add(a, b, "tag", TAG)


def tag_groups(notes: Iterable[Note], trivial_share: float) -> Iterator[list[str]]:
    """The sorted notes of each tag that is neither trivial nor too broad, tag by tag in sorted order."""
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
            yield sorted(rels)


def _add_similar(edges: EdgeTable, members: Mapping[str, Note], lexicon: Lexicon) -> None:
    """Lexical neighbours: one weight per pair, however many times either lists the other
    (the pairs of `similar_pairs`, added as the lexicon lists them)."""
    for rel, neighbours in lexicon.neighbours.items():
        if rel in members:
            for other, _ in neighbours:
                if other in members:
                    # Set, not summed: a pair that both notes list counts once.
                    edges.add(rel, other, "similarity", 0.0)["similarity"] = SIMILARITY


def similar_pairs(members: Mapping[str, Note], lexicon: Lexicon) -> set[tuple[str, str]]:
    """The member pairs (lesser first) that the lexicon lists as neighbours, either way."""
    return {
        (rel, other) if rel <= other else (other, rel)
        for rel, neighbours in lexicon.neighbours.items()
        if rel in members
        for other, _ in neighbours
        if other in members
    }


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
