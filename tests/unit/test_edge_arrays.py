"""Louvain's input and the score stage's walk over every edge, read from the graph's edge arrays,
are exactly what plain loops over the networkx graph give: same edges in the same order, same
floats summed in the same order, same dict orders."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping

import igraph
import pytest

from tests.unit.test_graph_patch import RandomVault, built
from tlvault.cluster import _communities
from tlvault.graph import edge_arrays
from tlvault.relations import EdgeWalk, walk_edges
from tlvault.results import IdeaGraph


def reference_walk(graph: IdeaGraph, membership: Mapping[str, str]) -> EdgeWalk:
    """walk_edges as one loop over the neighbour dicts (the implementation it replaced)."""
    owner, notes, linked = membership.get, graph.notes, graph.linked
    reaches: dict[str, dict[str, float]] = {}
    cocited: dict[str, list[tuple[float, str, str, str]]] = defaultdict(list)
    for node, neighbours in graph.graph.adj.items():
        own = owner(node) if node in notes else None
        reach: dict[str, float] = {}
        for other, data in neighbours.items():
            cid = owner(other, "")
            reach[cid] = reach.get(cid, 0.0) + data["weight"]
            if (
                cid == own
                and data["evidence"]
                and node < other
                and other in notes
                and (node, other) not in linked
            ):
                cocited[cid].append((-data["kinds"]["cocitation"], node, other, data["evidence"][0]))
        reaches[node] = reach
    written: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a, b in linked:
        group = owner(a)
        if group is not None and owner(b) == group and a in notes and b in notes:
            written[group].append((a, b))
    return EdgeWalk(reaches, written, cocited)


def reference_network(graph: IdeaGraph) -> tuple[list[tuple[int, int]], list[float]]:
    """The igraph edges and weights, in networkx's edge order, by position among the sorted nodes
    (lower position first, as igraph reports an undirected edge)."""
    index = {node: position for position, node in enumerate(sorted(graph.graph.nodes))}
    edges, weights = [], []
    for a, b, weight in graph.graph.edges(data="weight"):
        edges.append((min(index[a], index[b]), max(index[a], index[b])))
        weights.append(weight)
    return edges, weights


def random_membership(graph: IdeaGraph, seed: int) -> dict[str, str]:
    """Most nodes in one of four clusters, some in none."""
    pick = random.Random(seed)
    return {node: f"c{pick.randint(0, 3)}" for node in graph.graph.nodes if pick.random() < 0.8}


@pytest.mark.parametrize("seed", range(6))
def test_the_walk_over_the_arrays_equals_the_walk_over_the_dicts(seed: int) -> None:
    vault = RandomVault(seed)
    for step in range(30):
        vault.change()
        graph = built(vault, vault.notes())
        membership = random_membership(graph, seed * 100 + step)
        walked, expected = walk_edges(graph, membership), reference_walk(graph, membership)
        assert [(node, list(reach.items())) for node, reach in walked.reach.items()] == [
            (node, list(reach.items())) for node, reach in expected.reach.items()
        ]
        assert dict(walked.cocited) == dict(expected.cocited)
        assert {cid: sorted(pairs) for cid, pairs in walked.written.items()} == {
            cid: sorted(pairs) for cid, pairs in expected.written.items()
        }


def test_reach_sums_the_weights_in_neighbour_order() -> None:
    vault = RandomVault(7)
    graph = built(vault, vault.notes())
    node = max(graph.graph.adj, key=lambda n: len(graph.graph.adj[n]))
    membership = dict.fromkeys(graph.graph.nodes, "c0")
    total = 0.0
    for data in graph.graph.adj[node].values():
        total += data["weight"]
    assert walk_edges(graph, membership).reach[node] == {"c0": total}
    assert len(graph.graph.adj[node]) >= 3


@pytest.mark.parametrize("seed", range(6))
def test_louvain_gets_the_edges_in_networkx_order(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = RandomVault(seed)
    for _ in range(10):
        vault.change()
    graph = built(vault, vault.notes())
    given: list[tuple[list[tuple[int, int]], list[float]]] = []
    original = igraph.Graph.community_multilevel

    def spy(network: igraph.Graph, weights: list[float], resolution: float) -> igraph.VertexClustering:
        given.append(([tuple(edge.tuple) for edge in network.es], weights))
        return original(network, weights=weights, resolution=resolution)

    monkeypatch.setattr(igraph.Graph, "community_multilevel", spy)
    communities = _communities(graph, 1.0, 42)
    assert given == [reference_network(graph)]
    assert sorted(node for community in communities for node in community) == sorted(graph.graph.nodes)


def test_arrays_of_a_hand_made_graph_are_made_on_demand() -> None:
    vault = RandomVault(4)
    graph = built(vault, vault.notes())
    bare = IdeaGraph(graph.graph, graph.notes, graph.ghosts, graph.journal, graph.mentions, graph.linked, {})
    made, kept = edge_arrays(bare), edge_arrays(graph)
    assert made.nodes == kept.nodes and made.cocited == kept.cocited
    assert made.others.tolist() == kept.others.tolist() and made.weights.tolist() == kept.weights.tolist()
