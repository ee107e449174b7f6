"""score_clusters(graph, clusters, config, today) -> Insights: ripeness, reasons, ghosts, orphans, gaps.

Every signal is in [0, 1]; README.md ("How ripeness is scored") gives each formula.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from tlvault.config import STAGES, Config, StagesConfig
from tlvault.i18n import capitalise, text, text_count
from tlvault.model import Note
from tlvault.relations import (
    cluster_bridges,
    core_notes,
    find_gaps,
    find_orphans,
    missing_links,
    rank_ghosts,
    timeline,
)
from tlvault.results import SIGNALS, Cluster, IdeaGraph, Insights, ScoredCluster

HALF_LIFE_DAYS = 14.0  # a touch or a journal mention counts half as much two weeks later
MOMENTUM_SCALE = 2.0  # activity equal to this gives momentum 0.5
PERSISTENCE_WEEKS = 8  # distinct active weeks (out of the last 26) for full persistence
MASS_NOTES = 12  # notes for full mass
DISTILLED_WORDS = 150
_SUMMARY = re.compile(
    r"r[ée]sum[ée]|summary|tl;?dr|en bref|synth[èe]se|key takeaways|\[!(summary|abstract|tldr)\]", re.I
)
_BANDS = ((80, "harvest"), (60, "ripe"), (35, "cultivate"), (0, "seed"))


@dataclass(frozen=True)
class _Facts:
    """What the sentences about a cluster cite."""

    notes: int
    distilled: int
    mentions: int
    weeks: int
    hub: str | None
    bridges: int
    published: int
    nearest: str | None  # name of the most connected other cluster
    least_linked: str
    least_distilled: str
    most_distilled: str


def score_clusters(
    graph: IdeaGraph, clusters: Sequence[Cluster], config: Config, *, today: date, language: str
) -> Insights:
    """Score every cluster (ripest first) and find ghost ideas, orphans and gaps."""
    scorer = _Scorer(graph, clusters, config, today, language)
    scored = sorted(
        (scorer.score(cluster) for cluster in clusters),
        key=lambda s: (-s.ripeness, s.cluster.name, s.cluster.id),
    )
    return Insights(
        language=language,
        today=today,
        clusters=tuple(scored),
        ghosts=rank_ghosts(graph, scorer.membership),
        orphans=find_orphans(graph, language),
        gaps=find_gaps(graph, clusters, scorer.reach, language, config.cluster.min_size),
        ghost_labels=graph.ghosts,
    )


class _Scorer:
    """Scores clusters of one graph; edge weights per node and cluster are summed once."""

    def __init__(
        self, graph: IdeaGraph, clusters: Sequence[Cluster], config: Config, today: date, language: str
    ) -> None:
        self.graph, self.config, self.today, self.language = graph, config, today, language
        self.membership = {node: c.id for c in clusters for node in (*c.notes, *c.ghosts)}
        self.names = {cluster.id: cluster.name for cluster in clusters}
        self.hub_tags = frozenset(tag.lower() for tag in config.cluster.hub_tags)
        # node -> cluster id ("" outside any cluster) -> weight of the node's edges into it
        self.reach: dict[str, Counter[str]] = defaultdict(Counter)
        owner = self.membership.get
        for node, neighbours in graph.adjacency.items():
            reach = self.reach[node]
            for other, data in neighbours.items():
                reach[owner(other, "")] += data["weight"]

    def score(self, cluster: Cluster) -> ScoredCluster:
        """Signals, ripeness, band, stage, format and the two sentences of one cluster."""
        notes = [self.graph.notes[rel] for rel in cluster.notes]
        stages = [note_stage(note, self.config) for note in notes]
        signals, facts = self._signals(cluster, notes, stages)
        weights = self.config.scoring.weights
        contributions = {name: getattr(weights, name) * signals[name] for name in SIGNALS}
        total_weight = sum(getattr(weights, name) for name in SIGNALS) or 1.0
        ripeness = math.floor(100 * sum(contributions.values()) / total_weight + 0.5)  # half up
        strongest = sorted(SIGNALS, key=lambda name: (-contributions[name], SIGNALS.index(name)))[:2]
        weakest = min(SIGNALS, key=lambda name: (signals[name], -getattr(weights, name), SIGNALS.index(name)))
        stage = STAGES[max(0, *stages)]  # a cluster of unstaged notes is being harvested
        fmt = _format(len(notes), stage, ripeness)
        return ScoredCluster(
            cluster=cluster,
            signals=signals,
            ripeness=ripeness,
            band=next(band for floor, band in _BANDS if ripeness >= floor),
            stage=stage,
            format=fmt,
            strongest=(strongest[0], strongest[1]),
            weakest=weakest,
            why=_why(self.language, strongest, facts, self.graph),
            next_action=_next_action(self.language, weakest, facts, cluster, fmt, self.graph),
            last_activity=max((day for note in notes if (day := _day(note)) is not None), default=None),
            core=core_notes(cluster, {rel: self.reach[rel][cluster.id] for rel in cluster.notes}),
            activity=_activity(notes),
            missing_links=missing_links(self.graph, cluster),
            bridges=cluster_bridges(cluster, self.reach),
            timeline=timeline(self.graph, cluster),
            links=_written_links(self.graph, cluster),
        )

    def _signals(
        self, cluster: Cluster, notes: Sequence[Note], stages: Sequence[int]
    ) -> tuple[dict[str, float], _Facts]:
        graph, today = self.graph, self.today
        distilled = {n.rel: _distilled(n, stage, self.config) for n, stage in zip(notes, stages, strict=True)}
        mentions = [m for node in (*cluster.notes, *cluster.ghosts) for m in graph.mentions.get(node, ())]
        touches = [day for note in notes if (day := _day(note)) is not None]
        activity = sum(_decay(today, day) for day in touches) + sum(_decay(today, m.day) for m in mentions)
        weeks = _active_weeks(today, [*touches, *(_created(n) for n in notes), *(m.day for m in mentions)])
        neighbours = self._neighbour_clusters(cluster)
        bridges = [cid for cid, weight in neighbours.items() if weight >= 1.0]
        published = sum(stage >= STAGES.index("publish") for stage in stages)
        hub, outline = _hub_and_outline(graph, cluster, self.hub_tags)
        signals = {
            "mass": min(1.0, math.log1p(len(notes)) / math.log1p(MASS_NOTES)),
            "cohesion": self._cohesion(cluster),
            "distillation": sum(distilled.values()) / len(notes),
            "momentum": activity / (activity + MOMENTUM_SCALE),
            "persistence": min(1.0, weeks / PERSISTENCE_WEEKS),
            "hub": ((hub is not None) + (outline is not None)) / 2,
            "bridges": min(1.0, len(bridges) / 3),
            "validation": min(1.0, published / 2),
        }
        by_distillation = sorted(cluster.notes, key=lambda rel: (distilled[rel], rel))
        facts = _Facts(
            notes=len(notes),
            distilled=sum(value >= 0.6 for value in distilled.values()),
            mentions=sum((today - m.day).days <= 30 for m in mentions),
            weeks=weeks,
            hub=hub,
            bridges=len(bridges),
            published=published,
            nearest=self.names[neighbours.most_common(1)[0][0]] if neighbours else None,
            least_linked=min(cluster.notes, key=lambda rel: (self.reach[rel][cluster.id], rel)),
            least_distilled=by_distillation[0],
            most_distilled=by_distillation[-1],
        )
        return {name: round(value, 3) for name, value in signals.items()}, facts

    def _cohesion(self, cluster: Cluster) -> float:
        """Share of the members' edge weight kept inside, times how dense the inside is."""
        inside = outside = 0.0
        for node in (*cluster.notes, *cluster.ghosts):
            for owner, weight in self.reach[node].items():
                if owner == cluster.id:
                    inside += weight / 2  # each inside edge is counted from both ends
                else:
                    outside += weight
        if inside == 0:
            return 0.0
        return inside / (inside + outside) * min(1.0, inside / len(cluster.notes))

    def _neighbour_clusters(self, cluster: Cluster) -> Counter[str]:
        """Edge weight from this cluster to each other cluster."""
        weights: Counter[str] = Counter()
        for node in (*cluster.notes, *cluster.ghosts):
            for owner, weight in self.reach[node].items():
                if owner not in ("", cluster.id):
                    weights[owner] += weight
        return weights


