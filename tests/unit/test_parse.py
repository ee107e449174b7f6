"""parse_note: input text -> Note fields, one table per theme of the OFM rules (README rules 5–42, 47–50).

The inputs are written here (French and English); nothing is read from ../shared.
"""

from __future__ import annotations

import os
import tracemalloc
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from tlvault.errors import NoteError
from tlvault.model import (
    Checkbox,
    FrontmatterStatus,
    Heading,
    InlineField,
    JsonValue,
    Link,
    LinkKind,
    Note,
    Paragraph,
)
from tlvault.parse import decode_note, parse_date, parse_note

ABSENT = FrontmatterStatus.ABSENT
MAPPING = FrontmatterStatus.MAPPING
EMPTY = FrontmatterStatus.EMPTY
UNUSABLE = FrontmatterStatus.UNUSABLE

# One link as the corpus records it, plus the display text: (target, kind, subpath, display, via, key).
LinkRow = tuple[str, str, str | None, str | None, str | None, str | None]


def _parse(text: str | bytes) -> Note:
    return parse_note("Dossier/Note.md", text)


def wl(target: str, subpath: str | None = None, display: str | None = None) -> LinkRow:
    """A `[[wikilink]]` row."""
    return (target, "wikilink", subpath, display, None, None)


def md(target: str, subpath: str | None = None) -> LinkRow:
    """A `[text](markdown)` row (display text is not compared for Markdown links)."""
    return (target, "markdown", subpath, None, None, None)


def emb(
    target: str, subpath: str | None = None, display: str | None = None, via: str = "wikilink"
) -> LinkRow:
    """An `![[embed]]` (via wikilink) or `![alt](embed)` (via markdown) row."""
    return (target, "embed", subpath, display, via, None)


def fm(target: str, key: str, subpath: str | None = None, display: str | None = None) -> LinkRow:
    """A link held in the property `key`."""
    return (target, "frontmatter", subpath, display, None, key)


def rows(note: Note) -> list[LinkRow]:
    """The links of a note, in order, as comparable rows."""
    out: list[LinkRow] = []
    for link in note.links:
        display = None if link.kind == "markdown" else link.display
        via = None if link.via is None else link.via.value
        out.append((link.target, link.kind.value, link.subpath, display, via, link.key))
    return out


# -- frontmatter status (rules 5–7) -------------------------------------------------------------------

FRONTMATTER_CASES: list[tuple[str, FrontmatterStatus, tuple[str, ...], tuple[str, ...]]] = [
    ("Texte simple [[A]]\n", ABSENT, (), ("Texte simple [[A]]",)),
    ("---\ntitre: Réunion\nauteur: Marie\n---\nCorps\n", MAPPING, ("titre", "auteur"), ("Corps",)),
    ('---\n{"title": "Meeting", "tags": ["a"]}\n---\nBody\n', MAPPING, ("title", "tags"), ("Body",)),
    ("---\n---\nCorps\n", EMPTY, (), ("Corps",)),
    ("---\n\n---\nCorps\n", EMPTY, (), ("Corps",)),
    ("---\n- un\n- deux\n---\nCorps\n", UNUSABLE, (), ("Corps",)),
    ("---\njuste une phrase\n---\nCorps\n", UNUSABLE, (), ("Corps",)),
    ("---\ntitre: [oops\n---\nCorps\n", UNUSABLE, (), ("Corps",)),
    # Rule 5: only a first line that is exactly `---` opens the block.
    ("\n---\ntitre: T\n---\nCorps\n", ABSENT, (), ("titre: T", "Corps")),
    ("----\ntitre: T\n----\nCorps\n", ABSENT, (), ("titre: T", "Corps")),
    ("--- \ntitre: T\n---\nCorps\n", ABSENT, (), ("titre: T", "Corps")),
    ("Avant\n---\ntitre: T\n---\nCorps\n", ABSENT, (), ("Avant", "titre: T", "Corps")),
    # An unclosed block is body: the opening `---` is a thematic break.
    ("---\ntitre: T\nCorps [[A]]\n", ABSENT, (), ("titre: T\nCorps [[A]]",)),
    ("---", ABSENT, (), ()),
    ("---\ntitre: Seulement des propriétés\n---", MAPPING, ("titre",), ()),
    # B11: a JSON-looking first line is not a properties block.
    ('{\n"titre": "T"\n}\nCorps\n', ABSENT, (), ('{\n"titre": "T"\n}\nCorps',)),
]
FRONTMATTER_IDS = [
    "no-block",
    "mapping",
    "json-mapping",
    "empty",
    "blank-line-only",
    "yaml-list",
    "yaml-scalar",
    "invalid-yaml",
    "blank-first-line",
    "four-dashes",
    "trailing-space-on-opening",
    "text-before-dashes",
    "unclosed",
    "only-dashes",
    "no-body",
    "json-first-line-brace",
]


