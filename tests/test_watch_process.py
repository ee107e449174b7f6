"""`tlvault watch` as a real process: Ctrl-C, a second instance, kill -9, offline edits, inotify limit.

FAULTS.md S3/S4 (kill -9 during a write), C3 (kill -9 during a cache update), L6 (two instances),
W18 (edits while stopped), W20 (inotify watch limit); PRODUCT.md guarantees 1, 4, 7 and 8 and the
exit codes of "Command line" (1 could not run, 2 bad usage, 130 interrupted).

Every test runs `python -m tlvault` in a subprocess with `cwd=tmp_path` (never the repository root,
whose config.yaml points at example_vault/), its stdout and stderr redirected to files that the test
polls. The cache and data folders are the per-test ones of conftest's `private_user_folders`, which
the subprocesses inherit. Crash windows are made deterministic with TLVAULT_TEST_PAUSE_BEFORE_REPLACE
(tlvault sleeps between writing a temporary file and renaming it); one test stretches the instant
right after the temporary file's creation by running the CLI under a lingering `os.open`
(`python -c LINGER`). Each test ends with the shared invariants: no tlvault temporary file anywhere
in the vault, generated files equal to what a clean rebuild of a copy writes (`oracle`), and user
files untouched.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import MakeVault, Snapshot, snapshot
from tests.watching import NOTES, TODAY, generated, oracle
from tlvault.config import Config, default_config

NOW = ("--now", TODAY.isoformat())
DEBOUNCE = ("--debounce", "0.1")
PAUSE = "TLVAULT_TEST_PAUSE_BEFORE_REPLACE"
TEMP_SUFFIX = ".tlvault-tmp"
STARTUP = 60.0  # seconds: a subprocess imports everything before its first rebuild (~2 s), CI is slow
INTERRUPTED = "tlvault: interrupted"
STATUS = re.compile(
    r"^\d\d:\d\d:\d\d (?P<what>.+): (?P<written>\d+) files? written, \d+ unchanged \(\d+\.\d\d s\)$"
)
SUMMARY = re.compile(r"; (?P<written>\d+) files? written, \d+ unchanged \(\d+\.\d\d s\)$")

JOURNAL = "1 - Input/2024-03-04.md"
LATER = "\nPlus tard : [[Écriture quotidienne]] et [[Deep work]], encore une fois.\n"
FLUX = [f"4 - Flux/Flux {i:02d}.md" for i in range(50)]


# -- subprocesses --------------------------------------------------------------------------------


@dataclass
class Tlvault:
    """A `tlvault` subprocess whose stdout and stderr go to files."""

    process: subprocess.Popen[bytes]
    out: Path
    err: Path

    @property
    def pid(self) -> int:
        """The tlvault process id (the `python -m tlvault` process itself)."""
        return self.process.pid

    def stdout(self) -> str:
        """What it printed on stdout so far."""
        return self.out.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        """What it printed on stderr so far."""
        return self.err.read_text(encoding="utf-8", errors="replace")

    def statuses(self) -> list[str]:
        """The complete status lines printed so far (one per rebuild)."""
        return [line for line in self.stdout().splitlines() if STATUS.match(line)]

    def describe(self) -> str:
        """Exit status and output, for failure messages."""
        return f"exit={self.process.poll()}\nstdout:\n{self.stdout()}\nstderr:\n{self.stderr()}"

    def wait_for(self, predicate: Callable[[], bool], timeout: float = STARTUP, what: str = "") -> None:
        """Poll `predicate` while the process runs; fail if it ends first or the time runs out."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.process.poll() is not None:
                pytest.fail(f"tlvault ended before {what or 'the awaited moment'}\n{self.describe()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"timed out after {timeout} s waiting for {what or 'a condition'}\n{self.describe()}"
                )
            time.sleep(0.005)

    def wait_for_statuses(self, count: int, timeout: float = STARTUP) -> None:
        """Wait until `count` status lines were printed."""
        self.wait_for(lambda: len(self.statuses()) >= count, timeout, f"{count} status line(s)")

    def wait_for_start(self) -> None:
        """Wait for the `watching <vault> (Ctrl-C to stop)` line."""
        self.wait_for(lambda: "(Ctrl-C to stop)\n" in self.stdout(), what="the 'watching' line")

    def interrupt(self, timeout: float = 30.0, signum: int = signal.SIGINT) -> int:
        """Ctrl-C (or a service manager's SIGTERM): send the signal and return the exit code."""
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"tlvault did not stop within {timeout} s of SIGINT\n{self.describe()}")

    def kill(self) -> int:
        """kill -9, and return the exit status (-9)."""
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=30)