def note_stage(note: Note, config: Config) -> int:
    """The index in STAGES of the last stage whose folders, tags or statuses the note matches; -1 if none."""
    return _stage_rules(config.stages)(note)


def stage_matcher(config: Config) -> Callable[[Note], int]:
    """`note_stage` for many notes: the rules are looked up once."""
    return _stage_rules(config.stages)


@lru_cache(maxsize=8)
def _stage_rules(stages: StagesConfig) -> Callable[[Note], int]:
    """A matcher with the rules lower-cased once."""
    rules = [
        (
            tuple(f"/{folder.strip('/').lower()}/" for folder in rule.folders),
            frozenset(tag.lower() for tag in rule.tags),
            frozenset(status.lower() for status in rule.statuses),
        )
        for rule in (getattr(stages, name) for name in STAGES)
    ]

    @lru_cache(maxsize=4096)
    def by_folder(folder: str) -> frozenset[int]:
        path = "/" + folder.lower() + "/"
        return frozenset(
            index for index, (folders, _, _) in enumerate(rules) if any(f in path for f in folders)
        )

    def match(note: Note) -> int:
        in_folder = by_folder(note.rel.rsplit("/", 1)[0] if "/" in note.rel else "")
        status = note.prop("status")
        status_text = status.strip().lower() if isinstance(status, str) else None
        reached = -1
        for index, (_, tags, statuses) in enumerate(rules):
            if (
                index in in_folder
                or status_text in statuses
                or any(tag in tags or tag.split("/", 1)[0] in tags for tag in note.tags)
            ):
                reached = index
        return reached

    return match


