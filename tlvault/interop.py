"""The JSON documents other tools read: `notes --json` and `rebuild --json`. Keep them stable.

`notes --json` uses the `tlvault-ofm-conformance/1` shape of the OFM conformance corpus
(`expected.json`), so a parse can be diffed against Obsidian's answers; `rebuild --json`
uses `tlvault-rebuild/1`. New keys may be added; existing keys keep their meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tlvault.i18n import cluster_labels
from tlvault.model import Link, Note, Skipped
from tlvault.pipeline import ParsedVault
from tlvault.report import Report
from tlvault.results import GhostIdea, Insights, Orphan, ScoredCluster

NOTES_FORMAT = "tlvault-ofm-conformance/1"
REBUILD_FORMAT = "tlvault-rebuild/1"
OBSIDIAN_TARGET = "Obsidian desktop 1.9.4 or later"


def notes_document(parsed: ParsedVault, report: Report) -> dict[str, Any]:
    """The parsed vault: every note with its properties, tags, aliases and resolved links."""
    note_paths = {note.rel for note in parsed.notes}
    return {
        "format": NOTES_FORMAT,
        "obsidian_target": OBSIDIAN_TARGET,
        "notes": {note.rel: _note_entry(note, parsed.resolved.of(note)) for note in parsed.notes},
        "other_files": [
            rel for rel in parsed.files if rel not in note_paths and not rel.lower().endswith(".md")
        ],
        "skipped": [_skipped_entry(s) for s in sorted(report.skipped, key=_by_path)],
        "warnings": [_skipped_entry(s) for s in sorted(report.warned, key=_by_path)],
    }


def _note_entry(note: Note, targets: tuple[str | None, ...]) -> dict[str, Any]:
    return {
        "frontmatter": str(note.frontmatter),
        "frontmatter_keys": list(note.frontmatter_keys),
        "tags": list(note.tags),
        "aliases": list(note.aliases),
        "links": [_link_entry(link, target) for link, target in zip(note.links, targets, strict=True)],
    }


def _link_entry(link: Link, target: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "target": link.target,
        "resolved": target,
        "kind": str(link.kind),
        "subpath": link.subpath,
    }
    if link.via is not None:
        entry["via"] = str(link.via)
    if link.key is not None:
        entry["key"] = link.key
    return entry


def _skipped_entry(skipped: Skipped) -> dict[str, str]:
    return {"path": skipped.rel, "reason": skipped.reason}


def _by_path(skipped: Skipped) -> str:
    return skipped.rel


def rebuild_document(report: Report) -> dict[str, Any]:
    """The report of one rebuild: counts, clusters, ghosts, orphans, gaps and problems.

    A pure function of the vault and the config: no timings, and nothing about what this
    particular run had to write.
    """
    document: dict[str, Any] = {
        "format": REBUILD_FORMAT,
        "notes": report.notes_count,
        "files": report.files_count,
        "links": report.links_count,
        "unresolved": report.unresolved_count,
        "tags": report.tags_count,
    }
    if report.insights is not None:
        document.update(_insights_entry(report.insights))
    document["skipped"] = [_skipped_entry(s) for s in sorted(report.skipped, key=_by_path)]
    document["warnings"] = [_skipped_entry(s) for s in sorted(report.warned, key=_by_path)]
    return document


def _insights_entry(insights: Insights) -> dict[str, Any]:
    return {
        "language": insights.language,
        "today": insights.today.isoformat(),
        "clusters": [
            _cluster_entry(scored, insights.language, insights.ghost_labels) for scored in insights.clusters
        ],
        "ghosts": [_ghost_entry(ghost) for ghost in insights.ghosts],
        "orphans": [_orphan_entry(orphan) for orphan in insights.orphans],
        "gaps": [
            {"clusters": list(gap.clusters), "question": gap.question, "bridges": list(gap.bridges)}
            for gap in insights.gaps
        ],
    }


def _cluster_entry(scored: ScoredCluster, language: str, ghost_labels: Mapping[str, str]) -> dict[str, Any]:
    cluster = scored.cluster
    labels = cluster_labels(language, scored.band, scored.stage, scored.format)
    return {
        "id": cluster.id,
        "name": cluster.name,
        "ripeness": scored.ripeness,
        "band": scored.band,
        "band_label": labels["band"],
        "stage": scored.stage,
        "stage_label": labels["stage"],
        "format": scored.format,
        "format_label": labels["format"],
        "signals": dict(scored.signals),
        "strongest": list(scored.strongest),
        "weakest": scored.weakest,
        "why": scored.why,
        "next_action": scored.next_action,
        "hub": cluster.hub,
        "keywords": list(cluster.keywords),
        "notes": list(cluster.notes),
        "ghosts": [ghost_labels.get(node, node) for node in cluster.ghosts],
        "last_activity": scored.last_activity.isoformat() if scored.last_activity else None,
    }


def _ghost_entry(ghost: GhostIdea) -> dict[str, Any]:
    return {
        "name": ghost.label,
        "notes": list(ghost.notes),
        "journal_days": [day.isoformat() for day in ghost.journal_days],
        "cluster": ghost.cluster,
    }


def _orphan_entry(orphan: Orphan) -> dict[str, Any]:
    return {
        "note": orphan.note,
        "suggestions": [
            {"target": s.target, "reason": s.reason, "evidence": s.evidence} for s in orphan.suggestions
        ],
    }
