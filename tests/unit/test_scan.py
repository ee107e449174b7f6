"""scan_vault and read_note on real folders (corpus rules 1–4; FAULTS B16–B19, B21, B23, W21–W23)."""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import signal
import socket
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from tlvault import memo
from tlvault.config import default_config
from tlvault.errors import NoteError, VaultError
from tlvault.model import Skipped, SourceFile, Vault
from tlvault.scan import (
    NoteVanishedError,
    compile_glob,
    forget_listings,
    read_note,
    scan_vault,
    trust_events,
)

MakeVault = Callable[[Mapping[str, str | bytes]], Path]

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
NOT_REGULAR = "not a regular file (a pipe, socket or device)"


def scan(vault: Path, **overrides: Any) -> Vault:
    """scan_vault with the default config of `vault`, some fields replaced."""
    return scan_vault(dataclasses.replace(default_config(vault), **overrides))


def note_rels(result: Vault) -> list[str]:
    """The rels of the notes, in the order the scan returns them."""
    return [source.rel for source in result.notes]


def source_of(result: Vault, rel: str) -> SourceFile:
    """The scanned note `rel`."""
    (source,) = [s for s in result.notes if s.rel == rel]
    return source


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Turn a hang (a FIFO opened for reading) into a failure after 10 s instead of blocking CI."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("the test blocked for 10 s: something opened a FIFO or socket")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path passed to os.open or open() while the test runs."""
    calls: list[str] = []
    real_os_open = os.open
    real_open = open

    def spy_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        calls.append(os.fsdecode(path))
        return real_os_open(path, flags, *args, **kwargs)

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | bytes | os.PathLike):
            calls.append(os.fsdecode(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy_os_open)
    monkeypatch.setattr("builtins.open", spy_open)
    return calls


# -- what Obsidian sees (rules 1–3) ---------------------------------------------------------


def test_hidden_files_and_folders_never_appear(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Note.md": "[[Idea]]",
            ".obsidian/workspace.json": "{}",
            ".obsidian/plugins/x/README.md": "# plugin",
            ".trash/Idea.md": "deleted",
            ".git/HEAD": "ref: refs/heads/main",
            ".git/notes.md": "not a note",
            ".obsidian-mobile/app.json": "{}",
            ".hidden.md": "hidden",
            "Sub/.secret note.md": "hidden",
            "Sub/.DS_Store": "junk",
            "Sub/Visible.md": "ok",
        }
    )
    result = scan(vault)
    assert note_rels(result) == ["Note.md", "Sub/Visible.md"]
    assert result.files == ("Note.md", "Sub/Visible.md")
    assert result.skipped == ()
    assert result.root == vault


def test_empty_vault(make_vault: MakeVault) -> None:
    result = scan(make_vault({}))
    assert (result.notes, result.files, result.skipped) == ((), (), ())


def test_notes_are_sorted_with_their_size_and_mtime(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "b.md": "bb",
            "A.md": "a",
            "a/z.md": "zzz",
            "Zèbre.md": "",
            "1 - Input/2024-02-19.md": "journal",
            "a b.md": "x",
        }
    )
    os.utime(vault / "b.md", ns=(1_700_000_000_000_000_000, 1_700_000_000_123_456_789))
    result = scan(vault)
    rels = note_rels(result)
    assert rels == ["1 - Input/2024-02-19.md", "A.md", "Zèbre.md", "a b.md", "a/z.md", "b.md"]
    assert list(result.files) == rels
    assert source_of(result, "b.md") == SourceFile(str(vault / "b.md"), "b.md", 2, 1_700_000_000_123_456_789)
    assert source_of(result, "a/z.md").size == 3


