"""The parse cache, the nothing-changed shortcut and the vault lock (FAULTS C1, C2, C4–C9, L6; PRODUCT 8).

The cache is disposable: every test checks that what tlvault writes with it equals, byte for byte,
what a clean rebuild without it writes for a copy of the vault (`oracle`). Broken, foreign and
other-schema caches cost one log record and are rebuilt; an unwritable cache folder costs one
warning; the cache and the lock never live in the vault. Vaults are the small French `NOTES`
(plus one note with invalid YAML) or a copy of example_vault, always under pytest's tmp_path.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, RunCli, snapshot
from tests.watching import NOTES, TODAY, WriteCounter, generated, oracle, writes
from tlvault.cache import SCHEMA_VERSION, CachedFile, ParseCache, RunRecord, cache_folder, vault_key
from tlvault.config import Config, default_config
from tlvault.lock import lock_path, vault_lock
from tlvault.model import Note, SourceFile
from tlvault.parse import parse_note
from tlvault.pipeline import parse_sources, read_vault, rebuild
from tlvault.report import Report
from tlvault.scan import scan_vault

__all__ = ["writes"]

NOW = TODAY.isoformat()
BROKEN = "4 - Archives/Cassée.md"  # invalid YAML: read with one warning, on every run
NEWSLETTER = "3 - Contenus/Newsletter.md"
SMALL: dict[str, str] = {**NOTES, BROKEN: "---\ntitle: [oops\n---\nVoir [[Deep work]].\n"}
KINDS = ("notes", "example")
MARKER = "%% tlvault:begin"
CACHE_FILES = re.compile(r"\.sqlite|\.lock$|-wal$|-shm$|-journal$")


# -- helpers --------------------------------------------------------------------------------


def new_vault(root: Path, kind: str) -> Config:
    """A fresh vault at `root`: `notes` (SMALL) or `clean` (NOTES), without output yet, or a copy of
    example_vault (with its output)."""
    if kind == "example":
        shutil.copytree(REPO / "example_vault", root)
    else:
        for rel, text in (SMALL if kind == "notes" else NOTES).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8", newline="")
    return default_config(root)


def build(config: Config, *, cache: bool = True) -> Report:
    """One rebuild as the CLI does it: open the vault's cache, rebuild, close it."""
    opened = ParseCache.open(config.vault) if cache else None
    try:
        return rebuild(config, now=TODAY, cache=opened)
    finally:
        if opened is not None:
            opened.close()


def cache_path(vault: Path) -> Path:
    return cache_folder() / f"{vault_key(vault)}.sqlite"


def cached_files(vault: Path) -> dict[str, CachedFile]:
    """What the vault's cache holds now, read through a fresh ParseCache."""
    cache = ParseCache.open(vault)
    assert cache.is_enabled
    cache.close()
    return cache.files


def facts(report: Report) -> tuple[Any, ...]:
    """Everything a report says about the vault (not about what this run had to write)."""
    counts = (report.notes_count, report.files_count, report.links_count, report.unresolved_count)
    return (*counts, report.tags_count, report.skipped, report.warned, report.insights)


def mtimes(config: Config) -> dict[str, int]:
    return {
        p.relative_to(config.output_path).as_posix(): p.stat().st_mtime_ns
        for p in config.output_path.rglob("*")
    }


def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The rels tlvault parses from now on (small vaults parse in this process)."""
    calls: list[str] = []

    def counting(rel: str, data: bytes | str, mtime_ns: int | None = None) -> Note:
        calls.append(rel)
        return parse_note(rel, data, mtime_ns)

    monkeypatch.setattr("tlvault.pipeline.parse_note", counting)
    return calls


def same_size_edit(path: Path, old: str, new: str) -> None:
    """Change a note's bytes without changing its size or its mtime (what `make` cannot see)."""
    assert len(old.encode()) == len(new.encode())
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8", newline="")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (info.st_size, info.st_mtime_ns)


