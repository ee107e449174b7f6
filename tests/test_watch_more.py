"""More watcher cases with a real watchdog observer (FAULTS.md W10, W11, W23, O2, O3, L2).

Also the repeat filter: a warning that every rebuild gives again is shown once. Like
tests/test_watch.py, every watcher test ends with the generated files equal to what a clean
rebuild of the same vault writes (the oracle), the watcher alive, the user's files the test did
not touch unchanged and no tlvault temporary file left. Timing-sensitive cases assert bounds;
fixed sleeps are only used for windows in which nothing more may happen.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from watchdog.events import FileSystemEvent

from tests.conftest import MakeVault, snapshot
from tests.test_watch import (
    assert_converges,
    assert_untouched,
    atomic_write,
    backups,
    mentions,
    messages,
    parses,
    unresolved,
    vault_config,
    vault_writes,
)
from tests.watching import (
    FAST,
    NOTES,
    TODAY,
    WriteCounter,
    generated,
    running_watcher,
    wait_until,
    writes,
)
from tlvault import pipeline, scan
from tlvault.cache import ParseCache, RunRecord
from tlvault.config import Config, default_config
from tlvault.model import Vault
from tlvault.report import Report
from tlvault.watch import Watcher

__all__ = ["parses", "vault_config", "writes"]

HEALTH = "Santé du coffre.md"
DEEP_WORK = "2 - Idées/Deep work.md"
NEWSLETTER = "3 - Contenus/Newsletter.md"
WATCH_THREAD = "tlvault-watch"  # the thread name `running_watcher` gives the watcher
NOTES_READ = len(NOTES) - 1  # `.obsidian/workspace.json` is not a note


# -- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[Report]:
    """Every pass of the watcher over the vault that reached its end, counted or not (a pass that
    finds nothing to do reuses the last run and is not counted in `rebuild_count`)."""
    reports: list[Report] = []
    real = pipeline.PreparedRebuild.write

    def recording(prepared: pipeline.PreparedRebuild) -> Report:
        report = real(prepared)
        reports.append(report)
        return report

    monkeypatch.setattr(pipeline.PreparedRebuild, "write", recording)
    return reports


def health(config: Config) -> str:
    """The generated vault-health note (the language-neutral probe of what the last rebuild read)."""
    with contextlib.suppress(FileNotFoundError):
        return (config.output_path / HEALTH).read_text(encoding="utf-8")
    return ""


def notes_read(config: Config) -> list[str]:
    """The notes a fresh read of the vault finds (no cache), by vault-relative path."""
    return [note.rel for note in pipeline.read_vault(config, Report()).notes]


def append(path: Path, text: str) -> None:
    """An atomic save that adds `text` at the end of a note."""
    atomic_write(path, path.read_text(encoding="utf-8") + text)


def epoch_ns(day: str) -> int:
    """Noon UTC of an ISO day, in nanoseconds since the epoch (a file time a test sets)."""
    return int(datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=UTC).timestamp()) * 10**9


# -- W10: new folders filled at once ------------------------------------------------------------


def test_w10_twenty_new_folders_filled_immediately(vault_config: Config, tmp_path: Path) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    folders, per_folder = 20, 5
    with running_watcher(config) as handle:
        start = handle.rebuild_count
        for i in range(folders):  # no pause: notes land before the observer watches their folder
            folder = config.vault / f"Lot {i:02d}"
            folder.mkdir()
            for j in range(per_folder):
                (folder / f"Idée {i:02d}-{j}.md").write_text(
                    f"---\ncreated: 2024-05-{j + 1:02d}\n---\n# Idée {i}-{j}\n\n"
                    f"Une pensée sur le [[Deep work]], suite de [[Idée {i:02d}-{(j + 1) % per_folder}]].\n",
                    encoding="utf-8",
                )
        expected = f"{NOTES_READ + folders * per_folder} notes lues"
        wait_until(lambda: expected in health(config) and handle.rebuild_count > start, timeout=20)
        read = notes_read(config)
        assert sum(rel.startswith("Lot ") for rel in read) == folders * per_folder
        assert len(read) == NOTES_READ + folders * per_folder
        assert_converges(config, tmp_path)
    assert_untouched(before_files, config.vault, [f"Lot {i:02d}" for i in range(folders)])


def test_a_note_added_by_a_tool_that_puts_the_folder_date_back_is_still_read(
    vault_config: Config, tmp_path: Path
) -> None:
    # The watcher keeps each folder's listing while the folder's date stays: an event in the
    # folder must drop it, or a sync tool restoring directory dates would hide the new note.
    config = vault_config
    folder = config.vault / "2 - Idées"
    past = (folder.stat().st_mtime_ns // 10**9 - 3600) * 10**9
    os.utime(folder, ns=(past, past))  # settled: its listing is kept from the first rebuild on
    with running_watcher(config) as handle:
        start = handle.rebuild_count
        (folder / "Idée ajoutée.md").write_text("# Idée ajoutée\n\nSur le [[Deep work]].\n", encoding="utf-8")
        os.utime(folder, ns=(past, past))
        expected = f"{NOTES_READ + 1} notes lues"
        wait_until(lambda: expected in health(config) and handle.rebuild_count > start, timeout=20)
        assert_converges(config, tmp_path)


# -- W11: metadata-only changes ------------------------------------------------------------------


def test_w11_touch_and_chmod_of_a_dated_note_cost_nothing(
    vault_config: Config,
    tmp_path: Path,
    writes: WriteCounter,
    parses: Counter[str],
    passes: list[Report],
) -> None:
    config = vault_config
    note = config.vault / DEEP_WORK
    assert "created:" in note.read_text(encoding="utf-8")
    before_files = snapshot(config.vault)
    with running_watcher(config) as handle:
        written = vault_writes(writes, config)
        start = handle.rebuild_count
        seen = len(passes)
        parses.clear()
        os.utime(note, ns=(epoch_ns("2024-06-01"), epoch_ns("2024-06-01")))
        os.chmod(note, 0o600)
        assert handle.quiet_for(1.5) == 0
        assert handle.rebuild_count == start, handle.statuses
        assert vault_writes(writes, config) == written
        assert not parses  # the content hash is unchanged: the note is not parsed again
        assert len(passes) > seen, "the watcher did not see the touch"  # it did look…
        assert all(report.reused for report in passes[seen:])  # …and reused the last run
        assert_converges(config, tmp_path)
    assert note.stat().st_mode & 0o777 == 0o600
    assert_untouched(before_files, config.vault, [DEEP_WORK])


def test_w11_touch_of_an_undated_note_converges_without_parsing(
    make_vault: MakeVault, tmp_path: Path, parses: Counter[str]
) -> None:
    rel = "2 - Idées/Sans date.md"
    text = "# Sans date\n\nUne note sans propriété, sur le [[Deep work]] et la [[Newsletter]].\n"
    config = default_config(make_vault({**NOTES, rel: text}))
    note = config.vault / rel
    os.utime(note, ns=(epoch_ns("2024-04-01"), epoch_ns("2024-04-01")))  # its date is its mtime
    before_files = snapshot(config.vault)
    with running_watcher(config):
        assert mentions(config, "2024-04-01")
        parses.clear()
        os.utime(note, ns=(epoch_ns("2024-05-20"), epoch_ns("2024-05-20")))
        wait_until(lambda: mentions(config, "2024-05-20"))  # the new mtime reached the outputs
        assert_converges(config, tmp_path)
        assert not parses  # same bytes: the cached parse is reused with the new time
    assert note.read_text(encoding="utf-8") == text
    assert_untouched(before_files, config.vault, [rel])


# -- W23: a symlinked folder inside the vault ---------------------------------------------------


def test_w23_symlinked_folder_is_not_followed(
    vault_config: Config,
    tmp_path: Path,
    writes: WriteCounter,
    passes: list[Report],
    tlvault_logs: pytest.LogCaptureFixture,
) -> None:
    config = vault_config
    outside = tmp_path / "dehors"
    outside.mkdir()
    (outside / "Secret.md").write_text("# Secret\n\nHors du coffre : [[Piste secrète]].\n", encoding="utf-8")
    (outside / "Autre.md").write_text("# Autre\n\nSur le [[Deep work]].\n", encoding="utf-8")
    before_files = snapshot(config.vault)
    outside_before = snapshot(outside)
    with running_watcher(config) as handle:
        observer = handle.watcher._observer
        assert observer is not None
        watches = [emitter.watch for emitter in observer.emitters]
        assert watches
        assert all(not watch.follow_symlink for watch in watches)
        assert all(Path(watch.path) == config.vault for watch in watches)

        os.symlink(outside, config.vault / "linked")
        wait_until(lambda: bool(messages(tlvault_logs, logging.INFO, "linked: symlink; not followed")))
        wait_until(lambda: not handle.watcher.rebuilding)  # the scan logs before the pass ends
        assert f"{NOTES_READ} notes lues" in health(config)
        assert not mentions(config, "Piste secrète")
        assert not [rel for rel in notes_read(config) if rel.startswith("linked/")]
        assert len(notes_read(config)) == NOTES_READ
        assert_converges(config, tmp_path)

        start = handle.rebuild_count
        seen = len(passes)
        written = vault_writes(writes, config)
        (outside / "Nouveau.md").write_text(
            "# Nouveau\n\nDerrière le lien : [[Piste cachée]].\n", encoding="utf-8"
        )
        assert handle.quiet_for(1.5) == 0
        assert handle.rebuild_count == start
        assert len(passes) == seen, "an event behind the symlink reached the watcher"
        assert vault_writes(writes, config) == written
        assert not mentions(config, "Piste cachée")
        assert_converges(config, tmp_path)
    assert len(messages(tlvault_logs, logging.INFO, "linked: symlink; not followed")) == 1
    assert (config.vault / "linked").is_symlink()
    assert_untouched(before_files, config.vault, ["linked"])
    assert {k: v for k, v in snapshot(outside).items() if k != "Nouveau.md"} == outside_before


# -- O2: a renamed Obsidian config folder ---------------------------------------------------------


def test_o2_obsidian_mobile_config_folder_churn_causes_nothing(
    make_vault: MakeVault,
    tmp_path: Path,
    writes: WriteCounter,
    parses: Counter[str],
    passes: list[Report],
) -> None:
    notes = {rel: text for rel, text in NOTES.items() if not rel.startswith(".obsidian/")}
    notes[".obsidian-mobile/workspace.json"] = "{}"
    notes[".obsidian-mobile/app.json"] = '{"alwaysUpdateLinks": true}'
    vault = make_vault(notes)
    (vault / ".obsidian").rmdir()  # this vault uses `.obsidian-mobile/` only
    config = default_config(vault)
    workspace = vault / ".obsidian-mobile/workspace.json"
    before_files = snapshot(vault)
    with running_watcher(config) as handle:
        written = vault_writes(writes, config)
        start = handle.rebuild_count
        seen = len(passes)
        parses.clear()
        deadline = time.monotonic() + 1.0
        i = 0
        while time.monotonic() < deadline:  # the app saves its workspace all the time, both ways
            if i % 2:
                atomic_write(workspace, f'{{"active": {i}}}')
            else:
                workspace.write_text(f'{{"active": {i}, "left": []}}', encoding="utf-8")
            i += 1
            time.sleep(0.02)
        assert handle.quiet_for(0.3) == 0
        assert handle.rebuild_count == start
        assert len(passes) == seen  # ignored like any dot folder: not even a pass over the vault
        assert vault_writes(writes, config) == written
        assert not parses
        assert_converges(config, tmp_path)
    assert not mentions(config, ".obsidian-mobile")
    assert_untouched(before_files, vault, [".obsidian-mobile/workspace.json"])


# -- O3: Obsidian reformats a generated note's properties -----------------------------------------


def unquoted(text: str) -> str:
    """`text` with its properties block saved as Obsidian's property editor does: no needless quotes."""
    end = text.index("\n---\n", 4) + 1
    properties = re.sub(r'^([\w ]+): "([^"\\]*)"$', r"\1: \2", text[:end], flags=re.MULTILINE)
    return properties + text[end:]


