"""The live watcher with a real watchdog observer on temporary vaults (FAULTS.md W, L and O cases).

Unit tests first (the debouncer on a fake clock, the path filter, the circuit breaker), then the
watcher running in a thread on a real vault. Every watcher test ends with the generated files
equal to what a clean rebuild of the same vault writes (the oracle), the watcher alive, and the
user's files the test did not touch unchanged. Timing-sensitive cases assert bounds, and fixed
sleeps are only used for windows in which nothing more may happen.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.api import BaseObserver

from tests.conftest import MakeVault, Snapshot, snapshot
from tests.watching import (
    FAST,
    NOTES,
    WriteCounter,
    generated,
    oracle,
    running_watcher,
    settled,
    wait_until,
    writes,
)
from tlvault import pipeline, watch
from tlvault.config import Config, default_config, load_config
from tlvault.model import STATE_REL, Note
from tlvault.parse import parse_note
from tlvault.report import Report
from tlvault.watch import Debouncer, Watcher, _Breaker, classify
from tlvault.write import backup_folder

__all__ = ["writes"]

INDEX = "Idées à cultiver.md"
HEALTH = "Santé du coffre.md"
DEEP_WORK = "2 - Idées/Deep work.md"
NEWSLETTER = "3 - Contenus/Newsletter.md"
WATCH_THREAD = "tlvault-watch"  # the thread name `running_watcher` gives the watcher


# -- helpers -----------------------------------------------------------------------------------


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass."""
        self.now += seconds


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times the watcher's thread parsed each note (the oracle's parses are not counted)."""
    counter: Counter[str] = Counter()
    lock = threading.Lock()
    real = parse_note

    def counting(rel: str, data: bytes | str, mtime_ns: int | None = None) -> Note:
        if threading.current_thread().name == WATCH_THREAD:
            with lock:
                counter[rel] += 1
        return real(rel, data, mtime_ns)

    monkeypatch.setattr("tlvault.pipeline.parse_note", counting)
    return counter


def outputs(config: Config) -> dict[str, bytes]:
    """`generated(config)`, read again when a rebuild renames or removes a file during the read."""
    for _ in range(100):
        try:
            return generated(config)
        except OSError:
            time.sleep(0.01)
    return generated(config)


def health(config: Config) -> str:
    """The generated vault-health note (the language-neutral probe of what the last rebuild read)."""
    for name in (HEALTH, "Vault health.md"):
        with contextlib.suppress(FileNotFoundError):  # not there, or retired by a language switch
            return (config.output_path / name).read_text(encoding="utf-8")
    return ""


def unresolved(config: Config, target: str) -> bool:
    """Whether the health note lists `target` as an unresolved link."""
    return f"`{target}`" in health(config)


def mentions(config: Config, text: str) -> bool:
    """Whether any generated file (state included) contains `text`."""
    needle = text.encode("utf-8")
    return any(needle in data for data in outputs(config).values())


def vault_writes(writes: WriteCounter, config: Config) -> Counter[str]:
    """Writes of this vault's generated files (the oracle's copies are not counted)."""
    root = str(config.output_path) + os.sep
    with writes.lock:
        return Counter({path: n for path, n in writes.counts.items() if path.startswith(root)})


def tlvault_errors(logs: pytest.LogCaptureFixture) -> list[str]:
    """Captured errors of tlvault's own loggers."""
    return [
        r.getMessage() for r in logs.records if r.levelno >= logging.ERROR and r.name.startswith("tlvault")
    ]


