"""tlvault.canvas: the idea map as JSON Canvas 1.0, its layout, and merging the user's layout
(FAULTS.md S15, S16; PRODUCT.md "Generated notes").
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from itertools import combinations, pairwise
from typing import Any

import pytest

from tlvault.canvas import is_tlvault_canvas, layout, merge_canvas, node_id, render_canvas
from tlvault.results import Cluster, Insights, ScoredCluster

TODAY = date(2024, 6, 15)
CAPTION = (
    "## Carte des idées\nLes clusters les plus mûrs, regroupés. Détails : [[tlvault/Idées à cultiver.md]]"
)
SIGNALS = {
    "mass": 0.5,
    "cohesion": 0.5,
    "distillation": 0.5,
    "momentum": 0.5,
    "persistence": 0.5,
    "hub": 0.5,
    "bridges": 0.5,
    "validation": 0.5,
}
Canvas = dict[str, Any]
Rect = tuple[int, int, int, int]


def scored(
    cid: str,
    name: str,
    notes: tuple[str, ...],
    *,
    ripeness: int = 50,
    core: int = 2,
    links: tuple[tuple[str, str], ...] = (),
) -> ScoredCluster:
    """A scored cluster whose first `core` notes are its core and all of them its activity."""
    return ScoredCluster(
        cluster=Cluster(cid, name, tuple(sorted(notes)), (), notes[0] if notes else None, ()),
        signals=SIGNALS,
        ripeness=ripeness,
        band="cultivate",
        stage="cultivate",
        format="post",
        strongest=("mass", "hub"),
        weakest="validation",
        why="Pourquoi.",
        next_action="Agis.",
        last_activity=TODAY,
        core=notes[:core],
        activity=tuple((rel, TODAY) for rel in notes),
        links=links,
    )


def insights(*clusters: ScoredCluster) -> Insights:
    return Insights("fr", TODAY, clusters, (), (), (), {})


def members(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}/Note {number:02d}.md" for number in range(1, count + 1))


def chain(paths: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each path linked to the next."""
    return tuple(pairwise(paths))


def cluster_files(data: Insights) -> dict[str, str]:
    return {s.cluster.id: f"tlvault/clusters/{s.cluster.name}.md" for s in data.clusters}


SIZES = (12, 1, 5, 3, 9, 2, 4)  # the seventh cluster is not on the map
SEVEN = insights(
    *(
        scored(
            f"c-00000{number}",
            f"Cluster {number}",
            members(f"Dossier {number}", size),
            ripeness=90 - number,
            links=chain(members(f"Dossier {number}", size)),
        )
        for number, size in enumerate(SIZES)
    )
)


def render(data: Insights) -> Canvas:
    document: Canvas = json.loads(render_canvas(data, cluster_files(data), CAPTION))
    return document


def rect(node: Canvas) -> Rect:
    return node["x"], node["y"], node["x"] + node["width"], node["y"] + node["height"]


def inside(inner: Rect, outer: Rect) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# -- JSON Canvas 1.0 --------------------------------------------------------------------------


def check_json_canvas(document: Canvas) -> None:
    """The structure JSON Canvas 1.0 requires, and tlvault's own id rule."""
    assert set(document) == {"nodes", "edges"}
    ids = []
    for node in document["nodes"]:
        assert {"id", "type", "x", "y", "width", "height"} <= set(node)
        assert node["type"] in {"text", "file", "group"}
        for key in ("x", "y", "width", "height"):
            assert type(node[key]) is int
        assert node["width"] > 0 and node["height"] > 0
        assert {"text": "text", "file": "file", "group": "label"}[node["type"]] in node
        ids.append(node["id"])
    for edge in document["edges"]:
        assert {"id", "fromNode", "toNode"} <= set(edge)
        assert edge["fromNode"] in ids and edge["toNode"] in ids
        ids.append(edge["id"])
    assert len(ids) == len(set(ids))
    assert all(isinstance(i, str) and i.startswith("tlv-") for i in ids)


def test_canvas_is_valid_json_canvas() -> None:
    check_json_canvas(render(SEVEN))


def test_file_nodes_are_exactly_the_members_and_cluster_notes_of_the_top_six() -> None:
    document = render(SEVEN)
    files = [node["file"] for node in document["nodes"] if node["type"] == "file"]
    expected = [
        path
        for number, size in enumerate(SIZES[:6])
        for path in (f"tlvault/clusters/Cluster {number}.md", *members(f"Dossier {number}", size))
    ]
    assert files == expected
    groups = [node["label"] for node in document["nodes"] if node["type"] == "group"]
    assert groups == [f"Cluster {number} · {90 - number}/100" for number in range(6)]


