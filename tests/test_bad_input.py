"""One bad file never stops a rebuild (FAULTS B1–B25, O1, O2, W21–W23; PRODUCT guarantees 1, 5 and 6).

Each case adds one bad input to a vault of good notes, then checks, through `read_vault` and
through `tlvault rebuild`: at most one warning line naming the file and the reason, every good
note still parsed with its links, no file opened outside the vault, no user file modified.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import tlvault.pipeline
from tests.conftest import MakeVault, RunCli, snapshot
from tlvault.cache import cache_folder
from tlvault.config import default_config
from tlvault.model import Skipped, SourceFile
from tlvault.pipeline import ParsedVault, read_vault
from tlvault.report import Report
from tlvault.scan import read_note as real_read_note

# A note's tags and its links as (target as written, resolved file or None).
NoteView = tuple[tuple[str, ...], tuple[tuple[str, str | None], ...]]

OUTPUT_FOLDER = "tlvault"  # the default output folder: tlvault's own, not the user's
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"

GOOD: dict[str, str | bytes] = {
    "Idées/Travail profond.md": (
        "---\ncreated: 2024-02-19\nupdated: 2024-02-22T20:47\ntags: [idée]\n---\n"
        "# Travail profond\n\nVoir [[Focus]] et [[1 - Input/2024-02-19]].\nUne [[Idée fantôme]] à creuser.\n"
    ),
    "Focus.md": "Le focus mène au [[Travail profond]] ; image ![[pixel.png]].\nL’idée jetée : [[Idea]].\n",
    "1 - Input/2024-02-19.md": (
        "Lien : [[Focus]]\nTags : #journal\n\nRelu [le focus](../Focus.md) ce matin.\n"
    ),
    "attachments/pixel.png": PNG,
    "Board.canvas": '{"nodes": [], "edges": []}',
    ".obsidian/workspace.json": '{"main": {}}',
    ".obsidian-mobile/app.json": "{}",
    ".git/HEAD": "ref: refs/heads/main\n",
    ".trash/Idea.md": "Idée jetée #corbeille [[Focus]]\n",  # O1: Obsidian's trash is never indexed
}
GOOD_NOTES: dict[str, NoteView] = {
    "Idées/Travail profond.md": (
        ("idée",),
        (
            ("Focus", "Focus.md"),
            ("1 - Input/2024-02-19", "1 - Input/2024-02-19.md"),
            ("Idée fantôme", None),
        ),
    ),
    "Focus.md": (
        (),
        (
            ("Travail profond", "Idées/Travail profond.md"),
            ("pixel.png", "attachments/pixel.png"),
            ("Idea", None),
        ),
    ),
    "1 - Input/2024-02-19.md": (("journal",), (("Focus", "Focus.md"), ("../Focus.md", "Focus.md"))),
}
GOOD_FILES = (
    "1 - Input/2024-02-19.md",
    "Board.canvas",
    "Focus.md",
    "Idées/Travail profond.md",
    "attachments/pixel.png",
)
TO_FOCUS: NoteView = ((), (("Focus", "Focus.md"),))

Setup = Callable[[Path, pytest.MonkeyPatch], None]


@dataclass(frozen=True)
class BadCase:
    """One bad input added to the good vault, and what tlvault must make of it."""

    name: str
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    setup: Setup | None = None
    notes: Mapping[str, NoteView] = field(default_factory=dict)  # notes the bad input still yields
    linkable: tuple[str, ...] = ()  # files it adds to the linkable files
    skipped: tuple[str, ...] | None = None  # (rel, reason keywords…) of a file not read
    warned: tuple[str, ...] | None = None  # (rel, reason keywords…) of a note read despite a problem
    deleted: tuple[str, ...] = ()  # user files the test itself deletes

    def expected(self) -> list[tuple[str, tuple[str, ...]]]:
        """(message start, reason keywords) of each warning, without the `tlvault: warning: ` prefix."""
        out = []
        if self.skipped:
            out.append((f"skipped {self.skipped[0]}: ", self.skipped[1:]))
        if self.warned:
            out.append((f"{self.warned[0]}: ", self.warned[1:]))
        return out


# -- setups that need more than file contents ---------------------------------------------


def vanish_during_read(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Delete Ghost.md just before the pipeline reads it (FAULTS B17)."""

    def read_note(source: SourceFile, max_bytes: int | None = None) -> bytes:
        if source.rel == "Ghost.md":
            Path(source.path).unlink()
        return real_read_note(source, max_bytes)

    monkeypatch.setattr(tlvault.pipeline, "read_note", read_note)


