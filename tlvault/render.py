"""render_outputs(...) -> list[OutputNote]: the text of every generated file; never touches disk.

The index note ("Idées à cultiver"), one note per cluster, the vault health note and the idea
map canvas, in the vault's language; then the state file that remembers clusters and what was
written. Every wikilink points at a real file, except ghost ideas, which are listed as such.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tlvault.canvas import layout, render_canvas
from tlvault.i18n import decimal, reason, text
from tlvault.model import STATE_FORMAT, STATE_REL, Skipped
from tlvault.regions import checkbox_key, compose, fingerprint, fingerprints, split
from tlvault.results import Insights, OutputNote, ScoredCluster, UnresolvedLink

GENERATED = "tlvault: generated"  # the property that marks a file as tlvault's
TOP_CLUSTERS = 3  # clusters on the index note's first screen
MAP_CLUSTERS = 8  # clusters on the Mermaid map
LISTED = 50  # rows of a long list (members, unresolved targets) before "… and N more"
_UNSAFE = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f]+')
_MAX_NAME_BYTES = 200  # leaves room for a suffix and the extension under 255 bytes


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


@dataclass(frozen=True)
class OutputNames:
    """The vault-relative path (without extension) of every generated note, and of the canvas."""

    index: str
    health: str
    canvas: str  # with `.canvas`
    clusters: dict[str, str]  # cluster id -> path


def render_outputs(data: RenderInput) -> list[OutputNote]:
    """Every generated file: the index, the cluster notes, the health note and the canvas.

    The state file is rendered apart (`render_state`), once writing says what made it to disk.
    """
    names = output_names(data)
    insights = data.insights
    return [
        _note(data, names.index, "index", {"index": _index(data, names)}),
        *(_cluster_note(data, names, scored) for scored in insights.clusters),
        _note(data, names.health, "health", {"health": _health(data)}),
        OutputNote(
            _within(names.canvas, data.output_folder),
            render_canvas(
                insights,
                {cid: f"{path}.md" for cid, path in names.clusters.items()},
                text(insights.language, "canvas.caption", index=f"{names.index}.md"),
            ),
            marker='"tlv-',
            kind="canvas",
        ),
    ]


def output_names(data: RenderInput) -> OutputNames:
    """Sanitised, unique (ignoring case) names that never equal a user note's name."""
    taken = set(data.user_names)
    language = data.insights.language
    folder = data.output_folder

    def pick(name: str, subfolder: str = "") -> str:
        chosen = _unique(_safe(name), taken)
        taken.add(chosen.casefold())
        return f"{folder}/{subfolder}{chosen}"

    index = pick(text(language, "file.index"))
    health = pick(text(language, "file.health"))
    canvas = pick(text(language, "file.canvas")) + ".canvas"
    # A cluster keeps its file while the name is free; new clusters take names in id order, so that
    # a name never depends on the ranking.
    clusters: dict[str, str] = {}
    current = {scored.cluster.id for scored in data.insights.clusters}
    for cluster_id, file in sorted(data.cluster_files.items()):
        stem = file.removeprefix("clusters/").removesuffix(".md")
        if cluster_id not in current or stem != _safe(stem) or stem.casefold() in taken:
            continue
        taken.add(stem.casefold())
        clusters[cluster_id] = f"{folder}/clusters/{stem}"
    for scored in sorted(data.insights.clusters, key=lambda s: s.cluster.id):
        if scored.cluster.id not in clusters:
            clusters[scored.cluster.id] = pick(scored.cluster.name, "clusters/")
    return OutputNames(index, health, canvas, clusters)


def _safe(name: str) -> str:
    """A file name Obsidian and every file system accept: NFC, no `/:*?"<>|#^[]`, ≤ 200 bytes."""
    cleaned = " ".join(_UNSAFE.sub(" ", unicodedata.normalize("NFC", name)).split()).strip(" .")
    cleaned = cleaned or "Cluster"
    while len(cleaned.encode("utf-8")) > _MAX_NAME_BYTES:
        cleaned = cleaned[:-1].rstrip(" .")
    return cleaned


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{name} ({'tlvault' if number == 2 else number})"
    return candidate


def _within(path: str, folder: str) -> str:
    """`path` relative to the output folder."""
    return path.removeprefix(folder + "/")


def _note(
    data: RenderInput, path: str, kind: str, regions: dict[str, str], free: str = "", extra: str = ""
) -> OutputNote:
    properties = f"---\n{GENERATED}\ntlvault_kind: {kind}\n{extra}tags:\n  - tlvault\n---\n"
    rel = _within(path, data.output_folder) + ".md"
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


