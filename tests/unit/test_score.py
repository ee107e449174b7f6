"""score_clusters: each signal of README "The idea engine" (Ripeness) at its boundaries, the ripeness,
bands, stages, formats, the why and next-action sentences, note_link, and `rebuild --json --now`.

Clusters are made by hand (Cluster(...)) over graphs built in memory, so that every signal can be
computed from the README's formulas. Signals are given to 3 decimals, hence `signal()`: the exact
formula value to within half a thousandth.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from itertools import chain, combinations
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeVault, RunCli
from tests.unit.test_relations import random_cases
from tlvault import memo
from tlvault.config import STAGES, Config, SignalWeights
from tlvault.graph import build_graph
from tlvault.parse import parse_note
from tlvault.resolve import resolve_links
from tlvault.results import SIGNALS, Cluster, IdeaGraph, Lexicon, ScoredCluster
from tlvault.score import (
    _active_weeks,
    _cohesion,
    _created,
    _day,
    _distilled,
    _hub_and_outline,
    _note_facts,
    _reach_sums,
    note_link,
    note_stage,
    score_clusters,
)

CONFIG = Config(vault=Path("vault"))
TODAY = date(2024, 6, 15)  # a Saturday
LONG = " ".join(["mot"] * 150)


def signal(value: float) -> Any:
    """A signal as tlvault gives it: the formula's value to 3 decimals."""
    return pytest.approx(value, abs=5e-4)


def ns(day: date) -> int:
    """A file mtime (nanoseconds) at noon UTC on `day`."""
    return int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp()) * 10**9


def graph_of(
    files: Mapping[str, str], *, mtimes: Mapping[str, date] | None = None, config: Config = CONFIG
) -> IdeaGraph:
    """The idea graph of `{rel: text}`; notes have no mtime unless `mtimes` gives one."""
    mtimes = mtimes or {}
    notes = [parse_note(rel, text, ns(mtimes[rel]) if rel in mtimes else None) for rel, text in files.items()]
    return build_graph(notes, resolve_links(notes, sorted(files)), Lexicon("fr", {}, {}), config)


def cluster(cid: str, notes: Sequence[str], ghosts: Sequence[str] = (), name: str = "Sujet") -> Cluster:
    return Cluster(cid, name, tuple(sorted(notes)), tuple(sorted(ghosts)), None, ())


def scored(
    graph: IdeaGraph,
    clusters: Sequence[Cluster],
    *,
    today: date = TODAY,
    config: Config = CONFIG,
    language: str = "fr",
) -> dict[str, ScoredCluster]:
    insights = score_clusters(graph, clusters, config, today=today, language=language)
    return {s.cluster.id: s for s in insights.clusters}


def one(files: Mapping[str, str], notes: Sequence[str] | None = None, **kwargs: Any) -> ScoredCluster:
    """The one cluster made of `notes` (all of `files` by default)."""
    graph = graph_of(files)
    return scored(graph, [cluster("c-000001", list(files) if notes is None else notes)], **kwargs)["c-000001"]


def weighted(**weights: float) -> Config:
    """CONFIG whose signal weights are all 0 but those given."""
    values = {f.name: 0.0 for f in fields(SignalWeights)} | weights
    return replace(CONFIG, scoring=replace(CONFIG.scoring, weights=SignalWeights(**values)))


def empty_notes(count: int, folder: str = "n") -> dict[str, str]:
    return {f"{folder}/{index:02d}.md": "" for index in range(count)}


# --- mass ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, math.log(2) / math.log(13)), (6, math.log(7) / math.log(13)), (11, math.log(12) / math.log(13))],
)
def test_mass_is_log_of_notes_over_log_13(count: int, expected: float) -> None:
    assert one(empty_notes(count)).signals["mass"] == signal(expected)


@pytest.mark.parametrize("count", [12, 13, 40])
def test_mass_is_one_from_twelve_notes(count: int) -> None:
    assert one(empty_notes(count)).signals["mass"] == 1.0


def test_ghosts_are_not_notes_for_mass() -> None:
    graph = graph_of({"a.md": "[[Fantôme]]"})
    result = scored(graph, [cluster("c-000001", ["a.md"], ["ghost:fantôme"])])["c-000001"]
    assert result.signals["mass"] == signal(math.log(2) / math.log(13))


# --- cohesion -----------------------------------------------------------------------------------


def test_an_isolated_clique_has_cohesion_one() -> None:
    files = {"a.md": "[[b]] [[c]]", "b.md": "[[a]] [[c]]", "c.md": "[[a]] [[b]]"}
    assert one(files).signals["cohesion"] == 1.0  # 6 inside, 0 outside, 6 / 3 notes ≥ 1


def test_a_leaking_clique_loses_cohesion() -> None:
    files = {
        "a.md": "[[b]] [[c]] [[x]]",
        "b.md": "[[a]] [[c]] [[x]]",
        "c.md": "[[a]] [[b]] [[x]]",
        "x.md": "",
    }
    assert one(files, ["a.md", "b.md", "c.md"]).signals["cohesion"] == signal(6 / 9)


def test_cohesion_small_exact_case() -> None:
    # Inside: a→b, b→c = 2; outside: a→x = 1 and a tag shared by c and y = 0.3.
    files = {"a.md": "[[b]] [[x]]", "b.md": "[[c]]", "c.md": "#rare", "x.md": "", "y.md": "#rare"}
    inside, outside = 2.0, 1.3
    expected = inside / (inside + outside) * min(1.0, inside / 3)
    assert one(files, ["a.md", "b.md", "c.md"]).signals["cohesion"] == signal(expected)