def test_o3_obsidian_style_properties_rewrite_is_a_foreign_change(
    vault_config: Config,
    tmp_path: Path,
    writes: WriteCounter,
    tlvault_logs: pytest.LogCaptureFixture,
) -> None:
    config = vault_config
    before_files = snapshot(config.vault)
    with running_watcher(config) as handle:
        clusters = sorted(rel for rel in generated(config) if rel.startswith("clusters/"))
        assert clusters
        target = config.output_path / clusters[0]
        original = target.read_bytes()
        text = original.decode("utf-8")
        edited = unquoted(text)
        assert edited != text, "no quoted property to rewrite"
        body = text.index("\n---\n", 4)
        assert edited[edited.index("\n---\n", 4) :] == text[body:]  # the body is unchanged
        start = handle.rebuild_count
        written = vault_writes(writes, config)
        atomic_write(target, edited)
        wait_until(lambda: len(backups(config)) >= 1 and target.read_bytes() == original)
        assert handle.quiet_for(2.0) == 0  # no loop: its own rewrite is not a foreign change
        assert handle.rebuild_count - start == 1
        assert (vault_writes(writes, config) - written) == Counter({str(target): 1})
        assert len(backups(config)) == 1
        assert backups(config)[0].read_text(encoding="utf-8") == edited
        named = messages(tlvault_logs, logging.WARNING, clusters[0])
        assert len(named) == 1, named
        assert not handle.watcher.breaker.held
        assert_converges(config, tmp_path)
    assert_untouched(before_files, config.vault)