Spawn = Callable[..., Tlvault]
Run = Callable[..., subprocess.CompletedProcess[str]]


def _command(args: Sequence[str | Path], program: Sequence[str] = ("-m", "tlvault")) -> list[str]:
    return [sys.executable, *program, *(str(arg) for arg in args)]


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawn]:
    """Start `tlvault ARGS…` in the background (`python -m tlvault`, or `program` instead of
    `-m tlvault`, behind an optional `wrapper` command); every process still running at the end is killed."""
    started: list[Tlvault] = []
    numbers = itertools.count()

    def start(
        *args: str | Path,
        env: Mapping[str, str] | None = None,
        wrapper: Sequence[str] = (),
        program: Sequence[str] = ("-m", "tlvault"),
    ) -> Tlvault:
        number = next(numbers)
        out, err = tmp_path / f"tlvault-{number}.out", tmp_path / f"tlvault-{number}.err"
        environment = {**os.environ, **(env or {})}
        if env is None or PAUSE not in env:
            environment.pop(PAUSE, None)
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                [*wrapper, *_command(args, program)],
                cwd=tmp_path,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
            )
        started.append(Tlvault(process, out, err))
        return started[-1]

    try:
        yield start
    finally:
        for tlvault in started:
            if tlvault.process.poll() is None:
                tlvault.process.kill()
                tlvault.process.wait(timeout=30)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Run `tlvault ARGS…` to completion (at most `timeout` seconds) and capture its output."""

    def run_tlvault(*args: str | Path, timeout: float = STARTUP) -> subprocess.CompletedProcess[str]:
        environment = {key: value for key, value in os.environ.items() if key != PAUSE}
        try:
            return subprocess.run(
                _command(args),
                cwd=tmp_path,
                env=environment,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            pytest.fail(
                f"`tlvault {' '.join(map(str, args))}` did not end within {timeout} s ({exc.stderr!r})"
            )

    return run_tlvault


# -- vaults and checks ---------------------------------------------------------------------------


@pytest.fixture
def vault(make_vault: MakeVault) -> Path:
    """The small French vault of tests/watching.py."""
    return make_vault(NOTES)


@pytest.fixture
def config(vault: Path) -> Config:
    return default_config(vault)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """Where the oracle copies the vault."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


def temporaries(root: Path) -> list[str]:
    """Every file anywhere under `root` named like a tlvault temporary file (`*.tlvault-tmp`)."""
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, files in os.walk(root)
        for name in files
        if name.endswith(TEMP_SUFFIX)
    )


def has_written_temporary(root: Path) -> bool:
    """Whether a tlvault temporary file with some bytes in it exists under `root`."""
    for rel in temporaries(root):
        try:
            if (root / rel).stat().st_size > 0:
                return True
        except FileNotFoundError:
            continue
    return False


def output_stats(config: Config) -> dict[str, tuple[bytes, int, int]]:
    """Bytes, st_mtime_ns and inode of every file of the output folder: any write changes one of them."""
    found: dict[str, tuple[bytes, int, int]] = {}
    for path in sorted(config.output_path.rglob("*")):
        if path.is_file():
            info = path.stat()
            found[path.relative_to(config.output_path).as_posix()] = (
                path.read_bytes(),
                info.st_mtime_ns,
                info.st_ino,
            )
    return found


