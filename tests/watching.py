"""Test support for the watcher and the cache: a running watcher, the oracle, write counting.

FAULTS.md "Shared fixtures": tests wait for conditions (`wait_until`), never for fixed times,
except for quiet windows that check that nothing more happens.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tlvault import write
from tlvault.config import Config, default_config
from tlvault.pipeline import rebuild
from tlvault.watch import Watcher, WatchTiming

TODAY = date(2024, 6, 15)  # every watcher and oracle scores as of this day
FAST = WatchTiming(
    quiet=0.1, max_delay=1.0, reconcile_every=3600.0, tick=0.05, breaker_limit=3, breaker_window=30.0
)

# A small French vault in the user's style: journal notes with created/updated, path links,
# nested folders and an `.obsidian/` folder.
NOTES: dict[str, str] = {
    ".obsidian/workspace.json": "{}",
    "1 - Input/2024-02-19.md": (
        "---\ncreated: 2024-02-19T08:00\nupdated: 2024-02-19T21:47\n---\n"
        "Lien : [[Écriture quotidienne]]\nTags : #journal\n\n"
        "Relu [[Deep work]] et [[Écriture quotidienne]] : écrire chaque matin avant les messages.\n"
    ),
    "1 - Input/2024-03-04.md": (
        "---\ncreated: 2024-03-04T07:30\nupdated: 2024-03-04T22:10\n---\n"
        "Lien : [[Newsletter]]\nTags : #journal\n\n"
        "La [[Newsletter]] part chaque dimanche ; [[Deep work]] aide à tenir le rythme.\n"
    ),
    "2 - Idées/Deep work.md": (
        "---\ncreated: 2024-01-10\nstatus: graine\n---\n# Deep work\n\n"
        "Le travail profond demande des plages sans interruption. Voir [[Écriture quotidienne]].\n"
    ),
    "2 - Idées/Écriture quotidienne.md": (
        "---\ncreated: 2024-01-12\n---\n# Écriture quotidienne\n\n"
        "Écrire tous les jours, même peu, nourrit la [[Newsletter]] et le [[Deep work]]. #écriture\n"
    ),
    "3 - Contenus/Newsletter.md": (
        "---\ncreated: 2024-02-01\nstatus: brouillon\n---\n# Newsletter\n\n"
        "Une lettre par semaine sur l'écriture et le [[Deep work]]. #écriture\n"
    ),
}


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> None:
    """Poll `predicate` until it holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def generated(config: Config) -> dict[str, bytes]:
    """Every file of the output folder (state included), by output-relative path."""
    root = config.output_path
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def oracle(config: Config, scratch: Path) -> dict[str, bytes]:
    """What a clean `tlvault rebuild` (no cache) writes for a copy of the vault as it is now."""
    copy = scratch / f"oracle-{time.monotonic_ns()}"
    shutil.copytree(config.vault, copy, symlinks=True)
    fresh = default_config(copy) if config.source is None else _moved(config, copy)
    rebuild(fresh, now=TODAY)
    return generated(fresh)


def _moved(config: Config, vault: Path) -> Config:
    return replace(config, vault=vault)


def settled(config: Config, scratch: Path) -> bool:
    """Whether the generated files equal the oracle's (used with wait_until)."""
    return generated(config) == oracle(config, scratch)


@dataclass
class WriteCounter:
    """Real writes of generated files, per vault path (wraps the single atomic-write function)."""

    counts: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def total(self) -> int:
        """Writes so far."""
        with self.lock:
            return sum(self.counts.values())


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> WriteCounter:
    """Count every generated file tlvault writes."""
    counter = WriteCounter()
    real = write._replace_atomically

    def counting(path: Path, data: bytes) -> None:
        real(path, data)
        with counter.lock:
            counter.counts[str(path)] += 1

    monkeypatch.setattr(write, "_replace_atomically", counting)
    return counter


@dataclass
class WatchHandle:
    """A watcher running in a thread, as tests see it."""

    watcher: Watcher
    thread: threading.Thread
    statuses: list[str]

    @property
    def rebuild_count(self) -> int:
        """Rebuilds that found something to do."""
        return self.watcher.rebuild_count

    def is_alive(self) -> bool:
        """Whether the watcher's loop still runs."""
        return self.thread.is_alive()

    def wait_for_rebuilds(self, count: int, timeout: float = 10.0) -> None:
        """Wait until at least `count` rebuilds happened."""
        wait_until(lambda: self.rebuild_count >= count, timeout)

    def quiet_for(self, seconds: float) -> int:
        """Rebuilds during a window of `seconds` (a fixed sleep: it checks that nothing happens).

        The window opens once a running rebuild has finished: its files may already be on disk
        (what the caller waited for) while its count is not yet updated."""
        wait_until(lambda: not self.watcher.rebuilding)
        before = self.rebuild_count
        time.sleep(seconds)
        return self.rebuild_count - before


@contextmanager
def running_watcher(
    config: Config, timing: WatchTiming = FAST, *, use_cache: bool = True, **options: Any
) -> Iterator[WatchHandle]:
    """Start a Watcher in a thread, wait for its first rebuild, stop it at the end (it must be alive)."""
    statuses: list[str] = []
    watcher = Watcher(
        config, timing=timing, now=TODAY, use_cache=use_cache, status=statuses.append, **options
    )
    thread = threading.Thread(target=watcher.run, name="tlvault-watch", daemon=True)
    thread.start()
    handle = WatchHandle(watcher, thread, statuses)
    try:
        handle.wait_for_rebuilds(1, timeout=30)
        yield handle
        assert handle.is_alive(), "the watcher died"
    finally:
        watcher.stop()
        thread.join(timeout=10)
        logging.getLogger("tlvault").debug("watcher stopped")