def deny_secret(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EACCES for Privé.md, as for a non-root user on a chmod 000 file (FAULTS B18; CI runs as root)."""
    real_os_open = os.open
    denied = str(vault / "Privé.md")

    def os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path) == denied:
            raise PermissionError(13, os.strerror(13), denied)
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)


def make_fifo(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(vault / "pipe.md")


def make_self_loop(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.symlink("Boucle.md", vault / "Boucle.md")


def make_parent_loop(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.symlink("..", vault / "a" / "loop")


def make_secrets_outside(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files a traversing link could reach: next to the vault, outside it."""
    (vault.parent / "secret.png").write_bytes(PNG)
    (vault.parent / "secret.md").write_text("secret", encoding="utf-8")


BOMB = (
    '---\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\nCorps [[Focus]]\n"
)
HUGE = b"word [[Focus]] \n" * 375_000  # 6,000,000 bytes, over the default 5 MB limit

CASES = [
    BadCase(
        "invalid-yaml-flow",
        files={"Bad yaml.md": "---\ntitle: [oops\n---\nCorps [[Focus]] #corps\n"},
        notes={"Bad yaml.md": (("corps",), (("Focus", "Focus.md"),))},
        linkable=("Bad yaml.md",),
        warned=("Bad yaml.md", "not valid YAML", "line 2"),
    ),
    BadCase(
        "invalid-yaml-tab",
        files={"Tab.md": "---\ntitle: T\n\ttags: x\n---\nCorps [[Focus]]\n"},
        notes={"Tab.md": TO_FOCUS},
        linkable=("Tab.md",),
        warned=("Tab.md", "not valid YAML", "line 3"),
    ),
    BadCase(
        "invalid-yaml-colons",
        files={"Réunion.md": "---\ntitle: Re: meeting: notes\n---\nCorps [[Focus]]\n"},
        notes={"Réunion.md": TO_FOCUS},
        linkable=("Réunion.md",),
        warned=("Réunion.md", "not valid YAML", "line 2"),
    ),
    BadCase(
        "unsafe-yaml-tag",
        files={
            "Unsafe.md": '---\nx: !!python/object/apply:os.system ["touch pwned"]\n---\nCorps [[Focus]]\n'
        },
        notes={"Unsafe.md": TO_FOCUS},
        linkable=("Unsafe.md",),
        warned=("Unsafe.md", "not valid YAML", "line 2"),
    ),
    BadCase(
        "yaml-alias-bomb",
        files={"Bombe.md": BOMB},
        notes={"Bombe.md": TO_FOCUS},
        linkable=("Bombe.md",),
        warned=("Bombe.md", "aliases"),
    ),
    BadCase(
        "utf8-bom",
        files={"Bom.md": b"\xef\xbb\xbf---\ntitle: T\ntags: [a]\n---\nBody [[Focus]]\n"},
        notes={"Bom.md": (("a",), (("Focus", "Focus.md"),))},
        linkable=("Bom.md",),
    ),
    BadCase(
        "crlf",
        files={"Crlf.md": b"---\r\ntitle: T\r\ntags: [a]\r\n---\r\nBody [[Focus]]\r\n"},
        notes={"Crlf.md": (("a",), (("Focus", "Focus.md"),))},
        linkable=("Crlf.md",),
    ),
    BadCase(
        "lone-cr",
        files={"Cr.md": b"---\rtitle: T\rtags: [a]\r---\rBody [[Focus]]\r"},
        notes={"Cr.md": (("a",), (("Focus", "Focus.md"),))},
        linkable=("Cr.md",),
    ),
    BadCase(
        "latin-1",
        files={"Latin.md": b"---\ntitle: caf\xe9\n---\n[[Focus]]\n"},
        notes={"Latin.md": TO_FOCUS},
        linkable=("Latin.md",),
        warned=("Latin.md", "not valid UTF-8", "0xe9", "offset 14"),
    ),
    BadCase(
        "utf-16",
        files={"Utf16.md": "---\ntitle: T\n---\n[[Focus]] #seize\n".encode("utf-16")},
        notes={"Utf16.md": (("seize",), (("Focus", "Focus.md"),))},
        linkable=("Utf16.md",),
        warned=("Utf16.md", "UTF-16"),
    ),
    BadCase("empty", files={"Vide.md": b""}, notes={"Vide.md": ((), ())}, linkable=("Vide.md",)),
    BadCase(
        "png-named-md",
        files={"Image.md": PNG + b"\x00" * 64},
        linkable=("Image.md",),
        skipped=("Image.md", "binary content"),
    ),
    BadCase(
        "nul-bytes-binary",
        files={"Données.md": b"\x00\x00\xff\x00 [[Focus]]"},
        linkable=("Données.md",),
        skipped=("Données.md", "binary content"),
    ),
    BadCase(
        "folder-named-md",
        files={"x.md/inside.md": "Dans un dossier [[Focus]]\n"},
        notes={"x.md/inside.md": TO_FOCUS},
        linkable=("x.md/inside.md",),
    ),
    BadCase(
        "huge-6mb",
        files={"Énorme.md": HUGE},
        linkable=("Énorme.md",),
        skipped=("Énorme.md", "max_note_bytes", "6.0 MB"),
    ),
    BadCase("vanished", files={"Ghost.md": "[[Focus]]\n"}, setup=vanish_during_read, deleted=("Ghost.md",)),
    BadCase(
        "permission-denied",
        files={"Privé.md": "[[Focus]]\n"},
        setup=deny_secret,
        linkable=("Privé.md",),
        skipped=("Privé.md", "EACCES"),
    ),
    BadCase(
        "fifo-named-md",
        setup=make_fifo,
        skipped=("pipe.md", "not a regular file"),
    ),
    BadCase("symlink-self-loop", setup=make_self_loop, skipped=("Boucle.md", "symlink loop")),
    BadCase(
        "symlink-to-parent",
        files={"a/Réel.md": "[[Focus]]\n"},
        setup=make_parent_loop,
        notes={"a/Réel.md": TO_FOCUS},
        linkable=("a/Réel.md",),
    ),
    BadCase(
        "path-traversal-links",
        files={
            "Sub/Traversal.md": (
                "[[../../etc/passwd]] [x](../../etc/passwd) [[/etc/passwd]]\n"
                "![[../../secret.png]] [[../secret]] [y](../../../secret.md) [[../../secret]]\n"
            )
        },
        setup=make_secrets_outside,
        notes={
            "Sub/Traversal.md": (
                (),
                (
                    ("../../etc/passwd", None),
                    ("../../etc/passwd", None),
                    ("/etc/passwd", None),
                    ("../../secret.png", None),
                    ("../secret", None),
                    ("../../../secret.md", None),
                    ("../../secret", None),
                ),
            )
        },
        linkable=("Sub/Traversal.md",),
    ),
    BadCase(
        "sync-conflict-copy",
        files={"Focus.sync-conflict-20240101-120000-ABCDEFG.md": "[[Idea]]\n"},
        skipped=("Focus.sync-conflict-20240101-120000-ABCDEFG.md", "sync conflict"),
    ),
    BadCase(
        "editor-temp-files",
        files={
            "Focus.md~": "old",
            "Focus.md.swp": "vim",
            "#Focus.md#": "emacs",
            "4913": "",
            "Focus.md.tmp": "x",
        },
    ),
]


# -- helpers --------------------------------------------------------------------------------


def build(case: BadCase, make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The good vault plus the case's bad input; the working directory is the vault's parent."""
    vault = make_vault({**GOOD, **case.files})
    monkeypatch.chdir(vault.parent)  # where `touch pwned` would land
    if case.setup is not None:
        case.setup(vault, monkeypatch)
    return vault


def view(parsed: ParsedVault) -> dict[str, NoteView]:
    """Every parsed note's tags and links with where they lead."""
    return {
        note.rel: (
            note.tags,
            tuple(
                (link.target, target)
                for link, target in zip(note.links, parsed.resolved.of(note), strict=True)
            ),
        )
        for note in parsed.notes
    }


def without(
    entries: Mapping[str, tuple[str, int, int]], deleted: tuple[str, ...]
) -> dict[str, tuple[str, int, int]]:
    return {rel: value for rel, value in entries.items() if rel not in deleted}


# -- outside-vault access detector (FAULTS, "Shared fixtures") -----------------------------

_OPENS: ContextVar[list[tuple[str, str]] | None] = ContextVar("tlvault_test_opens", default=None)
_AUDITED = frozenset({"open", "os.scandir", "os.listdir"})
_PYTHON_DIRS = tuple(sorted({os.path.abspath(p) for p in (sys.prefix, sys.base_prefix, *sys.path) if p}))


def _audit(event: str, args: tuple[Any, ...]) -> None:
    opens = _OPENS.get()
    if opens is None or event not in _AUDITED or not args:
        return
    target = args[0]
    if isinstance(target, str | bytes | os.PathLike):
        opens.append((event, os.path.abspath(os.fsdecode(target))))


@pytest.fixture(scope="session")
def audit_hook() -> None:
    """Install the audit hook once per session (audit hooks cannot be removed)."""
    sys.addaudithook(_audit)


@contextmanager
def recording_opens() -> Iterator[list[tuple[str, str]]]:
    """Record (event, absolute path) of every open/scandir/listdir in this context."""
    opens: list[tuple[str, str]] = []
    token = _OPENS.set(opens)
    try:
        yield opens
    finally:
        _OPENS.reset(token)


def _is_python_import(event: str, path: str) -> bool:
    """Python's import machinery and installed packages' own files (a codec, package metadata),
    not tlvault reading data."""
    return any(path == d or path.startswith(d + os.sep) for d in _PYTHON_DIRS)


def outside_vault(opens: list[tuple[str, str]], vault: Path) -> list[tuple[str, str]]:
    """Opened paths outside the vault and outside tlvault's cache folder (where the lock lives)."""
    allowed = [os.path.abspath(vault), os.path.abspath(cache_folder())]
    return [
        (event, path)
        for event, path in opens
        if not any(path == root or path.startswith(root + os.sep) for root in allowed)
        and not _is_python_import(event, path)
    ]


def warning_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def assert_warnings(lines: list[str], cases: list[BadCase], prefix: str = "") -> None:
    """One line per expected problem, naming its file and holding the reason keywords; no other line."""
    expected = [(prefix + start, keywords) for case in cases for start, keywords in case.expected()]
    assert len(lines) == len(expected), lines
    for start, keywords in expected:
        matching = [line for line in lines if line.startswith(start)]
        assert len(matching) == 1, (start, lines)
        assert [word for word in keywords if word not in matching[0]] == [], matching[0]


def assert_recorded(recorded: list[Skipped], problem: tuple[str, ...] | None) -> None:
    """The report entry of one problem: its file, and a reason with the keywords."""
    if problem is None:
        assert recorded == []
        return
    rel, *keywords = problem
    assert [entry.rel for entry in recorded] == [rel]
    assert [word for word in keywords if word not in recorded[0].reason] == [], recorded[0].reason


def expected_summary(notes: Mapping[str, NoteView], skipped_count: int, warned_count: int) -> str:
    """The summary line of `tlvault rebuild` without its duration."""
    links = [target for _, note_links in notes.values() for _, target in note_links]
    tags = {tag for note_tags, _ in notes.values() for tag in note_tags}
    problems = f", {warned_count} with warnings" if warned_count else ""
    return (
        f"{len(notes)} notes read{problems}, {skipped_count} skipped; "
        f"{len(links)} links, {links.count(None)} unresolved; {len(tags)} tags"
    )


def summary_without_time(stdout: str) -> str:
    """What the summary line says about reading the vault (what was found and written follows)."""
    return "; ".join(stdout.split("; ")[:3])


# -- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_read_vault_survives_bad_input(
    case: BadCase,
    make_vault: MakeVault,
    monkeypatch: pytest.MonkeyPatch,
    tlvault_logs: pytest.LogCaptureFixture,
    audit_hook: None,
) -> None:
    vault = build(case, make_vault, monkeypatch)
    before = snapshot(vault)
    report = Report()
    with recording_opens() as opens:
        parsed = read_vault(default_config(vault), report)
    assert view(parsed) == {**GOOD_NOTES, **case.notes}
    assert parsed.files == tuple(sorted({*GOOD_FILES, *case.linkable}))
    assert_recorded(report.skipped, case.skipped)
    assert_recorded(report.warned, case.warned)
    assert_warnings(warning_messages(tlvault_logs), [case])
    assert warning_messages(tlvault_logs) == [
        *(f"skipped {entry.rel}: {entry.reason}" for entry in report.skipped),
        *(f"{entry.rel}: {entry.reason}" for entry in report.warned),
    ]
    assert str(vault / "Focus.md") in {path for _, path in opens}  # the detector is live
    assert outside_vault(opens, vault) == []
    assert snapshot(vault) == without(before, case.deleted)
    assert not (vault.parent / "pwned").exists()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_cli_rebuild_survives_bad_input(
    case: BadCase, make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    vault = build(case, make_vault, monkeypatch)
    before = snapshot(vault)
    result = run_cli("rebuild", vault)
    assert result.exit_code == 0
    assert_warnings(result.stderr.splitlines(), [case], "tlvault: warning: ")
    notes = {**GOOD_NOTES, **case.notes}
    assert summary_without_time(result.stdout) == expected_summary(
        notes, 1 if case.skipped else 0, 1 if case.warned else 0
    )
    strict = run_cli("rebuild", "--strict", vault)
    assert strict.exit_code == (1 if case.skipped or case.warned else 0)
    assert strict.stderr == result.stderr
    assert snapshot(vault) == without(before, case.deleted)


def test_every_bad_input_at_once(
    make_vault: MakeVault,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: RunCli,
    audit_hook: None,
    tlvault_logs: pytest.LogCaptureFixture,
) -> None:
    files: dict[str, str | bytes] = {}
    for case in CASES:
        files.update(case.files)
    vault = make_vault({**GOOD, **files})
    monkeypatch.chdir(vault.parent)
    for case in CASES:
        if case.setup is not None:
            case.setup(vault, monkeypatch)
    before = snapshot(vault)
    notes: dict[str, NoteView] = dict(GOOD_NOTES)
    for case in CASES:
        notes.update(case.notes)
    with recording_opens() as opens:
        assert view(read_vault(default_config(vault), Report())) == notes
        result = run_cli("rebuild", vault)
    assert result.exit_code == 0
    assert_warnings(result.stderr.splitlines(), CASES, "tlvault: warning: ")
    skipped_count = sum(1 for case in CASES if case.skipped)
    warned_count = sum(1 for case in CASES if case.warned)
    assert summary_without_time(result.stdout) == expected_summary(notes, skipped_count, warned_count)
    assert outside_vault(opens, vault) == []
    deleted = tuple(rel for case in CASES for rel in case.deleted)
    assert snapshot(vault) == without(before, deleted)
    assert run_cli("rebuild", "--strict", vault).exit_code == 1


def test_vanished_note_is_only_a_debug_line(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    vault = make_vault({**GOOD, "Ghost.md": "[[Focus]]\n", "Sub/Other.md": "[[Ghost]]\n"})
    vanish_during_read(vault, monkeypatch)
    parsed = read_vault(default_config(vault), Report())
    assert [(r.name, r.levelno, r.getMessage()) for r in tlvault_logs.records] == [
        ("tlvault.pipeline", logging.DEBUG, "Ghost.md: deleted during the scan; ignored")
    ]
    assert "Ghost.md" not in parsed.files
    assert view(parsed)["Sub/Other.md"] == ((), (("Ghost", None),))  # a link to it is now unresolved


def test_trash_is_never_indexed(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Focus.md": "[[Idea]] [[.trash/Idea]] [x](.trash/Idea.md)\n",
            ".trash/Idea.md": "[[Focus]] #corbeille\n",
            ".trash/Old/Deep.md": "deleted\n",
            "Archive/Idea.md": "kept\n",
        }
    )
    parsed = read_vault(default_config(vault), Report())
    assert [note.rel for note in parsed.notes] == ["Archive/Idea.md", "Focus.md"]
    assert parsed.files == ("Archive/Idea.md", "Focus.md")
    assert view(parsed)["Focus.md"] == (
        (),
        (("Idea", "Archive/Idea.md"), (".trash/Idea", None), (".trash/Idea.md", None)),
    )