def assert_clean_stderr(text: str, *, interrupted: bool) -> None:
    """No traceback, no internal error, no failed rebuild; with `interrupted`, the last line is
    `tlvault: interrupted`, else only `tlvault: …` lines (warnings allowed).

    A watcher's stderr is not required to hold only `tlvault: …` lines here: watchdog sometimes logs
    a line of its own when the watcher stops (see test_ctrl_c_stderr_holds_only_tlvault_lines)."""
    lines = text.splitlines()
    assert "Traceback" not in text, text
    assert "internal error" not in text and "rebuild failed" not in text, text
    if interrupted:
        assert lines and lines[-1] == INTERRUPTED, text
    else:
        assert all(line.startswith("tlvault: ") for line in lines), text


def written_count(stdout: str) -> int:
    """Files written, from a `rebuild` summary line."""
    match = SUMMARY.search(stdout.strip())
    assert match, stdout
    return int(match["written"])


def cache_is_sound() -> None:
    """Every SQLite cache file in TLVAULT_CACHE_DIR opens and passes an integrity check."""
    caches = sorted(Path(os.environ["TLVAULT_CACHE_DIR"]).glob("*.sqlite"))
    assert caches, "no cache was written"
    for path in caches:
        connection = sqlite3.connect(path)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)], path
        finally:
            connection.close()


def write_note(root: Path, rel: str, text: str) -> None:
    """Write a user note the way an editor saving in place does."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")


def without_temporaries(files: Mapping[str, bytes]) -> dict[str, bytes]:
    return {rel: data for rel, data in files.items() if not rel.endswith(TEMP_SUFFIX)}


# -- 1. Ctrl-C -----------------------------------------------------------------------------------


def test_ctrl_c_after_the_first_rebuild_exits_130_and_leaves_the_oracle(
    vault: Path, config: Config, spawn: Spawn, scratch: Path
) -> None:
    before = snapshot(vault)
    watcher = spawn("watch", vault, *DEBOUNCE, *NOW)
    watcher.wait_for_statuses(1)
    lines = watcher.stdout().splitlines()
    assert lines[0] == f"watching {config.vault} (Ctrl-C to stop)"
    first = STATUS.match(lines[1])
    assert first and first["what"] == "vault read" and int(first["written"]) > 0, lines

    assert watcher.interrupt() == 130
    assert_clean_stderr(watcher.stderr(), interrupted=True)
    assert temporaries(vault) == []
    assert generated(config) == oracle(config, scratch)
    assert snapshot(vault) == before


def test_sigterm_stops_the_watcher_like_ctrl_c(
    vault: Path, config: Config, spawn: Spawn, scratch: Path
) -> None:
    """systemd and launchd stop a service with SIGTERM (docs/tlvault-watch.service)."""
    watcher = spawn("watch", vault, *DEBOUNCE, *NOW)
    watcher.wait_for_statuses(1)
    assert watcher.interrupt(signum=signal.SIGTERM) == 130
    assert_clean_stderr(watcher.stderr(), interrupted=True)
    assert temporaries(vault) == []
    assert generated(config) == oracle(config, scratch)


def test_ctrl_c_while_a_file_is_being_written_removes_the_temporary_file(
    vault: Path, config: Config, spawn: Spawn, run: Run, scratch: Path
) -> None:
    before = snapshot(vault)
    expected = oracle(config, scratch)  # the first rebuild's files, from a copy
    watcher = spawn("watch", vault, *DEBOUNCE, *NOW, env={PAUSE: "3.0"})
    # a temporary file with its bytes: tlvault sleeps between fsync and os.replace
    # (Ctrl-C the very instant the file is created: test_ctrl_c_just_after_the_temporary_file_is_created)
    watcher.wait_for(lambda: has_written_temporary(vault), what="a written temporary file")

    assert watcher.interrupt() == 130
    assert_clean_stderr(watcher.stderr(), interrupted=True)
    assert temporaries(vault) == []
    left = generated(config)
    assert all(left[rel] == expected[rel] for rel in left), sorted(left)  # whole new files only
    assert snapshot(vault) == before

    again = run("rebuild", vault, *NOW)
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""
    assert generated(config) == expected
    assert snapshot(vault) == before


# `python -c LINGER ARGS…` runs `tlvault ARGS…` with os.open lingering right after it created a
# temporary file: the instant between the file's creation and the writer's cleanup block, stretched.
LINGER = """
import os
import sys
import time

