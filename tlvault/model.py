"""The plain frozen dataclasses that pipeline stages pass to each other; no I/O, no logic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, NewType, TypeAlias

NoteId = NewType("NoteId", str)  # vault-relative, "/"-separated, no ".md": "ideas/Deep work"

# A property value as YAML gives it, made JSON-safe (dates become ISO strings). Read-only.
JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None


STATE_REL = ".tlvault-state.json"  # the cluster state, hidden from Obsidian, in the output folder
STATE_FORMAT = "tlvault-state/1"


class _Compact:
    """Pickles as its field values only: notes cross process boundaries by the thousand."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[_Compact], tuple[object, ...]]:
        names: tuple[str, ...] = type(self).__slots__  # the dataclass fields, in order
        return type(self), tuple(getattr(self, name) for name in names)


class FrontmatterStatus(StrEnum):
    """What the properties block of a note yields (corpus rules 5–7)."""

    ABSENT = "absent"  # no block: line 1 is not exactly `---`, or no closing `---`
    MAPPING = "mapping"  # a YAML mapping: the note has properties
    EMPTY = "empty"  # `---` immediately followed by `---`
    UNUSABLE = "unusable"  # a block that yields no properties (invalid YAML, list, scalar)


class LinkKind(StrEnum):
    """How a link is written (corpus conventions)."""

    WIKILINK = "wikilink"  # [[target#subpath|display]]
    MARKDOWN = "markdown"  # [display](target#subpath)
    EMBED = "embed"  # ![[…]] or ![alt](…); `via` tells which
    FRONTMATTER = "frontmatter"  # a quoted "[[…]]" property value


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file of the vault as the scan found it."""

    # Absolute, spelled as on disk; a str because a Path per note costs a third of a scan.
    path: str
    rel: str  # vault-relative, NFC, "/"-separated, with extension: "ideas/Deep work.md"
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file tlvault did not read, and why (one warning line each)."""

    rel: str
    reason: str


@dataclass(frozen=True, slots=True)
class Vault:
    """The files Obsidian sees: notes to parse and every file a link may point at."""

    root: Path
    notes: tuple[SourceFile, ...]  # Markdown notes to parse, sorted by rel
    files: tuple[str, ...]  # every linkable file, notes included, sorted rels
    skipped: tuple[Skipped, ...]  # files skipped with a reason worth a warning
    previous: PreviousState | None = None  # what the last rebuild left (the state file)


@dataclass(frozen=True, slots=True)
class Link(_Compact):
    """One link occurrence in a note (a link written twice appears twice)."""

    target: str  # path part as written ("" for a link to the note itself)
    kind: LinkKind = LinkKind.WIKILINK
    subpath: str | None = None  # after the first "#": "Heading", "H#Sub", "^block"
    display: str | None = None  # text after the first "|", or a Markdown link's text
    via: LinkKind | None = None  # embeds only: WIKILINK or MARKDOWN
    key: str | None = None  # frontmatter links only: the top-level property name
    line: int = 0  # 1-based line in the file
    paragraph: int | None = None  # index into Note.paragraphs; None for property links

    @property
    def is_embed(self) -> bool:
        """Whether the link embeds its target (`![[…]]`, `![alt](…)`)."""
        return self.kind is LinkKind.EMBED


@dataclass(frozen=True, slots=True)
class Property(_Compact):
    """One top-level property of the frontmatter, in file order."""

    key: str
    value: JsonValue


@dataclass(frozen=True, slots=True)
class Heading(_Compact):
    """A heading: level 1–6 and its raw text."""

    level: int
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Checkbox(_Compact):
    """A task list item: `- [ ] text` (status " ") or `- [x] text`."""

    status: str  # the character between the brackets
    text: str
    line: int

    @property
    def is_checked(self) -> bool:
        """Whether the box is ticked (any status but a space)."""
        return self.status != " "


@dataclass(frozen=True, slots=True)
class InlineField(_Compact):
    """A Dataview field `key:: value`, or a header line `Clé : valeur` at the top of a note."""

    key: str
    value: str
    line: int


@dataclass(frozen=True, slots=True)
class Paragraph(_Compact):
    """The source text of one prose block (paragraph, list item, heading, table cell)."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class WordCounts(_Compact):
    """A note's distinct words as the lexicon reads them, each with how often it occurs; counted
    once when the note is parsed (in the parse workers, and kept in the cache)."""

    words: str = ""  # distinct lower-cased words, "\n"-separated, in order of first use
    counts: bytes = b""  # each word's occurrences, unsigned 32-bit integers in native byte order


@dataclass(frozen=True, slots=True)
class Note(_Compact):
    """Everything tlvault reads from one Markdown note."""

    rel: str  # "ideas/Deep work.md"
    frontmatter: FrontmatterStatus
    properties: tuple[Property, ...]
    tags: tuple[str, ...]  # without "#", lower-cased, unique, sorted by code point
    aliases: tuple[str, ...]
    links: tuple[Link, ...]  # property links first, then body links in order of appearance
    headings: tuple[Heading, ...] = ()
    block_ids: tuple[str, ...] = ()
    inline_fields: tuple[InlineField, ...] = ()
    checkboxes: tuple[Checkbox, ...] = ()
    paragraphs: tuple[Paragraph, ...] = ()
    word_count: int = 0
    created: datetime | None = None  # from a property such as `created`
    updated: datetime | None = None  # from a property such as `updated`
    mtime: datetime | None = None  # the file's modification time, UTC
    warnings: tuple[str, ...] = ()  # problems worth a warning; the note is still used
    words: WordCounts = WordCounts()  # the words that describe it (name, headings, prose)

    @property
    def id(self) -> NoteId:
        """The note's path without `.md`: how a full-path wikilink names it."""
        return NoteId(self.rel[:-3] if self.rel.lower().endswith(".md") else self.rel)

    @property
    def name(self) -> str:
        """The file name without `.md`: what a bare `[[link]]` uses (rule 47)."""
        return self.id.rsplit("/", 1)[-1]

    @property
    def title(self) -> str:
        """A `title` property when it is text, else the file name."""
        value = self.prop("title")
        return value.strip() if isinstance(value, str) and value.strip() else self.name

    @property
    def frontmatter_keys(self) -> tuple[str, ...]:
        """Top-level property names, in file order."""
        return tuple(p.key for p in self.properties)

    @property
    def last_activity(self) -> datetime | None:
        """The `updated` property, else `created`, else the file's mtime."""
        return self.updated or self.created or self.mtime

    def prop(self, key: str) -> JsonValue:
        """The value of property `key` (exact name), or None."""
        for prop in self.properties:
            if prop.key == key:
                return prop.value
        return None


@dataclass(frozen=True, slots=True)
class Resolved:
    """Where every link of every note leads: a vault-relative file, or None (a ghost)."""

    targets: Mapping[str, tuple[str | None, ...]]  # note rel -> one entry per Note.links item

    def of(self, note: Note) -> tuple[str | None, ...]:
        """The resolved files of `note`'s links, aligned with `note.links`."""
        return self.targets.get(note.rel, ())


@dataclass(frozen=True)
class PreviousCluster:
    """A cluster as the previous run left it (the state file in the output folder)."""

    id: str
    name: str
    members: tuple[str, ...]
    file: str | None = None  # its note, relative to the output folder


@dataclass(frozen=True)
class PreviousState:
    """The state file of the last rebuild: its clusters and the fingerprints of what it wrote."""

    clusters: tuple[PreviousCluster, ...] = ()
    files: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # rel in output folder -> record
    history: Mapping[str, Any] = field(default_factory=dict)  # what the dashboard remembers