@pytest.mark.parametrize(("text", "status", "keys", "paragraphs"), FRONTMATTER_CASES, ids=FRONTMATTER_IDS)
def test_frontmatter_status(
    text: str, status: FrontmatterStatus, keys: tuple[str, ...], paragraphs: tuple[str, ...]
) -> None:
    note = _parse(text)
    assert (note.frontmatter, note.frontmatter_keys, tuple(p.text for p in note.paragraphs)) == (
        status,
        keys,
        paragraphs,
    )


def test_unusable_block_is_not_body() -> None:
    """Rule 6: an invalid block yields no properties and its `#…` is neither body nor a tag."""
    note = _parse("---\ntitre: [oops #pasuntag\nlien: [[A]]\n---\nCorps #vrai [[B]]\n")
    assert (note.frontmatter, note.properties, note.tags, rows(note)) == (UNUSABLE, (), ("vrai",), [wl("B")])
    assert [p.text for p in note.paragraphs] == ["Corps #vrai [[B]]"]


def test_list_frontmatter_gives_no_tags_or_aliases() -> None:
    note = _parse("---\n- tags: [a]\n- aliases: [b]\n---\nCorps\n")
    assert (note.frontmatter, note.properties, note.tags, note.aliases) == (UNUSABLE, (), (), ())


# -- tags in the body (rules 16–21, 25, 26, 48, 49) ----------------------------------------------------

TAG_CASES: list[tuple[str, tuple[str, ...]]] = [
    ("Une #pensée libre", ("pensée",)),
    ("#été puis #Été", ("été",)),
    ("#Pensée et #pensée", ("pensée",)),
    ("#PROJET #Projet #projet", ("projet",)),
    ("#idée💡 du jour", ("idée💡",)),
    ("#日本語 et #Ελλάδα", ("ελλάδα", "日本語")),
    ("#a_b-c/d", ("a_b-c/d",)),
    (
        "#fin. #virgule, #excl! #point-virgule; #deux:points",
        ("deux", "excl", "fin", "point-virgule", "virgule"),
    ),
    ('#paren(x) #crochet[x] #guillemet"x #etoile*x', ("crochet", "etoile", "guillemet", "paren")),
    ("#tiret—long", ("tiret",)),
    ("#Marie’s carnet", ("marie",)),
    ("#attends… la suite", ("attends",)),
    ("#tag\u2e3anext", ("tag",)),
    # Rule 17: `#` must start the line or follow whitespace.
    ("mot#collé", ()),
    ("(#entre) et [#crochet]", ()),
    ("Voir https://exemple.fr/page#ancre et exemple.fr/#frag", ()),
    ("#début de ligne", ("début",)),
    ("texte\t#après-tab", ("après-tab",)),
    # Rule 18: at least one non-digit.
    ("#2024", ()),
    ("#y2024", ("y2024",)),
    ("#2024-bilan", ("2024-bilan",)),
    ("#12 #3_", ("3_",)),
    # Rule 19: nesting; parents are not extra tags.
    ("#projet/alpha/beta", ("projet/alpha/beta",)),
    ("#projet/alpha et #projet", ("projet", "projet/alpha")),
    # Rule 21: headings.
    ("# Titre", ()),
    ("#Titre", ("titre",)),
    ("## Section #dans-titre", ("dans-titre",)),
    ("#", ()),
    ("# \n##", ()),
    # Rule 25: escaped.
    ("\\#échappé", ()),
    # Rule 26: blockquote, callout, list, table.
    ("> citation #cit", ("cit",)),
    ("> [!note] Titre #callout\n> corps #corps\n> > [!tip] imbriqué #niche", ("callout", "corps", "niche")),
    ("- élément #liste\n  - sous #sous", ("liste", "sous")),
    ("| col |\n| --- |\n| #cellule |", ("cellule",)),
    # Rule 48: callout markers are not tags.
    ("> [!note] Titre\n> [!warning]- replié", ()),
    # Rule 49: block ids are not tags.
    ("Paragraphe ^bloc-1", ()),
]
TAG_IDS = [
    "accented-pensee",
    "ete-Ete-merge",
    "Pensee-pensee-merge",
    "case-merge-three",
    "emoji",
    "other-scripts",
    "underscore-dash-slash-kept",
    "ascii-punct-ends",
    "brackets-quotes-end",
    "em-dash-ends",
    "typographic-apostrophe-ends",
    "ellipsis-ends",
    "supplemental-punct-ends",
    "glued-to-word",
    "after-paren-or-bracket",
    "url-fragment",
    "line-start",
    "after-tab",
    "digits-only",
    "letter-then-digits",
    "digits-then-dash-word",
    "digits-underscore",
    "nested",
    "nested-and-parent",
    "heading-not-tag",
    "hash-title-is-tag",
    "tag-in-heading",
    "lone-hash",
    "empty-headings",
    "escaped-hash",
    "blockquote",
    "callouts",
    "lists",
    "table",
    "callout-marker",
    "block-id",
]


@pytest.mark.parametrize(("text", "tags"), TAG_CASES, ids=TAG_IDS)
def test_body_tags(text: str, tags: tuple[str, ...]) -> None:
    assert _parse(text).tags == tags