def test_edges_into_another_cluster_are_outside_weight() -> None:
    files = {"a.md": "[[b]] [[x]]", "b.md": "[[a]]", "x.md": "[[y]]", "y.md": ""}
    graph = graph_of(files)
    result = scored(graph, [cluster("c-000001", ["a.md", "b.md"]), cluster("c-000002", ["x.md", "y.md"])])
    assert result["c-000001"].signals["cohesion"] == signal(2 / 3 * 1.0)  # 2 inside, 1 outside, 2 / 2 notes
    assert result["c-000002"].signals["cohesion"] == signal(1 / 2 * 0.5)  # 1 inside, 1 outside, 1 / 2


def test_no_inside_weight_means_no_cohesion() -> None:
    assert one({"a.md": "[[x]]", "b.md": "", "x.md": ""}, ["a.md", "b.md"]).signals["cohesion"] == 0.0


# --- distillation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        ("Brut.md", "Trois mots seulement.", 0.0),
        ("Brut.md", "---\nstatus: evergreen\n---\nCourt.", 0.4),
        ("Brut.md", "---\nstatus: Mûre\n---\nCourt.", 0.4),
        ("Brouillons/Brut.md", "Court.", 0.4),  # créer
        ("Brut.md", "#publié Court.", 0.4),  # publier: later than créer
        ("Produits/Brut.md", "Court.", 0.4),  # productiser
        ("Brut.md", "---\nstatus: à cultiver\n---\nCourt.", 0.0),  # cultiver is not yet créer
        ("Brut.md", "## Résumé\nCourt.", 0.2),
        ("Brut.md", "## Summary\nShort.", 0.2),
        ("Brut.md", "## TL;DR\nShort.", 0.2),
        ("Brut.md", "## En bref\nCourt.", 0.2),
        ("Brut.md", "> [!summary] Ce qu'il faut retenir\n> Court.", 0.2),
        ("Brut.md", "## Chapitre\nCourt.", 0.0),
        ("Idées/Le sens guide tout.md", "Court.", 0.2),  # 4 words, cultiver: a claim
        ("Idées/Le sens guide tout le reste.md", "Court.", 0.2),
        ("Idées/Le sens guide.md", "Court.", 0.0),  # 3 words
        ("1 - Input/Le sens guide tout.md", "Court.", 0.0),  # a source note (récolter)
        ("Brut.md", LONG, 0.2),
        ("Brut.md", LONG.removesuffix(" mot"), 0.0),  # 149 words
        ("Idées/Le sens guide tout.md", "---\nstatus: evergreen\n---\n## Résumé\n" + LONG, 1.0),
    ],
)
def test_distillation_components(rel: str, text: str, expected: float) -> None:
    assert one({rel: text}).signals["distillation"] == signal(expected)


def test_a_claim_outside_every_stage_is_not_a_source_note() -> None:
    # README: "+ 0.2 if its name has 4 words or more (a claim) and it is not a source note
    # (récolter)". A note that matches no stage rule (no stage folder, tag or status, as in most
    # vaults) is not a source note.
    assert one({"Le sens guide tout.md": "Court."}).signals["distillation"] == signal(0.2)


def test_word_counts_used_above_are_what_parse_counts() -> None:
    assert parse_note("a.md", LONG).word_count == 150
    assert parse_note("a.md", LONG.removesuffix(" mot")).word_count == 149


def test_distillation_is_the_mean_over_the_notes() -> None:
    files = {"a.md": "---\nstatus: evergreen\n---\n", "b.md": "## Résumé\nCourt.", "c.md": "", "d.md": LONG}
    assert one(files).signals["distillation"] == signal((0.4 + 0.2 + 0.0 + 0.2) / 4)


def test_distilled_statuses_follow_the_config() -> None:
    config = replace(CONFIG, scoring=replace(CONFIG.scoring, distilled_statuses=("Abouti",)))
    assert one({"a.md": "---\nstatus: abouti\n---\n"}, config=config).signals["distillation"] == signal(0.4)
    assert one({"a.md": "---\nstatus: evergreen\n---\n"}, config=config).signals["distillation"] == 0.0


# --- momentum -----------------------------------------------------------------------------------

MOMENTUM_FILES = {
    "a.md": "---\ncreated: 2024-01-01\nupdated: 2024-06-15\n---\n[[b]]",  # updated today: 1
    "b.md": "---\ncreated: 2024-06-01\n---\n[[c]]",  # created 14 days ago: 0.5
    "c.md": "[[a]]",  # mtime 28 days ago: 0.25
    "Journal/2024-06-08.md": "Relu [[a]] en pensant à [[Idée future]].\n",  # two mentions 7 days ago
    "Journal/2024-06-14.md": "[[autre]]\n",  # names nothing of the cluster
    "autre.md": "",
}
MOMENTUM_A = 1 + 0.5 + 0.25 + 2 * 0.5 ** (7 / 14)


def momentum_of(today: date) -> ScoredCluster:
    graph = graph_of(MOMENTUM_FILES, mtimes={"c.md": date(2024, 5, 18), "autre.md": date(2024, 6, 15)})
    clusters = [cluster("c-000001", ["a.md", "b.md", "c.md"], ["ghost:idée future"])]
    return scored(graph, clusters, today=today)["c-000001"]


def test_momentum_sums_halving_touches_and_mentions() -> None:
    result = momentum_of(TODAY)
    assert result.signals["momentum"] == signal(MOMENTUM_A / (MOMENTUM_A + 2))
    assert result.last_activity == TODAY


def test_two_weeks_later_the_activity_is_halved() -> None:
    result = momentum_of(TODAY + timedelta(days=14))
    half = MOMENTUM_A / 2
    assert result.signals["momentum"] == signal(half / (half + 2))


