"""ParseCache: parsed notes kept in SQLite outside the vault, so that a warm run parses nothing.

One file per vault in the user cache directory (`TLVAULT_CACHE_DIR` overrides it), named after
the vault's resolved path. A row holds a file's size, mtime and content hash and the parse
outcome; a row whose size and mtime match the file is reused as it is, and a row whose content
hash matches after a touch is reused with the new mtime. The cache is disposable: a corrupt,
foreign (another vault's) or other-schema file is discarded with one warning and rebuilt, and
a cache that cannot be written is simply not used. Results never depend on it.

The last clean rebuild is remembered too (`RunRecord`): the fingerprint of everything it read
and the hash of every file it wrote. A rebuild that finds the same fingerprint and the same
files on disk has nothing to do.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs

from tlvault import __version__
from tlvault.model import Note, Skipped, SourceFile

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # bump when a cached object's shape changes: old caches are then discarded
_APPLICATION_ID = 0x746C7631  # "tlv1": marks the SQLite file as tlvault's

Outcome = Note | Skipped
CacheEntry = tuple[str, int, int, str, Outcome, bytes | None]  # rel, size, mtime_ns, digest, outcome, blob
_Statements = list[tuple[str, list[tuple[Any, ...]]]]  # SQL and the parameters of each execution
# Rows per INSERT or DELETE statement (5 parameters a row, within SQLite's oldest limit of 999): a
# write in the background takes the GIL back once per statement, not once per row, so that it is
# not slowed down to the interpreter's switch interval (5 ms) per row by a busy main thread.
_ROWS_PER_STATEMENT = 199
_DELETE = "DELETE FROM notes WHERE rel IN ({})"


@dataclass(frozen=True, slots=True)
class CachedFile:
    """What the cache knows of one note file; the outcome is unpickled only when asked for."""

    size: int
    mtime_ns: int
    digest: str  # content hash (BLAKE2b, hex)
    blob: bytes  # the pickled Note or Skipped

    @classmethod
    def of(
        cls, size: int, mtime_ns: int, digest: str, outcome: Outcome, blob: bytes | None = None
    ) -> CachedFile:
        """An entry for a freshly parsed outcome (`blob`: the outcome already pickled, if at hand)."""
        return cls(size, mtime_ns, digest, blob if blob is not None else pickle_outcome(outcome))

    def outcome(self) -> Outcome | None:
        """The cached Note or Skipped; None when the entry cannot be read back (then parse again)."""
        try:
            outcome = pickle.loads(self.blob)
        except Exception:  # a damaged entry costs a parse, nothing more
            return None
        return outcome if isinstance(outcome, Note | Skipped) else None


@dataclass(frozen=True)
class RunRecord:
    """The last clean rebuild: what it read (fingerprint), what it wrote, what it reported."""

    fingerprint: str
    outputs: Mapping[str, str]  # output-relative generated file -> content hash as written
    report: Any  # the Report of that run, replayed when nothing changed


def pickle_outcome(outcome: Outcome) -> bytes:
    """A parse outcome as the cache stores it (parse workers make it, so the main process does not)."""
    return pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)


def content_hash(data: bytes) -> str:
    """The hash by which the cache and the watcher recognise a file's content."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """tlvault's version and a hash of its modules: changed code (a parser fix, a new score)
    invalidates the cache and the last run's record even when the version number did not move."""
    digest = hashlib.sha256(__version__.encode("utf-8"))
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode("utf-8") + b"\0" + module.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def cache_folder() -> Path:
    """Where caches live: `TLVAULT_CACHE_DIR`, else the platform's user cache directory."""
    return Path(os.environ.get("TLVAULT_CACHE_DIR") or platformdirs.user_cache_dir("tlvault"))


def vault_key(vault: Path) -> str:
    """A file-name-safe key of a vault: its folder name and a hash of its resolved path."""
    resolved = str(vault.resolve())
    return f"{vault.resolve().name or 'vault'}-{hashlib.sha256(resolved.encode('utf-8')).hexdigest()[:12]}"


def vault_identity(vault: Path) -> str:
    """The vault's resolved path and folder inode: a deleted and recreated folder is another vault."""
    info = vault.stat()
    return f"{vault.resolve()}\0{info.st_dev}:{info.st_ino}"