def test_tags_from_body_and_property_merge_sorted() -> None:
    note = _parse("---\ntags: [Zèbre, alpha]\n---\n#Alpha #béta #zèbre\n")
    assert note.tags == ("alpha", "béta", "zèbre")


# -- code, comments, escapes (rules 22–25) --------------------------------------------------------------

EXCLUSION_CASES: list[tuple[str, tuple[str, ...], list[LinkRow]]] = [
    ("Voir `#code [[c]]` puis [[d]] #e", ("e",), [wl("d")]),
    ("``double `#x` [[y]]`` fin", (), []),
    ("```\n#fence [[f]]\n```\n[[après]]", (), [wl("après")]),
    ("```python\n# commentaire #py [[p]]\n```\n", (), []),
    ("~~~\n#tilde [[t]]\n~~~\n#ok", ("ok",), []),
    ("Texte\n\n    #indente [[i]]\n\nfin #fin", ("fin",), []),
    ("<!-- #html [[h]] -->\n[[z]]", (), [wl("z")]),
    ("<!--\n#bloc [[h]]\n\nencore [[h2]]\n-->\n", (), []),
    ("texte <!-- #x [[y]] --> fin [[z]]", (), [wl("z")]),
    ("texte <!-- sur\n#plusieurs [[lignes]]\n--> après [[z]]", (), [wl("z")]),
    ("%% #commentaire [[c]] %%", ("commentaire",), [wl("c")]),
    ("%%\n#bloc [[b]]\n%%", ("bloc",), [wl("b")]),
    ("texte %%[[collé]]%% fin", (), [wl("collé")]),
    ("\\[\\[x\\]\\] et \\#y", (), []),
]
EXCLUSION_IDS = [
    "inline-code",
    "double-backtick-code",
    "backtick-fence",
    "fence-with-language",
    "tilde-fence",
    "indented-code",
    "html-comment-one-line",
    "html-comment-block-with-blank-line",
    "html-comment-inline",
    "html-comment-inline-multiline",
    "percent-comment-inline-indexed",
    "percent-comment-block-indexed",
    "percent-comment-glued-indexed",
    "escaped-brackets-and-hash",
]


@pytest.mark.parametrize(("text", "tags", "links"), EXCLUSION_CASES, ids=EXCLUSION_IDS)
def test_code_comments_and_escapes(text: str, tags: tuple[str, ...], links: list[LinkRow]) -> None:
    note = _parse(text)
    assert (note.tags, rows(note)) == (tags, links)


# -- links in the body (rules 26–42, 50) -------------------------------------------------------------------

