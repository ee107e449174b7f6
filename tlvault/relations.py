"""Ghost ideas, orphans with link suggestions and structural gaps: the rest of the score stage.

Only measures that scale are used: degrees, edge sums and Adamic–Adar on two-hop candidates;
never exact betweenness (309 s on a 10k-note graph).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, combinations

import numpy as np

from tlvault.arrays import rows_of
from tlvault.graph import edge_arrays
from tlvault.i18n import text, text_count
from tlvault.results import (
    Cluster,
    ClusterBridge,
    EdgeArrays,
    Gap,
    GhostIdea,
    IdeaGraph,
    Mention,
    MissingLink,
    Orphan,
    Suggestion,
)

MAX_LISTED = 50  # ghosts and orphans listed, most telling first
SUGGESTIONS = 3
GAP_RATIO = 0.2  # fewer than 0.2 edge weight per note of the smaller cluster: a gap
GAPS = 3


def rank_ghosts(graph: IdeaGraph, membership: Mapping[str, str]) -> tuple[GhostIdea, ...]:
    """Ghost ideas named by the most notes and journal days (missing attachments are not nodes)."""
    ghosts = []
    for node, label in graph.ghosts.items():
        notes = tuple(
            sorted(
                other
                for other, data in graph.adjacency[node].items()
                if other in graph.notes and "wikilink" in data["kinds"]
            )
        )
        days = tuple(sorted({mention.day for mention in graph.mentions.get(node, ())}))
        if notes or days:
            ghosts.append(GhostIdea(node, label, notes, days, membership.get(node)))
    ghosts.sort(key=lambda g: (-(len(g.notes) + len(g.journal_days)), -len(g.journal_days), g.label.lower()))
    return tuple(ghosts[:MAX_LISTED])


def find_orphans(graph: IdeaGraph, language: str) -> tuple[Orphan, ...]:
    """Notes with no written link in or out, most recently active first, with links to write."""
    written = set(chain.from_iterable(graph.linked))  # the ends of every wikilink edge
    orphans = [rel for rel in graph.notes if rel not in written]
    orphans.sort(key=lambda rel: (_recency(graph, rel), rel))
    return tuple(Orphan(rel, _suggest(graph, rel, language)) for rel in orphans[:MAX_LISTED])


def _recency(graph: IdeaGraph, rel: str) -> int:
    """Most recent day first; notes of the same day by path (a fresh clone gives every file the
    same day, in no meaningful order)."""
    moment = graph.notes[rel].last_activity
    return -moment.date().toordinal() if moment else 0


def _suggest(graph: IdeaGraph, rel: str, language: str) -> tuple[Suggestion, ...]:
    """Co-cited notes first (with the journal sentence), then the best Adamic–Adar candidates."""
    suggestions: list[Suggestion] = []
    for other, data in sorted(graph.adjacency[rel].items()):
        if other in graph.notes and "cocitation" in data["kinds"] and not _linked(graph, rel, other):
            evidence = data["evidence"][0] if data["evidence"] else None
            suggestions.append(Suggestion(other, text(language, "suggest.cocitation"), evidence))
    seen = {rel, *(s.target for s in suggestions)}
    candidates = sorted(
        {
            far
            for near in graph.adjacency[rel]
            for far in graph.adjacency[near]
            if far in graph.notes and far not in seen and not _linked(graph, rel, far)
        }
    )
    scored = sorted(
        ((_adamic_adar(graph, rel, far), far) for far in candidates), key=lambda item: (-item[0], item[1])
    )
    for _, far in scored[: max(0, SUGGESTIONS - len(suggestions))]:
        shared = len(set(graph.adjacency[rel]) & set(graph.adjacency[far]))
        reason = text_count(language, "suggest.neighbours", shared, shared=shared)
        suggestions.append(Suggestion(far, reason, None))
    return tuple(suggestions[:SUGGESTIONS])


def _adamic_adar(graph: IdeaGraph, a: str, b: str) -> float:
    """networkx's Adamic–Adar index, summed exactly (`fsum`): its sum follows a set's order, which
    changes from run to run, so two candidates with the same neighbours could swap places."""
    common = graph.adjacency[a].keys() & graph.adjacency[b].keys() - {a, b}
    return math.fsum(1 / math.log(graph.graph.degree(node)) for node in common)


def _linked(graph: IdeaGraph, a: str, b: str) -> bool:
    return ((a, b) if a < b else (b, a)) in graph.linked


def find_gaps(
    graph: IdeaGraph,
    clusters: Sequence[Cluster],
    reach: Mapping[str, Mapping[str, float]],
    language: str,
    min_size: int,
) -> tuple[Gap, ...]:
    """Pairs of large clusters joined by little edge weight, phrased as a question, with their bridges.

    `reach` gives, for each node, the weight of its edges into each cluster (by id).
    """
    large = [c for c in clusters if len(c.notes) >= 2 * min_size][:8]
    ids = {cluster.id for cluster in large}
    touching = {  # notes with edges into two large clusters or more: the only possible bridges
        node: weights
        for node, weights in reach.items()
        if len(weights) >= 2  # most nodes reach one cluster only: no need to look further
        and node in graph.notes
        and sum(1 for cid, w in weights.items() if cid in ids and w > 0) >= 2
    }
    # Each large cluster's edge weights into the others, in member order: one walk over its
    # members, not one per pair. `sum` adds them as it added them with a 0.0 for each member
    # without edges there (adding 0.0 changes neither a sum nor, from Python 3.12, its compensation).
    weights_into: dict[str, dict[str, list[float]]] = {}
    for cluster in large[:-1]:
        into: dict[str, list[float]] = defaultdict(list)
        for node in (*cluster.notes, *cluster.ghosts):
            for cid, weight in reach.get(node, {}).items():
                if cid in ids:
                    into[cid].append(weight)
        weights_into[cluster.id] = into
    gaps = []
    for first, second in combinations(large, 2):
        weight = sum(weights_into[first.id].get(second.id, ()))
        ratio = weight / min(len(first.notes), len(second.notes))
        bridges = _bridges(touching, first.id, second.id)
        if ratio < GAP_RATIO and bridges:
            score = (len(first.notes) + len(second.notes)) * (1 - ratio / GAP_RATIO)
            question = text(language, "gap.question", first=first.name, second=second.name)
            gaps.append((-score, first.id, second.id, Gap((first.id, second.id), question, bridges)))
    return tuple(gap for *_, gap in sorted(gaps)[:GAPS])


def _bridges(touching: Mapping[str, Mapping[str, float]], first: str, second: str) -> tuple[str, ...]:
    """Notes with edges into both clusters, the most evenly connected first."""
    found = []
    for node, weights in touching.items():
        if weights.get(first, 0) > 0 and weights.get(second, 0) > 0:
            found.append((-min(weights[first], weights[second]), node))
    return tuple(node for _, node in sorted(found)[:3])


# -- what a cluster note shows ------------------------------------------------------------

CORE_NOTES = 6
TIMELINE = 12
MISSING_LINKS = 5


def core_notes(cluster: Cluster, inside: Mapping[str, float]) -> tuple[str, ...]:
    """The hub, then the members with the most weight inside the cluster."""
    ranked = heapq.nsmallest(  # sorted(…)[:CORE_NOTES], without sorting every member
        CORE_NOTES, ((rel != cluster.hub, -inside.get(rel, 0.0), rel) for rel in cluster.notes)
    )
    return tuple(rel for *_, rel in ranked)


@dataclass(frozen=True)
class EdgeWalk:
    """What one walk over every edge of the graph finds (`walk_edges`)."""

    reach: dict[str, dict[str, float]]  # node -> cluster id ("" for none) -> weight of its edges there
    written: dict[str, list[tuple[str, str]]]  # cluster id -> member pairs joined by a written link, unsorted
    cocited: dict[str, list[tuple[float, str, str, str]]]  # cluster id -> co-cited, unlinked members


def walk_edges(graph: IdeaGraph, membership: Mapping[str, str]) -> EdgeWalk:
    """Each node's edge weight into each cluster, and the pairs of member notes each cluster's
    notes link or the journal co-cites: one pass over the ~180k neighbour entries of a 10k-note
    vault (as arrays, `edge_arrays`) instead of one per measure and cluster.

    Weights are summed in the order of each node's neighbours (`np.bincount` adds in input
    order), so every float is the same on every run; each node's clusters come in the order its
    neighbours first reach them.
    """
    arrays = edge_arrays(graph)
    owner, notes = membership.get, graph.notes
    names = ["", *sorted(set(membership.values()))]  # code 0: in no cluster
    code = {name: index for index, name in enumerate(names)}
    node_codes = np.fromiter(
        (code[owner(node, "")] for node in arrays.nodes), dtype=np.int64, count=len(arrays.nodes)
    )
    groups = _reach_groups(arrays, node_codes, len(names))
    reaches = {
        node: dict(zip(map(names.__getitem__, groups[0][start:end]), groups[1][start:end], strict=True))
        for node, start, end in zip(arrays.nodes, groups[2], groups[2][1:], strict=False)
    }
    cocited: dict[str, list[tuple[float, str, str, str]]] = defaultdict(list)
    adjacency, linked = graph.graph.adj, graph.linked
    for a, b in arrays.cocited:  # sorted: as a walk over the sorted member notes meets them
        own = owner(a) if a in notes else None
        if own is not None and b in notes and owner(b) == own and (a, b) not in linked:
            data = adjacency[a][b]
            cocited[own].append((-data["kinds"]["cocitation"], a, b, data["evidence"][0]))
    written: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a, b in linked:  # in no fixed order: each cluster's list is sorted where it is used
        group = owner(a)
        if group is not None and owner(b) == group and a in notes and b in notes:
            written[group].append((a, b))
    return EdgeWalk(reaches, written, cocited)


def _reach_groups(
    arrays: EdgeArrays, node_codes: np.ndarray, codes: int
) -> tuple[list[int], list[float], list[int]]:
    """For each (node, cluster code) its summed entry weights, grouped by node in node order and,
    within a node, in the order its neighbours first reach the cluster: codes, sums, and each
    node's first group (plus the end)."""
    owners = rows_of(arrays.starts)
    keys = owners * codes + node_codes[arrays.others]
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=arrays.weights, minlength=len(unique))
    order = np.argsort(first, kind="stable")  # entries are by node: first seen, node by node
    group_owners, group_codes = np.divmod(unique[order], codes)
    bounds = np.searchsorted(group_owners, np.arange(len(arrays.nodes) + 1), "left")
    return group_codes.tolist(), sums[order].tolist(), bounds.tolist()