def watcher_records(logs: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Records the watcher's thread logged (the oracle's rebuilds log from the test's thread)."""
    return [r for r in logs.records if r.threadName == WATCH_THREAD and r.name.startswith("tlvault")]


def messages(logs: pytest.LogCaptureFixture, level: int, text: str) -> list[str]:
    """The watcher's messages of exactly `level` that contain `text`."""
    return [r.getMessage() for r in watcher_records(logs) if r.levelno == level and text in r.getMessage()]


def atomic_write(path: Path, text: str) -> None:
    """An editor's atomic save: a temporary file in the same folder, then `os.replace`."""
    temp = path.with_name(f".{path.name}.abc.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def append(path: Path, text: str) -> None:
    """An in-place save that adds `text` at the end of a note."""
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def converged(config: Config, scratch: Path) -> bool:
    """`settled`, tolerating a rebuild that replaces or removes a file while the oracle copies the vault."""
    try:
        return settled(config, scratch)
    except OSError:  # shutil.Error included: try again once that rebuild is done
        return False


def assert_converges(config: Config, scratch: Path, timeout: float = 10.0) -> None:
    """Wait until the generated files equal the oracle's; on failure, show the difference."""
    with contextlib.suppress(AssertionError):  # the assertion below fails with a readable diff
        wait_until(lambda: converged(config, scratch), timeout, interval=0.1)
    assert generated(config) == oracle(config, scratch)


def assert_untouched(before: Snapshot, vault: Path, touched: Iterable[str] = ()) -> None:
    """User files the test did not touch are byte-, mtime- and mode-identical; no tlvault temp
    file is left anywhere in the vault."""
    prefixes = [rel.replace("/", os.sep) for rel in touched]

    def mine(rel: str) -> bool:
        return any(rel == p or rel.startswith(p + os.sep) for p in prefixes)

    after = snapshot(vault)
    assert {k: v for k, v in after.items() if not mine(k)} == {k: v for k, v in before.items() if not mine(k)}
    assert not [p for p in vault.rglob("*.tlvault-tmp")], "tlvault left temporary files"


@pytest.fixture
def vault_config(make_vault: MakeVault) -> Config:
    """The small French vault of tests/watching.py, with the default configuration."""
    return default_config(make_vault(NOTES))


# -- unit: debouncer ----------------------------------------------------------------------------


def test_debouncer_waits_for_quiet_after_the_last_event() -> None:
    clock = FakeClock()
    debouncer = Debouncer(quiet=0.5, max_delay=5.0, clock=clock)
    assert not debouncer.is_pending()
    assert debouncer.remaining() is None
    debouncer.poke()
    assert debouncer.is_pending()
    assert debouncer.remaining() == pytest.approx(0.5)
    clock.advance(0.3)
    assert debouncer.remaining() == pytest.approx(0.2)
    debouncer.poke()  # a new event pushes the rebuild back
    assert debouncer.remaining() == pytest.approx(0.5)
    clock.advance(0.49)
    assert debouncer.remaining() == pytest.approx(0.01)
    clock.advance(0.01)
    assert debouncer.remaining() == 0
    clock.advance(10.0)
    assert debouncer.remaining() == 0  # never negative


def test_debouncer_ceiling_bounds_a_continuous_burst() -> None:
    clock = FakeClock()
    debouncer = Debouncer(quiet=1.0, max_delay=3.0, clock=clock)
    debouncer.poke()
    for _ in range(5):  # an event every 0.5 s: the quiet window alone would never end
        clock.advance(0.5)
        debouncer.poke()
        assert debouncer.remaining() == pytest.approx(min(1.0, 3.0 - clock.now))
    clock.advance(0.5)  # 3 s after the first event
    debouncer.poke()
    assert debouncer.remaining() == 0


def test_debouncer_reset_starts_a_new_burst() -> None:
    clock = FakeClock()
    debouncer = Debouncer(quiet=1.0, max_delay=3.0, clock=clock)
    debouncer.poke()
    clock.advance(2.5)
    debouncer.poke()
    debouncer.reset()
    assert not debouncer.is_pending()
    assert debouncer.remaining() is None
    clock.advance(1.0)
    debouncer.poke()  # the ceiling counts from this burst's first event, not the old one
    assert debouncer.remaining() == pytest.approx(1.0)
    clock.advance(0.9)
    debouncer.poke()
    assert debouncer.remaining() == pytest.approx(1.0)


# -- unit: classify ---------------------------------------------------------------------------

CLASSIFY_CASES = [
    # dot folders and files (Obsidian's config, its trash, git, a renamed config folder)
    (".obsidian/x", "ignore"),
    (".obsidian/workspace.json", "ignore"),
    (".obsidian", "ignore"),
    (".trash/x.md", "ignore"),
    (".git/HEAD", "ignore"),
    (".obsidian-mobile/app.json", "ignore"),
    ("Dossier/.cache/note.md", "ignore"),
    # editors' temporary, swap and backup files
    (".note.md.swp", "ignore"),
    ("Dossier/.note.md.swp", "ignore"),
    ("note.md~", "ignore"),
    (".#note.md", "ignore"),
    ("#note.md#", "ignore"),
    ("4913", "ignore"),
    ("Dossier/4913", "ignore"),
    ("note.md.tmp", "ignore"),
    (".note.md.abc.tmp", "ignore"),
    ("Dossier/.note.md.k3j9.tmp", "ignore"),
    ("note.md.part", "ignore"),
    # the output folder
    ("tlvault", "output"),
    ("tlvault/Idées à cultiver.md", "output"),
    ("tlvault/clusters/Deep work (tlvault).md", "output"),
    ("tlvault/Carte des idées.canvas", "output"),
    ("tlvault/clusters", "output"),
    ("tlvault/.tlvault-state.json", "ignore"),  # a dot file: only tlvault writes it
    ("tlvault/.Index.md.x1.tlvault-tmp", "ignore"),
    ("tlvault-notes/x.md", "note"),  # only the folder itself is the output, not a name prefix
    # excluded globs
    ("Templates/Quotidien.md", "ignore"),
    ("Templates/Sous/Hebdo.md", "ignore"),
    ("Dessins/plan.excalidraw.md", "ignore"),
    ("Idées/plan.excalidraw.md", "ignore"),
    # notes, canvases, folders
    ("note.md", "note"),
    ("2 - Idées/Deep work.md", "note"),
    ("Dossier/Note.MD", "note"),
    ("Carte.canvas", "note"),
    ("Projets/Plan.canvas", "note"),
    ("Dossier", "note"),
    ("A/B", "note"),
    ("Templates", "note"),  # the folder itself is not excluded by `Templates/**`
    # attachments: only when a link names them
    ("Images/photo.png", "ignore"),
    ("rapport.pdf", "ignore"),
    ("", "ignore"),
]


@pytest.mark.parametrize(("rel", "expected"), CLASSIFY_CASES)
def test_classify(tmp_path: Path, rel: str, expected: str) -> None:
    config = replace(default_config(tmp_path / "vault"), exclude=("Templates/**", "*.excalidraw.md"))
    assert classify(rel, config) == expected


@pytest.mark.parametrize(
    ("rel", "targets", "expected"),
    [
        ("Images/photo.png", {"photo.png"}, "note"),
        ("Images/Photo.PNG", {"photo.png"}, "note"),  # link targets are lower-cased names
        ("Images/photo.png", {"autre.png"}, "ignore"),
        ("rapport.pdf", {"rapport.pdf"}, "note"),
        (".obsidian/photo.png", {"photo.png"}, "ignore"),  # a dot folder stays ignored
        ("photo.png~", {"photo.png"}, "ignore"),
        ("Templates/photo.png", {"photo.png"}, "ignore"),
    ],
)
def test_classify_attachment_that_a_link_names(
    tmp_path: Path, rel: str, targets: set[str], expected: str
) -> None:
    config = replace(default_config(tmp_path / "vault"), exclude=("Templates/**",))
    assert classify(rel, config, frozenset(targets)) == expected


def test_classify_honours_another_output_folder(tmp_path: Path) -> None:
    config = replace(default_config(tmp_path / "vault"), output_folder="_tlvault")
    assert classify("_tlvault/Index.md", config) == "output"
    assert classify("tlvault/Index.md", config) == "note"


# -- unit: circuit breaker -------------------------------------------------------------------


def test_breaker_trips_at_the_limit_within_the_window() -> None:
    breaker = _Breaker(limit=3, window=10.0)
    assert not breaker.record("clusters/A.md", 0.0)
    assert not breaker.record("clusters/A.md", 4.0)
    assert breaker.record("clusters/A.md", 9.0)  # the third within 10 s trips it, once
    assert breaker.held == {"clusters/A.md"}
    assert not breaker.record("clusters/A.md", 9.5)  # already held: no second trip
    assert breaker.held == {"clusters/A.md"}


def test_breaker_does_not_trip_on_rewrites_spread_beyond_the_window() -> None:
    breaker = _Breaker(limit=3, window=10.0)
    assert not any(breaker.record("clusters/A.md", t) for t in (0.0, 6.0, 12.0, 18.0, 24.0, 30.0))
    assert not breaker.held


def test_breaker_counts_each_file_apart() -> None:
    breaker = _Breaker(limit=3, window=10.0)
    assert not breaker.record("A.md", 0.0)
    assert not breaker.record("B.md", 1.0)
    assert not breaker.record("A.md", 2.0)
    assert not breaker.record("B.md", 3.0)
    assert breaker.record("A.md", 4.0)
    assert breaker.held == {"A.md"}


# -- watcher: saves -------------------------------------------------------------------------


def test_an_in_place_save_is_reflected_once_then_silence(
    make_vault: MakeVault, tmp_path: Path, writes: WriteCounter
) -> None:
    config = default_config(make_vault(NOTES))
    with running_watcher(config) as handle:
        before = handle.rebuild_count
        note = config.vault / "2 - Idées/Deep work.md"
        note.write_text(note.read_text(encoding="utf-8") + "\nLié à [[Attention]].\n", encoding="utf-8")
        wait_until(
            lambda: (
                "Attention" in (config.output_path / "Santé du coffre.md").read_text(encoding="utf-8")
                and handle.rebuild_count > before
            )  # the count moves after the files are written
        )
        assert handle.rebuild_count == before + 1
        written = writes.total()
        assert handle.quiet_for(2.0) == 0
        assert writes.total() == written
    assert generated(config) == oracle(config, tmp_path)


class _Passes:
    """When the watcher finished preparing each rebuild, and when it began writing each one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.prepared: list[float] = []
        self.written: list[float] = []
        real_prepare, real_write = pipeline.prepare_rebuild, pipeline.PreparedRebuild.write

        def prepare(config: Config, **options: object) -> pipeline.PreparedRebuild:
            prepared = real_prepare(config, **options)  # type: ignore[arg-type]
            self.prepared.append(time.monotonic())
            return prepared

        def write(prepared: pipeline.PreparedRebuild) -> Report:
            self.written.append(time.monotonic())
            return real_write(prepared)

        monkeypatch.setattr(watch, "prepare_rebuild", prepare)
        monkeypatch.setattr(pipeline.PreparedRebuild, "write", write)


def test_the_analysis_starts_at_the_first_event_and_the_writes_wait_for_the_quiet_period(
    make_vault: MakeVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = default_config(make_vault(NOTES))
    with running_watcher(config, replace(FAST, quiet=1.0, max_delay=5.0)) as handle:
        passes = _Passes(monkeypatch)
        before = handle.rebuild_count
        note = config.vault / "2 - Idées/Deep work.md"
        text = note.read_text(encoding="utf-8") + "\nLié à [[Attention]].\n"
        saved = time.monotonic()  # before the save: the watcher may see its events before it returns
        note.write_text(text, encoding="utf-8")
        handle.wait_for_rebuilds(before + 1)
        assert len(passes.prepared) == len(passes.written) == 1
        assert passes.prepared[0] - saved < 1.0  # ready before the quiet period ended…
        assert passes.written[0] - saved >= 1.0  # …but written only once it had
        assert handle.quiet_for(1.5) == 0
    assert mentions(config, "Attention")
    assert generated(config) == oracle(config, tmp_path)


def test_a_change_during_the_quiet_period_drops_the_early_analysis(
    make_vault: MakeVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = default_config(make_vault(NOTES))
    with running_watcher(config, replace(FAST, quiet=2.0, max_delay=8.0)) as handle:
        passes = _Passes(monkeypatch)
        before = handle.rebuild_count
        first, second = config.vault / "2 - Idées/Deep work.md", config.vault / "3 - Contenus/Newsletter.md"
        first.write_text(first.read_text(encoding="utf-8") + "\nLié à [[Attention]].\n", encoding="utf-8")
        wait_until(lambda: len(passes.prepared) == 1)  # analysed early, not written: the vault may move
        assert not passes.written
        second.write_text(second.read_text(encoding="utf-8") + "\nVoir [[Lecteurs]].\n", encoding="utf-8")
        handle.wait_for_rebuilds(before + 1)
        assert len(passes.prepared) == 2  # the early analysis, dropped, then one after the quiet period
        assert len(passes.written) == 1
        assert handle.quiet_for(1.5) == 0
    assert mentions(config, "Attention") and mentions(config, "Lecteurs")
    assert generated(config) == oracle(config, tmp_path)


def test_w1_atomic_save_is_parsed_once_and_the_temp_file_never_indexed(
    vault_config: Config, tmp_path: Path, parses: Counter[str]
) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    note = config.vault / DEEP_WORK
    with running_watcher(config) as handle:
        start = handle.rebuild_count
        parses.clear()
        atomic_write(note, note.read_text(encoding="utf-8") + "\nLié à [[Attention]].\n")
        wait_until(lambda: unresolved(config, "Attention") and handle.rebuild_count > start)
        assert parses[DEEP_WORK] == 1
        assert set(parses) == {DEEP_WORK}  # the temporary file was never read as a note
        assert not any(".tmp" in line for line in handle.statuses)
        assert_converges(config, tmp_path)
    assert not mentions(config, ".tmp")
    assert_untouched(before_files, config.vault, [DEEP_WORK])


def test_w3_backup_style_save_keeps_the_note(
    vault_config: Config, tmp_path: Path, parses: Counter[str]
) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    note = config.vault / DEEP_WORK
    backup = note.with_name(note.name + "~")
    with running_watcher(config) as handle:
        old = note.read_text(encoding="utf-8")
        os.rename(note, backup)  # vim's `backupcopy=no`: rename away, write anew, drop the backup
        note.write_text(old + "\nSuite : [[Concentration]].\n", encoding="utf-8")
        backup.unlink()
        wait_until(lambda: unresolved(config, "Concentration"))
        assert mentions(config, "2 - Idées/Deep work")  # neither dropped nor taken for a rename
        assert not any(rel.endswith("~") for rel in parses)
        assert_converges(config, tmp_path)
        assert handle.is_alive()
    assert not mentions(config, "Deep work.md~")
    assert_untouched(before_files, config.vault, [DEEP_WORK])


def test_w4_burst_of_2000_atomic_saves(vault_config: Config, tmp_path: Path) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    count = 2000
    with running_watcher(config) as handle:
        start = handle.rebuild_count
        began = time.monotonic()
        folder = config.vault / "Rafale"
        folder.mkdir()
        for i in range(count):
            temp = folder / f".n{i:04d}.md.tmp"
            temp.write_text(f"# Note {i}\n\nPensée rapide numéro {i} sur l'écriture.\n", encoding="utf-8")
            os.replace(temp, folder / f"n{i:04d}.md")
        expected = f"{len(NOTES) - 1 + count} notes lues"  # `.obsidian/workspace.json` is not a note
        wait_until(lambda: expected in health(config), timeout=30)
        elapsed = time.monotonic() - began
        assert elapsed < 30
        assert handle.rebuild_count - start <= 5
        report = Report()
        assert sum(n.rel.startswith("Rafale/") for n in pipeline.read_vault(config, report).notes) == count
        assert_converges(config, tmp_path, timeout=30)
        assert handle.rebuild_count - start <= 5
    assert_untouched(before_files, config.vault, ["Rafale"])


def test_w5_same_note_rewritten_200_times(vault_config: Config, tmp_path: Path) -> None:
    config = vault_config
    draft = config.vault / "Brouillon.md"
    draft.write_text("# Brouillon\n\nVersion initiale.\n", encoding="utf-8")
    before_files = snapshot(config.vault)
    with running_watcher(config) as handle:
        start = handle.rebuild_count
        for i in range(200):
            with draft.open("w", encoding="utf-8") as handle_file:
                handle_file.write(f"# Brouillon\n\nVersion {i} : [[Piste {i}]]\n")
        wait_until(lambda: unresolved(config, "Piste 199"))
        assert not unresolved(config, "Piste 198")
        assert handle.rebuild_count - start <= 3
        assert_converges(config, tmp_path)
        assert handle.rebuild_count - start <= 3
    assert_untouched(before_files, config.vault, ["Brouillon.md"])


def test_w12_identical_rewrite_costs_nothing(
    vault_config: Config, tmp_path: Path, writes: WriteCounter
) -> None:
    config = vault_config
    note = config.vault / DEEP_WORK
    before_files = snapshot(config.vault)
    with running_watcher(config) as handle:
        written = vault_writes(writes, config)
        start = handle.rebuild_count
        note.write_bytes(note.read_bytes())
        time.sleep(1.5)  # a quiet window: nothing may happen
        assert vault_writes(writes, config) == written
        assert handle.rebuild_count == start, handle.statuses
        assert_converges(config, tmp_path)
    assert_untouched(before_files, config.vault, [DEEP_WORK])


def test_w22_editor_temp_files_alone_cause_nothing(
    vault_config: Config, tmp_path: Path, writes: WriteCounter, parses: Counter[str]
) -> None:
    config = vault_config
    folder = config.vault / "2 - Idées"
    names = [".Deep work.md.swp", "Deep work.md~", ".#Deep work.md", "4913", "Deep work.md.tmp"]
    names.append(".Deep work.md.k3j9.tmp")
    before_files = snapshot(config.vault)
    with running_watcher(config) as handle:
        written = vault_writes(writes, config)
        start = handle.rebuild_count
        parses.clear()
        for name in names:
            (folder / name).write_text("# Brouillon\n\n[[Fichier temporaire]]\n", encoding="utf-8")
        assert handle.quiet_for(1.0) == 0
        assert vault_writes(writes, config) == written
        assert not parses
        assert handle.rebuild_count == start
        assert_converges(config, tmp_path)
    assert not mentions(config, "Fichier temporaire")
    assert_untouched(before_files, config.vault, [f"2 - Idées/{name}" for name in names])


# -- watcher: renames, moves, deletions -------------------------------------------------------


def test_w6_renamed_note(vault_config: Config, tmp_path: Path) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    with running_watcher(config):
        assert mentions(config, "2 - Idées/Deep work")
        os.rename(config.vault / DEEP_WORK, config.vault / "2 - Idées/Travail profond.md")
        wait_until(lambda: not mentions(config, "2 - Idées/Deep work"))
        assert_converges(config, tmp_path)
        assert unresolved(config, "Deep work")  # the links to it are now unresolved
    assert_untouched(before_files, config.vault, [DEEP_WORK, "2 - Idées/Travail profond.md"])


def test_w7_renamed_folder_then_a_later_edit(make_vault: MakeVault, tmp_path: Path) -> None:
    notes = {
        **NOTES,
        "A/B/x.md": "# X\n\nSur le [[Deep work]] et la [[Piste cachée]].\n",
        "A/y.md": "# Y\n\nUne note sur l'[[Écriture quotidienne]].\n",
    }
    config = default_config(make_vault(notes))
    before_files = snapshot(config.vault)
    with running_watcher(config):
        assert mentions(config, "A/B/x")
        os.rename(config.vault / "A", config.vault / "Z")
        wait_until(lambda: mentions(config, "Z/B/x") and not mentions(config, "A/B/x"))
        assert_converges(config, tmp_path)
        append(config.vault / "Z/B/x.md", "\nPlus tard : [[Nouvelle piste]].\n")
        wait_until(lambda: unresolved(config, "Nouvelle piste"))
        assert_converges(config, tmp_path)
    assert not mentions(config, "A/B/x")
    assert_untouched(before_files, config.vault, ["A", "Z"])


def test_w8_folder_tree_moved_into_the_vault(vault_config: Config, tmp_path: Path) -> None:
    config = vault_config
    outside = tmp_path / "dehors"
    (outside / "D/E").mkdir(parents=True)
    (outside / "D/E/x.md").write_text("# X\n\nVenu d'ailleurs : [[Piste importée]].\n", encoding="utf-8")
    (outside / "D/y.md").write_text("# Y\n\nAussi sur le [[Deep work]].\n", encoding="utf-8")
    before_files = snapshot(config.vault)
    with running_watcher(config):
        os.rename(outside / "D", config.vault / "D")
        wait_until(lambda: unresolved(config, "Piste importée"))
        assert_converges(config, tmp_path)
        time.sleep(1.0)  # the scenario: a note written in the moved-in tree a second later
        (config.vault / "D/E/z.md").write_text("# Z\n\nÉcrit après : [[Piste tardive]].\n", encoding="utf-8")
        wait_until(lambda: unresolved(config, "Piste tardive"))
        assert_converges(config, tmp_path)
    assert_untouched(before_files, config.vault, ["D"])


def test_w9_folder_moved_out_of_the_vault(make_vault: MakeVault, tmp_path: Path) -> None:
    notes = {
        **NOTES,
        "Old/a.md": "# A\n\nVieux : [[Piste ancienne]].\n",
        "Old/Sous/b.md": "# B\n\nSur le [[Deep work]].\n",
    }
    config = default_config(make_vault(notes))
    outside = tmp_path / "dehors"
    outside.mkdir()
    before_files = snapshot(config.vault)
    with running_watcher(config):
        assert unresolved(config, "Piste ancienne")
        os.rename(config.vault / "Old", outside / "Old")
        wait_until(lambda: not unresolved(config, "Piste ancienne"))
        assert_converges(config, tmp_path)
    assert not mentions(config, "Old/")
    assert_untouched(before_files, config.vault, ["Old"])


def test_w13_note_deleted_and_recreated_within_the_debounce(vault_config: Config, tmp_path: Path) -> None:
    config = vault_config
    rel = "2 - Idées/Écriture quotidienne.md"
    note = config.vault / rel
    before_files = snapshot(config.vault)
    with running_watcher(config):
        old = note.read_text(encoding="utf-8")
        note.unlink()
        time.sleep(0.02)  # the scenario: recreated 20 ms later
        note.write_text(old + "\nRevenue : [[Revenant]].\n", encoding="utf-8")
        wait_until(lambda: unresolved(config, "Revenant"))
        assert mentions(config, "2 - Idées/Écriture quotidienne")
        assert_converges(config, tmp_path)
    assert note.is_file()
    assert_untouched(before_files, config.vault, [rel])


def test_w14_deleted_note_is_removed(
    vault_config: Config, tmp_path: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    with running_watcher(config) as handle:
        assert mentions(config, "3 - Contenus/Newsletter")
        (config.vault / NEWSLETTER).unlink()
        wait_until(lambda: not mentions(config, "3 - Contenus/Newsletter"))
        assert unresolved(config, "Newsletter")  # links to it updated: now unresolved
        assert_converges(config, tmp_path)
        assert handle.watcher.errors == 0
    assert not tlvault_errors(tlvault_logs)
    assert_untouched(before_files, config.vault, [NEWSLETTER])


def test_o1_note_moved_to_obsidian_trash(vault_config: Config, tmp_path: Path, parses: Counter[str]) -> None:
    config = vault_config
    trash = config.vault / ".trash"
    before_files = snapshot(config.vault)
    with running_watcher(config):
        trash.mkdir()
        os.rename(config.vault / NEWSLETTER, trash / "Newsletter.md")
        wait_until(lambda: not mentions(config, "3 - Contenus/Newsletter"))
        assert unresolved(config, "Newsletter")
        assert_converges(config, tmp_path)
    assert not any(rel.startswith(".trash/") for rel in parses)
    assert_untouched(before_files, config.vault, [NEWSLETTER, ".trash"])


# -- watcher: failures, missed events, noise --------------------------------------------------


def test_w15_a_parser_crash_on_one_note_is_one_warning(
    vault_config: Config,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tlvault_logs: pytest.LogCaptureFixture,
) -> None:
    config = vault_config
    real = parse_note

    def parse_or_crash(rel: str, data: bytes | str, mtime_ns: int | None = None) -> Note:
        if rel.rsplit("/", 1)[-1] == "bad.md":
            raise RuntimeError("parser bug")
        return real(rel, data, mtime_ns)

    monkeypatch.setattr("tlvault.pipeline.parse_note", parse_or_crash)
    before_files = snapshot(config.vault)
    with running_watcher(config) as handle:
        (config.vault / "bad.md").write_text("# Mauvaise\n\n[[Piste maudite]]\n", encoding="utf-8")
        wait_until(lambda: bool(messages(tlvault_logs, logging.WARNING, "bad.md")))  # its own rebuild
        (config.vault / "good.md").write_text("# Bonne\n\n[[Bonne piste]]\n", encoding="utf-8")
        wait_until(lambda: unresolved(config, "Bonne piste"))
        assert handle.is_alive()
        warnings = messages(tlvault_logs, logging.WARNING, "bad.md")  # not repeated by the next rebuild
        assert len(warnings) == 1, warnings
        assert "RuntimeError" in warnings[0]
        assert not unresolved(config, "Piste maudite")
        assert_converges(config, tmp_path)
    assert not tlvault_errors(tlvault_logs)
    assert_untouched(before_files, config.vault, ["bad.md", "good.md"])


def test_w18_offline_edits_converge_at_startup_without_events(make_vault: MakeVault, tmp_path: Path) -> None:
    garden = {
        f"Jardin/Plante {i}.md": f"# Plante {i}\n\nElle pousse près de [[Plante {i + 1}]].\n"
        for i in range(10)
    }
    config = default_config(make_vault({**NOTES, **garden}))
    with running_watcher(config):
        pass
    before_files = snapshot(config.vault)
    jardin = config.vault / "Jardin"
    for i in range(5):
        append(jardin / f"Plante {i}.md", f"\nHors ligne : [[Souvenir {i}]].\n")
    for i in (5, 6):
        (jardin / f"Plante {i}.md").unlink()
    for i in (10, 11):
        (jardin / f"Plante {i}.md").write_text(
            f"# Plante {i}\n\nNouvelle, vers [[Plante 0]].\n", encoding="utf-8"
        )
    for i in (7, 8):
        os.rename(jardin / f"Plante {i}.md", jardin / f"Arbre {i}.md")
    with running_watcher(config) as handle:  # its first rebuild is the startup reconciliation
        assert generated(config) == oracle(config, tmp_path)
        assert all(unresolved(config, f"Souvenir {i}") for i in range(5))
        assert handle.rebuild_count == 1
    assert_untouched(before_files, config.vault, ["Jardin"])


def test_w19_missed_events_are_caught_by_the_periodic_reconciliation(
    vault_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = vault_config
    drop_until = [0.0]
    dropped = [0]
    real_take = Watcher._take

    def lossy_take(self: Watcher, event: FileSystemEvent) -> None:
        if time.monotonic() < drop_until[0]:
            dropped[0] += 1  # as if the kernel queue had overflowed
            return
        real_take(self, event)

    monkeypatch.setattr(Watcher, "_take", lossy_take)
    before_files = snapshot(config.vault)
    interval = 1.0
    with running_watcher(config, replace(FAST, reconcile_every=interval)) as handle:
        start = len(handle.statuses)
        drop_until[0] = time.monotonic() + 1.0
        folder = config.vault / "Lot"
        folder.mkdir()
        for i in range(100):
            (folder / f"n{i:03d}.md").write_text(f"# Lot {i}\n\nVers [[Cible {i}]].\n", encoding="utf-8")
        burst_done = time.monotonic()
        expected = f"{len(NOTES) - 1 + 100} notes lues"  # `.obsidian/workspace.json` is not a note
        wait_until(lambda: expected in health(config) and len(handle.statuses) > start, timeout=10)
        took = time.monotonic() - burst_done
        assert took < 1.0 + 2 * interval + 2.0, took  # the drop window, an interval or two, the rebuild
        assert dropped[0] > 0  # the events were lost: the periodic reconciliation found the notes
        assert len(handle.statuses) > start
        assert_converges(config, tmp_path)
    assert_untouched(before_files, config.vault, ["Lot"])


def test_w21_dot_folder_churn_causes_nothing(
    vault_config: Config, tmp_path: Path, writes: WriteCounter, parses: Counter[str]
) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    workspace = config.vault / ".obsidian/workspace.json"
    with running_watcher(config) as handle:
        written = vault_writes(writes, config)
        start = handle.rebuild_count
        parses.clear()
        for folder in (".trash", ".git", ".obsidian-mobile"):
            (config.vault / folder).mkdir()
        (config.vault / ".trash/x.md").write_text("# X\n\n[[Corbeille fantôme]]\n", encoding="utf-8")
        (config.vault / ".git/HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
        (config.vault / ".obsidian-mobile/app.json").write_text("{}", encoding="utf-8")
        deadline = time.monotonic() + 2.0
        i = 0
        while time.monotonic() < deadline:  # Obsidian saves its workspace all the time
            workspace.write_text(f'{{"active": {i}}}', encoding="utf-8")
            i += 1
            time.sleep(0.05)
        assert handle.quiet_for(0.3) == 0
        assert handle.rebuild_count == start
        assert vault_writes(writes, config) == written
        assert not parses
        assert_converges(config, tmp_path)
    assert not mentions(config, "Corbeille fantôme")
    touched = [".obsidian/workspace.json", ".trash", ".git", ".obsidian-mobile"]
    assert_untouched(before_files, config.vault, touched)


# -- feedback loops -------------------------------------------------------------------------


def test_l1_own_writes_do_not_retrigger(vault_config: Config, tmp_path: Path, writes: WriteCounter) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    with running_watcher(config) as handle:
        start = handle.rebuild_count
        written = vault_writes(writes, config)
        append(
            config.vault / NEWSLETTER, "\nVoir [[Écriture quotidienne]], [[2024-02-19]] et [[Attention]].\n"
        )
        wait_until(lambda: unresolved(config, "Attention") and handle.rebuild_count > start)
        after_edit = vault_writes(writes, config)
        assert after_edit - written, "the edit wrote nothing"
        assert all(n <= 1 for n in (after_edit - written).values()), after_edit - written
        assert handle.quiet_for(3.0) == 0
        assert handle.rebuild_count - start <= 1
        assert vault_writes(writes, config) == after_edit
        assert_converges(config, tmp_path)
    assert_untouched(before_files, config.vault, [NEWSLETTER])


def backups(config: Config) -> list[Path]:
    """Copies of this vault's edited generated notes (under the per-test TLVAULT_DATA_DIR)."""
    root = backup_folder(config)
    assert root.is_relative_to(os.environ["TLVAULT_DATA_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def test_l3_edit_inside_a_managed_region_is_backed_up_and_regenerated_once(
    vault_config: Config, tmp_path: Path, writes: WriteCounter, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    config = vault_config
    index = config.output_path / INDEX
    before_files = snapshot(config.vault)
    with running_watcher(config) as handle:
        original = index.read_bytes()
        start = handle.rebuild_count
        written = vault_writes(writes, config)
        text = original.decode("utf-8")
        assert "%% tlvault:end index %%" in text
        edited = text.replace("%% tlvault:end index %%", "Ma remarque à moi.\n%% tlvault:end index %%")
        index.write_text(edited, encoding="utf-8")
        wait_until(lambda: len(backups(config)) >= 1 and index.read_bytes() == original)
        assert handle.quiet_for(2.0) == 0
        assert len(backups(config)) == 1
        assert backups(config)[0].read_text(encoding="utf-8") == edited
        assert (vault_writes(writes, config) - written) == Counter({str(index): 1})
        assert handle.rebuild_count - start == 1
        named = messages(tlvault_logs, logging.WARNING, INDEX)
        assert len(named) == 1, named
        assert not handle.watcher.breaker.held
        assert_converges(config, tmp_path)
    assert_untouched(before_files, config.vault)


def test_l3_two_separate_edits_of_a_generated_note_do_not_trip_the_breaker(
    vault_config: Config, tmp_path: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    config = vault_config
    index = config.output_path / INDEX
    before_files = snapshot(config.vault)
    assert FAST.breaker_limit == 3
    with running_watcher(config) as handle:
        original = index.read_bytes()

        def edit(remark: str, saved: int) -> None:  # a user's save, handled before the next one
            text = original.decode("utf-8")
            edited = text.replace("%% tlvault:end index %%", f"{remark}\n%% tlvault:end index %%")
            with index.open("r+b") as save:  # open(O_TRUNC) then write, as `write_text` does, a bit slower
                save.truncate(0)
                save.flush()
                time.sleep(0.05)
                save.write(edited.encode("utf-8"))
            wait_until(lambda: len(backups(config)) >= saved and index.read_bytes() == original)

        edit("Première remarque.", 1)
        edit("Seconde remarque.", 2)  # two edits are not "another program keeps rewriting"
        assert handle.quiet_for(0.5) == 0
        assert len(backups(config)) == 2
        assert not handle.watcher.breaker.held
        assert not messages(tlvault_logs, logging.WARNING, "another program keeps rewriting")
        assert_converges(config, tmp_path)
    assert_untouched(before_files, config.vault)


def without(files: dict[str, bytes], held: str) -> dict[str, object]:
    """Generated files minus a held one (another program owns it now), the state's record of it
    included: the oracle regenerates that file, the watcher rightly does not."""
    rest: dict[str, object] = {rel: data for rel, data in files.items() if rel not in (held, STATE_REL)}
    state = json.loads(files[STATE_REL])
    state["files"].pop(held, None)
    rest[STATE_REL] = state
    return rest


def test_l4_a_tool_that_keeps_rewriting_a_generated_note_trips_the_breaker(
    vault_config: Config, tmp_path: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    timing = replace(FAST, breaker_limit=3, breaker_window=30.0)
    with running_watcher(config, timing) as handle:
        clusters = [rel for rel in generated(config) if rel.startswith("clusters/")]
        assert clusters
        target = config.output_path / clusters[0]
        original = target.read_bytes()
        assert b"tags:\n" in original
        start = handle.rebuild_count
        stop = threading.Event()

        def linter() -> None:  # reformats the properties, as Obsidian's Linter would
            i = 0
            deadline = time.monotonic() + 4.0
            while time.monotonic() < deadline and not stop.is_set():
                target.write_bytes(original.replace(b"tags:\n", f"linted: {i}\ntags:\n".encode(), 1))
                i += 1
                time.sleep(0.2)

        thread = threading.Thread(target=linter, daemon=True)
        thread.start()
        try:
            thread.join(timeout=10)
        finally:
            stop.set()
        tripped = messages(tlvault_logs, logging.WARNING, "another program keeps rewriting")
        assert len(tripped) == 1, tripped
        assert clusters[0] in tripped[0]
        assert handle.rebuild_count - start <= 5
        held = target.read_bytes()
        assert b"linted:" in held  # tlvault left it alone
        before = handle.rebuild_count
        append(config.vault / DEEP_WORK, "\nLié à [[Attention]].\n")  # other outputs still follow the vault
        wait_until(lambda: unresolved(config, "Attention") and handle.rebuild_count > before)
        assert target.read_bytes() == held
        assert handle.rebuild_count - start <= 6
        assert without(generated(config), clusters[0]) == without(oracle(config, tmp_path), clusters[0])
    assert len(messages(tlvault_logs, logging.WARNING, "another program keeps rewriting")) == 1
    assert_untouched(before_files, config.vault, [DEEP_WORK])


def test_l5_obsidian_style_link_update_in_a_generated_note(
    vault_config: Config, tmp_path: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    new_rel = "2 - Idées/Travail profond.md"
    with running_watcher(config) as handle:
        edited: list[str] = []
        os.rename(config.vault / DEEP_WORK, config.vault / new_rel)
        for rel, data in outputs(config).items():  # Obsidian updates every link to a renamed note
            if rel.endswith((".md", ".canvas")) and "2 - Idées/Deep work".encode() in data:
                text = data.decode("utf-8").replace("2 - Idées/Deep work", "2 - Idées/Travail profond")
                (config.output_path / rel).write_text(text, encoding="utf-8")
                edited.append(rel)
        assert edited
        wait_until(lambda: mentions(config, "2 - Idées/Travail profond"))
        assert_converges(config, tmp_path)
        assert handle.quiet_for(1.0) == 0
        assert not handle.watcher.breaker.held
    assert not messages(tlvault_logs, logging.WARNING, "another program keeps rewriting")
    warnings = [r.getMessage() for r in watcher_records(tlvault_logs) if r.levelno == logging.WARNING]
    assert len(warnings) <= len(edited), warnings  # at most one line per edited note, no flood
    assert_untouched(before_files, config.vault, [DEEP_WORK, new_rel])


def test_l7_a_reader_of_a_generated_note_keeps_the_old_bytes(vault_config: Config, tmp_path: Path) -> None:
    config = vault_config
    path = config.output_path / HEALTH
    before_files = snapshot(config.vault)
    with running_watcher(config):
        old = path.read_bytes()
        with path.open("rb") as reader:
            append(config.vault / DEEP_WORK, "\nLié à [[Attention]].\n")
            wait_until(lambda: path.read_bytes() != old)
            assert reader.read() == old  # complete old bytes, not a torn mix
        fresh = path.read_bytes()
        assert b"`Attention`" in fresh
        assert fresh == generated(config)[HEALTH]
        assert_converges(config, tmp_path)
    assert_untouched(before_files, config.vault, [DEEP_WORK])


# -- supervision: vault folder, configuration ----------------------------------------------


def test_w16_w17_vault_deleted_then_recreated(
    make_vault: MakeVault, tmp_path: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    vault = make_vault(NOTES)
    config = default_config(vault)
    with running_watcher(config) as handle:
        start = handle.rebuild_count
        shutil.rmtree(vault)
        wait_until(lambda: bool(messages(tlvault_logs, logging.ERROR, "vault folder disappeared")))
        assert handle.quiet_for(2.0) == 0
        assert handle.rebuild_count == start
        assert not vault.exists(), "something was created at the vault path"
        assert handle.is_alive()
        assert len(messages(tlvault_logs, logging.ERROR, "vault folder disappeared")) == 1
        errors = tlvault_errors(tlvault_logs)
        assert len(errors) == 1, errors  # no crash loop of failed rebuilds

        make_vault({**NOTES, "Retour.md": "# Retour\n\nDe retour : [[Piste revenue]].\n"})
        before_files = snapshot(vault)
        wait_until(lambda: unresolved(config, "Piste revenue") and handle.rebuild_count > start)
        assert_converges(config, tmp_path)
    assert messages(tlvault_logs, logging.WARNING, "vault folder is back")
    assert_untouched(before_files, vault)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the point of it
def test_an_observer_killed_by_its_handler_is_restarted_and_the_edit_is_seen(
    vault_config: Config,
    tmp_path: Path,
    tlvault_logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    real = watch._Enqueue.on_any_event
    failures: list[str] = []

    def fail_once(self: watch._Enqueue, event: FileSystemEvent) -> None:
        if not failures:
            failures.append(str(event.src_path))
            raise RuntimeError("handler bug")  # watchdog ends the observer thread on this
        real(self, event)

    with running_watcher(config) as handle:
        monkeypatch.setattr(watch._Enqueue, "on_any_event", fail_once)
        append(config.vault / DEEP_WORK, "\nLié à [[Attention]].\n")
        wait_until(lambda: bool(failures))
        wait_until(lambda: mentions(config, "Attention"))
        assert_converges(config, tmp_path)
        assert handle.is_alive()
    assert len(messages(tlvault_logs, logging.WARNING, "the file watcher stopped")) == 1
    assert_untouched(before_files, config.vault, [DEEP_WORK])


def test_vault_vanishing_while_the_observer_restarts_is_reported_once(
    make_vault: MakeVault,
    tmp_path: Path,
    tlvault_logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vault = make_vault(NOTES)
    config = default_config(vault)
    real = watch._started

    def vanish_then_start(
        observer: BaseObserver, folder: Path, handler: FileSystemEventHandler
    ) -> BaseObserver:
        if folder.exists():
            shutil.rmtree(folder)  # deleted between the supervisor's check and the observer's start
        return real(observer, folder, handler)

    with running_watcher(config) as handle:
        start = handle.rebuild_count
        monkeypatch.setattr(watch, "_started", vanish_then_start)
        observer = handle.watcher._observer
        assert observer is not None
        observer.stop()  # the supervisor restarts it, and the folder goes away meanwhile
        wait_until(lambda: bool(messages(tlvault_logs, logging.ERROR, "vault folder disappeared")))
        monkeypatch.setattr(watch, "_started", real)
        assert handle.quiet_for(1.0) == 0
        assert handle.is_alive()
        assert not vault.exists(), "something was created at the vault path"
        assert tlvault_errors(tlvault_logs) == [
            f"vault folder disappeared: {vault}; waiting for it to come back"
        ]

        make_vault({**NOTES, "Retour.md": "# Retour\n\nDe retour : [[Piste revenue]].\n"})
        wait_until(lambda: unresolved(config, "Piste revenue") and handle.rebuild_count > start)
        assert_converges(config, tmp_path)
    assert messages(tlvault_logs, logging.WARNING, "cannot watch the vault yet")


CONFIG_YAML = "vault: vault\noutput_folder: tlvault\nlanguage: {language}\nscoring:\n  today: 2024-06-15\n"


def test_config_reload_switches_language_and_keeps_the_last_good_one(
    make_vault: MakeVault, tmp_path: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    make_vault(NOTES)
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG_YAML.format(language="fr"), encoding="utf-8")
    config = load_config(path)
    before_files = snapshot(config.vault)
    with running_watcher(config, reload_config=lambda: load_config(path)) as handle:
        assert (config.output_path / INDEX).is_file()
        before = handle.rebuild_count
        atomic_write(path, CONFIG_YAML.format(language="en"))  # no half-written file to read
        wait_until(
            lambda: (config.output_path / "Ideas to cultivate.md").is_file() and handle.rebuild_count > before
        )
        english = handle.watcher.config
        assert english.language == "en"
        assert_converges(english, tmp_path)
        assert not (config.output_path / INDEX).exists()
        assert "notes read" in health(english)

        good = generated(english)
        start = handle.rebuild_count
        atomic_write(path, "vault: vault\nlanguage: [en\n")
        wait_until(lambda: bool(messages(tlvault_logs, logging.ERROR, "keeping the last good configuration")))
        assert handle.quiet_for(0.5) == 0
        assert handle.rebuild_count == start
        assert len(messages(tlvault_logs, logging.ERROR, "keeping the last good configuration")) == 1
        assert handle.watcher.config == english
        assert handle.is_alive()
        assert generated(english) == good
        assert generated(english) == oracle(english, tmp_path)
    assert_untouched(before_files, config.vault)