def problems(logs: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """tlvault's records at info level and above."""
    return [r for r in logs.records if r.name.startswith("tlvault") and r.levelno >= logging.INFO]


# -- 1, 2: the cache changes nothing ----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_output_identical_with_and_without_cache(tmp_path: Path, kind: str) -> None:
    cached, plain = new_vault(tmp_path / "a" / "vault", kind), new_vault(tmp_path / "b" / "vault", kind)
    reference = build(plain, cache=False)
    cold = build(cached)
    assert generated(cached) == generated(plain)
    warm = build(cached)
    assert generated(cached) == generated(plain)
    assert facts(cold) == facts(warm) == facts(reference)
    assert cache_path(cached.vault).is_file() and not cache_path(plain.vault).exists()


@pytest.mark.parametrize("kind", KINDS)
def test_rebuild_json_identical_with_and_without_cache(tmp_path: Path, run_cli: RunCli, kind: str) -> None:
    cached, plain = new_vault(tmp_path / "a" / "vault", kind), new_vault(tmp_path / "b" / "vault", kind)
    documents: list[dict[str, Any]] = []
    for root, options in ((plain.vault, ("--no-cache",)), (cached.vault, ()), (cached.vault, ())):
        result = run_cli("rebuild", "--json", "--now", NOW, *options, root)
        assert result.exit_code == 0, result.stderr
        documents.append(json.loads(result.stdout))
    assert documents[0]["notes"] > 0 and len(documents[0]["warnings"]) == 1  # the invalid YAML
    assert documents[1] == documents[0]
    assert documents[2] == documents[0]  # the warm run (its report replayed or recomputed)
    assert generated(cached) == generated(plain)


def test_parallel_parse_equals_serial_with_and_without_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = new_vault(tmp_path / "vault", "example")
    sources = scan_vault(config).notes
    serial = parse_sources(sources, jobs=1)
    assert parse_sources(sources, jobs=2, min_parallel=2) == serial
    digests = [digest for _, digest in serial]
    assert parse_sources(sources, jobs=2, min_parallel=2, known=digests) == parse_sources(
        sources, jobs=1, known=digests
    )
    # read_vault itself, through the worker processes, with and without the cache
    defaults = parse_sources.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "min_parallel", 2)

    def read(jobs: int, cache: ParseCache | None) -> tuple[Any, ...]:
        report = Report()
        parsed = read_vault(replace(config, jobs=jobs), report, cache=cache)
        return parsed.notes, parsed.files, parsed.resolved, facts(report)

    cache = ParseCache.open(config.vault)
    before = read(1, None)
    assert read(2, None) == before
    assert read(2, cache) == before  # cold: parsed in workers, stored
    for source in sources:  # touched: the workers hash, the cached outcomes get the new mtime
        os.utime(source.path, ns=(source.mtime_ns, source.mtime_ns + 10**9))
    after = read(1, None)
    assert after != before
    assert read(2, cache) == after
    cache.close()


# -- 3, 4: warm runs --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_warm_rebuild_of_unchanged_vault_is_reused(
    tmp_path: Path, writes: WriteCounter, tlvault_logs: pytest.LogCaptureFixture, kind: str
) -> None:
    config = new_vault(tmp_path / "vault", kind)
    cold = build(config)
    before, stamps, total = generated(config), mtimes(config), writes.total()
    tlvault_logs.clear()
    warm = build(config)
    assert writes.total() == total
    assert generated(config) == before and mtimes(config) == stamps
    assert facts(warm) == facts(cold) and warm.summary().split(";")[:4] == cold.summary().split(";")[:4]
    broken = [w.rel for w in warm.warned if "not valid YAML" in w.reason]
    assert len(broken) == 1
    assert [r.getMessage() for r in problems(tlvault_logs) if broken[0] in r.getMessage()] == [
        f"{w.rel}: {w.reason}" for w in cold.warned if w.rel == broken[0]
    ]
    assert warm.reused is True, "a rebuild right after the first one of this vault redid the analysis"
    assert (warm.written, warm.unchanged_count) == ([], len(before))