LINK_CASES: list[tuple[str, list[LinkRow]]] = [
    # Rule 27: parts of a wikilink.
    ("[[Idée]]", [wl("Idée")]),
    ("[[Dossier/Note#Titre|affiché]]", [wl("Dossier/Note", "Titre", "affiché")]),
    ("[[a|b|c]]", [wl("a", None, "b|c")]),
    ("[[Note|alias#x]]", [wl("Note", None, "alias#x")]),
    ("[[./Voisin.md]] [[/Racine]] [[NOTE.MD]]", [wl("./Voisin.md"), wl("/Racine"), wl("NOTE.MD")]),
    # Rule 28: subpaths.
    ("[[Note#Titre#Sous-titre]]", [wl("Note", "Titre#Sous-titre")]),
    ("[[Note#^bloc-1|vu]]", [wl("Note", "^bloc-1", "vu")]),
    # Rule 29: empty path = this note.
    ("[[#Titre]] [[#^bloc]]", [wl("", "Titre"), wl("", "^bloc")]),
    ("[ici](#Titre%20deux)", [md("", "Titre deux")]),
    # Rule 30, 31.
    ("[[pixel]] [[pixel.png]]", [wl("pixel"), wl("pixel.png")]),
    ("[[Version 2.0 notes]]", [wl("Version 2.0 notes")]),
    # Rule 32.
    ("[[a]b]]", [wl("a]b")]),
    ("[[]] et [[ ]]", []),
    # Rule 33.
    ("| a | b |\n| --- | --- |\n| [[Note\\|montré]] | x |", [wl("Note", None, "montré")]),
    # Rule 34.
    ("[[https://exemple.fr]]", [wl("https://exemple.fr")]),
    # Rule 35.
    ("Texte[^1] et [^note].\n\n[^1]: Une note.\n[^note]: Autre.", []),
    # Rule 26: links in blockquotes, callouts, lists, headings.
    ("> [!info] Titre [[Dans-titre]]\n> corps [[Corps]]", [wl("Dans-titre"), wl("Corps")]),
    ("- [[Élément]]\n\n## Titre [[Section]]", [wl("Élément"), wl("Section")]),
    # Rule 48.
    ("> [!note]\n> [!quote|large] Citation", []),
    # Rule 36: internal vs external.
    ("[t](Note.md) [u](Note) [v](Sous/Note.MD)", [md("Note.md"), md("Note"), md("Sous/Note.MD")]),
    ("[w](https://x.fr) [m](mailto:a@b.fr) [o](obsidian://open?vault=v) [f](file:///tmp/x.md)", []),
    # Rule 37.
    ("[t](Mon%20fichier.md)", [md("Mon fichier.md")]),
    ("[t](caf%C3%A9.md)", [md("café.md")]),
    ("[t](<Mon fichier.md>)", [md("Mon fichier.md")]),
    ("[t](Mon fichier.md)", []),
    ("[t](100%25.md)", [md("100%.md")]),
    ('[t](Note.md "un titre")', [md("Note.md")]),
    # Rule 38.
    ("[t](Note.md#Titre) [u](Note.md#Sec%20deux)", [md("Note.md", "Titre"), md("Note.md", "Sec deux")]),
    ("[t](../Autre/Note.md)", [md("../Autre/Note.md")]),
    # Rule 40, 41: embeds.
    ("![[pixel.png]]", [emb("pixel.png")]),
    (
        "![[pixel.png|100]] ![[pixel.png|100x50]]",
        [emb("pixel.png", None, "100"), emb("pixel.png", None, "100x50")],
    ),
    ("![[Note#Titre]] ![[Note#^bloc]]", [emb("Note", "Titre"), emb("Note", "^bloc")]),
    ("![[Plan.canvas]]", [emb("Plan.canvas")]),
    ("![texte alt](images/photo.png)", [emb("images/photo.png", display="texte alt", via="markdown")]),
    ("![externe](https://exemple.fr/i.png)", []),
    # Rule 50.
    ("[[Note]] et encore [[Note]]", [wl("Note"), wl("Note")]),
    ("[[A]]\n\n[t](A.md)\n\n![[A]]", [wl("A"), md("A.md"), emb("A")]),
]
LINK_IDS = [
    "plain",
    "target-subpath-display",
    "first-bar-splits",
    "hash-after-bar-is-display",
    "target-kept-as-written",
    "chained-heading",
    "block-subpath",
    "self-heading-and-block",
    "self-markdown-anchor",
    "pixel-without-and-with-ext",
    "dotted-name",
    "lone-bracket-in-path",
    "empty-not-link",
    "table-escaped-bar",
    "url-in-wikilink",
    "footnotes",
    "callout-links",
    "list-and-heading-links",
    "callout-marker-not-link",
    "markdown-internal",
    "markdown-external-ignored",
    "percent-space",
    "percent-utf8",
    "angle-brackets",
    "unencoded-space-not-link",
    "percent-literal",
    "markdown-with-title",
    "markdown-subpath",
    "markdown-relative-kept",
    "embed-image",
    "embed-sizes",
    "embed-subpaths",
    "embed-canvas",
    "markdown-image-embed",
    "external-image-ignored",
    "twice-counts-twice",
    "three-syntaxes",
]


@pytest.mark.parametrize(("text", "links"), LINK_CASES, ids=LINK_IDS)
def test_body_links(text: str, links: list[LinkRow]) -> None:
    assert rows(_parse(text)) == links


# -- links and tags in properties (rules 8, 42) -------------------------------------------------------------

PROPERTY_LINK_CASES: list[tuple[str, list[LinkRow]]] = [
    ('---\nsource: "[[Livre]]"\n---\n', [fm("Livre", "source")]),
    (
        "---\nsource: '[[Livre#Chapitre 2|le livre]]'\n---\n",
        [fm("Livre", "source", "Chapitre 2", "le livre")],
    ),
    ('---\nliés:\n  - "[[Un]]"\n  - "[[Deux]]"\n---\n', [fm("Un", "liés"), fm("Deux", "liés")]),
    ('---\nliés: ["[[Un]]", "[[Deux]]"]\n---\n', [fm("Un", "liés"), fm("Deux", "liés")]),
    ("---\nbrut: [[Trois]]\n---\n", []),
    ("---\nliste:\n  - [[Trois]]\n---\n", []),
    ("---\nurl: https://exemple.fr/page#ancre\n---\n", []),
    ('---\ntexte: "voir [md](fichier.md) et #pasuntag"\n---\n', []),
]
PROPERTY_LINK_IDS = [
    "quoted-value",
    "quoted-with-parts",
    "quoted-block-list",
    "quoted-flow-list",
    "unquoted-is-yaml-list",
    "unquoted-list-item",
    "url-value",
    "markdown-and-hash-in-value",
]


@pytest.mark.parametrize(("text", "links"), PROPERTY_LINK_CASES, ids=PROPERTY_LINK_IDS)
def test_property_links(text: str, links: list[LinkRow]) -> None:
    note = _parse(text)
    assert (note.frontmatter, rows(note), note.tags) == (MAPPING, links, ())


ORDER_NOTE = (
    "---\n"  # 1
    "titre: Réunion\n"  # 2
    'source: "[[Livre]]"\n'  # 3
    "---\n"  # 4
    "# Compte rendu [[Titre-lien]]\n"  # 5
    "\n"  # 6
    "Premier paragraphe [[A]]\n"  # 7
    "suite [t](B.md) et ![[C.png]]\n"  # 8
    "fin ![img](D.png)\n"  # 9
    "\n"  # 10
    "- élément [[E]]\n"  # 11
    "- autre [[A]]\n"  # 12
)


