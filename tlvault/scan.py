"""scan_vault(config) -> Vault: the files Obsidian sees (corpus rules 1–4); read_note(source) -> bytes.

Only this module reads the vault. Symlinks are never followed, so a link loop cannot trap
the walk, and a file is opened only after checking that it is a regular file.
"""

from __future__ import annotations

import errno
import json
import logging
import operator
import os
import re
import stat
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
        notes=tuple(sorted(walk.notes, key=_REL)),
        files=tuple(walk.files),  # sorted by _drop_unicode_twins
        skipped=tuple(sorted(walk.skipped, key=_REL)),
        previous=previous,
    )


_REL = operator.attrgetter("rel")


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
        if path.is_symlink():
            raise ValueError("not a tlvault state file")
        data = path.read_bytes()
        written = _STATE_WRITTEN[0] if _STATE_WRITTEN and memo.remembering() else None
        if written is not None and written[0] == path and written[1] == data:
            return written[2]
        return _previous_state(json.loads(data))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        walk.skipped.append(Skipped(rel, f"unreadable cluster state ({exc}); cluster ids start afresh"))
        return None


def _previous_state(document: object) -> PreviousState:
    """The state a state file's JSON document describes; raises ValueError (and the like) if it
    is not one."""
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


# The state file a watcher's last rebuild wrote: its path, its bytes and what they say. The next
# scan finds the same bytes and takes what they say without parsing them again (a 10k-note
# vault's state is 1.4 MB of JSON: 10 ms per rebuild).
_STATE_WRITTEN: list[tuple[Path, bytes, PreviousState]] = []
memo.on_forget(_STATE_WRITTEN.clear)
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})
_STRING = frozenset({str})


def remember_state(path: Path, data: bytes, document: Mapping[str, Any]) -> None:
    """While a watcher remembers: the state file at `path` now holds `data`, the JSON text of
    `document`. Kept only when the document is made of what JSON reads back as itself (dicts
    with string keys, lists, strings, numbers, booleans, None), so that taking it for the
    file's bytes gives what parsing them would."""
    _STATE_WRITTEN.clear()
    if memo.remembering() and _is_json_as_read(document):
        try:
            _STATE_WRITTEN.append((path, data, _previous_state(document)))
        except (ValueError, TypeError, KeyError, AttributeError):
            return  # the next scan says what is wrong with it


def _is_json_as_read(value: object) -> bool:
    """Whether `json.loads(json.dumps(value))` gives `value` back, with the same types."""
    kind = type(value)
    if kind in _JSON_SCALARS:
        return True
    if kind is dict:
        mapping: dict[Any, Any] = value  # type: ignore[assignment]
        # The types of the items first, in one C-level pass: most items are scalars.
        if not _STRING.issuperset(map(type, mapping)):
            return False
        items = mapping.values()
    elif kind is list:
        items = value  # type: ignore[assignment]
    else:
        return False
    return _JSON_SCALARS.issuperset(map(type, items)) or all(map(_is_json_as_read, items))


# What a folder's listing says before any file is looked at: (kind, path, rel) in listing order.
# Kinds: a name that is not UTF-8, a symlink, a sub-folder, a sync-conflict copy, a linkable
# file, a note to read. Editor droppings and hidden names are left out.
_BAD_NAME, _SYMLINK, _FOLDER, _CONFLICT, _FILE, _NOTE = range(6)
_Entry = tuple[int, str, str]
# What a folder's own files added to the walk: notes, linkable files, skipped files.
_Found = tuple[tuple[SourceFile, ...], tuple[str, ...], tuple[Skipped, ...]]


@dataclass
class _Listing:
    """A folder's listing as a watcher keeps it between rebuilds."""

    rel: str
    stamp: tuple[int, int, int]  # the folder's device, inode and mtime_ns when it was listed
    entries: tuple[_Entry, ...]
    # What its files gave, run by run between its sub-folders (one run more than sub-folders);
    # kept only while the watcher trusts events.
    found: tuple[_Found, ...] | None = None


# A folder modified less than this long before it was listed may change again within the same
# mtime tick (FAT counts in 2 s steps): its listing is not kept.
_SETTLED_NS = 3_000_000_000
# A watcher's listings, by folder path, for the output folder, exclusions and size limit they
# were made with.
_LISTINGS: dict[str, _Listing] = {}
_LISTINGS_FOR: list[tuple[str, tuple[str, ...], int]] = []
_TRUSTING: list[bool] = [False]  # whether events name every changed file (`trust_events`)


