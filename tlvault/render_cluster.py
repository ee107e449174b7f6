"""The note of each cluster: flat properties for Bases and Dataview, tlvault's region, the user's section."""

from __future__ import annotations

import json
from functools import lru_cache

from tlvault.i18n import cluster_labels, decimal, text
from tlvault.markdown import (
    LISTED,
    OutputNames,
    RenderInput,
    cluster_name,
    join,
    link,
    more,
    note,
    quote,
    section,
)
from tlvault.regions import checkbox_key
from tlvault.results import OutputNote, ScoredCluster


def cluster_note(data: RenderInput, names: OutputNames, scored: ScoredCluster) -> OutputNote:
    """A cluster's note: flat properties for Bases and Dataview, tlvault's region, the user's section."""
    labels = cluster_labels(data.insights.language, scored.band, scored.stage, scored.format)
    properties = [
        f"cluster_id: {json.dumps(scored.cluster.id)}",
        f"ripeness: {scored.ripeness}",
        f"band: {json.dumps(labels['band'].split(' ', 1)[1], ensure_ascii=False)}",  # without its emoji
        f"stage: {json.dumps(labels['stage'], ensure_ascii=False)}",
        f"format: {json.dumps(labels['format'], ensure_ascii=False)}",
        f"members: {len(scored.cluster.notes)}",
        *(f"{name}: {value}" for name, value in scored.signals.items()),
    ]
    regions = {"cluster": _cluster(scored, data, names)}
    free = f"\n## {text(data.insights.language, 'cluster.published')}\n\n"
    return note(
        data,
        names.clusters[scored.cluster.id],
        "cluster",
        regions,
        free,
        "".join(f"{p}\n" for p in properties),
    )


def _cluster(scored: ScoredCluster, data: RenderInput, names: OutputNames) -> str:
    language = data.insights.language
    cluster = scored.cluster
    labels = cluster_labels(language, scored.band, scored.stage, scored.format)
    summary = text(language, "cluster.summary", score=scored.ripeness, **labels)
    weakest = text(
        language,
        "cluster.weakest",
        signal=text(language, f"signal.{scored.weakest}"),
        value=decimal(language, scored.signals[scored.weakest]),
    )
    lines = [f"# {cluster.name}", "", summary, ""]
    lines += section(text(language, "cluster.why"), [scored.why])
    lines += section(text(language, "cluster.missing"), [f"{weakest} {scored.next_action}"])
    lines += section(text(language, "cluster.core"), _core_lines(scored, language))
    lines += section(text(language, "cluster.outline"), _outline(scored, language))
    lines += section(text(language, "cluster.members"), _member_rows(scored, language))
    lines += section(text(language, "cluster.links"), _missing_link_lines(scored, language))
    lines += section(text(language, "cluster.ghosts"), _cluster_ghosts(scored, data))
    lines += section(text(language, "cluster.bridges"), _bridge_lines(scored, data, names))
    lines += section(text(language, "cluster.timeline"), _timeline_lines(scored, language))
    lines += section(text(language, "cluster.actions"), _cluster_actions(scored, data))
    return "\n".join(lines).rstrip("\n") + "\n"


def _core_lines(scored: ScoredCluster, language: str) -> list[str]:
    hub = f" ({text(language, 'cluster.hub')})"
    return [f"- {link(rel)}{hub if rel == scored.cluster.hub else ''}" for rel in scored.core]


def _outline(scored: ScoredCluster, language: str) -> list[str]:
    steps = [f"{number}. {link(rel)}" for number, rel in enumerate(scored.core, start=1)]
    closing = text(language, "cluster.outline_close", action=scored.next_action)
    return [*steps, f"{len(steps) + 1}. {closing}"]


def _member_rows(scored: ScoredCluster, language: str) -> list[str]:
    rows = [f"| {text(language, 'cluster.member_columns')} |", "| --- | --- |"]
    for rel, day in scored.activity[:LISTED]:
        rows.append(f"| {link(rel, in_table=True)} | {day.isoformat() if day else '—'} |")
    return rows + more(language, len(scored.activity))


def _missing_link_lines(scored: ScoredCluster, language: str) -> list[str]:
    return [
        f"- {link(m.source)} ↔ {link(m.target)} — {text(language, 'punct.quote', text=_quoted(m.evidence))}"
        for m in scored.missing_links
    ]


def _cluster_ghosts(scored: ScoredCluster, data: RenderInput) -> list[str]:
    return [f"- [[{data.insights.ghost_labels[node]}]]" for node in scored.cluster.ghosts]


def _bridge_lines(scored: ScoredCluster, data: RenderInput, names: OutputNames) -> list[str]:
    language = data.insights.language
    lines = []
    for bridge in scored.bridges:
        if bridge.cluster in names.clusters:
            other = link(names.clusters[bridge.cluster], cluster_name(data, bridge.cluster))
            notes = join(link(rel) for rel in bridge.notes)
            lines.append(f"- {text(language, 'cluster.bridge_line', cluster=other, notes=notes)}")
    return lines


def _timeline_lines(scored: ScoredCluster, language: str) -> list[str]:
    return [
        f"- {mention.day.isoformat()} — {link(mention.journal)}{text(language, 'punct.colon')}"
        f"{text(language, 'punct.quote', text=_quoted(mention.text))}"
        for mention in scored.timeline
    ]


def _cluster_actions(scored: ScoredCluster, data: RenderInput) -> list[str]:
    language = data.insights.language
    cluster_id = scored.cluster.id
    actions = [scored.next_action]
    actions += [
        text(language, "cluster.link_action", first=link(m.source), second=link(m.target))
        for m in scored.missing_links
    ]
    actions += [
        text(language, "cluster.ghost_action", ghost=f"[[{data.insights.ghost_labels[node]}]]")
        for node in scored.cluster.ghosts
    ]
    return [f"- [ ] {action} ^{checkbox_key(cluster_id, action)}" for action in actions]


@lru_cache(maxsize=1 << 14)
def _quoted(paragraph: str) -> str:
    """`quote(paragraph)`, remembered: the same journal sentences come back in the timelines and
    missing links of every rebuild (three regex passes each, 40 % of the clusters' rendering)."""
    return quote(paragraph)
