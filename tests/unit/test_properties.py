"""split_frontmatter and the property rules for tags and aliases (README rules 5–7, 10–14)."""

from __future__ import annotations

import pytest

from tlvault.model import FrontmatterStatus, JsonValue, Property
from tlvault.parse import parse_note
from tlvault.properties import split_frontmatter

ABSENT = FrontmatterStatus.ABSENT
MAPPING = FrontmatterStatus.MAPPING
EMPTY = FrontmatterStatus.EMPTY
UNUSABLE = FrontmatterStatus.UNUSABLE

# -- split_frontmatter: status, properties, body and the line the body starts on -----------------------

SPLIT_CASES: list[tuple[str, FrontmatterStatus, tuple[Property, ...], str, int]] = [
    ("Corps seul\n", ABSENT, (), "Corps seul\n", 1),
    ("", ABSENT, (), "", 1),
    ("---\ntitre: Réunion\n---\nCorps\n", MAPPING, (Property("titre", "Réunion"),), "Corps\n", 4),
    (
        "---\na: 1\nb: [x, y]\n---\n\nCorps\n",
        MAPPING,
        (Property("a", 1), Property("b", ["x", "y"])),
        "\nCorps\n",
        5,
    ),
    ("---\n---\nCorps\n", EMPTY, (), "Corps\n", 3),
    ("---\n---", EMPTY, (), "", 3),
    ("---\n- un\n- deux\n---\nCorps\n", UNUSABLE, (), "Corps\n", 5),
    ("---\ntitre: [oops\n---\nCorps\n", UNUSABLE, (), "Corps\n", 4),
    ("---\ntitre: T\n---", MAPPING, (Property("titre", "T"),), "", 4),
    # Rule 5: anything else is body, untouched.
    ("\n---\ntitre: T\n---\nCorps\n", ABSENT, (), "\n---\ntitre: T\n---\nCorps\n", 1),
    ("----\ntitre: T\n----\n", ABSENT, (), "----\ntitre: T\n----\n", 1),
    ("---\ntitre: T\nCorps\n", ABSENT, (), "---\ntitre: T\nCorps\n", 1),
    ("---", ABSENT, (), "---", 1),
    ("---\ntitre: T\n--- \nCorps\n", ABSENT, (), "---\ntitre: T\n--- \nCorps\n", 1),
    # Only the first closing `---` ends the block; a later one is body.
    ("---\na: 1\n---\nx\n---\nb: 2\n---\n", MAPPING, (Property("a", 1),), "x\n---\nb: 2\n---\n", 4),
    ("---\nbloc: |\n  texte\n  ---x\n---\nfin", MAPPING, (Property("bloc", "texte\n---x\n"),), "fin", 6),
]
SPLIT_IDS = [
    "no-block",
    "empty-text",
    "mapping",
    "mapping-blank-line-after",
    "empty",
    "empty-no-newline",
    "list",
    "invalid",
    "no-body",
    "blank-first-line",
    "four-dashes",
    "unclosed",
    "only-opening",
    "closing-with-trailing-space",
    "second-block-is-body",
    "indented-dashes-in-block-scalar",
]


@pytest.mark.parametrize(("text", "status", "properties", "body", "body_line"), SPLIT_CASES, ids=SPLIT_IDS)
def test_split_frontmatter(
    text: str, status: FrontmatterStatus, properties: tuple[Property, ...], body: str, body_line: int
) -> None:
    front = split_frontmatter(text)
    assert (front.status, front.properties, front.body, front.body_line) == (
        status,
        properties,
        body,
        body_line,
    )


@pytest.mark.parametrize(
    ("text", "has_problem"),
    [
        ("---\na: 1\n---\n", False),
        ("---\n---\n", False),
        ("Corps\n", False),
        ("---\n- a\n---\n", True),
        ("---\na: [b\n---\n", True),
        ("---\na: 1\na: 2\n---\n", True),
    ],
    ids=["mapping", "empty", "absent", "list", "invalid", "duplicate-key"],
)
def test_problem_reported_only_when_something_is_wrong(text: str, has_problem: bool) -> None:
    assert (split_frontmatter(text).problem is not None) == has_problem


