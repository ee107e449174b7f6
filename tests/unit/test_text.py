"""detect_language and build_lexicon (README "The idea engine", TF-IDF paragraph).

Notes are parsed in memory; every expectation comes from the README: name twice + headings +
prose, French and English stop words removed, Snowball stems shown as the most used spelling,
words in fewer than 2 notes or more than half of them ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pytest
import snowballstemmer
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from stop_words import get_stop_words

from tlvault import memo
from tlvault.model import Note
from tlvault.neighbours import _cosines
from tlvault.parse import parse_note
from tlvault.results import Lexicon
from tlvault.text import build_lexicon, detect_language, remember_tokens
from tlvault.words import count_words, note_text


def notes_of(files: Mapping[str, str]) -> list[Note]:
    return [parse_note(rel, text) for rel, text in files.items()]


def words(lexicon: Lexicon, rel: str) -> list[str]:
    """The keywords of one note, as shown."""
    return [word for word, _ in lexicon.keywords.get(rel, ())]


def all_words(lexicon: Lexicon) -> set[str]:
    return {word for keywords in lexicon.keywords.values() for word, _ in keywords}


FRENCH = {
    "x1.md": "Le leadership est une affaire de sens. Les équipes suivent une vision claire pour avancer.",
    "x2.md": "Dans une équipe, la confiance se construit avec le temps et les petites promesses tenues.",
}
ENGLISH = {
    "x1.md": "The leader is the one who gives meaning to the work of the team, and that is not easy.",
    "x2.md": "Trust in a team is built with time and with small promises that are kept on the way.",
}

# Six filler notes that share nothing: each one only makes the vault bigger (max_df = half).
FILLER = {
    f"f{index}.md": text
    for index, text in enumerate(["pomme", "girafe", "tuba", "orage", "dahlia", "cactus"])
}


# --- language -----------------------------------------------------------------------------------


def test_french_notes_are_french() -> None:
    assert detect_language(notes_of(FRENCH)) == "fr"


def test_english_notes_are_english() -> None:
    assert detect_language(notes_of(ENGLISH)) == "en"


def test_the_language_used_more_wins() -> None:
    mixed = {**{f"fr{k}": v for k, v in FRENCH.items()}, "en.md": " ".join(ENGLISH.values()) * 3}
    assert detect_language(notes_of(mixed)) == "en"
    mixed = {**{f"en{k}": v for k, v in ENGLISH.items()}, "fr.md": " ".join(FRENCH.values()) * 3}
    assert detect_language(notes_of(mixed)) == "fr"


def test_no_words_means_french() -> None:
    # Not in the README: tlvault's default language is French (its notes and sentences are French first).
    assert detect_language([]) == "fr"
    assert detect_language(notes_of({"a.md": "1234 ---"})) == "fr"


# --- keywords -----------------------------------------------------------------------------------


def test_keywords_keep_accents_and_the_most_used_spelling() -> None:
    # "équipe" is written in more notes and more often than "équipes" (and then the other way
    # round): the stem is shown as the spelling used most, whichever way "most" is counted.
    files = {
        "x1.md": "L'équipe avance.",
        "x2.md": "Une équipe apprend, une équipe grandit.",
        "x3.md": "Deux équipes différentes.",
        **FILLER,
    }
    lexicon = build_lexicon(notes_of(files), language="fr")
    assert [words(lexicon, rel) for rel in ("x1.md", "x2.md", "x3.md")] == [["équipe"]] * 3

    files |= {"x1.md": "Les équipes avancent.", "x2.md": "Des équipes apprennent, des équipes grandissent."}
    files["x3.md"] = "Une équipe différente."
    lexicon = build_lexicon(notes_of(files), language="fr")
    assert [words(lexicon, rel) for rel in ("x1.md", "x2.md", "x3.md")] == [["équipes"]] * 3


def test_stems_join_the_forms_of_a_word_in_the_vault_language() -> None:
    # "visions" and "vision" are each in one note only: only stemming makes a shared word of them.
    lexicon = build_lexicon(
        notes_of({"x1.md": "Une vision.", "x2.md": "Des visions.", **FILLER}), language="fr"
    )
    assert words(lexicon, "x1.md") == ["vision"]  # a tie between spellings is settled alphabetically
    assert words(lexicon, "x2.md") == ["vision"]
    files = {"x1.md": "A leader.", "x2.md": "Two leaders.", "x3.md": "More leaders.", **FILLER}
    lexicon = build_lexicon(notes_of(files), language="en")
    assert words(lexicon, "x1.md") == ["leaders"]


STOP_TEXT = (
    "Nous avons que cela serait très, parce que vous êtes ici avec eux. "
    "However, because they would have been there, which is about what their jardin needs."
)


def test_french_and_english_stop_words_never_appear() -> None:
    stop = set(get_stop_words("french")) | set(get_stop_words("english"))
    assert set(re.findall(r"[^\W\d_]+", STOP_TEXT.lower())) - stop == {"jardin"}
    files = {"x1.md": STOP_TEXT, "x2.md": STOP_TEXT, **FILLER}
    lexicon = build_lexicon(notes_of(files), language="fr")
    assert words(lexicon, "x1.md") == ["jardin"]  # the only word that is not a stop word
    assert words(lexicon, "x2.md") == ["jardin"]
    lexicon = build_lexicon(notes_of(files), language="en")
    assert words(lexicon, "x1.md") == ["jardin"]


def test_no_keyword_is_ever_a_stop_word() -> None:
    stop = {word.lower() for word in get_stop_words("french") + get_stop_words("english")}
    files = {
        "x1.md": FRENCH["x1.md"] + " " + ENGLISH["x1.md"],
        "x2.md": FRENCH["x2.md"] + " " + ENGLISH["x2.md"],
        "x3.md": FRENCH["x1.md"] + " " + ENGLISH["x2.md"],
        "x4.md": FRENCH["x2.md"] + " " + ENGLISH["x1.md"],
        **FILLER,
    }
    lexicon = build_lexicon(notes_of(files), language="fr")
    found = all_words(lexicon)
    assert found  # the notes do share words
    assert found.isdisjoint(stop)


def test_words_in_one_note_or_in_more_than_half_of_them_are_ignored() -> None:
    files = {
        "x1.md": "Girafe rare et commun partout, marmotte.",
        "x2.md": "Girafe commun partout.",
        "x3.md": "Commun partout.",
        "x4.md": "Commun.",
        "x5.md": "Rien.",
        "x6.md": "Rien.",
    }
    lexicon = build_lexicon(notes_of(files), language="fr")
    # girafe: 2 notes of 6 (kept); partout: 3 of 6, exactly half (kept); commun: 4 of 6 (ignored);
    # marmotte: 1 note (ignored).
    assert sorted(words(lexicon, "x1.md")) == ["girafe", "partout"]
    assert all_words(lexicon) == {"girafe", "partout", "rien"}


def test_names_count_and_headings_count() -> None:
    files = {
        "Stratégie produit.md": "# Chapitre lumineux\nTexte.",
        "Stratégie marketing.md": "## Chapitre sombre\nAutre texte.",
        **FILLER,
    }
    lexicon = build_lexicon(notes_of(files), language="fr")
    assert sorted(words(lexicon, "Stratégie produit.md")) == ["chapitre", "stratégie", "texte"]
    # The name is read twice: it outweighs a word of the prose.
    assert words(lexicon, "Stratégie produit.md")[0] == "stratégie"


def test_only_the_first_twenty_thousand_characters_count() -> None:
    filler = "Lorem " * 4_000  # 24,000 characters of one word that no other note uses
    files = {
        "x1.md": "Boussole au début.\n\n" + filler + "\n\nZéphyr à la fin.",
        "x2.md": "Boussole et zéphyr.",
        **FILLER,
    }
    lexicon = build_lexicon(notes_of(files), language="fr")
    assert words(lexicon, "x2.md") == ["boussole"]  # "zéphyr" of x1 is past 20,000 characters
    assert words(lexicon, "x1.md") == ["boussole"]


def test_keywords_are_weighted_best_first_with_at_most_eight() -> None:
    shared = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo"
    files = {"x1.md": shared + " alpha alpha bravo", "x2.md": shared, **FILLER}
    keywords = build_lexicon(notes_of(files), language="en").keywords["x1.md"]
    assert len(keywords) == 8
    assert [word for word, _ in keywords[:2]] == ["alpha", "bravo"]
    weights = [weight for _, weight in keywords]
    assert weights == sorted(weights, reverse=True)


# --- too little to compare ----------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1])
def test_fewer_than_two_notes_give_an_empty_lexicon(count: int) -> None:
    notes = notes_of({"x1.md": FRENCH["x1.md"]})[:count]
    assert build_lexicon(notes, language="fr") == Lexicon("fr", {}, {})
    assert build_lexicon(notes, language="en") == Lexicon("en", {}, {})


def test_notes_sharing_no_word_give_an_empty_lexicon() -> None:
    assert build_lexicon(notes_of(FILLER), language="fr") == Lexicon("fr", {}, {})


# --- neighbours -----------------------------------------------------------------------------------

# A hub that shares one or two words with each of five notes, plus unrelated notes.
NEIGHBOURS = {
    "hub.md": "boussole cartographe dauphin falaise girouette hibou",
    "n1.md": "boussole cartographe marin",
    "n2.md": "dauphin bateau",
    "n3.md": "falaise vague rocher sable",
    "n4.md": "girouette vent moulin pluie lune",
    "n5.md": "hibou nuit lune étoile forêt chouette silence",
    "o1.md": "marin bateau vague vent",
    "o2.md": "rocher sable moulin",
    "o3.md": "pluie lune étoile",
    "o4.md": "forêt chouette silence nuit",
    **FILLER,
}


def test_identical_notes_are_each_others_nearest_with_cosine_one() -> None:
    lexicon = build_lexicon(
        notes_of({"x1.md": "Beurre, crème.", "x2.md": "Beurre, crème.", **FILLER}), language="fr"
    )
    assert lexicon.neighbours["x1.md"] == (("x2.md", 1.0),)
    assert lexicon.neighbours["x2.md"] == (("x1.md", 1.0),)


def test_a_note_is_never_its_own_neighbour() -> None:
    lexicon = build_lexicon(notes_of(NEIGHBOURS), language="fr", neighbours=50, min_similarity=0.0)
    for rel, found in lexicon.neighbours.items():
        assert rel not in [other for other, _ in found]
    assert set(lexicon.neighbours) == set(NEIGHBOURS)


def test_neighbours_are_the_most_similar_up_to_the_count() -> None:
    notes = notes_of(NEIGHBOURS)
    everything = build_lexicon(notes, language="fr", neighbours=50, min_similarity=0.0).neighbours["hub.md"]
    scores = [score for _, score in everything]
    assert scores == sorted(scores, reverse=True)
    assert {other for other, _ in everything} == {"n1.md", "n2.md", "n3.md", "n4.md", "n5.md"}
    for count in (1, 2, 3, 5):
        found = build_lexicon(notes, language="fr", neighbours=count, min_similarity=0.0).neighbours["hub.md"]
        assert found == everything[:count]


def test_neighbours_are_at_least_min_similarity() -> None:
    notes = notes_of(NEIGHBOURS)
    everything = build_lexicon(notes, language="fr", neighbours=50, min_similarity=0.0).neighbours["hub.md"]
    threshold = everything[2][1]
    assert everything[3][1] < threshold  # the five scores differ: the threshold cuts between them
    kept = build_lexicon(notes, language="fr", neighbours=50, min_similarity=threshold).neighbours["hub.md"]
    assert kept == everything[:3]  # "at least": a score equal to the threshold is kept
    above = build_lexicon(notes, language="fr", neighbours=50, min_similarity=threshold + 0.001)
    assert above.neighbours["hub.md"] == everything[:2]


def test_default_neighbours_are_five_at_least_point_two() -> None:
    notes = notes_of(NEIGHBOURS)
    everything = build_lexicon(notes, language="fr", neighbours=50, min_similarity=0.0).neighbours
    default = build_lexicon(notes, language="fr").neighbours
    for rel, found in everything.items():
        assert default[rel] == tuple((other, score) for other, score in found if score >= 0.2)[:5]


def test_the_lexicon_is_the_same_twice() -> None:
    first = build_lexicon(notes_of(NEIGHBOURS), language="fr")
    second = build_lexicon(notes_of(NEIGHBOURS), language="fr")
    assert first == second
    assert first.language == "fr"
    assert list(first.keywords) == list(NEIGHBOURS)


# --- TF-IDF weights and remembered tokens -----------------------------------------------------------

WEIGHTED = {
    "a.md": "# Écrire chaque matin\n\nÉcrire chaque matin, écrire encore : la constance fait la plume.",
    "b.md": "La plume se forme en écrivant. Écrire, relire, publier.",
    "c.md": "Publier chaque semaine une lettre ; la lettre donne un rythme à la plume.",
    "d.md": "Le rythme de la semaine : lire le lundi, publier le vendredi.",
    "e.md": "Une lettre lue le lundi matin garde ses lecteurs.",
    **FILLER,
}


def test_weights_are_scikit_learns_sublinear_tf_idf() -> None:
    """The oracle is scikit-learn's TfidfVectorizer fed the same stems (README formula)."""
    notes = notes_of(WEIGHTED)
    stop = set(get_stop_words("french")) | set(get_stop_words("english"))
    stemmer = snowballstemmer.stemmer("french")

    def stems(text: str) -> list[str]:
        found = re.findall(r"[^\W\d_]{3,}", text.lower())
        return [stemmer.stemWord(word) for word in found if word not in stop]

    vectorizer = TfidfVectorizer(analyzer=stems, min_df=2, max_df=0.5, sublinear_tf=True, dtype=np.float32)
    matrix = vectorizer.fit_transform([note_text(note) for note in notes]).tocsr()
    terms = vectorizer.get_feature_names_out()
    lexicon = build_lexicon(notes, language="fr")
    for row, note in enumerate(notes):
        expected = {
            terms[column]: round(float(weight), 6)
            for column, weight in zip(matrix[row].indices, matrix[row].data, strict=True)
        }
        shown = {stemmer.stemWord(word.lower()): weight for word, weight in lexicon.keywords[note.rel]}
        assert shown == dict(sorted(expected.items(), key=lambda item: -item[1])[:8]), note.rel
    assert words(lexicon, "a.md")[:2] == ["écrire", "matin"]