def forget_listings(rels: Iterable[str] | None = None) -> None:
    """Drop the kept listings of the folders holding these vault paths (and of the paths
    themselves and every folder under them, when folders), or every kept listing.

    A folder moved out of the vault and back has the same inode and date, and so have its
    sub-folders; files edited meanwhile had no event in the vault: only the move names it."""
    if rels is None:
        _LISTINGS.clear()
        _LISTINGS_FOR.clear()
        return
    rels = list(rels)
    folders = {folder for rel in rels for folder in (rel, rel.rpartition("/")[0])}
    under = tuple(rel + "/" for rel in rels if rel)
    for path in [
        path for path, listing in _LISTINGS.items() if listing.rel in folders or listing.rel.startswith(under)
    ]:
        del _LISTINGS[path]


def trust_events(enabled: bool = True) -> None:
    """While a watcher remembers, also keep what each listed folder's files gave (their sizes
    and dates) until an event in the folder drops its listing (`forget_listings`): a rebuild
    then stats the files of the folders that events named, not the vault's 10,000. Only a
    watcher may turn it on: it relies on its events for every edit, and on its reconciliations,
    which forget every listing, for the edits no event told it about."""
    _TRUSTING[0] = enabled
    forget_listings()


memo.on_forget(forget_listings)


def _walk_folder(walk: _Walk, folder: Path, rel_folder: str) -> None:
    """Walk a folder's entries in their order (sorted by path, sub-folders in place), so that
    what the walk finds comes sorted: the sorts of `scan_vault` then cost a pass, not 10 ms."""
    entries, listing = _entries(walk, folder, rel_folder)
    kept = listing.found if listing is not None else None
    found: list[_Found] = []  # what the files between two sub-folders gave, run by run
    marks = (len(walk.notes), len(walk.files), len(walk.skipped))
    for kind, path, rel in entries or ():
        if kind == _FOLDER:
            if kept is not None:
                _add_found(walk, kept[len(found)])
                found.append(kept[len(found)])
            else:
                found.append(_found_since(walk, marks))
            _walk_folder(walk, Path(path), rel)
            marks = (len(walk.notes), len(walk.files), len(walk.skipped))
        elif kept is not None:
            continue
        elif kind == _BAD_NAME:
            walk.skipped.append(Skipped(rel, "file name is not valid UTF-8; rename it"))
        elif kind == _SYMLINK:
            _note_symlink(walk, path, rel)
        else:
            _add_file(walk, kind, path, rel)
    if kept is not None:
        _add_found(walk, kept[len(found)])
        return
    found.append(_found_since(walk, marks))
    # A symlink's target can change with no event in this folder: such a folder is checked
    # every time.
    if listing is not None and _TRUSTING[0] and all(kind != _SYMLINK for kind, _, _ in listing.entries):
        listing.found = tuple(found)


def _found_since(walk: _Walk, marks: tuple[int, int, int]) -> _Found:
    """What the walk found since `marks` (the lengths of its lists then)."""
    return tuple(walk.notes[marks[0] :]), tuple(walk.files[marks[1] :]), tuple(walk.skipped[marks[2] :])


def _add_found(walk: _Walk, found: _Found) -> None:
    walk.notes.extend(found[0])
    walk.files.extend(found[1])
    walk.skipped.extend(found[2])


def _entries(walk: _Walk, folder: Path, rel_folder: str) -> tuple[tuple[_Entry, ...] | None, _Listing | None]:
    """The folder's entries and, when a watcher keeps it, its listing: listed now, or, while a
    watcher remembers, as listed last time when the folder has not changed since (a file's own
    edits do not change its folder). A watcher also drops the listing of a folder it sees an
    event in (`forget_listings`): a tool that puts a folder's date back after adding a file
    cannot hide it."""
    if not memo.remembering():
        return _list(walk, folder, rel_folder), None
    settings = (walk.output, tuple(walk.config.exclude), walk.config.max_note_bytes)
    if [settings] != _LISTINGS_FOR:
        forget_listings()
        _LISTINGS_FOR.append(settings)
    try:
        info = folder.stat()
    except OSError:
        return _list(walk, folder, rel_folder), None  # it says why
    stamp = (info.st_dev, info.st_ino, info.st_mtime_ns)
    kept = _LISTINGS.get(str(folder))
    if kept is not None and kept.stamp == stamp:
        return kept.entries, kept
    entries = _list(walk, folder, rel_folder)
    if entries is not None and time.time_ns() - info.st_mtime_ns > _SETTLED_NS:
        kept = _LISTINGS[str(folder)] = _Listing(rel_folder, stamp, entries)
        return entries, kept
    return entries, None


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
    # Sorted by path, each sub-folder where its notes' paths come (`a.md` < `a/…` < `a0.md`).
    entries.sort(key=_path_order)
    return tuple(entries)


def _path_order(entry: _Entry) -> str:
    return entry[2] + "/" if entry[0] == _FOLDER else entry[2]


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
    walk.files = list(dict.fromkeys(sorted(walk.files)))  # sorted by the walk already: a pass
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