class ParseCache:
    """The parse cache of one vault; every method tolerates a broken cache by dropping it."""

    def __init__(self, path: Path, identity: str) -> None:
        self.path = path
        self.identity = identity
        self.files: dict[str, CachedFile] = {}
        self.run: RunRecord | None = None
        # A watcher's cache lives between rebuilds: it keeps outcomes unpickled, and it writes the
        # last run's record to the database at `flush()` and `close()`, not after every rebuild.
        self.keep_outcomes = False
        self._run_unwritten = False  # `run` is newer than the database's record
        self._outcomes: dict[str, tuple[str, Outcome]] = {}  # rel -> (digest, outcome)
        self._connection: sqlite3.Connection | None = None
        self._writer: threading.Thread | None = None  # a store still being written (background=True)
        self._writer_failure: BaseException | None = None

    @classmethod
    def open(cls, vault: Path, folder: Path | None = None) -> ParseCache:
        """The cache of `vault`, loaded; an unusable cache is replaced by an empty one (one warning)."""
        folder = folder or cache_folder()
        cache = cls(folder / f"{vault_key(vault)}.sqlite", vault_identity(vault))
        cache._load()
        return cache

    @property
    def is_enabled(self) -> bool:
        """False when the cache could not be opened or written: the run goes on without it."""
        return self._connection is not None

    def lookup(self, rel: str, size: int, mtime_ns: int) -> Outcome | None:
        """The cached outcome of a file whose size and mtime have not changed, else None."""
        cached = self.files.get(rel)
        if cached is None or cached.size != size or cached.mtime_ns != mtime_ns:
            return None
        kept = self._outcomes.get(rel)
        if kept is not None and kept[0] == cached.digest:
            return kept[1]
        outcome = cached.outcome()
        if outcome is not None and self.keep_outcomes:
            self._outcomes[rel] = (cached.digest, outcome)
        return outcome

    def lookup_all(self, sources: Iterable[SourceFile]) -> list[Outcome | None]:
        """`lookup` of every source, in order; one loop with the dictionaries at hand (10,000
        method calls cost a watcher 10 ms per rebuild)."""
        files, kept = self.files.get, self._outcomes.get
        found: list[Outcome | None] = []
        for source in sources:
            cached = files(source.rel)
            if cached is None or cached.size != source.size or cached.mtime_ns != source.mtime_ns:
                found.append(None)
                continue
            outcome = kept(source.rel)
            if outcome is not None and outcome[0] == cached.digest:
                found.append(outcome[1])
            else:
                found.append(self.lookup(source.rel, source.size, source.mtime_ns))
        return found

    def store(
        self, entries: Iterable[CacheEntry], present: Iterable[str], *, background: bool = False
    ) -> None:
        """Remember new outcomes (rel, size, mtime_ns, digest, outcome, pickled outcome or None)
        and forget files that are gone (`present`: every note rel now). With `background`, the
        database is written in a thread (one transaction, as always) while the caller goes on;
        every later use of the database, and `settle()`, waits for it."""
        updates = []
        for rel, size, mtime_ns, digest, outcome, blob in entries:
            cached = CachedFile.of(size, mtime_ns, digest, outcome, blob)
            self.files[rel] = cached
            updates.append((rel, cached))
            if self.keep_outcomes:
                self._outcomes[rel] = (digest, outcome)
        gone = set(self.files).difference(present)
        for rel in gone:
            del self.files[rel]
            self._outcomes.pop(rel, None)
        if not updates and not gone:
            return
        rows = [(rel, c.size, c.mtime_ns, c.digest, c.blob) for rel, c in updates]
        statements = [
            *_batched("INSERT OR REPLACE INTO notes VALUES {}", "(?, ?, ?, ?, ?)", rows),
            *_batched(_DELETE, "?", [(rel,) for rel in sorted(gone)]),
        ]
        if not background:
            self._execute_many(statements)
            return
        self.settle()
        if self._connection is not None:
            self._writer = threading.Thread(target=self._write_behind, args=(statements,), name="cache-store")
            self._writer.start()

    def settle(self) -> None:
        """Wait until a store written in the background is in the database (or has failed)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.join()
        failure, self._writer_failure = self._writer_failure, None
        if failure is not None:
            raise failure

    def verify(self, vault: Path) -> list[str]:
        """Re-hash every cached note and forget those whose content changed behind an unchanged
        size and mtime (so the next run parses them); returns their rels."""
        stale = []
        for rel, cached in list(self.files.items()):
            try:
                digest = content_hash((vault / rel).read_bytes())
            except OSError:
                digest = None
            if digest != cached.digest:
                stale.append(rel)
                del self.files[rel]
        if stale:
            self.run = None
            self._execute_many(_batched(_DELETE, "?", [(rel,) for rel in stale]))
        return stale

    def remember_run(self, run: RunRecord | None) -> None:
        """Record the last clean rebuild (None forgets it, so the next rebuild does the full work).

        A watcher's cache (`keep_outcomes`) keeps a record in memory until `flush()` or `close()`:
        pickling it and writing some 2 MB to SQLite cost 40 ms of every edit's rebuild on a
        10k-note vault, and only another process reads it. An older record left in the database
        meanwhile (the watcher killed) is harmless: it is replayed only when the vault and every
        generated file are again exactly as that run left them. Forgetting is written at once."""
        self.run = run
        self._run_unwritten = run is not None and self.keep_outcomes
        if not self._run_unwritten:
            self._write_run(run)

    def flush(self) -> None:
        """Write the last run's record if only memory holds it."""
        if self._run_unwritten:
            self._run_unwritten = False
            self._write_run(self.run)

    def _write_run(self, run: RunRecord | None) -> None:
        blob = None if run is None else pickle.dumps(run, pickle.HIGHEST_PROTOCOL)
        self._execute_many([("INSERT OR REPLACE INTO meta VALUES ('run', ?)", [(blob,)])])

    def close(self) -> None:
        """Close the database once any background store and the last run's record are written; the
        loaded rows stay usable."""
        self.flush()
        self.settle()
        self._disconnect()

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _load(self) -> None:
        if self.path.is_file() and self.path.stat().st_size == 0:  # a crash before SQLite wrote anything
            log.info("cache %s is empty; rebuilding it", self.path)
            self._start_afresh()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = self._connect()
            self._read_all(self._connection)
        except _ForeignCacheError as exc:
            log.info("cache %s %s; rebuilding it", self.path, exc)
            self._start_afresh()
        except (OSError, sqlite3.OperationalError) as exc:
            if not self.path.is_file():  # the folder cannot be written: no cache this time
                log.warning("cache %s cannot be used (%s); running without it", self.path, exc)
                self.close()
                return
            log.warning("cache %s is unreadable (%s); rebuilding it", self.path, exc)
            self._start_afresh()
        except (
            sqlite3.Error,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            TypeError,
            ValueError,
        ) as exc:
            log.warning("cache %s is unreadable (%s); rebuilding it", self.path, exc)
            self._start_afresh()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")  # readers never see a half-written transaction
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def _read_all(self, connection: sqlite3.Connection) -> None:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables and application_id == 0 and version == 0:  # a new (or 0-byte) file
            self._create(connection)
            return
        if application_id != _APPLICATION_ID:
            raise _ForeignCacheError("is not a tlvault cache")
        if version != SCHEMA_VERSION:
            raise _ForeignCacheError(f"has schema version {version}, this tlvault uses {SCHEMA_VERSION}")
        meta = dict(connection.execute("SELECT key, value FROM meta"))
        if meta.get("identity") != self.identity.encode("utf-8"):
            raise _ForeignCacheError("belongs to another vault folder")
        if meta.get("tlvault") != code_version().encode("utf-8"):
            raise _ForeignCacheError("was written by another version of tlvault")
        for rel, size, mtime_ns, digest, blob in connection.execute("SELECT * FROM notes"):
            self.files[rel] = CachedFile(size, mtime_ns, digest, blob)
        run = meta.get("run")
        self.run = pickle.loads(run) if run else None

    def _create(self, connection: sqlite3.Connection) -> None:
        connection.executescript(
            f"""
            BEGIN;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB);
            CREATE TABLE notes (
                rel TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, digest TEXT, outcome BLOB
            );
            PRAGMA application_id = {_APPLICATION_ID};
            PRAGMA user_version = {SCHEMA_VERSION};
            COMMIT;
            """
        )
        connection.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("identity", self.identity.encode("utf-8")), ("tlvault", code_version().encode("utf-8"))],
        )

    def _start_afresh(self) -> None:
        """Delete the cache file and create an empty one in its place."""
        self.close()
        self.files.clear()
        self.run = None
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._connection = self._connect()
            self._create(self._connection)
        except (OSError, sqlite3.Error) as exc:
            log.warning("cache %s cannot be rebuilt (%s); running without it", self.path, exc)
            self.close()

    def _execute_many(self, statements: _Statements) -> None:
        """Run statements in one transaction, after any store still being written."""
        self.settle()
        self._transaction(statements)

    def _write_behind(self, statements: _Statements) -> None:
        """The background store's thread: its failure is raised by the next `settle()`."""
        try:
            self._transaction(statements)
        except BaseException as exc:  # not lost in the thread: the caller sees it
            self._writer_failure = exc

    def _transaction(self, statements: _Statements) -> None:
        """Run statements in one transaction; a failure disables the cache for this run."""
        if self._connection is None:
            return
        try:
            with self._connection:
                self._connection.execute("BEGIN")
                for sql, rows in statements:
                    self._connection.executemany(sql, rows)
        except sqlite3.Error as exc:
            log.warning("cache %s cannot be written (%s); running without it", self.path, exc)
            self._disconnect()  # not close(): this may be the background store's own thread


def _batched(sql: str, placeholder: str, rows: list[tuple[Any, ...]]) -> _Statements:
    """`sql` with `{}` filled by as many `placeholder`s as rows, _ROWS_PER_STATEMENT rows at most."""
    statements: _Statements = []
    for start in range(0, len(rows), _ROWS_PER_STATEMENT):
        batch = rows[start : start + _ROWS_PER_STATEMENT]
        text = sql.format(", ".join([placeholder] * len(batch)))
        statements.append((text, [tuple(value for row in batch for value in row)]))
    return statements


class _ForeignCacheError(Exception):
    """The cache file is sound but not ours to use: other vault, schema or version."""


def outputs_on_disk(folder: Path, outputs: Mapping[str, str]) -> bool:
    """Whether every generated file still holds exactly the bytes tlvault wrote."""
    for rel, digest in outputs.items():
        try:
            if content_hash((folder / rel).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True
