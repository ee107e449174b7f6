"""scan_vault(config) -> Vault: the files Obsidian sees (corpus rules 1–4); read_note(source) -> bytes.

Only this module reads the vault. Symlinks are never followed, so a link loop cannot trap
the walk, and a file is opened only after checking that it is a regular file.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import stat
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tlvault import memo
from tlvault.config import Config
from tlvault.errors import NoteError, VaultError
from tlvault.model import STATE_FORMAT, STATE_REL, PreviousCluster, PreviousState, Skipped, SourceFile, Vault

log = logging.getLogger(__name__)

# Editor and download droppings: never notes, never link targets.
TEMP_FILE = re.compile(r"(~|\.swp|\.swo|\.swx|\.tmp|\.part|\.crdownload)$|^#.*#$|^4913$", re.I)
# Copies left by sync tools (Syncthing, Dropbox, Nextcloud): the user must merge them.
_SYNC_CONFLICT = re.compile(r"\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}|\(.*conflicted copy.*\)", re.I)


class NoteVanishedError(NoteError):
    """The note was deleted between the scan and the read: not worth a warning."""


@dataclass
class _Walk:
    """What the walk has found so far."""

    config: Config
    excludes: list[re.Pattern[str]]
    output: str = field(init=False)  # the output folder's path prefix (`tlvault/`)
    notes: list[SourceFile] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.output = self.config.output_folder + "/"


def scan_vault(config: Config) -> Vault:
    """Every note to parse and every linkable file of the vault, sorted by path."""
    root = config.vault
    try:
        root_stat = root.stat()
    except FileNotFoundError:
        raise VaultError(f"vault folder not found: {root}") from None
    except OSError as exc:
        raise VaultError(f"cannot open the vault folder {root}: {exc.strerror}") from None
    if not stat.S_ISDIR(root_stat.st_mode):
        raise VaultError(f"the vault must be a folder, but {root} is a file")
    walk = _Walk(config, [compile_glob(pattern) for pattern in config.exclude])
    _walk_folder(walk, root, "")
    _drop_unicode_twins(walk)
    previous = _read_state(config, walk)
    return Vault(
        root=root,
        notes=tuple(sorted(walk.notes, key=lambda s: s.rel)),
        files=tuple(sorted(walk.files)),
        skipped=tuple(sorted(walk.skipped, key=lambda s: s.rel)),
        previous=previous,
    )


def output_files(config: Config) -> tuple[str, ...]:
    """The linkable files now in the output folder, as `scan_vault` would list them."""
    walk = _Walk(config, [])
    if config.output_path.is_dir() and not config.output_path.is_symlink():
        _walk_folder(walk, config.output_path, config.output_folder)
    return tuple(sorted(walk.files))


def _read_state(config: Config, walk: _Walk) -> PreviousState | None:
    """What the last rebuild left in the output folder's state file (None if there is none)."""
    rel = f"{config.output_folder}/{STATE_REL}"
    path = config.output_path / STATE_REL
    try:
        document = json.loads(path.read_bytes()) if not path.is_symlink() else None
        if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
            raise ValueError("not a tlvault state file")
        clusters = tuple(
            PreviousCluster(
                str(item["id"]),
                str(item["name"]),
                tuple(str(m) for m in item["members"]),
                str(item["file"]) if item.get("file") else None,
            )
            for item in document["clusters"]
        )
        files = document.get("files", {})
        history = document.get("history", {})
        return PreviousState(
            clusters, files if isinstance(files, dict) else {}, history if isinstance(history, dict) else {}
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        walk.skipped.append(Skipped(rel, f"unreadable cluster state ({exc}); cluster ids start afresh"))
        return None


# What a folder's listing says before any file is looked at: (kind, path, rel) in listing order.
# Kinds: a name that is not UTF-8, a symlink, a sub-folder, a sync-conflict copy, a linkable
# file, a note to read. Editor droppings and hidden names are left out.
_BAD_NAME, _SYMLINK, _FOLDER, _CONFLICT, _FILE, _NOTE = range(6)
_Entry = tuple[int, str, str]
_Listing = tuple[str, tuple[int, int, int], tuple[_Entry, ...]]  # rel, (device, inode, mtime_ns), entries
# A folder modified less than this long before it was listed may change again within the same
# mtime tick (FAT counts in 2 s steps): its listing is not kept.
_SETTLED_NS = 3_000_000_000
# A watcher's listings, by folder path, for the output folder and exclusions they were made with.
_LISTINGS: dict[str, _Listing] = {}
_LISTINGS_FOR: list[tuple[str, tuple[str, ...]]] = []


def forget_listings(rels: Iterable[str] | None = None) -> None:
    """Drop the kept listings of the folders holding these vault paths (and of the paths
    themselves, when folders), or every kept listing."""
    if rels is None:
        _LISTINGS.clear()
        _LISTINGS_FOR.clear()
        return
    folders = {folder for rel in rels for folder in (rel, rel.rpartition("/")[0])}
    for path in [path for path, (rel, _, _) in _LISTINGS.items() if rel in folders]:
        del _LISTINGS[path]


memo.on_forget(forget_listings)


def _walk_folder(walk: _Walk, folder: Path, rel_folder: str) -> None:
    entries = _entries(walk, folder, rel_folder)
    for kind, path, rel in entries or ():
        if kind == _BAD_NAME:
            walk.skipped.append(Skipped(rel, "file name is not valid UTF-8; rename it"))
        elif kind == _SYMLINK:
            _note_symlink(walk, path, rel)
        elif kind == _FOLDER:
            _walk_folder(walk, Path(path), rel)
        else:
            _add_file(walk, kind, path, rel)


def _entries(walk: _Walk, folder: Path, rel_folder: str) -> tuple[_Entry, ...] | None:
    """The folder's entries: listed now, or, while a watcher remembers, as listed last time when
    the folder has not changed since (a file's own edits do not change its folder). A watcher
    also drops the listing of a folder it sees an event in (`forget_listings`): a tool that
    puts a folder's date back after adding a file cannot hide it."""
    if not memo.remembering():
        return _list(walk, folder, rel_folder)
    settings = (walk.output, tuple(walk.config.exclude))
    if [settings] != _LISTINGS_FOR:
        forget_listings()
        _LISTINGS_FOR.append(settings)
    try:
        info = folder.stat()
    except OSError:
        return _list(walk, folder, rel_folder)  # it says why
    stamp = (info.st_dev, info.st_ino, info.st_mtime_ns)
    kept = _LISTINGS.get(str(folder))
    if kept is not None and kept[1] == stamp:
        return kept[2]
    entries = _list(walk, folder, rel_folder)
    if entries is not None and time.time_ns() - info.st_mtime_ns > _SETTLED_NS:
        _LISTINGS[str(folder)] = (rel_folder, stamp, entries)
    return entries


def _list(walk: _Walk, folder: Path, rel_folder: str) -> tuple[_Entry, ...] | None:
    """The folder's entries, read from disk (None when it cannot be listed: said in `walk`)."""
    try:
        with os.scandir(folder) as listing:
            found = list(listing)
    except OSError as exc:
        if rel_folder:  # an unreadable sub-folder costs a warning; the root is fatal above
            walk.skipped.append(Skipped(rel_folder + "/", f"cannot open folder ({_reason(exc)})"))
        else:
            raise VaultError(f"cannot list the vault folder {folder}: {exc.strerror}") from None
        return None
    entries: list[_Entry] = []
    for entry in found:
        name = entry.name
        if name.startswith("."):  # hidden from Obsidian (rule 2): .obsidian, .trash, .git…
            continue
        is_ascii = name.isascii()  # most names: already NFC and valid UTF-8
        if not is_ascii:
            name = unicodedata.normalize("NFC", name)
        rel = f"{rel_folder}/{name}" if rel_folder else name
        if not is_ascii and not _is_utf8(name):
            entries.append((_BAD_NAME, entry.path, _printable(rel)))
        elif entry.is_symlink():
            entries.append((_SYMLINK, entry.path, rel))
        elif entry.is_dir(follow_symlinks=False):
            entries.append((_FOLDER, str(folder / entry.name), rel))
        else:
            kind = _file_kind(walk, name, rel)
            if kind is not None:
                entries.append((kind, entry.path, rel))
    return tuple(entries)


def _file_kind(walk: _Walk, name: str, rel: str) -> int | None:
    """What a file's name makes it: a note to read, a linkable file, a sync-conflict copy, or
    None for an editor's temporary file."""
    is_markdown = name.lower().endswith(".md")
    # No TEMP_FILE suffix ends in ".md", so a note skips the costly regex search.
    if not is_markdown and TEMP_FILE.search(name):
        return None
    if _SYNC_CONFLICT.search(name):
        return _CONFLICT
    if not is_markdown or rel.startswith(walk.output) or (walk.excludes and _is_excluded(walk, rel)):
        return _FILE  # output and excluded notes stay linkable but are not read
    return _NOTE


def _add_file(walk: _Walk, kind: int, path: str, rel: str) -> None:
    try:
        info = os.stat(path, follow_symlinks=False)  # noqa: PTH116  # a Path per file costs more than the stat
    except OSError as exc:
        if exc.errno != errno.ENOENT:  # a file gone since the listing is simply not there
            walk.skipped.append(Skipped(rel, f"cannot read ({_reason(exc)})"))
        return
    if not stat.S_ISREG(info.st_mode):  # a FIFO or socket named x.md is never opened
        walk.skipped.append(Skipped(rel, "not a regular file (a pipe, socket or device)"))
        return
    if kind == _CONFLICT:
        walk.skipped.append(Skipped(rel, "sync conflict copy; merge it into the original note"))
        return
    walk.files.append(rel)
    if kind == _FILE:
        return
    if info.st_size > walk.config.max_note_bytes:
        walk.skipped.append(Skipped(rel, _too_big(info.st_size, walk.config.max_note_bytes)))
        return
    walk.notes.append(SourceFile(path, rel, info.st_size, info.st_mtime_ns))


def _is_excluded(walk: _Walk, rel: str) -> bool:
    """Whether a path matches one of the config's `exclude` patterns."""
    return any(pattern.fullmatch(rel) for pattern in walk.excludes)


def _note_symlink(walk: _Walk, path: str, rel: str) -> None:
    try:
        Path(path).stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            walk.skipped.append(Skipped(rel, "symlink loop; not followed"))
        else:
            log.info("%s: broken symlink; not followed", rel)
        return
    log.info("%s: symlink; not followed", rel)


def _drop_unicode_twins(walk: _Walk) -> None:
    """Two files whose names differ only in Unicode form share one path: keep the first."""
    walk.files = sorted(set(walk.files))
    if len({source.rel for source in walk.notes}) == len(walk.notes):
        return  # no twins (the usual case): scan_vault sorts the notes by rel anyway
    seen: set[str] = set()
    kept = []

    def nfc_first(source: SourceFile) -> tuple[bool, bytes]:
        return not unicodedata.is_normalized("NFC", Path(source.path).name), os.fsencode(source.path)

    for source in sorted(walk.notes, key=nfc_first):
        if source.rel in seen:
            form = "NFC" if unicodedata.is_normalized("NFC", Path(source.path).name) else "NFD"
            reason = (
                f"another file has the same name in another Unicode form (this one is {form}); rename one"
            )
            walk.skipped.append(Skipped(source.rel, reason))
        else:
            seen.add(source.rel)
            kept.append(source)
    walk.notes = kept


def compile_glob(pattern: str) -> re.Pattern[str]:
    """A vault-relative glob as a regex: `*` and `?` stay in one folder, `**` crosses folders.

    As in `.gitignore`, a pattern without a `/` (other than a trailing one) matches a name in
    any folder (`*.excalidraw.md`), and a pattern naming a folder (`Templates`, `Archive/`)
    matches everything under it.
    """
    pattern = pattern.strip()
    is_anchored = "/" in pattern.rstrip("/")  # `/x` and `a/b` start at the vault root
    pattern = pattern.strip("/")
    out = [] if is_anchored else ["(?:.*/)?"]
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?", re.IGNORECASE)


def read_note(source: SourceFile, max_bytes: int | None = None) -> bytes:
    """The bytes of a note; raises NoteError (NoteVanishedError if it was deleted meanwhile)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(source.path, flags)
    except FileNotFoundError:
        raise NoteVanishedError("deleted while tlvault was reading the vault") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW refused it: replaced by a symlink
            raise NoteError("became a symlink while tlvault was reading the vault; not followed") from None
        raise NoteError(f"cannot read ({_reason(exc)})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # replaced by a pipe since the scan
            raise NoteError("not a regular file (a pipe, socket or device)")
        if max_bytes is not None and info.st_size > max_bytes:
            raise NoteError(_too_big(info.st_size, max_bytes))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as exc:
        raise NoteError(f"cannot read ({_reason(exc)})") from None
    finally:
        os.close(fd)


def _too_big(size: int, limit: int) -> str:
    sizes = f"{size / 1e6:.1f} MB > {limit / 1e6:.1f} MB"
    if size < 1e6 or sizes.startswith(f"{limit / 1e6:.1f} MB"):  # rounding would hide the gap
        sizes = f"{size:,} bytes > {limit:,}"
    return f"larger than max_note_bytes ({sizes}); raise the limit to read it"


def _reason(exc: OSError) -> str:
    code = errno.errorcode.get(exc.errno or 0, "error")
    return f"{exc.strerror or 'error'}, {code}"


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes arrive as lone surrogates
        return False
    return True


def _printable(rel: str) -> str:
    """A path with undecodable bytes shown as `\\xe9`, as the user can find it."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")