def test_an_activity_of_two_gives_momentum_one_half() -> None:
    files = {"a.md": "---\nupdated: 2024-06-15\n---\n", "b.md": "---\nupdated: 2024-06-15\n---\n"}
    assert one(files).signals["momentum"] == 0.5


def test_no_date_at_all_means_no_momentum() -> None:
    assert one({"a.md": "", "b.md": ""}).signals["momentum"] == 0.0


# --- persistence --------------------------------------------------------------------------------


def created_on(days: Sequence[date]) -> dict[str, str]:
    return {f"n{index}.md": f"---\ncreated: {day.isoformat()}\n---\n" for index, day in enumerate(days)}


def test_persistence_counts_distinct_iso_weeks_over_eight() -> None:
    days = [date(2024, 6, 3), date(2024, 5, 27), date(2024, 5, 20), date(2024, 5, 13)]  # four Mondays
    assert one(created_on(days)).signals["persistence"] == 0.5


def test_persistence_counts_iso_weeks_not_seven_day_spans() -> None:
    same_week = [date(2024, 6, 3), date(2024, 6, 9)]  # Monday and Sunday of one ISO week
    assert one(created_on(same_week)).signals["persistence"] == 0.125
    two_weeks = [date(2024, 6, 9), date(2024, 6, 10)]  # Sunday, then Monday
    assert one(created_on(two_weeks)).signals["persistence"] == 0.25


def test_persistence_counts_creations_updates_and_journal_mentions() -> None:
    files = {
        "a.md": "---\ncreated: 2024-05-06\nupdated: 2024-05-13\n---\n",
        "b.md": "---\ncreated: 2024-05-13\n---\n",
        "Journal/2024-05-21.md": "[[a]]",
        "Journal/2024-06-04.md": "[[Rêve]]",
    }
    graph = graph_of(files)
    result = scored(graph, [cluster("c-000001", ["a.md", "b.md"], ["ghost:rêve"])])["c-000001"]
    assert result.signals["persistence"] == 0.5  # weeks 19, 20, 21 and 23


@pytest.mark.parametrize(("weeks", "expected"), [(7, 0.875), (8, 1.0), (9, 1.0), (20, 1.0)])
def test_persistence_is_capped_at_eight_weeks(weeks: int, expected: float) -> None:
    days = [TODAY - timedelta(weeks=week) for week in range(weeks)]
    assert one(created_on(days)).signals["persistence"] == expected


def test_persistence_looks_back_26_weeks() -> None:
    sunday = date(2024, 6, 16)  # the 26 weeks up to a Sunday are 26 whole ISO weeks: 182 days
    inside = sunday - timedelta(days=181)  # the Monday 25 weeks before this week's
    outside = sunday - timedelta(days=182)
    assert one(created_on([inside]), today=sunday).signals["persistence"] == 0.125
    assert one(created_on([outside]), today=sunday).signals["persistence"] == 0.0
    assert one(created_on([sunday - timedelta(days=400)]), today=sunday).signals["persistence"] == 0.0


# --- hub ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["moc", "hub", "carte", "index", "sommaire"])
def test_a_member_tagged_as_a_map_gives_half_a_hub(tag: str) -> None:
    assert one({"a.md": f"#{tag}", "b.md": "", "c.md": ""}).signals["hub"] == 0.5


def test_an_unrelated_tag_gives_no_hub() -> None:
    assert one({"a.md": "#mocassin", "b.md": "", "c.md": ""}).signals["hub"] == 0.0


def star(count: int, linked: int, headings: int = 0) -> dict[str, str]:
    """`count` notes; `h.md` is linked with `linked` of them (half its links out, half in)."""
    files = {"h.md": "".join(f"## Partie {index}\n" for index in range(headings))}
    for index in range(count - 1):
        files[f"m{index}.md"] = ""
    for index in range(linked):
        if index % 2:
            files[f"m{index}.md"] = "[[h]]"
        else:
            files["h.md"] += f" [[m{index}]]"
    return files


@pytest.mark.parametrize(
    ("count", "linked", "expected"),
    [
        (5, 3, 0.5),  # max(3, 4 / 2) = 3
        (5, 2, 0.0),
        (9, 4, 0.5),  # max(3, 8 / 2) = 4
        (9, 3, 0.0),
        (13, 6, 0.5),
        (13, 5, 0.0),
    ],
)
def test_a_member_linked_with_half_the_others_gives_half_a_hub(
    count: int, linked: int, expected: float
) -> None:
    assert one(star(count, linked)).signals["hub"] == expected


def test_cocitations_do_not_make_a_hub() -> None:
    files = {**empty_notes(5, "m"), "Journal/J.md": "[[m/00]] [[m/01]] [[m/02]] [[m/03]]"}
    assert one(files, list(empty_notes(5, "m"))).signals["hub"] == 0.0


@pytest.mark.parametrize(
    ("headings", "linked", "expected"),
    [
        (3, 3, 0.5),  # an outline; 3 < max(3, 8 / 2): no hub
        (2, 3, 0.0),
        (3, 2, 0.0),
        (5, 4, 1.0),  # an outline that is also linked with half the others
    ],
)
def test_an_outline_gives_the_other_half(headings: int, linked: int, expected: float) -> None:
    assert one(star(9, linked, headings)).signals["hub"] == expected


def test_a_map_tag_and_an_outline_give_a_full_hub() -> None:
    files = star(9, 3, 3)
    files["m7.md"] = "#moc"
    assert one(files).signals["hub"] == 1.0


# --- bridges ------------------------------------------------------------------------------------


