"""vault_lock(vault): one writer per vault (PRODUCT guarantee 8).

The lock is an advisory `flock` on a file in the cache folder, never in the vault. The kernel
releases it when the process ends, however it ends, so a crash or `kill -9` never leaves a
stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tlvault.cache import cache_folder, vault_key
from tlvault.errors import TlvaultError


class VaultBusyError(TlvaultError):
    """Another tlvault process holds the vault's lock."""


def lock_path(vault: Path) -> Path:
    """The lock file of a vault, next to its cache."""
    return cache_folder() / f"{vault_key(vault)}.lock"


@contextmanager
def vault_lock(vault: Path) -> Iterator[None]:
    """Hold the vault's lock for the block; raise VaultBusyError at once if another process has it."""
    fd = _open_lock_file(lock_path(vault))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            who = f" (process {holder})" if holder else ""
            raise VaultBusyError(f"another tlvault is running on {vault}{who}; stop it first") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _open_lock_file(path: Path) -> int:
    """The lock file, in the cache folder, or in the temporary folder when that cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        fallback = Path(tempfile.gettempdir()) / f"tlvault-{os.getuid()}" / path.name
        fallback.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return os.open(fallback, os.O_RDWR | os.O_CREAT, 0o600)


def _read_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
