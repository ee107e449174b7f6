"""find_clusters: Louvain groups, min_size, stable ids, previous-cluster matching, names and hubs.

README "The idea engine" (Clusters). Graphs are built in memory from parsed notes and a hand-made
Lexicon, so that each name can be derived by hand; two tests go through the whole pipeline on a
small vault written under tmp_path.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from stop_words import get_stop_words

from tests.conftest import MakeVault
from tests.unit.test_graph_patch import RandomVault, built
from tlvault.cluster import _GENERIC, _hub, _inside_weights, _keywords, _title_words, find_clusters
from tlvault.config import ClusterConfig, Config, default_config
from tlvault.graph import build_graph
from tlvault.model import PreviousCluster
from tlvault.parse import parse_note
from tlvault.pipeline import analyse, read_vault
from tlvault.report import Report
from tlvault.resolve import resolve_links
from tlvault.results import Cluster, IdeaGraph, Lexicon

CONFIG = Config(vault=Path("vault"))
ID = re.compile(r"c-[0-9a-f]{6}")

# Group A: a2 links to every member and every member links back (a2 is the hub); the others
# link forward. Group B: the same with b2. One lexical neighbour (0.3) joins a1 to b1.
A = ("A/Une boussole.md", "A/a1.md", "A/a2.md", "A/a4.md")
B = ("B/b1.md", "B/b2.md", "B/b3.md", "B/b4.md")


def group(rels: Sequence[str], hub: str) -> dict[str, str]:
    """Notes where `hub` links to all and is linked by all, and the others link to the later ones."""
    names = {rel: rel[:-3] for rel in rels}
    files = {}
    for position, rel in enumerate(rels):
        targets = [names[other] for other in rels if other != rel] if rel == hub else []
        targets += [names[other] for other in rels[position + 1 :] if hub not in (rel, other)]
        targets += [names[hub]] if rel != hub else []
        files[rel] = " ".join(f"[[{target}]]" for target in targets)
    return files


KEYWORDS: dict[str, tuple[tuple[str, float], ...]] = {
    # Over A: boussole is in a member's title, so it comes first; then by summed weight:
    # vision 0.5×4 = 2.0, cap 0.5+0.5 = 1.0, phare 0.6; idée is generic.
    "A/a1.md": (("idée", 2.0), ("vision", 0.5), ("cap", 0.5)),
    "A/a2.md": (("phare", 0.6), ("vision", 0.5)),
    "A/Une boussole.md": (("boussole", 0.55), ("vision", 0.5)),
    "A/a4.md": (("cap", 0.5), ("vision", 0.5)),
    "B/b1.md": (("cuisine", 0.5), ("beurre", 0.4), ("crème", 0.3)),
    "B/b2.md": (("cuisine", 0.5), ("beurre", 0.4), ("crème", 0.3)),
    "B/b3.md": (("cuisine", 0.5), ("crème", 0.3)),
    "B/b4.md": (("cuisine", 0.5), ("beurre", 0.4)),
}
WEAK = {"A/a1.md": (("B/b1.md", 0.25),)}


def graph_of(
    files: Mapping[str, str],
    keywords: Mapping[str, tuple[tuple[str, float], ...]] = KEYWORDS,
    neighbours: Mapping[str, tuple[tuple[str, float], ...]] = WEAK,
    language: str = "fr",
) -> tuple[IdeaGraph, Lexicon]:
    notes = [parse_note(rel, text) for rel, text in files.items()]
    lexicon = Lexicon(language, dict(keywords), dict(neighbours))
    return build_graph(notes, resolve_links(notes, sorted(files)), lexicon, CONFIG), lexicon


def two_groups(language: str = "fr") -> tuple[IdeaGraph, Lexicon]:
    return graph_of({**group(A, "A/a2.md"), **group(B, "B/b2.md")}, language=language)


def clusters_of(
    graph: IdeaGraph, lexicon: Lexicon, previous: Sequence[PreviousCluster] = (), config: Config = CONFIG
) -> list[Cluster]:
    return find_clusters(graph, lexicon, previous, config)


def by_first(clusters: Sequence[Cluster]) -> dict[str, Cluster]:
    """Clusters by their first member's folder: "A" or "B"."""
    return {cluster.notes[0].split("/")[0]: cluster for cluster in clusters}