def bridged(others: int) -> dict[str, ScoredCluster]:
    """Cluster A linked once (weight 1) to each of `others` clusters, and by 0.9 of tags to one more."""
    files = {
        "A/a1.md": "[[a2]] #lien",
        "A/a2.md": "[[a3]] #lien",
        "A/a3.md": "[[a1]] #lien",
        "T/t1.md": "#lien",
    }
    clusters = [cluster("c-00000a", ["A/a1.md", "A/a2.md", "A/a3.md"]), cluster("c-00000t", ["T/t1.md"])]
    for index in range(others):
        files[f"O{index}/o.md"] = "[[a1]]"
        clusters.append(cluster(f"c-00000{index}", [f"O{index}/o.md"]))
    files["Seul.md"] = "[[a1]] [[a2]]"  # in no cluster: not a bridge
    return scored(graph_of(files), clusters)


@pytest.mark.parametrize(("others", "expected"), [(0, 0.0), (1, 1 / 3), (2, 2 / 3), (3, 1.0), (5, 1.0)])
def test_bridges_count_clusters_joined_by_weight_one(others: int, expected: float) -> None:
    assert bridged(others)["c-00000a"].signals["bridges"] == signal(expected)


def test_bridges_add_up_the_weight_between_two_clusters() -> None:
    files = {
        "A/a1.md": "[[a2]] #x #y",
        "A/a2.md": "#z",
        "B/b1.md": "#x #y",  # 0.6 with a1
        "B/b2.md": "#z",  # 0.3 with a2: 0.9 in all
        "C/c1.md": "#v #w",
        "C/c2.md": "#u #v #w",
    }
    files["A/a2.md"] += " #u"  # 0.3 with c2: A–C = 0.3
    files["C/c1.md"] += " [[a1]]"  # + 1: A–C = 1.3
    clusters = [
        cluster("c-00000a", ["A/a1.md", "A/a2.md"]),
        cluster("c-00000b", ["B/b1.md", "B/b2.md"]),
        cluster("c-00000c", ["C/c1.md", "C/c2.md"]),
    ]
    result = scored(graph_of(files), clusters)
    assert result["c-00000a"].signals["bridges"] == signal(1 / 3)  # C only
    assert result["c-00000b"].signals["bridges"] == 0.0


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("published", "expected"), [(0, 0.0), (1, 0.5), (2, 1.0), (3, 1.0)])
def test_validation_counts_published_or_productised_members_over_two(published: int, expected: float) -> None:
    files = {"a.md": "", "b.md": "---\nstatus: brouillon\n---\n", "c.md": ""}
    done = ["Publié/p.md", "Produits/q.md", "r.md"][:published]
    files |= {rel: "---\nstatus: published\n---\n" if rel == "r.md" else "" for rel in done}
    assert one(files).signals["validation"] == expected


# --- ripeness and bands -------------------------------------------------------------------------

# One note, status publié: mass ln 2 / ln 13, distillation 0.4 (publier is créer or later),
# validation 0.5; every other signal is 0 (no edge, no date).
PUBLISHED_NOTE = {"Texte.md": "---\nstatus: publié\n---\nCourt."}
MASS_1 = math.log(2) / math.log(13)


def test_every_signal_of_a_published_note() -> None:
    signals = one(PUBLISHED_NOTE).signals
    assert list(signals) == list(SIGNALS)
    assert dict(signals) == {
        "mass": signal(MASS_1),
        "cohesion": 0.0,
        "distillation": signal(0.4),
        "momentum": 0.0,
        "persistence": 0.0,
        "hub": 0.0,
        "bridges": 0.0,
        "validation": 0.5,
    }


def test_ripeness_is_the_weighted_mean_with_the_default_weights() -> None:
    result = one(PUBLISHED_NOTE)
    total = 1 + 1 + 1.5 + 1.5 + 1 + 1 + 0.5 + 1
    assert result.ripeness == round(100 * (1 * MASS_1 + 1.5 * 0.4 + 1 * 0.5) / total) == 16


def test_ripeness_follows_custom_weights() -> None:
    config = weighted(mass=2, distillation=1, validation=3)
    result = one(PUBLISHED_NOTE, config=config)
    assert result.ripeness == round(100 * (2 * MASS_1 + 1 * 0.4 + 3 * 0.5) / 6) == 41
    config = weighted(validation=1, cohesion=3)
    assert one(PUBLISHED_NOTE, config=config).ripeness == 13  # 12.5, rounded half up


TWO_PUBLISHED = {"a.md": "---\nstatus: publié\n---\n", "b.md": "---\nstatus: publié\n---\n"}


@pytest.mark.parametrize(
    ("ripeness", "band"),
    [
        (0, "seed"),
        (34, "seed"),
        (35, "cultivate"),
        (59, "cultivate"),
        (60, "ripe"),
        (79, "ripe"),
        (80, "harvest"),
        (100, "harvest"),
    ],
)
def test_bands(ripeness: int, band: str) -> None:
    # validation is 1 and bridges 0: the ripeness is validation's share of the weights.
    result = one(TWO_PUBLISHED, config=weighted(validation=ripeness, bridges=100 - ripeness))
    assert (result.ripeness, result.band) == (ripeness, band)