def missing_links(cocited: Iterable[tuple[float, str, str, str]]) -> tuple[MissingLink, ...]:
    """Member pairs the journal co-cites but no note links (from `walk_edges`), most co-cited first."""
    found = heapq.nsmallest(MISSING_LINKS, cocited)  # sorted(…)[:MISSING_LINKS]
    return tuple(MissingLink(a, b, evidence) for _, a, b, evidence in found)


def cluster_bridges(
    totals: Mapping[str, float], touching: Mapping[str, Sequence[str]]
) -> tuple[ClusterBridge, ...]:
    """The other clusters a cluster touches (edge weight ≥ 1), heaviest first, with the notes touching them.

    `totals` is the member notes' edge weight to each other cluster and `touching` the member
    notes with edges to it, in order (`score._reach_sums`).
    """
    ranked = sorted((-weight, owner) for owner, weight in totals.items() if weight >= 1.0)
    return tuple(
        ClusterBridge(owner, round(-weight, 3), tuple(touching[owner][:3])) for weight, owner in ranked
    )


def timeline(mentions: Iterable[Mention]) -> tuple[Mention, ...]:
    """The journal paragraphs that name a cluster's notes or ghosts, newest first, each once.

    `mentions` are those of each member in turn (notes, then ghosts), as `IdeaGraph.mentions` has them.
    """
    seen: set[tuple[str, str]] = set()
    unique = []
    for mention in mentions:
        if (mention.journal, mention.text) not in seen:
            seen.add((mention.journal, mention.text))
            unique.append(mention)
    # sorted(…, reverse=True)[:TIMELINE]; the keys differ, as (journal, text) do
    return tuple(heapq.nlargest(TIMELINE, unique, key=lambda m: (m.day, m.journal, m.text)))
