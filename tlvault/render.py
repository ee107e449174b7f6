"""render_outputs(...) -> list[OutputNote]: the text of every generated file; never touches disk.

The index note ("Idées à cultiver"), one note per cluster, the vault health note and the idea
map canvas, in the vault's language; then the state file that remembers clusters and what was
written. Every wikilink points at a real file, except ghost ideas, which are listed as such.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from tlvault import memo
from tlvault.canvas import layout, render_canvas
from tlvault.i18n import cluster_labels, reason, text
from tlvault.markdown import (
    LISTED,
    OutputNames,
    RenderInput,
    cluster_name,
    code,
    join,
    link,
    more,
    note,
    section,
    within,
)
from tlvault.model import STATE_FORMAT, STATE_REL
from tlvault.regions import checkbox_key, fingerprint, fingerprints, split
from tlvault.render_cluster import cluster_note
from tlvault.render_dashboard import dashboard_note, pipeline_base
from tlvault.results import OutputNote

TOP_CLUSTERS = 3  # clusters on the index note's first screen
MAP_CLUSTERS = 8  # clusters on the Mermaid map
_UNSAFE = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f]+')
_MAX_NAME_BYTES = 200  # leaves room for a suffix and the extension under 255 bytes


def render_outputs(data: RenderInput) -> list[OutputNote]:
    """Every generated file: the index, the cluster notes, the health note and the canvas.

    The state file is rendered apart (`render_state`), once writing says what made it to disk.
    """
    names = output_names(data)
    insights = data.insights
    return [
        note(data, names.index, "index", {"index": _index(data, names)}),
        *(cluster_note(data, names, scored) for scored in insights.clusters),
        note(data, names.health, "health", {"health": _health(data)}),
        OutputNote(
            within(names.canvas, data.output_folder),
            render_canvas(
                insights,
                {cid: f"{path}.md" for cid, path in names.clusters.items()},
                text(insights.language, "canvas.caption", index=f"{names.index}.md"),
            ),
            marker='"tlv-',
            kind="canvas",
        ),
        *(
            (dashboard_note(data, names, data.dashboard), pipeline_base(data, names))
            if data.dashboard is not None
            else ()
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
    dashboard = pick(text(language, "file.dashboard")) if data.dashboard is not None else ""
    base = pick(text(language, "file.pipeline")) + ".base" if data.dashboard is not None else ""
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
    return OutputNames(index, health, canvas, clusters, dashboard, base)


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


# -- index note --------------------------------------------------------------------------


def _index(data: RenderInput, names: OutputNames) -> str:
    language = data.insights.language
    lines = [f"# {text(language, 'index.title')}", ""]
    clusters = data.insights.clusters
    if not clusters:
        lines += [text(language, "index.empty", size=data.min_size), ""]
    else:
        lines += _first_screen(data, names)
        lines += section(text(language, "index.ranking"), _ranking(data, names))
        lines += section(text(language, "index.actions"), _index_actions(data, names))
    lines += section(text(language, "index.ghosts"), _ghost_lines(data, names))
    lines += section(text(language, "index.gaps"), _gap_lines(data))
    lines += section(text(language, "index.orphans"), _orphan_lines(data))
    lines += section(text(language, "index.map"), _mermaid(data, names))
    lines += [
        text(language, "index.canvas", canvas=link(names.canvas, text(language, "file.canvas"))),
        text(language, "index.health", health=link(names.health, text(language, "file.health"))),
    ]
    if names.dashboard:
        dashboard = link(names.dashboard, text(language, "file.dashboard"))
        base = link(names.base, text(language, "file.pipeline"))
        lines.append(text(language, "index.dashboard", dashboard=dashboard, base=base))
    return "\n".join(lines) + "\n"


def _first_screen(data: RenderInput, names: OutputNames) -> list[str]:
    language = data.insights.language
    lines = [f"> [!tip] {text(language, 'index.next')}"]
    for number, scored in enumerate(data.insights.clusters[:TOP_CLUSTERS], start=1):
        name = scored.cluster.name
        labels = cluster_labels(language, scored.band, scored.stage, scored.format)
        score = text(language, "index.score_line", score=scored.ripeness, **labels)
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
            *cluster_labels(language, scored.band, scored.stage, scored.format).values(),
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
            line += f" · {link(names.clusters[ghost.cluster], cluster_name(data, ghost.cluster))}"
        lines.append(line)
    return lines


def _gap_lines(data: RenderInput) -> list[str]:
    language = data.insights.language
    lines = []
    for gap in data.insights.gaps:
        bridges = text(language, "index.gap_bridges", notes=join(link(rel) for rel in gap.bridges))
        lines.append(f"- {gap.question} {bridges}")
    return lines


def _orphan_lines(data: RenderInput) -> list[str]:
    lines = []
    for orphan in data.insights.orphans:
        if orphan.suggestions:
            targets = join(f"{link(s.target)} ({s.reason})" for s in orphan.suggestions)
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
        f"| {code(u.target)} | {join(link(rel, in_table=True) for rel in u.notes[:LISTED])} |"
        for u in data.unresolved[:LISTED]
    ]
    rows += more(language, len(data.unresolved))
    lines += section(text(language, "health.unresolved"), rows if data.unresolved else [])
    lines += section(text(language, "health.orphans"), [f"- {link(o.note)}" for o in data.insights.orphans])
    problems = [f"- {code(p.rel)} — {reason(language, p.reason)}" for p in data.problems]
    lines += section(text(language, "health.problems"), problems)
    return "\n".join(lines).rstrip("\n") + "\n"


# -- state -------------------------------------------------------------------------------


def file_record(output: OutputNote) -> dict[str, Any]:
    """What the state remembers of a generated file as written: its regions' fingerprints, or its layout."""
    record = _RECORDS.recall(output.rel, output)
    if record is None:
        record = _file_record(output)
        _RECORDS.keep(output.rel, output, record)
    return record


