"""resolve_links(notes, files) -> Resolved: Obsidian's link resolution (corpus rules 43–46).

The name index is built once; each link target is then resolved once (once per note folder
when the folder matters) by a dictionary lookup plus a ranking of the few files that share its
name. Link text is only ever looked up, never opened as a path.
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Iterable, Sequence

from tlvault import memo
from tlvault.model import Note, Resolved
from tlvault.results import UnresolvedLink


class LinkIndex:
    """Every linkable file of a vault, by full path and by file name (case-insensitive)."""

    def __init__(self, files: Iterable[str], *, generated: str | None = None) -> None:
        """Index `files`; notes under the folder `generated` lose ties against the user's notes."""
        self._generated = _fold(generated.strip("/")) + "/" if generated else None
        self._by_path: dict[str, str] = {}
        self._by_name: dict[str, list[tuple[str, str]]] = {}  # name -> (folded path, rel), by rel
        for rel in sorted(files):
            folded = _fold(rel)
            # Two files differing only in case or Unicode form: the first in sorted order
            # answers exact lookups, both stay candidates by name.
            self._by_path.setdefault(folded, rel)
            self._by_name.setdefault(folded.rsplit("/", 1)[-1], []).append((folded, rel))
        # Most targets open the same file from any folder: one lookup each, whatever the note.
        self._fixed: dict[str, str | None] = {}
        self._memo: dict[tuple[str, str], str | None] = {}  # (target, folder) for the others
        self._answered: dict[str, list[str]] = {}  # target name (`target_name`) -> targets answered

    def carried_over(self, added: Iterable[str], removed: Iterable[str]) -> LinkIndex:
        """The index once files were added and removed, keeping every answer those files cannot
        change: those for targets that name none of them (see `target_name`)."""
        added, removed = sorted(set(added)), set(removed)
        index = LinkIndex(())
        index._generated = self._generated
        index._by_path, index._by_name = dict(self._by_path), dict(self._by_name)
        changed: dict[str, set[str]] = {}  # file name -> folded paths added or removed
        for rel in (*added, *removed):
            folded = _fold(rel)
            changed.setdefault(folded.rsplit("/", 1)[-1], set()).add(folded)
        touched = frozenset(changed)
        for name, paths in changed.items():
            kept = [entry for entry in self._by_name.get(name, ()) if entry[1] not in removed]
            fresh = [(_fold(rel), rel) for rel in added if _fold(rel) in paths]
            entries = sorted(kept + fresh, key=lambda entry: entry[1])  # as if listed in sorted order
            index._by_name[name] = entries
            for folded in paths:
                first = next((rel for path, rel in entries if path == folded), None)
                if first is None:
                    index._by_path.pop(folded, None)
                else:
                    index._by_path[folded] = first
            if not entries:
                del index._by_name[name]
        stale = _names_of_files(touched) | {_VOLATILE}
        index._fixed, index._memo = dict(self._fixed), dict(self._memo)
        index._answered = {name: targets for name, targets in self._answered.items() if name not in stale}
        for name in stale & self._answered.keys():
            for target in self._answered[name]:
                index._fixed.pop(target, None)
        index._memo = {key: found for key, found in index._memo.items() if target_name(key[0]) not in stale}
        return index

    def resolve(self, target: str, source_rel: str) -> str | None:
        """The vault-relative file that `target`, written in note `source_rel`, opens; None if none."""
        try:
            return self._fixed[target]
        except KeyError:
            pass
        if not target.strip():  # a link to the note itself (rule 29)
            return source_rel
        folder = posixpath.dirname(source_rel)
        if (target, folder) not in self._memo:
            self._resolve(target, folder)
        return self._fixed[target] if target in self._fixed else self._memo[target, folder]

    def _resolve(self, target: str, folder: str) -> None:
        """Store where `target` leads: in `_fixed` if the note's folder does not matter."""
        path = _fold(target.strip())
        self._answered.setdefault(target_name(target), []).append(target)
        if path.startswith(("./", "../")):  # relative to the note's folder (rule 44)
            joined = posixpath.normpath(posixpath.join(_fold(folder), path))
            self._memo[target, folder] = None if joined.startswith("..") else self._exact(joined)
        elif path.startswith("/"):  # a vault path; no guessing when it does not exist
            self._fixed[target] = self._exact(path.lstrip("/"))
        else:
            ranked = self._by_name_rank(path)
            if len(ranked) <= 1:
                self._fixed[target] = ranked[0][1] if ranked else None
            else:
                self._memo[target, folder] = _nearest(ranked, _fold(folder))

    def _exact(self, path: str) -> str | None:
        return self._by_path.get(path) or self._by_path.get(path + ".md")

    def _by_name_rank(self, path: str) -> list[tuple[str, str]]:
        """Files whose path ends with `path` (rule 45), the user's first, shortest path first.

        Only the user's files stay when there are some: generated notes lose every tie.
        """
        name = path.rsplit("/", 1)[-1]
        candidates = [
            (folded, rel)
            for wanted, file_name in ((path, name), (path + ".md", name + ".md"))
            for folded, rel in self._by_name.get(file_name, ())
            if folded == wanted or folded.endswith("/" + wanted)
        ]
        if len(candidates) <= 1:  # the usual case: nothing to rank
            return candidates
        generated = self._generated
        if generated is not None:
            users = [candidate for candidate in candidates if not candidate[0].startswith(generated)]
            candidates = users or candidates
        return sorted(candidates, key=lambda candidate: (len(candidate[1]), candidate[1]))