def test_link_order_and_paragraph_index() -> None:
    """Property links first, then body links in order of appearance, each with its paragraph index."""
    note = _parse(ORDER_NOTE)
    assert [(link.target, link.paragraph) for link in note.links] == [
        ("Livre", None),
        ("Titre-lien", 0),
        ("A", 1),
        ("B.md", 1),
        ("C.png", 1),
        ("D.png", 1),
        ("E", 2),
        ("A", 3),
    ]
    assert note.paragraphs == (
        Paragraph("Compte rendu [[Titre-lien]]", 5),
        Paragraph("Premier paragraphe [[A]]\nsuite [t](B.md) et ![[C.png]]\nfin ![img](D.png)", 7),
        Paragraph("élément [[E]]", 11),
        Paragraph("autre [[A]]", 12),
    )


def test_link_lines_are_file_lines() -> None:
    """`Link.line` is the 1-based file line of the link itself, also inside a multi-line paragraph."""
    note = _parse(ORDER_NOTE)
    assert [(link.target, link.line) for link in note.links] == [
        ("Livre", 3),
        ("Titre-lien", 5),
        ("A", 7),
        ("B.md", 8),
        ("C.png", 8),
        ("D.png", 9),
        ("E", 11),
        ("A", 12),
    ]


def test_full_link_records() -> None:
    note = _parse("Voir [[Note#Titre|ici]] et ![alt](img.png)\n")
    assert note.links == (
        Link("Note", LinkKind.WIKILINK, "Titre", "ici", None, None, 1, 0),
        Link("img.png", LinkKind.EMBED, None, "alt", LinkKind.MARKDOWN, None, 1, 0),
    )


# -- headings, block ids, checkboxes, paragraphs, word count ------------------------------------------

HEADING_CASES: list[tuple[str, tuple[Heading, ...]]] = [
    ("# Un\n## Deux #t\n###### Six\n", (Heading(1, "Un", 1), Heading(2, "Deux #t", 2), Heading(6, "Six", 3))),
    ("####### Sept\n", ()),
    ("#Pas un titre\n", ()),
    ("Titre setext\n===\n\nSous-titre\n---\n", (Heading(1, "Titre setext", 1), Heading(2, "Sous-titre", 4))),
    ("---\ntitre: T\n---\n\n## Après propriétés\n", (Heading(2, "Après propriétés", 5),)),
    ("```\n# pas un titre\n```\n# Vrai\n", (Heading(1, "Vrai", 4),)),
]
HEADING_IDS = ["atx-levels", "seven-hashes", "no-space", "setext", "after-frontmatter", "not-in-fence"]


@pytest.mark.parametrize(("text", "headings"), HEADING_CASES, ids=HEADING_IDS)
def test_headings(text: str, headings: tuple[Heading, ...]) -> None:
    assert _parse(text).headings == headings


BLOCK_ID_CASES: list[tuple[str, tuple[str, ...]]] = [
    ("Texte ^abc-1\n", ("abc-1",)),
    ("- élément ^item2\n\n> citation ^cit\n", ("item2", "cit")),
    ("Paragraphe\n\n^seul\n", ("seul",)),
    ("mot^collé\n", ()),
    ("Texte ^id au milieu\n", ()),
    ("`code ^pas`\n\n```\nx ^pas\n```\n", ()),
]
BLOCK_ID_IDS = ["end-of-paragraph", "list-and-quote", "own-line", "glued-not-id", "mid-line", "in-code"]


@pytest.mark.parametrize(("text", "block_ids"), BLOCK_ID_CASES, ids=BLOCK_ID_IDS)
def test_block_ids(text: str, block_ids: tuple[str, ...]) -> None:
    note = _parse(text)
    assert (note.block_ids, note.tags) == (block_ids, ())


CHECKBOX_CASES: list[tuple[str, tuple[Checkbox, ...]]] = [
    (
        "- [ ] acheter du pain\n- [x] appeler Paul [[Paul]]\n- pas une case\n",
        (Checkbox(" ", "acheter du pain", 1), Checkbox("x", "appeler Paul [[Paul]]", 2)),
    ),
    ("* [X] étoile\n\n1. [ ] numérotée\n", (Checkbox("X", "étoile", 1), Checkbox(" ", "numérotée", 3))),
    ("- [/] en cours\n  - [ ] imbriquée\n", (Checkbox("/", "en cours", 1), Checkbox(" ", "imbriquée", 2))),
    ("[ ] pas dans une liste\n", ()),
    ("```\n- [ ] dans du code\n```\n", ()),
    ("---\ntitre: T\n---\n- [ ] tâche\n", (Checkbox(" ", "tâche", 4),)),
]
CHECKBOX_IDS = [
    "open-and-done",
    "star-and-ordered",
    "custom-status-nested",
    "not-a-list",
    "in-code",
    "line-offset",
]