def test_nfd_file_names_give_nfc_rels_and_keep_the_disk_path(make_vault: MakeVault) -> None:
    nfd_note = unicodedata.normalize("NFD", "Idées/Café crème.md")
    nfd_image = unicodedata.normalize("NFD", "Pièces/écran.png")
    vault = make_vault({nfd_note: "[[Élan]]", nfd_image: PNG, "Élan.md": "x"})
    result = scan(vault)
    assert note_rels(result) == ["Idées/Café crème.md", "Élan.md"]
    assert all(unicodedata.is_normalized("NFC", rel) for rel in result.files)
    assert result.files == ("Idées/Café crème.md", "Pièces/écran.png", "Élan.md")
    source = source_of(result, "Idées/Café crème.md")
    assert source.path == str(vault / nfd_note)  # spelled as on disk, so it can be opened
    assert read_note(source) == b"[[\xc3\x89lan]]"


def test_unicode_twins_keep_one_note_and_skip_the_other(make_vault: MakeVault) -> None:
    nfd = unicodedata.normalize("NFD", "Café.md")
    vault = make_vault({"Café.md": "nfc", nfd: "nfd"})
    result = scan(vault)
    assert note_rels(result) == ["Café.md"]
    assert result.files == ("Café.md",)
    reason = "another file has the same name in another Unicode form (this one is NFD); rename one"
    assert result.skipped == (Skipped("Café.md", reason),)
    # Deterministic: the NFC spelling, which is how Obsidian and tlvault name notes, is kept.
    assert source_of(result, "Café.md").path == str(vault / "Café.md")


def test_non_markdown_files_are_linkable_but_not_notes(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Note.md": "x",
            "attachments/pixel.png": PNG,
            "Board.canvas": '{"nodes": [], "edges": []}',
            "docs/Guide.pdf": b"%PDF-1.4",
            "Drawing.excalidraw": "{}",
            "notes.txt": "text",
            "Makefile": "all:",
            "README.markdown": "# not .md",
        }
    )
    result = scan(vault)
    assert note_rels(result) == ["Note.md"]
    assert result.files == (
        "Board.canvas",
        "Drawing.excalidraw",
        "Makefile",
        "Note.md",
        "README.markdown",
        "attachments/pixel.png",
        "docs/Guide.pdf",
        "notes.txt",
    )
    assert result.skipped == ()


def test_output_folder_notes_are_linkable_but_not_read(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Note.md": "x",
            "tlvault/Idées à cultiver.md": "generated",
            "tlvault/clusters/Focus.md": "generated",
            "tlvault/Carte.canvas": "{}",
            "tlvault-notes/Mine.md": "a user folder that only starts like the output folder",
        }
    )
    result = scan(vault)
    assert note_rels(result) == ["Note.md", "tlvault-notes/Mine.md"]
    assert result.files == (
        "Note.md",
        "tlvault-notes/Mine.md",
        "tlvault/Carte.canvas",
        "tlvault/Idées à cultiver.md",
        "tlvault/clusters/Focus.md",
    )
    assert result.skipped == ()


def test_configured_output_folder_is_not_read(make_vault: MakeVault) -> None:
    vault = make_vault({"Note.md": "x", "_gen/index/A.md": "generated", "tlvault/B.md": "user"})
    result = scan(vault, output_folder="_gen/index")
    assert note_rels(result) == ["Note.md", "tlvault/B.md"]
    assert result.files == ("Note.md", "_gen/index/A.md", "tlvault/B.md")


def test_excluded_notes_are_linkable_but_not_read(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Note.md": "x",
            "Templates/Daily.md": "{{date}}",
            "Templates/Sub/Meeting.md": "{{title}}",
            "Templates/logo.png": PNG,
            "Drawing 1.excalidraw.md": "excalidraw",
            "Archive/2023/Old.md": "old",
            "Archive/Old.md": "old",
            "Archives/Kept.md": "kept: not the Archive folder",
            "brouillon.md": "draft",
            "Projets/Livre/brouillon chapitre 1.md": "draft",
            "Projets/Livre/Chapitre 1.md": "kept",
        }
    )
    excludes = ("Templates/**", "*.excalidraw.md", "Archive", "**/brouillon*.md")
    result = scan(vault, exclude=excludes)
    assert note_rels(result) == ["Archives/Kept.md", "Note.md", "Projets/Livre/Chapitre 1.md"]
    assert result.files == (
        "Archive/2023/Old.md",
        "Archive/Old.md",
        "Archives/Kept.md",
        "Drawing 1.excalidraw.md",
        "Note.md",
        "Projets/Livre/Chapitre 1.md",
        "Projets/Livre/brouillon chapitre 1.md",
        "Templates/Daily.md",
        "Templates/Sub/Meeting.md",
        "Templates/logo.png",
        "brouillon.md",
    )
    assert result.skipped == ()  # an excluded note is a choice, not a problem worth a warning


