"""Report: what a run read, skipped and found; it also decides the exit code."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tlvault.model import Skipped
from tlvault.results import Insights, WriteResult

log = logging.getLogger(__name__)


@dataclass
class Report:
    """Counts and problems of one pass over a vault."""

    notes_count: int = 0
    files_count: int = 0
    links_count: int = 0
    unresolved_count: int = 0
    tags_count: int = 0
    skipped: list[Skipped] = field(default_factory=list)  # files not read
    warned: list[Skipped] = field(default_factory=list)  # notes read despite a problem
    insights: Insights | None = None  # clusters, ghosts, orphans and gaps, once scored
    written: list[str] = field(default_factory=list)  # generated files written (output-relative)
    unchanged_count: int = 0  # generated files already up to date
    failed_writes: int = 0  # generated files that could not be written
    seconds: float = 0.0
    reused: bool = False  # nothing changed since the last clean rebuild: its results were reused
    link_targets: frozenset[str] = frozenset()  # lower-cased file names that links point at

    def skip(self, rel: str, reason: str) -> None:
        """Record a file that was not read, with one warning line."""
        self.skipped.append(Skipped(rel, reason))
        log.warning("skipped %s: %s", rel, reason)

    def warn(self, rel: str, reason: str) -> None:
        """Record a note that was read despite a problem, with one warning line."""
        self.warned.append(Skipped(rel, reason))
        log.warning("%s: %s", rel, reason)

    def record(self, result: WriteResult) -> None:
        """Count what writing did; a file left alone or backed up costs one warning line."""
        self.written.extend(result.written)
        self.unchanged_count += len(result.unchanged)
        for problem in (*result.refused, *result.failed, *result.backups):
            self.warn(problem.rel, problem.reason)
        self.failed_writes += len(result.failed)
        for rel in result.removed:
            log.info("%s: no longer generated; removed", rel)
        for rel in result.kept:
            log.warning("%s: no longer generated, but you wrote in it; kept as it is", rel)

    def summary(self) -> str:
        """One line for the terminal: what was read, found and written, and the time taken."""
        problems = f", {len(self.warned)} with warnings" if self.warned else ""
        found = ""
        if self.insights is not None:
            clusters, ghosts = len(self.insights.clusters), len(self.insights.ghosts)
            found = f"{_plural(clusters, 'cluster')}, {_plural(ghosts, 'ghost idea')}; "
        return (
            f"{_plural(self.notes_count, 'note')} read{problems}, {len(self.skipped)} skipped; "
            f"{_plural(self.links_count, 'link')}, {self.unresolved_count} unresolved; "
            f"{_plural(self.tags_count, 'tag')}; {found}"
            f"{_plural(len(self.written), 'file')} written, {self.unchanged_count} unchanged "
            f"({self.seconds:.2f} s)"
        )

    def exit_code(self, *, strict: bool = False) -> int:
        """0 when done (skipped notes are warnings); 1 when a file could not be written, or with
        --strict when a note was skipped or read with a problem."""
        return 1 if self.failed_writes or (strict and (self.skipped or self.warned)) else 0


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