# -- L2: deterministic output ---------------------------------------------------------------------

GARDEN: dict[str, str] = {
    "4 - Jardin/Compost.md": (
        "---\ncreated: 2024-03-02\n---\n# Compost\n\n"
        "Le compost nourrit le [[Potager]] ; les [[Semis]] aiment un sol riche. #jardin\n"
    ),
    "4 - Jardin/Potager.md": (
        "---\ncreated: 2024-03-05\n---\n# Potager\n\n"
        "Le potager suit les saisons ; voir [[Semis]] et [[Compost]]. #jardin\n"
    ),
    "4 - Jardin/Semis.md": (
        "---\ncreated: 2024-03-09\n---\n# Semis\n\n"
        "Semer en godets avant le [[Potager]], arroser avec soin, ajouter du [[Compost]]. #jardin\n"
    ),
    "1 - Input/2024-04-02.md": (
        "---\ncreated: 2024-04-02T07:00\n---\nTags : #journal\n\n"
        "Planté les [[Semis]] au [[Potager]] ; relu [[Deep work]].\n"
    ),
}


def build_vault(root: Path, files: list[tuple[str, str]]) -> Path:
    """Create a vault by writing `files` in this order (the folders appear in that order too);
    every file gets the same time, so that only the creation order differs between copies."""
    stamp = epoch_ns("2024-06-01")
    for rel, text in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        os.utime(path, ns=(stamp, stamp))
    return root


