"""Results kept between the rebuilds of a long-running watcher: per note, and the last graph.

Between two watcher rebuilds, the parse cache hands back the very same `Note` object for every
note that did not change, so anything computed from one note alone (and from settings that are
part of the key) can be reused as long as that object is alive. A result is kept for one more
rebuild after its note was last asked about, then dropped: an edited note's old results go with
its old object. A one-shot rebuild does not keep anything (`remember(False)`, the default).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import wraps
from typing import Generic, TypeVar

from tlvault.model import Note

V = TypeVar("V")


class _Memo(Generic[V]):
    """One function's results, in two generations: asked about in this rebuild, or the last one."""

    def __init__(self) -> None:
        self.current: dict[int, tuple[Note, V]] = {}
        self.previous: dict[int, tuple[Note, V]] = {}

    def get(self, note: Note) -> tuple[Note, V] | None:
        """The note's entry, if kept (moved to this rebuild's generation)."""
        # Entries hold their note, so no other object can take its id while it is kept.
        key = id(note)
        found = self.current.get(key)
        if found is None:
            found = self.previous.get(key)
            if found is None:
                return None
            self.current[key] = found
        return found

    def age(self) -> None:
        self.previous, self.current = self.current, {}


# Weak: a function made for settings that are no longer used takes its memo with it.
_MEMOS: weakref.WeakSet[_Memo[object]] = weakref.WeakSet()
_enabled = False


_FORGET: list[Callable[[], None]] = []  # what else is kept between rebuilds, to drop with the rest


def remember(enabled: bool = True) -> None:
    """Keep results between rebuilds (the watcher), or stop and forget them."""
    global _enabled
    _enabled = enabled
    for memo in _MEMOS:
        memo.current.clear()
        memo.previous.clear()
    for forget in _FORGET:
        forget()


def remembering() -> bool:
    """Whether results are kept between rebuilds."""
    return _enabled


def on_forget(forget: Callable[[], None]) -> None:
    """Have `remember` call `forget` too: for results kept elsewhere than by `per_note`."""
    _FORGET.append(forget)


def new_rebuild() -> None:
    """Start a rebuild: results not asked about since the one before last are dropped."""
    if _enabled:
        for memo in _MEMOS:
            memo.age()


def per_note(function: Callable[[Note], V]) -> Callable[[Note], V]:
    """`function(note)`, remembered per note object while `remember` is on.

    The function must depend on the note alone (settings it closes over included: make one
    function per settings, in a cached factory, so that the memo goes with them).
    """
    memo: _Memo[V] = _Memo()
    _MEMOS.add(memo)  # type: ignore[arg-type]  # only cleared and aged through this set

    @wraps(function)
    def remembered(note: Note) -> V:
        if not _enabled:
            return function(note)
        found = memo.get(note)
        if found is not None:
            return found[1]
        value = function(note)
        memo.current[id(note)] = (note, value)
        return value

    return remembered
