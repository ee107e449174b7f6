"""resolve_links(notes, files) -> Resolved: Obsidian's link resolution (corpus rules 43–46).

The name index is built once; each link target is then resolved once (once per note folder
when the folder matters) by a dictionary lookup plus a ranking of the few files that share its
name. Link text is only ever looked up, never opened as a path.
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Iterable, Sequence

from tlvault.model import Note, Resolved
from tlvault.results import UnresolvedLink


class LinkIndex:
    """Every linkable file of a vault, by full path and by file name (case-insensitive)."""

    def __init__(self, files: Iterable[str], *, generated: str | None = None) -> None:
        """Index `files`; notes under the folder `generated` lose ties against the user's notes."""
        self._generated = _fold(generated.strip("/")) + "/" if generated else None
        self._by_path: dict[str, str] = {}
        self._by_name: dict[str, list[tuple[str, str]]] = {}  # name -> (folded path, rel)
        for rel in sorted(files):
            folded = _fold(rel)
            # Two files differing only in case or Unicode form: the first in sorted order
            # answers exact lookups, both stay candidates by name.
            self._by_path.setdefault(folded, rel)
            self._by_name.setdefault(folded.rsplit("/", 1)[-1], []).append((folded, rel))
        # Most targets open the same file from any folder: one lookup each, whatever the note.
        self._fixed: dict[str, str | None] = {}
        self._memo: dict[tuple[str, str], str | None] = {}  # (target, folder) for the others

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
    """
    index = LinkIndex(files, generated=generated)
    return Resolved(
        {note.rel: tuple(index.resolve(link.target, note.rel) for link in note.links) for note in notes}
    )


def unresolved_links(notes: Sequence[Note], resolved: Resolved) -> tuple[UnresolvedLink, ...]:
    """Every link target that opens no file, with the notes that write it, most written first."""
    by_target: dict[str, tuple[str, set[str]]] = {}
    for note in notes:
        for link, target in zip(note.links, resolved.of(note), strict=True):
            if target is None and link.target.strip():
                key = _fold(link.target.strip())
                _, where = by_target.setdefault(key, (link.target.strip(), set()))
                where.add(note.rel)
    ranked = sorted(by_target.values(), key=lambda item: (-len(item[1]), item[0].lower(), item[0]))
    return tuple(UnresolvedLink(target, tuple(sorted(where))) for target, where in ranked)
