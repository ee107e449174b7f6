"""resolve_links(notes, files) -> Resolved: Obsidian's link resolution (corpus rules 43–46).

The name index is built once; resolving a link is a dictionary lookup plus a ranking of the
few files that share its name. Link text is only ever looked up, never opened as a path.
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
        self._memo: dict[tuple[str, str], str | None] = {}

    def resolve(self, target: str, source_rel: str) -> str | None:
        """The vault-relative file that `target`, written in note `source_rel`, opens; None if none."""
        if not target.strip():  # a link to the note itself (rule 29)
            return source_rel
        folder = posixpath.dirname(source_rel)
        key = (target, folder)
        if key not in self._memo:
            self._memo[key] = self._resolve(_fold(target.strip()), _fold(folder))
        return self._memo[key]

    def _resolve(self, path: str, folder: str) -> str | None:
        if path.startswith(("./", "../")):  # relative to the note's folder (rule 44)
            joined = posixpath.normpath(posixpath.join(folder, path))
            return None if joined.startswith("..") else self._exact(joined)
        if path.startswith("/"):  # a vault path; no guessing when it does not exist
            return self._exact(path.lstrip("/"))
        return self._by_name_rank(path, folder)

    def _exact(self, path: str) -> str | None:
        return self._by_path.get(path) or self._by_path.get(path + ".md")

    def _by_name_rank(self, path: str, folder: str) -> str | None:
        """Files whose path ends with `path` (rule 45): own folder first, then shortest path.

        An exact vault path is the shortest such file, so it wins unless a candidate sits in
        the note's own folder (rule 44).
        """
        name = path.rsplit("/", 1)[-1]
        candidates = [
            (folded, rel)
            for wanted, file_name in ((path, name), (path + ".md", name + ".md"))
            for folded, rel in self._by_name.get(file_name, ())
            if folded == wanted or folded.endswith("/" + wanted)
        ]
        if not candidates:
            return None
        prefix = folder + "/" if folder else ""
        generated = self._generated

        def rank(candidate: tuple[str, str]) -> tuple[bool, bool, int, str]:
            folded, rel = candidate
            is_generated = generated is not None and folded.startswith(generated)
            return is_generated, not folded.startswith(prefix), len(rel), rel

        return min(candidates, key=rank)[1]


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