def test_l2_creation_order_does_not_change_the_output_and_a_second_run_writes_nothing(
    tmp_path: Path, writes: WriteCounter
) -> None:
    files = list({**NOTES, **GARDEN}.items())
    first = default_config(build_vault(tmp_path / "un" / "vault", files))
    second = default_config(build_vault(tmp_path / "deux" / "vault", files[::-1]))
    listed = [[entry.name for entry in os.scandir(c.vault / "1 - Input")] for c in (first, second)]
    before = {config.vault: snapshot(config.vault) for config in (first, second)}

    reports = [pipeline.rebuild(config, now=TODAY) for config in (first, second)]
    assert all(report.written for report in reports)
    assert generated(first) == generated(second), f"directory orders: {listed}"
    assert any(rel.startswith("clusters/") for rel in generated(first))

    for config in (first, second):
        times = {p: p.stat().st_mtime_ns for p in config.output_path.rglob("*") if p.is_file()}
        written = vault_writes(writes, config)
        files_before = generated(config)
        again = pipeline.rebuild(config, now=TODAY)
        assert again.written == []
        assert vault_writes(writes, config) == written
        assert generated(config) == files_before
        assert {p: p.stat().st_mtime_ns for p in config.output_path.rglob("*") if p.is_file()} == times
        assert_untouched(before[config.vault], config.vault)


# -- the repeat filter ------------------------------------------------------------------------