# --- communities ----------------------------------------------------------------------------------


def test_two_dense_groups_joined_by_one_weak_edge_are_two_clusters() -> None:
    graph, lexicon = two_groups()
    assert graph.graph.edges["A/a1.md", "B/b1.md"]["weight"] == 0.3
    clusters = clusters_of(graph, lexicon)
    assert sorted(cluster.notes for cluster in clusters) == [tuple(sorted(A)), tuple(sorted(B))]
    assert all(cluster.ghosts == () for cluster in clusters)


def test_the_hub_is_the_member_with_most_weight_inside() -> None:
    graph, lexicon = two_groups()
    found = by_first(clusters_of(graph, lexicon))
    assert found["A"].hub == "A/a2.md"
    assert found["B"].hub == "B/b2.md"


def test_outside_weight_does_not_make_a_hub() -> None:
    # b1: 4 inside (b2 both ways, b3, b4) and 3 links out to A: 7 in all; b2: 6, all inside.
    files = {**group(A, "A/a2.md"), **group(B, "B/b2.md")}
    files["B/b1.md"] += " [[A/a1]] [[A/a4]] [[A/Une boussole]]"
    graph, lexicon = graph_of(files, neighbours={})
    found = by_first(clusters_of(graph, lexicon))
    assert found["B"].notes == tuple(sorted(B))
    assert found["B"].hub == "B/b2.md"


def test_ghosts_join_clusters_but_do_not_count_towards_min_size() -> None:
    files = {"x.md": "[[y]] [[Projet]]", "y.md": "[[x]] [[Projet]]"}
    graph, lexicon = graph_of(files, keywords={}, neighbours={})
    assert clusters_of(graph, lexicon) == []
    config = replace(CONFIG, cluster=ClusterConfig(min_size=2))
    (cluster,) = clusters_of(graph, lexicon, config=config)
    assert cluster.notes == ("x.md", "y.md")
    assert cluster.ghosts == ("ghost:projet",)


def test_min_size_filters_small_communities() -> None:
    files = {
        **group(A, "A/a2.md"),
        **group(("C/c1.md", "C/c2.md", "C/c3.md"), "C/c2.md"),
        **group(("D/d1.md", "D/d2.md"), "D/d2.md"),
    }
    graph, lexicon = graph_of(files, neighbours={})
    assert sorted(len(c.notes) for c in clusters_of(graph, lexicon)) == [3, 4]  # default min_size 3
    for min_size, sizes in ((2, [2, 3, 4]), (4, [4]), (5, [])):
        config = replace(CONFIG, cluster=ClusterConfig(min_size=min_size))
        assert sorted(len(c.notes) for c in clusters_of(graph, lexicon, config=config)) == sizes


def test_clusters_come_largest_first() -> None:
    files = {**group(("C/c1.md", "C/c2.md", "C/c3.md"), "C/c2.md"), **group(A, "A/a2.md")}
    graph, lexicon = graph_of(files, neighbours={})
    assert [len(c.notes) for c in clusters_of(graph, lexicon)] == [4, 3]


# --- identity ---------------------------------------------------------------------------------------


def test_the_same_input_gives_the_same_ids_and_names() -> None:
    first = clusters_of(*two_groups())
    second = clusters_of(*two_groups())
    assert first == second
    assert [(c.id, c.name) for c in first] == [(c.id, c.name) for c in second]


def test_ids_are_c_and_six_hex_digits_derived_from_the_members() -> None:
    clusters = clusters_of(*two_groups())
    assert all(ID.fullmatch(cluster.id) for cluster in clusters)
    assert len({cluster.id for cluster in clusters}) == 2
    # The same members give the same id, whatever else the vault holds.
    alone = clusters_of(*graph_of(group(A, "A/a2.md"), neighbours={}))
    assert alone[0].id == by_first(clusters)["A"].id