from tlvault.cli import main

real_open = os.open


def open_then_linger(path, flags, mode=0o777, *, dir_fd=None):
    fd = real_open(path, flags, mode, dir_fd=dir_fd)
    if os.fspath(path).endswith(".tlvault-tmp"):
        time.sleep(3.0)
    return fd


os.open = open_then_linger
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_just_after_the_temporary_file_is_created(vault: Path, spawn: Spawn) -> None:
    """Ctrl-C can land at any instant of a write, also right after the temporary file is created:
    with a plain `python -m tlvault`, a SIGINT sent as soon as the file appears leaves it behind
    about once in 15 runs; LINGER makes that instant last 3 s."""
    before = snapshot(vault)
    watcher = spawn("watch", vault, *DEBOUNCE, *NOW, program=("-c", LINGER))
    watcher.wait_for(lambda: bool(temporaries(vault)), what="a temporary file")

    assert watcher.interrupt() == 130
    assert_clean_stderr(watcher.stderr(), interrupted=True)
    assert temporaries(vault) == []
    assert snapshot(vault) == before


def test_ctrl_c_stderr_holds_only_tlvault_lines(vault: Path, spawn: Spawn, tmp_path: Path) -> None:
    """Ctrl-C just after the user moved a note out of the vault (Obsidian's "move to system trash"):
    stderr is exactly `tlvault: interrupted`, with no line from a library (STYLE: only cli.py
    writes to stderr, errors are one `tlvault: …` line)."""
    watcher = spawn("watch", vault, *DEBOUNCE, *NOW)
    watcher.wait_for_statuses(1)
    trash = tmp_path / "Trash"
    trash.mkdir()
    os.rename(vault / "3 - Contenus/Newsletter.md", trash / "Newsletter.md")
    time.sleep(0.1)  # inotify reported the move; watchdog holds an unpaired move for 0.5 s

    assert watcher.interrupt() == 130
    assert watcher.stderr() == INTERRUPTED + "\n"
    assert temporaries(vault) == []


# -- 2. L6: two instances ------------------------------------------------------------------------


def test_l6_a_second_instance_is_refused_while_the_watcher_runs(
    vault: Path, config: Config, spawn: Spawn, run: Run, scratch: Path
) -> None:
    before = snapshot(vault)
    watcher = spawn("watch", vault, *DEBOUNCE, *NOW)
    watcher.wait_for_statuses(1)
    files = output_stats(config)

    for command in (("rebuild", vault, *NOW), ("watch", vault, *DEBOUNCE, *NOW)):
        second = run(*command)
        assert second.returncode == 1, (command, second.stdout, second.stderr)
        lines = second.stderr.splitlines()
        assert len(lines) == 1, second.stderr
        assert lines[0].startswith(f"tlvault: error: another tlvault is running on {config.vault}"), lines
        assert f"process {watcher.pid}" in lines[0], lines
        assert second.stdout == "", second.stdout
        assert output_stats(config) == files  # the refused instance wrote nothing
        assert temporaries(vault) == []
    assert watcher.process.poll() is None, watcher.describe()
    assert len(watcher.statuses()) == 1, watcher.stdout()  # and the watcher saw nothing to redo

    assert watcher.interrupt() == 130
    assert_clean_stderr(watcher.stderr(), interrupted=True)
    after = run("rebuild", vault, *NOW)  # the lock is free again
    assert after.returncode == 0, after.stderr
    assert after.stderr == ""
    assert written_count(after.stdout) == 0
    assert output_stats(config) == files
    assert generated(config) == oracle(config, scratch)
    assert snapshot(vault) == before


# -- 3. S4 / C3: kill -9 -------------------------------------------------------------------------