def test_a_warning_every_rebuild_repeats_is_logged_once(
    make_vault: MakeVault, tmp_path: Path, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    broken = "Cassée.md"
    notes = {
        **NOTES,
        broken: "---\ntitle: [oops\ncreated: 2024-01-01\n---\n# Cassée\n\nVers [[Deep work]].\n",
    }
    config = default_config(make_vault(notes))
    before_files = snapshot(config.vault)
    with running_watcher(config) as handle:
        assert len(messages(tlvault_logs, logging.WARNING, broken)) == 1  # the first rebuild says it

        def edit(rel: str, target: str) -> None:  # one save of another note, and its rebuild
            start = handle.rebuild_count
            append(config.vault / rel, f"\nLié à [[{target}]].\n")
            wait_until(lambda: unresolved(config, target) and handle.rebuild_count > start)

        edit(DEEP_WORK, "Attention")
        edit(NEWSLETTER, "Concentration")
        assert handle.rebuild_count >= 3
        assert_converges(config, tmp_path)
    warnings = messages(tlvault_logs, logging.WARNING, broken)
    assert len(warnings) == 1, warnings
    assert "not valid YAML" in warnings[0]
    assert_untouched(before_files, config.vault, [DEEP_WORK, NEWSLETTER])


# -- the last run's record ------------------------------------------------------------------------


def stored_run(vault: Path) -> RunRecord | None:
    """The run record the vault's cache database holds now, read through a fresh ParseCache."""
    cache = ParseCache.open(vault)
    cache.close()
    return cache.run


def test_a_rebuild_after_the_watcher_stops_replays_its_last_run(vault_config: Config) -> None:
    """The watcher keeps each edit's run record in memory; its start (a reconciliation) writes it
    to the cache database, and so does its stop: `tlvault rebuild` then has nothing to do."""
    config = vault_config
    with running_watcher(config) as handle:
        wait_until(lambda: stored_run(config.vault) is not None)
        start = handle.rebuild_count
        append(config.vault / DEEP_WORK, "\nEt [[Piste neuve]].\n")
        wait_until(lambda: unresolved(config, "Piste neuve") and handle.rebuild_count > start)
    cache = ParseCache.open(config.vault)
    try:
        report = pipeline.rebuild(config, now=TODAY, cache=cache)
    finally:
        cache.close()
    assert report.reused
    assert report.written == []


# -- between reconciliations, only the folders events came from are statted ------------------------


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[Vault]:
    """What every scan of the watcher found, in order."""
    found: list[Vault] = []
    real = scan.scan_vault

    def recording(config: Config) -> Vault:
        vault = real(config)
        found.append(vault)
        return vault

    monkeypatch.setattr(pipeline, "scan_vault", recording)
    return found


def deaf_to(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """Events on paths containing `name` are lost from now on (as in a kernel queue overflow)."""
    lost: list[str] = []
    real_take = Watcher._take

    def take(self: Watcher, event: FileSystemEvent) -> None:
        if name in os.fsdecode(event.src_path):
            lost.append(os.fsdecode(event.src_path))
            return
        real_take(self, event)

    monkeypatch.setattr(Watcher, "_take", take)
    return lost


def mtime_seen(scanned: list[Vault], rel: str) -> list[int]:
    """The modification times the scans gave the note `rel`, scan by scan."""
    return [source.mtime_ns for vault in scanned for source in vault.notes if source.rel == rel]


def test_a_change_no_event_named_is_seen_at_the_next_reconciliation(
    vault_config: Config, tmp_path: Path, scans: list[Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = vault_config
    idea = config.vault / DEEP_WORK
    past = (idea.parent.stat().st_mtime_ns // 10**9 - 3600) * 10**9
    os.utime(idea.parent, ns=(past, past))  # settled: its listing and its files' dates are kept
    with running_watcher(config, replace(FAST, reconcile_every=4.0)) as handle:
        lost = deaf_to(monkeypatch, "Deep work")
        stamp = epoch_ns("2024-05-01")
        os.utime(idea, ns=(stamp, stamp))
        start = handle.rebuild_count
        append(config.vault / NEWSLETTER, "\nEt [[Piste neuve]].\n")  # another folder's event
        wait_until(lambda: unresolved(config, "Piste neuve") and handle.rebuild_count > start)
        wait_until(lambda: bool(lost))
        assert stamp not in mtime_seen(scans, DEEP_WORK)  # that rebuild did not look there
        wait_until(lambda: stamp in mtime_seen(scans, DEEP_WORK), timeout=15)  # the reconciliation did
        assert_converges(config, tmp_path)


def test_a_change_handled_before_the_full_rescan_of_a_restart_leaves_it_due(vault_config: Config) -> None:
    """The loop runs the full rescan in the step that restarts the observer, unless a change is
    due at that very moment (the process stalled between two steps): the change's rebuild,
    which looks only where events came from, must not put the rescan off for a whole period."""
    now = [100.0]
    watcher = Watcher(vault_config, timing=FAST, clock=lambda: now[0], status=lambda line: None)
    assert watcher._starting and watcher._next_reconcile <= now[0]  # the first step's full rescan
    watcher.changes.add(NEWSLETTER)
    watcher.debouncer.poke()
    watcher._take_changes("change")
    assert watcher._starting and watcher._next_reconcile <= now[0]  # still due
    watcher._take_changes("start")
    assert not watcher._starting and watcher._next_reconcile == now[0] + FAST.reconcile_every
    watcher._take_changes("change")  # an ordinary change: the next one in a period
    assert watcher._next_reconcile == now[0] + FAST.reconcile_every
