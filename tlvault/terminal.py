"""status_tables(insights) -> rich tables: the top clusters, then ghost ideas and orphans."""

from __future__ import annotations

from rich.table import Table

from tlvault.i18n import cluster_labels
from tlvault.results import Insights

_TITLES = {
    "fr": ("Idées à cultiver", "Idées fantômes", "Notes orphelines"),
    "en": ("Ideas to cultivate", "Ghost ideas", "Orphan notes"),
}
_HEADERS = {
    "fr": (
        ("score", "cluster", "étape", "format", "pourquoi", "prochaine action"),
        ("idée", "notes", "jours de journal"),
        ("note", "liens à écrire"),
    ),
    "en": (
        ("score", "cluster", "stage", "format", "why", "next action"),
        ("idea", "notes", "journal days"),
        ("note", "links to write"),
    ),
}


def status_tables(insights: Insights, *, top: int = 10) -> list[Table]:
    """The clusters (ripest first), the ghost ideas and the orphans, as rich tables."""
    language = insights.language if insights.language in _TITLES else "fr"
    titles, headers = _TITLES[language], _HEADERS[language]
    clusters = Table(title=titles[0], show_lines=True)
    for header in headers[0]:
        clusters.add_column(header)
    for scored in insights.clusters[:top]:
        labels = cluster_labels(language, scored.band, scored.stage, scored.format)
        clusters.add_row(
            f"{scored.ripeness}\n{labels['band']}",
            f"{scored.cluster.name}\n({len(scored.cluster.notes)} notes)",
            labels["stage"],
            labels["format"],
            scored.why,
            scored.next_action,
        )
    ghosts = Table(title=titles[1])
    for header in headers[1]:
        ghosts.add_column(header)
    for ghost in insights.ghosts[:top]:
        ghosts.add_row(ghost.label, str(len(ghost.notes)), str(len(ghost.journal_days)))
    orphans = Table(title=titles[2])
    for header in headers[2]:
        orphans.add_column(header)
    for orphan in insights.orphans[:top]:
        targets = ", ".join(s.target.removesuffix(".md") for s in orphan.suggestions) or "—"
        orphans.add_row(orphan.note.removesuffix(".md"), targets)
    return [table for table in (clusters, ghosts, orphans) if table.row_count]
