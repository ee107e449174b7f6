"""Progress of long work: the pipeline says how far it got; the terminal may draw a bar.

`report(stage, done, total)` costs nothing when nobody listens. The CLI listens (with a rich
progress bar on stderr) only when stderr is a terminal, so piped output stays clean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[str, int, int], None]  # stage, done, total (0 when unknown)

_LISTENER: ContextVar[Listener | None] = ContextVar("tlvault_progress", default=None)


def report(stage: str, done: int = 0, total: int = 0) -> None:
    """Tell the listener, if any, that `stage` has done `done` of `total` steps."""
    listener = _LISTENER.get()
    if listener is not None:
        listener(stage, done, total)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send progress to `listener` for the block."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)