@pytest.mark.parametrize(("text", "checkboxes"), CHECKBOX_CASES, ids=CHECKBOX_IDS)
def test_checkboxes(text: str, checkboxes: tuple[Checkbox, ...]) -> None:
    note = _parse(text)
    assert note.checkboxes == checkboxes
    assert [box.is_checked for box in note.checkboxes] == [box.status != " " for box in checkboxes]


def test_paragraphs_text_and_line() -> None:
    note = _parse("---\na: 1\n---\nUn\ndeux\n\n> trois\n\n```\ncode\n```\n\nquatre\n")
    assert note.paragraphs == (Paragraph("Un\ndeux", 4), Paragraph("trois", 7), Paragraph("quatre", 13))


def test_word_count_small_exact_example() -> None:
    note = _parse("---\ntitre: Un deux trois\n---\n# Mon titre\n\nLe chat dort sur le canapé.\n")
    assert note.word_count == 8


def test_empty_body_has_nothing() -> None:
    note = _parse("---\ntitre: T\n---\n\n\n")
    assert (note.paragraphs, note.headings, note.links, note.word_count) == ((), (), (), 0)


# -- rule 47: names ------------------------------------------------------------------------------------------


def test_title_and_first_heading_do_not_name_the_note() -> None:
    note = parse_note("Réunions/Compte rendu.md", "---\ntitle: Autre nom\n---\n# Encore un autre\n")
    assert (note.id, note.name) == ("Réunions/Compte rendu", "Compte rendu")


# -- dates -------------------------------------------------------------------------------------------------

DATE_CASES: list[tuple[str, datetime | None]] = [
    ("2024-02-22T20:47", datetime(2024, 2, 22, 20, 47)),
    ("2024-02-22", datetime(2024, 2, 22)),
    ("2024-02-22 20:47:10", datetime(2024, 2, 22, 20, 47, 10)),
    ("22/02/2024", datetime(2024, 2, 22)),
    ("  2024-02-22  ", datetime(2024, 2, 22)),
    ("demain", None),
    ("", None),
    ("31/02/2024", None),
    ("2024-13-01", None),
]
DATE_IDS = [
    "iso-minutes",
    "iso-date",
    "space-seconds",
    "french-dmy",
    "padded",
    "word",
    "empty",
    "feb-31",
    "month-13",
]