def test_note_counts_enter_the_weights_stepped_down() -> None:
    """README: n and df are rounded down to the ladder 1, 2, …, 8, 10, 11, 13, 16, 19, … (2^(k/4)
    rounded): 12 notes count as 11, a word in 9 notes as in 8. The oracle is scikit-learn's
    sublinear TF, with the IDF written out from the stepped counts."""
    # 40 notes count as 38, "plume" (9 notes) as in 8, "encre" (12) as in 11, "papier" (3) as in 3.
    files = {
        f"p{index:02d}.md": " ".join(
            ["plume"] * (1 + index % 3) * (index < 9)
            + ["encre"] * (index < 12)
            + ["papier"] * (5 <= index < 8)
        )
        or f"vide{index}"
        for index in range(40)
    }
    notes = notes_of(files)
    ladder = sorted({round(2 ** (k / 4)) for k in range(64)})

    def stepped(count: int) -> int:
        return max(step for step in ladder if step <= count)

    assert (stepped(40), stepped(12), stepped(9), stepped(3)) == (38, 11, 8, 3)
    vectorizer = TfidfVectorizer(analyzer=str.split, use_idf=False, norm=None, sublinear_tf=True)
    texts = [files[note.rel] for note in notes]
    tf = vectorizer.fit_transform(texts).toarray()
    terms = list(vectorizer.get_feature_names_out())
    df = (tf > 0).sum(axis=0)
    kept = [
        column for column, count in enumerate(df) if count >= 2 and stepped(int(count)) <= stepped(40) / 2
    ]
    assert sorted(terms[column] for column in kept) == ["encre", "papier", "plume"]
    idf = {terms[c]: np.log((stepped(40) + 1) / (stepped(int(df[c])) + 1)) + 1 for c in kept}
    lexicon = build_lexicon(notes, language="fr")
    for row, note in enumerate(notes[:12]):
        weights = {terms[c]: tf[row, c] * idf[terms[c]] for c in kept if tf[row, c] > 0}
        norm = np.sqrt(sum(value * value for value in weights.values()))
        expected = {term: round(value / norm, 6) for term, value in weights.items()}
        assert dict(lexicon.keywords[note.rel]) == pytest.approx(expected, abs=2e-6), note.rel


