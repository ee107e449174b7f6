"""The watcher's kept lexicon (tlvault/neighbours.py, text._KeptLexicon): after any sequence of
edits, exactly the lexicon a one-shot build gives, and only the notes an edit can move searched
again (README "The idea engine" and "Performance")."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from tlvault import memo, neighbours
from tlvault.model import Note
from tlvault.parse import parse_note
from tlvault.results import Lexicon
from tlvault.text import build_lexicon, remember_tokens

# Words of a few topics; notes draw mostly from one topic, so that neighbours mean something.
TOPICS = [
    ["écriture", "plume", "matin", "carnet", "page", "brouillon", "phrase", "relecture", "style", "rythme"],
    ["lecture", "livre", "auteur", "chapitre", "citation", "bibliothèque", "roman", "essai", "marge", "note"],
    [
        "audience",
        "lettre",
        "abonné",
        "newsletter",
        "envoi",
        "sujet",
        "promesse",
        "lecteur",
        "réponse",
        "fidélité",
    ],
    [
        "produit",
        "offre",
        "client",
        "prix",
        "lancement",
        "formation",
        "atelier",
        "valeur",
        "vente",
        "promesse",
    ],
    ["vidéo", "caméra", "montage", "script", "tournage", "lumière", "voix", "image", "plan", "séquence"],
]
RARE = ["zèbre", "quinoa", "fjord", "kayak", "origami", "tango", "yoga", "sumac", "basalte", "lichen"]


def random_note(generator: random.Random, rel: str) -> Note:
    """A note of 8 to 40 words, most from one topic, a few from another and a rare one."""
    topic = generator.choice(TOPICS)
    other = generator.choice(TOPICS)
    body = [generator.choice(topic) for _ in range(generator.randint(6, 30))]
    body += [generator.choice(other) for _ in range(generator.randint(0, 8))]
    body += generator.sample(RARE, generator.randint(0, 2))
    return parse_note(rel, " ".join(body) + ".")


def edits(seed: int, size: int, steps: int) -> Iterator[list[Note]]:
    """The notes of a vault of `size` notes, then after each of `steps` random edits; unchanged
    notes stay the same objects, as the parse cache hands them out."""
    generator = random.Random(seed)
    notes = [random_note(generator, f"n{index:04d}.md") for index in range(size)]
    yield list(notes)
    for step in range(steps):
        kind = generator.choice(["add", "copy", "remove", "rewrite", "sentence", "new words"])
        index = generator.randrange(len(notes))
        if kind == "add":
            notes.append(random_note(generator, f"a{step:03d}.md"))
        elif kind == "copy":  # a duplicate ties with its original everywhere
            notes.append(parse_note(f"c{step:03d}.md", notes[index].words.words.replace("\n", " ")))
        elif kind == "remove" and len(notes) > 3:
            notes.pop(index)
        elif kind == "rewrite":
            notes[index] = random_note(generator, notes[index].rel)
        else:
            extra = generator.sample(RARE if kind == "new words" else generator.choice(TOPICS), 3)
            if kind == "new words":
                extra.append(f"inédit{step}")
            text = notes[index].words.words.replace("\n", " ") + " " + " ".join(extra)
            notes[index] = parse_note(notes[index].rel, text)
        notes.sort(key=lambda note: note.rel)
        yield list(notes)


def lexicons(vaults: list[list[Note]], *, keep: bool) -> list[Lexicon]:
    """The lexicon of each vault in turn, kept from one to the next or built afresh each time."""
    memo.remember(keep)
    remember_tokens(keep)
    try:
        return [build_lexicon(notes, language="fr", neighbours=4, min_similarity=0.1) for notes in vaults]
    finally:
        memo.remember(False)
        remember_tokens(False)


def assert_same(kept: Lexicon, fresh: Lexicon) -> None:
    assert kept.keywords == fresh.keywords
    assert list(kept.neighbours.items()) == list(fresh.neighbours.items())


@pytest.fixture(autouse=True)
def always_update(monkeypatch: pytest.MonkeyPatch) -> None:
    """Updates even when many rows changed (small vaults), so that the tests exercise them."""
    monkeypatch.setattr("tlvault.neighbours._FRESH_SHARE", 1.0)


@pytest.mark.parametrize("seed", range(4))
def test_kept_exact_neighbours_equal_a_fresh_build_after_every_edit(seed: int) -> None:
    vaults = list(edits(seed, 120, 25))
    fresh = lexicons(vaults, keep=False)
    for kept, expected in zip(lexicons(vaults, keep=True), fresh, strict=True):
        assert_same(kept, expected)
    assert len({len(vault) for vault in vaults}) > 3  # notes came and went


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("postings", [3, 12])
def test_kept_shortlists_equal_a_fresh_build_after_every_edit(
    monkeypatch: pytest.MonkeyPatch, seed: int, postings: int
) -> None:
    # The large-vault search, forced on a small vault: few postings per word, so that notes
    # move in and out of the postings and of each other's shortlists.
    monkeypatch.setattr("tlvault.neighbours._PAIR_BUDGET", 0)
    monkeypatch.setattr("tlvault.neighbours._POSTINGS", postings)
    vaults = list(edits(seed + 10, 120, 25))
    fresh = lexicons(vaults, keep=False)
    for kept, expected in zip(lexicons(vaults, keep=True), fresh, strict=True):
        assert_same(kept, expected)


def test_a_kept_search_follows_the_switch_between_exact_and_approximate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vaults = list(edits(3, 80, 6))
    budgets = [10**9, 0, 0, 10**9, 0, 10**9, 10**9]

    def run(keep: bool) -> list[Lexicon]:
        memo.remember(keep)
        try:
            found = []
            for notes, budget in zip(vaults, budgets, strict=True):
                monkeypatch.setattr("tlvault.neighbours._PAIR_BUDGET", budget)
                found.append(build_lexicon(notes, language="fr", neighbours=4, min_similarity=0.1))
            return found
        finally:
            memo.remember(False)

    for kept, expected in zip(run(True), run(False), strict=True):
        assert_same(kept, expected)


def searched_rows(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Spy on the function that searches rows afresh: how many rows each call searched."""
    counts: list[int] = []
    real: Callable[..., Any] = getattr(neighbours, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        rows = args[2] if name == "_exact_rows" else args[1]
        counts.append(len(rows))
        return real(*args, **kwargs)

    monkeypatch.setattr(neighbours, name, spy)
    return counts


@pytest.mark.parametrize(("budget", "name"), [(10**9, "_exact_rows"), (0, "_shortlist")])
def test_one_edit_searches_again_only_the_notes_it_can_move(
    monkeypatch: pytest.MonkeyPatch, budget: int, name: str
) -> None:
    monkeypatch.setattr("tlvault.neighbours._PAIR_BUDGET", budget)
    vaults = list(edits(5, 400, 0))
    edited = list(vaults[0])
    # A sentence added to a note: its own weights change, and those of the few notes whose
    # words' counts cross a step.
    edited[17] = parse_note(
        edited[17].rel, edited[17].words.words.replace("\n", " ") + " lettre chapitre plume"
    )
    counts = searched_rows(monkeypatch, name)
    memo.remember(True)
    try:
        build_lexicon(vaults[0], language="fr", neighbours=4, min_similarity=0.1)
        first = sum(counts)
        counts.clear()
        kept = build_lexicon(edited, language="fr", neighbours=4, min_similarity=0.1)
    finally:
        memo.remember(False)
    assert first == 400  # the first build searches every note
    assert 1 <= sum(counts) <= 40  # the edited note, and the few it moved
    assert_same(kept, build_lexicon(edited, language="fr", neighbours=4, min_similarity=0.1))


def test_forgetting_starts_the_next_build_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    vaults = list(edits(6, 60, 2))
    counts = searched_rows(monkeypatch, "_exact_rows")
    memo.remember(True)
    try:
        build_lexicon(vaults[0], language="fr")
        memo.remember(True)  # forgets what was kept
        counts.clear()
        build_lexicon(vaults[1], language="fr")
    finally:
        memo.remember(False)
    assert counts == [len(vaults[1])]


@pytest.mark.parametrize(("rewritten", "updates"), [(0, 1), (30, 0)])
def test_a_search_where_many_notes_changed_starts_afresh(
    monkeypatch: pytest.MonkeyPatch, rewritten: int, updates: int
) -> None:
    # More than a fifth of the notes changed: weighing the kept selections would cost more. A
    # sentence added to one note is updated.
    monkeypatch.setattr("tlvault.neighbours._FRESH_SHARE", 0.2)
    vault = next(edits(6, 100, 0))
    edited = [
        random_note(random.Random(index), note.rel) if index < rewritten else note
        for index, note in enumerate(vault)
    ]
    edited[50] = parse_note(edited[50].rel, edited[50].words.words.replace("\n", " ") + " lettre chapitre")
    calls: list[object] = []
    real = neighbours._update

    def spy(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(neighbours, "_update", spy)
    memo.remember(True)
    try:
        build_lexicon(vault, language="fr")
        kept = build_lexicon(edited, language="fr")
    finally:
        memo.remember(False)
    assert len(calls) == updates
    assert_same(kept, build_lexicon(edited, language="fr"))


def test_changed_rows_compares_stems_and_weights_by_note() -> None:
    from scipy import sparse

    old = sparse.csr_matrix(np.array([[0.6, 0.8, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=np.float32))
    new = sparse.csr_matrix(np.array([[0.6, 0.8], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32))
    # Old columns are stems 5, 7, 9; new ones 5, 9: row 0 kept stem 5 but its 0.8 moved from 7 to 9.
    stems_old, stems_new = np.array([5, 7, 9]), np.array([5, 9])
    rows = neighbours.Rows.between((["a", "b", "c"], old, stems_old), ["a", "c", "d", "e"], new, stems_new)
    assert rows.old_of_new.tolist() == [0, 2, -1, -1]
    assert rows.new_of_old.tolist() == [0, -1, 1]
    assert rows.changed.tolist() == [True, False, True, True]
    assert rows.remap(np.array([2, 1, -1, 0])).tolist() == [1, -1, -1, 0]


def test_a_word_shown_with_another_spelling_is_shown_so_in_every_kept_note() -> None:
    # "lettre" is in 3 notes, "lettres" in 2: the stem is shown as "lettre". Two notes that had
    # "lettre" add "lettres": 4 against 3, so every note shows "lettres", the unedited ones too.
    fillers = {
        f"f{index}.md": word
        for index, word in enumerate(["pomme", "girafe", "tuba", "orage", "dahlia", "cactus"])
    }
    before = {
        "a.md": "lettre plume",
        "b.md": "lettre encre",
        "c.md": "lettre plume encre",
        "d.md": "lettres plume",
        "e.md": "lettres encre",
        **fillers,
    }
    after = {**before, "b.md": "lettre lettres encre", "c.md": "lettre lettres plume encre"}
    first = [parse_note(rel, text) for rel, text in before.items()]
    second = [
        note if before[note.rel] == after[note.rel] else parse_note(note.rel, after[note.rel])
        for note in first
    ]
    kept = lexicons([first, second], keep=True)
    fresh = lexicons([first, second], keep=False)
    assert sorted(word for word, _ in kept[0].keywords["a.md"]) == ["lettre", "plume"]
    assert sorted(word for word, _ in kept[1].keywords["a.md"]) == ["lettres", "plume"]
    assert_same(kept[1], fresh[1])


def test_a_row_is_decided_only_when_a_strict_gap_separates_its_selection_from_the_rest() -> None:
    # Rows 0-5, size 2: keys known per row, and the bound on the keys each row left out before.
    rows = np.array([0, 0, 0, 1, 1, 1, 2, 2, 3, 4])
    keys = np.array([9, 8, 7, 9, 7, 7, 9, 8, 5, 5])
    bound = np.array([-1, -1, 8, -1, 3, -1])
    decided, taken, new_bound = neighbours._decide(rows, keys, 2, bound, 6)
    # 0: 9, 8 above 7; 1: a tie at the edge; 2: 8 is not above the bound 8; 3: all its entries,
    # nothing left out; 4: one entry, but left-out ones may come back; 5: nothing at all.
    assert decided.tolist() == [True, False, False, True, False, True]
    assert sorted(keys[taken[decided[rows[taken]]]].tolist()) == [5, 8, 9]
    assert new_bound[[0, 3, 5]].tolist() == [7, -1, -1]
