"""score_clusters(graph, clusters, config, today) -> Insights: ripeness, reasons, ghosts, orphans, gaps.

Every signal is in [0, 1]; README.md ("How ripeness is scored") gives each formula.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache, partial
from itertools import chain

from tlvault.config import STAGES, Config, StagesConfig
from tlvault.i18n import capitalise, text, text_count
from tlvault.memo import per_note
from tlvault.model import Note
from tlvault.relations import (
    cluster_bridges,
    core_notes,
    find_gaps,
    find_orphans,
    missing_links,
    rank_ghosts,
    timeline,
    walk_edges,
)
from tlvault.results import SIGNALS, Cluster, IdeaGraph, Insights, Mention, ScoredCluster

HALF_LIFE_DAYS = 14.0  # a touch or a journal mention counts half as much two weeks later
MOMENTUM_SCALE = 2.0  # activity equal to this gives momentum 0.5
PERSISTENCE_WEEKS = 8  # distinct active weeks (out of the last 26) for full persistence
MASS_NOTES = 12  # notes for full mass
DISTILLED_WORDS = 150
_SUMMARY = re.compile(
    r"r[ée]sum[ée]|summary|tl;?dr|en bref|synth[èe]se|key takeaways|\[!(summary|abstract|tldr)\]", re.I
)
_BANDS = ((80, "harvest"), (60, "ripe"), (35, "cultivate"), (0, "seed"))
_HARVEST, _CREATE, _PUBLISH = (STAGES.index(name) for name in ("harvest", "create", "publish"))


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
        hub_tags = frozenset(tag.lower() for tag in config.cluster.hub_tags)
        # The members tagged as hubs, by cluster: `_hub_and_outline` then reads only these and the
        # members with written links, not every member's note.
        self.tagged: dict[str, list[str]] = defaultdict(list)
        for c in clusters:
            for rel in c.notes:
                if not hub_tags.isdisjoint(graph.notes[rel].tags):
                    self.tagged[c.id].append(rel)
        statuses = frozenset(s.lower() for s in config.scoring.distilled_statuses)
        self.facts = _note_facts(config.stages, statuses)
        self.walk = walk_edges(graph, self.membership)
        self.reach = self.walk.reach
        # Many notes share a day: each day's decay is computed once per run.
        self.decay: Callable[[date], float] = lru_cache(maxsize=None)(partial(_decay, today))

    def score(self, cluster: Cluster) -> ScoredCluster:
        """Signals, ripeness, band, stage, format and the two sentences of one cluster."""
        notes = list(map(self.graph.notes.__getitem__, cluster.notes))
        # per member (a cluster has one at least): stage, distillation, last activity and creation
        # day; zip turns the rows into columns
        stages, distillation, days, created = zip(*map(self.facts, notes), strict=True)
        links = tuple(sorted(self.walk.written.get(cluster.id, ())))
        sums = _reach_sums(cluster, self.reach)
        inside = {rel: self.reach[rel].get(cluster.id, 0.0) for rel in cluster.notes}
        # each member's journal mentions, in member order: momentum, persistence and the timeline
        mentions = [
            m for node in (*cluster.notes, *cluster.ghosts) for m in self.graph.mentions.get(node, ())
        ]
        distilled = dict(zip(cluster.notes, distillation, strict=True))
        signals, facts = self._signals(
            cluster, stages, days, created, distilled, links, sums, inside, mentions
        )
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
            last_activity=max((day for day in days if day is not None), default=None),
            core=core_notes(cluster, inside),
            activity=_activity(cluster.notes, days),
            missing_links=missing_links(self.walk.cocited.get(cluster.id, ())),
            bridges=cluster_bridges(sums.from_notes, sums.touching),
            timeline=timeline(mentions),
            links=links,
        )

    def _signals(
        self,
        cluster: Cluster,
        stages: Sequence[int],
        days: Sequence[date | None],
        created: Sequence[date | None],
        distilled: Mapping[str, float],
        links: Sequence[tuple[str, str]],
        sums: _ReachSums,
        inside: Mapping[str, float],
        mentions: Sequence[Mention],
    ) -> tuple[dict[str, float], _Facts]:
        graph, today = self.graph, self.today
        touches = [day for day in days if day is not None]
        activity = sum(map(self.decay, touches)) + sum([self.decay(m.day) for m in mentions])
        weeks = _active_weeks(today, [*touches, *created, *(m.day for m in mentions)])
        neighbours = sums.neighbours
        bridges = [cid for cid, weight in neighbours.items() if weight >= 1.0]
        published = sum(stage >= _PUBLISH for stage in stages)
        hub, outline = _hub_and_outline(graph, cluster, self.tagged.get(cluster.id, ()), links)
        signals = {
            "mass": min(1.0, math.log1p(len(cluster.notes)) / math.log1p(MASS_NOTES)),
            "cohesion": _cohesion(sums, len(cluster.notes)),
            "distillation": sum(distilled.values()) / len(cluster.notes),
            "momentum": activity / (activity + MOMENTUM_SCALE),
            "persistence": min(1.0, weeks / PERSISTENCE_WEEKS),
            "hub": ((hub is not None) + (outline is not None)) / 2,
            "bridges": min(1.0, len(bridges) / 3),
            "validation": min(1.0, published / 2),
        }
        facts = _Facts(
            notes=len(cluster.notes),
            distilled=sum(value >= 0.6 for value in distilled.values()),
            mentions=sum((today - m.day).days <= 30 for m in mentions),
            weeks=weeks,
            hub=hub,
            bridges=len(bridges),
            published=published,
            # the heaviest, the first met among equals (as `Counter.most_common` does)
            nearest=self.names[max(neighbours, key=neighbours.__getitem__)] if neighbours else None,
            # the ends of the members sorted by (value, path), without sorting them or a key per member
            least_linked=min(zip(inside.values(), inside, strict=True))[1],
            least_distilled=min(zip(distilled.values(), distilled, strict=True))[1],
            most_distilled=max(zip(distilled.values(), distilled, strict=True))[1],
        )
        return {name: round(value, 3) for name, value in signals.items()}, facts


@dataclass(frozen=True)
class _ReachSums:
    """A cluster's edge weight by where it goes, summed in one walk over its members' `reach`."""

    inside: float  # the weight of the edges inside, each counted once
    outside: float  # the weight of the edges to other clusters and to no cluster
    neighbours: dict[str, float]  # other cluster id -> weight to it, in the order first met
    from_notes: dict[str, float]  # the same from the member notes only (not the ghosts)
    touching: dict[str, list[str]]  # other cluster id -> the member notes with edges to it, in order


def _reach_sums(cluster: Cluster, reach: Mapping[str, Mapping[str, float]]) -> _ReachSums:
    """The sums cohesion, bridges and the nearest cluster need, each added in member order
    (notes, then ghosts), as separate walks over the members would add them."""
    inside = outside = 0.0
    neighbours: dict[str, float] = {}
    touching: dict[str, list[str]] = defaultdict(list)
    for rel in cluster.notes:
        for owner, weight in reach[rel].items():
            if owner == cluster.id:
                inside += weight / 2  # each inside edge is counted from both ends
            else:
                outside += weight
                if owner:
                    neighbours[owner] = neighbours.get(owner, 0.0) + weight
                    touching[owner].append(rel)
    from_notes = dict(neighbours)  # the ghosts come last: the notes' sums are complete here
    for node in cluster.ghosts:
        for owner, weight in reach[node].items():
            if owner == cluster.id:
                inside += weight / 2
            else:
                outside += weight
                if owner:
                    neighbours[owner] = neighbours.get(owner, 0.0) + weight
    return _ReachSums(inside, outside, neighbours, from_notes, touching)


def _cohesion(sums: _ReachSums, notes: int) -> float:
    """Share of the members' edge weight kept inside, times how dense the inside is."""
    if sums.inside == 0:
        return 0.0
    return sums.inside / (sums.inside + sums.outside) * min(1.0, sums.inside / notes)