def test_a_previous_cluster_overlapping_by_half_gives_its_id_and_name() -> None:
    graph, lexicon = two_groups()
    fresh = by_first(clusters_of(graph, lexicon))
    # Jaccard with A = 3 / (4 + 5 - 3) = 0.5.
    previous = PreviousCluster(
        "c-0ld001", "Ancien nom", ("A/a1.md", "A/a2.md", "A/a4.md", "X/x1.md", "X/x2.md")
    )
    found = by_first(clusters_of(graph, lexicon, [previous]))
    assert (found["A"].id, found["A"].name) == ("c-0ld001", "Ancien nom")
    assert found["A"].notes == fresh["A"].notes
    assert (found["B"].id, found["B"].name) == (fresh["B"].id, fresh["B"].name)


def test_a_previous_cluster_overlapping_by_less_than_half_is_not_matched() -> None:
    graph, lexicon = two_groups()
    fresh = by_first(clusters_of(graph, lexicon))
    for members in (
        ("A/a1.md", "A/a2.md", "A/a4.md", "X/x1.md", "X/x2.md", "X/x3.md"),  # 3 / 7
        ("A/a1.md", "A/a2.md", "X/x1.md", "X/x2.md"),  # 2 / 6
    ):
        found = by_first(clusters_of(graph, lexicon, [PreviousCluster("c-0ld001", "Ancien nom", members)]))
        assert (found["A"].id, found["A"].name) == (fresh["A"].id, fresh["A"].name), members


def test_a_previous_subset_of_half_the_members_is_matched() -> None:
    graph, lexicon = two_groups()
    previous = PreviousCluster("c-0ld002", "Moitié", ("A/a1.md", "A/a2.md"))  # 2 / (4 + 2 - 2) = 0.5
    assert by_first(clusters_of(graph, lexicon, [previous]))["A"].id == "c-0ld002"


def test_matching_is_one_to_one_best_overlap_first() -> None:
    graph, lexicon = two_groups()
    fresh = by_first(clusters_of(graph, lexicon))
    previous = [
        PreviousCluster("c-0ld0b2", "Trois quarts", tuple(sorted(A))[:3]),  # A: 0.75, listed first
        PreviousCluster("c-0ld0a1", "Tout A", tuple(sorted(A))),  # A: 1.0
        PreviousCluster("c-0ld0ab", "A et B", tuple(sorted(A + B))),  # A: 0.5, B: 0.5
    ]
    found = by_first(clusters_of(graph, lexicon, previous))
    assert (found["A"].id, found["A"].name) == ("c-0ld0a1", "Tout A")  # the best overlap wins
    assert (found["B"].id, found["B"].name) == ("c-0ld0ab", "A et B")  # A was taken: B gets it
    previous = previous[:2]
    found = by_first(clusters_of(graph, lexicon, previous))
    assert (found["A"].id, found["A"].name) == ("c-0ld0a1", "Tout A")
    assert found["B"].id == fresh["B"].id  # "Trois quarts" overlaps B by nothing


def test_the_previous_ids_survive_a_rebuild_with_a_new_member() -> None:
    graph, lexicon = two_groups()
    first = clusters_of(graph, lexicon)
    previous = [PreviousCluster(c.id, c.name, c.notes) for c in first]
    files = {**group((*A, "A/a5.md"), "A/a2.md"), **group(B, "B/b2.md")}
    grown = by_first(clusters_of(graph_of(files)[0], lexicon, previous))
    assert grown["A"].notes == tuple(sorted((*A, "A/a5.md")))
    assert (grown["A"].id, grown["A"].name) == (by_first(first)["A"].id, by_first(first)["A"].name)


# --- names ------------------------------------------------------------------------------------------


def test_names_join_top_keywords_with_et_in_french() -> None:
    found = by_first(clusters_of(*two_groups("fr")))
    # Words of member titles first, then by weight; generic words (idée) are left out.
    assert found["A"].name == "Boussole, vision et cap"
    assert found["A"].keywords == ("boussole", "vision", "cap", "phare")
    assert found["B"].name == "Cuisine, beurre et crème"  # accents kept