@pytest.mark.parametrize(
    ("pattern", "rel", "matches"),
    [
        ("Templates/**", "Templates/Daily.md", True),
        ("Templates/**", "Templates/Sub/Meeting.md", True),
        ("Templates/**", "MyTemplates/Daily.md", False),
        ("Templates/**", "Notes/Templates/Daily.md", False),
        ("Templates/**", "Templates.md", False),
        ("*.excalidraw.md", "Drawing 1.excalidraw.md", True),
        ("*.excalidraw.md", "Drawing 1.md", False),
        ("*.excalidraw.md", "excalidraw.md", False),
        ("Archive", "Archive/Old.md", True),
        ("Archive", "Archive/2023/Old.md", True),
        ("Archive", "Archive", True),
        ("Archive", "Archives/Old.md", False),
        ("Archive", "Notes/Archive/Old.md", True),  # no "/": matches in any folder, as in .gitignore
        ("Archive", "Archive.md", False),
        ("Archive/", "Archive/Old.md", True),
        ("/Archive/", "Archive/Old.md", True),
        ("  Archive  ", "Archive/Old.md", True),
        ("**/brouillon*.md", "brouillon.md", True),
        ("**/brouillon*.md", "Projets/Livre/brouillon 2.md", True),
        ("**/brouillon*.md", "Projets/mon brouillon.md", False),
        ("**/brouillon*.md", "Projets/brouillon/notes.txt", False),
        ("Notes/*.md", "Notes/a.md", True),
        ("Notes/*.md", "Notes/sub/a.md", False),
        ("?.md", "a.md", True),
        ("?.md", "ab.md", False),
        ("?.md", "x/a.md", True),
        ("/?.md", "x/a.md", False),
        ("Projets/**/Plan.md", "Projets/Plan.md", True),
        ("Projets/**/Plan.md", "Projets/A/B/Plan.md", True),
        ("Projets/**/Plan.md", "Projets/A/B/Plan.md.bak", False),
        ("a+b (1).md", "a+b (1).md", True),
        ("a+b (1).md", "aab 1.md", False),
        ("[draft].md", "[draft].md", True),
        ("[draft].md", "d.md", False),
        ("v1.0/*", "v1.0/x.md", True),
        ("v1.0/*", "v1x0/x.md", False),
    ],
)
def test_compile_glob(pattern: str, rel: str, matches: bool) -> None:
    assert bool(compile_glob(pattern).fullmatch(rel)) is matches


# -- droppings, conflict copies, odd entries --------------------------------------------------


def test_editor_temp_files_appear_nowhere(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "note.md": "x",
            "note.md~": "backup",
            "note.md.swp": "vim",
            "note.md.swo": "vim",
            ".note.md.swp": "vim",
            "note.md.tmp": "atomic save",
            ".note.md.abc123.tmp": "atomic save",
            "#note.md#": "emacs",
            ".#note.md": "emacs lock",
            "4913": "vim probe",
            "Sub/4913": "vim probe",
            "image.png.part": "download",
            "video.mp4.crdownload": "download",
        }
    )
    result = scan(vault)
    assert note_rels(result) == ["note.md"]
    assert result.files == ("note.md",)
    assert result.skipped == ()