def test_each_file_node_lies_inside_its_group() -> None:
    document = render(SEVEN)
    nodes = {node["id"]: node for node in document["nodes"]}
    for scored_cluster in SEVEN.clusters[:6]:
        cid = scored_cluster.cluster.id
        group = rect(nodes[node_id(cid)])
        paths = [f"tlvault/clusters/{scored_cluster.cluster.name}.md", *scored_cluster.cluster.notes]
        for path in paths:
            assert inside(rect(nodes[node_id(cid, path)]), group), (cid, path)


def test_groups_and_caption_do_not_overlap() -> None:
    document = render(SEVEN)
    boxes = [rect(node) for node in document["nodes"] if node["type"] in {"group", "text"}]
    assert len(boxes) == 7
    for a, b in combinations(boxes, 2):
        assert not overlap(a, b), (a, b)


def test_file_nodes_do_not_overlap() -> None:
    document = render(SEVEN)
    boxes = [rect(node) for node in document["nodes"] if node["type"] == "file"]
    for a, b in combinations(boxes, 2):
        assert not overlap(a, b), (a, b)


def test_edges_join_the_linked_members() -> None:
    data = insights(scored("c-aaaaaa", "Alpha", ("a.md", "b.md", "c.md"), links=(("a.md", "b.md"),)))
    document = render(data)
    assert document["edges"] == [
        {
            "id": node_id("c-aaaaaa", "a.md", "b.md"),
            "fromNode": node_id("c-aaaaaa", "a.md"),
            "toNode": node_id("c-aaaaaa", "b.md"),
        }
    ]


def test_caption_is_there_even_without_clusters() -> None:
    text = render_canvas(insights(), {}, CAPTION)
    document = json.loads(text)
    check_json_canvas(document)
    assert document == {
        "nodes": [
            {
                "id": node_id("caption"),
                "type": "text",
                "text": CAPTION,
                "x": document["nodes"][0]["x"],
                "y": document["nodes"][0]["y"],
                "width": document["nodes"][0]["width"],
                "height": document["nodes"][0]["height"],
            }
        ],
        "edges": [],
    }
    assert is_tlvault_canvas(text)


def test_canvas_is_deterministic_and_tab_indented() -> None:
    first = render_canvas(SEVEN, cluster_files(SEVEN), CAPTION)
    second = render_canvas(SEVEN, cluster_files(SEVEN), CAPTION)
    assert first == second
    assert first.startswith('{\n\t"nodes": [\n\t\t{\n\t\t\t"id": "tlv-')
    assert first.endswith("\n\t]\n}\n")
    assert "    " not in first


def test_node_ids_do_not_depend_on_scores_or_order() -> None:
    """S15: stable ids across runs, so that moved nodes stay where the user put them."""
    before = render(SEVEN)
    rescored = [replace(s, ripeness=10 + i) for i, s in enumerate(SEVEN.clusters[:6])]
    after = render(insights(*reversed(rescored)))
    assert {n["id"] for n in before["nodes"]} == {n["id"] for n in after["nodes"]}
    assert {e["id"] for e in before["edges"]} == {e["id"] for e in after["edges"]}


def test_node_id_is_deterministic() -> None:
    assert node_id("caption") == "tlv-e5c8438ec8bab99c"
    assert node_id("c-1", "a.md") == node_id("c-1", "a.md")
    assert len({node_id("c-1", "a.md"), node_id("c-1a.md"), node_id("c-1", "a.md", "b.md")}) == 3


@pytest.mark.parametrize(
    "odd",
    [
        'Il a dit "oui"',
        "anti\\slash \\n \\u0041",
        "ligne\nsuivante\r\nencore",
        "émoji 🌱🍎 \u200d",
        "tab\there",
    ],
)
def test_awkward_titles_and_paths_give_valid_json(odd: str) -> None:
    """S15: titles with `"`, `\\`, newlines and emoji."""
    paths = (f"Notes/{odd}.md", f"{odd}/autre.md", "simple.md")
    data = insights(scored("c-aaaaaa", odd, paths, links=((paths[0], paths[1]),)))
    files = {"c-aaaaaa": f"tlvault/clusters/{odd}.md"}
    text = render_canvas(data, files, f"## {odd}")
    document = json.loads(text)
    check_json_canvas(document)
    assert [n["file"] for n in document["nodes"] if n["type"] == "file"] == [files["c-aaaaaa"], *paths]
    assert [n["label"] for n in document["nodes"] if n["type"] == "group"] == [f"{odd} · 50/100"]
    assert document["nodes"][0]["text"] == f"## {odd}"
    assert len(document["edges"]) == 1


