"""LinkIndex and resolve_links against an in-memory file list (README rules 15, 29–31, 39, 43–47)."""

from __future__ import annotations

import unicodedata

import pytest

from tlvault.parse import parse_note
from tlvault.resolve import LinkIndex, resolve_links

CAFE_NFD = unicodedata.normalize("NFD", "Café")
assert CAFE_NFD != "Café"

FILES: tuple[str, ...] = (
    "Index.md",
    "Welcome.md",
    "Version 2.0 notes.md",
    "Pensée libre.md",
    "Idée 💡.md",
    "Board.md",
    "Board.canvas",
    "Plan.canvas",
    "attachments/pixel.png",
    "attachments/rapport.pdf",
    "1 - Input/Idea.md",
    "1 - Input/Inbox.md",
    "2 - Output/Idea.md",
    "2 - Output/Essay.md",
    "2 - Output/Drafts/Chapter 1.md",
    "Archive/2023/Idea.md",
    "Archive/2023/Retro.md",
    "Archive/Notes.md",
    "3 - Areas/Research/Methods.md",
    "3 - Areas/Research/Sources.md",
    "3 - Areas/Welcome.md",
    f"Voyages/{CAFE_NFD}.md",
    "Réunions/Compte rendu.md",
)

RESOLVE_CASES: list[tuple[str, str, str | None]] = [
    # Rule 43: case-insensitive.
    ("welcome", "Index.md", "Welcome.md"),
    ("WELCOME", "Index.md", "Welcome.md"),
    ("pensée LIBRE", "Index.md", "Pensée libre.md"),
    # Rule 30: `.md` optional and case-insensitive; other types need their extension.
    ("Welcome.md", "Index.md", "Welcome.md"),
    ("Welcome.MD", "Index.md", "Welcome.md"),
    ("pixel", "Index.md", None),
    ("pixel.png", "Index.md", "attachments/pixel.png"),
    ("PIXEL.PNG", "Index.md", "attachments/pixel.png"),
    ("rapport", "Index.md", None),
    ("rapport.pdf", "Index.md", "attachments/rapport.pdf"),
    ("attachments/pixel.png", "Index.md", "attachments/pixel.png"),
    # Rule 31: dotted note name; emoji name (B25).
    ("Version 2.0 notes", "Index.md", "Version 2.0 notes.md"),
    ("idée 💡", "Index.md", "Idée 💡.md"),
    # Canvas vs same-name note.
    ("Board", "Index.md", "Board.md"),
    ("Board.canvas", "Index.md", "Board.canvas"),
    ("Plan", "Index.md", None),
    ("Plan.canvas", "Index.md", "Plan.canvas"),
    # Rule 44: one candidate for a bare name, wherever it is.
    ("Methods", "Index.md", "3 - Areas/Research/Methods.md"),
    ("Retro", "1 - Input/Inbox.md", "Archive/2023/Retro.md"),
    # Several candidates: the note's own folder first ...
    ("Idea", "2 - Output/Essay.md", "2 - Output/Idea.md"),
    ("Idea", "1 - Input/Inbox.md", "1 - Input/Idea.md"),
    ("Idea", "Archive/2023/Retro.md", "Archive/2023/Idea.md"),
    # ... or below it ...
    ("Idea", "Archive/Notes.md", "Archive/2023/Idea.md"),
    # ... else the shortest full path; the parent folder gives no preference.
    ("Idea", "Index.md", "1 - Input/Idea.md"),
    ("Idea", "2 - Output/Drafts/Chapter 1.md", "1 - Input/Idea.md"),
    ("Idea", "3 - Areas/Research/Sources.md", "1 - Input/Idea.md"),
    ("Welcome", "3 - Areas/Research/Sources.md", "Welcome.md"),
    ("Welcome", "3 - Areas/Sources.md", "3 - Areas/Welcome.md"),
    # `./` and `../` are relative to the note's folder.
    ("./Idea", "2 - Output/Essay.md", "2 - Output/Idea.md"),
    ("./Idea.md", "1 - Input/Inbox.md", "1 - Input/Idea.md"),
    ("../Idea", "2 - Output/Drafts/Chapter 1.md", "2 - Output/Idea.md"),
    ("./Drafts/Chapter 1", "2 - Output/Essay.md", "2 - Output/Drafts/Chapter 1.md"),
    ("../../Welcome", "2 - Output/Drafts/Chapter 1.md", "Welcome.md"),
    ("./Idea", "Index.md", None),
    ("../Welcome", "3 - Areas/Research/Methods.md", "3 - Areas/Welcome.md"),
    ("./Welcome", "3 - Areas/Research/Methods.md", None),
    # A leading `/`: exact vault path (even over a file next to the note), else unresolved.
    ("/Welcome", "3 - Areas/Sources.md", "Welcome.md"),
    ("/1 - Input/Idea", "2 - Output/Essay.md", "1 - Input/Idea.md"),
    ("/Idea", "2 - Output/Essay.md", None),
    ("/Methods", "Index.md", None),
    # Rule 45: folder paths from the vault root, or a trailing part on folder boundaries.
    ("Archive/2023/Idea", "Index.md", "Archive/2023/Idea.md"),
    ("2023/Idea", "Index.md", "Archive/2023/Idea.md"),
    ("2023/Idea", "2 - Output/Essay.md", "Archive/2023/Idea.md"),
    ("023/Idea", "Index.md", None),
    ("Research/Methods", "Index.md", "3 - Areas/Research/Methods.md"),
    ("Areas/Research/Methods", "Index.md", None),
    ("esearch/Methods", "Index.md", None),
    ("1 - Input/Idea.md", "Archive/Notes.md", "1 - Input/Idea.md"),
    ("Output/Idea", "Index.md", None),
    # Rule 29: an empty path is the note itself.
    ("", "2 - Output/Essay.md", "2 - Output/Essay.md"),
    ("", "Index.md", "Index.md"),
    # B20: never outside the vault.
    ("../../etc/passwd", "2 - Output/Essay.md", None),
    ("../../../../../../etc/passwd", "2 - Output/Drafts/Chapter 1.md", None),
    ("/etc/passwd", "Index.md", None),
    ("../Welcome", "Index.md", None),
    ("../secret.png", "attachments/x.md", None),
    # B21: NFC link to an NFD file name, and the other way round.
    ("Café", "Index.md", f"Voyages/{CAFE_NFD}.md"),
    ("Voyages/café", "Index.md", f"Voyages/{CAFE_NFD}.md"),
    (unicodedata.normalize("NFD", "Pensée libre"), "Index.md", "Pensée libre.md"),
    # Rule 46: unresolved links stay unresolved.
    ("Nulle part", "Index.md", None),
    ("Idee", "1 - Input/Inbox.md", None),
    ("https://exemple.fr", "Index.md", None),
    # Rule 47: a `title` property or a heading does not name a note.
    ("Compte rendu", "Index.md", "Réunions/Compte rendu.md"),
]
RESOLVE_IDS = [
    "lower-case",
    "upper-case",
    "accented-mixed-case",
    "md-extension",
    "md-extension-upper",
    "image-without-extension",
    "image-with-extension",
    "image-extension-upper",
    "pdf-without-extension",
    "pdf-with-extension",
    "image-full-path",
    "dotted-name",
    "emoji-name",
    "note-over-canvas",
    "canvas-with-extension",
    "canvas-needs-extension",
    "canvas-alone",
    "single-candidate-far-away",
    "single-candidate-from-folder",
    "own-folder-output",
    "own-folder-input",
    "own-folder-archive",
    "below-own-folder",
    "root-shortest",
    "parent-folder-no-preference",
    "unrelated-folder-shortest",
    "shortest-from-deep-folder",
    "own-folder-welcome",
    "dot-slash",
    "dot-slash-with-md",
    "dot-dot",
    "dot-slash-subfolder",
    "dot-dot-twice",
    "dot-slash-missing",
    "dot-dot-from-research",
    "dot-slash-no-neighbour-fallback",
    "leading-slash-beats-neighbour",
    "leading-slash-folder",
    "leading-slash-no-exact",
    "leading-slash-bare-name-elsewhere",
    "full-folder-path",
    "suffix-path",
    "suffix-path-from-folder",
    "suffix-not-on-boundary",
    "suffix-two-levels",
    "suffix-partial-folder-name",
    "suffix-partial-folder-name-2",
    "full-path-with-md",
    "suffix-partial-folder-name-3",
    "empty-self",
    "empty-self-root",
    "etc-passwd-relative",
    "many-dot-dots",
    "etc-passwd-absolute",
    "dot-dot-above-root",
    "dot-dot-image-above-root",
    "nfc-link-nfd-file",
    "nfc-folder-link-nfd-file",
    "nfd-link-nfc-file",
    "unknown-name",
    "misspelt-name",
    "url-wikilink",
    "file-name-only",
]