def edit_generated(config: Config) -> None:
    path = next(
        p for p in sorted(config.output_path.rglob("*.md")) if MARKER in p.read_text(encoding="utf-8")
    )
    text = path.read_text(encoding="utf-8")
    start = text.index(MARKER)
    cut = text.index("\n", start) + 1
    path.write_text(text[:cut] + "Ma remarque.\n" + text[cut:], encoding="utf-8", newline="")


def delete_generated(config: Config) -> None:
    next(
        p for p in sorted(config.output_path.rglob("*.md")) if MARKER in p.read_text(encoding="utf-8")
    ).unlink()


@pytest.mark.parametrize("damage", [edit_generated, delete_generated], ids=["edited", "deleted"])
def test_damaged_output_is_not_reused_and_restored(tmp_path: Path, damage: Callable[[Config], None]) -> None:
    config = new_vault(tmp_path / "vault", "example")
    build(config)
    assert build(config).reused  # settled: the next unchanged run is the shortcut
    before = generated(config)
    damage(config)
    report = build(config)
    assert report.reused is False
    assert generated(config) == before == oracle(config, tmp_path)


UNDATED = "2 - Idées/Sans date.md"  # no `created`: its modification time is its last activity


@pytest.mark.parametrize(("rel", "reused"), [(NEWSLETTER, True), (UNDATED, False)], ids=["dated", "undated"])
def test_touched_note_is_not_parsed_and_edited_note_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rel: str, reused: bool
) -> None:
    """A touch is never parsed again. When the note has a `created` property its modification time
    cannot change the output, so the whole run is reused; otherwise the engine runs again."""
    config = new_vault(tmp_path / "vault", "notes")
    (config.vault / UNDATED).write_text("Une idée sans date, liée à [[Deep work]].\n", encoding="utf-8")
    build(config)
    calls = parses(monkeypatch)
    note = config.vault / rel
    touched = note.stat().st_mtime_ns + 86_400 * 10**9
    os.utime(note, ns=(touched, touched))
    report = build(config)
    assert calls == [] and report.reused is reused
    assert generated(config) == oracle(config, tmp_path)
    calls.clear()  # the oracle parsed its copy here too
    entry = cached_files(config.vault)[rel]
    assert entry.mtime_ns == touched
    assert entry.outcome() == parse_note(rel, note.read_bytes(), touched)  # the new mtime inside
    note.write_text(note.read_text(encoding="utf-8") + "Et [[Écriture quotidienne]].\n", encoding="utf-8")
    build(config)
    assert calls == [rel]
    assert generated(config) == oracle(config, tmp_path)


# -- 5, 10: broken caches -----------------------------------------------------------------------


def copy_from_other_vault(config: Config, tmp_path: Path) -> None:
    """C5: vault A is B with one note changed behind the same size and mtime; A's cache lands at B's path."""
    other = tmp_path / "other" / "vault"
    shutil.copytree(config.vault, other, ignore=shutil.ignore_patterns("tlvault"))
    same_size_edit(other / NEWSLETTER, "[[Deep work]]", "[[Deep worm]]")
    build(default_config(other))
    shutil.copyfile(cache_path(other), cache_path(config.vault))


def set_schema(version: int) -> Callable[[Config, Path], None]:
    def damage(config: Config, _: Path) -> None:
        connection = sqlite3.connect(cache_path(config.vault))
        connection.execute(f"PRAGMA user_version = {version}")
        connection.commit()
        connection.close()

    return damage


def overwrite(make: Callable[[bytes], bytes]) -> Callable[[Config, Path], None]:
    def damage(config: Config, _: Path) -> None:
        path = cache_path(config.vault)
        path.write_bytes(make(path.read_bytes()))

    return damage


