"""Report: what a run read, skipped and found; it also decides the exit code."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tlvault.model import Skipped

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
    seconds: float = 0.0

    def skip(self, rel: str, reason: str) -> None:
        """Record a file that was not read, with one warning line."""
        self.skipped.append(Skipped(rel, reason))
        log.warning("skipped %s: %s", rel, reason)

    def warn(self, rel: str, reason: str) -> None:
        """Record a note that was read despite a problem, with one warning line."""
        self.warned.append(Skipped(rel, reason))
        log.warning("%s: %s", rel, reason)

    def summary(self) -> str:
        """One line for the terminal: notes, links, unresolved, tags, skipped, time."""
        problems = f", {len(self.warned)} with warnings" if self.warned else ""
        return (
            f"{self.notes_count} notes read{problems}, {len(self.skipped)} skipped; "
            f"{self.links_count} links, {self.unresolved_count} unresolved; "
            f"{self.tags_count} tags ({self.seconds:.2f} s)"
        )

    def exit_code(self, *, strict: bool = False) -> int:
        """0 when done (skipped notes are warnings), 1 with --strict and any skipped or warned note."""
        return 1 if strict and (self.skipped or self.warned) else 0