# -- the user's layout (S16) ------------------------------------------------------------------


def dump(document: Canvas) -> str:
    return json.dumps(document, ensure_ascii=False, indent="\t") + "\n"


ALPHA = ("Idées/a.md", "Idées/b.md", "Idées/c.md", "Idées/d.md")
BETA = ("Lectures/x.md", "Lectures/y.md", "Lectures/z.md")


def test_merge_keeps_the_users_layout_nodes_and_edges() -> None:
    old_data = insights(
        scored(
            "c-aaaaaa", "Alpha", ALPHA, links=(("Idées/a.md", "Idées/b.md"), ("Idées/c.md", "Idées/d.md"))
        ),
        scored("c-bbbbbb", "Beta", BETA),
    )
    existing = render(old_data)
    nodes = {node["id"]: node for node in existing["nodes"]}
    moved_file, moved_group = node_id("c-aaaaaa", "Idées/a.md"), node_id("c-aaaaaa")
    nodes[moved_file].update(x=-900, y=1234, width=400, height=120, color="4")
    nodes[moved_group].update(x=-1000, y=1100, width=1500, height=900)
    nodes[node_id("caption")].update(x=77)
    mine = {
        "id": "9f2c1a",
        "type": "text",
        "text": "Mon idée à moi",
        "x": 3000,
        "y": 0,
        "width": 250,
        "height": 60,
    }
    existing["nodes"].append(mine)
    kept_edge = {"id": "e-1", "fromNode": "9f2c1a", "toNode": moved_file, "label": "voir"}
    lost_edge = {"id": "e-2", "fromNode": "9f2c1a", "toNode": node_id("c-aaaaaa", "Idées/d.md")}
    lost_group_edge = {"id": "e-3", "fromNode": node_id("c-bbbbbb"), "toNode": "9f2c1a"}
    existing["edges"] += [kept_edge, lost_edge, lost_group_edge]

    new_data = insights(  # d.md left Alpha, e.md joined it; Beta is gone
        scored("c-aaaaaa", "Alpha", ("Idées/a.md", "Idées/b.md", "Idées/c.md", "Idées/e.md")),
    )
    fresh_text = render_canvas(new_data, cluster_files(new_data), CAPTION)
    fresh = json.loads(fresh_text)
    merged = json.loads(merge_canvas(dump(existing), fresh_text))

    check_json_canvas({**merged, "nodes": [n for n in merged["nodes"] if n["id"] != "9f2c1a"], "edges": []})
    by_id = {node["id"]: node for node in merged["nodes"]}
    assert rect(by_id[moved_file]) == (-900, 1234, -500, 1354)
    assert rect(by_id[moved_group]) == (-1000, 1100, 500, 2000)
    assert by_id[node_id("caption")]["x"] == 77
    assert by_id["9f2c1a"] == mine
    fresh_by_id = {node["id"]: node for node in fresh["nodes"]}
    new_member = node_id("c-aaaaaa", "Idées/e.md")
    assert by_id[new_member] == fresh_by_id[new_member]  # a new node goes where tlvault puts it
    assert node_id("c-aaaaaa", "Idées/d.md") not in by_id
    assert node_id("c-bbbbbb") not in by_id
    assert not any(node_id("c-bbbbbb", rel) in by_id for rel in BETA)
    assert set(by_id) == set(fresh_by_id) | {"9f2c1a"}
    assert merged["edges"] == [*fresh["edges"], kept_edge]


def test_merge_takes_text_and_files_from_the_fresh_canvas() -> None:
    data = insights(scored("c-aaaaaa", "Alpha", ALPHA))
    existing = render(data)
    for node in existing["nodes"]:
        if node["type"] == "group":
            node["label"] = "renommé"
    existing["nodes"][0]["text"] = "légende modifiée"
    fresh = render_canvas(data, cluster_files(data), CAPTION)
    assert merge_canvas(dump(existing), fresh) == fresh


def test_merge_of_an_unchanged_canvas_writes_the_same_bytes() -> None:
    """S15: zero write when nothing changed, with or without the user's additions."""
    fresh = render_canvas(SEVEN, cluster_files(SEVEN), CAPTION)
    assert merge_canvas(fresh, fresh) == fresh
    existing = json.loads(fresh)
    existing["nodes"][3].update(x=5000, y=-5000)
    existing["nodes"].append(
        {"id": "mine", "type": "text", "text": "x", "x": 0, "y": 0, "width": 10, "height": 10}
    )
    existing["edges"].append({"id": "e", "fromNode": "mine", "toNode": existing["nodes"][3]["id"]})
    merged = merge_canvas(dump(existing), fresh)
    assert merged == dump(existing)
    assert merge_canvas(merged, fresh) == merged