def test_s4_kill_9_during_a_watcher_rebuild_then_restart(
    vault: Path, config: Config, spawn: Spawn, run: Run, scratch: Path
) -> None:
    first = run("rebuild", vault, *NOW)  # generated files and a warm cache
    assert first.returncode == 0, first.stderr
    old = generated(config)
    watcher = spawn("watch", vault, *DEBOUNCE, *NOW, env={PAUSE: "1.0"})
    watcher.wait_for_start()
    write_note(vault, JOURNAL, NOTES[JOURNAL] + LATER)
    before = snapshot(vault)
    watcher.wait_for(lambda: bool(temporaries(vault)), what="a temporary file in the output folder")
    assert watcher.kill() == -signal.SIGKILL

    new = oracle(config, scratch)
    assert new != old
    temps = temporaries(vault)
    assert len(temps) == 1 and temps[0].startswith(f"{config.output_folder}/"), temps
    left = without_temporaries(generated(config))
    assert set(left) == set(old)
    for rel, data in left.items():  # each file old-complete or new-complete
        assert data in (old[rel], new.get(rel)), rel
    assert snapshot(vault) == before

    restarted = spawn("watch", vault, *DEBOUNCE, *NOW)
    restarted.wait_for_statuses(1)
    assert restarted.interrupt() == 130
    assert_clean_stderr(restarted.stderr(), interrupted=True)  # cache accepted, or discarded with a warning
    assert temporaries(vault) == []
    assert generated(config) == new
    assert generated(config) == oracle(config, scratch)
    assert snapshot(vault) == before
    cache_is_sound()


def test_c3_kill_9_during_a_burst_of_edits_then_rebuild(
    make_vault: MakeVault, spawn: Spawn, run: Run, scratch: Path
) -> None:
    root = make_vault({**NOTES, **{rel: f"Note de flux {i:02d}.\n" for i, rel in enumerate(FLUX)}})
    config = default_config(root)
    watcher = spawn("watch", root, *DEBOUNCE, *NOW, env={PAUSE: "0.05"})
    watcher.wait_for_statuses(1)

    killed_at: int | None = None
    for i, rel in enumerate(FLUX):
        write_note(root, rel, f"Note de flux {i:02d}, relue avec [[Deep work]] et [[Newsletter]].\n")
        time.sleep(0.15 if i % 10 == 9 else 0.01)  # a pause every 10 edits lets a rebuild start
        # past the first rebuilds of the burst (the cache already updated), kill the one in progress
        # between its cache update and its writes
        if killed_at is None and i >= 29 and temporaries(root):
            assert watcher.kill() == -signal.SIGKILL
            killed_at = i
    if killed_at is None:  # the burst ended first: kill the rebuild it started
        watcher.wait_for(lambda: bool(temporaries(root)), what="a temporary file")
        assert watcher.kill() == -signal.SIGKILL
    before = snapshot(root)

    result = run("rebuild", root, *NOW)
    assert result.returncode == 0, result.stderr
    assert_clean_stderr(result.stderr, interrupted=False)
    assert temporaries(root) == []
    assert generated(config) == oracle(config, scratch)
    assert snapshot(root) == before
    cache_is_sound()
    again = run("rebuild", root, *NOW)
    assert again.returncode == 0, again.stderr
    assert written_count(again.stdout) == 0
    assert snapshot(root) == before


# -- 4. W18: edits while stopped -----------------------------------------------------------------


def test_w18_edits_while_stopped_are_caught_by_the_next_rebuild(
    vault: Path, config: Config, spawn: Spawn, run: Run, scratch: Path
) -> None:
    watcher = spawn("watch", vault, *DEBOUNCE, *NOW)
    watcher.wait_for_statuses(1)
    assert watcher.interrupt() == 130
    assert_clean_stderr(watcher.stderr(), interrupted=True)
    stopped = generated(config)

    write_note(vault, JOURNAL, NOTES[JOURNAL] + LATER)  # edited
    (vault / "3 - Contenus/Newsletter.md").unlink()  # deleted
    write_note(  # added
        vault,
        "2 - Idées/La constance.md",
        "---\ncreated: 2024-06-01\n---\n# La constance\n\n"
        "La constance nourrit le [[Deep work]] et l'[[Écriture quotidienne]].\n",
    )
    os.rename(vault / "2 - Idées/Deep work.md", vault / "2 - Idées/Travail profond.md")  # renamed
    before: Snapshot = snapshot(vault)

    result = run("rebuild", vault, *NOW)
    assert result.returncode == 0, result.stderr
    assert_clean_stderr(result.stderr, interrupted=False)
    assert written_count(result.stdout) > 0
    assert generated(config) != stopped
    assert generated(config) == oracle(config, scratch)
    assert temporaries(vault) == []

    again = run("rebuild", vault, *NOW)
    assert again.returncode == 0, again.stderr
    assert "; 0 files written, " in again.stdout, again.stdout
    assert written_count(again.stdout) == 0
    assert snapshot(vault) == before