def note_stage(note: Note, config: Config) -> int:
    """The index in STAGES of the last stage whose folders, tags or statuses the note matches; -1 if none."""
    return _stage_rules(config.stages)(note)


def stage_matcher(config: Config) -> Callable[[Note], int]:
    """`note_stage` for many notes: the rules are looked up once."""
    return _stage_rules(config.stages)


@lru_cache(maxsize=8)
def _stage_rules(stages: StagesConfig) -> Callable[[Note], int]:
    """A matcher with the rules lower-cased once: the last stage each folder, tag and status reaches."""
    rules = [getattr(stages, name) for name in STAGES]
    folders = [tuple(f"/{folder.strip('/').lower()}/" for folder in rule.folders) for rule in rules]
    # Later stages overwrite earlier ones: a note reaches the last stage any of its marks names.
    by_tag = {tag.lower(): index for index, rule in enumerate(rules) for tag in rule.tags}
    by_status = {status.lower(): index for index, rule in enumerate(rules) for status in rule.statuses}

    @lru_cache(maxsize=4096)
    def by_folder(folder: str) -> int:
        path = "/" + folder.lower() + "/"
        return max(
            (index for index, needles in enumerate(folders) if any(n in path for n in needles)), default=-1
        )

    def match(note: Note) -> int:
        reached = by_folder(note.rel.rsplit("/", 1)[0] if "/" in note.rel else "")
        status = note.prop("status")
        if isinstance(status, str):
            reached = max(reached, by_status.get(status.strip().lower(), -1))
        for tag in note.tags:  # a tag or its root (`publish/draft` reaches `publish`)
            reached = max(reached, by_tag.get(tag, -1), by_tag.get(tag.split("/", 1)[0], -1))
        return reached

    return per_note(match)