def test_sync_conflict_copies_are_skipped_and_not_linkable(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Note.md": "original",
            "Note.sync-conflict-20240101-120000-ABCDEFG.md": "syncthing copy",
            "Note (Alice's conflicted copy 2024-01-14).md": "dropbox copy",
            "Note 2.md": "a normal note",
            "Note (2).md": "a normal note",
        }
    )
    result = scan(vault)
    reason = "sync conflict copy; merge it into the original note"
    assert note_rels(result) == ["Note (2).md", "Note 2.md", "Note.md"]
    assert result.files == ("Note (2).md", "Note 2.md", "Note.md")
    assert result.skipped == (
        Skipped("Note (Alice's conflicted copy 2024-01-14).md", reason),
        Skipped("Note.sync-conflict-20240101-120000-ABCDEFG.md", reason),
    )
    assert (vault / "Note.sync-conflict-20240101-120000-ABCDEFG.md").read_text() == "syncthing copy"


def test_folder_named_like_a_note_is_walked_as_a_folder(make_vault: MakeVault) -> None:
    vault = make_vault({"x.md/inside.md": "[[Note]]", "x.md/pixel.png": PNG, "Note.md": "x"})
    result = scan(vault)
    assert note_rels(result) == ["Note.md", "x.md/inside.md"]
    assert result.files == ("Note.md", "x.md/inside.md", "x.md/pixel.png")
    assert result.skipped == ()


def test_fifo_and_socket_named_md_are_skipped_and_never_opened(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch, no_hang: None, opened: list[str]
) -> None:
    vault = make_vault({"Note.md": "x", "Sub/Other.md": "y"})
    os.mkfifo(vault / "pipe.md")
    os.mkfifo(vault / "Sub" / "fifo")
    monkeypatch.chdir(vault)  # keep the socket path short (AF_UNIX paths are limited to ~108 bytes)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind("sock.md")
        result = scan(vault)
    assert note_rels(result) == ["Note.md", "Sub/Other.md"]
    assert result.files == ("Note.md", "Sub/Other.md")
    assert result.skipped == (
        Skipped("Sub/fifo", NOT_REGULAR),
        Skipped("pipe.md", NOT_REGULAR),
        Skipped("sock.md", NOT_REGULAR),
    )
    assert [path for path in opened if path.startswith(str(vault))] == []  # least of all a FIFO


def test_symlink_loops_terminate_and_are_skipped(make_vault: MakeVault, no_hang: None) -> None:
    vault = make_vault({"a/Real.md": "x", "Top.md": "y"})
    os.symlink("..", vault / "a" / "loop")
    os.symlink("l2", vault / "l1")
    os.symlink("l1", vault / "l2")
    os.symlink("self.md", vault / "self.md")
    result = scan(vault)
    assert note_rels(result) == ["Top.md", "a/Real.md"]
    assert result.files == ("Top.md", "a/Real.md")
    loop = "symlink loop; not followed"
    assert result.skipped == (Skipped("l1", loop), Skipped("l2", loop), Skipped("self.md", loop))