WARNING, INFO = {logging.WARNING}, {logging.INFO}
# case -> (damage, the record's possible levels, words in it): warning when unreadable, info when foreign
BROKEN_CACHES: dict[str, tuple[Callable[[Config, Path], None], set[int], str]] = {
    "C1-garbage": (overwrite(lambda _: os.urandom(8192)), WARNING, "is unreadable"),
    "C2-truncated": (overwrite(lambda data: data[: len(data) // 3]), WARNING, "is unreadable"),
    "C9-empty": (overwrite(lambda _: b""), WARNING | INFO, "rebuilding it"),
    "C4-older-schema": (set_schema(SCHEMA_VERSION - 1), INFO, f"has schema version {SCHEMA_VERSION - 1}"),
    "C4-newer-schema": (set_schema(SCHEMA_VERSION + 1), INFO, f"has schema version {SCHEMA_VERSION + 1}"),
    "C5-other-vault": (copy_from_other_vault, INFO, "belongs to another vault"),
}


@pytest.mark.parametrize("case", BROKEN_CACHES)
def test_broken_cache_is_discarded_once_and_rebuilt(
    tmp_path: Path, tlvault_logs: pytest.LogCaptureFixture, case: str
) -> None:
    damage, levels, words = BROKEN_CACHES[case]
    config = new_vault(tmp_path / "vault", "clean")  # no warning of its own: the cache's is the only one
    os.utime(config.vault / NEWSLETTER, ns=(1_700_000_000 * 10**9,) * 2)
    build(config)
    damage(config, tmp_path)
    tlvault_logs.clear()
    report = build(config)
    records = problems(tlvault_logs)
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].name == "tlvault.cache" and records[0].levelno in levels
    assert str(cache_path(config.vault)) in records[0].getMessage() and words in records[0].getMessage()
    assert report.reused is False
    assert generated(config) == oracle(config, tmp_path)
    assert not any(b"worm" in data for data in generated(config).values())
    tlvault_logs.clear()
    assert sorted(cached_files(config.vault)) == sorted(r for r in NOTES if r.endswith(".md"))
    assert problems(tlvault_logs) == []


def test_damaged_cache_entry_is_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    config = new_vault(tmp_path / "vault", "clean")
    build(config)
    connection = sqlite3.connect(cache_path(config.vault))
    connection.execute("UPDATE notes SET outcome = ? WHERE rel = ?", (b"garbage", NEWSLETTER))
    connection.commit()
    connection.close()
    other = config.vault / "2 - Idées/Deep work.md"
    other.write_text(other.read_text(encoding="utf-8") + "Voir aussi [[Newsletter]].\n", encoding="utf-8")
    calls = parses(monkeypatch)  # the edit above makes the run read the notes: no shortcut
    tlvault_logs.clear()
    report = build(config)
    assert problems(tlvault_logs) == []
    assert sorted(calls) == sorted([NEWSLETTER, "2 - Idées/Deep work.md"])
    assert report.reused is False
    assert generated(config) == oracle(config, tmp_path)
    assert isinstance(cached_files(config.vault)[NEWSLETTER].outcome(), Note)


# -- 6, 7: where the cache lives, and no cache at all -------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_cli_rebuild_changes_nothing_outside_the_output_folder(
    tmp_path: Path, run_cli: RunCli, kind: str
) -> None:
    config = new_vault(tmp_path / "vault", kind)
    before = snapshot(config.vault)
    for _ in range(2):
        result = run_cli("rebuild", "--now", NOW, config.vault)
        assert result.exit_code == 0, result.stderr
        assert snapshot(config.vault) == before
    assert cache_path(config.vault).is_file() and lock_path(config.vault).is_file()
    found = [p for p in config.vault.rglob("*") if CACHE_FILES.search(p.name)]
    assert found == []


def refuse_connect(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr("tlvault.cache.sqlite3.connect", connect)


def cache_under_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "a file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("TLVAULT_CACHE_DIR", str(tmp_path / "a file" / "cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where the lock falls back to


@pytest.mark.parametrize("unwritable", [refuse_connect, cache_under_a_file], ids=["connect", "mkdir"])
def test_unwritable_cache_folder_runs_without_cache(
    tmp_path: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    unwritable: Callable[[pytest.MonkeyPatch, Path], None],
) -> None:
    config = new_vault(tmp_path / "vault", "clean")  # no warning of its own
    unwritable(monkeypatch, tmp_path)
    result = run_cli("rebuild", "--now", NOW, config.vault)
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"tlvault: warning: cache {cache_path(config.vault)} cannot be used (")
    assert lines[0].endswith("); running without it")
    assert generated(config) == oracle(config, tmp_path)
    cache = ParseCache.open(config.vault)
    assert not cache.is_enabled and not cache_path(config.vault).exists()


# -- 8: same size, same mtime ------------------------------------------------------------------


def test_same_size_and_mtime_edit_is_seen_only_by_verify(tmp_path: Path) -> None:
    """Policy (C6): `rebuild` trusts a note's size and mtime, as `make` does, so an edit that keeps
    both is not seen; `ParseCache.verify` re-hashes every cached note and forgets the changed ones,
    after which the next rebuild is exact."""
    config = new_vault(tmp_path / "vault", "notes")
    build(config)
    before = generated(config)
    same_size_edit(config.vault / NEWSLETTER, "[[Deep work]]", "[[Deep worm]]")
    build(config)
    assert generated(config) == before
    truth = oracle(config, tmp_path)
    assert truth != before
    cache = ParseCache.open(config.vault)
    assert cache.verify(config.vault) == [NEWSLETTER]
    rebuild(config, now=TODAY, cache=cache)
    cache.close()
    assert generated(config) == truth
    cache = ParseCache.open(config.vault)
    assert cache.verify(config.vault) == []
    cache.close()


# -- 9: one tlvault per vault -------------------------------------------------------------------


def test_rebuild_refused_while_the_vault_is_locked(
    tmp_path: Path, run_cli: RunCli, writes: WriteCounter
) -> None:
    config = new_vault(tmp_path / "vault", "notes")
    with vault_lock(config.vault):
        result = run_cli("rebuild", "--now", NOW, config.vault)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert f"another tlvault is running on {config.vault}" in result.stderr
    assert writes.total() == 0 and not config.output_path.exists()
    assert not cache_path(config.vault).exists()
    assert run_cli("rebuild", "--now", NOW, config.vault).exit_code == 0
    assert generated(config) == oracle(config, tmp_path)
    assert lock_path(config.vault).is_file()
    assert not lock_path(config.vault).resolve().is_relative_to(config.vault.resolve())


# -- a store written in the background ------------------------------------------------------


def _entries(count: int) -> list[tuple[str, int, int, str, Note, None]]:
    """`count` cache entries (more than one INSERT statement's worth when count > 199)."""
    notes = [
        parse_note(f"Note {i}.md", f"# Note {i}\n\nSur [[Note {i + 1}]].\n".encode(), 0) for i in range(count)
    ]
    return [(note.rel, 30 + i, 1000 + i, f"{i:032x}", note, None) for i, note in enumerate(notes)]


def _rows(path: Path) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT * FROM notes ORDER BY rel").fetchall()
    finally:
        connection.close()


def test_background_store_writes_what_a_store_writes(tmp_path: Path) -> None:
    """Same rows in the database, in both orders of many inserts and deletions (several statements
    each), once the background store has settled."""
    entries = _entries(450)
    databases = []
    for background in (False, True):
        vault = tmp_path / f"vault-{background}"
        vault.mkdir()
        cache = ParseCache.open(vault)
        cache.store(entries, present=[entry[0] for entry in entries], background=background)
        kept = entries[::2]
        cache.store(kept[:3], present=[entry[0] for entry in kept], background=background)  # 225 gone
        cache.settle()
        assert cache.is_enabled
        assert sorted(cache.files) == sorted(entry[0] for entry in kept)
        cache.close()
        databases.append(_rows(cache_path(vault)))
        assert cached_files(vault) == cache.files
    assert databases[0] == databases[1]
    assert len(databases[0]) == 225


def test_rebuild_leaves_its_background_store_written(tmp_path: Path) -> None:
    """rebuild() returns once the parse's store is in the database, even with the cache still open
    and no run to remember (a dry run)."""
    config = new_vault(tmp_path / "vault", "notes")
    cache = ParseCache.open(config.vault)
    rebuild(config, now=TODAY, cache=cache, dry_run=True)
    assert cache._writer is None
    assert cached_files(config.vault) == cache.files
    cache.close()


def test_failed_background_store_writes_nothing_and_disables_the_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One transaction over all statements: a failure in the last one leaves none of the rows
    before it (as a kill -9 would), and the cache is then off for the run with one warning."""
    entries = _entries(450)
    cache = ParseCache.open(tmp_path)
    broken = (*entries[-1][:3], object(), *entries[-1][4:])  # a digest SQLite cannot bind
    with caplog.at_level(logging.WARNING, logger="tlvault"):
        cache.store([*entries[:-1], broken], present=[entry[0] for entry in entries], background=True)  # type: ignore[list-item]
        cache.settle()
    assert not cache.is_enabled
    assert "cannot be written" in caplog.text
    assert _rows(cache_path(tmp_path)) == []


def test_background_store_failure_is_raised_by_settle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ParseCache.open(tmp_path)

    def fail(statements: object) -> None:
        raise MemoryError

    monkeypatch.setattr(cache, "_transaction", fail)
    cache.store(_entries(3), present=[], background=True)
    with pytest.raises(MemoryError):
        cache.settle()
    cache.settle()  # raised once
    cache.close()


def stored_run(vault: Path) -> RunRecord | None:
    """The run record the vault's cache database holds now, read through a fresh ParseCache."""
    cache = ParseCache.open(vault)
    cache.close()
    return cache.run


def test_a_watchers_cache_writes_its_run_record_at_flush_and_close(tmp_path: Path) -> None:
    """A watcher's cache (`keep_outcomes`) keeps each run's record in memory until `flush()` or
    `close()`; a one-shot cache writes it at once."""
    config = new_vault(tmp_path / "vault", "notes")
    cache = ParseCache.open(config.vault)
    rebuild(config, now=TODAY, cache=cache)
    assert cache.run is not None and stored_run(config.vault) == cache.run  # one-shot: at once
    cache.keep_outcomes = True
    (config.vault / "Nouvelle.md").write_text("# Nouvelle\n\nVers [[Ailleurs]].\n", encoding="utf-8")
    rebuild(config, now=TODAY, cache=cache)
    first = cache.run
    assert first is not None and stored_run(config.vault) != first  # still the one before
    cache.flush()
    assert stored_run(config.vault) == first
    (config.vault / "Nouvelle.md").unlink()
    rebuild(config, now=TODAY, cache=cache)
    assert cache.run is not None and cache.run != first
    cache.close()
    assert stored_run(config.vault) == cache.run


def test_lookup_all_finds_what_lookup_finds(tmp_path: Path) -> None:
    entries = _entries(6)
    for keep in (False, True):
        cache = ParseCache.open(tmp_path)
        cache.keep_outcomes = keep
        cache.store(entries, present=[entry[0] for entry in entries])
        other = parse_note("Autre.md", b"# Autre\n", 0)  # a row another way put there: not the kept one
        cache.files[entries[3][0]] = CachedFile.of(entries[3][1], entries[3][2], "f" * 32, other)
        sources = [SourceFile(str(tmp_path / rel), rel, size, mtime) for rel, size, mtime, *_ in entries]
        sources[1] = replace(sources[1], size=sources[1].size + 1)  # edited
        sources[2] = replace(sources[2], mtime_ns=sources[2].mtime_ns + 1)  # touched
        sources.append(SourceFile(str(tmp_path / "nouvelle.md"), "nouvelle.md", 1, 1))  # new
        found = cache.lookup_all(sources)  # first: `lookup` keeps what it unpickles
        expected = [cache.lookup(source.rel, source.size, source.mtime_ns) for source in sources]
        assert found == expected
        assert [outcome is None for outcome in expected] == [False, True, True, False, False, False, True]
        assert expected[3] == other
        cache.close()