@pytest.mark.parametrize(("target", "source", "expected"), RESOLVE_CASES, ids=RESOLVE_IDS)
def test_resolve(target: str, source: str, expected: str | None) -> None:
    assert LinkIndex(FILES).resolve(target, source) == expected


def test_bare_name_prefers_own_folder_over_exact_root_path() -> None:
    """Rule 44: without a leading `/`, the file next to the note beats a same-name file at the root."""
    index = LinkIndex(["Idea.md", "2 - Output/Idea.md", "2 - Output/Essay.md"])
    assert (
        index.resolve("Idea", "2 - Output/Essay.md"),
        index.resolve("/Idea", "2 - Output/Essay.md"),
        index.resolve("Idea", "Index.md"),
    ) == ("2 - Output/Idea.md", "Idea.md", "Idea.md")


def test_shortest_path_wins_among_several() -> None:
    index = LinkIndex(["b/c/d/Note.md", "a/b/Note.md", "zz/Note.md", "Autre.md"])
    assert index.resolve("Note", "Autre.md") == "zz/Note.md"


def test_hidden_files_are_never_candidates_when_not_listed() -> None:
    """Only the files given are candidates: a `.trash/Idea.md` absent from the list never wins."""
    index = LinkIndex(["1 - Input/Idea.md", "Index.md"])
    assert index.resolve("Idea", "Index.md") == "1 - Input/Idea.md"


