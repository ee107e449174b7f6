"""The idea map as JSON Canvas 1.0 (the open format of Obsidian's canvases); pure text, no I/O.

One group per top cluster holding a file node per member and edges for the written links
between them. Every id tlvault writes starts with `tlv-`; a node the user moved keeps its place
(and a colour the user gave it), nodes tlvault placed follow the new layout, and nodes or edges
the user added are kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from tlvault.results import Insights

TOP_CLUSTERS = 6
MEMBERS = 12  # file nodes per group
COLUMNS = 3  # file nodes per row in a group
GROUPS_PER_ROW = 2
NODE_WIDTH, NODE_HEIGHT, GAP, PADDING = 280, 80, 40, 40
_PLACE = ("x", "y", "width", "height")


def node_id(*parts: str) -> str:
    """A stable canvas id: the same parts always give the same id."""
    return "tlv-" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def render_canvas(insights: Insights, cluster_files: dict[str, str], caption: str) -> str:
    """The canvas of the top clusters; `cluster_files` maps a cluster id to its note's vault path.

    A text node with `caption` always heads it, so that even an empty map is recognisably tlvault's.
    """
    group_width = COLUMNS * NODE_WIDTH + (COLUMNS - 1) * GAP + 2 * PADDING
    header = {
        "id": node_id("caption"),
        "type": "text",
        "text": caption,
        "x": 0,
        "y": -NODE_HEIGHT - 2 * GAP,
        "width": GROUPS_PER_ROW * group_width + 2 * GAP,
        "height": NODE_HEIGHT,
    }
    nodes: list[dict[str, Any]] = [header]
    edges: list[dict[str, Any]] = []
    tallest = 0
    x = y = 0
    for number, scored in enumerate(insights.clusters[:TOP_CLUSTERS]):
        members = scored.core + tuple(rel for rel, _ in scored.activity if rel not in scored.core)
        members = members[:MEMBERS]
        rows = -(-len(members) // COLUMNS)
        height = 2 * PADDING + rows * NODE_HEIGHT + (rows - 1) * GAP + NODE_HEIGHT + GAP
        group = node_id(scored.cluster.id)
        label = f"{scored.cluster.name} · {scored.ripeness}/100"
        nodes.append(
            {
                "id": group,
                "type": "group",
                "label": label,
                "x": x,
                "y": y,
                "width": group_width,
                "height": height,
            }
        )
        note = cluster_files.get(scored.cluster.id)
        if note:  # the cluster's own note, across the top of its group
            nodes.append(
                _file(
                    node_id(scored.cluster.id, note),
                    note,
                    x + PADDING,
                    y + PADDING,
                    group_width - 2 * PADDING,
                )
            )
        ids = {}
        for position, rel in enumerate(members):
            column, row = position % COLUMNS, position // COLUMNS
            left = x + PADDING + column * (NODE_WIDTH + GAP)
            top = y + PADDING + NODE_HEIGHT + GAP + row * (NODE_HEIGHT + GAP)
            ids[rel] = node_id(scored.cluster.id, rel)
            nodes.append(_file(ids[rel], rel, left, top, NODE_WIDTH))
        edges += [
            {"id": node_id(scored.cluster.id, a, b), "fromNode": ids[a], "toNode": ids[b]}
            for a, b in scored.links
            if a in ids and b in ids
        ]
        tallest = max(tallest, height)
        x += group_width + 2 * GAP
        if (number + 1) % GROUPS_PER_ROW == 0:
            x, y, tallest = 0, y + tallest + 2 * GAP, 0
    return _dump({"nodes": nodes, "edges": edges})


def _file(identifier: str, path: str, x: int, y: int, width: int) -> dict[str, Any]:
    return {
        "id": identifier,
        "type": "file",
        "file": path,
        "x": x,
        "y": y,
        "width": width,
        "height": NODE_HEIGHT,
    }


def _dump(canvas: dict[str, Any]) -> str:
    """Tabs, as Obsidian writes canvases, so that a save from the app changes little."""
    return json.dumps(canvas, ensure_ascii=False, indent="\t") + "\n"


def is_tlvault_canvas(existing: str) -> bool:
    """Whether a canvas file is tlvault's: JSON whose nodes include at least one `tlv-` id."""
    try:
        document = json.loads(existing)
    except ValueError:
        return False
    nodes = document.get("nodes") if isinstance(document, dict) else None
    return isinstance(nodes, list) and any(
        isinstance(node, dict) and str(node.get("id", "")).startswith("tlv-") for node in nodes
    )


def layout(text: str) -> dict[str, list[int]]:
    """Where tlvault placed each of its nodes: id -> [x, y, width, height] (kept in the state file)."""
    return {
        node["id"]: [node[key] for key in _PLACE]
        for node in json.loads(text)["nodes"]
        if str(node.get("id", "")).startswith("tlv-")
    }


def merge_canvas(existing: str, fresh: str, placed: Mapping[str, Sequence[int]] | None = None) -> str:
    """`fresh`, keeping what the user changed in `existing`: places, colours, added nodes and edges.

    A node is "moved" when its place differs from `placed`, where tlvault put it last time;
    without that record every existing place is kept.
    """
    old = json.loads(existing)
    new = json.loads(fresh)
    before = {node["id"]: node for node in old.get("nodes", []) if isinstance(node, dict) and "id" in node}
    for node in new["nodes"]:
        previous = before.get(node["id"])
        if previous is None:
            continue
        where = [previous.get(key) for key in _PLACE]
        if placed is None or list(placed.get(node["id"], ())) != where:
            node.update({key: previous[key] for key in _PLACE if key in previous})
        if "color" in previous:
            node["color"] = previous["color"]
    new["nodes"] += [node for identifier, node in before.items() if not identifier.startswith("tlv-")]
    present = {node["id"] for node in new["nodes"]}
    new["edges"] += [
        edge
        for edge in old.get("edges", [])
        if isinstance(edge, dict)
        and not str(edge.get("id", "")).startswith("tlv-")
        and edge.get("fromNode") in present
        and edge.get("toNode") in present
    ]
    return _dump(new)