def test_properties_keep_file_order_and_json_safe_values() -> None:
    front = split_frontmatter(
        "---\nzeta: 1\nalpha: texte\nliste: [1, deux]\nimbriqué:\n  clé: 2024-02-22\nvide:\n---\n"
    )
    assert front.properties == (
        Property("zeta", 1),
        Property("alpha", "texte"),
        Property("liste", [1, "deux"]),
        Property("imbriqué", {"clé": "2024-02-22"}),
        Property("vide", None),
    )


# -- tags from the `tags` property (rules 10–13) -------------------------------------------------------

TAGS_CASES: list[tuple[str, tuple[str, ...]]] = [
    ("tags: [alpha, beta]", ("alpha", "beta")),
    ("tags:\n  - alpha\n  - beta", ("alpha", "beta")),
    ('tags:\n  - "#Projet"\n  - Été\n  - avec espace\n  - 42\n  - #commentaire', ("projet", "été")),
    ("tags: ['#a/b', \"#c\"]", ("a/b", "c")),
    ("tags: [alpha, 3, 2.5, true, null]", ("alpha",)),
    ("tags: brouillon", ("brouillon",)),
    ("tags: '#brouillon'", ("brouillon",)),
    ("tags: Projet/Alpha", ("projet/alpha",)),
    ("tags: a, b", ()),
    ("tags: deux mots", ()),
    ("tags: #x", ()),
    ("tags:\n  - #x", ()),
    ("tags:", ()),
    ("tags: 2024", ()),
    ("tag: ancien", ()),
    ("tag: [ancien]\ntags: [nouveau]", ("nouveau",)),
    ("étiquettes: [x]", ()),
]
TAGS_IDS = [
    "flow-list",
    "block-list",
    "quoted-hash-case-space-number-comment",
    "quoted-nested",
    "non-strings-skipped",
    "scalar",
    "scalar-quoted-hash",
    "scalar-nested",
    "comma-string-gives-nothing",
    "space-string-gives-nothing",
    "comment-scalar",
    "comment-item",
    "null",
    "number-scalar",
    "old-tag-key-ignored",
    "old-and-new-keys",
    "other-key",
]


@pytest.mark.parametrize(("props", "tags"), TAGS_CASES, ids=TAGS_IDS)
def test_property_tags(props: str, tags: tuple[str, ...]) -> None:
    note = parse_note("Note.md", f"---\n{props}\n---\nCorps sans tag\n")
    assert (note.frontmatter, note.tags) == (MAPPING, tags)


def test_comment_item_yields_null_value() -> None:
    """Rule 13: `- #x` is an empty item, kept as null in the property value."""
    note = parse_note("Note.md", "---\ntags:\n  - a\n  - #x\n---\n")
    value: JsonValue = note.prop("tags")
    assert value == ["a", None]


# -- aliases (rule 14) -----------------------------------------------------------------------------------

ALIASES_CASES: list[tuple[str, tuple[str, ...]]] = [
    ("aliases:\n  - Zèbre\n  - alpha\n  - Bêta", ("Zèbre", "alpha", "Bêta")),
    ("aliases: [CR équipe, Compte rendu]", ("CR équipe", "Compte rendu")),
    ("aliases: [a, 1, b, null]", ("a", "b")),
    ("alias: Ancien", ()),
    ("alias: [Ancien]\naliases: [Nouveau]", ("Nouveau",)),
    ("aliases:", ()),
]
ALIASES_IDS = [
    "order-and-case-kept",
    "with-spaces",
    "non-strings-skipped",
    "old-key-ignored",
    "old-and-new",
    "null",
]


@pytest.mark.parametrize(("props", "aliases"), ALIASES_CASES, ids=ALIASES_IDS)
def test_property_aliases(props: str, aliases: tuple[str, ...]) -> None:
    note = parse_note("Note.md", f"---\n{props}\n---\n")
    assert (note.frontmatter, note.aliases) == (MAPPING, aliases)


def test_deprecated_keys_stay_plain_properties() -> None:
    note = parse_note("Note.md", "---\ntag: x\nalias: y\ncssclass: z\n---\n")
    assert (note.properties, note.tags, note.aliases) == (
        (Property("tag", "x"), Property("alias", "y"), Property("cssclass", "z")),
        (),
        (),
    )
