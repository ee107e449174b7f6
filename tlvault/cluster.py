"""find_clusters(graph, lexicon, previous, config) -> list[Cluster]: Louvain, stable ids, names.

Louvain finds the communities: igraph's C implementation (`community_multilevel`), seeded, on
the networkx graph's nodes in sorted order; it is ~15× faster than networkx's pure-Python one
on a 13k-note vault and finds a better modularity. Label propagation is never used: it merges
sparse vaults into one blob. Each community is matched to the previous run's clusters by
member overlap (Jaccard ≥ 0.5), so a cluster keeps its id and its name while it evolves.
"""

from __future__ import annotations

import hashlib
import heapq
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import chain

import igraph
import numpy as np

from tlvault import memo
from tlvault.arrays import rows_of
from tlvault.config import Config
from tlvault.graph import edge_arrays
from tlvault.model import Note, PreviousCluster
from tlvault.results import Cluster, IdeaGraph, Lexicon

SAME_CLUSTER = 0.5  # minimum Jaccard overlap with a previous cluster to keep its identity
_NAME_WORDS = 3
_KEYWORDS = 6
_DISTINCT_TAG = 0.3  # a tag names a cluster when its share there beats its share in the vault by this
_CONNECTORS = {"fr": "et", "en": "and"}
# Words too general to name an idea, though no stop-word list removes them.
_GENERIC = frozenset(
    {
        *("voir", "note", "notes", "faire", "fait", "chose", "choses", "jour", "jours", "fois", "premier"),
        *("première", "peu", "lien", "liens", "idée", "idées", "exemple", "dix", "deux", "trois", "quatre"),
        *("see", "make", "made", "thing", "things", "day", "days", "time", "times", "first", "link", "links"),
        *("idea", "ideas", "example", "ten", "two", "three", "four"),
    }
)


def find_clusters(
    graph: IdeaGraph, lexicon: Lexicon, previous: Sequence[PreviousCluster], config: Config
) -> list[Cluster]:
    """The clusters of the idea graph, largest first, with the ids and names they had before."""
    groups = []
    for community in _louvain(graph, config.cluster.resolution, config.cluster.seed):
        notes = tuple(sorted(node for node in community if node in graph.notes))
        if len(notes) >= config.cluster.min_size:
            ghosts = tuple(sorted(node for node in community if node in graph.ghosts))
            groups.append((notes, ghosts))
    groups.sort(key=lambda group: (-len(group[0]), group[0]))
    matches = _match([frozenset(notes) for notes, _ in groups], previous)
    hub_tags = frozenset(tag.lower() for tag in config.cluster.hub_tags)
    taken = {cluster.id for cluster in previous}
    names_taken = {cluster.name for cluster in previous}
    inside = _inside_weights(graph, [notes for notes, _ in groups])
    clusters = []
    tag_counts: Counter[str] | None = None
    for index, (notes, ghosts) in enumerate(groups):
        hub = _hub(graph, notes, hub_tags, inside)
        keywords = _keywords(lexicon, notes)
        old = matches.get(index)
        if old is not None:
            cluster_id, name = old.id, old.name
        else:
            cluster_id = _new_id(notes, taken)
            if tag_counts is None:  # only new clusters need it: often none in a watcher
                tag_counts = Counter(chain.from_iterable(note.tags for note in graph.notes.values()))
            name = _name(graph, notes, keywords, lexicon.language, tag_counts) or _title(graph, hub)
            name = _unique(name, names_taken)
        taken.add(cluster_id)
        names_taken.add(name)
        clusters.append(Cluster(cluster_id, name, notes, ghosts, hub, keywords))
    return clusters


def _louvain(graph: IdeaGraph, resolution: float, seed: int) -> list[list[str]]:
    """Louvain communities of the graph's nodes; the same graph and seed give the same answer.

    While a watcher remembers results (`memo.remember`), a graph its last patch left unchanged
    gets the last answer back.
    """
    if not memo.remembering():
        return _communities(graph, resolution, seed)
    key = (graph.revision, resolution, seed)
    if _LAST_LOUVAIN and _LAST_LOUVAIN[0][0] is graph.graph and _LAST_LOUVAIN[0][1] == key:
        return _LAST_LOUVAIN[0][2]
    _LAST_LOUVAIN.clear()
    communities = _communities(graph, resolution, seed)
    _LAST_LOUVAIN.append((graph.graph, key, communities))
    return communities