def test_remembered_tokens_give_the_lexicon_of_a_fresh_build_after_an_edit() -> None:
    edited = {**WEIGHTED, "b.md": "La lettre du lundi se relit le vendredi, avant de publier."}
    remember_tokens(True)
    try:
        build_lexicon(notes_of(WEIGHTED), language="fr")
        remembered = build_lexicon(notes_of(edited), language="fr")
        again = build_lexicon(notes_of(edited), language="fr")
    finally:
        remember_tokens(False)
    fresh = build_lexicon(notes_of(edited), language="fr")
    assert remembered == fresh == again
    assert remembered != build_lexicon(notes_of(WEIGHTED), language="fr")


def test_a_watcher_gets_the_last_lexicon_back_while_no_word_changed() -> None:
    notes = notes_of(WEIGHTED)
    retagged = [parse_note(n.rel, f"---\nstatus: publié\n---\n{WEIGHTED[n.rel]}") for n in notes]
    edited = notes_of({**WEIGHTED, "b.md": "La lettre du lundi se relit le vendredi, avant de publier."})
    memo.remember(True)
    try:
        first = build_lexicon(notes, language="fr")
        same_words = build_lexicon(retagged, language="fr")  # a property: no new word
        other_words = build_lexicon(edited, language="fr")
        other_language = build_lexicon(edited, language="en")
    finally:
        memo.remember(False)
    assert same_words is first
    assert other_words is not first and other_words == build_lexicon(edited, language="fr")
    assert other_language == build_lexicon(edited, language="en") != other_words


