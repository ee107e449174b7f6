"""Building blocks of generated notes: what they are rendered from, their names, links and sections.

Text only; nothing here touches the disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tlvault.i18n import text
from tlvault.model import Skipped
from tlvault.regions import compose
from tlvault.results import Insights, OutputNote, UnresolvedLink

if TYPE_CHECKING:
    from tlvault.dashboard import Dashboard

GENERATED = "tlvault: generated"  # the property that marks a file as tlvault's
LISTED = 50  # rows of a long list (members, unresolved targets) before "… and N more"


@dataclass(frozen=True)
class RenderInput:
    """Everything the generated notes show, as plain data."""

    insights: Insights
    output_folder: str
    user_names: frozenset[str]  # lower-cased names of the user's notes: generated names avoid them
    unresolved: tuple[UnresolvedLink, ...] = ()
    problems: tuple[Skipped, ...] = ()  # notes skipped or read with a problem
    notes_count: int = 0
    links_count: int = 0
    unresolved_count: int = 0
    min_size: int = 3
    cluster_files: Mapping[str, str] = field(default_factory=dict)  # id -> file the cluster had last time
    dashboard: Dashboard | None = None


@dataclass(frozen=True)
class OutputNames:
    """The vault-relative path (without extension) of every generated note, and of the canvas."""

    index: str
    health: str
    canvas: str  # with `.canvas`
    clusters: dict[str, str]  # cluster id -> path
    dashboard: str = ""
    base: str = ""  # with `.base`


def within(path: str, folder: str) -> str:
    """`path` relative to the output folder."""
    return path.removeprefix(folder + "/")


def note(
    data: RenderInput, path: str, kind: str, regions: dict[str, str], free: str = "", extra: str = ""
) -> OutputNote:
    properties = f"---\n{GENERATED}\ntlvault_kind: {kind}\n{extra}tags:\n  - tlvault\n---\n"
    rel = within(path, data.output_folder) + ".md"
    return OutputNote(rel, compose(properties, regions, free), marker=GENERATED, kind="markdown")


# -- links and escaping ------------------------------------------------------------------


def link(path: str, label: str | None = None, *, in_table: bool = False) -> str:
    """`[[path|label]]` for a vault path (with or without `.md`); `\\|` inside a table."""
    target = path.removesuffix(".md")
    name = label or target.rsplit("/", 1)[-1]
    bar = "\\|" if in_table else "|"
    return f"[[{target}]]" if target == name else f"[[{target}{bar}{name}]]"


def quote(paragraph: str, limit: int = 220) -> str:
    """A journal sentence as plain text: links become their text, tags cannot tag this note."""
    plain = re.sub(r"!?\[\[([^\]|]*)(?:\|([^\]]*))?\]\]", lambda m: m[2] or m[1], paragraph)
    plain = re.sub(r"^\[.\]\s+", "", plain)  # a checkbox item's box
    plain = re.sub(r"(^|\s)#(?=[^\s#])", r"\1\\#", " ".join(plain.split()))
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"


def more(language: str, total: int) -> list[str]:
    """`… and 12 more`, below a list cut at LISTED rows."""
    return ["", text(language, "list.more", count=total - LISTED)] if total > LISTED else []


def code(value: str) -> str:
    fence = "``" if "`" in value else "`"
    return f"{fence}{value}{fence}"


def join(items: Iterable[str]) -> str:
    return ", ".join(items)


def section(title: str, body: list[str]) -> list[str]:
    """A `##` section, or nothing when it would be empty."""
    return [f"## {title}", "", *body, ""] if body else []


def cluster_name(data: RenderInput, cluster_id: str) -> str:
    return next(s.cluster.name for s in data.insights.clusters if s.cluster.id == cluster_id)