def _distilled(note: Note, stage: int, config: Config) -> float:
    """0–1: a worked status or stage (0.4), a summary (0.2), a claim-like title (0.2), length (0.2)."""
    status = note.prop("status")
    worked = stage >= STAGES.index("create") or (
        isinstance(status, str)
        and status.strip().lower() in {s.lower() for s in config.scoring.distilled_statuses}
    )
    summary = any(_SUMMARY.search(h.text) for h in note.headings) or any(
        _SUMMARY.search(p.text[:40]) for p in note.paragraphs if p.text.startswith("[!")
    )
    claim = stage != STAGES.index("harvest") and len(note.name.split()) >= 4
    return 0.4 * worked + 0.2 * summary + 0.2 * claim + 0.2 * (note.word_count >= DISTILLED_WORDS)


def _hub_and_outline(
    graph: IdeaGraph, cluster: Cluster, hub_tags: frozenset[str]
) -> tuple[str | None, str | None]:
    """The hub (tagged moc, or linked with half the cluster) and the outline (headings and links)."""
    members = set(cluster.notes)
    hubs: list[tuple[bool, int, str]] = []
    outline = None
    for rel in cluster.notes:
        note = graph.notes[rel]
        linked = sum(
            1 for other in graph.adjacency[rel] if other in members and _pair(rel, other) in graph.linked
        )
        is_tagged = bool(hub_tags & set(note.tags))
        if is_tagged or linked >= max(3, (len(members) - 1) / 2):
            hubs.append((not is_tagged, -linked, rel))  # a note tagged moc first, then the most linked
        if outline is None and len(note.headings) >= 3 and linked >= 3:
            outline = rel
    return (min(hubs)[2] if hubs else None), outline


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _written_links(graph: IdeaGraph, cluster: Cluster) -> tuple[tuple[str, str], ...]:
    members = set(cluster.notes)
    return tuple(
        sorted(
            (rel, other)
            for rel in cluster.notes
            for other in graph.adjacency[rel]
            if rel < other and other in members and (rel, other) in graph.linked
        )
    )