# -- 5. W20: inotify watch limit -----------------------------------------------------------------


def _unshare_works() -> bool:
    try:
        return (
            subprocess.run(["unshare", "-U", "-r", "true"], capture_output=True, timeout=30).returncode == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def test_w20_inotify_limit_warns_and_falls_back_to_polling(
    make_vault: MakeVault, spawn: Spawn, scratch: Path
) -> None:
    if not _unshare_works():
        pytest.skip("`unshare -U -r` is not available here: cannot lower the inotify limit")
    folders = {
        f"Dossier {i:02d}/Note {i:02d}.md": f"# Note {i:02d}\n\nUne note du dossier {i:02d}.\n"
        for i in range(80)
    }
    root = make_vault({**NOTES, **folders})
    config = default_config(root)
    count = sum(1 for path in root.rglob("*") if path.is_dir())  # 84 folders under the root
    limit = 50
    script = f'echo {limit} > /proc/sys/user/max_inotify_watches && exec "$@"'
    wrapper = ["unshare", "-U", "-r", "sh", "-c", script, "sh"]
    watcher = spawn("watch", root, *DEBOUNCE, *NOW, wrapper=wrapper)
    watcher.wait_for_statuses(1)

    lines = watcher.stderr().splitlines()
    warnings = [line for line in lines if line.startswith("tlvault: warning: ") and "inotify" in line]
    assert len(warnings) == 1, watcher.stderr()  # said once, at startup
    numbers = {int(n) for n in re.findall(r"\d+", warnings[0])}
    assert limit in numbers, warnings  # the limit…
    assert numbers & {count, count + 1}, (count, warnings)  # …and the folder count (with or without the root)

    before_new = generated(config)
    new = "Dossier 79/Nouvelle.md"
    write_note(root, new, "# Nouvelle\n\nVoir [[Newsletter]] et [[Deep work]].\n")
    watcher.wait_for(
        lambda: any(new in line for line in watcher.statuses()), timeout=30, what=f"a rebuild for {new}"
    )
    assert generated(config) != before_new
    assert watcher.interrupt() == 130
    assert_clean_stderr(watcher.stderr(), interrupted=True)
    assert temporaries(root) == []
    assert generated(config) == oracle(config, scratch)


# -- 6. bad command lines ------------------------------------------------------------------------


def test_watch_on_a_missing_vault_exits_1_with_one_error_line(tmp_path: Path, spawn: Spawn) -> None:
    missing = tmp_path / "absent"
    watcher = spawn("watch", missing, *DEBOUNCE, *NOW)
    try:
        code: int | None = watcher.process.wait(timeout=8)  # `tlvault rebuild` says so at once
    except subprocess.TimeoutExpired:
        code = None
    assert code is not None, f"`tlvault watch` on a missing vault still runs after 8 s\n{watcher.describe()}"
    assert code == 1, watcher.describe()
    lines = watcher.stderr().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tlvault: error: "), lines
    assert str(missing) in lines[0], lines
    assert not missing.exists()


@pytest.mark.parametrize("debounce", ["0", "abc"])
def test_watch_with_a_bad_debounce_exits_2(vault: Path, config: Config, run: Run, debounce: str) -> None:
    before = snapshot(vault)
    result = run("watch", vault, "--debounce", debounce, *NOW)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "--debounce" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not config.output_path.exists()
    assert snapshot(vault) == before
