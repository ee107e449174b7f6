"""Results kept between the rebuilds of a long-running watcher: per note, and the last graph.

Between two watcher rebuilds, the parse cache hands back the very same `Note` object for every
note that did not change, so anything computed from one note alone (and from settings the
function closes over) can be reused as long as that object is alive. An edited note comes back
as a new object, so its old results are never used again; they are dropped once stale results
outnumber `STALE_MAX`. A one-shot rebuild keeps nothing (`remember(False)`, the default).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, Generic, TypeVar

from tlvault.model import Note

V = TypeVar("V")

STALE_MAX = 1000  # results of notes no longer in the vault, per function, before all are dropped


class _Memo(Generic[V]):
    """One function's results by note id. Entries hold their note, so no other object can take
    that id while the entry exists."""

    def __init__(self) -> None:
        self.entries: dict[int, tuple[Note, V]] = {}


# Weak: a function made for settings that are no longer used takes its memo with it.
_MEMOS: weakref.WeakSet[_Memo[object]] = weakref.WeakSet()
_FORGET: list[Callable[[], None]] = []  # what else is kept between rebuilds, to drop with the rest
_enabled = False


def remember(enabled: bool = True) -> None:
    """Keep results between rebuilds (the watcher), or stop and forget them."""
    global _enabled
    _enabled = enabled
    for memo in _MEMOS:
        memo.entries.clear()
    for forget in _FORGET:
        forget()


def remembering() -> bool:
    """Whether results are kept between rebuilds."""
    return _enabled


def on_forget(forget: Callable[[], None]) -> None:
    """Have `remember` call `forget` too: for results kept elsewhere than by `per_note`."""
    _FORGET.append(forget)


def new_rebuild(notes: int) -> None:
    """Start a rebuild of a vault of `notes` notes: a function whose kept results outnumber them
    by more than `STALE_MAX` (notes edited or deleted since) forgets them all."""
    for memo in _MEMOS:
        if len(memo.entries) > notes + STALE_MAX:
            memo.entries.clear()


def _new_memo() -> _Memo[V]:
    """An empty memo that `remember` and `new_rebuild` clear (the caller must keep it alive)."""
    memo: _Memo[V] = _Memo()
    _MEMOS.add(memo)  # type: ignore[arg-type]  # only cleared through this set
    return memo


def per_note(function: Callable[[Note], V]) -> Callable[[Note], V]:
    """`function(note)`, remembered per note object while `remember` is on.

    The function must depend on the note alone (settings it closes over included: make one
    function per settings, in a cached factory, so that the memo goes with them).
    """
    memo: _Memo[V] = _new_memo()
    entries = memo.entries  # cleared in place, never replaced

    @wraps(function)
    def remembered(note: Note) -> V:
        if not _enabled:
            return function(note)
        found = entries.get(id(note))
        if found is not None:
            return found[1]
        value = function(note)
        entries[id(note)] = (note, value)
        return value

    remembered.memo = memo  # type: ignore[attr-defined]  # the set above holds it weakly: keep it alive
    return remembered


K = TypeVar("K")


def per_note_and(function: Callable[[Note, K], V]) -> Callable[[Note, K], V]:
    """`function(note, other)`, remembered per note object while `remember` is on, and reused only
    with the very same `other` object (a note's resolved links: kept as one tuple while no file
    added or removed could change them)."""
    memo: _Memo[tuple[object, V]] = _new_memo()
    entries = memo.entries

    @wraps(function)
    def remembered(note: Note, other: K) -> V:
        if not _enabled:
            return function(note, other)
        found = entries.get(id(note))
        if found is not None and found[1][0] is other:
            return found[1][1]
        value = function(note, other)
        entries[id(note)] = (note, (other, value))
        return value

    remembered.memo = memo  # type: ignore[attr-defined]  # the set above holds it weakly: keep it alive
    return remembered


class PerPath(Generic[V]):
    """Answers of a function of a vault path alone (its name, its extension), kept by path while
    `remember` is on: a rebuild then asks only about the paths it has not seen."""

    def __init__(self, function: Callable[[str], V]) -> None:
        self.function = function
        self.known: dict[str, V] = {}
        on_forget(self.known.clear)

    def each(self, paths: Sequence[str]) -> list[V]:
        """The answer for each of `paths`, in order."""
        if not _enabled:
            return list(map(self.function, paths))
        known = self.known
        if len(known) > 2 * len(paths) + STALE_MAX:  # paths renamed or deleted since: start afresh
            known.clear()
        answers = []
        for path in paths:
            answer = known.get(path, _UNKNOWN)
            if answer is _UNKNOWN:
                answer = known[path] = self.function(path)
            answers.append(answer)
        return answers


_UNKNOWN: Any = object()


class LastPerKey(Generic[K, V]):
    """The last answer for each key (a generated file's path), reused while `remember` is on and
    its inputs are equal to the last ones; forgotten all at once beyond `most` keys (files renamed
    over a long watch)."""

    def __init__(self, most: int = 1000) -> None:
        self.most = most
        self.kept: dict[K, tuple[object, V]] = {}
        on_forget(self.kept.clear)

    def recall(self, key: K, inputs: object) -> V | None:
        """The answer kept for `key` if it was made from equal `inputs`, else None."""
        found = self.kept.get(key) if _enabled else None
        return found[1] if found is not None and found[0] == inputs else None

    def keep(self, key: K, inputs: object, answer: V) -> None:
        """Remember `answer`, made from `inputs`, for `key` (only while `remember` is on)."""
        if not _enabled:
            return
        if len(self.kept) >= self.most:
            self.kept.clear()
        self.kept[key] = (inputs, answer)