def test_the_parser_counts_each_notes_words_once_for_the_lexicon() -> None:
    note = parse_note("Idées/Deep work.md", "# Titre\n\nÉcrire, écrire et lire : 2 fois.\n")
    assert note.words.words.split("\n") == ["deep", "work", "titre", "écrire", "lire", "fois"]
    assert list(np.frombuffer(note.words.counts, dtype=np.uint32)) == [2, 2, 1, 2, 1, 1]
    assert note.words == count_words(note)


# --- ties and the large-vault path ----------------------------------------------------------------


def test_keywords_of_equal_weight_come_in_alphabetical_order() -> None:
    shared = "kilo juliet india hotel golf foxtrot echo delta charlie bravo alpha"
    keywords = build_lexicon(notes_of({"x1.md": shared, "x2.md": shared, **FILLER}), language="en").keywords
    assert words(Lexicon("en", keywords, {}), "x1.md") == sorted(shared.split())[:8]
    assert len({weight for _, weight in keywords["x1.md"]}) == 1


def test_neighbours_of_equal_similarity_come_in_note_order() -> None:
    files = {f"x{index}.md": "Beurre, crème." for index in range(7)}
    lexicon = build_lexicon(notes_of({**files, **FILLER, **FILLER_BIS}), language="fr")
    assert lexicon.neighbours["x3.md"] == tuple((f"x{index}.md", 1.0) for index in (0, 1, 2, 4, 5))