def test_is_tlvault_canvas() -> None:
    assert is_tlvault_canvas(render_canvas(SEVEN, cluster_files(SEVEN), CAPTION))
    user = {
        "nodes": [{"id": "8a1b", "type": "text", "text": "à moi", "x": 0, "y": 0, "width": 10, "height": 10}],
        "edges": [],
    }
    assert not is_tlvault_canvas(dump(user))
    assert not is_tlvault_canvas('{"nodes": [], "edges": []}')
    assert not is_tlvault_canvas("{}")
    assert not is_tlvault_canvas("")
    assert not is_tlvault_canvas("{not json")
    assert not is_tlvault_canvas('["tlv-1"]')
    assert not is_tlvault_canvas('{"nodes": {"id": "tlv-1"}}')
    assert not is_tlvault_canvas('{"nodes": ["tlv-1"]}')


def check_layout(document: Canvas, data: Insights) -> None:
    """Every file node inside its cluster's group; groups and caption apart."""
    nodes = {node["id"]: node for node in document["nodes"]}
    for scored_cluster in data.clusters[:6]:
        cid = scored_cluster.cluster.id
        group = rect(nodes[node_id(cid)])
        for path in (f"tlvault/clusters/{scored_cluster.cluster.name}.md", *scored_cluster.cluster.notes):
            assert inside(rect(nodes[node_id(cid, path)]), group), (scored_cluster.cluster.name, path)
    boxes = [rect(node) for node in document["nodes"] if node["type"] in {"group", "text"}]
    for a, b in combinations(boxes, 2):
        assert not overlap(a, b), (a, b)


def test_merge_keeps_members_inside_their_group_when_a_cluster_grows() -> None:
    """Nobody moved anything; Alpha grew from one row of members to three."""
    old = insights(scored("c-aaaaaa", "Alpha", ALPHA[:3]), scored("c-bbbbbb", "Beta", BETA))
    new = insights(scored("c-aaaaaa", "Alpha", members("Idées", 8)), scored("c-bbbbbb", "Beta", BETA))
    existing = render_canvas(old, cluster_files(old), CAPTION)
    fresh = render_canvas(new, cluster_files(new), CAPTION)
    merged = json.loads(merge_canvas(existing, fresh, layout(existing)))  # where tlvault placed them
    check_layout(merged, new)


def test_merge_keeps_groups_apart_when_a_new_cluster_enters_the_map() -> None:
    """Nobody moved anything; Gamma is new and the ripest, so tlvault lays it out first."""
    alpha, beta = scored("c-aaaaaa", "Alpha", ALPHA), scored("c-bbbbbb", "Beta", BETA)
    old = insights(alpha, beta)
    new = insights(scored("c-cccccc", "Gamma", ("G/1.md", "G/2.md", "G/3.md"), ripeness=95), alpha, beta)
    existing = render_canvas(old, cluster_files(old), CAPTION)
    fresh = render_canvas(new, cluster_files(new), CAPTION)
    merged = json.loads(merge_canvas(existing, fresh, layout(existing)))
    check_layout(merged, new)


def test_a_moved_node_keeps_its_place_and_colour_even_with_the_layout_record() -> None:
    old = insights(scored("c-aaaaaa", "Alpha", ALPHA), scored("c-bbbbbb", "Beta", BETA))
    existing = render_canvas(old, cluster_files(old), CAPTION)
    placed = layout(existing)
    document = json.loads(existing)
    moved = next(node for node in document["nodes"] if node["type"] == "file")
    moved.update({"x": 5000, "y": -700, "color": "4"})
    unmoved = next(node for node in document["nodes"] if node["type"] == "group")
    unmoved["color"] = "2"
    merged = json.loads(merge_canvas(json.dumps(document, indent="\t"), existing, placed))
    by_id = {node["id"]: node for node in merged["nodes"]}
    assert (by_id[moved["id"]]["x"], by_id[moved["id"]]["y"], by_id[moved["id"]]["color"]) == (
        5000,
        -700,
        "4",
    )
    assert (by_id[unmoved["id"]]["x"], by_id[unmoved["id"]]["color"]) == (placed[unmoved["id"]][0], "2")
