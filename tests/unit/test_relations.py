"""Ghost ideas, orphans with their link suggestions, and gaps (README "The idea engine", last paragraph).

Graphs are built in memory from parsed notes; clusters are made by hand so that each gap is known.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest

from tests.unit.test_graph_patch import RandomVault, built
from tlvault.config import ClusterConfig, Config
from tlvault.graph import build_graph
from tlvault.i18n import text
from tlvault.parse import parse_note
from tlvault.relations import (
    CORE_NOTES,
    GAP_RATIO,
    GAPS,
    TIMELINE,
    EdgeWalk,
    cluster_bridges,
    core_notes,
    find_gaps,
    timeline,
    walk_edges,
)
from tlvault.resolve import resolve_links
from tlvault.results import (
    Cluster,
    ClusterBridge,
    Gap,
    GhostIdea,
    IdeaGraph,
    Insights,
    Lexicon,
    Mention,
    Orphan,
    Suggestion,
)
from tlvault.score import _reach_sums, score_clusters

CONFIG = Config(vault=Path("vault"))
TODAY = date(2024, 6, 15)


def graph_of(files: Mapping[str, str], others: Sequence[str] = ()) -> IdeaGraph:
    notes = [parse_note(rel, text) for rel, text in files.items()]
    return build_graph(notes, resolve_links(notes, sorted([*files, *others])), Lexicon("fr", {}, {}), CONFIG)


def cluster(cid: str, notes: Sequence[str], name: str, ghosts: Sequence[str] = ()) -> Cluster:
    return Cluster(cid, name, tuple(sorted(notes)), tuple(ghosts), None, ())


def insights(
    graph: IdeaGraph, clusters: Sequence[Cluster] = (), *, language: str = "fr", min_size: int = 3
) -> Insights:
    config = replace(CONFIG, cluster=ClusterConfig(min_size=min_size))
    return score_clusters(graph, clusters, config, today=TODAY, language=language)


def ghosts_of(graph: IdeaGraph, clusters: Sequence[Cluster] = ()) -> tuple[GhostIdea, ...]:
    return insights(graph, clusters).ghosts


def orphans_of(graph: IdeaGraph, language: str = "fr") -> tuple[Orphan, ...]:
    return insights(graph, language=language).orphans


def gaps_of(
    graph: IdeaGraph, clusters: Sequence[Cluster], language: str = "fr", min_size: int = 3
) -> tuple[Gap, ...]:
    return insights(graph, clusters, language=language, min_size=min_size).gaps


# --- ghost ideas ----------------------------------------------------------------------------------

GHOSTS = {
    "a.md": "[[Projet X]] et [[Projet Y]]",
    "b.md": "[[projet x]] ![[image.png]] [[Rapport.PDF]] [[Projet V]]",
    "c.md": "[[Projet Z]] [[Projet X#Plan]] [[Projet V|un alias]]",
    "Journal/2024-03-01.md": "Penser à [[Projet Y]].",
    "Journal/2024-03-02.md": "[[Projet Y]] le matin.\n\nEncore [[Projet Y]] le soir.",
    "Journal/2024-03-02 soir.md": "[[Projet Y]] toujours.",
    "Journal/2024-03-05.md": "[[Projet Z]] et [[Projet W]] ![[photo.jpg]]\n\n[[Projet T]]",
}


def test_ghosts_rank_by_linking_notes_plus_distinct_journal_days() -> None:
    graph = graph_of(GHOSTS)
    ghosts = ghosts_of(graph, [cluster("c-000001", ["b.md"], "Projets", ["ghost:projet x"])])
    assert ghosts == (
        # Y and X: 3 each (Y: 1 note + 2 days, the two journal notes of March 2 counting once;
        # X: 3 notes); more journal days first.
        GhostIdea("ghost:projet y", "Projet Y", ("a.md",), (date(2024, 3, 1), date(2024, 3, 2)), None),
        GhostIdea("ghost:projet x", "Projet X", ("a.md", "b.md", "c.md"), (), "c-000001"),
        # Z and V: 2 each (Z: 1 note + 1 day, V: 2 notes).
        GhostIdea("ghost:projet z", "Projet Z", ("c.md",), (date(2024, 3, 5),), None),
        GhostIdea("ghost:projet v", "Projet V", ("b.md", "c.md"), (), None),
        # T and W: 1 day each: by name.
        GhostIdea("ghost:projet t", "Projet T", (), (date(2024, 3, 5),), None),
        GhostIdea("ghost:projet w", "Projet W", (), (date(2024, 3, 5),), None),
    )


def test_missing_attachments_are_not_ghost_ideas() -> None:
    labels = {ghost.label for ghost in ghosts_of(graph_of(GHOSTS))}
    assert labels == {"Projet T", "Projet V", "Projet W", "Projet X", "Projet Y", "Projet Z"}


@pytest.mark.parametrize(
    "target", ["image.png", "Rapport.PDF", "photo.jpeg", "Vue.base", "son.mp3", "Tableau.canvas"]
)
def test_a_missing_file_of_any_kind_is_not_a_ghost_idea(target: str) -> None:
    # README: files that are not notes (images, PDF, .canvas, .base) are link targets only, and
    # "missing attachments such as image.png are not ideas".
    graph = graph_of({"a.md": f"[[{target}]] [[Vraie idée]]"})
    assert [ghost.label for ghost in ghosts_of(graph)] == ["Vraie idée"]


def test_at_most_fifty_ghost_ideas_most_named_first() -> None:
    files = {
        f"n{index:02d}.md": " ".join(f"[[Idée {k:02d}]]" for k in range(index + 1)) for index in range(60)
    }
    ghosts = ghosts_of(graph_of(files))
    assert len(ghosts) == 50
    assert [len(ghost.notes) for ghost in ghosts] == list(range(60, 10, -1))
    assert ghosts[0].label == "Idée 00"


def test_score_clusters_ranks_ghosts_with_their_cluster() -> None:
    files = {"a.md": "[[b]] [[Projet]]", "b.md": "[[c]] [[Projet]]", "c.md": "[[a]]"}
    graph = graph_of(files)
    clusters = [Cluster("c-000001", "Sujet", ("a.md", "b.md", "c.md"), ("ghost:projet",), "a.md", ())]
    found = insights(graph, clusters)
    assert found.ghosts == (GhostIdea("ghost:projet", "Projet", ("a.md", "b.md"), (), "c-000001"),)
    assert dict(found.ghost_labels) == {"ghost:projet": "Projet"}


# --- orphans --------------------------------------------------------------------------------------

# Orphelin has no written link; the journal cites it with a and with b; its tag #thème joins it to
# c and d, which both link to e: e is two steps away through two neighbours.
ORPHANS = {
    "Orphelin.md": "---\nupdated: 2024-06-10\n---\n#thème Une note seule.",
    "a.md": "---\nupdated: 2024-06-01\n---\n[[b]]",
    "b.md": "[[a]]",
    "c.md": "#thème [[e]]",
    "d.md": "#thème [[e]]",
    "e.md": "",
    "Récente.md": "---\nupdated: 2024-06-12\n---\nSans lien.",
    "Ancienne.md": "---\ncreated: 2023-01-01\n---\nSans lien.",
    "Sans date.md": "Sans lien.",
    "Image.md": "![[photo.png]] [[2024-06-01]]",
    "Journal/2024-06-01.md": "J'ai relié [[Orphelin]] et [[a]].\n\nPuis [[b]] avec [[Orphelin]].\n",
    "Journal/2024-06-02.md": "Encore [[a]] et [[Orphelin]] ensemble.\n",
}


def test_orphans_are_notes_without_written_links_most_recent_first() -> None:
    orphans = orphans_of(graph_of(ORPHANS, ["photo.png"]), "fr")
    # Not in the README: notes with no date at all come last, by path.
    assert [orphan.note for orphan in orphans] == [
        "Récente.md",
        "Orphelin.md",
        "Ancienne.md",
        "Image.md",
        "Sans date.md",
    ]


def test_orphan_suggestions_cocitations_first_then_adamic_adar() -> None:
    orphans = {orphan.note: orphan for orphan in orphans_of(graph_of(ORPHANS, ["photo.png"]), "fr")}
    assert orphans["Orphelin.md"] == Orphan(
        "Orphelin.md",
        (
            Suggestion("a.md", "citée avec elle dans ton journal", "J'ai relié [[Orphelin]] et [[a]]."),
            Suggestion("b.md", "citée avec elle dans ton journal", "Puis [[b]] avec [[Orphelin]]."),
            # e shares c and d (3 neighbours each) with Orphelin: 2 / ln 3, above c or d (1 / ln 3).
            Suggestion("e.md", "2 voisins en commun", None),
        ),
    )


def test_orphan_suggestions_in_english() -> None:
    orphans = {orphan.note: orphan for orphan in orphans_of(graph_of(ORPHANS, ["photo.png"]), "en")}
    assert [(s.target, s.reason) for s in orphans["Orphelin.md"].suggestions] == [
        ("a.md", "cited with it in your journal"),
        ("b.md", "cited with it in your journal"),
        ("e.md", "2 neighbours in common"),
    ]


def test_adamic_adar_orders_the_suggestions() -> None:
    # O's tag joins it to p, q and r. Two steps away: s (through p and q), t (through r), and
    # p, q, r themselves (through each other). Adamic–Adar: s = 1/ln deg(p) + 1/ln deg(q).
    files = {
        "O.md": "#lien",
        "p.md": "#lien [[s]]",
        "q.md": "#lien [[s]]",
        "r.md": "#lien [[t]] [[u]] [[v]]",
        "s.md": "",
        "t.md": "",
        "u.md": "",
        "v.md": "",
    }
    graph = graph_of(files)
    degree = dict(graph.graph.degree)
    assert (degree["p.md"], degree["q.md"], degree["r.md"]) == (4, 4, 6)
    scores = {
        "s.md": 1 / math.log(4) + 1 / math.log(4),
        "p.md": 1 / math.log(4) + 1 / math.log(6),  # through q and r
        "q.md": 1 / math.log(4) + 1 / math.log(6),
        "r.md": 1 / math.log(4) + 1 / math.log(4),  # through p and q
        "t.md": 1 / math.log(6),
    }
    best = sorted(scores, key=lambda rel: (-scores[rel], rel))[:3]
    assert best == ["r.md", "s.md", "p.md"]
    orphan = next(o for o in orphans_of(graph, "fr") if o.note == "O.md")
    assert [s.target for s in orphan.suggestions] == best
    assert [s.reason for s in orphan.suggestions] == [
        "2 voisins en commun",
        "2 voisins en commun",
        "2 voisins en commun",
    ]
    assert all(s.evidence is None for s in orphan.suggestions)


def test_at_most_three_suggestions_even_from_the_journal() -> None:
    files = {
        "O.md": "",
        **{f"n{index}.md": "" for index in range(5)},
        "Journal/J.md": "[[O]] " + " ".join(f"[[n{index}]]" for index in range(5)),
    }
    orphan = next(o for o in orphans_of(graph_of(files), "fr") if o.note == "O.md")
    assert [s.target for s in orphan.suggestions] == ["n0.md", "n1.md", "n2.md"]
    assert {s.evidence for s in orphan.suggestions} == {files["Journal/J.md"]}


def test_an_orphan_with_nothing_around_gets_no_suggestion() -> None:
    orphans = orphans_of(graph_of({"Seule.md": "Rien.", "a.md": "[[b]]", "b.md": ""}), "fr")
    assert orphans == (Orphan("Seule.md", ()),)


def test_a_note_linked_to_a_ghost_is_not_an_orphan() -> None:
    assert orphans_of(graph_of({"a.md": "[[Pas encore écrite]]"}), "fr") == ()


def test_at_most_fifty_orphans() -> None:
    files = {f"n{index:02d}.md": f"---\nupdated: 2024-01-{index % 28 + 1:02d}\n---\n" for index in range(55)}
    orphans = orphans_of(graph_of(files), "fr")
    assert len(orphans) == 50
    assert orphans[0].note == "n27.md"  # January 28, the latest day; then January 27 by path
    assert [orphan.note for orphan in orphans[1:3]] == ["n26.md", "n54.md"]


# --- gaps -----------------------------------------------------------------------------------------


def chain(folder: str, count: int) -> dict[str, str]:
    """`count` notes in `folder`, each linking to the next: one connected group."""
    return {
        f"{folder}/{folder.lower()}{index}.md": f"[[{folder.lower()}{index + 1}]]"
        if index + 1 < count
        else ""
        for index in range(count)
    }


def members(folder: str, count: int) -> list[str]:
    return list(chain(folder, count))


def test_two_large_clusters_barely_touching_are_a_gap_with_their_bridges() -> None:
    files = {
        **chain("A", 6),
        **chain("B", 6),
        "Y.md": "[[a1]] [[b1]]",  # 2 into A and 2 into B: the most even
        "X.md": "[[a0]] [[b0]]",  # 1 and 2
        "V.md": "[[a2]]",  # 1 and 0.5
        "W.md": "[[a3]] #commun",  # 1 and 0.3: fourth, left out
        "Journal/2024-01-01.md": "[[V]] et [[b2]]",
    }
    files["A/a1.md"] += " [[Y]]"
    files["B/b1.md"] += " [[Y]]"
    files["B/b0.md"] += " [[X]]"
    files["B/b3.md"] += " #commun"
    clusters = [
        cluster("c-00000a", members("A", 6), "Leadership"),
        cluster("c-00000b", members("B", 6), "Cuisine"),
    ]
    gaps = gaps_of(graph_of(files), clusters, "fr", 3)
    assert gaps == (
        Gap(
            ("c-00000a", "c-00000b"),
            "Qu’est-ce qui relie « Leadership » et « Cuisine » ?",
            ("Y.md", "X.md", "V.md"),
        ),
    )
    english = gaps_of(graph_of(files), clusters, "en", 3)
    assert english[0].question == "What connects “Leadership” and “Cuisine”?"


def gap_vault(direct: str) -> tuple[IdeaGraph, list[Cluster]]:
    """A and B (6 notes each), a bridge note, and `direct` appended to a0 (edges straight into B)."""
    files = {**chain("A", 6), **chain("B", 6), "Pont.md": "[[a5]] [[b5]]"}
    files["A/a0.md"] += " " + direct
    files["B/b3.md"] += " #pont"
    clusters = [cluster("c-00000a", members("A", 6), "Un"), cluster("c-00000b", members("B", 6), "Deux")]
    return graph_of(files), clusters


def test_a_gap_is_less_than_point_two_of_weight_per_note_of_the_smaller() -> None:
    graph, clusters = gap_vault("[[b0]]")  # 1 / 6 < 0.2
    gaps = gaps_of(graph, clusters, "fr", 3)
    assert [gap.clusters for gap in gaps] == [("c-00000a", "c-00000b")]
    assert gaps[0].bridges == ("A/a0.md", "B/b0.md", "Pont.md")  # every note touching both
    graph, clusters = gap_vault("[[b0]] [[b1]]")  # 2 / 6 ≥ 0.2
    assert gaps_of(graph, clusters, "fr", 3) == ()
    graph, clusters = gap_vault("[[b0]] #pont")  # with a0: 1 + 0.3 shared with b3 = 1.3 / 6 ≥ 0.2
    assert graph.graph.edges["A/a0.md", "B/b3.md"]["weight"] == pytest.approx(0.3)
    assert gaps_of(graph, clusters, "fr", 3) == ()


def test_no_gap_without_a_note_touching_both() -> None:
    files = {**chain("A", 6), **chain("B", 6)}
    clusters = [cluster("c-00000a", members("A", 6), "Un"), cluster("c-00000b", members("B", 6), "Deux")]
    assert gaps_of(graph_of(files), clusters, "fr", 3) == ()


def test_gaps_need_clusters_of_twice_min_size() -> None:
    files = {**chain("A", 6), **chain("B", 5), "Pont.md": "[[a0]] [[b0]]"}
    clusters = [cluster("c-00000a", members("A", 6), "Un"), cluster("c-00000b", members("B", 5), "Deux")]
    graph = graph_of(files)
    assert gaps_of(graph, clusters, "fr", 3) == ()
    assert [gap.clusters for gap in gaps_of(graph, clusters, "fr", 2)] == [("c-00000a", "c-00000b")]


def test_at_most_three_gaps_largest_pairs_first() -> None:
    sizes = {"A": 12, "B": 8, "C": 7, "D": 6}  # pairs: 20, 19, 18, then 15 and less
    files: dict[str, str] = {}
    for folder, size in sizes.items():
        files |= chain(folder, size)
    files["Pont.md"] = "[[a0]] [[b0]] [[c0]] [[d0]]"
    clusters = [cluster(f"c-00000{f.lower()}", members(f, size), f"Nom {f}") for f, size in sizes.items()]
    gaps = gaps_of(graph_of(files), clusters, "fr", 3)
    # Six pairs, all with weight 0 between them: the largest pairs (most notes in all) first.
    assert [gap.clusters for gap in gaps] == [
        ("c-00000a", "c-00000b"),
        ("c-00000a", "c-00000c"),
        ("c-00000a", "c-00000d"),
    ]
    assert all(gap.bridges == ("Pont.md",) for gap in gaps)


def test_only_the_eight_largest_clusters_are_looked_at() -> None:
    files: dict[str, str] = {}
    clusters = []
    for number in range(9):
        folder = "ABCDEFGHI"[number]
        size = 7 if number < 8 else 6
        files |= chain(folder, size)
        clusters.append(cluster(f"c-00000{number}", members(folder, size), f"Nom {folder}"))
    files["Pont.md"] = "[[a0]] [[i0]]"  # the first and the ninth
    files["Pont 2.md"] = "[[b0]] [[h0]]"  # the second and the eighth
    gaps = gaps_of(graph_of(files), clusters, "fr", 3)
    assert [gap.clusters for gap in gaps] == [("c-000001", "c-000007")]


def test_candidates_with_the_same_neighbour_degrees_tie_whatever_the_set_order() -> None:
    # X and Y reach O through four notes each, of degrees 2, 3, 4 and 5: the same Adamic–Adar
    # index, though a plain float sum in a set's order (which changes with the run) can differ.
    files = {"O.md": "#ta #tb #tc #td #te #tf #tg #th", "X.md": "[[a]] [[b]] [[c]] [[d]]"}
    files["Y.md"] = "[[e]] [[f]] [[g]] [[h]]"
    for near, extra in zip("abcdefgh", (0, 1, 2, 3) * 2, strict=True):
        files[f"{near}.md"] = f"#t{near} " + " ".join(f"[[{near}{index}]]" for index in range(extra))
    graph = graph_of(files)
    assert sorted(graph.graph.degree(f"{near}.md") for near in "abcd") == [2, 3, 4, 5]
    orphan = next(o for o in orphans_of(graph, "fr") if o.note == "O.md")
    assert [s.target for s in orphan.suggestions][:2] == ["X.md", "Y.md"]


# --- helpers, against the plain loops they replaced -----------------------------------------------


def random_clusters(graph: IdeaGraph, pick: random.Random, count: int = 4) -> list[Cluster]:
    """`count` clusters of notes and ghosts (members sorted), some nodes in none, hubs at random."""
    groups: list[list[str]] = [[] for _ in range(count)]
    for node in sorted(graph.graph.nodes):
        if pick.random() < 0.85 and (node in graph.notes or node in graph.ghosts):
            groups[pick.randrange(count)].append(node)
    clusters = []
    for index, nodes in enumerate(groups):
        notes = tuple(node for node in nodes if node in graph.notes)
        ghosts = tuple(node for node in nodes if node in graph.ghosts)
        hub = pick.choice([None, *notes[:3]])
        clusters.append(Cluster(f"c{index}", f"Sujet {index}", notes, ghosts, hub, ()))
    return clusters


def random_cases(seed: int, steps: int = 12) -> Iterator[tuple[IdeaGraph, list[Cluster], EdgeWalk]]:
    """Random graphs, each with random clusters and the walk over its edges."""
    vault, pick = RandomVault(seed), random.Random(seed)
    for _ in range(steps):
        vault.change()
        graph = built(vault, vault.notes())
        clusters = random_clusters(graph, pick, pick.randint(1, 5))
        membership = {node: c.id for c in clusters for node in (*c.notes, *c.ghosts)}
        yield graph, clusters, walk_edges(graph, membership)


def reference_bridges(
    cluster: Cluster, reach: Mapping[str, Mapping[str, float]]
) -> tuple[ClusterBridge, ...]:
    totals: dict[str, float] = defaultdict(float)
    touching: dict[str, list[str]] = defaultdict(list)
    for rel in cluster.notes:
        for owner, weight in reach.get(rel, {}).items():
            if owner not in ("", cluster.id):
                totals[owner] += weight
                touching[owner].append(rel)
    ranked = sorted((-weight, owner) for owner, weight in totals.items() if weight >= 1.0)
    return tuple(
        ClusterBridge(owner, round(-weight, 3), tuple(touching[owner][:3])) for weight, owner in ranked
    )


def reference_timeline(graph: IdeaGraph, cluster: Cluster) -> tuple[Mention, ...]:
    seen: set[tuple[str, str]] = set()
    mentions = []
    for node in (*cluster.notes, *cluster.ghosts):
        for mention in graph.mentions.get(node, ()):
            if (mention.journal, mention.text) not in seen:
                seen.add((mention.journal, mention.text))
                mentions.append(mention)
    mentions.sort(key=lambda m: (m.day, m.journal, m.text), reverse=True)
    return tuple(mentions[:TIMELINE])


def reference_gaps(
    graph: IdeaGraph, clusters: Sequence[Cluster], reach: Mapping[str, Mapping[str, float]], min_size: int
) -> tuple[Gap, ...]:
    large = [c for c in clusters if len(c.notes) >= 2 * min_size][:8]
    gaps = []
    for first, second in combinations(large, 2):
        weight = sum(reach.get(node, {}).get(second.id, 0.0) for node in (*first.notes, *first.ghosts))
        ratio = weight / min(len(first.notes), len(second.notes))
        found = []
        for node in graph.notes:
            weights = reach.get(node, {})
            if weights.get(first.id, 0) > 0 and weights.get(second.id, 0) > 0:
                found.append((-min(weights[first.id], weights[second.id]), node))
        bridges = tuple(node for _, node in sorted(found)[:3])
        if ratio < GAP_RATIO and bridges:
            score = (len(first.notes) + len(second.notes)) * (1 - ratio / GAP_RATIO)
            question = text("fr", "gap.question", first=first.name, second=second.name)
            gaps.append((-score, first.id, second.id, Gap((first.id, second.id), question, bridges)))
    return tuple(gap for *_, gap in sorted(gaps)[:GAPS])


@pytest.mark.parametrize("seed", range(6))
def test_cluster_helpers_give_what_the_plain_loops_gave(seed: int) -> None:
    for graph, clusters, walk in random_cases(seed):
        for c in clusters:
            sums = _reach_sums(c, walk.reach)
            assert cluster_bridges(sums.from_notes, sums.touching) == reference_bridges(c, walk.reach)
            mentions = [m for node in (*c.notes, *c.ghosts) for m in graph.mentions.get(node, ())]
            assert timeline(mentions) == reference_timeline(graph, c)
            inside = {rel: walk.reach[rel].get(c.id, 0.0) for rel in c.notes}
            ranked = sorted(c.notes, key=lambda rel: (rel != c.hub, -inside[rel], rel))[:CORE_NOTES]
            assert core_notes(c, inside) == tuple(ranked)
        for min_size in (1, 2, 3):
            found = find_gaps(graph, clusters, walk.reach, "fr", min_size)
            assert found == reference_gaps(graph, clusters, walk.reach, min_size)


def test_gap_weights_add_as_before_with_zeros_between() -> None:
    """The weight between two clusters: `sum` over the members, which the zeros leave alone."""
    reach = {
        "a.md": {"c1": 1.0, "c2": 1e-16},
        "b.md": {"c1": 1.0},
        "c.md": {"c1": 1.0, "c2": 3e-16},
        "x.md": {"c2": 1.0, "c1": 0.5},
    }
    first = Cluster("c1", "Un", ("a.md", "b.md", "c.md"), (), None, ())
    second = Cluster("c2", "Deux", ("x.md",), (), None, ())
    graph = graph_of(dict.fromkeys(reach, ""))
    found = find_gaps(graph, [first, second], reach, "fr", 0)
    assert found == reference_gaps(graph, [first, second], reach, 0)
    assert found[0].bridges == ("x.md", "c.md", "a.md")