# --- stages and formats -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "text", "stage"),
    [
        ("1 - Input/Livre.md", "", "harvest"),
        ("Livre.md", "#lecture", "harvest"),
        ("Livre.md", "---\nstatus: à lire\n---\n", "harvest"),
        ("2 - Idées/Idée.md", "", "cultivate"),
        ("Idée.md", "#idée/leadership", "cultivate"),
        ("Idée.md", "---\nstatus: Graine\n---\n", "cultivate"),
        ("3 - Contenus/Texte.md", "", "create"),
        ("Texte.md", "#draft", "create"),
        ("Texte.md", "---\nstatus: à publier\n---\n", "create"),
        ("Publié/Texte.md", "", "publish"),
        ("Texte.md", "#published", "publish"),
        ("Texte.md", "---\nstatus: publiée\n---\n", "publish"),
        ("Produits/Cours.md", "", "productise"),
        ("Cours.md", "---\nstatus: en vente\n---\n", "productise"),
        # The last stage matched wins, whatever matched first.
        ("1 - Input/Livre.md", "---\nstatus: publié\n---\n", "publish"),
        ("Publié/Livre.md", "#lecture #idée", "publish"),
        ("Brouillons/Texte.md", "---\nstatus: idée\n---\n", "create"),
        ("Produits/Texte.md", "#brouillon #publié", "productise"),
    ],
)
def test_note_stage(rel: str, text: str, stage: str) -> None:
    assert STAGES[note_stage(parse_note(rel, text), CONFIG)] == stage


def test_note_stage_follows_the_config() -> None:
    config = replace(
        CONFIG, stages=replace(CONFIG.stages, publish=replace(CONFIG.stages.publish, folders=("En ligne",)))
    )
    assert STAGES[note_stage(parse_note("En ligne/Texte.md", ""), config)] == "publish"
    assert note_stage(parse_note("Publié/Texte.md", ""), config) == -1  # no stage matches any more


def test_a_cluster_is_at_the_most_advanced_stage_of_its_notes() -> None:
    files = {"1 - Input/a.md": "", "2 - Idées/b.md": "", "Publié/c.md": "", "Brouillons/d.md": ""}
    assert one(files).stage == "publish"


@pytest.mark.parametrize(
    ("count", "fmt"),
    [
        (3, "post"),
        (4, "post"),
        (5, "newsletter"),
        (9, "newsletter"),
        (10, "lead_magnet"),
        (15, "lead_magnet"),
    ],
)
def test_format_by_size(count: int, fmt: str) -> None:
    assert one(empty_notes(count)).format == fmt


def test_a_productised_member_makes_a_product() -> None:
    result = one({"a.md": "", "Produits/b.md": ""})
    assert (result.stage, result.format) == ("productise", "product")


@pytest.mark.parametrize(("ripeness", "fmt"), [(59, "lead_magnet"), (60, "product")])
def test_sixteen_notes_make_a_product_from_ripeness_sixty(ripeness: int, fmt: str) -> None:
    files = {**empty_notes(14), **TWO_PUBLISHED}
    result = one(files, config=weighted(validation=ripeness, bridges=100 - ripeness))
    assert (len(result.cluster.notes), result.ripeness, result.format) == (16, ripeness, fmt)


def test_fifteen_ripe_notes_are_a_lead_magnet() -> None:
    result = one({**empty_notes(13), **TWO_PUBLISHED}, config=weighted(validation=1))
    assert (result.ripeness, result.format) == (100, "lead_magnet")


# --- why and next action ------------------------------------------------------------------------

# Twelve notes, two of them published: mass 1, validation 1, distillation 0.8 / 12; every other
# signal is 0.
TWELVE = {**empty_notes(10), **TWO_PUBLISHED}


def test_why_names_the_two_largest_contributions_in_french() -> None:
    result = one(
        TWELVE, config=replace(CONFIG, scoring=replace(CONFIG.scoring, weights=SignalWeights(validation=2)))
    )
    assert result.strongest == ("validation", "mass")
    assert result.why == "2 pièces sont déjà publiées et 12 notes le nourrissent."


def test_why_in_english() -> None:
    result = one(TWELVE, language="en", config=weighted(mass=2, validation=1, momentum=5))
    assert result.strongest == ("mass", "validation")
    assert result.why == "12 notes feed it and 2 pieces are already published."


def test_why_is_capitalised() -> None:
    files = {"a.md": "[[b]] [[c]]", "b.md": "[[a]] [[c]]", "c.md": "[[a]] [[b]]"}
    result = one(files, config=weighted(cohesion=2, mass=1))
    assert result.strongest == ("cohesion", "mass")
    assert result.why == "Ses notes sont bien reliées entre elles et 3 notes le nourrissent."
    result = one(files, config=weighted(cohesion=2, mass=1), language="en")
    assert result.why == "Its notes link tightly to each other and 3 notes feed it."


def test_the_weakest_signal_ties_go_to_the_heavier_weight() -> None:
    # Default weights: momentum and distillation (1.5) are the heaviest of the signals at 0;
    # distillation is not 0 here, so momentum is the weakest.
    result = one(TWELVE)
    zero = sorted(name for name, value in result.signals.items() if value == 0)
    assert zero == ["bridges", "cohesion", "hub", "momentum", "persistence"]
    assert result.weakest == "momentum"
    weights = SignalWeights(momentum=0.5, hub=1.2)
    result = one(TWELVE, config=replace(CONFIG, scoring=replace(CONFIG.scoring, weights=weights)))
    assert result.weakest == "hub"


# A lone cluster "Sujet" of three plain notes: every signal but mass is 0, so the weakest signal
# is the one given the heaviest weight.
LONE = {"Idées/un.md": "", "Idées/deux.md": "", "Idées/trois.md": ""}