def _more(language: str, total: int) -> list[str]:
    """`… and 12 more`, below a list cut at LISTED rows."""
    return ["", text(language, "list.more", count=total - LISTED)] if total > LISTED else []


def _code(value: str) -> str:
    fence = "``" if "`" in value else "`"
    return f"{fence}{value}{fence}"


def _join(items: Iterable[str]) -> str:
    return ", ".join(items)


# -- index note --------------------------------------------------------------------------


def _index(data: RenderInput, names: OutputNames) -> str:
    language = data.insights.language
    lines = [f"# {text(language, 'index.title')}", ""]
    clusters = data.insights.clusters
    if not clusters:
        lines += [text(language, "index.empty", size=data.min_size), ""]
    else:
        lines += _first_screen(data, names)
        lines += _section(text(language, "index.ranking"), _ranking(data, names))
        lines += _section(text(language, "index.actions"), _index_actions(data, names))
    lines += _section(text(language, "index.ghosts"), _ghost_lines(data, names))
    lines += _section(text(language, "index.gaps"), _gap_lines(data))
    lines += _section(text(language, "index.orphans"), _orphan_lines(data))
    lines += _section(text(language, "index.map"), _mermaid(data, names))
    lines += [
        text(language, "index.canvas", canvas=link(names.canvas, text(language, "file.canvas"))),
        text(language, "index.health", health=link(names.health, text(language, "file.health"))),
    ]
    return "\n".join(lines) + "\n"


def _section(title: str, body: list[str]) -> list[str]:
    """A `##` section, or nothing when it would be empty."""
    return [f"## {title}", "", *body, ""] if body else []


def _first_screen(data: RenderInput, names: OutputNames) -> list[str]:
    language = data.insights.language
    lines = [f"> [!tip] {text(language, 'index.next')}"]
    for number, scored in enumerate(data.insights.clusters[:TOP_CLUSTERS], start=1):
        name = scored.cluster.name
        score = text(
            language,
            "index.score_line",
            score=scored.ripeness,
            band=text(language, f"band.{scored.band}"),
            format=text(language, f"format.{scored.format}"),
        )
        lines += [
            f"> {number}. **{link(names.clusters[scored.cluster.id], name)}** — {score}",
            f">    {scored.why}",
        ]
    return [*lines, ""]