FILLER_BIS = {f"g{index}.md": text for index, text in enumerate(["poulpe", "navet", "sitar", "grêle"])}


def test_notes_without_words_have_no_keywords_and_no_neighbours() -> None:
    files = {"empty.md": "", "digits.md": "1234 5678", "x1.md": "Beurre, crème.", "x2.md": "Beurre, crème."}
    lexicon = build_lexicon(notes_of({**files, **FILLER}), language="fr")
    assert lexicon.keywords["empty.md"] == lexicon.keywords["digits.md"] == ()
    assert lexicon.neighbours["empty.md"] == lexicon.neighbours["digits.md"] == ()
    assert lexicon.neighbours["x1.md"] == (("x2.md", 1.0),)


def test_the_large_vault_path_finds_the_exact_neighbours(monkeypatch: pytest.MonkeyPatch) -> None:
    # Above the pair budget only each word's heaviest notes propose neighbours; with room for
    # every note, the proposals cover all pairs and the exact cosines give the same neighbours
    # (notes sharing no word with any other are simply left out).
    notes = notes_of(NEIGHBOURS)
    exact = build_lexicon(notes, language="fr", neighbours=3, min_similarity=0.0)
    monkeypatch.setattr("tlvault.neighbours._PAIR_BUDGET", 0)
    monkeypatch.setattr("tlvault.neighbours._POSTINGS", len(notes))
    large = build_lexicon(notes, language="fr", neighbours=3, min_similarity=0.0)
    assert large.keywords == exact.keywords
    assert large.neighbours == {rel: found for rel, found in exact.neighbours.items() if found}