@pytest.mark.parametrize(
    ("weakest", "french", "english"),
    [
        (
            "cohesion",
            "Relie [[deux]] aux autres notes du cluster : c’est la moins connectée.",
            "Link [[deux]] to the rest of the cluster: it is the least connected.",
        ),
        (
            "distillation",
            "Distille [[deux]] : un titre qui affirme, un résumé en trois lignes.",
            "Distil [[deux]]: a title that makes a claim and a three-line summary.",
        ),
        (
            "momentum",
            "Reviens sur « Sujet » dans ton journal cette semaine.",
            "Come back to “Sujet” in your journal this week.",
        ),
        (
            "persistence",
            "Prévois trois courtes sessions sur « Sujet » dans les semaines qui viennent.",
            "Plan three short sessions on “Sujet” over the coming weeks.",
        ),
        (
            "hub",
            "Crée une note carte qui relie les 3 notes de « Sujet ».",
            "Create a hub note that links the 3 notes of “Sujet”.",
        ),
        (
            "bridges",
            "Relie « Sujet » à une autre de tes idées : il est encore isolé.",
            "Link “Sujet” to another of your ideas: it is still isolated.",
        ),
        (
            "validation",
            "Publie un post ou un thread à partir de [[un]].",
            "Publish a post or a thread from [[un]].",
        ),
    ],
)
def test_next_action_for_the_weakest_signal(weakest: str, french: str, english: str) -> None:
    config = replace(
        CONFIG, scoring=replace(CONFIG.scoring, weights=replace(SignalWeights(), **{weakest: 9.0}))
    )
    result = one(LONE, config=config)
    assert result.weakest == weakest
    assert result.next_action == french
    assert one(LONE, config=config, language="en").next_action == english


def test_next_action_for_mass() -> None:
    # One note where every other signal is above ln 2 / ln 13 = 0.27.
    files = {
        "Idées/Une idée déjà bien mûre.md": (
            "---\nstatus: publié\ncreated: 2024-05-20\nupdated: 2024-06-15\ntags: [moc]\n---\n"
            "[[Fantôme]] [[Ailleurs/x]]\n\n## Résumé\n" + LONG
        ),
        "Journal/2024-06-04.md": "[[Une idée déjà bien mûre]]",
        "Ailleurs/x.md": "",
    }
    graph = graph_of(files)
    clusters = [
        cluster("c-000001", ["Idées/Une idée déjà bien mûre.md"], ["ghost:fantôme"]),
        cluster("c-000002", ["Ailleurs/x.md"], name="Ailleurs"),
    ]
    result = scored(graph, clusters)["c-000001"]
    assert min(result.signals, key=lambda name: result.signals[name]) == "mass"
    assert result.weakest == "mass"
    assert result.next_action == "Écris deux ou trois notes de plus sur « Sujet » pour lui donner du corps."
    result = scored(graph, clusters, language="en")["c-000001"]
    assert result.next_action == "Write two or three more notes on “Sujet” to give it body."


def rich(extra: Mapping[str, str] | None = None) -> dict[str, ScoredCluster]:
    """Cluster K (three claim-like notes, k1 a map) and cluster L; K's weakest signal depends on `extra`."""
    k1, k2, k3 = (
        "Idées/Le sens guide l équipe.md",
        "Idées/La vision porte le projet.md",
        "Idées/Le cap donne la direction.md",
    )
    files = {
        k1: "---\nstatus: evergreen\ncreated: 2024-05-20\nupdated: 2024-06-15\ntags: [moc]\n---\n"
        "[[La vision porte le projet]] [[Le cap donne la direction]] [[L/l1]]\n## Résumé\n" + LONG,
        k2: "---\nstatus: evergreen\ncreated: 2024-05-27\nupdated: 2024-06-15\n---\n"
        "[[Le sens guide l équipe]]\n" + LONG,
        k3: "---\nstatus: evergreen\ncreated: 2024-06-03\nupdated: 2024-06-15\n---\nCourt.",
        "L/l1.md": "[[l2]]",
        "L/l2.md": "[[l3]]",
        "L/l3.md": "[[l1]]",
        **(extra or {}),
    }
    clusters = [
        cluster("c-00000k", [k1, k2, k3], name="Sens et vision"),
        cluster("c-00000l", ["L/l1.md", "L/l2.md", "L/l3.md"], name="Lointain"),
    ]
    return scored(graph_of(files), clusters)


def test_next_action_publishes_from_the_most_distilled_note() -> None:
    result = rich()["c-00000k"]
    assert result.weakest == "validation"
    assert result.next_action == "Publie un post ou un thread à partir de [[Le sens guide l équipe]]."


def test_next_action_bridges_to_the_closest_cluster() -> None:
    result = rich({"Idées/Le cap donne la direction.md": "---\nstatus: publié\n---\nCourt."})["c-00000k"]
    assert result.signals["validation"] == 0.5
    assert result.weakest == "bridges"
    assert result.next_action == "Relie « Sens et vision » à « Lointain », le cluster le plus proche."


def test_next_action_links_the_least_linked_note() -> None:
    # Nine links from k2 to notes in no cluster: cohesion 4 / (4 + 1 + 9) × 1, below bridges (1 / 3).
    outside = {f"Dehors/o{index}.md": "" for index in range(9)}
    links = " ".join(f"[[o{index}]]" for index in range(9))
    extra = {
        **outside,
        "Idées/La vision porte le projet.md": "---\nstatus: publié\ncreated: 2024-05-27\n"
        f"updated: 2024-06-15\n---\n[[Le sens guide l équipe]] {links}\n" + LONG,
    }
    result = rich(extra)["c-00000k"]
    assert result.signals["cohesion"] == signal(3 / 13)
    assert result.weakest == "cohesion"
    assert result.next_action == (
        "Relie [[Le cap donne la direction]] aux autres notes du cluster : c’est la moins connectée."
    )


# --- note_link ----------------------------------------------------------------------------------


