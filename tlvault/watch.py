"""Watcher: `tlvault watch`, the live companion that keeps generated notes in step with the vault.

The watchdog handler only puts raw events on a queue, so nothing can go wrong in the
observer's thread. One loop thread does everything else, one step at a time:

- classify each path with a pure filter (`classify`): dot folders, editor droppings and
  excluded paths are ignored; a generated file counts only when its bytes differ from what
  tlvault wrote (own writes are recognised by content hash, not by timing);
- debounce (`Debouncer`): write after `quiet` seconds without events, or at most
  `max_delay` seconds after the first one. The work starts at the first event: the vault is
  read and analysed while the quiet period runs, and the result is written when it ends, or
  dropped if another change came meanwhile (then the rebuild waits for the quiet period);
- rebuild with the parse cache: every rebuild rescans the vault, so renames, folder moves,
  missed events and offline edits converge to what a fresh `tlvault rebuild` writes. Between
  reconciliations, the rescan lists again only the folders events came from or whose date
  moved, and stats only their files (`scan.trust_events`); a reconciliation (at start, every
  `reconcile_every` seconds, after an observer restart) lists and stats everything;
- supervise: restart a dead observer, wait for a deleted vault folder to come back, reload
  `config.yaml` when it changes (keeping the last good one), reconcile periodically, and stop
  rewriting a generated file that another tool keeps rewriting (circuit breaker).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from tlvault import memo
from tlvault.cache import ParseCache, content_hash, vault_identity
from tlvault.config import Config
from tlvault.errors import ConfigError, TlvaultError
from tlvault.pipeline import PreparedRebuild, prepare_rebuild
from tlvault.report import Report
from tlvault.scan import TEMP_FILE, compile_glob, forget_listings, trust_events
from tlvault.text import remember_tokens

log = logging.getLogger(__name__)

_IGNORED_EVENTS = frozenset({"opened", "closed", "closed_no_write"})  # reads and closes change nothing
_WATCH_LIMIT_FILES = ("/proc/sys/user/max_inotify_watches", "/proc/sys/fs/inotify/max_user_watches")
_EARLY_LULL = 0.05  # seconds without events before the analysis starts, ahead of the quiet period
_ERROR_PAUSE = 1.0  # seconds to wait after an unexpected error, so a persistent one cannot spin

Clock = Callable[[], float]
_T = TypeVar("_T")


@dataclass(frozen=True)
class WatchTiming:
    """How long the watcher waits; tests shorten everything."""

    quiet: float = 0.5  # seconds without events before a rebuild
    max_delay: float = 5.0  # longest wait after the first event of a burst
    reconcile_every: float = 300.0  # full rescan with content-hash verification
    tick: float = 0.5  # supervisor checks: observer alive, vault folder, config file
    breaker_limit: int = 3  # foreign rewrites of one generated file…
    breaker_window: float = 60.0  # …within this many seconds trip the breaker


class Debouncer:
    """Trailing-edge debounce with a ceiling, on an injectable clock."""

    def __init__(self, quiet: float, max_delay: float, clock: Clock = time.monotonic) -> None:
        self.quiet = quiet
        self.max_delay = max_delay
        self.clock = clock
        self.first: float | None = None
        self.last: float | None = None
        self.pokes = 0  # events so far, never reset: tells whether any arrived since a moment

    def poke(self) -> None:
        """An event arrived."""
        now = self.clock()
        self.pokes += 1
        self.first = now if self.first is None else self.first
        self.last = now

    def is_pending(self) -> bool:
        """Whether events are waiting for a rebuild."""
        return self.first is not None

    def remaining(self) -> float | None:
        """Seconds until the rebuild is due (0 when due); None when nothing is pending."""
        if self.first is None or self.last is None:
            return None
        now = self.clock()
        return max(0.0, min(self.last + self.quiet, self.first + self.max_delay) - now)

    def quiet_so_far(self) -> float | None:
        """Seconds since the last event; None when nothing is pending."""
        return None if self.last is None else max(0.0, self.clock() - self.last)

    def reset(self) -> None:
        """The pending events were handled."""
        self.first = self.last = None


def classify(rel: str, config: Config, link_targets: Collection[str] = frozenset()) -> str:
    """What a vault-relative path means to the watcher: "note", "output" or "ignore".

    Notes, canvases and folders are "note" (a folder event may move many notes); other files
    matter only when a link names them (`link_targets`: lower-cased file names).
    """
    parts = rel.split("/")
    if not rel or any(part.startswith(".") for part in parts) or TEMP_FILE.search(parts[-1]):
        return "ignore"
    if rel == config.output_folder or rel.startswith(config.output_folder + "/"):
        return "output"
    if any(compile_glob(pattern).fullmatch(rel) for pattern in config.exclude):
        return "ignore"
    name = parts[-1].lower()
    if name.endswith((".md", ".canvas")) or "." not in name:
        return "note"
    return "note" if name in link_targets else "ignore"


class _Enqueue(FileSystemEventHandler):
    """The observer's handler: it only queues the event, so it can never fail."""

    def __init__(self, events: queue.Queue[FileSystemEvent]) -> None:
        self.events = events

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Queue every event; the watcher's loop sorts them out."""
        self.events.put(event)