def test_file_order_does_not_matter() -> None:
    forward = LinkIndex(FILES)
    backward = LinkIndex(reversed(FILES))
    cases = [(target, source) for target, source, _ in RESOLVE_CASES]
    assert [backward.resolve(t, s) for t, s in cases] == [forward.resolve(t, s) for t, s in cases]


def test_resolve_links_aligns_with_note_links() -> None:
    essay = parse_note(
        "2 - Output/Essay.md",
        '---\nsource: "[[Welcome]]"\n---\n[[Idea]] [[Nulle part]] [t](../1%20-%20Input/Idea.md) '
        "![[pixel.png|100]] [[#Titre]] [[Idea]]\n",
    )
    index_note = parse_note("Index.md", "[[2023/Idea]] ![[pixel]] [[Board.canvas]]\n")
    empty = parse_note("Archive/Notes.md", "Pas de lien.\n")
    resolved = resolve_links([essay, index_note, empty], FILES)
    assert [link.target for link in essay.links] == [
        "Welcome",
        "Idea",
        "Nulle part",
        "../1 - Input/Idea.md",
        "pixel.png",
        "",
        "Idea",
    ]
    assert resolved.of(essay) == (
        "Welcome.md",
        "2 - Output/Idea.md",
        None,
        "1 - Input/Idea.md",
        "attachments/pixel.png",
        "2 - Output/Essay.md",
        "2 - Output/Idea.md",
    )
    assert resolved.of(index_note) == ("Archive/2023/Idea.md", None, "Board.canvas")
    assert resolved.of(empty) == ()
    assert set(resolved.targets) == {"2 - Output/Essay.md", "Index.md", "Archive/Notes.md"}


def test_markdown_links_resolve_by_name_not_relative_to_note() -> None:
    """Rule 39: `[t](Idea.md)` from a sub-folder finds the file by name like a wikilink."""
    note = parse_note(
        "2 - Output/Drafts/Chapter 1.md", "[a](Idea.md) [b](Research/Methods.md) [c](./Idea.md)\n"
    )
    assert resolve_links([note], FILES).of(note) == (
        "1 - Input/Idea.md",
        "3 - Areas/Research/Methods.md",
        None,
    )


def test_aliases_and_titles_never_resolve_links() -> None:
    """Rules 15 and 47: neither an alias nor a `title` property nor a heading names a file."""
    target = parse_note(
        "Réunions/Compte rendu.md", "---\naliases: [CR équipe]\ntitle: Réunion\n---\n# Ordre\n"
    )
    source = parse_note("Index.md", "[[CR équipe]] [[Réunion]] [[Ordre]] [[Compte rendu|CR équipe]]\n")
    assert resolve_links([target, source], FILES).of(source) == (None, None, None, "Réunions/Compte rendu.md")


def test_one_index_answers_every_case_in_any_order() -> None:
    """The index remembers answers: one asked from another folder first must not leak."""
    cases = [(target, source) for target, source, _ in RESOLVE_CASES]
    expected = [expected for _, _, expected in RESOLVE_CASES]
    forward = LinkIndex(FILES)
    assert [forward.resolve(t, s) for t, s in cases] == expected
    backward = LinkIndex(FILES)
    assert [backward.resolve(t, s) for t, s in reversed(cases)] == expected[::-1]


def test_generated_notes_lose_ties_from_every_folder() -> None:
    """A user's note beats a generated one even next to it; among generated notes, own folder first."""
    files = ["tlvault/Idea.md", "deep/er/Idea.md", "tlvault/Map.md", "tlvault/sub/Map.md", "Index.md"]
    index = LinkIndex(files, generated="tlvault")
    assert [index.resolve("Idea", source) for source in ("tlvault/x.md", "Index.md")] == [
        "deep/er/Idea.md"
    ] * 2
    assert [index.resolve("Map", source) for source in ("tlvault/sub/x.md", "Index.md", "tlvault/x.md")] == [
        "tlvault/sub/Map.md",
        "tlvault/Map.md",
        "tlvault/Map.md",
    ]