def test_names_join_top_keywords_with_and_in_english() -> None:
    found = by_first(clusters_of(*two_groups("en")))
    assert found["A"].name == "Boussole, vision and cap"
    assert found["B"].name == "Cuisine, beurre and crème"


def test_a_tag_much_more_frequent_in_the_cluster_leads_the_name() -> None:
    files = {**group(A, "A/a2.md"), **group(B, "B/b2.md")}
    for rel in A:
        files[rel] += " #management"
    files["B/b1.md"] += " #management"  # 4 of 4 in A, 5 of 8 in the vault: much more frequent
    found = by_first(clusters_of(*graph_of(files)))
    assert found["A"].name == "Management, boussole et vision"


def test_a_tag_as_frequent_in_the_vault_does_not_name() -> None:
    files = {**group(A, "A/a2.md"), **group(B, "B/b2.md")}
    for rel in (*A, *B[:3]):
        files[rel] += " #partout"
    found = by_first(clusters_of(*graph_of(files)))
    assert found["A"].name == "Boussole, vision et cap"


def test_two_clusters_never_share_a_name() -> None:
    same = dict.fromkeys(KEYWORDS, (("vision", 0.5), ("phare", 0.4), ("cap", 0.3)))
    graph, lexicon = graph_of({**group(A, "A/a2.md"), **group(B, "B/b2.md")}, keywords=same)
    clusters = clusters_of(graph, lexicon)
    names = [cluster.name for cluster in clusters]
    assert len(set(names)) == 2
    assert "Vision, phare et cap" in names


def test_a_cluster_without_keywords_is_named_after_its_hub() -> None:
    graph, lexicon = graph_of(
        group(("Le sens du travail.md", "x1.md", "x2.md"), "Le sens du travail.md"), keywords={}
    )
    (cluster,) = clusters_of(graph, lexicon)
    assert cluster.name == "Le sens du travail"


FRENCH_VAULT = {
    "Idées/Une équipe a besoin de sens.md": (
        "L’équipe cherche du sens. [[La vision guide l’équipe]] et [[Le sens précède la stratégie]]."
    ),
    "Idées/La vision guide l’équipe.md": (
        "Une vision désirable réunit l’équipe. [[Une équipe a besoin de sens]]"
    ),
    "Idées/Le sens précède la stratégie.md": (
        "Le sens avant la stratégie, la vision avant le plan. [[Une équipe a besoin de sens]]"
    ),
    "Idées/La stratégie est un choix.md": (
        "Choisir une stratégie, c’est renoncer. [[Le sens précède la stratégie]]"
    ),
    "Cuisine/Le beurre noisette.md": "Le beurre noisette parfume la pâtisserie. [[La crème fouettée]]",
    "Cuisine/La crème fouettée.md": (
        "Une crème bien froide, un fouet. [[Le beurre noisette]] [[Pâtisserie légère]]"
    ),
    "Cuisine/Pâtisserie légère.md": "Moins de beurre, plus de crème légère. [[Le beurre noisette]]",
    "Cuisine/Le fouet et la pâtisserie.md": (
        "Le fouet monte la crème pour la pâtisserie. [[La crème fouettée]]"
    ),
}
ENGLISH_VAULT = {
    "Ideas/A team needs meaning.md": (
        "The team looks for meaning. [[Vision guides the team]] [[Meaning comes before strategy]]"
    ),
    "Ideas/Vision guides the team.md": "A desirable vision unites the team. [[A team needs meaning]]",
    "Ideas/Meaning comes before strategy.md": (
        "Meaning before strategy, vision before the plan. [[A team needs meaning]]"
    ),
    "Ideas/Strategy is a choice.md": "Choosing a strategy means giving up. [[Meaning comes before strategy]]",
    "Kitchen/Brown butter.md": "Brown butter flavours the pastry. [[Whipped cream]]",
    "Kitchen/Whipped cream.md": "Cold cream and a whisk. [[Brown butter]] [[Light pastry]]",
    "Kitchen/Light pastry.md": "Less butter, more light cream. [[Brown butter]]",
    "Kitchen/The whisk and the pastry.md": "The whisk whips the cream for the pastry. [[Whipped cream]]",
}
STOP = {word.casefold() for word in get_stop_words("french") + get_stop_words("english")}


