"""write_outputs(outputs, config, previous, dry_run) -> WriteResult: safe writes of generated files.

Only this module writes to the vault, only inside the output folder, and only:
- files that carry tlvault's marker (a file at an output path without it is left alone);
- when the bytes change, through a temporary file in the same folder, fsync and `os.replace`;
- keeping the user's text outside tlvault's regions byte for byte, and the ticks of its checkboxes;
- after saving a copy, outside the vault, of a file someone edited inside tlvault's regions.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs

from tlvault import memo
from tlvault.canvas import is_tlvault_canvas, merge_canvas
from tlvault.config import Config
from tlvault.model import Skipped
from tlvault.regions import MarkerError, Note, fingerprint, fingerprints, merge, split, split_properties
from tlvault.results import OutputNote, WriteResult

TEMP_SUFFIX = ".tlvault-tmp"  # temporary files: `.<name>.<random>.tlvault-tmp`, in the same folder
PreviousFiles = Mapping[str, Mapping[str, Any]]  # rel -> {"regions": {name: fingerprint}, "free": …}


class _LeaveAloneError(Exception):
    """The file at an output path is not tlvault's to replace; the message says why."""


@dataclass
class _Outcome:
    """What writing has done so far."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[Skipped] = field(default_factory=list)
    failed: list[Skipped] = field(default_factory=list)
    backups: list[Skipped] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)


def write_outputs(
    outputs: Sequence[OutputNote],
    config: Config,
    *,
    previous: PreviousFiles | None = None,
    dry_run: bool = False,
    hold: frozenset[str] = frozenset(),
) -> WriteResult:
    """Write every output whose bytes changed; tidy files tlvault no longer generates.

    Outputs in `hold` (another program keeps rewriting them) are left as they are.
    """
    previous = previous or {}
    outcome = _Outcome()
    if not dry_run:
        _remove_stale_temporaries(config.output_path)
    for output in outputs:
        if output.rel in hold:
            outcome.held.append(output.rel)
        else:
            _write_one(output, config, previous.get(output.rel, {}), outcome, dry_run)
    produced = {output.rel for output in outputs}
    for rel in sorted(set(previous) - produced):
        _retire(rel, config, previous[rel], outcome, dry_run)
    return WriteResult(
        written=tuple(outcome.written),
        unchanged=tuple(outcome.unchanged),
        refused=tuple(outcome.refused),
        failed=tuple(outcome.failed),
        backups=tuple(outcome.backups),
        removed=tuple(outcome.removed),
        kept=tuple(outcome.kept),
        held=tuple(outcome.held),
    )


def _write_one(
    output: OutputNote, config: Config, record: Mapping[str, Any], outcome: _Outcome, dry_run: bool
) -> None:
    path = config.output_path / output.rel
    shown = f"{config.output_folder}/{output.rel}"
    try:
        _refuse_symlinked_folders(config, output.rel)
        existing = _read_owned(path, output)
        data = _new_bytes(output, existing, record, config, shown, outcome, dry_run)
        if data == existing:
            outcome.unchanged.append(output.rel)
            return
        if not dry_run:
            _replace_atomically(path, data)
        outcome.written.append(output.rel)
    except _LeaveAloneError as exc:
        outcome.refused.append(Skipped(shown, str(exc)))
    except OSError as exc:
        code = errno.errorcode.get(exc.errno or 0, "error")
        reason = f"could not be written ({exc.strerror}, {code}); the previous version is kept"
        outcome.failed.append(Skipped(shown, reason))


def _refuse_symlinked_folders(config: Config, rel: str) -> None:
    """Never write through a symlinked folder: it could lead anywhere, even out of the vault."""
    folder = config.output_path
    for part in ("", *rel.split("/")[:-1]):
        folder = folder / part if part else folder
        if folder.is_symlink():
            shown = f"{config.output_folder}/{rel}"
            raise _LeaveAloneError(f"{shown.rsplit('/', 1)[0]} is a symlink; not written through")


def _read_owned(path: Path, output: OutputNote) -> bytes | None:
    """The bytes at `path` if tlvault owns them, None if there is no file; raises _LeaveAloneError."""
    if path.is_symlink():
        raise _LeaveAloneError("is a symlink; not written through")
    try:
        existing = path.read_bytes()
    except FileNotFoundError:
        return None
    text = existing.decode("utf-8", "replace")
    if output.kind == "canvas":
        owned = is_tlvault_canvas(text)
    elif output.kind == "markdown":  # the marker must be a property, not a quote in the body
        owned = any(line.strip() == output.marker for line in split_properties(text).splitlines())
    else:
        owned = output.marker in text
    if not owned:
        raise _LeaveAloneError("was not generated by tlvault; refusing to overwrite it")
    return existing


# A watcher's last merge of each generated file, by path, from (the file's bytes, the output, the
# state's record of the file). A rebuild after an edit leaves most generated notes as they were:
# the same inputs give the same bytes without splitting, fingerprinting and merging the two texts
# again (20 ms of an edit's rebuild on a 10k-note vault).
_MERGED: memo.LastPerKey[Path, bytes] = memo.LastPerKey()


def _new_bytes(
    output: OutputNote,
    existing: bytes | None,
    record: Mapping[str, Any],
    config: Config,
    shown: str,
    outcome: _Outcome,
    dry_run: bool,
) -> bytes:
    """The bytes to write: the output merged into what the file already holds."""
    if existing is None or output.kind in ("state", "base"):
        return output.text.encode("utf-8")
    path, inputs = config.output_path / output.rel, (existing, output, record)
    kept = _MERGED.recall(path, inputs)
    if kept is not None:
        return kept
    backups = len(outcome.backups)
    merged = _merged(output, existing, record, config, shown, outcome, dry_run)
    if len(outcome.backups) == backups:  # a merge that backed up is not replayed
        _MERGED.keep(path, inputs, merged)
    return merged


def _merged(
    output: OutputNote,
    existing: bytes,
    record: Mapping[str, Any],
    config: Config,
    shown: str,
    outcome: _Outcome,
    dry_run: bool,
) -> bytes:
    """The output merged into the file's bytes: the user's text, ticks and canvas layout kept."""
    current = existing.decode("utf-8", "replace")
    if output.kind == "canvas":
        return merge_canvas(current, output.text, record.get("layout")).encode("utf-8")
    try:
        old = split(current)
    except MarkerError as exc:
        raise _LeaveAloneError(
            f"its tlvault markers are broken ({exc}); fix them to let tlvault update it"
        ) from None
    fresh = split(output.text)
    edited = _edited_regions(old, fresh, record.get("regions", {}))
    if edited:
        where = "(not saved: dry run)" if dry_run else str(_back_up(config, output.rel, existing))
        outcome.backups.append(
            Skipped(shown, f"edited inside tlvault's {', '.join(edited)}; the old copy is in {where}")
        )
    return merge(old, fresh).encode("utf-8")


def _edited_regions(old: Note, fresh: Note, recorded: Mapping[str, str]) -> list[str]:
    """Regions whose text is neither what tlvault last wrote nor what it writes now."""
    now, new = fingerprints(old), fingerprints(fresh)
    return [
        name
        for name, value in now.items()
        if value != new.get(name) and value != recorded.get(name, new.get(name))
    ]


def _retire(rel: str, config: Config, record: Mapping[str, Any], outcome: _Outcome, dry_run: bool) -> None:
    """A file tlvault generated before and no longer does: delete it, unless the user wrote in it."""
    path = config.output_path / rel
    if path.is_symlink() or not path.is_file():
        return
    try:
        current = path.read_text(encoding="utf-8", errors="replace")
        if rel.endswith(".md"):
            untouched = fingerprint(split(current).free_text()) == record.get("free")
        else:
            untouched = is_tlvault_canvas(current)
    except (OSError, MarkerError):
        untouched = False
    shown = f"{config.output_folder}/{rel}"
    if not untouched:
        outcome.kept.append(shown)
        return
    if not dry_run:
        path.unlink(missing_ok=True)
    outcome.removed.append(shown)


def _replace_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file next to `path`, fsync it, then rename it over `path`."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    # The name is chosen before the file exists, so that an interrupt at any instant (even inside
    # the call that creates it) finds it in the cleanup below.
    temp = path.parent / f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).chmod(mode)
        _pause_for_crash_tests()
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _pause_for_crash_tests() -> None:
    """Tests kill tlvault here (FAULTS S3): the temporary file is written, not yet renamed."""
    pause = os.environ.get("TLVAULT_TEST_PAUSE_BEFORE_REPLACE")
    if pause:
        time.sleep(float(pause))


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporary files a crash left behind: only tlvault's own pattern, only in its output folder."""
    if folder.is_dir() and not folder.is_symlink():
        for temp in folder.rglob(f".*{TEMP_SUFFIX}"):
            if temp.is_file() and not temp.is_symlink():
                temp.unlink(missing_ok=True)


def backup_folder(config: Config) -> Path:
    """Where copies of edited generated files go: the user data directory, never the vault."""
    root = Path(os.environ.get("TLVAULT_DATA_DIR") or platformdirs.user_data_dir("tlvault"))
    vault = str(config.vault.resolve())
    key = f"{config.vault.name}-{hashlib.sha256(vault.encode('utf-8')).hexdigest()[:10]}"
    return root / "backups" / key


def _back_up(config: Config, rel: str, data: bytes) -> Path:
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S_%f")
    target = backup_folder(config) / stamp / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target
