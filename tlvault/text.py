"""build_lexicon(notes) -> Lexicon: TF-IDF keywords and lexical neighbours of the notes.

Words are lower-cased, French and English stop words removed (the `stop-words` package),
stemmed with Snowball in the vault's language, and weighted by scikit-learn's TF-IDF. Each
stem is shown as the spelling the notes use most, so keywords keep their accents.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import snowballstemmer
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from stop_words import get_stop_words

from tlvault.model import Lexicon, Note

_WORD = re.compile(r"[^\W\d_]{3,}")
_MAX_CHARS = 20_000  # a note's first 20,000 characters say what it is about
_KEYWORDS = 8
_BLOCK = 1024  # rows of the similarity product computed at once
# Words of Markdown and of the web that say nothing about an idea.
_NOISE = frozenset({"http", "https", "www", "com", "org", "png", "jpg", "pdf", "html", "md", "todo"})
# Frequent words that tell French from English.
_FRENCH = frozenset(
    {"le", "la", "les", "des", "est", "et", "une", "pour", "que", "dans", "pas", "qui", "sur", "avec", "du"}
)
_ENGLISH = frozenset(
    {"the", "and", "is", "of", "to", "in", "that", "for", "with", "not", "this", "on", "are", "be", "it"}
)
_STEMMERS = {"fr": "french", "en": "english"}


def detect_language(notes: Iterable[Note]) -> str:
    """ "fr" or "en": whichever language's most frequent words the notes use more."""
    french = english = 0
    for note in notes:
        for paragraph in note.paragraphs[:20]:
            for word in paragraph.text.lower().split():
                french += word in _FRENCH
                english += word in _ENGLISH
    return "en" if english > french else "fr"


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    return frozenset(get_stop_words("french")) | frozenset(get_stop_words("english")) | _NOISE


def note_text(note: Note) -> str:
    """The words that describe a note: its name twice (names are dense), headings and prose."""
    parts = [note.name, note.name, *(paragraph.text for paragraph in note.paragraphs)]
    return "\n".join(parts)[:_MAX_CHARS]


class _Analyzer:
    """Text → stems, remembering how often each spelling was seen."""

    def __init__(self, language: str) -> None:
        self.stop_words = _stop_words()
        self.stemmer = snowballstemmer.stemmer(_STEMMERS[language])
        self.stems: dict[str, str | None] = {}  # spelling -> stem, None for stop words
        self.spellings: Counter[str] = Counter()

    def __call__(self, text: str) -> list[str]:
        words = _WORD.findall(text.lower())
        self.spellings.update(words)
        stems = self.stems
        for word in set(words).difference(stems):
            stems[word] = None if word in self.stop_words else self.stemmer.stemWord(word)
        return [stem for word in words if (stem := stems[word]) is not None]

    def display(self) -> dict[str, str]:
        """For each stem, the spelling used most (ties: alphabetical)."""
        best: dict[str, tuple[int, str]] = {}
        for word, stem in self.stems.items():
            if stem is not None:
                candidate = (-self.spellings[word], word)
                if stem not in best or candidate < best[stem]:
                    best[stem] = candidate
        return {stem: word for stem, (_, word) in best.items()}


def build_lexicon(
    notes: Sequence[Note], *, language: str, neighbours: int = 5, min_similarity: float = 0.2
) -> Lexicon:
    """Keywords of every note and, for each, its `neighbours` most similar notes above `min_similarity`."""
    if len(notes) < 2:
        return Lexicon(language, {}, {})
    analyzer = _Analyzer(language)
    vectorizer = TfidfVectorizer(analyzer=analyzer, min_df=2, max_df=0.5, sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform([note_text(note) for note in notes]).tocsr()
    except ValueError:  # no word appears in two notes: nothing to compare
        return Lexicon(language, {}, {})
    display = analyzer.display()
    terms = [display.get(stem, stem) for stem in vectorizer.get_feature_names_out()]
    rels = [note.rel for note in notes]
    return Lexicon(
        language,
        _keywords(matrix, rels, terms),
        _neighbours(matrix, rels, neighbours, min_similarity),
    )


def _keywords(
    matrix: sparse.csr_matrix, rels: list[str], terms: list[str]
) -> dict[str, tuple[tuple[str, float], ...]]:
    keywords = {}
    weights_all = np.round(matrix.data.astype(np.float64), 6)
    for row, rel in enumerate(rels):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        weights, columns = weights_all[start:end], matrix.indices[start:end]
        top = np.lexsort((columns, -weights))[:_KEYWORDS]  # ties broken by column: deterministic
        keywords[rel] = tuple(zip([terms[c] for c in columns[top]], weights[top].tolist(), strict=True))
    return keywords


def _neighbours(
    matrix: sparse.csr_matrix, rels: list[str], count: int, minimum: float
) -> dict[str, tuple[tuple[str, float], ...]]:
    """Top cosine neighbours, computed block by block so that memory stays bounded."""
    transposed = matrix.T.tocsc()
    result: dict[str, tuple[tuple[str, float], ...]] = {}
    for first in range(0, matrix.shape[0], _BLOCK):
        block = (matrix[first : first + _BLOCK] @ transposed).tocsr()
        block.data = np.round(block.data.astype(np.float64), 4)
        for offset in range(block.shape[0]):
            row = first + offset
            start, end = block.indptr[offset], block.indptr[offset + 1]
            scores, columns = block.data[start:end], block.indices[start:end]
            keep = (columns != row) & (scores >= minimum)
            scores, columns = scores[keep], columns[keep]
            top = np.lexsort((columns, -scores))[:count]  # best first, ties by column
            result[rels[row]] = tuple(zip([rels[c] for c in columns[top]], scores[top].tolist(), strict=True))
    return result