def _activity(notes: Sequence[Note]) -> tuple[tuple[str, date | None], ...]:
    """Each member and its last activity, the most recent first (undated last)."""
    dated = [(note.rel, _day(note)) for note in notes]
    return tuple(
        sorted(dated, key=lambda item: (item[1] is None, -(item[1] or date.min).toordinal(), item[0]))
    )


def _day(note: Note) -> date | None:
    moment = note.last_activity
    return moment.date() if moment else None


def _created(note: Note) -> date | None:
    moment = note.created or note.mtime
    return moment.date() if moment else None


def _decay(today: date, day: date) -> float:
    """1 today, 0.5 after HALF_LIFE_DAYS, and so on; a future date counts as today."""
    age = max(0, (today - day).days)
    return float(0.5 ** (age / HALF_LIFE_DAYS))


def _active_weeks(today: date, days: Sequence[date | None]) -> int:
    """Distinct ISO weeks with some activity among the last 26 weeks."""
    start = today - timedelta(weeks=26)
    # A date after today (a file touched after `--now`) counts as today, as in momentum.
    return len({min(day, today).isocalendar()[:2] for day in days if day is not None and start < day})


def _format(notes: int, stage: str, ripeness: int) -> str:
    if stage == "productise" or (notes >= 16 and ripeness >= 60):
        return "product"
    if notes >= 10:
        return "lead_magnet"
    if notes >= 5:
        return "newsletter"
    return "post"


def note_link(graph: IdeaGraph, rel: str) -> str:
    """`[[Name]]`, or `[[folder/Name]]` when another note has the same name."""
    note_id = rel.removesuffix(".md")
    name = note_id.rsplit("/", 1)[-1]
    return f"[[{note_id}]]" if graph.name_counts.get(name.lower(), 0) > 1 else f"[[{name}]]"


def _why(language: str, strongest: Sequence[str], facts: _Facts, graph: IdeaGraph) -> str:
    values = _sentence_values(facts, graph)
    first, second = (_reason(language, name, facts, values) for name in strongest)
    return capitalise(text(language, "why.join", first=first, second=second))


def _reason(language: str, signal: str, facts: _Facts, values: dict[str, object]) -> str:
    """The clause saying why one signal is strong, in the right variant and number."""
    key = f"why.{signal}"
    if signal == "momentum" and not facts.mentions:
        key = "why.momentum_edits"  # recent edits, no journal mention
    elif signal == "hub" and facts.hub is None:
        key = "why.outline"
    count = {
        "mass": facts.notes,
        "distillation": facts.distilled,
        "momentum": facts.mentions,
        "persistence": facts.weeks,
        "bridges": facts.bridges,
        "validation": facts.published,
    }.get(signal)
    return text_count(language, key, count, **values)


def _next_action(
    language: str, weakest: str, facts: _Facts, cluster: Cluster, fmt: str, graph: IdeaGraph
) -> str:
    values = {
        **_sentence_values(facts, graph),
        "name": cluster.name,
        "a_format": text(language, f"a_format.{fmt}"),
    }
    if weakest == "bridges" and facts.nearest is None:
        return text(language, "next.bridges_alone", **values)
    return text(language, f"next.{weakest}", **values)


def _sentence_values(facts: _Facts, graph: IdeaGraph) -> dict[str, object]:
    return {
        "notes": facts.notes,
        "distilled": facts.distilled,
        "mentions": facts.mentions,
        "weeks": facts.weeks,
        "hub": note_link(graph, facts.hub) if facts.hub else "",
        "bridges": facts.bridges,
        "published": facts.published,
        "other": facts.nearest or "",
        "least_linked": note_link(graph, facts.least_linked),
        "least_distilled": note_link(graph, facts.least_distilled),
        "most_distilled": note_link(graph, facts.most_distilled),
    }