@dataclass
class _Breaker:
    """Foreign rewrites per generated file; a file rewritten too often is held."""

    limit: int
    window: float
    seen: dict[str, deque[float]] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)

    def record(self, rel: str, now: float) -> bool:
        """Count a foreign rewrite of `rel`; True when this one trips the breaker."""
        times = self.seen.setdefault(rel, deque())
        times.append(now)
        while times and times[0] < now - self.window:
            times.popleft()
        if len(times) >= self.limit and rel not in self.held:
            self.held.add(rel)
            return True
        return False


class Watcher:
    """Keeps one vault's generated notes up to date until `stop()` (or Ctrl-C in `run()`)."""

    def __init__(
        self,
        config: Config,
        *,
        timing: WatchTiming | None = None,
        reload_config: Callable[[], Config] | None = None,
        now: date | None = None,
        use_cache: bool = True,
        clock: Clock = time.monotonic,
        status: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.timing = timing or WatchTiming()
        self.reload_config = reload_config
        self.now = now
        self.use_cache = use_cache
        self.clock = clock
        self.status = status or (lambda line: print(line, flush=True))
        self.events: queue.Queue[FileSystemEvent] = queue.Queue()
        self.debouncer = Debouncer(self.timing.quiet, self.timing.max_delay, clock)
        self.breaker = _Breaker(self.timing.breaker_limit, self.timing.breaker_window)
        self.rebuild_count = 0  # rebuilds that found something to do
        self.errors = 0  # rebuilds that failed (each logged once)
        self.changes: set[str] = set()  # paths seen since the last rebuild, for the status line
        self.written: dict[str, str] = {}  # output-relative file -> content hash tlvault wrote
        self.link_targets: frozenset[str] = frozenset()
        self._stop = threading.Event()
        self._observer: BaseObserver | None = None
        self._identity: str | None = None
        self._cache: ParseCache | None = None
        self._config_stamp = self._stamp(config.source)
        self._next_reconcile = 0.0
        self._vault_missing = False
        self.rebuilding = False  # a rebuild is running (its files may be written, its count not yet)
        self._observer_failed = False  # the last attempt to start an observer raised
        self._starting = True  # the next rebuild is the first on this folder: always reported
        self._early_tried = False  # the pending changes were already prepared once, too early
        self._repeats = _RepeatFilter()
        self._foreign: set[str] = set()  # generated files changed by someone else since the last rebuild
        self._config_candidate: tuple[tuple[int, int] | None, float] | None = None  # (stamp, first seen)

    # -- life cycle ------------------------------------------------------------------------

    def run(self) -> None:
        """Rebuild once, then follow the vault until `stop()`; never returns on an error."""
        remember_tokens(True)
        memo.remember(True)
        trust_events(True)
        handlers = _log_handlers()
        for handler in handlers:
            handler.addFilter(self._repeats)
        try:
            while not self._stop.is_set():
                try:
                    self._step()
                except Exception as exc:  # a bug must not end the watch silently: say it, go on
                    log.error(
                        "the watcher hit an error (%s: %s); it goes on",
                        type(exc).__name__,
                        exc,
                        exc_info=True,
                    )
                    self._stop.wait(_ERROR_PAUSE)
        finally:
            trust_events(False)
            remember_tokens(False)
            memo.remember(False)
            for handler in handlers:
                handler.removeFilter(self._repeats)
            self._stop_observer()
            if self._cache is not None:
                self._cache.close()

    def _step(self) -> None:
        """Check the observer, take the queued events, and rebuild when the vault has settled."""
        self._supervise()
        self._drain(self._wait_time())
        remaining = self.debouncer.remaining()
        if remaining is not None and remaining <= 0:
            self._rebuild("change")
        elif remaining is not None and self._until_early_start() == 0:
            self._rebuild("change", early=True)
        elif self.clock() >= self._next_reconcile and not self._vault_missing:
            self._rebuild("start" if self._starting else "reconcile")

    def stop(self) -> None:
        """Ask `run()` to return after the current step."""
        self._stop.set()

    # -- one step --------------------------------------------------------------------------

    def _wait_time(self) -> float:
        remaining = self.debouncer.remaining()
        until_reconcile = max(0.0, self._next_reconcile - self.clock())
        until_early = self._until_early_start()
        return min(
            self.timing.tick,
            until_reconcile,
            remaining if remaining is not None else self.timing.tick,
            until_early if until_early is not None else self.timing.tick,
        )

    def _until_early_start(self) -> float | None:
        """Seconds until the pending changes may be analysed early; None when there is nothing
        to analyse or it was tried. One save is often several events (truncate, write, rename):
        the analysis waits for a short lull so that it reads the note once it is whole."""
        quiet = self.debouncer.quiet_so_far()
        if quiet is None or self._early_tried:
            return None
        return max(0.0, min(_EARLY_LULL, self.timing.quiet / 2) - quiet)

    def _drain(self, timeout: float) -> None:
        """Take every queued event, waiting up to `timeout` for the first one."""
        try:
            event = self.events.get(timeout=timeout) if timeout > 0 else self.events.get_nowait()
        except queue.Empty:
            return
        while True:
            self._take(event)
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return

    def _take(self, event: FileSystemEvent) -> None:
        if event.event_type in _IGNORED_EVENTS or (event.is_directory and event.event_type == "modified"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            rel = self._rel(os.fsdecode(raw)) if raw else None
            if rel is None:
                continue
            forget_listings([rel])  # its folder is listed again by the next scan
            kind = classify(rel, self.config, self.link_targets)
            if kind == "note" or (kind == "output" and self._is_foreign_write(rel)):
                self.changes.add(rel)
                self.debouncer.poke()

    def _rel(self, path: str) -> str | None:
        try:
            rel = os.path.relpath(path, self.config.vault)
        except ValueError:
            return None
        if rel == "." or rel.startswith(".." + os.sep) or rel == "..":
            return None
        return unicodedata.normalize("NFC", rel.replace(os.sep, "/"))

    def _is_foreign_write(self, rel: str) -> bool:
        """Whether a generated file's bytes differ from what tlvault wrote (someone else's edit)."""
        inner = rel[len(self.config.output_folder) + 1 :]
        path = self.config.output_path / inner if inner else self.config.output_path
        if path.is_dir():  # a folder tlvault made; its files have events of their own
            return False
        expected = self.written.get(inner)
        if not inner or (expected is None and any(k.startswith(inner + "/") for k in self.written)):
            return True  # a generated folder moved or vanished
        try:
            actual: str | None = content_hash(path.read_bytes())
        except OSError:
            actual = None
        if actual == expected or inner in self.breaker.held:
            return False
        if inner in self._foreign:  # one save can arrive as several events: count it once
            return True
        self._foreign.add(inner)
        if expected is not None and self.breaker.record(inner, self.clock()):
            log.warning(
                "%s/%s: another program keeps rewriting this generated note; "
                "tlvault leaves it alone until the watcher restarts",
                self.config.output_folder,
                inner,
            )
            return False
        return True

    def _rebuild(self, why: str, *, early: bool = False) -> None:
        """One rebuild; `rebuilding` is true from its start until its status line is out."""
        self.rebuilding = True
        try:
            if early:
                self._rebuild_early()
            else:
                self._rebuild_once(why)
        finally:
            self.rebuilding = False

    def _rebuild_once(self, why: str) -> None:
        """Rebuild and report; any failure is logged as one line and the watcher goes on."""
        changes = self._take_changes(why)
        cache = self._open_cache()
        if why != "change":
            forget_listings()  # a reconciliation lists every folder afresh
        if why != "change" and cache is not None:
            self._verify(cache)
        self._repeats.next_pass()
        prepared = self._guarded(lambda: self._prepare(cache))
        if prepared is not None:
            self._finish(why, changes, prepared)
        if why != "change" and cache is not None:
            # The run's record is kept in memory between edits; a reconciliation also puts it in
            # the database, so that a watcher killed later leaves a recent one for `rebuild`.
            self._guarded(cache.flush)

    def _rebuild_early(self) -> None:
        """Read and analyse the vault as soon as a note changes, and write the result when the
        quiet period ends: the debounce then costs no time. If another change arrives meanwhile,
        the result is dropped and the usual rebuild follows the quiet period."""
        self._early_tried = True
        pokes = self.debouncer.pokes
        cache = self._open_cache()
        self._repeats.next_pass()
        try:
            prepared = self._prepare(cache)
        except Exception:  # the rebuild after the quiet period meets it again, and says it
            log.debug("could not prepare the rebuild early", exc_info=True)
            return
        if self._settles_since(pokes):
            self._finish("change", self._take_changes("change"), prepared)
        else:
            log.debug("the vault changed during the early analysis; it waits for the quiet period")

    def _settles_since(self, pokes: int) -> bool:
        """Wait for the end of the quiet period; whether it ended with no event since `pokes`."""
        while not self._stop.is_set() and self.debouncer.pokes == pokes:
            remaining = self.debouncer.remaining()
            if remaining is None:  # the supervisor dropped the changes (vault folder gone)
                return False
            if remaining <= 0:
                return True
            self._drain(remaining)
        return False

    def _prepare(self, cache: ParseCache | None) -> PreparedRebuild:
        """Read, analyse and render the vault; generated files the breaker holds stay as they are."""
        return prepare_rebuild(self.config, now=self.now, cache=cache, hold=frozenset(self.breaker.held))

    def _take_changes(self, why: str) -> list[str]:
        """The changed paths a rebuild now handles (for its status line); the watcher starts afresh.

        A change handled before the full rescan that starts the watcher (or follows a restart of
        its observer) leaves that rescan due: events may have been lost meanwhile, and a change's
        rebuild looks only where events came from."""
        changes = sorted(self.changes)
        self.changes.clear()
        self._foreign.clear()
        self.debouncer.reset()
        if why != "change" or not self._starting:
            self._next_reconcile = self.clock() + self.timing.reconcile_every
            self._starting = False
        self._early_tried = False
        return changes

    def _finish(self, why: str, changes: list[str], prepared: PreparedRebuild) -> None:
        """Write a prepared rebuild, remember its files and say what it did."""
        report = self._guarded(prepared.write)
        if report is None:
            return
        self._remember_outputs(report)
        if report.reused and why != "start":
            return  # nothing changed (a touch, a reconciliation): nothing to say
        self.rebuild_count += 1
        self.status(_status_line(why, changes, report, report.seconds))

    def _guarded(self, work: Callable[[], _T]) -> _T | None:
        """`work()`, or None when it failed: the failure is logged as one line and counted."""
        try:
            return work()
        except TlvaultError as exc:
            self.errors += 1
            log.error("%s", exc)
        except Exception as exc:  # a bug must not end the watch: say it once and keep going
            self.errors += 1
            log.error("rebuild failed (%s: %s); the watcher goes on", type(exc).__name__, exc, exc_info=True)
        return None

    def _verify(self, cache: ParseCache) -> None:
        """Re-hash every cached note, so that an edit that kept size and mtime is not missed."""
        stale = cache.verify(self.config.vault)
        if stale:
            log.info("%d notes changed without a new modification time; reading them again", len(stale))

    def _remember_outputs(self, report: Report) -> None:
        """The bytes of every generated file now on disk, to recognise tlvault's own writes."""
        written: dict[str, str] = {}
        output = self.config.output_path
        if output.is_dir() and not output.is_symlink():
            for path in output.rglob("*"):
                if path.is_file() and not path.is_symlink():
                    rel = path.relative_to(output).as_posix()
                    try:
                        written[rel] = content_hash(path.read_bytes())
                    except OSError:
                        continue
        self.written = written
        self.link_targets = report.link_targets

    # -- supervision -----------------------------------------------------------------------

    def _supervise(self) -> None:
        """Keep the observer running on the right folder, and the config current."""
        self._reload_config_if_changed()
        try:
            identity = vault_identity(self.config.vault)
        except OSError:
            if not self._vault_missing:
                log.error("vault folder disappeared: %s; waiting for it to come back", self.config.vault)
                self._vault_missing = True
                self._stop_observer()
                self.debouncer.reset()
                self.changes.clear()
            return
        if self._vault_missing or identity != self._identity:
            if self._vault_missing:
                log.warning("vault folder is back: %s; reading it again", self.config.vault)
            self._vault_missing = False
            self._restart(identity)
        elif self._observer is None or not _is_running(self._observer):
            if not self._observer_failed:
                log.warning("the file watcher stopped; restarting it and reading the vault again")
            self._restart(identity)

    def _restart(self, identity: str) -> None:
        """A fresh observer, a fresh cache for the folder, and a full rescan right away."""
        self._stop_observer()
        if self._cache is not None and self._identity != identity:
            self._cache.close()
            self._cache = None
        self._identity = identity
        try:
            self._observer = self._start_observer()
        except OSError as exc:
            # The folder may be vanishing under us (a sync tool, `rm -r`): the next tick either
            # finds it gone and says so, or tries again. Say it once, not once per tick.
            if not self._observer_failed:
                log.warning("cannot watch the vault yet (%s); trying again", exc)
            self._observer_failed = True
            return
        self._observer_failed = False
        self._next_reconcile = self.clock()  # every restart begins with a full rescan
        self._starting = True

    def _start_observer(self) -> BaseObserver:
        folders = _count_folders(self.config.vault)
        limit = _inotify_limit()
        handler = _Enqueue(self.events)
        if limit is not None and folders >= limit * 0.9:
            log.warning(
                "the vault has %d folders, close to the limit of %d inotify watches; "
                "watching by polling instead (raise fs.inotify.max_user_watches to avoid it)",
                folders,
                limit,
            )
            return _started(PollingObserver(), self.config.vault, handler)
        try:
            return _started(Observer(), self.config.vault, handler)
        except FileNotFoundError:
            raise  # the folder went away while starting: polling would not find it either
        except OSError as exc:
            log.warning("cannot watch the vault for changes (%s); watching by polling instead", exc)
            return _started(PollingObserver(), self.config.vault, handler)

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            if observer.is_alive():
                observer.join(timeout=5)

    def _open_cache(self) -> ParseCache | None:
        if self.use_cache and self._cache is None:
            try:
                self._cache = ParseCache.open(self.config.vault)
                self._cache.keep_outcomes = True
            except OSError as exc:
                log.warning("cannot open the cache (%s); running without it", exc)
        return self._cache

    def _reload_config_if_changed(self) -> None:
        """Reload the config file once it has stopped changing (an editor may still be writing it)."""
        stamp = self._stamp(self.config.source)
        if self.reload_config is None or stamp == self._config_stamp:
            self._config_candidate = None
            return
        if self._config_candidate is None or self._config_candidate[0] != stamp:
            self._config_candidate = (stamp, self.clock())
            return
        if self.clock() - self._config_candidate[1] < self.timing.quiet:
            return
        self._config_candidate = None
        self._config_stamp = stamp
        try:
            fresh = self.reload_config()
        except ConfigError as exc:
            log.error("%s; keeping the last good configuration", str(exc).replace("\n", "; "))
            return
        if fresh == self.config:
            return
        log.warning("configuration reloaded from %s", fresh.source)
        moved = fresh.vault != self.config.vault
        self.config = fresh
        if moved:
            self._identity = None  # the supervisor starts watching the new folder
            if self._cache is not None:
                self._cache.close()
                self._cache = None
        self.changes.add(str(fresh.source))
        self.debouncer.poke()

    @staticmethod
    def _stamp(path: Path | None) -> tuple[int, int] | None:
        if path is None:
            return None
        try:
            info = path.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size


class _RepeatFilter(logging.Filter):
    """Each rebuild repeats the warnings of notes that did not change: show only new ones."""

    def __init__(self) -> None:
        super().__init__()
        self.previous: set[str] = set()
        self.current: set[str] = set()

    def next_pass(self) -> None:
        """A rebuild starts: what the last one said is now old news."""
        self.previous, self.current = self.current, set()

    def filter(self, record: logging.LogRecord) -> bool:
        """Let a warning through unless the previous rebuild gave it already."""
        if record.levelno != logging.WARNING:
            return True
        message = record.getMessage()
        self.current.add(message)
        return message not in self.previous


def _log_handlers() -> list[logging.Handler]:
    """The handlers that show tlvault's messages (its own, and the root's when it propagates)."""
    logger = logging.getLogger("tlvault")
    handlers = list(logger.handlers)
    if logger.propagate:
        handlers.extend(logging.getLogger().handlers)
    return handlers


def _started(observer: BaseObserver, vault: Path, handler: FileSystemEventHandler) -> BaseObserver:
    observer.schedule(handler, str(vault), recursive=True, follow_symlink=False)
    observer.daemon = True
    observer.start()
    return observer


def _is_running(observer: BaseObserver) -> bool:
    return observer.is_alive() and all(emitter.is_alive() for emitter in observer.emitters)


def _count_folders(vault: Path) -> int:
    """Folders an inotify observer would watch (hidden ones included: watchdog watches them too)."""
    count = 1
    for _, folders, _ in os.walk(vault):
        count += len(folders)
    return count


def _inotify_limit() -> int | None:
    """The lowest inotify watch limit that applies to this process, if the system has one."""
    limits = []
    for name in _WATCH_LIMIT_FILES:
        try:
            limits.append(int(Path(name).read_text().strip()))
        except (OSError, ValueError):
            continue
    return min(limits) if limits else None


def _status_line(why: str, changes: list[str], report: Report, seconds: float) -> str:
    """One line per rebuild: when, what changed, what was written, how long it took."""
    stamp = datetime.now().strftime("%H:%M:%S")
    if why == "start":
        what = "vault read"
    elif not changes:
        what = "vault read again"
    elif len(changes) == 1:
        what = f"{changes[0]} changed"
    else:
        what = f"{len(changes)} paths changed"
    written = len(report.written)
    files = "1 file" if written == 1 else f"{written} files"
    return f"{stamp} {what}: {files} written, {report.unchanged_count} unchanged ({seconds:.2f} s)"