# A watcher's last record of each generated file: an edit leaves most of them unchanged, and a
# record splits and hashes the whole text (8 ms of an edit's rebuild on a 10k-note vault).
_RECORDS: memo.LastPerKey[str, dict[str, Any]] = memo.LastPerKey()


def _file_record(output: OutputNote) -> dict[str, Any]:
    if output.kind == "markdown":
        note = split(output.text)
        return {"regions": fingerprints(note), "free": fingerprint(note.free_text())}
    if output.kind == "canvas":
        return {"layout": layout(output.text)}
    return {}


def render_state(data: RenderInput, names: OutputNames, files: Mapping[str, Mapping[str, Any]]) -> OutputNote:
    """What the next run needs: clusters (to keep ids, names and files) and what is on disk."""
    return state_note(state_document(data, names, files))


def state_note(document: Mapping[str, Any]) -> OutputNote:
    """The state file holding a `state_document`."""
    state = indented_json(document) + "\n"
    return OutputNote(STATE_REL, state, marker=f'"format": "{STATE_FORMAT}"', kind="state")


def state_document(
    data: RenderInput, names: OutputNames, files: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The state file's JSON document (`render_state`)."""
    document = {
        "format": STATE_FORMAT,
        "clusters": [
            {
                "id": s.cluster.id,
                "name": s.cluster.name,
                "file": within(names.clusters[s.cluster.id], data.output_folder) + ".md",
                "members": list(s.cluster.notes),
            }
            for s in sorted(data.insights.clusters, key=lambda s: s.cluster.id)
        ],
        "files": dict(sorted(files.items())),
    }
    if data.dashboard is not None:
        document["history"] = data.dashboard.history
    return document


_SCALARS = (str, int, float, bool, type(None))


def indented_json(value: Any, indent: str = "") -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)`, byte for byte, nested `indent` deep.

    With `indent`, `json` encodes in Python, item by item: the state's 10,000 word counts cost
    20 ms per rebuild that way. A list, or a dict with string keys, whose items are all scalars
    is written here by the C encoder in one call instead, its item separator carrying the line
    break and the indentation; anything else goes through `json` as before.
    """
    if isinstance(value, _SCALARS):  # as `json` writes it, with or without an indent
        return _flat(value, indent)
    inner = indent + "  "
    if isinstance(value, dict) and value and all(isinstance(key, str) for key in value):
        if all(isinstance(item, _SCALARS) for item in value.values()):
            return "{\n" + inner + _flat(value, inner)[1:-1] + "\n" + indent + "}"
        items = [f"{_flat(key, inner)}: {indented_json(item, inner)}" for key, item in value.items()]
        return "{\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple) and value:
        if all(isinstance(item, _SCALARS) for item in value):
            return "[\n" + inner + _flat(value, inner)[1:-1] + "\n" + indent + "]"
        items = [indented_json(item, inner) for item in value]
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "]"
    # Empty containers, dicts with other keys: JSON strings hold no raw line break, so every
    # line break of the text can take the indentation.
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


def _flat(value: Any, inner: str) -> str:
    """`value` by the C encoder, items separated by a line break and `inner`."""
    encoder = _ENCODERS.get(inner)
    if encoder is None:  # what json.dumps would make for these arguments, made once
        encoder = _ENCODERS[inner] = json.JSONEncoder(ensure_ascii=False, separators=(",\n" + inner, ": "))
    return encoder.encode(value)


_ENCODERS: dict[str, json.JSONEncoder] = {}  # by indentation
