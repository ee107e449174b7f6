"""The dataclasses the idea engine passes on: lexicon, graph, clusters, scores and outputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from tlvault.model import Note, Skipped

if TYPE_CHECKING:  # only for annotations: the parse workers import this module, not NumPy
    import numpy as np

EXPORT_FORMATS = ("graphml", "gexf", "json")  # what `tlvault export` writes the idea graph as


@dataclass(frozen=True)
class Lexicon:
    """What the words of the notes say: each note's keywords and its most similar notes."""

    language: str  # "fr" or "en": the vault's main language
    keywords: Mapping[str, tuple[tuple[str, float], ...]]  # note rel -> (word as written, weight)
    neighbours: Mapping[str, tuple[tuple[str, float], ...]]  # note rel -> (other rel, cosine)


@dataclass(frozen=True, slots=True)
class Mention:
    """A journal paragraph that names an idea: when, where, and the sentence itself."""

    journal: str  # the journal note's rel
    day: date
    text: str


@dataclass(frozen=True)
class EdgeArrays:
    """Every neighbour entry of a graph (each edge seen from both ends) as arrays, in the order of
    the graph's nodes and of each node's neighbours: what Louvain and the scores walk, without a
    Python loop over ~180k dict entries each time."""

    nodes: tuple[str, ...]  # the graph's nodes, in its order
    starts: np.ndarray  # node i's entries are starts[i]:starts[i + 1]
    others: np.ndarray  # the position in `nodes` of each entry's neighbour
    weights: np.ndarray  # each entry's total weight (float64)
    cocited: tuple[tuple[str, str], ...]  # the node pairs (a < b) whose edge has evidence, sorted


@dataclass(frozen=True)
class IdeaGraph:
    """Notes and ghost ideas joined by weighted, explained edges; journals are evidence only.

    `graph` is an undirected networkx graph. Node keys are note rels and `ghost:<name>` for
    link targets that do not exist; each edge has a total `weight` and `kinds`, a mapping of
    edge kind (wikilink, cocitation, tag, similarity) to its share of the weight, and
    `evidence`, the journal sentences that co-cite its ends.
    """

    graph: Any  # networkx.Graph; only graph, cluster and score touch it
    notes: Mapping[str, Note]  # the notes that can belong to a cluster, by rel
    ghosts: Mapping[str, str]  # ghost node -> the target as first written
    journal: tuple[Note, ...]  # journal and daily notes, by rel
    mentions: Mapping[str, tuple[Mention, ...]]  # node -> the journal paragraphs naming it
    linked: frozenset[tuple[str, str]]  # node pairs joined by a written link, each pair sorted
    name_counts: Mapping[str, int]  # lower-cased note name -> notes with that name (journals included)
    adjacency: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # node -> neighbour -> edge data
    # Patches a watcher made to `graph` with changes (the same graph object at the same revision has
    # the same nodes and edges); 0 for a graph built afresh.
    revision: int = 0
    arrays: EdgeArrays | None = None  # `graph`'s entries as arrays (see `tlvault.graph.edge_arrays`)


@dataclass(frozen=True)
class Cluster:
    """A group of notes (and ghost ideas) about one idea, with an identity that survives rebuilds."""

    id: str
    name: str
    notes: tuple[str, ...]  # member note rels, sorted
    ghosts: tuple[str, ...]  # member ghost nodes, sorted
    hub: str | None  # the member note most linked within the cluster
    keywords: tuple[str, ...]  # its most distinctive words, as written


SIGNALS = ("mass", "cohesion", "distillation", "momentum", "persistence", "hub", "bridges", "validation")


@dataclass(frozen=True)
class MissingLink:
    """Two notes of a cluster the journal cites together, with no written link between them."""

    source: str
    target: str
    evidence: str  # the journal paragraph that co-cites them


@dataclass(frozen=True)
class ClusterBridge:
    """Another cluster this one touches, and the member notes that touch it."""

    cluster: str  # the other cluster's id
    weight: float
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ScoredCluster:
    """A cluster with its ripeness, the reasons for it and what to do next."""

    cluster: Cluster
    signals: Mapping[str, float]  # each of SIGNALS, in [0, 1]
    ripeness: int  # 0–100
    band: str  # seed | cultivate | ripe | harvest
    stage: str  # harvest | cultivate | create | publish | productise
    format: str  # post | newsletter | lead_magnet | product
    strongest: tuple[str, str]  # the two signals that contribute most
    weakest: str  # the signal to work on
    why: str  # a sentence built from `strongest`
    next_action: str  # a sentence built from `weakest`
    last_activity: date | None
    core: tuple[str, ...] = ()  # the most connected members, hub first
    activity: tuple[tuple[str, date | None], ...] = ()  # every member and its last activity, newest first
    missing_links: tuple[MissingLink, ...] = ()
    bridges: tuple[ClusterBridge, ...] = ()  # heaviest first
    timeline: tuple[Mention, ...] = ()  # journal paragraphs naming the cluster, newest first
    links: tuple[tuple[str, str], ...] = ()  # member pairs joined by a written link, sorted


@dataclass(frozen=True)
class GhostIdea:
    """A link target that does not exist yet, and who keeps naming it."""

    node: str
    label: str  # the target as first written
    notes: tuple[str, ...]  # member notes that link to it
    journal_days: tuple[date, ...]  # distinct journal days that name it
    cluster: str | None  # the id of the cluster it belongs to


@dataclass(frozen=True)
class Suggestion:
    """A link worth writing, and why."""

    target: str  # note rel
    reason: str
    evidence: str | None  # the journal sentence that co-cites both, if any


@dataclass(frozen=True)
class Orphan:
    """A note with no written link in or out, and the links that would connect it."""

    note: str
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class Gap:
    """Two large clusters that barely touch, as a question, with the notes between them."""

    clusters: tuple[str, str]  # cluster ids
    question: str
    bridges: tuple[str, ...]  # note rels linked to both


@dataclass(frozen=True)
class Insights:
    """Everything the scoring stage found, ready to render."""

    language: str
    today: date
    clusters: tuple[ScoredCluster, ...]  # ripest first
    ghosts: tuple[GhostIdea, ...]  # most named first
    orphans: tuple[Orphan, ...]
    gaps: tuple[Gap, ...]
    ghost_labels: Mapping[str, str]  # ghost node -> the target as first written


@dataclass(frozen=True)
class OutputNote:
    """A file tlvault generates: its path inside the output folder and its full text."""

    rel: str  # relative to the output folder
    text: str
    marker: str  # text that proves an existing file at `rel` is tlvault's to overwrite
    kind: str = "markdown"  # markdown | canvas | state


@dataclass(frozen=True)
class WriteResult:
    """What writing the outputs did."""

    written: tuple[str, ...] = ()  # output-folder-relative paths
    unchanged: tuple[str, ...] = ()
    refused: tuple[Skipped, ...] = ()  # files tlvault may not overwrite, and why
    failed: tuple[Skipped, ...] = ()  # files that could not be written (disk full…), and why
    backups: tuple[Skipped, ...] = ()  # files edited inside tlvault's regions: (file, where the copy is)
    removed: tuple[str, ...] = ()  # generated files no longer needed, deleted (vault-relative)
    kept: tuple[str, ...] = ()  # no longer needed, kept because the user wrote in them (vault-relative)
    held: tuple[str, ...] = ()  # left alone on request: another program keeps rewriting them


@dataclass(frozen=True)
class UnresolvedLink:
    """A link target that resolves to no file, and the notes that write it."""

    target: str
    notes: tuple[str, ...]