def test_symlink_to_a_parent_folder_is_not_followed(
    make_vault: MakeVault, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    vault = make_vault({"a/b/Real.md": "x", "Top.md": "y"})
    os.symlink("../..", vault / "a" / "b" / "up")
    result = scan(vault)
    assert note_rels(result) == ["Top.md", "a/b/Real.md"]
    assert result.files == ("Top.md", "a/b/Real.md")
    assert [(r.levelno, r.getMessage()) for r in tlvault_logs.records] == [
        (logging.INFO, "a/b/up: symlink; not followed")
    ]


def test_symlinked_folder_pointing_outside_is_not_followed(
    make_vault: MakeVault, tmp_path_factory: pytest.TempPathFactory, tlvault_logs: pytest.LogCaptureFixture
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "Secret.md").write_text("[[Note]]", encoding="utf-8")
    (outside / "secret.png").write_bytes(PNG)
    vault = make_vault({"Note.md": "x"})
    os.symlink(outside, vault / "linked")
    os.symlink(outside / "Secret.md", vault / "Secret.md")
    os.symlink(vault / "Note.md", vault / "Alias.md")
    os.symlink(vault / "Missing.md", vault / "Broken.md")
    result = scan(vault)
    assert note_rels(result) == ["Note.md"]
    assert result.files == ("Note.md",)
    assert result.skipped == ()
    assert sorted(r.getMessage() for r in tlvault_logs.records) == [
        "Alias.md: symlink; not followed",
        "Broken.md: broken symlink; not followed",
        "Secret.md: symlink; not followed",
        "linked: symlink; not followed",
    ]
    assert all(r.levelno == logging.INFO for r in tlvault_logs.records)


def test_note_over_max_note_bytes_is_skipped_but_stays_linkable(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Big.md": "x" * 1_500_000,
            "Exact.md": "y" * 1_000_000,
            "big.png": b"\x89PNG" + b"\x00" * 1_500_000,  # attachments have no size limit
            "Small.md": "[[Big]]",
        }
    )
    result = scan(vault, max_note_bytes=1_000_000)
    assert note_rels(result) == ["Exact.md", "Small.md"]
    assert result.files == ("Big.md", "Exact.md", "Small.md", "big.png")
    assert result.skipped == (
        Skipped("Big.md", "larger than max_note_bytes (1.5 MB > 1.0 MB); raise the limit to read it"),
    )


def test_default_limit_is_five_megabytes(make_vault: MakeVault) -> None:
    vault = make_vault({"Huge.md": b"word [[link]] \n" * 400_000, "Fine.md": b"a" * 5_000_000})
    result = scan(vault)
    assert note_rels(result) == ["Fine.md"]
    assert result.skipped == (
        Skipped("Huge.md", "larger than max_note_bytes (6.0 MB > 5.0 MB); raise the limit to read it"),
    )


def test_file_name_that_is_not_utf8_is_skipped_with_a_recognisable_name(make_vault: MakeVault) -> None:
    vault = make_vault({"Note.md": "x"})
    fd = os.open(os.fsencode(vault) + b"/caf\xe9.md", os.O_WRONLY | os.O_CREAT, 0o644)
    os.close(fd)
    result = scan(vault)
    assert note_rels(result) == ["Note.md"]
    assert result.files == ("Note.md",)
    # The user must be able to find the file: show the byte, not Python's surrogate escape.
    assert result.skipped == (Skipped("caf\\xe9.md", "file name is not valid UTF-8; rename it"),)


# -- the vault itself -----------------------------------------------------------------------


def test_missing_vault_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(VaultError) as info:
        scan(missing)
    assert str(info.value) == f"vault folder not found: {missing}"


def test_vault_path_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "vault.md"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(VaultError) as info:
        scan(path)
    assert str(info.value) == f"the vault must be a folder, but {path} is a file"