@pytest.mark.parametrize(("text", "expected"), DATE_CASES, ids=DATE_IDS)
def test_parse_date(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


PROPERTY_DATE_CASES: list[tuple[str, datetime | None, datetime | None]] = [
    ("created: 2024-02-22T20:47\nupdated: 2024-03-01", datetime(2024, 2, 22, 20, 47), datetime(2024, 3, 1)),
    ("created: 2024-02-22 20:47:10", datetime(2024, 2, 22, 20, 47, 10), None),
    ('created: "22/02/2024"\nupdated: 22/02/2024', datetime(2024, 2, 22), datetime(2024, 2, 22)),
    ("created: pas une date\nupdated: 2024-99-99", None, None),
    ("created: 20240222", None, None),
]
PROPERTY_DATE_IDS = ["iso-minutes-and-date", "yaml-timestamp", "french-dmy", "invalid", "number"]


@pytest.mark.parametrize(("props", "created", "updated"), PROPERTY_DATE_CASES, ids=PROPERTY_DATE_IDS)
def test_created_updated_from_properties(
    props: str, created: datetime | None, updated: datetime | None
) -> None:
    note = _parse(f"---\n{props}\n---\nCorps\n")
    assert (note.created, note.updated) == (created, updated)


MTIME_NS = 1_700_000_000 * 1_000_000_000  # 2023-11-14 22:13:20 UTC
MTIME = datetime(2023, 11, 14, 22, 13, 20)

LAST_ACTIVITY_CASES: list[tuple[str, datetime | None, datetime | None]] = [
    ("Pas de propriétés\n", MTIME, MTIME),
    ("---\ncreated: 2024-02-22\n---\n", MTIME, datetime(2024, 2, 22)),
    ("---\ncreated: 2024-02-22\nupdated: 2024-03-01T08:00\n---\n", MTIME, datetime(2024, 3, 1, 8, 0)),
    ("---\ncreated: invalide\n---\n", MTIME, MTIME),
]
LAST_ACTIVITY_IDS = ["mtime-only", "created", "updated-wins", "invalid-falls-back"]


@pytest.mark.parametrize(("text", "mtime", "last"), LAST_ACTIVITY_CASES, ids=LAST_ACTIVITY_IDS)
def test_last_activity_falls_back_to_mtime(text: str, mtime: datetime | None, last: datetime | None) -> None:
    note = parse_note("Note.md", text, mtime_ns=MTIME_NS)
    assert (note.mtime, note.last_activity) == (mtime, last)


def test_no_mtime_no_dates() -> None:
    note = parse_note("Note.md", "Texte\n")
    assert (note.mtime, note.created, note.updated, note.last_activity) == (None, None, None, None)


# -- Dataview inline fields and the French header form --------------------------------------------------

FIELD_CASES: list[tuple[str, tuple[InlineField, ...]]] = [
    ("Statut:: en cours\n", (InlineField("Statut", "en cours", 1),)),
    (
        "Intro.\n\nNote de lecture [note:: 4] et (auteur:: Marie Curie).\n",
        (InlineField("note", "4", 3), InlineField("auteur", "Marie Curie", 3)),
    ),
    ("Texte avant [priorité:: haute]\n", (InlineField("priorité", "haute", 1),)),
    (
        "Lien : [[Idée]]\nTags : #journal\n",
        (InlineField("Lien", "[[Idée]]", 1), InlineField("Tags", "#journal", 2)),
    ),
    (
        "---\ntitre: T\n---\nLien : [[Idée]]\nTexte libre ici.\nAutre : pas lue\n",
        (InlineField("Lien", "[[Idée]]", 4),),
    ),
    ("Premier paragraphe.\n\nSujet : pas un en-tête\n", ()),
    ("```\nStatut:: code\n```\n`x:: y`\n", ()),
]
FIELD_IDS = [
    "dataview-line",
    "dataview-bracket-and-paren",
    "dataview-bracket-only",
    "french-header",
    "header-stops-at-first-other-line",
    "header-not-in-later-paragraph",
    "not-in-code",
]


@pytest.mark.parametrize(("text", "fields"), FIELD_CASES, ids=FIELD_IDS)
def test_inline_fields(text: str, fields: tuple[InlineField, ...]) -> None:
    assert _parse(text).inline_fields == fields


def test_french_header_links_and_tags_are_indexed() -> None:
    note = _parse("Lien : [[1 - Input/2024-02-19]]\nTags : #journal\n\nTexte.\n")
    assert (rows(note), note.tags) == ([wl("1 - Input/2024-02-19")], ("journal",))


# -- encoding and bad input (FAULTS B1–B13) ------------------------------------------------------------

RICH_NOTE = (
    "---\n"
    "titre: Réunion d’équipe\n"
    "tags: [réunion, Projet/Alpha]\n"
    "aliases: [CR équipe]\n"
    'source: "[[Compte rendu]]"\n'
    "created: 2024-02-22T20:47\n"
    "---\n"
    "# Ordre du jour #été\n"
    "\n"
    "Lien : [[1 - Input/2024-02-19]]\n"
    "Présents : Marie, Paul\n"
    "\n"
    "- [ ] envoyer le [compte rendu](Compte%20rendu.md#Décisions)\n"
    "- [x] réserver la salle ^tache-1\n"
    "\n"
    "```\n"
    "#pas [[code]]\n"
    "```\n"
    "Statut:: fini\n"
    "![[plan.png|200]]\n"
)


def test_rich_note_sanity() -> None:
    """The note used by the encoding tests parses to what the rules say."""
    note = _parse(RICH_NOTE)
    assert (note.frontmatter, note.tags, note.aliases, note.warnings) == (
        MAPPING,
        ("projet/alpha", "réunion", "été"),
        ("CR équipe",),
        (),
    )
    assert rows(note) == [
        fm("Compte rendu", "source"),
        wl("1 - Input/2024-02-19"),
        md("Compte rendu.md", "Décisions"),
        emb("plan.png", None, "200"),
    ]
    assert note.block_ids == ("tache-1",)
    assert note.created == datetime(2024, 2, 22, 20, 47)


def test_utf8_bom_is_ignored() -> None:
    plain = _parse(RICH_NOTE)
    with_bom = _parse(b"\xef\xbb\xbf" + RICH_NOTE.encode())
    assert with_bom == plain
    assert with_bom.frontmatter_keys == ("titre", "tags", "aliases", "source", "created")


def test_utf8_bom_minimal_fault_case() -> None:
    note = _parse(b"\xef\xbb\xbf---\ntitle: T\ntags: [a]\n---\nBody [[X]]")
    assert (note.frontmatter, note.properties[0].value, note.tags, rows(note)) == (
        MAPPING,
        "T",
        ("a",),
        [wl("X")],
    )


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "lone-cr"])
def test_crlf_and_cr_read_like_lf(newline: str) -> None:
    lf = _parse(RICH_NOTE.encode())
    other = _parse(RICH_NOTE.replace("\n", newline).encode())
    assert other == lf


def test_decode_note_normalises_newlines_bom_and_nfc() -> None:
    text, warnings = decode_note(b"\xef\xbb\xbfa\r\nb\rCafe\xcc\x81")
    assert (text, warnings) == ("a\nb\nCafé", [])


def test_latin1_bytes_one_warning_links_kept() -> None:
    note = _parse(b"---\ntitle: caf\xe9\n---\n[[Link]]")
    assert len(note.warnings) == 1
    assert "0xe9" in note.warnings[0]
    assert "offset 14" in note.warnings[0]
    assert (note.frontmatter, rows(note)) == (MAPPING, [wl("Link")])