def _name_words(name: str, connector: str) -> list[str]:
    head, _, last = name.rpartition(f" {connector} ")
    return [*head.split(", "), last] if head else [name]


def test_names_on_a_french_vault(make_vault: MakeVault) -> None:
    vault = make_vault(FRENCH_VAULT)
    config = default_config(vault)
    analysis = analyse(config, read_vault(config, Report()), now=date(2024, 6, 1))
    assert analysis.lexicon.language == "fr"
    names = sorted(cluster.name for cluster in analysis.clusters)
    assert len(analysis.clusters) == 2
    for name in names:
        parts = _name_words(name, "et")
        assert len(parts) == 3, name
        assert all(part and part.casefold() not in STOP for part in parts), name
    assert any("è" in name or "é" in name or "â" in name for name in names), names
    # Every word of a name is written exactly so (accents included) in the notes.
    written = {word.casefold() for text in FRENCH_VAULT.values() for word in re.findall(r"\w+", text)}
    written |= {word.casefold() for rel in FRENCH_VAULT for word in re.findall(r"\w+", rel)}
    assert all(part.casefold() in written for name in names for part in _name_words(name, "et")), names
    assert {cluster.notes[0].split("/")[0] for cluster in analysis.clusters} == {"Idées", "Cuisine"}


def test_names_on_an_english_vault(make_vault: MakeVault) -> None:
    vault = make_vault(ENGLISH_VAULT)
    config = default_config(vault)
    analysis = analyse(config, read_vault(config, Report()), now=date(2024, 6, 1))
    assert analysis.lexicon.language == "en"
    assert len(analysis.clusters) == 2
    for cluster in analysis.clusters:
        parts = _name_words(cluster.name, "and")
        assert len(parts) == 3, cluster.name
        assert all(part and part.casefold() not in STOP for part in parts), cluster.name
        assert " et " not in cluster.name


def test_the_pipeline_gives_the_same_clusters_twice(make_vault: MakeVault) -> None:
    vault = make_vault(FRENCH_VAULT)
    config = default_config(vault)
    first = analyse(config, read_vault(config, Report()), now=date(2024, 6, 1)).clusters
    second = analyse(config, read_vault(config, Report()), now=date(2024, 6, 1)).clusters
    assert first == second
    assert all(ID.fullmatch(cluster.id) for cluster in first)


# --- helpers, against the plain loops they replaced -----------------------------------------------


def random_groups(graph: IdeaGraph, pick: random.Random) -> list[tuple[str, ...]]:
    """Three groups of notes, sorted, and some notes in none."""
    groups: list[list[str]] = [[], [], []]
    for rel in sorted(graph.notes):
        if pick.random() < 0.8:
            groups[pick.randrange(3)].append(rel)
    return [tuple(notes) for notes in groups]


def reference_inside(graph: IdeaGraph, notes: Sequence[str]) -> dict[str, float]:
    """Each member's weight to the other members, summed over its neighbour dict."""
    members = set(notes)
    return {
        rel: float(sum([data["weight"] for other, data in graph.adjacency[rel].items() if other in members]))
        for rel in notes
    }


def reference_hub(graph: IdeaGraph, notes: Sequence[str], hub_tags: frozenset[str]) -> str | None:
    """The first member with the greatest (tagged as a hub, weight inside)."""
    inside = reference_inside(graph, notes)
    best: tuple[bool, float, str] | None = None
    for rel in notes:
        candidate = (not hub_tags.isdisjoint(graph.notes[rel].tags), inside[rel], rel)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


