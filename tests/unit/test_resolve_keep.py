"""A watcher's link resolution, carried from one vault state to the next, answers as a fresh one
does, through hundreds of random file additions, removals and note edits."""

from __future__ import annotations

import random

import pytest

from tlvault.model import Note, Resolved
from tlvault.parse import parse_note
from tlvault.resolve import LinkIndex, resolve_links, target_name

MTIME_NS = 1_700_000_000 * 10**9
FOLDERS = ["", "Idées/", "Idées/Vieilles/", "Sources/", "tlvault/"]
NAMES = [
    "Vision",
    "vision",
    "Écrire",
    "Écrire",
    "Plan.md",
    "schéma.png",
    "Lire",
    "Fantôme",
    "Idées",
    "Vieilles",
]
TARGETS = [
    *NAMES,
    "Idées/Vision",
    "/Sources/Lire",
    "./Lire",
    "../Vision",
    "../",
    "..",
    "Vieilles/Écrire",
    "schéma.png",
    "",
    "#Titre",
]


class RandomFiles:
    """Notes linking one another (case, accents, folders and relative paths) and attachments."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.notes: dict[str, Note] = {}
        self.attachments: set[str] = set()
        for _ in range(12):
            self.add_note()

    def add_note(self) -> None:
        pick = self.random
        rel = pick.choice(FOLDERS) + pick.choice(NAMES)
        rel = rel if rel.endswith(".md") else rel + ".md"
        text = " ".join(f"[[{pick.choice(TARGETS)}]]" for _ in range(pick.randint(0, 5)))
        self.notes[rel] = parse_note(rel, text, MTIME_NS)

    def change(self) -> None:
        pick = self.random
        kind = pick.choice(["note", "note", "remove", "attachment", "drop attachment", "nothing"])
        if kind == "note":
            self.add_note()  # a new note, or a new text for one that exists
        elif kind == "remove" and len(self.notes) > 1:
            del self.notes[pick.choice(sorted(self.notes))]
        elif kind == "attachment":
            self.attachments.add(pick.choice(FOLDERS) + pick.choice(["schéma.png", "Vision", "plan.md.md"]))
        elif kind == "drop attachment" and self.attachments:
            self.attachments.discard(pick.choice(sorted(self.attachments)))

    def files(self) -> list[str]:
        return sorted({*self.notes, *self.attachments})


def fresh(notes: list[Note], files: list[str]) -> Resolved:
    index = LinkIndex(files, generated="tlvault")
    return Resolved(
        {note.rel: tuple(index.resolve(link.target, note.rel) for link in note.links) for note in notes}
    )


@pytest.mark.parametrize("seed", range(10))
def test_carried_over_answers_are_a_fresh_index_answers(seed: int, remembering: None) -> None:
    vault = RandomFiles(seed)
    for _ in range(60):
        vault.change()
        notes = [vault.notes[rel] for rel in sorted(vault.notes)]
        kept = resolve_links(notes, vault.files(), generated="tlvault")
        expected = fresh(notes, vault.files())
        assert list(kept.targets.items()) == list(expected.targets.items())


def test_a_relative_target_ending_in_a_folder_has_no_file_name() -> None:
    assert [target_name(t) for t in ("../", "..", "./", "a/.", "Idées/Vision", " VISION.md ")] == [
        "/",
        "/",
        "/",
        "/",
        "vision",
        "vision.md",
    ]