def test_utf16_with_bom_decoded_with_one_warning() -> None:
    note = _parse(RICH_NOTE.encode("utf-16"))
    assert len(note.warnings) == 1
    assert replace(note, warnings=()) == _parse(RICH_NOTE)


def test_png_bytes_raise_note_error() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    with pytest.raises(NoteError, match="binary"):
        _parse(png)


def test_nul_bytes_in_valid_utf8_parsed_with_one_warning() -> None:
    note = _parse(b"Texte\x00 avec [[Lien]] #tag\x00\n")
    assert (len(note.warnings), rows(note), note.tags) == (1, [wl("Lien")], ("tag",))
    assert "offset 5" in note.warnings[0]
    assert note.paragraphs == (Paragraph("Texte avec [[Lien]] #tag", 1),)


def test_json_looking_first_line_is_body() -> None:
    """B11: a note opening with `{` keeps its whole text as body; nothing is read as properties."""
    note = _parse('{\n  "titre": "pas des propriétés"\n}\nSuite [[Lien]] #tag\n')
    assert (note.frontmatter, note.properties, rows(note), note.tags, note.warnings) == (
        ABSENT,
        (),
        [wl("Lien")],
        ("tag",),
        (),
    )
    assert note.paragraphs == (Paragraph('{\n  "titre": "pas des propriétés"\n}\nSuite [[Lien]] #tag', 1),)


def test_empty_file() -> None:
    note = _parse(b"")
    assert (note.frontmatter, note.properties, note.links, note.paragraphs, note.warnings) == (
        ABSENT,
        (),
        (),
        (),
        (),
    )


INVALID_YAML_CASES: list[tuple[str, int]] = [
    ("---\ntitre: Réunion\nsujet: [oops\n---\nCorps [[Lien]]\n", 3),
    ("---\ntitre: Réunion\n\tauteur: Marie\n---\nCorps [[Lien]]\n", 3),
    ("---\ntitre: Réunion\ntitle: Re: meeting: notes\n---\nCorps [[Lien]]\n", 3),
]
INVALID_YAML_IDS = ["unclosed-bracket", "tab-indented-key", "colons-in-plain-value"]


@pytest.mark.parametrize(("text", "line"), INVALID_YAML_CASES, ids=INVALID_YAML_IDS)
def test_invalid_yaml_one_warning_with_file_line(text: str, line: int) -> None:
    note = _parse(text)
    assert (note.frontmatter, note.properties, rows(note)) == (UNUSABLE, (), [wl("Lien")])
    assert len(note.warnings) == 1
    assert "not valid YAML" in note.warnings[0]
    assert f"line {line}" in note.warnings[0]


ALIAS_BOMB = (
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
    "---\n"
    "Corps [[Lien]]\n"
)


def test_yaml_alias_bomb_rejected_with_small_memory() -> None:
    _parse("---\nwarm: up\n---\n[[x]] #y\n")  # build the parsers before measuring
    tracemalloc.start()
    try:
        note = _parse(ALIAS_BOMB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024
    assert (note.frontmatter, note.properties, rows(note)) == (UNUSABLE, (), [wl("Lien")])
    assert len(note.warnings) == 1
    assert "aliases" in note.warnings[0]


def test_unsafe_yaml_tag_is_not_executed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    note = _parse('---\nx: !!python/object/apply:os.system ["touch pwned"]\n---\nCorps [[Lien]]\n')
    assert (note.frontmatter, note.properties, rows(note)) == (UNUSABLE, (), [wl("Lien")])
    assert len(note.warnings) == 1
    assert os.listdir(tmp_path) == []


def test_yaml_11_surprises_keep_core_schema_values() -> None:
    note = _parse(
        "---\nnorway: NO\nzip: 012345\nversion: 1.10\nday: 2024-02-22\ncreated: 2024-02-22T20:47\n"
        "oui: yes\nvide: ~\nvrai: true\n---\n"
    )
    values: dict[str, JsonValue] = {p.key: p.value for p in note.properties}
    assert values == {
        "norway": "NO",
        "zip": "012345",
        "version": 1.1,
        "day": "2024-02-22",
        "created": "2024-02-22T20:47",
        "oui": "yes",
        "vide": None,
        "vrai": True,
    }
    assert note.warnings == ()


def test_duplicate_keys_last_wins_one_warning() -> None:
    note = _parse("---\ntags: a\ntitre: T\ntags: b\n---\n")
    assert (note.prop("tags"), note.tags, note.frontmatter_keys) == ("b", ("b",), ("tags", "titre"))
    assert len(note.warnings) == 1
    assert "tags" in note.warnings[0]


def test_markdown_link_display_text_and_own_line() -> None:
    note = _parse("Début\nsuite [le `guide` complet](Guide.md#Intro) et\n![schéma](a.png) fin\n")
    assert [(link.target, link.display, link.line) for link in note.links] == [
        ("Guide.md", "le guide complet", 2),
        ("a.png", "schéma", 3),
    ]
