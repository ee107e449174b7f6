"""tlvault.render: generated names, the index, cluster and health notes, the state file, in French
and in English (PRODUCT.md "Generated notes", "Guarantees" 6; FAULTS.md S11, S12, S13).

Most tests render Insights built by hand; the last ones run the real pipeline on small vaults.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeVault
from tlvault.canvas import layout
from tlvault.config import default_config
from tlvault.i18n import capitalise, text
from tlvault.markdown import RenderInput, link, quote
from tlvault.model import STATE_FORMAT, STATE_REL, Skipped
from tlvault.parse import parse_note
from tlvault.pipeline import _render_input, analyse, read_vault
from tlvault.regions import begin, checkbox_key, end, fingerprint, split
from tlvault.render import file_record, output_names, render_outputs, render_state
from tlvault.report import Report
from tlvault.results import (
    SIGNALS,
    Cluster,
    ClusterBridge,
    Gap,
    GhostIdea,
    Insights,
    Mention,
    MissingLink,
    Orphan,
    OutputNote,
    ScoredCluster,
    Suggestion,
    UnresolvedLink,
)

TODAY = date(2024, 6, 15)
OUT = "tlvault"
KINDS = {"index", "cluster", "health"}
SIGNAL_VALUES = {
    "mass": 0.898,
    "cohesion": 0.57,
    "distillation": 0.444,
    "momentum": 0.0,
    "persistence": 1.0,
    "hub": 0.5,
    "bridges": 0.333,
    "validation": 0.125,
}


# -- hand-made insights -----------------------------------------------------------------------


def why(language: str) -> str:
    first = text(language, "why.mass", notes=5)
    return capitalise(text(language, "why.join", first=first, second=text(language, "why.cohesion")))


def scored(
    cid: str,
    name: str,
    ripeness: int,
    band: str,
    *,
    language: str = "fr",
    notes: tuple[str, ...] = ("Notes/Vision.md", "Notes/Sens.md", "Notes/Cap.md"),
    stage: str = "cultivate",
    form: str = "post",
    ghosts: tuple[str, ...] = (),
    **extra: Any,
) -> ScoredCluster:
    cluster = Cluster(cid, name, tuple(sorted(notes)), ghosts, notes[0], ("alpha",))
    plain = ScoredCluster(
        cluster=cluster,
        signals=SIGNAL_VALUES,
        ripeness=ripeness,
        band=band,
        stage=stage,
        format=form,
        strongest=("mass", "cohesion"),
        weakest="momentum",
        why=why(language),
        next_action=text(language, "next.momentum", name=name),
        last_activity=date(2024, 6, 10),
        core=notes[:3],
        activity=tuple((rel, date(2024, 6, 10 - number)) for number, rel in enumerate(notes)),
    )
    return replace(plain, **extra)


def full(language: str = "fr") -> Insights:
    """Four clusters and something in every section."""
    alpha = scored(
        "c-aaaaaa",
        "Alpha",
        81,
        "harvest",
        language=language,
        notes=("Notes/Vision.md", "Notes/Sens.md", "Notes/Cap.md", "Notes/Pont.md", "Notes/Delta 2.md"),
        stage="publish",
        form="product",
        ghosts=("ghost:simon sinek",),
        missing_links=(
            MissingLink(
                "Notes/Vision.md",
                "Notes/Sens.md",
                "[ ] Ok [[Notes/Vision|vision]] #alpha (#beta) [[Notes/Sens]] #2024-bilan",
            ),
        ),
        bridges=(ClusterBridge("c-bbbbbb", 1.5, ("Notes/Pont.md",)),),
        timeline=(Mention("Journal/2024-06-10.md", date(2024, 6, 10), "Ok #alpha [[Notes/Cap|cap]]  #x/y"),),
        links=(("Notes/Cap.md", "Notes/Vision.md"),),
    )
    beta = scored(
        "c-bbbbbb",
        "Beta",
        64,
        "ripe",
        language=language,
        notes=("Notes/B1.md", "Notes/B2.md", "Notes/B3.md"),
        stage="create",
        form="newsletter",
        bridges=(ClusterBridge("c-aaaaaa", 1.5, ("Notes/Pont.md",)),),
    )
    gamma = scored(
        "c-cccccc",
        "Gamma",
        40,
        "cultivate",
        language=language,
        notes=("Notes/G1.md", "Notes/G2.md", "Notes/G3.md"),
        form="lead_magnet",
    )
    delta = scored(
        "c-dddddd",
        "Delta",
        20,
        "seed",
        language=language,
        notes=("Notes/D1.md", "Notes/D2.md", "Notes/D3.md"),
        stage="harvest",
    )
    return Insights(
        language=language,
        today=TODAY,
        clusters=(alpha, beta, gamma, delta),
        ghosts=(
            GhostIdea(
                "ghost:simon sinek", "Simon Sinek", ("Notes/Vision.md",), (date(2024, 6, 10),), "c-aaaaaa"
            ),
            GhostIdea("ghost:seth godin", "Seth Godin", ("Notes/B1.md", "Notes/B2.md"), (), None),
        ),
        orphans=(
            Orphan(
                "Notes/Seule.md",
                (Suggestion("Notes/Vision.md", text(language, "suggest.cocitation"), "Ok."),),
            ),
            Orphan("Archives/Vieille.md", ()),
        ),
        gaps=(
            Gap(
                ("c-aaaaaa", "c-cccccc"),
                text(language, "gap.question", first="Alpha", second="Gamma"),
                ("Notes/Pont.md",),
            ),
        ),
        ghost_labels={"ghost:simon sinek": "Simon Sinek", "ghost:seth godin": "Seth Godin"},
    )


def sparse(language: str = "fr") -> Insights:
    """One cluster and nothing else."""
    only = scored("c-aaaaaa", "Alpha", 50, "cultivate", language=language)
    return Insights(language, TODAY, (only,), (), (), (), {})


def empty(language: str = "fr") -> Insights:
    return Insights(language, TODAY, (), (), (), (), {})


def data_for(insights: Insights, user_names: frozenset[str] = frozenset(), **extra: Any) -> RenderInput:
    return RenderInput(insights, OUT, user_names, **extra)


def rendered(insights: Insights, **extra: Any) -> dict[str, OutputNote]:
    return {output.rel: output for output in render_outputs(data_for(insights, frozenset(), **extra))}


def full_outputs(language: str) -> dict[str, OutputNote]:
    return rendered(
        full(language),
        unresolved=(UnresolvedLink("Simon Sinek", ("Notes/Vision.md", "Journal/2024-06-10.md")),),
        problems=(Skipped("Notes/Cassée.md", "YAML: 2"),),
        notes_count=20,
        links_count=40,
        unresolved_count=3,
    )


def markdown(outputs: Mapping[str, OutputNote]) -> dict[str, str]:
    return {rel: output.text for rel, output in outputs.items() if output.kind == "markdown"}


def region_of(output: OutputNote) -> str:
    (content,) = split(output.text).regions().values()
    return content


def headings(content: str) -> list[str]:
    return [line for line in content.splitlines() if line.startswith("## ")]


INDEX = {"fr": "Idées à cultiver.md", "en": "Ideas to cultivate.md"}
HEALTH = {"fr": "Santé du coffre.md", "en": "Vault health.md"}
CANVAS = {"fr": "Carte des idées.canvas", "en": "Idea map.canvas"}


# -- output names (S11, S12, S13) -------------------------------------------------------------


def names_of(*names: str, user_names: frozenset[str] = frozenset(), language: str = "fr") -> list[str]:
    clusters = tuple(scored(f"c-{number:06x}", name, 50, "cultivate") for number, name in enumerate(names))
    chosen = output_names(data_for(Insights(language, TODAY, clusters, (), (), (), {}), user_names))
    return [chosen.clusters[f"c-{number:06x}"] for number in range(len(names))]


def test_output_names_of_the_fixed_notes() -> None:
    french = output_names(data_for(empty("fr")))
    assert (french.index, french.health, french.canvas) == (
        "tlvault/Idées à cultiver",
        "tlvault/Santé du coffre",
        "tlvault/Carte des idées.canvas",
    )
    english = output_names(data_for(empty("en")))
    assert (english.index, english.health, english.canvas) == (
        "tlvault/Ideas to cultivate",
        "tlvault/Vault health",
        "tlvault/Idea map.canvas",
    )


def test_unsafe_characters_are_replaced() -> None:
    assert names_of('a:b?*"<>|#^[]/\\', "x/y\\z", "tab\there\nnew", "Pourquoi ? Parce que !") == [
        "tlvault/clusters/a b",
        "tlvault/clusters/x y z",
        "tlvault/clusters/tab here new",
        "tlvault/clusters/Pourquoi Parce que !",
    ]


def test_names_are_nfc() -> None:
    (name,) = names_of(unicodedata.normalize("NFD", "Café crème"))
    assert name == "tlvault/clusters/Café crème"
    assert unicodedata.is_normalized("NFC", name)


def test_nfc_and_nfd_spellings_get_distinct_names() -> None:
    """S11: "Café" written NFC and NFD is one name to the file system on some platforms."""
    assert names_of("Café", unicodedata.normalize("NFD", "Café")) == [
        "tlvault/clusters/Café",
        "tlvault/clusters/Café (tlvault)",
    ]


def test_no_leading_or_trailing_dots_and_spaces() -> None:
    assert names_of("Idée...", " .cachée. ", "...", "") == [
        "tlvault/clusters/Idée",
        "tlvault/clusters/cachée",
        "tlvault/clusters/Cluster",
        "tlvault/clusters/Cluster (tlvault)",
    ]


@pytest.mark.parametrize(
    "long_name",
    ["漢字" * 45, "x" * 300, "é" * 300, "a b " * 75, "🌱" * 90],
    ids=["90 CJK characters", "300 ASCII", "300 accented", "300 with spaces", "90 emoji"],
)
def test_long_names_fit_in_255_bytes(long_name: str) -> None:
    """S13: ≤ 255 bytes with the extension, even with the suffix that makes a name unique."""
    first, second = names_of(long_name + "A", long_name + "B")
    for path in (first, second):
        file_name = path.rsplit("/", 1)[-1] + ".md"
        assert len(file_name.encode("utf-8")) <= 255
        assert unicodedata.is_normalized("NFC", file_name)
        assert not file_name[:-3].endswith((" ", "."))
    stem = first.rsplit("/", 1)[-1]
    assert len(stem) >= 50
    assert long_name.startswith(stem)
    assert second == f"{first} (tlvault)"


def test_names_are_unique_ignoring_case() -> None:
    """S11: two topics "Leadership" and "leadership"."""
    assert names_of("Leadership", "leadership", "LEADERSHIP", "Leadership (tlvault)") == [
        "tlvault/clusters/Leadership",
        "tlvault/clusters/leadership (tlvault)",
        "tlvault/clusters/LEADERSHIP (3)",
        "tlvault/clusters/Leadership (tlvault) (tlvault)",
    ]


def test_names_are_the_same_on_every_run() -> None:
    assert names_of("Leadership", "leadership", "a:b") == names_of("Leadership", "leadership", "a:b")


def test_a_clusters_file_name_does_not_depend_on_the_ranking() -> None:
    """PRODUCT.md: a cluster keeps its identity across rebuilds, "so a cluster's note keeps its
    file name and the user's checkboxes" — also when two clusters whose names differ only by case
    swap places in the ranking."""
    first = scored("c-aaaaaa", "Leadership", 70, "ripe")
    second = scored("c-bbbbbb", "leadership", 60, "cultivate")
    before = output_names(data_for(Insights("fr", TODAY, (first, second), (), (), (), {})))
    after = output_names(
        data_for(Insights("fr", TODAY, (replace(second, ripeness=80), first), (), (), (), {}))
    )
    assert after.clusters == before.clusters


def test_generated_names_avoid_the_users_note_names() -> None:
    """S12: the user has a note "idées à cultiver"; user_names are lower-cased."""
    chosen = output_names(data_for(sparse("fr"), frozenset({"idées à cultiver", "alpha", "santé du coffre"})))
    assert chosen.index == "tlvault/Idées à cultiver (tlvault)"
    assert chosen.health == "tlvault/Santé du coffre (tlvault)"
    assert chosen.canvas == "tlvault/Carte des idées.canvas"
    assert chosen.clusters == {"c-aaaaaa": "tlvault/clusters/Alpha (tlvault)"}
    taken = output_names(
        data_for(sparse("fr"), frozenset({"idées à cultiver", "idées à cultiver (tlvault)"}))
    )
    assert taken.index == "tlvault/Idées à cultiver (3)"


def test_cluster_names_avoid_the_fixed_notes() -> None:
    (name,) = names_of("Idées à cultiver")
    assert name == "tlvault/clusters/Idées à cultiver (tlvault)"


def test_rendered_files_follow_output_names() -> None:
    outputs = render_outputs(data_for(full("fr"), frozenset({"alpha"})))
    assert [(o.rel, o.kind) for o in outputs] == [
        ("Idées à cultiver.md", "markdown"),
        ("clusters/Alpha (tlvault).md", "markdown"),
        ("clusters/Beta.md", "markdown"),
        ("clusters/Gamma.md", "markdown"),
        ("clusters/Delta.md", "markdown"),
        ("Santé du coffre.md", "markdown"),
        ("Carte des idées.canvas", "canvas"),
    ]  # the state file is rendered apart, once writing says what is on disk


# -- every generated Markdown note ------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("make", [full, sparse, empty], ids=["full", "sparse", "empty"])
def test_every_note_has_tlvaults_properties_and_regions(
    language: str, make: Callable[[str], Insights]
) -> None:
    outputs = rendered(make(language))
    assert markdown(outputs)
    for rel, note_text in markdown(outputs).items():
        assert note_text.startswith("---\ntlvault: generated\ntlvault_kind: "), rel
        note = split(note_text)
        assert note.properties.endswith("tags:\n  - tlvault\n---\n"), rel
        parsed = parse_note(rel, note_text)
        assert parsed.frontmatter.value == "mapping", rel
        assert parsed.prop("tlvault") == "generated"
        assert parsed.prop("tags") == ["tlvault"]
        kind = parsed.prop("tlvault_kind")
        assert kind in KINDS
        assert list(note.regions()) == [kind], rel
        assert f"\n{begin(str(kind))}\n" in note_text
        assert f"\n{end(str(kind))}\n" in note_text
        assert parsed.tags == ("tlvault",), rel
        assert parsed.warnings == ()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_tag_leaks_from_quoted_journal_text(language: str) -> None:
    outputs = full_outputs(language)
    for rel, note_text in markdown(outputs).items():
        assert parse_note(rel, note_text).tags == ("tlvault",), rel
    alpha = markdown(outputs)["clusters/Alpha.md"]
    assert "\\#alpha" in alpha
    assert "(#beta)" in alpha


# -- languages --------------------------------------------------------------------------------

FRENCH_WORDS = re.compile(
    r"\b(Idées|idées|Idée|Prochaines|Pourquoi|Classement|Maturité|Étape|étape|fantômes|Carte|Santé|coffre"
    r"|cœur|proposé|manquants|Ponts|Publié|dérivés|Relie|Écris|jours|lues|résolus|vérifier|orphelines"
    r"|ignorées|Cible|Écrite|Dernière|faible|conclure|centrale|une|aucun|graine|mûr|récolter|cultiver"
    r"|publier|créer|Quoi|écrire|ensuite|canevas|entre|par|Toutes|État|le|la|les|et|ou|de|du|des|à|ton"
    r"|ses|sur|qui|notes? lues|Reviens|semaine|nourrissent|reliées)\b"
)
ENGLISH_WORDS = re.compile(
    r"\b(Ideas|ideas|Next|Why|Ranking|Ripeness|Stage|stage|Ghost|ghost|Map|map|Vault|health|Core|outline"
    r"|Missing|Bridges|Published|derived|Link|Write|days?|read|unresolved|check|Orphan|skipped|Target"
    r"|Written|Last|activity|weakest|conclude|central|one|no|seed|ripe|harvest|cultivate|publish|create"
    r"|What|canvas|through|between|Every|the|and|of|to|in|is|it|its|your|with|from|feed|Come|back|week)\b"
)


LINK = re.compile(r"\[\[([^\]|\\]*)(?:\\?\|([^\]]*))?\]\]")


def shown(line: str) -> str:
    """The line as Obsidian shows it: a link is its label (its target when it has none)."""
    return LINK.sub(lambda m: m[2] or m[1], line)


def every_line(outputs: Mapping[str, OutputNote]) -> list[tuple[str, str]]:
    """(file, line as shown) for every line of every Markdown note outside its properties and region
    markers (identifiers, not words), and for every text of the canvas."""
    lines = []
    for rel, output in outputs.items():
        if output.kind == "markdown":
            note = split(output.text)
            body = "".join(content for _, content in note.parts)
            lines += [(rel, shown(line)) for line in body.splitlines()]
        elif output.kind == "canvas":
            for node in json.loads(output.text)["nodes"]:
                for line in str(node.get("text", node.get("label", ""))).splitlines():
                    lines.append((rel, shown(line)))
    return lines


@pytest.mark.parametrize("make", [full, sparse, empty], ids=["full", "sparse", "empty"])
def test_english_notes_have_no_french_words(make: Callable[[str], Insights]) -> None:
    outputs = full_outputs("en") if make is full else rendered(make("en"))
    assert set(markdown(outputs)) >= {INDEX["en"], HEALTH["en"]}
    leaks = [(rel, line) for rel, line in every_line(outputs) if FRENCH_WORDS.search(line)]
    assert leaks == []


@pytest.mark.parametrize("make", [full, sparse, empty], ids=["full", "sparse", "empty"])
def test_french_notes_have_no_english_words(make: Callable[[str], Insights]) -> None:
    outputs = full_outputs("fr") if make is full else rendered(make("fr"))
    assert set(markdown(outputs)) >= {INDEX["fr"], HEALTH["fr"]}
    leaks = [(rel, line) for rel, line in every_line(outputs) if ENGLISH_WORDS.search(line)]
    assert leaks == []


def test_english_notes_use_english_punctuation() -> None:
    """French guillemets and the space before a colon are French typography, not English."""
    outputs = full_outputs("en")
    leaks = [
        (rel, line)
        for rel, line in every_line(outputs)
        if "«" in line or "»" in line or re.search(r"\S : ", line)
    ]
    assert leaks == []


def test_french_notes_use_french_quotes() -> None:
    outputs = full_outputs("fr")
    assert [(rel, line) for rel, line in every_line(outputs) if "“" in line or "”" in line] == []


def test_labels_in_both_languages() -> None:
    french, english = full_outputs("fr"), full_outputs("en")
    assert headings(region_of(french[INDEX["fr"]])) == [
        "## Classement",
        "## Prochaines actions",
        "## Idées fantômes",
        "## Écarts et ponts",
        "## Notes à relier",
        "## Carte",
    ]
    assert headings(region_of(english[INDEX["en"]])) == [
        "## Ranking",
        "## Next actions",
        "## Ghost ideas",
        "## Gaps and bridges",
        "## Notes to connect",
        "## Map",
    ]
    assert headings(region_of(french["clusters/Alpha.md"])) == [
        "## Pourquoi",
        "## Ce qui manque",
        "## Notes au cœur",
        "## Plan proposé",
        "## Notes du cluster",
        "## Liens manquants",
        "## Idées fantômes",
        "## Ponts",
        "## Journal",
        "## Prochaines actions",
    ]
    assert headings(region_of(english["clusters/Alpha.md"])) == [
        "## Why",
        "## What is missing",
        "## Core notes",
        "## Proposed outline",
        "## Notes in the cluster",
        "## Missing links",
        "## Ghost ideas",
        "## Bridges",
        "## Journal",
        "## Next actions",
    ]
    assert split(french["clusters/Alpha.md"].text).free_text() == "\n## Publié / dérivés\n\n"
    assert split(english["clusters/Alpha.md"].text).free_text() == "\n## Published / derived\n\n"
    assert headings(region_of(french[HEALTH["fr"]])) == [
        "## Liens non résolus",
        "## Notes orphelines",
        "## Notes ignorées ou lues avec un problème",
    ]
    assert headings(region_of(english[HEALTH["en"]])) == [
        "## Unresolved links",
        "## Orphan notes",
        "## Notes skipped or read with a problem",
    ]


# -- the index note ---------------------------------------------------------------------------


def test_first_screen_is_a_tip_with_the_three_ripest_clusters() -> None:
    index = region_of(full_outputs("fr")[INDEX["fr"]])
    lines = index.splitlines()
    assert lines[:9] == [
        "# Idées à cultiver",
        "",
        "> [!tip] Quoi écrire ensuite ?",
        "> 1. **[[tlvault/clusters/Alpha|Alpha]]** — 81/100 · 🧺 à récolter · formation ou produit",
        ">    5 notes le nourrissent et ses notes sont bien reliées entre elles.",
        "> 2. **[[tlvault/clusters/Beta|Beta]]** — 64/100 · 🍎 mûr · numéro de newsletter ou script vidéo",
        ">    5 notes le nourrissent et ses notes sont bien reliées entre elles.",
        "> 3. **[[tlvault/clusters/Gamma|Gamma]]** — 40/100 · 🌿 à cultiver · lead magnet",
        ">    5 notes le nourrissent et ses notes sont bien reliées entre elles.",
    ]
    assert lines[9] == ""
    assert "Delta" not in "\n".join(lines[:10])


def test_first_screen_in_english() -> None:
    lines = region_of(full_outputs("en")[INDEX["en"]]).splitlines()
    assert lines[2:5] == [
        "> [!tip] What to write next?",
        "> 1. **[[tlvault/clusters/Alpha|Alpha]]** — 81/100 · 🧺 ready to harvest · course or product",
        ">    5 notes feed it and its notes link tightly to each other.",
    ]


def test_ranking_table_lists_every_cluster() -> None:
    index = region_of(full_outputs("fr")[INDEX["fr"]])
    start = index.index("## Classement\n\n") + len("## Classement\n\n")
    table = index[start:].split("\n\n", 1)[0].splitlines()
    assert table == [
        "| # | Cluster | Score | Maturité | Étape | Format | Notes |",
        "| ---: | --- | ---: | --- | --- | --- | ---: |",
        "| 1 | [[tlvault/clusters/Alpha\\|Alpha]] | 81 | 🧺 à récolter | publier"
        " | formation ou produit | 5 |",
        "| 2 | [[tlvault/clusters/Beta\\|Beta]] | 64 | 🍎 mûr | créer"
        " | numéro de newsletter ou script vidéo | 3 |",
        "| 3 | [[tlvault/clusters/Gamma\\|Gamma]] | 40 | 🌿 à cultiver | cultiver | lead magnet | 3 |",
        "| 4 | [[tlvault/clusters/Delta\\|Delta]] | 20 | 🌱 graine | récolter | post ou thread | 3 |",
    ]


def test_index_sections() -> None:
    index = region_of(full_outputs("fr")[INDEX["fr"]])
    assert (
        "- [[Simon Sinek]] — notes : 1 · jours de journal : 1 · [[tlvault/clusters/Alpha|Alpha]]\n" in index
    )
    assert "- [[Seth Godin]] — notes : 2 · jours de journal : 0\n" in index
    assert (
        "- Qu’est-ce qui relie « Alpha » et « Gamma » ? Notes entre les deux : [[Notes/Pont|Pont]]\n" in index
    )
    assert (
        "- [[Notes/Seule|Seule]] → [[Notes/Vision|Vision]] (citée avec elle dans ton journal)\n"
        "- [[Archives/Vieille|Vieille]]\n"
    ) in index
    assert index.endswith(
        "Toutes les idées sur un canevas : [[tlvault/Carte des idées.canvas|Carte des idées]]\n"
        "État du coffre : [[tlvault/Santé du coffre|Santé du coffre]]\n"
    )


def test_empty_sections_are_left_out() -> None:
    outputs = rendered(sparse("fr"))
    assert headings(region_of(outputs[INDEX["fr"]])) == ["## Classement", "## Prochaines actions"]
    assert headings(region_of(outputs["clusters/Alpha.md"])) == [
        "## Pourquoi",
        "## Ce qui manque",
        "## Notes au cœur",
        "## Plan proposé",
        "## Notes du cluster",
        "## Prochaines actions",
    ]
    assert headings(region_of(outputs[HEALTH["fr"]])) == []
    assert "```mermaid" not in outputs[INDEX["fr"]].text


def test_index_without_clusters() -> None:
    index = region_of(rendered(empty("fr"))[INDEX["fr"]])
    assert index == (
        "# Idées à cultiver\n\n"
        "Pas encore de cluster : il faut au moins 3 notes reliées autour d’une même idée.\n\n"
        "Toutes les idées sur un canevas : [[tlvault/Carte des idées.canvas|Carte des idées]]\n"
        "État du coffre : [[tlvault/Santé du coffre|Santé du coffre]]\n"
    )


def test_mermaid_map_opens_the_cluster_notes() -> None:
    insights = full("fr")
    renamed = (
        replace(
            insights.clusters[0], cluster=replace(insights.clusters[0].cluster, name='Vision: "le" cap?')
        ),
        replace(insights.clusters[1], cluster=replace(insights.clusters[1].cluster, name="vision le cap")),
        *insights.clusters[2:],
    )
    outputs = rendered(replace(insights, clusters=renamed))
    index = region_of(outputs[INDEX["fr"]])
    block = index[index.index("```mermaid\n") : index.index("```\n", index.index("```mermaid\n") + 3) + 4]
    assert block.splitlines() == [
        "```mermaid",
        "graph LR",
        '  c1["Vision le cap"]',
        '  c2["vision le cap (tlvault)"]',
        '  c3["Gamma"]',
        '  c4["Delta"]',
        "  c1 --- c2",
        "  class c1,c2,c3,c4 internal-link;",
        "```",
    ]
    cluster_files = {
        rel.removeprefix("clusters/").removesuffix(".md") for rel in outputs if rel.startswith("clusters/")
    }
    labels = set(re.findall(r'^  c\d\["(.*)"\]$', block, re.MULTILINE))
    assert labels == cluster_files


# -- cluster notes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "band", "stage", "form"),
    [
        ("fr", "à récolter", "publier", "formation ou produit"),
        ("en", "ready to harvest", "publish", "course or product"),
    ],
)
def test_cluster_properties_are_flat(language: str, band: str, stage: str, form: str) -> None:
    note_text = full_outputs(language)["clusters/Alpha.md"].text
    parsed = parse_note("tlvault/clusters/Alpha.md", note_text)
    assert parsed.frontmatter_keys == (
        "tlvault",
        "tlvault_kind",
        "cluster_id",
        "ripeness",
        "band",
        "stage",
        "format",
        "members",
        *SIGNALS,
        "tags",
    )
    assert {p.key: p.value for p in parsed.properties} == {
        "tlvault": "generated",
        "tlvault_kind": "cluster",
        "cluster_id": "c-aaaaaa",
        "ripeness": 81,
        "band": band,
        "stage": stage,
        "format": form,
        "members": 5,
        **SIGNAL_VALUES,
        "tags": ["tlvault"],
    }
    assert type(parsed.prop("ripeness")) is int
    assert all(type(parsed.prop(signal)) is float for signal in SIGNALS)


def test_cluster_note_body() -> None:
    content = region_of(full_outputs("fr")["clusters/Alpha.md"])
    assert content.startswith(
        "# Alpha\n\n"
        "**81/100** · 🧺 à récolter · étape : publier · format : formation ou produit\n\n"
        "## Pourquoi\n\n5 notes le nourrissent et ses notes sont bien reliées entre elles.\n\n"
        "## Ce qui manque\n\n"
        "Le signal le plus faible est « élan » (0,00). "
        "Reviens sur « Alpha » dans ton journal cette semaine.\n\n"
        "## Notes au cœur\n\n"
        "- [[Notes/Vision|Vision]] (note centrale)\n- [[Notes/Sens|Sens]]\n- [[Notes/Cap|Cap]]\n\n"
        "## Plan proposé\n\n"
        "1. [[Notes/Vision|Vision]]\n2. [[Notes/Sens|Sens]]\n3. [[Notes/Cap|Cap]]\n"
        "4. Pour conclure : Reviens sur « Alpha » dans ton journal cette semaine.\n\n"
        "## Notes du cluster\n\n| Note | Dernière activité |\n| --- | --- |\n"
        "| [[Notes/Vision\\|Vision]] | 2024-06-10 |\n"
    )
    assert (
        "## Liens manquants\n\n- [[Notes/Vision|Vision]] ↔ [[Notes/Sens|Sens]] — "
        "« Ok vision \\#alpha (#beta) Notes/Sens \\#2024-bilan »\n"
    ) in content
    assert "## Idées fantômes\n\n- [[Simon Sinek]]\n" in content
    assert "## Ponts\n\n- [[tlvault/clusters/Beta|Beta]], par [[Notes/Pont|Pont]]\n" in content
    assert (
        "## Journal\n\n- 2024-06-10 — [[Journal/2024-06-10|2024-06-10]] : « Ok \\#alpha cap \\#x/y »\n"
        in content
    )


def test_action_lines_carry_stable_distinct_keys() -> None:
    first, second = full_outputs("fr"), full_outputs("fr")
    alpha = region_of(first["clusters/Alpha.md"])
    next_action = "Reviens sur « Alpha » dans ton journal cette semaine."
    link_action = "Relie [[Notes/Vision|Vision]] et [[Notes/Sens|Sens]] : ton journal les cite ensemble."
    ghost_action = "Écris la note [[Simon Sinek]]."
    assert alpha.endswith(
        "## Prochaines actions\n\n"
        f"- [ ] {next_action} ^{checkbox_key('c-aaaaaa', next_action)}\n"
        f"- [ ] {link_action} ^{checkbox_key('c-aaaaaa', link_action)}\n"
        f"- [ ] {ghost_action} ^{checkbox_key('c-aaaaaa', ghost_action)}\n"
    )
    keys: dict[str, list[str]] = {}
    for outputs in (first, second):
        for rel, note_text in markdown(outputs).items():
            found = re.findall(r"^- \[ \] .+ \^(tlv-[0-9a-f]{8})$", note_text, re.MULTILINE)
            keys.setdefault(rel, []).append(",".join(found))
    assert all(a == b for a, b in keys.values())
    every = [key for rel in keys for key in keys[rel][0].split(",") if key]
    assert len(every) == 4 + 3 + 1 + 1 + 1  # index: one per cluster; Alpha: 3; the others: 1 each
    assert len(set(every)) == len(every)
    index_lines = [line for line in first[INDEX["fr"]].text.splitlines() if line.startswith("- [ ] ")]
    assert index_lines[0] == (
        "- [ ] [[tlvault/clusters/Alpha|Alpha]] : Reviens sur « Alpha » dans ton journal cette semaine. "
        f"^{checkbox_key('index', 'c-aaaaaa', next_action)}"
    )


def test_action_keys_survive_a_new_ranking() -> None:
    insights = full("fr")
    reordered = replace(insights, clusters=tuple(reversed(insights.clusters)))

    def keys(outputs: Mapping[str, OutputNote]) -> set[str]:
        return {
            key
            for body in markdown(outputs).values()
            for key in re.findall(r"\^(tlv-[0-9a-f]{8})$", body, re.M)
        }

    assert keys(rendered(insights)) == keys(rendered(reordered))


# -- the health note --------------------------------------------------------------------------


def test_health_note() -> None:
    content = region_of(full_outputs("fr")[HEALTH["fr"]])
    assert content == (
        "# Santé du coffre\n\n"
        "20 notes lues ; 40 liens, 3 non résolus ; 1 à vérifier.\n\n"
        "## Liens non résolus\n\n"
        "| Cible | Écrite dans |\n| --- | --- |\n"
        "| `Simon Sinek` | [[Notes/Vision\\|Vision]], [[Journal/2024-06-10\\|2024-06-10]] |\n\n"
        "## Notes orphelines\n\n- [[Notes/Seule|Seule]]\n- [[Archives/Vieille|Vieille]]\n\n"
        "## Notes ignorées ou lues avec un problème\n\n- `Notes/Cassée.md` — YAML: 2\n"
    )


# -- quote and link ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "Voir [[a|b]] et [[Dossier/c]] puis ![[image.png]] et [[d#Titre|e]]",
            "Voir b et Dossier/c puis image.png et e",
        ),
        ("#début, #idée/sous et (#pas) mot#pas #2024", "\\#début, \\#idée/sous et (#pas) mot#pas \\#2024"),
        ("a\u00a0#tag\t#autre\n#ligne", "a \\#tag \\#autre \\#ligne"),
        ("déjà \\#échappé, ## titre, # seul", "déjà \\#échappé, ## titre, # seul"),
        ("[ ] Relire le livre", "Relire le livre"),
        ("[x] Fait", "Fait"),
        ("  beaucoup \n\n d’espaces\t\tici  ", "beaucoup d’espaces ici"),
        ("[[a|#lien]] en tête", "\\#lien en tête"),
    ],
)
def test_quote(paragraph: str, expected: str) -> None:
    assert quote(paragraph) == expected


def test_quote_truncates_with_an_ellipsis() -> None:
    assert quote("x" * 220) == "x" * 220
    assert quote("x" * 221) == "x" * 219 + "…"
    assert quote("mot " * 100, limit=20) == "mot mot mot mot mot…"
    assert quote("un deux trois", limit=8) == "un deux…"
    assert len(quote("é" * 500)) == 220


def test_link() -> None:
    assert link("Notes/Idée.md") == "[[Notes/Idée|Idée]]"
    assert link("Idée.md") == "[[Idée]]"
    assert link("Idée") == "[[Idée]]"
    assert link("Notes/Idée.md", "Autre nom") == "[[Notes/Idée|Autre nom]]"
    assert link("Idée.md", "Idée") == "[[Idée]]"
    assert link("Notes/Idée.md", in_table=True) == "[[Notes/Idée\\|Idée]]"
    assert link("Idée.md", in_table=True) == "[[Idée]]"
    assert link("tlvault/Carte des idées.canvas", "Carte des idées") == (
        "[[tlvault/Carte des idées.canvas|Carte des idées]]"
    )


# -- the state file ---------------------------------------------------------------------------


def test_render_state_remembers_clusters_and_fingerprints() -> None:
    data = data_for(full("fr"), frozenset({"beta"}))
    outputs = render_outputs(data)
    state = render_state(data, output_names(data), {o.rel: file_record(o) for o in outputs})
    assert (state.rel, state.kind, state.marker) == (STATE_REL, "state", f'"format": "{STATE_FORMAT}"')
    document = json.loads(state.text)
    assert document["format"] == STATE_FORMAT
    assert document["clusters"] == [
        {
            "id": "c-aaaaaa",
            "name": "Alpha",
            "file": "clusters/Alpha.md",
            "members": [
                "Notes/Cap.md",
                "Notes/Delta 2.md",
                "Notes/Pont.md",
                "Notes/Sens.md",
                "Notes/Vision.md",
            ],
        },
        {
            "id": "c-bbbbbb",
            "name": "Beta",
            "file": "clusters/Beta (tlvault).md",
            "members": ["Notes/B1.md", "Notes/B2.md", "Notes/B3.md"],
        },
        {
            "id": "c-cccccc",
            "name": "Gamma",
            "file": "clusters/Gamma.md",
            "members": ["Notes/G1.md", "Notes/G2.md", "Notes/G3.md"],
        },
        {
            "id": "c-dddddd",
            "name": "Delta",
            "file": "clusters/Delta.md",
            "members": ["Notes/D1.md", "Notes/D2.md", "Notes/D3.md"],
        },
    ]
    expected: dict[str, Any] = {}
    for output in outputs:
        if output.kind == "markdown":
            note = split(output.text)
            (name, content) = next(iter(note.regions().items()))
            expected[output.rel] = {
                "regions": {"properties": fingerprint(note.properties), name: fingerprint(content)},
                "free": fingerprint(note.free_text()),
            }
        else:
            expected[output.rel] = {"layout": layout(output.text)}
    assert document["files"] == expected
    assert list(document["files"]) == sorted(expected)
    assert document["files"]["clusters/Gamma.md"]["free"] == fingerprint("\n## Publié / dérivés\n\n")
    assert document["files"][INDEX["fr"]]["free"] == fingerprint("")
    assert set(document["files"][CANVAS["fr"]]["layout"]) == {
        node["id"] for node in json.loads(outputs[-1].text)["nodes"]
    }


def test_rendering_is_deterministic() -> None:
    assert render_outputs(data_for(full("fr"))) == render_outputs(data_for(full("fr")))


# -- the real pipeline ------------------------------------------------------------------------

FR_VAULT = {
    "1 - Input/Deep Work.md": (
        "---\ncreated: 2024-05-01\ntags: [lecture, focus]\n---\n# Deep Work\n\n"
        "Le livre de [[Cal Newport]] sur la concentration profonde. "
        "Voir [[La concentration est un muscle]] et [[Bloquer des plages de travail]].\n"
    ),
    "2 - Idées/La concentration est un muscle.md": (
        "---\ncreated: 2024-05-02\nupdated: 2024-06-10\ntags: [idée, focus]\nstatus: mûr\n---\n"
        "# La concentration est un muscle\n\n## Résumé\n\nLa concentration se travaille chaque jour. "
        "Lien avec [[Deep Work]] et [[Bloquer des plages de travail]] "
        "et [[Le téléphone tue la concentration]].\n"
    ),
    "2 - Idées/Bloquer des plages de travail.md": (
        "---\ncreated: 2024-05-03\ntags: [idée, focus]\n---\n# Bloquer des plages de travail\n\n"
        "Bloquer des plages de concentration dans l’agenda. "
        "Voir [[La concentration est un muscle]] et [[Deep Work]].\n"
    ),
    "2 - Idées/Le téléphone tue la concentration.md": (
        "---\ncreated: 2024-05-04\ntags: [idée, focus]\n---\n# Le téléphone tue la concentration\n\n"
        "Le téléphone casse la concentration. Voir [[Bloquer des plages de travail]] et [[Deep Work]].\n"
    ),
    "2 - Idées/Une newsletter crée la confiance.md": (
        "---\ncreated: 2024-04-01\ntags: [idée, newsletter]\n---\n# Une newsletter crée la confiance\n\n"
        "La newsletter régulière crée la confiance des lecteurs. Voir [[Publier chaque semaine]] "
        "et [[Le lead magnet attire les abonnés]] et [[Seth Godin]].\n"
    ),
    "2 - Idées/Publier chaque semaine.md": (
        "---\ncreated: 2024-04-02\ntags: [idée, newsletter]\n---\n# Publier chaque semaine\n\n"
        "Publier la newsletter chaque semaine, sans exception. "
        "Voir [[Une newsletter crée la confiance]] et [[Le lead magnet attire les abonnés]].\n"
    ),
    "2 - Idées/Le lead magnet attire les abonnés.md": (
        "---\ncreated: 2024-04-03\ntags: [idée, newsletter]\n---\n# Le lead magnet attire les abonnés\n\n"
        "Un lead magnet attire les abonnés de la newsletter. Voir [[Publier chaque semaine]] "
        "et [[Une newsletter crée la confiance]] et [[Seth Godin]].\n"
    ),
    "3 - Contenus/Newsletter 03 - La confiance.md": (
        "---\ncreated: 2024-04-20\ntags: [newsletter]\nstatus: publié\n---\n# Newsletter 03\n\n"
        "Numéro sur la confiance : [[Une newsletter crée la confiance]], [[Publier chaque semaine]].\n"
    ),
    "4 - Archives/Note isolée.md": (
        "---\ncreated: 2024-01-01\n---\n# Note isolée\n\nUne note sans lien vers personne.\n"
    ),
    "Journal/2024-06-10.md": (
        "---\ntags: [journal]\n---\nTags : #journal\n\n"
        "Relu [[La concentration est un muscle]] et [[Le téléphone tue la concentration]] : "
        "#idée à creuser, (#projet) aussi, et #focus/profond.\n\n"
        "- [ ] Relire [[Publier chaque semaine]] avec [[Le lead magnet attire les abonnés]] #todo\n\n"
        "Parlé de [[Cal Newport]] et de [[Seth Godin]] avec #mentor.\n"
    ),
    "Journal/2024-06-12.md": (
        "---\ntags: [journal]\n---\n"
        "Encore [[Cal Newport]] : [[Bloquer des plages de travail|plages]] et [[Deep Work]] #lecture.\n"
    ),
}

EN_VAULT = {
    "1 - Input/Deep Work.md": (
        "---\ncreated: 2024-05-01\ntags: [reading, focus]\n---\n# Deep Work\n\n"
        "The book by [[Cal Newport]] about deep focus and attention. "
        "See [[Focus is a muscle]] and [[Block time for deep work]].\n"
    ),
    "2 - Ideas/Focus is a muscle.md": (
        "---\ncreated: 2024-05-02\nupdated: 2024-06-10\ntags: [idea, focus]\nstatus: evergreen\n---\n"
        "# Focus is a muscle\n\n## Summary\n\nFocus and attention grow with daily practice. "
        "Linked with [[Deep Work]] and [[Block time for deep work]] and [[Phones destroy focus]].\n"
    ),
    "2 - Ideas/Block time for deep work.md": (
        "---\ncreated: 2024-05-03\ntags: [idea, focus]\n---\n# Block time for deep work\n\n"
        "Block focus time in the calendar for attention. See [[Focus is a muscle]] and [[Deep Work]].\n"
    ),
    "2 - Ideas/Phones destroy focus.md": (
        "---\ncreated: 2024-05-04\ntags: [idea, focus]\n---\n# Phones destroy focus\n\n"
        "The phone breaks focus and attention. See [[Block time for deep work]] and [[Deep Work]].\n"
    ),
    "2 - Ideas/A newsletter builds trust.md": (
        "---\ncreated: 2024-04-01\ntags: [idea, newsletter]\n---\n# A newsletter builds trust\n\n"
        "A regular newsletter builds the trust of readers. See [[Publish every week]] "
        "and [[A lead magnet attracts subscribers]] and [[Seth Godin]].\n"
    ),
    "2 - Ideas/Publish every week.md": (
        "---\ncreated: 2024-04-02\ntags: [idea, newsletter]\n---\n# Publish every week\n\n"
        "Publish the newsletter every week, without exception, for readers. "
        "See [[A newsletter builds trust]] and [[A lead magnet attracts subscribers]].\n"
    ),
    "2 - Ideas/A lead magnet attracts subscribers.md": (
        "---\ncreated: 2024-04-03\ntags: [idea, newsletter]\n---\n# A lead magnet attracts subscribers\n\n"
        "A lead magnet attracts newsletter subscribers and readers. See [[Publish every week]] "
        "and [[A newsletter builds trust]] and [[Seth Godin]].\n"
    ),
    "3 - Content/Newsletter 03 - Trust.md": (
        "---\ncreated: 2024-04-20\ntags: [newsletter]\nstatus: published\n---\n# Newsletter 03\n\n"
        "Issue about trust and readers: [[A newsletter builds trust]], [[Publish every week]].\n"
    ),
    "4 - Archive/Lonely note.md": (
        "---\ncreated: 2024-01-01\n---\n# Lonely note\n\nA note that links to nobody at all.\n"
    ),
    "Journal/2024-06-10.md": (
        "---\ntags: [journal]\n---\nTags: #journal\n\n"
        "Reread [[Focus is a muscle]] and [[Phones destroy focus]]: #idea to dig, (#project) too, "
        "and #focus/deep.\n\n"
        "- [ ] Reread [[Publish every week]] with [[A lead magnet attracts subscribers]] #todo\n\n"
        "Talked about [[Cal Newport]] and [[Seth Godin]] with #mentor.\n"
    ),
    "Journal/2024-06-12.md": (
        "---\ntags: [journal]\n---\n"
        "Again [[Cal Newport]]: [[Block time for deep work|time blocks]] and [[Deep Work]] #reading.\n"
    ),
}
BROKEN = "---\ntitle: a: b: c\n  - x\n---\n# Cassée\n\nVoir [[Deep Work]].\n"


def pipeline_outputs(root: Path) -> tuple[Insights, dict[str, OutputNote]]:
    """analyse + render_outputs, with the RenderInput that pipeline.rebuild builds."""
    config = default_config(root)
    report = Report()
    analysis = analyse(config, read_vault(config, report), now=TODAY)
    outputs = render_outputs(_render_input(config, analysis, report))
    return analysis.insights, {output.rel: output for output in outputs}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pipeline_notes(make_vault: MakeVault, language: str) -> None:
    insights, outputs = pipeline_outputs(make_vault(FR_VAULT if language == "fr" else EN_VAULT))
    assert insights.language == language
    assert len(insights.clusters) >= 2
    ripeness = [s.ripeness for s in insights.clusters]
    assert ripeness == sorted(ripeness, reverse=True)
    index = region_of(outputs[INDEX[language]])
    tip = [line for line in index.splitlines() if re.match(r"> \d\. ", line)]
    names = output_names(data_for(insights))
    assert tip == [
        f"> {number}. **{link(names.clusters[s.cluster.id], s.cluster.name)}** — {s.ripeness}/100"
        f" · {text(language, f'band.{s.band}')} · {text(language, f'format.{s.format}')}"
        for number, s in enumerate(insights.clusters[:3], start=1)
    ]
    other = ENGLISH_WORDS if language == "fr" else FRENCH_WORDS
    leaks = [(rel, line) for rel, line in every_line(outputs) if other.search(line)]
    assert leaks == []
    for scored_cluster in insights.clusters:
        rel = names.clusters[scored_cluster.cluster.id].removeprefix(OUT + "/") + ".md"
        parsed = parse_note(rel, outputs[rel].text)
        assert parsed.prop("cluster_id") == scored_cluster.cluster.id
        assert parsed.prop("ripeness") == scored_cluster.ripeness
        assert parsed.prop("members") == len(scored_cluster.cluster.notes)
        assert {s: parsed.prop(s) for s in SIGNALS} == dict(scored_cluster.signals)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pipeline_notes_carry_only_the_tlvault_tag(make_vault: MakeVault, language: str) -> None:
    """The journal quotes #idée, (#projet), #focus/profond, #todo, #mentor: none may tag a generated note."""
    _, outputs = pipeline_outputs(make_vault(FR_VAULT if language == "fr" else EN_VAULT))
    assert "\\#mentor" in "".join(markdown(outputs).values())
    for rel, note_text in markdown(outputs).items():
        parsed = parse_note(rel, note_text)
        assert parsed.tags == ("tlvault",), rel
        assert parsed.prop("tlvault") == "generated"


def test_pipeline_french_health_note_explains_problems_in_french(make_vault: MakeVault) -> None:
    """PRODUCT.md: generated notes speak the vault's language — the reason a note was read with a
    problem (invalid YAML) included."""
    _, outputs = pipeline_outputs(make_vault({**FR_VAULT, "4 - Archives/Cassée.md": BROKEN}))
    health = region_of(outputs[HEALTH["fr"]])
    problems = health.split("## Notes ignorées ou lues avec un problème\n\n", 1)[1].splitlines()
    assert problems[0].startswith("- `4 - Archives/Cassée.md` — ")
    assert [line for line in problems if ENGLISH_WORDS.search(line)] == []


def test_pipeline_renders_the_same_twice(make_vault: MakeVault) -> None:
    root = make_vault(FR_VAULT)
    assert pipeline_outputs(root) == pipeline_outputs(root)
