"""parse_note(rel, data) -> Note: properties, tags, links, dates and prose of one note.

Pure: it takes the file's bytes and returns a Note; it never touches the disk.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tlvault.errors import NoteError
from tlvault.model import Checkbox, Heading, InlineField, JsonValue, Link, LinkKind, Note, Paragraph, Property
from tlvault.ofm import make_parser, split_wikilink
from tlvault.properties import split_frontmatter
from tlvault.words import count_words

CREATED_KEYS = ("created", "date created", "created_at", "creation date", "date")
UPDATED_KEYS = ("updated", "modified", "date modified", "updated_at", "last modified", "last_modified")

_BINARY_PROBE = 8192
_BINARY_SIGNATURES = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF-",
    b"PK\x03\x04",
    b"\x7fELF",
    b"\x1f\x8b",
)
_URL_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*:")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_BLOCK_ID = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)[ \t]*$")
_CHECKBOX = re.compile(r"\[(.)\](?:[ \t]+|$)")
_DATAVIEW_LINE = re.compile(
    r"^[ \t]*(?:\*\*|__)?(?P<key>[^\s:`\[\]()>#*_][^:\n`\[\]()*]*?)(?:\*\*|__)?::[ \t]*(?P<value>.*?)[ \t]*$",
    re.M,
)
_DATAVIEW_INLINE = re.compile(r"[\[(](?P<key>[^:\[\]()\n`]+?)::[ \t]*(?P<value>[^\])\n]*)[\])]")
# The French header form at the top of a note: `Lien : [[…]]`, `Tags : #journal`.
_HEADER_FIELD = re.compile(
    r"^(?P<key>[^\W\d_][\w'’-]*(?:[ ][\w'’-]+){0,2})[ \t\u00a0\u202f]*:[ \t\u00a0\u202f]+(?P<value>\S.*?)\s*$"
)
_WIKILINK_VALUE = re.compile(r"\[\[([^\[\]\n]*(?:\][^\[\]\n]+)*)\]\]")


def parse_note(rel: str, data: bytes | str, mtime_ns: int | None = None) -> Note:
    """The Note that Obsidian would index for the file `rel` holding `data`.

    Raises NoteError when the bytes are not a text note (binary content).
    """
    text, warnings = decode_note(data)
    front = split_frontmatter(text)
    if front.problem:
        warnings.append(front.problem)
    body = _read_body(front.body, front.body_line)
    properties = front.properties
    links = (*_property_links(properties, front.block), *body.links)
    note = Note(
        rel=rel,
        frontmatter=front.status,
        properties=properties,
        tags=tuple(sorted({*_property_tags(properties), *body.tags})),
        aliases=_property_aliases(properties),
        links=links,
        headings=tuple(body.headings),
        block_ids=tuple(body.block_ids),
        inline_fields=tuple(body.fields),
        checkboxes=tuple(body.checkboxes),
        paragraphs=tuple(body.paragraphs),
        word_count=body.word_count,
        created=_property_date(properties, CREATED_KEYS),
        updated=_property_date(properties, UPDATED_KEYS),
        mtime=None if mtime_ns is None else note_mtime(mtime_ns),
        warnings=tuple(warnings),
    )
    return replace(note, words=count_words(note))


def decode_note(data: bytes | str) -> tuple[str, list[str]]:
    """The note's text (NFC, LF line ends, no BOM) and what was wrong with its encoding."""
    warnings: list[str] = []
    if isinstance(data, bytes):
        data = _decode_bytes(data, warnings)
    text = data.removeprefix("\ufeff")
    if "\r" in text:  # CRLF and lone CR read as LF (Obsidian does the same)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text, warnings


def _decode_bytes(data: bytes, warnings: list[str]) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        warnings.append("encoded as UTF-16; read it, but Obsidian expects UTF-8")
        return data.decode("utf-16", errors="replace")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if data.startswith(_BINARY_SIGNATURES) or b"\x00" in data[:_BINARY_PROBE]:
            raise NoteError(
                "binary content (an image, PDF or archive named .md), not a Markdown note"
            ) from None
        warnings.append(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "read with replacement characters"
        )
        return data.decode("utf-8", errors="replace")
    if "\x00" in text:  # seen in real vaults: padding or pasted bytes inside a text note
        warnings.append(f"contains NUL bytes (first at offset {data.index(0)}); ignored them")
        text = text.replace("\x00", "")
    return text


