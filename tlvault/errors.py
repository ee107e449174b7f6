"""The only exceptions a user ever sees: each message names the file or key and the fix."""

from __future__ import annotations

import yaml


class TlvaultError(Exception):
    """An expected failure, reported as one line without a traceback."""


class ConfigError(TlvaultError):
    """config.yaml (or a command-line override) is invalid; the message lists every problem."""


class VaultError(TlvaultError):
    """The vault as a whole cannot be read (missing folder, not a folder, unreadable root)."""


class NoteError(TlvaultError):
    """One note cannot be read or parsed; the pipeline skips it and carries on."""


def yaml_error_line(exc: yaml.YAMLError) -> int | None:
    """The 0-based line that best shows a YAML error, or None when it has no position.

    An unclosed `[`, `{` or quote is reported by PyYAML where it gave up, often past the last
    line; the line that opened it is the one to fix.
    """
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    opened = str(getattr(exc, "context", "") or "")
    if context is not None and ("flow" in opened or "quoted" in opened):
        return int(context.line)
    return None if problem is None else int(problem.line)