# The watcher's last Louvain answer, with the graph object (kept alive: its id stays its own) and key.
_LAST_LOUVAIN: list[tuple[object, tuple[int, float, int], list[list[str]]]] = []
memo.on_forget(_LAST_LOUVAIN.clear)


def _communities(graph: IdeaGraph, resolution: float, seed: int) -> list[list[str]]:
    arrays = edge_arrays(graph)
    nodes = sorted(arrays.nodes)
    sorted_position = {node: position for position, node in enumerate(nodes)}
    rank = np.fromiter(map(sorted_position.__getitem__, arrays.nodes), dtype=np.int64, count=len(nodes))
    owners = rows_of(arrays.starts)
    # networkx's edge order: each edge from whichever end comes first in the graph.
    first = arrays.others >= owners
    if not first.any():
        return [[node] for node in nodes]
    edges = np.column_stack((rank[owners[first]], rank[arrays.others[first]]))
    network = igraph.Graph(n=len(nodes), edges=edges.tolist())
    igraph.set_random_number_generator(random.Random(seed))
    try:
        communities = network.community_multilevel(
            weights=arrays.weights[first].tolist(), resolution=resolution
        )
    finally:
        igraph.set_random_number_generator(random)
    return [[nodes[position] for position in community] for community in communities]


def _match(
    groups: Sequence[frozenset[str]], previous: Sequence[PreviousCluster]
) -> dict[int, PreviousCluster]:
    """Pair each new group with the previous cluster it overlaps most (one-to-one, Jaccard ≥ 0.5)."""
    holders: dict[str, list[int]] = defaultdict(list)
    for position, cluster in enumerate(previous):
        for member in cluster.members:
            holders[member].append(position)
    candidates = []
    for index, members in enumerate(groups):
        overlaps = Counter(position for member in members for position in holders.get(member, ()))
        for position, shared in overlaps.items():
            old = previous[position]
            jaccard = shared / (len(members) + len(set(old.members)) - shared)
            if jaccard >= SAME_CLUSTER:
                candidates.append((-jaccard, index, old.id, position))
    matches: dict[int, PreviousCluster] = {}
    used: set[int] = set()
    for _, index, _, position in sorted(candidates):
        if index not in matches and position not in used:
            matches[index] = previous[position]
            used.add(position)
    return matches


def _new_id(notes: Sequence[str], taken: set[str]) -> str:
    """An id derived from the first members, so that it is the same on every machine."""
    digest = hashlib.sha1("\n".join(notes).encode("utf-8")).hexdigest()
    length = 6
    while f"c-{digest[:length]}" in taken:
        length += 1
    return f"c-{digest[:length]}"


def _inside_weights(graph: IdeaGraph, groups: Sequence[Sequence[str]]) -> dict[str, float]:
    """Each note of a group: the weight of its edges to the notes of its group (ghosts aside).

    The weights are picked from the edge arrays for all groups at once, but each note's are summed
    with `sum` in the order of its neighbours, as a sum over its neighbour dict would (`sum` adds
    floats with compensation from Python 3.12 on: `np.bincount` would differ there).
    """
    arrays = edge_arrays(graph)
    group_of = {rel: index for index, notes in enumerate(groups) for rel in notes}
    codes = np.fromiter(
        (group_of.get(node, -1) for node in arrays.nodes), dtype=np.int64, count=len(arrays.nodes)
    )
    owners = rows_of(arrays.starts)
    own = codes[owners]
    kept = (own >= 0) & (own == codes[arrays.others])  # entries by node, in neighbour order
    weights = arrays.weights[kept].tolist()
    bounds = np.zeros(len(arrays.nodes) + 1, dtype=np.int64)
    np.cumsum(np.bincount(owners[kept], minlength=len(arrays.nodes)), out=bounds[1:])
    ends = bounds.tolist()
    return {
        node: float(sum(weights[start:end]))
        for node, start, end, code in zip(arrays.nodes, ends, ends[1:], codes.tolist(), strict=False)
        if code >= 0
    }


