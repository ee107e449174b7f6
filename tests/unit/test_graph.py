"""build_graph and friends: every edge kind and weight of README "The idea engine" (Graph), exactly.

Inputs are parsed in memory (parse_note + resolve_links); nothing touches the disk.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from tests.conftest import MakeVault
from tlvault.config import Config, GraphConfig, JournalConfig, default_config
from tlvault.graph import build_graph, export_graph, ghost_key, is_journal, journal_day
from tlvault.model import Note
from tlvault.parse import parse_note
from tlvault.pipeline import analyse, read_vault
from tlvault.report import Report
from tlvault.resolve import resolve_links
from tlvault.results import Cluster, IdeaGraph, Lexicon, Mention

CONFIG = Config(vault=Path("vault"))
NO_WORDS = Lexicon("fr", {}, {})
MTIME_NS = 1_700_000_000 * 10**9  # 2023-11-14 22:13:20 UTC


def graph_of(
    files: Mapping[str, str],
    *,
    others: Sequence[str] = (),
    lexicon: Lexicon = NO_WORDS,
    config: Config = CONFIG,
) -> IdeaGraph:
    """The idea graph of notes `{rel: text}`; `others` are attachments that exist in the vault."""
    notes = [parse_note(rel, text, MTIME_NS) for rel, text in files.items()]
    resolved = resolve_links(notes, sorted([*files, *others]))
    return build_graph(notes, resolved, lexicon, config)


def edge(graph: IdeaGraph, a: str, b: str) -> dict[str, Any]:
    """The attributes of the edge a–b."""
    return dict(graph.graph.edges[a, b])


def edges(graph: IdeaGraph) -> dict[tuple[str, str], float]:
    """Every edge as a sorted pair -> its weight."""
    return {(min(a, b), max(a, b)): weight for a, b, weight in graph.graph.edges(data="weight")}


def note(rel: str, text: str = "", mtime_ns: int | None = MTIME_NS) -> Note:
    return parse_note(rel, text, mtime_ns)


# --- written links ----------------------------------------------------------------------------


def test_one_link_weighs_one() -> None:
    graph = graph_of({"a.md": "Voir [[b]].", "b.md": "Rien ici."})
    assert edges(graph) == {("a.md", "b.md"): 1.0}
    assert edge(graph, "a.md", "b.md")["kinds"] == {"wikilink": 1.0}
    assert edge(graph, "a.md", "b.md")["evidence"] == ()


def test_a_link_written_twice_still_weighs_one() -> None:
    graph = graph_of({"a.md": "[[b]] puis encore [[b]] et [[B|la même]].", "b.md": ""})
    assert edges(graph) == {("a.md", "b.md"): 1.0}


def test_mutual_links_weigh_two() -> None:
    graph = graph_of({"a.md": "[[b]]", "b.md": "[[a]]"})
    assert edges(graph) == {("a.md", "b.md"): 2.0}
    assert edge(graph, "a.md", "b.md")["kinds"] == {"wikilink": 2.0}


@pytest.mark.parametrize(
    "text",
    [
        "Un [[b]] wikilink.",
        "Un embed ![[b]].",
        "Un [lien Markdown](b.md).",
        '---\nsource: "[[b]]"\n---\nUne propriété.',
    ],
    ids=["wikilink", "embed", "markdown", "property"],
)
def test_every_kind_of_written_link_weighs_one(text: str) -> None:
    graph = graph_of({"a.md": text, "b.md": ""})
    assert edges(graph) == {("a.md", "b.md"): 1.0}
    assert edge(graph, "a.md", "b.md")["kinds"] == {"wikilink": 1.0}


def test_a_link_to_itself_is_no_edge() -> None:
    graph = graph_of({"a.md": "[[a]] et [[#Titre]]", "b.md": ""})
    assert edges(graph) == {}


def test_a_missing_note_becomes_one_ghost_whatever_its_case() -> None:
    graph = graph_of(
        {
            "a.md": "J'aimerais écrire [[Nouvelle Idée]].",
            "b.md": "Encore [[nouvelle idée]].",
            "c.md": "Et [[NOUVELLE IDÉE.md]].",
            "d.md": "Puis [[Nouvelle idée#Plan|le plan]].",
        }
    )
    node = "ghost:nouvelle idée"
    assert node == ghost_key("Nouvelle Idée")
    assert graph.ghosts == {node: "Nouvelle Idée"}  # the label as first written
    assert graph.graph.nodes[node]["kind"] == "ghost"
    assert edges(graph) == {(rel, node): 1.0 for rel in ("a.md", "b.md", "c.md", "d.md")}
    assert set(graph.notes) == {"a.md", "b.md", "c.md", "d.md"}
    assert node not in graph.notes


def test_note_nodes_have_the_note_kind() -> None:
    graph = graph_of({"a.md": "[[b]]", "b.md": ""})
    assert dict(graph.graph.nodes(data="kind")) == {"a.md": "note", "b.md": "note"}


def test_links_to_attachments_and_journal_notes_are_not_edges() -> None:
    graph = graph_of(
        {
            "a.md": "![[schéma.png]] et [[rapport.pdf]] puis [[2024-03-01]] et [[Journal/Lundi]].",
            "b.md": "",
            "2024-03-01.md": "Rien.",
            "Journal/Lundi.md": "Rien.",
        },
        others=["schéma.png", "rapport.pdf"],
    )
    assert sorted(graph.graph.nodes) == ["a.md", "b.md"]
    assert edges(graph) == {}
    assert graph.linked == frozenset()


def test_linked_holds_written_pairs_only_each_sorted() -> None:
    graph = graph_of(
        {
            "b.md": "[[a]] et [[Fantôme]]",
            "a.md": "[[b]]",
            "c.md": "#commun",
            "d.md": "#commun",
            "Journal/J1.md": "[[c]] et [[d]]",
        }
    )
    assert graph.linked == frozenset({("a.md", "b.md"), ("b.md", "ghost:fantôme")})
    assert edges(graph)[("c.md", "d.md")] == pytest.approx(0.5 + 0.3)


# --- co-citations in the journal ----------------------------------------------------------------

PARAGRAPHS = [
    "Lu [[A]] puis [[B]] au café.",
    "Le soir, [[B]] m'a rappelé [[A]].",
    "Encore [[A]] et [[B]].",
    "[[B]], toujours avec [[A]].",
]


@pytest.mark.parametrize(("count", "weight"), [(1, 0.5), (2, 1.0), (3, 1.5), (4, 1.5)])
def test_cocitation_weighs_half_per_paragraph_capped_at_one_and_a_half(count: int, weight: float) -> None:
    journal = "Tags : #journal\n\n" + "\n\n".join(PARAGRAPHS[:count]) + "\n"
    graph = graph_of({"A.md": "", "B.md": "", "Carnet/Lundi.md": journal})
    assert edges(graph) == {("A.md", "B.md"): pytest.approx(weight)}
    data = edge(graph, "A.md", "B.md")
    assert data["kinds"] == {"cocitation": pytest.approx(weight)}
    assert data["evidence"] == tuple(PARAGRAPHS[: min(count, 3)])  # tlvault keeps three sentences at most
    assert "Carnet/Lundi.md" not in graph.graph


def test_cocitations_add_up_across_journal_notes() -> None:
    graph = graph_of(
        {
            "A.md": "",
            "B.md": "",
            "Journal/2024-03-01.md": "Lu [[A]] puis [[B]].",
            "Journal/2024-03-02.md": "Relu [[B]] et [[A]].",
        }
    )
    assert edges(graph) == {("A.md", "B.md"): 1.0}
    assert edge(graph, "A.md", "B.md")["evidence"] == ("Lu [[A]] puis [[B]].", "Relu [[B]] et [[A]].")


def test_cocitation_needs_the_same_paragraph() -> None:
    graph = graph_of({"A.md": "", "B.md": "", "Journal/J.md": "Lu [[A]].\n\nPuis [[B]].\n"})
    assert edges(graph) == {}


def test_a_note_named_twice_in_a_paragraph_counts_once() -> None:
    graph = graph_of({"A.md": "", "B.md": "", "Journal/J.md": "[[A]], [[B]], [[A]] et [[B]].\n"})
    assert edges(graph) == {("A.md", "B.md"): 0.5}


def test_three_notes_in_one_paragraph_give_three_cocitations() -> None:
    graph = graph_of({"A.md": "", "B.md": "", "C.md": "", "Journal/J.md": "[[A]] [[B]] [[C]]\n"})
    assert edges(graph) == {("A.md", "B.md"): 0.5, ("A.md", "C.md"): 0.5, ("B.md", "C.md"): 0.5}


def test_a_ghost_cited_in_the_journal_is_cocited_too() -> None:
    graph = graph_of({"A.md": "", "Journal/J.md": "[[A]] et [[Idée Neuve]]\n"})
    assert graph.ghosts == {"ghost:idée neuve": "Idée Neuve"}
    assert edges(graph) == {("A.md", "ghost:idée neuve"): 0.5}


def test_journal_links_outside_paragraphs_are_no_cocitation() -> None:
    journal = '---\nsujet: "[[A]]"\ntags: [journal]\n---\nJ\'ai pensé à [[B]].\n'
    graph = graph_of({"A.md": "", "B.md": "", "notes-du-jour.md": journal})
    assert edges(graph) == {}


def test_journal_notes_are_evidence_not_nodes() -> None:
    graph = graph_of(
        {
            "A.md": "[[B]]",
            "B.md": "",
            "Journal/J.md": "[[A]] [[B]]",
            "Daily/D.md": "[[A]]",
            "2024-02-22 jeudi.md": "[[B]]",
            "Perso.md": "#daily [[A]]",
        }
    )
    assert sorted(graph.graph.nodes) == ["A.md", "B.md"]
    assert sorted(graph.notes) == ["A.md", "B.md"]
    assert [n.rel for n in graph.journal] == ["Journal/J.md", "Daily/D.md", "2024-02-22 jeudi.md", "Perso.md"]


def test_notes_in_the_output_folder_are_not_read(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "A.md": "",
            "B.md": "",
            "tlvault/Idées à cultiver.md": "[[A]] et [[B]] dans le même paragraphe. [[Idée générée]]",
        }
    )
    config = default_config(vault)
    graph = analyse(config, read_vault(config, Report()), now=date(2024, 6, 15)).graph
    assert sorted(graph.graph.nodes) == ["A.md", "B.md"]
    assert edges(graph) == {}
    assert graph.journal == ()


# --- mentions ---------------------------------------------------------------------------------


def test_mentions_give_the_day_and_the_paragraph_of_each_node() -> None:
    graph = graph_of(
        {
            "A.md": "",
            "B.md": "",
            "Journal/2024-03-02.md": "Relu [[A]] hier.\n\nEt [[Projet X]].\n",
            "Journal/2024-03-01.md": "Découvert [[A]] et [[B]].\n",
            "Journal/Sans date.md": "---\ncreated: 2024-02-10\n---\n[[B]] en février.\n",
        }
    )
    assert graph.mentions == {
        "A.md": (
            Mention("Journal/2024-03-01.md", date(2024, 3, 1), "Découvert [[A]] et [[B]]."),
            Mention("Journal/2024-03-02.md", date(2024, 3, 2), "Relu [[A]] hier."),
        ),
        "B.md": (
            Mention("Journal/Sans date.md", date(2024, 2, 10), "[[B]] en février."),
            Mention("Journal/2024-03-01.md", date(2024, 3, 1), "Découvert [[A]] et [[B]]."),
        ),
        "ghost:projet x": (Mention("Journal/2024-03-02.md", date(2024, 3, 2), "Et [[Projet X]]."),),
    }


def test_a_link_from_a_plain_note_is_not_a_mention() -> None:
    graph = graph_of({"A.md": "[[B]]", "B.md": ""})
    assert graph.mentions == {}


# --- tags ------------------------------------------------------------------------------------


def test_a_shared_tag_weighs_point_three() -> None:
    graph = graph_of({"a.md": "#leadership", "b.md": "#Leadership", "c.md": "#autre"})
    assert edges(graph) == {("a.md", "b.md"): pytest.approx(0.3)}
    assert edge(graph, "a.md", "b.md")["kinds"] == {"tag": pytest.approx(0.3)}


def test_each_shared_tag_adds_point_three() -> None:
    graph = graph_of({"a.md": "#x #y #z", "b.md": "---\ntags: [x, y]\n---\n#z"})
    assert edges(graph) == {("a.md", "b.md"): pytest.approx(0.9)}


def _tagged_vault(total: int, tagged: Mapping[str, range]) -> dict[str, str]:
    files = {}
    for index in range(total):
        tags = " ".join(f"#{tag}" for tag, members in tagged.items() if index in members)
        files[f"n{index:03d}.md"] = f"Note {index}. {tags}"
    return files


def test_a_tag_on_five_notes_still_links_a_small_vault() -> None:
    graph = graph_of(_tagged_vault(10, {"cinq": range(5)}))
    assert len(edges(graph)) == 10  # 5 × 4 / 2
    assert sorted(set(edges(graph).values())) == pytest.approx([0.3])


def test_a_tag_on_six_notes_of_ten_links_nothing() -> None:
    graph = graph_of(_tagged_vault(10, {"six": range(6)}))
    assert edges(graph) == {}


def test_a_tag_on_ten_percent_of_a_hundred_notes_links_eleven_percent_does_not() -> None:
    graph = graph_of(_tagged_vault(100, {"dix": range(10), "onze": range(20, 31)}))
    expected = {(f"n{a:03d}.md", f"n{b:03d}.md") for a in range(10) for b in range(a + 1, 10)}
    assert set(edges(graph)) == expected


def test_the_trivial_share_is_configurable() -> None:
    config = replace(CONFIG, graph=GraphConfig(trivial_tag_share=0.5))
    graph = graph_of(_tagged_vault(20, {"dix": range(10), "onze": range(11)}), config=config)
    assert {tuple(sorted(pair)) for pair in edges(graph)} == {
        (f"n{a:03d}.md", f"n{b:03d}.md") for a in range(10) for b in range(a + 1, 10)
    }
    assert edges(graph)[("n000.md", "n001.md")] == pytest.approx(0.3)  # "onze" links nothing


def test_a_tag_on_more_than_fifty_notes_links_nothing() -> None:
    config = replace(CONFIG, graph=GraphConfig(trivial_tag_share=1.0))
    graph = graph_of(_tagged_vault(52, {"cinquante": range(50), "cinquante_un": range(51)}), config=config)
    assert len(edges(graph)) == 50 * 49 // 2
    assert sorted(set(edges(graph).values())) == pytest.approx([0.3])  # "cinquante_un" adds nothing


def test_notes_tagged_journal_are_neither_nodes_nor_tag_edges() -> None:
    graph = graph_of({"a.md": "#journal", "b.md": "#journal", "c.md": "#idée", "d.md": "#idée"})
    assert sorted(graph.graph.nodes) == ["c.md", "d.md"]


# --- lexical similarity -------------------------------------------------------------------------


def test_a_lexical_neighbour_weighs_point_three_even_both_ways() -> None:
    lexicon = Lexicon(
        "fr",
        {},
        {
            "a.md": (("b.md", 0.91), ("c.md", 0.25)),
            "b.md": (("a.md", 0.91),),
            "c.md": (),
        },
    )
    graph = graph_of({"a.md": "", "b.md": "", "c.md": ""}, lexicon=lexicon)
    assert edges(graph) == {("a.md", "b.md"): pytest.approx(0.3), ("a.md", "c.md"): pytest.approx(0.3)}
    assert edge(graph, "a.md", "b.md")["kinds"] == {"similarity": pytest.approx(0.3)}


def test_a_lexical_neighbour_that_is_a_journal_note_is_no_edge() -> None:
    lexicon = Lexicon("fr", {}, {"a.md": (("Journal/J.md", 0.9),)})
    graph = graph_of({"a.md": "", "Journal/J.md": "texte"}, lexicon=lexicon)
    assert edges(graph) == {}


def test_kinds_of_an_edge_add_up_to_its_weight() -> None:
    lexicon = Lexicon("fr", {}, {"A.md": (("B.md", 0.5),)})
    graph = graph_of(
        {
            "A.md": "[[B]] #sujet",
            "B.md": "#sujet",
            "C.md": "[[A]] #autre",
            "D.md": "#autre",
            "Journal/2024-01-01.md": "[[A]] et [[B]]\n\n[[C]] [[D]] [[A]]\n",
        },
        lexicon=lexicon,
    )
    assert edge(graph, "A.md", "B.md")["kinds"] == {
        "wikilink": 1.0,
        "cocitation": 0.5,
        "tag": pytest.approx(0.3),
        "similarity": pytest.approx(0.3),
    }
    assert edge(graph, "A.md", "B.md")["weight"] == pytest.approx(2.1)
    assert len(edges(graph)) == 4  # A–B, A–C, A–D, C–D
    for a, b, data in graph.graph.edges(data=True):
        assert sum(data["kinds"].values()) == pytest.approx(data["weight"]), (a, b)


# --- journal notes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        ("Idée.md", "#journal", True),
        ("Idée.md", "#Daily", True),
        ("Idée.md", "---\ntags: [journal]\n---\n", True),
        ("Idée.md", "#journalisme", False),
        ("Journal/Lundi.md", "", True),
        ("Perso/Daily/Lundi.md", "", True),
        ("journal/Lundi.md", "", True),
        ("Journalisme/Lundi.md", "", False),
        ("Journal.md", "", False),
        ("2024-02-22.md", "", True),
        ("2024-02-22 jeudi.md", "", True),
        ("Archives/2024-02-22_soir.md", "", True),
        ("Réunion 2024-02-22.md", "", False),
        ("2024-02-223.md", "", False),
        ("Idée.md", "Rien de spécial.", False),
    ],
)
def test_is_journal_by_tag_folder_or_date_name(rel: str, text: str, expected: bool) -> None:
    assert is_journal(note(rel, text), JournalConfig()) is expected


def test_is_journal_follows_the_config() -> None:
    custom = JournalConfig(tags=("Carnet",), folders=("Logs/",), date_names=False)
    assert is_journal(note("a.md", "#carnet"), custom) is True
    assert is_journal(note("a.md", "#journal"), custom) is False
    assert is_journal(note("Logs/a.md"), custom) is True
    assert is_journal(note("Journal/a.md"), custom) is False
    assert is_journal(note("2024-02-22.md"), custom) is False


def test_date_names_switched_off_keeps_dated_notes_as_nodes() -> None:
    config = replace(CONFIG, journal=JournalConfig(date_names=False))
    graph = graph_of({"2024-02-22.md": "[[A]]", "A.md": ""}, config=config)
    assert edges(graph) == {("2024-02-22.md", "A.md"): 1.0}
    assert graph.journal == ()


def test_journal_day_comes_from_the_name_first() -> None:
    assert journal_day(note("2024-02-22 jeudi.md", "---\ncreated: 2023-01-01\n---\n")) == date(2024, 2, 22)


def test_journal_day_falls_back_on_created_then_mtime() -> None:
    assert journal_day(note("Journal/Lundi.md", "---\ncreated: 2024-03-05T21:30\n---\n")) == date(2024, 3, 5)
    assert journal_day(note("Journal/Lundi.md", "", MTIME_NS)) == date(2023, 11, 14)
    assert journal_day(note("2024-02-30.md", "---\ncreated: 2024-03-01\n---\n")) == date(2024, 3, 1)
    assert journal_day(note("Journal/Lundi.md", "", None)) is None


def test_ghost_key_ignores_case_spaces_and_md() -> None:
    assert ghost_key("  Café Crème.md ") == "ghost:café crème"
    assert ghost_key("Cafe\u0301") == "ghost:café"  # NFD and NFC give one node


def test_name_counts_count_every_note_by_lower_case_name() -> None:
    graph = graph_of({"A/Idée.md": "", "B/idée.md": "", "Journal/Idée.md": "", "C.md": ""})
    assert dict(graph.name_counts) == {"idée": 3, "c": 1}


# --- export -------------------------------------------------------------------------------------


def _exportable() -> tuple[IdeaGraph, list[Cluster]]:
    graph = graph_of(
        {
            "a.md": "[[b]] [[c]] [[Idée Neuve]]",
            "b.md": "[[a]] #sujet",
            "c.md": "#sujet",
            "d.md": "---\ntitle: Le titre de d\n---\n[[a]]",
            "Journal/2024-01-01.md": "[[c]] et [[d]]",
        }
    )
    cluster = Cluster(
        "c-abc123", "Sujet, vision et sens", ("a.md", "b.md", "c.md"), ("ghost:idée neuve",), "a.md", ()
    )
    return graph, [cluster]


EXPECTED_NODES = {
    "a.md": {"kind": "note", "label": "a", "cluster": "c-abc123", "cluster_name": "Sujet, vision et sens"},
    "b.md": {"kind": "note", "label": "b", "cluster": "c-abc123", "cluster_name": "Sujet, vision et sens"},
    "c.md": {"kind": "note", "label": "c", "cluster": "c-abc123", "cluster_name": "Sujet, vision et sens"},
    "d.md": {"kind": "note", "label": "Le titre de d", "cluster": "", "cluster_name": ""},
    "ghost:idée neuve": {
        "kind": "ghost",
        "label": "Idée Neuve",
        "cluster": "c-abc123",
        "cluster_name": "Sujet, vision et sens",
    },
}
EXPECTED_EDGES = {
    ("a.md", "b.md"): {"weight": 2.0, "wikilink": 2.0, "cocitation": 0.0, "tag": 0.0, "similarity": 0.0},
    ("a.md", "c.md"): {"weight": 1.0, "wikilink": 1.0, "cocitation": 0.0, "tag": 0.0, "similarity": 0.0},
    ("a.md", "d.md"): {"weight": 1.0, "wikilink": 1.0, "cocitation": 0.0, "tag": 0.0, "similarity": 0.0},
    ("a.md", "ghost:idée neuve"): {
        "weight": 1.0,
        "wikilink": 1.0,
        "cocitation": 0.0,
        "tag": 0.0,
        "similarity": 0.0,
    },
    ("b.md", "c.md"): {"weight": 0.3, "wikilink": 0.0, "cocitation": 0.0, "tag": 0.3, "similarity": 0.0},
    ("c.md", "d.md"): {"weight": 0.5, "wikilink": 0.0, "cocitation": 0.5, "tag": 0.0, "similarity": 0.0},
}


def _check_read_back(read: Any) -> None:
    nodes = {
        node: {key: data[key] for key in ("kind", "label", "cluster", "cluster_name")}
        for node, data in read.nodes(data=True)
    }
    assert nodes == EXPECTED_NODES
    found = {}
    for a, b, data in read.edges(data=True):
        found[(min(a, b), max(a, b))] = {key: float(data[key]) for key in EXPECTED_EDGES[("a.md", "b.md")]}
    assert found.keys() == EXPECTED_EDGES.keys()
    for pair, values in EXPECTED_EDGES.items():
        assert found[pair] == pytest.approx(values), pair


def test_export_graphml_reads_back() -> None:
    graph, clusters = _exportable()
    data = export_graph(graph, clusters, "graphml")
    _check_read_back(nx.read_graphml(io.BytesIO(data)))


def test_export_gexf_reads_back() -> None:
    graph, clusters = _exportable()
    data = export_graph(graph, clusters, "gexf")
    read = nx.read_gexf(io.BytesIO(data))
    # GEXF keeps the label apart: networkx puts it back under "label".
    _check_read_back(read)


def test_export_json_reads_back() -> None:
    graph, clusters = _exportable()
    document = json.loads(export_graph(graph, clusters, "json").decode("utf-8"))
    _check_read_back(nx.node_link_graph(document, edges="edges"))


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_is_deterministic(fmt: str) -> None:
    first = export_graph(*_exportable(), fmt)
    assert export_graph(*_exportable(), fmt) == first


def test_the_graph_is_the_one_add_edges_from_builds_in_sorted_pair_order() -> None:
    # build_graph fills networkx's neighbour dicts itself: same edges, data and orders.
    lexicon = Lexicon("fr", {}, {"b.md": (("a.md", 0.5),), "c.md": (("a.md", 0.4),)})
    files = {
        "c.md": "[[a]] [[Fantôme]] #sujet",
        "a.md": "[[c]] [[b]] #sujet",
        "b.md": "#sujet",
        "Journal/2024-01-01.md": "[[b]] et [[c]] avec [[Fantôme]]\n\n[[a]] [[b]]\n",
    }
    graph = graph_of(files, lexicon=lexicon)
    expected = nx.Graph()
    expected.add_nodes_from(graph.graph.nodes(data=True))
    pairs = sorted(
        ((min(a, b), max(a, b), data) for a, b, data in graph.graph.edges(data=True)), key=lambda e: e[:2]
    )
    expected.add_edges_from(pairs)
    assert [(node, list(near.items())) for node, near in graph.graph.adjacency()] == [
        (node, list(near.items())) for node, near in expected.adjacency()
    ]
    assert list(graph.adjacency) == list(expected)
    for a, b in graph.graph.edges:
        assert graph.graph.adj[a][b] is graph.graph.adj[b][a]