def test_the_large_vault_path_keeps_each_words_heaviest_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    # One posting per word: "lune" proposes only the note it weighs most in (o3, three words),
    # so n4 and n5 can no longer find each other through it.
    notes = notes_of(NEIGHBOURS)
    monkeypatch.setattr("tlvault.neighbours._PAIR_BUDGET", 0)
    monkeypatch.setattr("tlvault.neighbours._POSTINGS", 1)
    found = build_lexicon(notes, language="fr", neighbours=50, min_similarity=0.0).neighbours
    assert "n5.md" not in [other for other, _ in found.get("n4.md", ())]
    for rel, pairs in found.items():
        assert rel not in [other for other, _ in pairs]
        assert [score for _, score in pairs] == sorted((score for _, score in pairs), reverse=True)


# --- exact cosines of chosen pairs (large vaults) -----------------------------------------------


def unit_rows(seed: int, count: int, width: int, density: float) -> sparse.csr_matrix:
    """A random L2-normalised float32 matrix; every fifth row has no entries."""
    generator = np.random.default_rng(seed)
    dense = generator.random((count, width), dtype=np.float32)
    dense[generator.random((count, width)) >= density] = 0.0
    dense[::5] = 0.0
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return sparse.csr_matrix(dense / np.where(norms > 0, norms, 1.0).astype(np.float32))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("density", [0.02, 0.3, 0.8])  # 0.8: more than 128 shared stems a pair
@pytest.mark.parametrize(("slab", "pairs"), [(1 << 20, 4096), (1, 3), (2000, 7)])
def test_cosines_are_the_float32_sums_of_scipys_products(
    monkeypatch: pytest.MonkeyPatch, seed: int, density: float, slab: int, pairs: int
) -> None:
    # The oracle is how the cosines were computed before: SciPy's element-wise product of the
    # two rows, summed; the values must be the same float32 numbers, not just close.
    monkeypatch.setattr("tlvault.neighbours._SLAB", slab)  # 1: one row a slab; 2000: four
    monkeypatch.setattr("tlvault.neighbours._PAIRS", pairs)
    matrix = unit_rows(seed, 60, 500, density)
    generator = np.random.default_rng(seed + 100)
    rows = np.sort(generator.integers(0, 60, 400))
    rows = rows[(rows < 20) | (rows >= 45)]  # slabs without any pair
    columns = generator.integers(0, 60, len(rows))
    found = _cosines(matrix, rows, columns)
    expected = np.asarray(matrix[rows].multiply(matrix[columns]).sum(axis=1)).ravel()
    assert found.dtype == np.float32
    assert np.array_equal(found, expected)
    dense = matrix.toarray().astype(np.float64)
    assert np.allclose(found, (dense[rows] * dense[columns]).sum(axis=1), rtol=0, atol=1e-5)
    assert (found[(rows % 5 == 0) | (columns % 5 == 0)] == 0).all()  # rows without entries
    if density == 0.02:
        assert (found == 0).any() and (found > 0).any()  # some pairs share no stem


def test_cosines_of_no_pairs_are_empty() -> None:
    matrix = unit_rows(0, 10, 20, 0.5)
    nothing = np.zeros(0, dtype=np.int64)
    assert len(_cosines(matrix, nothing, nothing)) == 0
    empty = sparse.csr_matrix((3, 4), dtype=np.float32)
    assert _cosines(empty, np.array([0, 1]), np.array([2, 0])).tolist() == [0, 0]