def _deny_scandir(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.fspath(path) == str(denied):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_unreadable_sub_folder_costs_one_skipped_entry(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(
        {"Note.md": "x", "Locked/Secret.md": "s", "Locked/Deep/More.md": "m", "Open/Other.md": "o"}
    )
    _deny_scandir(monkeypatch, vault / "Locked")
    result = scan(vault)
    assert note_rels(result) == ["Note.md", "Open/Other.md"]
    assert result.files == ("Note.md", "Open/Other.md")
    assert result.skipped == (Skipped("Locked/", "cannot open folder (Permission denied, EACCES)"),)


def test_unreadable_vault_root_is_fatal(make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = make_vault({"Note.md": "x"})
    _deny_scandir(monkeypatch, vault)
    with pytest.raises(VaultError) as info:
        scan(vault)
    assert str(info.value) == f"cannot list the vault folder {vault}: Permission denied"


# -- read_note ------------------------------------------------------------------------------


def test_read_note_returns_the_exact_bytes(make_vault: MakeVault) -> None:
    data = b"\xef\xbb\xbf---\r\ntitle: caf\xe9\r\n---\r\n[[X]]\x00"
    vault = make_vault({"Note.md": data})
    assert read_note(source_of(scan(vault), "Note.md")) == data


def test_read_note_of_an_empty_note(make_vault: MakeVault) -> None:
    vault = make_vault({"Empty.md": b""})
    assert read_note(source_of(scan(vault), "Empty.md")) == b""


def test_read_note_after_the_file_was_deleted(make_vault: MakeVault) -> None:
    vault = make_vault({"Ghost.md": "boo"})
    source = source_of(scan(vault), "Ghost.md")
    (vault / "Ghost.md").unlink()
    with pytest.raises(NoteVanishedError) as info:
        read_note(source)
    assert isinstance(info.value, NoteError)
    assert str(info.value) == "deleted while tlvault was reading the vault"


def test_read_note_permission_denied(make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = make_vault({"Secret.md": "s", "Open.md": "o"})
    result = scan(vault)
    real_os_open = os.open

    def deny(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path) == str(vault / "Secret.md"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(NoteError) as info:
        read_note(source_of(result, "Secret.md"))
    assert not isinstance(info.value, NoteVanishedError)
    assert str(info.value) == "cannot read (Permission denied, EACCES)"
    assert read_note(source_of(result, "Open.md")) == b"o"


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_read_note_refuses_a_fifo_that_replaced_the_note(make_vault: MakeVault, no_hang: None) -> None:
    vault = make_vault({"Note.md": "x"})
    source = source_of(scan(vault), "Note.md")
    (vault / "Note.md").unlink()
    os.mkfifo(vault / "Note.md")
    before = _open_fds()
    with pytest.raises(NoteError) as info:
        read_note(source)
    assert str(info.value) == NOT_REGULAR
    assert _open_fds() == before  # the descriptor was closed


def test_read_note_refuses_a_symlink_that_replaced_the_note(
    make_vault: MakeVault, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    vault = make_vault({"Note.md": "x"})
    source = source_of(scan(vault), "Note.md")
    (vault / "Note.md").unlink()
    os.symlink(outside, vault / "Note.md")
    with pytest.raises(NoteError) as info:
        read_note(source)
    assert str(info.value) == "became a symlink while tlvault was reading the vault; not followed"


def test_read_note_refuses_a_folder_that_replaced_the_note(make_vault: MakeVault) -> None:
    vault = make_vault({"Note.md": "x"})
    source = source_of(scan(vault), "Note.md")
    (vault / "Note.md").unlink()
    (vault / "Note.md").mkdir()
    with pytest.raises(NoteError) as info:
        read_note(source)
    assert str(info.value) == NOT_REGULAR


def test_read_note_refuses_a_note_that_grew_past_the_limit(make_vault: MakeVault) -> None:
    vault = make_vault({"Note.md": "small"})
    source = source_of(scan(vault, max_note_bytes=1_000_000), "Note.md")
    (vault / "Note.md").write_bytes(b"y" * 2_000_000)
    before = _open_fds()
    with pytest.raises(NoteError) as info:
        read_note(source, max_bytes=1_000_000)
    assert str(info.value) == "larger than max_note_bytes (2.0 MB > 1.0 MB); raise the limit to read it"
    assert _open_fds() == before
    assert read_note(source) == b"y" * 2_000_000  # no limit given: read it all


@pytest.mark.parametrize(
    ("size", "limit", "shown"),
    [
        (6_000_000, 5_000_000, "6.0 MB > 5.0 MB"),
        (5_000_001, 5_000_000, "5,000,001 bytes > 5,000,000"),  # rounding would show 5.0 > 5.0
        (2_000, 1_000, "2,000 bytes > 1,000"),
    ],
)
def test_size_in_the_skip_reason_shows_the_gap(
    make_vault: MakeVault, size: int, limit: int, shown: str
) -> None:
    vault = make_vault({"Big.md": "x" * size})
    result = scan(vault, max_note_bytes=limit)
    assert result.skipped == (
        Skipped("Big.md", f"larger than max_note_bytes ({shown}); raise the limit to read it"),
    )


# -- a watcher's kept folder listings ------------------------------------------------------


def settle(vault: Path) -> None:
    """Date every folder an hour back, as folders nobody touched lately are."""
    past = (os.stat(vault).st_mtime_ns // 10**9 - 3600) * 10**9
    for folder in [vault, *(path for path in vault.rglob("*") if path.is_dir())]:
        os.utime(folder, ns=(past, past))


def listing_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders os.scandir lists from now on."""
    listed: list[str] = []
    original = os.scandir

    def counting(path: Any) -> Any:
        listed.append(Path(path).name)
        return original(path)

    monkeypatch.setattr(os, "scandir", counting)
    return listed


def test_a_watcher_lists_again_only_the_folders_that_changed(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch, remembering: None
) -> None:
    vault = make_vault({"A/un.md": "un", "A/deux.md": "deux", "B/trois.md": "trois", "B/x.png": PNG})
    settle(vault)
    first = scan(vault)
    listed = listing_counter(monkeypatch)
    (vault / "A" / "un.md").write_text("un, plus long", encoding="utf-8")  # an edit: no folder changes
    again = scan(vault)
    assert listed == []
    assert source_of(again, "A/un.md").size == len("un, plus long")
    assert note_rels(again) == note_rels(first)
    (vault / "B" / "quatre.md").write_text("quatre", encoding="utf-8")  # B changes, A does not
    added = scan(vault)
    assert listed == ["B"]
    assert note_rels(added) == ["A/deux.md", "A/un.md", "B/quatre.md", "B/trois.md"]
    assert added == scan_vault_afresh(vault)


def scan_vault_afresh(vault: Path) -> Vault:
    """What a one-shot scan (nothing kept) finds."""
    memo.remember(False)
    try:
        return scan(vault)
    finally:
        memo.remember(True)


def test_a_folder_changed_moments_ago_is_listed_again_every_time(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch, remembering: None
) -> None:
    # Within one mtime tick a folder can change twice: a listing taken then is not kept.
    vault = make_vault({"A/un.md": "un"})
    scan(vault)
    listed = listing_counter(monkeypatch)
    scan(vault)
    scan(vault)
    assert listed.count("A") == 2


def test_a_folder_swapped_for_another_with_the_same_date_is_listed_again(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch, remembering: None
) -> None:
    vault = make_vault({"A/un.md": "un", "C/deux.md": "deux"})
    settle(vault)
    scan(vault)
    stamp = os.stat(vault / "A").st_mtime_ns
    (vault / "A").rename(vault / "old")
    (vault / "C").rename(vault / "A")  # another folder (another inode) under the same path
    os.utime(vault / "A", ns=(stamp, stamp))
    settle(vault / "old")
    assert note_rels(scan(vault)) == ["A/deux.md", "old/un.md"]


def test_other_exclusions_drop_the_kept_listings(make_vault: MakeVault, remembering: None) -> None:
    vault = make_vault({"A/un.md": "un", "A/brouillon.md": "b"})
    settle(vault)
    assert note_rels(scan(vault)) == ["A/brouillon.md", "A/un.md"]
    assert note_rels(scan(vault, exclude=("brouillon.md",))) == ["A/un.md"]
    assert note_rels(scan(vault)) == ["A/brouillon.md", "A/un.md"]


def test_forgetting_a_path_lists_its_folder_again(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch, remembering: None
) -> None:
    vault = make_vault({"A/un.md": "un", "A/Sous/deux.md": "deux", "B/trois.md": "trois"})
    settle(vault)
    scan(vault)
    listed = listing_counter(monkeypatch)
    forget_listings(["A/un.md"])  # what a watcher does on an event there
    scan(vault)
    assert listed == ["A"]
    forget_listings(["A/Sous"])  # an event on a folder: the folder and its parent
    scan(vault)
    assert listed == ["A", "A", "Sous"]
    forget_listings()
    scan(vault)
    assert sorted(listed[3:]) == ["A", "B", "Sous", vault.name]


# -- a watcher that trusts its events: only the folders events named are statted again -------------


@pytest.fixture
def trusting(remembering: None) -> Iterator[None]:
    """Kept listings with their files' sizes and dates, as the watcher keeps them."""
    trust_events(True)
    try:
        yield
    finally:
        trust_events(False)


def rewrite_in_place(path: Path, text: str) -> None:
    """Another size, the folder's date untouched (no file is created or removed)."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)


def test_a_trusting_scan_stats_again_only_the_files_of_folders_an_event_named(
    make_vault: MakeVault, trusting: None
) -> None:
    vault = make_vault({"A/un.md": "un", "A/Sous/deux.md": "deux", "B/trois.md": "trois"})
    settle(vault)
    scan(vault)
    for rel in ("A/un.md", "A/Sous/deux.md", "B/trois.md"):
        rewrite_in_place(vault / rel, "bien plus long qu'avant")
    assert {source.size for source in scan(vault).notes} == {2, 4, 5}  # no event: as kept
    forget_listings(["B/trois.md"])  # an event on a file: its folder's files
    assert [source.size for source in scan(vault).notes] == [4, 2, 23]
    forget_listings(["A"])  # an event on a folder (moved back in?): everything under it too
    assert scan(vault) == scan_vault_afresh(vault)
    rewrite_in_place(vault / "B/trois.md", "court")
    forget_listings()  # a reconciliation: every file
    assert source_of(scan(vault), "B/trois.md").size == 5


def test_without_trust_a_remembering_scan_stats_every_file(make_vault: MakeVault, remembering: None) -> None:
    # What a rebuild that is not a watcher's keeps (benchmarks, tests): listings, not file dates.
    vault = make_vault({"A/un.md": "un"})
    settle(vault)
    scan(vault)
    rewrite_in_place(vault / "A/un.md", "bien plus long")
    assert source_of(scan(vault), "A/un.md").size == 14


def test_a_trusting_scan_finds_what_a_one_shot_scan_finds(make_vault: MakeVault, trusting: None) -> None:
    """Notes, linkable files and skipped files of every kind, kept and reused folder by folder,
    in the order of a scan that keeps nothing."""
    nfc, nfd = unicodedata.normalize("NFC", "Éte.md"), unicodedata.normalize("NFD", "Éte.md")
    vault = make_vault(
        {
            "a.md": "a",
            "a/b.md": "b",
            "a0.md": "a0",
            "a/c/d.md": "d",
            "a/c.png": "png",
            f"T/{nfc}": "nfc",
            f"T/{nfd}": "nfd",
            "T/gros.md": "x" * 200,
            "T/x.sync-conflict-20240101-120000-ABCDEFG.md": "conflit",
            "L/note.md": "note",
            "tlvault/Index.md": "généré",
        }
    )
    (vault / "L" / "lien.md").symlink_to(vault / "a.md")
    settle(vault)
    config = dataclasses.replace(default_config(vault), max_note_bytes=100)
    first, again = scan_vault(config), scan_vault(config)  # listed and statted, then all kept
    memo.remember(False)
    try:
        fresh = scan_vault(config)
    finally:
        memo.remember(True)
    assert first == again == fresh
    assert note_rels(fresh) == ["L/note.md", "T/Éte.md", "a.md", "a/b.md", "a/c/d.md", "a0.md"]
    assert len(fresh.skipped) == 3  # the twin, the big note, the conflict copy


def test_a_trusting_scan_stats_a_folder_holding_a_symlink_every_time(
    make_vault: MakeVault, trusting: None
) -> None:
    # The target of a symlink (a loop or not: a skipped file or not) can change with no event in
    # the symlink's folder.
    vault = make_vault({"L/note.md": "note", "cible.md": "cible"})
    (vault / "L" / "lien.md").symlink_to(vault / "cible.md")
    settle(vault)
    scan(vault)
    rewrite_in_place(vault / "L/note.md", "bien plus long")
    assert source_of(scan(vault), "L/note.md").size == 14