def _hub(
    graph: IdeaGraph, notes: Sequence[str], hub_tags: frozenset[str], inside: Mapping[str, float]
) -> str | None:
    """A member tagged as a hub (`#moc`…), else the one with the most weight inside the cluster.

    `inside` is each member's weight inside (`_inside_weights`); the first member wins a tie.
    """
    tagged = [rel for rel in notes if not hub_tags.isdisjoint(graph.notes[rel].tags)]
    return max(tagged or notes, key=inside.__getitem__, default=None)  # `max` keeps the first


def _keywords(lexicon: Lexicon, notes: Sequence[str]) -> tuple[str, ...]:
    """The cluster's words: those in the most member titles first, then by summed TF-IDF weight."""
    # one Counter over all the titles: `Counter.update` per note is slow
    in_titles = Counter([word for rel in notes for word in _title_words(rel)])
    # Generic words are summed too and left out when ranking: each distinct word is case-folded
    # once, not once per note (a word's sum does not depend on the other words).
    totals: dict[str, float] = defaultdict(float)
    keywords = lexicon.keywords.get
    for rel in notes:
        for word, weight in keywords(rel, ()):
            totals[word] += weight
    ranked = heapq.nsmallest(  # sorted(…)[:_KEYWORDS], without sorting thousands of words
        _KEYWORDS,
        (item for item in totals.items() if item[0].casefold() not in _GENERIC),
        key=lambda item: (-min(in_titles.get(item[0].casefold(), 0), 3), -item[1], item[0]),
    )
    return tuple(word for word, _ in ranked)


# By path, which gives the name: looked up without the note, and with less overhead than `memo`
# (a few µs a note, ~10k notes a rebuild); bounded, as renamed notes leave stale entries behind.
@lru_cache(maxsize=1 << 16)
def _title_words(rel: str) -> frozenset[str]:
    """The distinct words of the name of the note at `rel`, case-folded."""
    note_id = rel[:-3] if rel.lower().endswith(".md") else rel  # as `Note.name` has it
    return frozenset(word.casefold() for word in _words(note_id.rsplit("/", 1)[-1]))


def _words(title: str) -> list[str]:
    return [word for word in title.replace("’", " ").replace("'", " ").split() if len(word) >= 3]


def _name(
    graph: IdeaGraph, notes: Sequence[str], keywords: Iterable[str], language: str, tags: Counter[str]
) -> str:
    """`Leadership, vision et sens`: a distinctive tag, then the top keywords."""
    words: list[str] = []
    for word in (*_distinct_tags(graph, notes, tags), *keywords):
        if not any(_same_word(word, kept) for kept in words):
            words.append(word)
        if len(words) == _NAME_WORDS:
            break
    if not words:
        return ""
    head = words[0][:1].upper() + words[0][1:]
    if len(words) == 1:
        return head
    return f"{', '.join([head, *words[1:-1]])} {_CONNECTORS.get(language, 'and')} {words[-1]}"


def _distinct_tags(graph: IdeaGraph, notes: Sequence[str], everywhere: Counter[str]) -> list[str]:
    """Tags much more common in the cluster than in the vault, most distinctive first."""
    inside = Counter([tag for rel in notes for tag in graph.notes[rel].tags])
    scored = []
    for tag, count in inside.items():
        lift = count / len(notes) - everywhere[tag] / len(graph.notes)
        if lift >= _DISTINCT_TAG:
            scored.append((-lift, tag))
    return [tag.rsplit("/", 1)[-1] for _, tag in sorted(scored)]


def _same_word(a: str, b: str) -> bool:
    a, b = a.casefold(), b.casefold()
    return a.startswith(b[:5]) or b.startswith(a[:5])


def _title(graph: IdeaGraph, hub: str | None) -> str:
    note: Note | None = graph.notes.get(hub) if hub else None
    return note.title if note else "Cluster"


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name} ({number})", number + 1
    return candidate