def test_note_link_uses_the_name_unless_another_note_shares_it() -> None:
    graph = graph_of({"A/Idée.md": "", "B/idée.md": "", "C/Seule.md": "", "Journal/Seule 2.md": ""})
    assert note_link(graph, "A/Idée.md") == "[[A/Idée]]"
    assert note_link(graph, "B/idée.md") == "[[B/idée]]"
    assert note_link(graph, "C/Seule.md") == "[[Seule]]"


def test_note_link_counts_journal_notes_with_the_same_name() -> None:
    graph = graph_of({"Idées/Bilan.md": "", "Journal/Bilan.md": ""})
    assert [n.rel for n in graph.journal] == ["Journal/Bilan.md"]
    assert note_link(graph, "Idées/Bilan.md") == "[[Idées/Bilan]]"


# --- through the command line -------------------------------------------------------------------

NOW = date(2026, 11, 20)
CLI_UPDATED = {  # note -> the day it was last updated
    "Idées/Le sens guide l’équipe.md": NOW,
    "Idées/La vision porte le projet.md": NOW - timedelta(days=14),
    "Idées/Le cap donne la direction.md": NOW - timedelta(days=28),
    "Idées/Une équipe a besoin de sens.md": NOW - timedelta(days=42),
    "Cuisine/Le beurre noisette.md": NOW - timedelta(days=3),
    "Cuisine/La crème fouettée.md": NOW - timedelta(days=10),
    "Cuisine/Pâtisserie légère.md": NOW - timedelta(days=70),
}
CLI_MENTIONS = {  # journal day -> the notes its one paragraph names
    NOW - timedelta(days=7): ["Le sens guide l’équipe", "La vision porte le projet"],
    NOW - timedelta(days=20): ["Le beurre noisette", "La crème fouettée"],
}
CLI_LINKS = {
    "Idées/Le sens guide l’équipe.md": ["La vision porte le projet", "Le cap donne la direction"],
    "Idées/La vision porte le projet.md": ["Le sens guide l’équipe", "Une équipe a besoin de sens"],
    "Idées/Le cap donne la direction.md": ["Une équipe a besoin de sens", "Le sens guide l’équipe"],
    "Idées/Une équipe a besoin de sens.md": ["Le sens guide l’équipe"],
    "Cuisine/Le beurre noisette.md": ["La crème fouettée", "Pâtisserie légère"],
    "Cuisine/La crème fouettée.md": ["Le beurre noisette", "Pâtisserie légère"],
    "Cuisine/Pâtisserie légère.md": ["Le beurre noisette"],
}


def cli_vault() -> dict[str, str]:
    files = {}
    for rel, day in CLI_UPDATED.items():
        links = " ".join(f"[[{name}]]" for name in CLI_LINKS[rel])
        files[rel] = f"---\ncreated: 2026-01-05\nupdated: {day.isoformat()}\n---\nQuelques mots. {links}\n"
    for day, names in CLI_MENTIONS.items():
        files[f"Journal/{day.isoformat()}.md"] = "Relu " + " et ".join(f"[[{n}]]" for n in names) + ".\n"
    return files


def activity(notes: Sequence[str], today: date) -> float:
    """README's `a`: touches and journal mentions of the notes, each halving every 14 days."""
    names = {rel.rsplit("/", 1)[-1].removesuffix(".md"): rel for rel in notes}
    total = sum(float(0.5 ** ((today - CLI_UPDATED[rel]).days / 14)) for rel in notes)
    for day, mentioned in CLI_MENTIONS.items():
        total += sum(float(0.5 ** ((today - day).days / 14)) for name in mentioned if name in names)
    return total