def note_mtime(mtime_ns: int) -> datetime:
    """A file's st_mtime_ns as the naive UTC datetime notes carry."""
    return datetime.fromtimestamp(mtime_ns / 1e9, UTC).replace(tzinfo=None)


# -- properties --------------------------------------------------------------------------


def _first_value(properties: Sequence[Property], names: Sequence[str]) -> JsonValue:
    wanted = {name: rank for rank, name in enumerate(names)}
    best: tuple[int, JsonValue] | None = None
    for prop in properties:
        rank = wanted.get(prop.key.lower())
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, prop.value)
    return None if best is None else best[1]


def _property_tags(properties: Sequence[Property]) -> list[str]:
    """Tags of the `tags` property (rules 10–13): strings only, `#` optional, no spaces."""
    value = _first_value(properties, ("tags",))
    items = value if isinstance(value, list) else [value]
    tags = []
    for item in items:
        if isinstance(item, str):
            tag = item.strip().removeprefix("#")
            if tag and not any(ch.isspace() for ch in tag):
                tags.append(tag.lower())
    return tags


def _property_aliases(properties: Sequence[Property]) -> tuple[str, ...]:
    """Aliases of the `aliases` property (rule 14): a list of strings, or one string."""
    value = _first_value(properties, ("aliases",))
    items = value if isinstance(value, list) else [value]
    return tuple(item for item in items if isinstance(item, str) and item.strip())


def _property_links(properties: Sequence[Property], block: str) -> list[Link]:
    """Quoted `"[[…]]"` values and list items (rule 42); other values hold no links (rule 8)."""
    links = []
    for prop in properties:
        values = prop.value if isinstance(prop.value, list) else [prop.value]
        for value in values:
            if isinstance(value, str) and (match := _WIKILINK_VALUE.fullmatch(value.strip())):
                parts = split_wikilink(match.group(1))
                links.append(
                    Link(
                        target=parts.target,
                        kind=LinkKind.FRONTMATTER,
                        subpath=parts.subpath,
                        display=parts.display,
                        key=prop.key,
                        line=_key_line(block, prop.key),
                    )
                )
    return links


def _key_line(block: str, key: str) -> int:
    """The file line of top-level property `key` (the block starts on line 1)."""
    match = re.search(rf"^['\"]?{re.escape(key)}['\"]?[ \t]*:", block, re.M)
    return block.count("\n", 0, match.start()) + 1 if match else 1


def _property_date(properties: Sequence[Property], names: Sequence[str]) -> datetime | None:
    value = _first_value(properties, names)
    return parse_date(value) if isinstance(value, str) else None


def parse_date(value: str) -> datetime | None:
    """A lenient date: ISO with or without seconds or time (`2024-02-22T20:47`), or `22/02/2024`."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for layout in ("%d/%m/%Y", "%Y/%m/%d", "%d/%m/%Y %H:%M"):
            try:
                parsed = datetime.strptime(text, layout)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is not None:  # keep the wall-clock time the user wrote
        parsed = parsed.replace(tzinfo=None)
    return parsed


# -- body --------------------------------------------------------------------------------


class _Body:
    """What the token stream of a note's body yields."""

    def __init__(self) -> None:
        self.tags: set[str] = set()
        self.links: list[Link] = []
        self.headings: list[Heading] = []
        self.block_ids: list[str] = []
        self.fields: list[InlineField] = []
        self.checkboxes: list[Checkbox] = []
        self.paragraphs: list[Paragraph] = []
        self.word_count = 0


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    """One parser per process: building it costs more than parsing a typical note."""
    return make_parser()


def _read_body(body: str, first_line: int) -> _Body:
    out = _Body()
    if not body.strip():
        return out
    tokens = _markdown().parse(body)
    offset = first_line  # token.map lines are 0-based within the body
    item_starts = False  # the next inline block opens a list item (a checkbox may start it)
    heading_level = 0
    seen_prose = False  # header fields are only read from the first paragraph
    for token in tokens:
        kind = token.type
        if kind == "inline":
            line = token.map[0] + offset if token.map else offset
            _read_block(out, token, line, heading_level, item_starts)
            if not heading_level and not seen_prose:
                _read_header_fields(out, token.content, line)
            seen_prose = seen_prose or not heading_level
            heading_level = 0
            item_starts = False
        elif kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind == "list_item_open":
            item_starts = True
        elif kind != "paragraph_open":
            item_starts = False
            if kind in ("fence", "code_block", "html_block", "hr", "table_open"):
                seen_prose = True
    return out