@pytest.mark.parametrize("seed", range(6))
def test_inside_weights_and_hubs_are_those_of_the_plain_loops(seed: int) -> None:
    vault, pick = RandomVault(seed), random.Random(seed)
    for _ in range(15):
        vault.change()
        graph = built(vault, vault.notes())
        groups = random_groups(graph, pick)
        inside = _inside_weights(graph, groups)
        expected: dict[str, float] = {}
        for notes in groups:
            expected.update(reference_inside(graph, notes))
        assert inside == expected
        for hub_tags in (frozenset(), frozenset({"moc"}), frozenset({"vision", "écriture"})):
            for notes in groups:
                assert _hub(graph, notes, hub_tags, inside) == reference_hub(graph, notes, hub_tags)


def test_inside_weights_follow_neighbour_order_and_leave_ghosts_out() -> None:
    network = nx.Graph()
    network.add_nodes_from(["a.md", "b.md", "c.md", "d.md", "e.md", "ghost:x"])
    for other, weight in (("b.md", 1.0), ("c.md", 1e-16), ("d.md", 1e-16), ("ghost:x", 5.0)):
        network.add_edge("a.md", other, weight=weight, kinds={"tag": weight}, evidence=())
    notes = {rel: parse_note(rel, "") for rel in ("a.md", "b.md", "c.md", "d.md", "e.md")}
    graph = IdeaGraph(network, notes, {"ghost:x": "x"}, (), {}, frozenset(), {}, dict(network.adjacency()))
    inside = _inside_weights(graph, [("a.md", "b.md", "c.md", "d.md"), ("e.md",)])
    assert inside == {
        "a.md": sum([1.0, 1e-16, 1e-16]),
        "b.md": 1.0,
        "c.md": 1e-16,
        "d.md": 1e-16,
        "e.md": 0.0,
    }
    assert inside["a.md"] != sum([1e-16, 1e-16, 1.0])  # the order shows
    assert _hub(graph, ("a.md", "b.md", "c.md", "d.md"), frozenset(), inside) == "a.md"
    assert _hub(graph, ("c.md", "d.md"), frozenset(), inside) == "c.md"  # the first among equals


def reference_keywords(graph: IdeaGraph, lexicon: Lexicon, notes: Sequence[str]) -> tuple[str, ...]:
    """The words of the most member titles, then by summed weight, generic words dropped first."""
    in_titles: Counter[str] = Counter()
    for rel in notes:
        in_titles.update({word.casefold() for word in graph.notes[rel].name.split() if len(word) >= 3})
    totals: dict[str, float] = {}
    for rel in notes:
        for word, weight in lexicon.keywords.get(rel, ()):
            if word.casefold() not in _GENERIC:
                totals[word] = totals.get(word, 0.0) + weight
    ranked = sorted(
        totals.items(), key=lambda item: (-min(in_titles[item[0].casefold()], 3), -item[1], item[0])
    )
    return tuple(word for word, _ in ranked[:6])


@pytest.mark.parametrize("seed", range(6))
def test_keywords_are_those_of_the_plain_loop(seed: int) -> None:
    vault, pick = RandomVault(seed), random.Random(seed)
    words = ["idée", "Idée", "IDÉES", "vision", "Vision", "cap", "phare", "notes", "boussole", "pensé"]
    for _ in range(10):
        vault.change()
        graph = built(vault, vault.notes())
        keywords = {
            rel: tuple((pick.choice(words), pick.choice([0.1, 0.2, 0.3, pick.random()])) for _ in range(5))
            for rel in graph.notes
            if pick.random() < 0.9
        }
        lexicon = Lexicon("fr", keywords, {})
        for notes in random_groups(graph, pick):
            assert _keywords(lexicon, notes) == reference_keywords(graph, lexicon, notes)


def test_title_words_are_the_words_of_the_note_name() -> None:
    for rel in (
        "A/Une boussole.md",
        "Deep Work l'été.md",
        "x/y/Le Cap’ du Nord.MD",
        "sans extension",
        "a.md",
    ):
        note = parse_note(rel, "")
        expected = frozenset(
            w.casefold() for w in note.name.replace("’", " ").replace("'", " ").split() if len(w) >= 3
        )
        assert _title_words(rel) == expected