def _nearest(ranked: list[tuple[str, str]], folder: str) -> str:
    """The first of `ranked` in the note's own folder, else the first (rule 44).

    An exact vault path is the shortest candidate, so it wins unless a candidate sits in
    the note's own folder.
    """
    prefix = folder + "/" if folder else ""
    return next((rel for folded, rel in ranked if folded.startswith(prefix)), ranked[0][1])


def _fold(text: str) -> str:
    """Case- and normalisation-insensitive form of a path (rule 43)."""
    return unicodedata.normalize("NFC", text).lower()


def resolve_links(notes: Sequence[Note], files: Iterable[str], *, generated: str | None = None) -> Resolved:
    """Resolve every link of every note against every linkable file of the vault.

    A note of tlvault's output folder `generated` never wins a tie against a note of the user's:
    while tlvault renames a generated note that took a user note's name, links keep their meaning.
    While a watcher remembers results (`memo.remember`), only the links that files added or
    removed since the last call could redirect, and those of changed notes, are resolved again.
    """
    if memo.remembering():
        return _KEPT.resolve(notes, tuple(files), generated)
    index = LinkIndex(files, generated=generated)
    return Resolved(
        {note.rel: tuple(index.resolve(link.target, note.rel) for link in note.links) for note in notes}
    )


_VOLATILE = "/"  # in a note's names: a target whose file name resolving does not tell (`../`)


def target_name(target: str) -> str:
    """The folded file name a link target can only open a file of (as `name` or `name.md`), or
    `_VOLATILE` for a relative target ending in a folder, whose file name the path decides."""
    name = _fold(target.strip()).rsplit("/", 1)[-1]
    return _VOLATILE if name in ("", ".", "..") else name


class _ResolutionKeeper:
    """The watcher's last link index and answers, carried over to the next vault state."""

    def __init__(self) -> None:
        self.files: tuple[str, ...] | None = None  # None: nothing to reuse
        self.generated: str | None = None
        self.index = LinkIndex(())
        self.answers: dict[str, tuple[Note, tuple[str | None, ...]]] = {}  # rel -> (note, its targets)

    def resolve(self, notes: Sequence[Note], files: tuple[str, ...], generated: str | None) -> Resolved:
        """`resolve_links`, reusing every answer no added or removed file can change."""
        if self.files is None or generated != self.generated:
            self.index, stale = LinkIndex(files, generated=generated), None
        elif files != self.files:
            before, after = set(self.files), set(files)
            stale = _names_of_files(before ^ after)
            self.index = self.index.carried_over(after - before, before - after)
        else:
            stale = frozenset()
        self.files, self.generated = None, generated  # a failure below leaves nothing to reuse
        redirected = stale | {_VOLATILE} if stale else frozenset()  # target names to resolve again
        answers: dict[str, tuple[Note, tuple[str | None, ...]]] = {}
        for note in notes:
            known = self.answers.get(note.rel)
            if (
                stale is not None
                and known is not None
                and known[0] is note
                and not (redirected and _note_names(note) & redirected)
            ):
                answers[note.rel] = known
            else:
                index = self.index
                answers[note.rel] = (note, tuple(index.resolve(link.target, note.rel) for link in note.links))
        self.answers, self.files = answers, files
        return Resolved({rel: targets for rel, (_, targets) in answers.items()})

    def forget(self) -> None:
        self.files, self.index, self.answers = None, LinkIndex(()), {}


def _names_of_files(files: Iterable[str]) -> frozenset[str]:
    """The target names (see `target_name`) that can open any of `files`."""
    names = set()
    for rel in files:
        name = _fold(rel).rsplit("/", 1)[-1]
        names.add(name)
        if name.endswith(".md"):
            names.add(name[:-3])
    return frozenset(names)


@memo.per_note
def _note_names(note: Note) -> frozenset[str]:
    """The target names of a note's links."""
    return frozenset(target_name(link.target) for link in note.links if link.target.strip())


_KEPT = _ResolutionKeeper()
memo.on_forget(_KEPT.forget)


def unresolved_links(notes: Sequence[Note], resolved: Resolved) -> tuple[UnresolvedLink, ...]:
    """Every link target that opens no file, with the notes that write it, most written first."""
    by_target: dict[str, tuple[str, set[str]]] = {}
    for note in notes:
        for key, target in _unresolved_of(note, resolved.of(note)):
            _, where = by_target.setdefault(key, (target, set()))
            where.add(note.rel)
    ranked = sorted(by_target.values(), key=lambda item: (-len(item[1]), item[0].lower(), item[0]))
    return tuple(UnresolvedLink(target, tuple(sorted(where))) for target, where in ranked)


@memo.per_note_and
def _unresolved_of(note: Note, targets: tuple[str | None, ...]) -> tuple[tuple[str, str], ...]:
    """The (folded, as written) targets of a note's links that open no file, in order."""
    return tuple(
        (_fold(link.target.strip()), link.target.strip())
        for link, target in zip(note.links, targets, strict=True)
        if target is None and link.target.strip()
    )