@lru_cache(maxsize=8)
def _note_facts(
    stages: StagesConfig, statuses: frozenset[str]
) -> Callable[[Note], tuple[int, float, date | None, date | None]]:
    """A note's stage, `_distilled`, last activity day and creation day, for one config: what the
    scores read of each member, remembered together (one look-up per note, not four calls)."""
    stage, distillation = _stage_rules(stages), _distillation(stages, statuses)
    return per_note(lambda note: (stage(note), distillation(note), _day(note), _created(note)))


@lru_cache(maxsize=8)
def _distillation(stages: StagesConfig, statuses: frozenset[str]) -> Callable[[Note], float]:
    """`_distilled` of a note at its own stage, for one config's stages and distilled statuses."""
    stage = _stage_rules(stages)
    return per_note(lambda note: _distilled(note, stage(note), statuses))


def _distilled(note: Note, stage: int, statuses: frozenset[str]) -> float:
    """0–1: a worked status or stage (0.4), a summary (0.2), a claim-like title (0.2), length (0.2).

    `statuses` are the config's distilled statuses, lower-cased.
    """
    status = note.prop("status")
    worked = stage >= _CREATE or (isinstance(status, str) and status.strip().lower() in statuses)
    # One search per note: no match of _SUMMARY can span the "\n" between two texts.
    headings = "\n".join([h.text for h in note.headings])
    callouts = "\n".join([p.text[:40] for p in note.paragraphs if p.text.startswith("[!")])
    summary = _SUMMARY.search(headings) is not None or _SUMMARY.search(callouts) is not None
    claim = stage != _HARVEST and len(note.name.split()) >= 4
    return 0.4 * worked + 0.2 * summary + 0.2 * claim + 0.2 * (note.word_count >= DISTILLED_WORDS)


def _hub_and_outline(
    graph: IdeaGraph, cluster: Cluster, tagged: Iterable[str], links: Sequence[tuple[str, str]]
) -> tuple[str | None, str | None]:
    """The hub (tagged moc, or linked with half the cluster) and the outline (headings and links).

    `tagged` are the members tagged as hubs; `links` the member pairs joined by a written link
    (`walk_edges`). Only members with links or a hub tag can be either: the others are not read.
    """
    written = Counter(chain.from_iterable(links))  # members each member links with
    tags = frozenset(tagged)
    most = max(3, (len(cluster.notes) - 1) / 2)
    # a note tagged moc first, then the most linked
    hubs = [(False, -written.get(rel, 0), rel) for rel in tags]
    hubs += [(True, -linked, rel) for rel, linked in written.items() if linked >= most and rel not in tags]
    outlines = {rel for rel, linked in written.items() if linked >= 3 and len(graph.notes[rel].headings) >= 3}
    outline = next((rel for rel in cluster.notes if rel in outlines), None) if outlines else None
    return (min(hubs)[2] if hubs else None), outline


def _activity(rels: Sequence[str], days: Sequence[date | None]) -> tuple[tuple[str, date | None], ...]:
    """Each member and its last activity (`days`, aligned), the most recent first (undated last)."""
    dated = list(zip(rels, days, strict=True))
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
    # Each distinct day once (set() is a C loop; they repeat a lot: ~20k days, a few hundred distinct).
    recent = {min(day, today) for day in set(days) if day is not None and start < day}
    return len({day.isocalendar()[:2] for day in recent})  # each distinct day once: they repeat a lot


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