def _ranking(data: RenderInput, names: OutputNames) -> list[str]:
    language = data.insights.language
    columns = text(language, "index.columns")
    rows = [f"| {columns} |", "| ---: | --- | ---: | --- | --- | --- | ---: |"]
    for number, scored in enumerate(data.insights.clusters, start=1):
        cells = [
            str(number),
            link(names.clusters[scored.cluster.id], scored.cluster.name, in_table=True),
            str(scored.ripeness),
            text(language, f"band.{scored.band}"),
            text(language, f"stage.{scored.stage}"),
            text(language, f"format.{scored.format}"),
            str(len(scored.cluster.notes)),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _index_actions(data: RenderInput, names: OutputNames) -> list[str]:
    lines = []
    for scored in data.insights.clusters:
        key = checkbox_key("index", scored.cluster.id, scored.next_action)
        cluster_link = link(names.clusters[scored.cluster.id], scored.cluster.name)
        colon = text(data.insights.language, "punct.colon")
        lines.append(f"- [ ] {cluster_link}{colon}{scored.next_action} ^{key}")
    return lines


def _ghost_lines(data: RenderInput, names: OutputNames) -> list[str]:
    language = data.insights.language
    lines = []
    for ghost in data.insights.ghosts:
        counts = text(language, "index.ghost_line", notes=len(ghost.notes), days=len(ghost.journal_days))
        line = f"- [[{ghost.label}]] — {counts}"
        if ghost.cluster in names.clusters:
            line += f" · {link(names.clusters[ghost.cluster], _cluster_name(data, ghost.cluster))}"
        lines.append(line)
    return lines


def _cluster_name(data: RenderInput, cluster_id: str) -> str:
    return next(s.cluster.name for s in data.insights.clusters if s.cluster.id == cluster_id)


def _gap_lines(data: RenderInput) -> list[str]:
    language = data.insights.language
    lines = []
    for gap in data.insights.gaps:
        bridges = text(language, "index.gap_bridges", notes=_join(link(rel) for rel in gap.bridges))
        lines.append(f"- {gap.question} {bridges}")
    return lines


def _orphan_lines(data: RenderInput) -> list[str]:
    lines = []
    for orphan in data.insights.orphans:
        if orphan.suggestions:
            targets = _join(f"{link(s.target)} ({s.reason})" for s in orphan.suggestions)
            lines.append(f"- {link(orphan.note)} → {targets}")
        else:
            lines.append(f"- {link(orphan.note)}")
    return lines


def _mermaid(data: RenderInput, names: OutputNames) -> list[str]:
    """The top clusters as a graph whose nodes open the cluster notes (Obsidian's internal-link class)."""
    shown = data.insights.clusters[:MAP_CLUSTERS]
    if len(shown) < 2:
        return []
    node = {s.cluster.id: f"c{number}" for number, s in enumerate(shown, start=1)}
    lines = ["```mermaid", "graph LR"]
    for scored in shown:
        lines.append(f'  {node[scored.cluster.id]}["{names.clusters[scored.cluster.id].rsplit("/", 1)[-1]}"]')
    for scored in shown:
        for bridge in scored.bridges:
            if bridge.cluster in node and scored.cluster.id < bridge.cluster:
                lines.append(f"  {node[scored.cluster.id]} --- {node[bridge.cluster]}")
    lines += [f"  class {','.join(node.values())} internal-link;", "```"]
    return lines


# -- cluster notes -----------------------------------------------------------------------


def _cluster_note(data: RenderInput, names: OutputNames, scored: ScoredCluster) -> OutputNote:
    """A cluster's note: flat properties for Bases and Dataview, tlvault's region, the user's section."""
    language = data.insights.language
    properties = [
        f"cluster_id: {json.dumps(scored.cluster.id)}",
        f"ripeness: {scored.ripeness}",
        f"band: {json.dumps(text(language, f'band.{scored.band}').split(' ', 1)[1], ensure_ascii=False)}",
        f"stage: {json.dumps(text(language, f'stage.{scored.stage}'), ensure_ascii=False)}",
        f"format: {json.dumps(text(language, f'format.{scored.format}'), ensure_ascii=False)}",
        f"members: {len(scored.cluster.notes)}",
        *(f"{name}: {value}" for name, value in scored.signals.items()),
    ]
    regions = {"cluster": _cluster(scored, data, names)}
    free = f"\n## {text(language, 'cluster.published')}\n\n"
    return _note(
        data,
        names.clusters[scored.cluster.id],
        "cluster",
        regions,
        free,
        "".join(f"{p}\n" for p in properties),
    )


def _cluster(scored: ScoredCluster, data: RenderInput, names: OutputNames) -> str:
    language = data.insights.language
    cluster = scored.cluster
    summary = text(
        language,
        "cluster.summary",
        score=scored.ripeness,
        band=text(language, f"band.{scored.band}"),
        stage=text(language, f"stage.{scored.stage}"),
        format=text(language, f"format.{scored.format}"),
    )
    weakest = text(
        language,
        "cluster.weakest",
        signal=text(language, f"signal.{scored.weakest}"),
        value=decimal(language, scored.signals[scored.weakest]),
    )
    lines = [f"# {cluster.name}", "", summary, ""]
    lines += _section(text(language, "cluster.why"), [scored.why])
    lines += _section(text(language, "cluster.missing"), [f"{weakest} {scored.next_action}"])
    lines += _section(text(language, "cluster.core"), _core_lines(scored, language))
    lines += _section(text(language, "cluster.outline"), _outline(scored, language))
    lines += _section(text(language, "cluster.members"), _member_rows(scored, language))
    lines += _section(text(language, "cluster.links"), _missing_link_lines(scored, language))
    lines += _section(text(language, "cluster.ghosts"), _cluster_ghosts(scored, data))
    lines += _section(text(language, "cluster.bridges"), _bridge_lines(scored, data, names))
    lines += _section(text(language, "cluster.timeline"), _timeline_lines(scored, language))
    lines += _section(text(language, "cluster.actions"), _cluster_actions(scored, data))
    return "\n".join(lines).rstrip("\n") + "\n"


def _core_lines(scored: ScoredCluster, language: str) -> list[str]:
    hub = f" ({text(language, 'cluster.hub')})"
    return [f"- {link(rel)}{hub if rel == scored.cluster.hub else ''}" for rel in scored.core]


def _outline(scored: ScoredCluster, language: str) -> list[str]:
    steps = [f"{number}. {link(rel)}" for number, rel in enumerate(scored.core, start=1)]
    closing = text(language, "cluster.outline_close", action=scored.next_action)
    return [*steps, f"{len(steps) + 1}. {closing}"]


def _member_rows(scored: ScoredCluster, language: str) -> list[str]:
    rows = [f"| {text(language, 'cluster.member_columns')} |", "| --- | --- |"]
    for rel, day in scored.activity[:LISTED]:
        rows.append(f"| {link(rel, in_table=True)} | {day.isoformat() if day else '—'} |")
    return rows + _more(language, len(scored.activity))


def _missing_link_lines(scored: ScoredCluster, language: str) -> list[str]:
    return [
        f"- {link(m.source)} ↔ {link(m.target)} — {text(language, 'punct.quote', text=quote(m.evidence))}"
        for m in scored.missing_links
    ]


def _cluster_ghosts(scored: ScoredCluster, data: RenderInput) -> list[str]:
    return [f"- [[{data.insights.ghost_labels[node]}]]" for node in scored.cluster.ghosts]


def _bridge_lines(scored: ScoredCluster, data: RenderInput, names: OutputNames) -> list[str]:
    language = data.insights.language
    lines = []
    for bridge in scored.bridges:
        if bridge.cluster in names.clusters:
            other = link(names.clusters[bridge.cluster], _cluster_name(data, bridge.cluster))
            notes = _join(link(rel) for rel in bridge.notes)
            lines.append(f"- {text(language, 'cluster.bridge_line', cluster=other, notes=notes)}")
    return lines


def _timeline_lines(scored: ScoredCluster, language: str) -> list[str]:
    return [
        f"- {mention.day.isoformat()} — {link(mention.journal)}{text(language, 'punct.colon')}"
        f"{text(language, 'punct.quote', text=quote(mention.text))}"
        for mention in scored.timeline
    ]


def _cluster_actions(scored: ScoredCluster, data: RenderInput) -> list[str]:
    language = data.insights.language
    cluster_id = scored.cluster.id
    actions = [scored.next_action]
    actions += [
        text(language, "cluster.link_action", first=link(m.source), second=link(m.target))
        for m in scored.missing_links
    ]
    actions += [
        text(language, "cluster.ghost_action", ghost=f"[[{data.insights.ghost_labels[node]}]]")
        for node in scored.cluster.ghosts
    ]
    return [f"- [ ] {action} ^{checkbox_key(cluster_id, action)}" for action in actions]


# -- health note -------------------------------------------------------------------------


def _health(data: RenderInput) -> str:
    language = data.insights.language
    summary = text(
        language,
        "health.summary",
        notes=data.notes_count,
        links=data.links_count,
        unresolved=data.unresolved_count,
        problems=len(data.problems),
    )
    lines = [f"# {text(language, 'health.title')}", "", summary, ""]
    rows = [f"| {text(language, 'health.unresolved_columns')} |", "| --- | --- |"]
    rows += [
        f"| {_code(u.target)} | {_join(link(rel, in_table=True) for rel in u.notes[:LISTED])} |"
        for u in data.unresolved[:LISTED]
    ]
    rows += _more(language, len(data.unresolved))
    lines += _section(text(language, "health.unresolved"), rows if data.unresolved else [])
    lines += _section(text(language, "health.orphans"), [f"- {link(o.note)}" for o in data.insights.orphans])
    problems = [f"- {_code(p.rel)} — {reason(language, p.reason)}" for p in data.problems]
    lines += _section(text(language, "health.problems"), problems)
    return "\n".join(lines).rstrip("\n") + "\n"


# -- state -------------------------------------------------------------------------------


def file_record(output: OutputNote) -> dict[str, Any]:
    """What the state remembers of a generated file as written: its regions' fingerprints, or its layout."""
    if output.kind == "markdown":
        note = split(output.text)
        return {"regions": fingerprints(note), "free": fingerprint(note.free_text())}
    if output.kind == "canvas":
        return {"layout": layout(output.text)}
    return {}


def render_state(data: RenderInput, names: OutputNames, files: Mapping[str, Mapping[str, Any]]) -> OutputNote:
    """What the next run needs: clusters (to keep ids, names and files) and what is on disk."""
    document = {
        "format": STATE_FORMAT,
        "clusters": [
            {
                "id": s.cluster.id,
                "name": s.cluster.name,
                "file": _within(names.clusters[s.cluster.id], data.output_folder) + ".md",
                "members": list(s.cluster.notes),
            }
            for s in sorted(data.insights.clusters, key=lambda s: s.cluster.id)
        ],
        "files": dict(sorted(files.items())),
    }
    state = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return OutputNote(STATE_REL, state, marker=f'"format": "{STATE_FORMAT}"', kind="state")