def rebuild_json(run_cli: RunCli, vault: Path, now: date) -> dict[str, Any]:
    result = run_cli("rebuild", "--json", "--now", now.isoformat(), vault)
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_rebuild_json_is_the_same_twice(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault(cli_vault())
    first = run_cli("rebuild", "--json", "--now", "2026-11-20", vault)
    second = run_cli("rebuild", "--json", "--now", "2026-11-20", vault)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    assert document["today"] == "2026-11-20"
    assert sorted(len(c["notes"]) for c in document["clusters"]) == [3, 4]


def test_now_moves_momentum_as_documented(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault(cli_vault())
    before = rebuild_json(run_cli, vault, NOW)
    later = rebuild_json(run_cli, vault, NOW + timedelta(days=14))
    assert len(before["clusters"]) == 2
    assert {c["id"] for c in later["clusters"]} == {c["id"] for c in before["clusters"]}
    for document, today in ((before, NOW), (later, NOW + timedelta(days=14))):
        for entry in document["clusters"]:
            a = activity(entry["notes"], today)
            assert entry["signals"]["momentum"] == signal(a / (a + 2)), entry["name"]
    for entry in later["clusters"]:
        a = activity(entry["notes"], NOW)
        assert entry["signals"]["momentum"] == signal((a / 2) / (a / 2 + 2)), entry["name"]


def test_without_now_the_config_today_is_used(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault(cli_vault())
    config = vault.parent / "config.yaml"  # beside the vault: a file inside would be one more file
    config.write_text(f"vault: {vault.name}\nscoring:\n  today: {NOW.isoformat()}\n", encoding="utf-8")
    result = run_cli("--config", config, "rebuild", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == run_cli("rebuild", "--json", "--now", NOW.isoformat(), vault).stdout


# --- sentence variants: no journal, outline only, singular counts -------------------------------


def test_momentum_without_journal_says_the_notes_were_reworked() -> None:
    result = one({"a.md": "---\nupdated: 2026-11-19\n---\nx"}, config=weighted(momentum=1, mass=0.1))
    assert result.strongest[0] == "momentum"
    assert result.why.startswith("Tu l’as retravaillé récemment et ")


def test_an_outline_without_a_hub_is_named_as_an_outline() -> None:
    files = {
        "plan.md": "# A\n# B\n# C\n[[x]] [[y]] [[z]]",
        "x.md": "",
        "y.md": "",
        "z.md": "",
        **empty_notes(6),  # the plan links 3 of 9 others: an outline, not a hub
    }
    result = one(files, config=weighted(hub=1, mass=0.1))
    assert result.signals["hub"] == 0.5
    assert result.why.startswith("Un plan le structure déjà et ")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Une pièce est déjà publiée et "), ("en", "One piece is already published and ")],
)
def test_one_published_piece_is_singular(language: str, expected: str) -> None:
    result = one(PUBLISHED_NOTE, config=weighted(validation=3, mass=1), language=language)
    assert result.why.startswith(expected)


def test_a_date_after_today_counts_as_today_in_persistence() -> None:
    files = {"a.md": "---\ncreated: 2026-12-24\nupdated: 2026-12-25\n---\nx"}
    assert one(files).signals["persistence"] == signal(1 / 8)


# --- helpers, against the plain loops they replaced -----------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_reach_sums_are_those_of_one_walk_per_measure(seed: int) -> None:
    for _, clusters, walk in random_cases(seed):
        for c in clusters:
            sums = _reach_sums(c, walk.reach)
            inside = outside = 0.0
            neighbours: dict[str, float] = {}
            for node in (*c.notes, *c.ghosts):
                for owner, weight in walk.reach[node].items():
                    if owner == c.id:
                        inside += weight / 2
                    else:
                        outside += weight
                    if owner not in ("", c.id):
                        neighbours[owner] = neighbours.get(owner, 0.0) + weight
            assert (sums.inside, sums.outside) == (inside, outside)
            assert list(sums.neighbours.items()) == list(neighbours.items())  # in the order first met
            cohesion = inside / (inside + outside) * min(1.0, inside / len(c.notes)) if inside else 0.0
            assert _cohesion(sums, len(c.notes)) == cohesion


def reference_hub_and_outline(
    graph: IdeaGraph, cluster: Cluster, hub_tags: frozenset[str], links: Sequence[tuple[str, str]]
) -> tuple[str | None, str | None]:
    written = Counter(chain.from_iterable(links))
    hubs: list[tuple[bool, int, str]] = []
    outline = None
    for rel in cluster.notes:
        note = graph.notes[rel]
        linked = written.get(rel, 0)
        is_tagged = not hub_tags.isdisjoint(note.tags)
        if is_tagged or linked >= max(3, (len(cluster.notes) - 1) / 2):
            hubs.append((not is_tagged, -linked, rel))
        if outline is None and len(note.headings) >= 3 and linked >= 3:
            outline = rel
    return (min(hubs)[2] if hubs else None), outline


@pytest.mark.parametrize("seed", range(20))
def test_hub_and_outline_are_those_of_the_plain_loop(seed: int) -> None:
    pick = random.Random(seed)
    rels = [f"n{index:02d}.md" for index in range(pick.randint(1, 14))]
    files = {
        rel: "\n".join(["# Titre"] * pick.choice([0, 2, 3, 4]) + pick.sample(["#moc", "#idée", "#carte"], 1))
        for rel in rels
    }
    graph = graph_of(files)
    members = pick.sample(rels, pick.randint(1, len(rels)))
    c = cluster("c-000001", members)
    pairs = [(a, b) for a, b in combinations(c.notes, 2) if pick.random() < pick.choice([0.2, 0.5, 0.9])]
    for hub_tags in (frozenset(), frozenset({"moc"}), frozenset({"moc", "carte"})):
        tagged = [rel for rel in c.notes if not hub_tags.isdisjoint(graph.notes[rel].tags)]
        pick.shuffle(tagged)
        found = _hub_and_outline(graph, c, tagged, pairs)
        assert found == reference_hub_and_outline(graph, c, hub_tags, pairs)


@pytest.mark.parametrize("seed", range(5))
def test_active_weeks_counts_each_recent_iso_week_once(seed: int) -> None:
    pick = random.Random(seed)
    days = [
        None if pick.random() < 0.1 else TODAY + timedelta(days=pick.randint(-250, 20)) for _ in range(500)
    ]
    start = TODAY - timedelta(weeks=26)
    weeks = {min(day, TODAY).isocalendar()[:2] for day in days if day is not None and start < day}
    assert _active_weeks(TODAY, days) == len(weeks)


@pytest.mark.parametrize("remember", [False, True])
def test_note_facts_are_stage_distillation_and_days(remember: bool) -> None:
    pick = random.Random(3)
    statuses = frozenset({"evergreen"})
    facts = _note_facts(CONFIG.stages, statuses)
    memo.remember(remember)
    try:
        for index in range(60):
            folder = pick.choice(["", "Inbox/", "Ideas/", "Publish/", "Notes/Drafts/"])
            front = pick.choice(
                ["", "---\nstatus: evergreen\n---\n", "---\ncreated: 2024-05-02\nupdated: 2024-06-01\n---\n"]
            )
            body = pick.choice(["", "## Résumé\nx\n", LONG, "#publish/draft"])
            when = pick.choice([None, ns(TODAY - timedelta(days=pick.randint(0, 90)))])
            note = parse_note(f"{folder}Une idée claire {index}.md", front + body, when)
            stage = note_stage(note, CONFIG)
            expected = (stage, _distilled(note, stage, statuses), _day(note), _created(note))
            assert facts(note) == expected
            assert facts(note) == expected  # remembered, when on
    finally:
        memo.remember(False)
