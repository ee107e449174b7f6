"""Managed regions of generated notes: split, fingerprint and merge them; pure text, no I/O.

A generated note is its properties block, then regions between `%% tlvault:begin NAME %%` and
`%% tlvault:end NAME %%` lines (tlvault's), and text around them (the user's). Regeneration
replaces the properties and the regions and keeps the user's text byte for byte. A checkbox
line ending with a `^tlv-…` key keeps the tick the user gave it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

PROPERTIES = "properties"  # the name under which the properties block is fingerprinted
_MARKER = re.compile(r"^%% tlvault:(begin|end) ([\w.-]+) %%$")
_PROPERTIES = re.compile(r"---\r?\n(?:.*?\r?\n)??---(?:\r?\n|$)", re.S)
_TICK = re.compile(r"^(\s*[-*+] \[)(.)(\] .*\^(tlv-[0-9a-f]+))[ \t]*$")


def begin(name: str) -> str:
    """The line that opens region `name`."""
    return f"%% tlvault:begin {name} %%"


def end(name: str) -> str:
    """The line that closes region `name`."""
    return f"%% tlvault:end {name} %%"


def checkbox_key(*parts: str) -> str:
    """A stable block id for a generated checkbox: the same parts always give the same key."""
    return "tlv-" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:8]


@dataclass
class Note:
    """A generated note cut into its properties block, regions and the user's text between them."""

    properties: str = ""  # the whole `---` … `---` block with its line ends, or ""
    parts: list[tuple[str | None, str]] = field(default_factory=list)  # (region name or None, text)

    def regions(self) -> dict[str, str]:
        """Region name → content."""
        return {name: text for name, text in self.parts if name is not None}

    def free_text(self) -> str:
        """Everything the user owns: the text outside the regions, concatenated."""
        return "".join(text for name, text in self.parts if name is None)


class MarkerError(ValueError):
    """The region markers of a file are broken: the file must not be rewritten."""


def split(text: str) -> Note:
    """Cut `text` into properties, regions and free text; raises MarkerError on broken markers."""
    note = Note()
    block = _PROPERTIES.match(text)
    if block:  # LF or CRLF, as a sync tool may have rewritten it
        note.properties = block.group()
        text = text[block.end() :]
    current: str | None = None
    buffer: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines(keepends=True):
        match = _MARKER.match(line.rstrip("\r\n"))
        if match is None:
            buffer.append(line)
            continue
        kind, name = match.groups()
        current = _switch(note, kind, name, current, buffer, seen)
        buffer = []
    if current is not None:
        raise MarkerError(f"the region '{current}' has no end marker")
    note.parts.append((None, "".join(buffer)))
    return note


def _switch(
    note: Note, kind: str, name: str, current: str | None, buffer: list[str], seen: set[str]
) -> str | None:
    """Close the text read so far at a marker line; return the region now open (or None)."""
    if kind == "begin":
        if name in seen or name == current:
            raise MarkerError(f"the region '{name}' begins twice")
        if current is not None:
            raise MarkerError(f"the region '{current}' is not closed before '{name}' begins")
        seen.add(name)
        note.parts.append((None, "".join(buffer)))
        return name
    if current != name:
        raise MarkerError(f"an end marker for '{name}' has no matching begin marker")
    note.parts.append((name, "".join(buffer)))
    return None


def split_properties(text: str) -> str:
    """The properties block at the top of `text` (with its `---` lines), or ""."""
    block = _PROPERTIES.match(text)
    return block.group() if block else ""


def fingerprint(text: str) -> str:
    """A hash of a region's text, blind to the ticks of generated checkboxes."""
    untouched = "".join(_untick(line) for line in text.splitlines(keepends=True))
    return hashlib.sha256(untouched.encode("utf-8")).hexdigest()[:16]


def fingerprints(note: Note) -> dict[str, str]:
    """The fingerprint of the properties block and of each region."""
    return {
        PROPERTIES: fingerprint(note.properties),
        **{n: fingerprint(t) for n, t in note.regions().items()},
    }


def _untick(line: str) -> str:
    match = _TICK.match(line.rstrip("\r\n"))
    if match is None:
        return line
    return f"{match[1]} {match[3]}" + line[len(line.rstrip("\r\n")) :]


def ticks(note: Note) -> dict[str, str]:
    """Checkbox key → the status the user gave it (only boxes that are not blank)."""
    found = {}
    for content in note.regions().values():
        for line in content.splitlines():
            match = _TICK.match(line)
            if match and match[2] != " ":
                found[match[4]] = match[2]
    return found


def _retick(text: str, marks: dict[str, str]) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        match = _TICK.match(line.rstrip("\r\n"))
        if match and match[4] in marks:
            line = f"{match[1]}{marks[match[4]]}{match[3]}" + line[len(line.rstrip("\r\n")) :]
        out.append(line)
    return "".join(out)


def merge(existing: Note, fresh: Note) -> str:
    """`fresh`'s properties and regions with `existing`'s free text and ticks, in `existing`'s order.

    A region `existing` has and `fresh` lacks is dropped; one only `fresh` has is appended.
    """
    marks = ticks(existing)
    regions = {name: _retick(text, marks) for name, text in fresh.regions().items()}
    out = [fresh.properties]
    for name, text in existing.parts:
        if name is None:
            out.append(text)
        elif name in regions:
            out.append(_region(name, regions.pop(name)))
    for name, text in regions.items():
        if out[-1] and not out[-1].endswith("\n"):  # the user's last line had no line end
            out.append("\n")
        out.append(_region(name, text))
    return "".join(out)


def _region(name: str, text: str) -> str:
    """A region with its markers, each on its own line."""
    if text and not text.endswith("\n"):
        text += "\n"
    return f"{begin(name)}\n{text}{end(name)}\n"


def compose(properties: str, regions: dict[str, str], free: str = "") -> str:
    """A new generated note: properties, each region between its markers, then the free text."""
    return properties + "".join(_region(name, text) for name, text in regions.items()) + free
