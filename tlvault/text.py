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
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np
import snowballstemmer
from stop_words import get_stop_words

if TYPE_CHECKING:
    from scipy import sparse

from tlvault.model import Note
from tlvault.results import Lexicon

_WORD = re.compile(r"[^\W\d_]{3,}")
_MAX_CHARS = 20_000  # a note's first 20,000 characters say what it is about
_KEYWORDS = 8
_BLOCK = 1024  # rows of the similarity product computed at once
_PAIR_BUDGET = 50_000_000  # note pairs the exact similarity product may touch
_POSTINGS = 64  # beyond that budget, notes per word that may propose a neighbour
_SHORTLIST = 4  # candidates kept per wanted neighbour before exact cosines
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
_LANGUAGE_SAMPLE = 2000  # notes read to tell the vault's language


def detect_language(notes: Iterable[Note]) -> str:
    """ "fr" or "en": whichever language's most frequent words the notes use more."""
    french = english = 0
    for note in islice(notes, _LANGUAGE_SAMPLE):
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
        self.language = language
        self.stop_words = _stop_words()
        self.stemmer = snowballstemmer.stemmer(_STEMMERS[language])
        self.stems = _STEMS.setdefault(language, {})  # spelling -> stem, None for stop words
        self.spellings: Counter[str] = Counter()

    def __call__(self, text: str) -> list[str]:
        memo = _TOKENS.get((self.language, text)) if _TOKENS is not None else None
        if memo is not None:
            unique, stemmed = memo
            self.spellings.update(unique)
            return stemmed
        words = _WORD.findall(text.lower())
        unique = frozenset(words)
        self.spellings.update(unique)  # in how many notes each spelling appears
        stems = self.stems
        for word in unique.difference(stems):
            stems[word] = None if word in self.stop_words else self.stemmer.stemWord(word)
        stemmed = [stem for word in words if (stem := stems[word]) is not None]
        if _TOKENS is not None:
            _TOKENS[(self.language, text)] = (unique, stemmed)
        return stemmed

    def display(self) -> dict[str, str]:
        """For each stem, the spelling found in the most notes (ties: alphabetical)."""
        best: dict[str, tuple[int, str]] = {}
        for word, count in self.spellings.items():
            stem = self.stems[word]
            if stem is not None:
                candidate = (-count, word)
                if stem not in best or candidate < best[stem]:
                    best[stem] = candidate
        return {stem: word for stem, (_, word) in best.items()}


# Stems of every spelling seen, per language: the stemmer is pure, so this never goes stale.
_STEMS: dict[str, dict[str, str | None]] = {}
# Each note text's words and stems, kept between rebuilds by a long-running watcher (None: off).
_TOKENS: dict[tuple[str, str], tuple[frozenset[str], list[str]]] | None = None


def remember_tokens(enabled: bool = True) -> None:
    """Keep each note's words between rebuilds (the watcher); a one-shot run does not need it."""
    global _TOKENS
    _TOKENS = {} if enabled else None


def forget_old_tokens(texts_in_use: int) -> None:
    """Drop remembered tokens when they grow well beyond the notes in use (edited notes leave
    their old text behind)."""
    if _TOKENS is not None and len(_TOKENS) > 2 * texts_in_use + 1000:
        _TOKENS.clear()


def build_lexicon(
    notes: Sequence[Note], *, language: str, neighbours: int = 5, min_similarity: float = 0.2
) -> Lexicon:
    """Keywords of every note and, for each, its `neighbours` most similar notes above `min_similarity`."""
    if len(notes) < 2:
        return Lexicon(language, {}, {})
    # scikit-learn takes ~0.7 s to import: only the commands that build the graph pay for it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = _Analyzer(language)
    forget_old_tokens(len(notes))
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
    """Top cosine neighbours, block by block so that memory stays bounded.

    A word shared by m notes puts m² pairs in the product. When that would exceed
    `_PAIR_BUDGET`, candidates come only from each word's `_POSTINGS` heaviest notes and their
    cosines are then computed exactly; otherwise the whole product is exact.
    """
    document_frequency = np.diff(matrix.tocsc().indptr).astype(np.int64)
    if int((document_frequency**2).sum()) <= _PAIR_BUDGET:
        return _exact_neighbours(matrix, rels, count, minimum)
    candidates = _heaviest_postings(matrix, _POSTINGS).T.tocsc()
    result: dict[str, tuple[tuple[str, float], ...]] = {}
    for first in range(0, matrix.shape[0], _BLOCK):
        block = (matrix[first : first + _BLOCK] @ candidates).tocsr()
        row_parts: list[np.ndarray] = []
        column_parts: list[np.ndarray] = []
        shortlist = count * _SHORTLIST
        for offset in range(block.shape[0]):
            start, end = block.indptr[offset], block.indptr[offset + 1]
            scores, columns = block.data[start:end], block.indices[start:end]
            if len(scores) > shortlist:  # the exact cosines below decide the order
                top = np.argpartition(-scores, shortlist - 1)[:shortlist]
                scores, columns = scores[top], columns[top]
            columns = columns[columns != first + offset]
            row_parts.append(np.full(len(columns), first + offset, dtype=np.int64))
            column_parts.append(columns.astype(np.int64))
        rows, columns = np.concatenate(row_parts), np.concatenate(column_parts)
        _keep_best(result, rels, rows, columns, _cosines(matrix, rows, columns), count, minimum)
    return result


def _exact_neighbours(
    matrix: sparse.csr_matrix, rels: list[str], count: int, minimum: float
) -> dict[str, tuple[tuple[str, float], ...]]:
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


def _heaviest_postings(matrix: sparse.csr_matrix, keep: int) -> sparse.csr_matrix:
    """The matrix with, for each word, only its `keep` highest-weighted notes."""
    columns = matrix.tocsc()
    drop = np.zeros(columns.nnz, dtype=bool)
    for column in np.flatnonzero(np.diff(columns.indptr) > keep):
        start, end = columns.indptr[column], columns.indptr[column + 1]
        order = np.lexsort((columns.indices[start:end], -columns.data[start:end]))
        drop[start + order[keep:]] = True
    columns.data[drop] = 0.0
    columns.eliminate_zeros()
    return columns.tocsr()


def _cosines(matrix: sparse.csr_matrix, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The exact cosine of each (row, column) note pair of an L2-normalised matrix, rounded to 4 places."""
    if not len(rows):
        return np.zeros(0)
    products = matrix[rows].multiply(matrix[columns]).sum(axis=1)
    return np.round(np.asarray(products, dtype=np.float64).ravel(), 4)


def _keep_best(
    result: dict[str, tuple[tuple[str, float], ...]],
    rels: list[str],
    rows: np.ndarray,
    columns: np.ndarray,
    scores: np.ndarray,
    count: int,
    minimum: float,
) -> None:
    """For every row with candidates, its `count` best columns at or above `minimum`, best first,
    ties by column (a row whose candidates all fall short gets an empty tuple)."""
    if not len(rows):
        return
    present = np.unique(rows)
    keep = scores >= minimum
    rows, columns, scores = rows[keep], columns[keep], scores[keep]
    order = np.lexsort((columns, -scores, rows))
    rows, column_list, score_list = rows[order], columns[order].tolist(), scores[order].tolist()
    starts = np.searchsorted(rows, present, "left").tolist()
    ends = np.searchsorted(rows, present, "right").tolist()
    for row, start, end in zip(present.tolist(), starts, ends, strict=True):
        stop = min(end, start + count)
        result[rels[row]] = tuple(
            (rels[column], score)
            for column, score in zip(column_list[start:stop], score_list[start:stop], strict=True)
        )
