"""The only exceptions a user ever sees: each message names the file or key and the fix."""

from __future__ import annotations


class TlvaultError(Exception):
    """An expected failure, reported as one line without a traceback."""


class ConfigError(TlvaultError):
    """config.yaml (or a command-line override) is invalid; the message lists every problem."""


class VaultError(TlvaultError):
    """The vault as a whole cannot be read (missing folder, not a folder, unreadable root)."""


class NoteError(TlvaultError):
    """One note cannot be read or parsed; the pipeline skips it and carries on."""