def _read_block(out: _Body, token: Token, line: int, heading_level: int, item_starts: bool) -> None:
    content = token.content
    paragraph = len(out.paragraphs)
    out.paragraphs.append(Paragraph(content, line))
    box = _CHECKBOX.match(content) if item_starts else None
    out.word_count += len(_WORD.findall(content[box.end() :] if box else content))  # `[x]` is no word
    if heading_level:
        out.headings.append(Heading(heading_level, content, line))
    if box:
        out.checkboxes.append(Checkbox(box.group(1), content[box.end() :].strip(), line))
    if "^" in content and (block_id := _BLOCK_ID.search(content)):
        out.block_ids.append(block_id.group(1))
    if "::" in content:
        _read_dataview_fields(out, content, line)
    if token.children:
        _read_inline(out, token.children, content, line, paragraph)


def _read_inline(out: _Body, children: list[Token], content: str, line: int, paragraph: int) -> None:
    """Tags and links of one block, each link with its own line and display text."""
    breaks = 0  # line breaks passed so far: the line of a Markdown link
    open_link: int | None = None  # index in out.links of the Markdown link being read
    display: list[str] = []
    for child in children:
        kind = child.type
        if kind in ("softbreak", "hardbreak"):
            breaks += 1
        elif kind == "ofm_tag":
            out.tags.add(child.content.lower())
        elif kind in ("ofm_wikilink", "ofm_embed"):
            link_line = line + content.count("\n", 0, child.meta["pos"])
            out.links.append(_wikilink(child.content, kind == "ofm_embed", link_line, paragraph))
        elif kind in ("link_open", "image"):
            link = _markdown_link(child, line + breaks, paragraph)
            if link is not None:
                out.links.append(link)
                open_link, display = (len(out.links) - 1, []) if kind == "link_open" else (None, [])
        elif open_link is not None and kind in ("text", "code_inline"):
            display.append(child.content)
        elif open_link is not None and kind == "link_close":
            out.links[open_link] = replace(out.links[open_link], display="".join(display))
            open_link = None


def _wikilink(inner: str, is_embed: bool, line: int, paragraph: int) -> Link:
    parts = split_wikilink(inner)
    return Link(
        target=parts.target,
        kind=LinkKind.EMBED if is_embed else LinkKind.WIKILINK,
        subpath=parts.subpath,
        display=parts.display,
        via=LinkKind.WIKILINK if is_embed else None,
        line=line,
        paragraph=paragraph,
    )


def _markdown_link(token: Token, line: int, paragraph: int) -> Link | None:
    """A `[text](dest)` or `![alt](dest)` into the vault (rules 36–40), else None."""
    is_image = token.type == "image"
    destination = token.attrGet("src" if is_image else "href")
    if not isinstance(destination, str) or not destination or _URL_SCHEME.match(destination):
        return None  # external (rule 36) or empty
    # markdown-it percent-encodes destinations; Obsidian reads them decoded (rule 37).
    path, hash_, subpath = destination.partition("#")
    return Link(
        target=unquote(path),
        kind=LinkKind.EMBED if is_image else LinkKind.MARKDOWN,
        subpath=unquote(subpath) if hash_ else None,
        display=token.content if is_image else None,
        via=LinkKind.MARKDOWN if is_image else None,
        line=line,
        paragraph=paragraph,
    )


def _read_dataview_fields(out: _Body, content: str, line: int) -> None:
    for match in _DATAVIEW_LINE.finditer(content):
        field_line = line + content.count("\n", 0, match.start())
        out.fields.append(InlineField(match["key"].strip(), match["value"], field_line))
    for match in _DATAVIEW_INLINE.finditer(content):
        field_line = line + content.count("\n", 0, match.start())
        out.fields.append(InlineField(match["key"].strip(), match["value"].strip(), field_line))


def _read_header_fields(out: _Body, content: str, line: int) -> None:
    """`Clé : valeur` lines opening the note's first paragraph, until one does not match."""
    for number, text in enumerate(content.split("\n")):
        match = _HEADER_FIELD.match(text)
        if match is None or "::" in text:
            return
        out.fields.append(InlineField(match["key"], match["value"], line + number))
