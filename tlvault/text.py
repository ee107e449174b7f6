"""build_lexicon(notes) -> Lexicon: TF-IDF keywords and lexical neighbours of the notes.

Words are lower-cased, French and English stop words removed (the `stop-words` package),
stemmed with Snowball in the vault's language, and weighted by TF-IDF (sublinear TF, smoothed
IDF, unit rows: scikit-learn's formula, computed on sparse arrays from the word counts the
parser takes once per note, `Note.words`). Each stem is shown as the spelling the notes use most,
so keywords keep their accents.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np
import snowballstemmer
from stop_words import get_stop_words

if TYPE_CHECKING:
    from scipy import sparse

from tlvault import memo
from tlvault.arrays import rows_of, runs
from tlvault.model import Note, WordCounts
from tlvault.results import Lexicon
from tlvault.words import count_words

_KEYWORDS = 8
_BLOCK = 1024  # rows of the similarity product computed at once
_PRODUCT_THREADS = min(4, os.cpu_count() or 1)  # SciPy's sparse product runs without the GIL
_PAIR_BUDGET = 50_000_000  # note pairs the exact similarity product may touch
_POSTINGS = 64  # beyond that budget, notes per word that may propose a neighbour
_SHORTLIST = 4  # candidates kept per wanted neighbour before exact cosines
_SLAB = 1 << 20  # cells of the dense slab of rows the exact cosines look stems up in
_PAIRS = 4096  # note pairs whose exact cosines are computed at once, so that the arrays stay in cache
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
_MIN_NOTES = 2  # a stem in one note links nothing
_MAX_SHARE = 0.5  # a stem in more than half of the notes tells them apart from nothing
# Note counts enter the weights rounded down to this ladder (steps of 2^(1/4), about 19 %, exact
# up to 8). One more note then changes the weights of a word's notes only when its count crosses
# a step: about 6 notes per changed word on average, instead of every note of the vault.
_STEPS = np.unique(np.round(2.0 ** (np.arange(128) / 4)).astype(np.int64))


def detect_language(notes: Iterable[Note]) -> str:
    """ "fr" or "en": whichever language's most frequent words the notes use more."""
    french = english = 0
    for note in islice(notes, _LANGUAGE_SAMPLE):
        votes = _language_votes(note)
        french += votes[0]
        english += votes[1]
    return "en" if english > french else "fr"


@memo.per_note
def _language_votes(note: Note) -> tuple[int, int]:
    """How many frequent French and English words the note's first paragraphs use."""
    french = english = 0
    for paragraph in note.paragraphs[:20]:
        for word in paragraph.text.lower().split():
            french += word in _FRENCH
            english += word in _ENGLISH
    return french, english


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    return frozenset(get_stop_words("french")) | frozenset(get_stop_words("english")) | _NOISE


class _Words:
    """Every spelling seen in one language, with its stem; ids are given in the order words are
    first seen and never change (the stemmer is pure), so a note's counts can be kept as ids."""

    def __init__(self, language: str) -> None:
        self.stop_words = _stop_words()
        self.stemmer = snowballstemmer.stemmer(_STEMMERS[language])
        self.spelling_ids: dict[str, int] = {}
        self.spellings: list[str] = []
        self.stem_of: list[int] = []  # spelling id -> stem id, -1 for a stop word
        self.stem_ids: dict[str, int] = {}
        self.stems: list[str] = []
        self._ranks = np.zeros(0, dtype=np.int64)
        self._alphabetical = np.zeros(0, dtype=np.int64)

    def ids(self, counted: Sequence[WordCounts]) -> np.ndarray:
        """The spelling id of each distinct word of each note, note after note."""
        # One split and one lookup pass over all the notes: per note, the calls cost more than the words.
        text = "\n".join(words.words for words in counted if words.words)
        spellings = text.split("\n") if text else []
        ids = self.spelling_ids
        for word in dict.fromkeys(spellings):  # each word once, in the order first seen
            if word not in ids:
                self._learn(word)
        return np.fromiter(map(ids.__getitem__, spellings), dtype=np.int64, count=len(spellings))

    def ranks(self) -> tuple[np.ndarray, np.ndarray]:
        """Each spelling's stem as its rank in alphabetical order (-1 for a stop word), and the
        stems in that order; kept until new words come, so a rebuild does not sort them again."""
        if len(self._ranks) != len(self.spellings):
            if len(self._alphabetical) != len(self.stems):
                self._alphabetical = np.array(
                    sorted(range(len(self.stems)), key=self.stems.__getitem__), dtype=np.int64
                )
            rank = np.full(len(self.stems) + 1, -1, dtype=np.int64)  # the last one for stop words
            rank[self._alphabetical] = np.arange(len(self.stems))
            self._ranks = rank[np.asarray(self.stem_of, dtype=np.int64)]
        return self._ranks, self._alphabetical

    def _learn(self, word: str) -> None:
        self.spelling_ids[word] = len(self.spellings)
        self.spellings.append(word)
        if word in self.stop_words:
            self.stem_of.append(-1)
            return
        stem = self.stemmer.stemWord(word)
        if stem not in self.stem_ids:
            self.stem_ids[stem] = len(self.stems)
            self.stems.append(stem)
        self.stem_of.append(self.stem_ids[stem])


# Each note's count of distinct spellings, then every note's spelling ids and their occurrences.
_Tokens = tuple[np.ndarray, np.ndarray, np.ndarray]
_WORDS: dict[str, _Words] = {}
# Each note's spelling ids, kept between rebuilds by a long-running watcher (None: off).
_TOKENS: dict[tuple[str, str], np.ndarray] | None = None


def remember_tokens(enabled: bool = True) -> None:
    """Keep each note's spelling ids between rebuilds (the watcher); a one-shot run does not need it."""
    global _TOKENS
    _TOKENS = {} if enabled else None


def forget_old_tokens(texts_in_use: int) -> None:
    """Drop remembered ids when they grow well beyond the notes in use (edited notes leave
    their old words behind)."""
    if _TOKENS is not None and len(_TOKENS) > 2 * texts_in_use + 1000:
        _TOKENS.clear()


def _note_tokens(words: _Words, language: str, notes: Sequence[Note]) -> _Tokens:
    forget_old_tokens(len(notes))
    # A Note built by hand has no word counts yet.
    counted = [note.words if note.words.words else count_words(note) for note in notes]
    counts = [words.counts for words in counted]
    lengths = np.fromiter(map(len, counts), dtype=np.int64, count=len(counts)) // 4  # one uint32 a word
    # One buffer for all the notes' counts: a frombuffer per note costs more than the join.
    occurrences = np.frombuffer(b"".join(counts), dtype=np.uint32).astype(np.int64)
    if _TOKENS is None:
        return lengths, words.ids(counted), occurrences
    keys = [(language, words.words) for words in counted]
    new = [index for index, key in enumerate(keys) if key not in _TOKENS]
    if new:
        found = words.ids([counted[index] for index in new])
        ends = np.cumsum(lengths[new]).tolist()
        for index, start, end in zip(new, [0, *ends[:-1]], ends, strict=True):
            _TOKENS[keys[index]] = found[start:end]
    remembered = [_TOKENS[key] for key in keys]
    return lengths, np.concatenate(remembered) if remembered else np.zeros(0, dtype=np.int64), occurrences


def build_lexicon(
    notes: Sequence[Note], *, language: str, neighbours: int = 5, min_similarity: float = 0.2
) -> Lexicon:
    """Keywords of every note and, for each, its `neighbours` most similar notes above `min_similarity`.

    While a watcher remembers results (`memo.remember`), a call with the same words in the same
    notes as the last one (an edit of properties or task boxes only) returns the last lexicon.
    """
    if not memo.remembering():
        return _build_lexicon(notes, language, neighbours, min_similarity)
    # Unchanged notes bring the very same WordCounts objects: comparing them costs an identity check.
    key = (language, neighbours, min_similarity, [(n.rel, n.words if n.words.words else n) for n in notes])
    if _LAST_LEXICON and _LAST_LEXICON[0][0] == key:
        return _LAST_LEXICON[0][1]
    _LAST_LEXICON.clear()
    lexicon = _build_lexicon(notes, language, neighbours, min_similarity)
    _LAST_LEXICON.append((key, lexicon))
    return lexicon


_LAST_LEXICON: list[tuple[object, Lexicon]] = []  # the watcher's last lexicon and what it was made of
memo.on_forget(_LAST_LEXICON.clear)


def _build_lexicon(notes: Sequence[Note], language: str, neighbours: int, min_similarity: float) -> Lexicon:
    if len(notes) < 2:
        return Lexicon(language, {}, {})
    words = _WORDS.setdefault(language, _Words(language))
    counted = _count_stems(words, _note_tokens(words, language, notes))
    if counted is None:  # no word appears in two notes: nothing to compare
        return Lexicon(language, {}, {})
    matrix, columns, spelling_notes = counted
    display = _display(words, columns, spelling_notes)
    terms = [display[stem] for stem in columns.tolist()]
    rels = [note.rel for note in notes]
    return Lexicon(
        language,
        _keywords(matrix, rels, terms),
        _neighbours(matrix, rels, neighbours, min_similarity),
    )


def _count_stems(words: _Words, tokens: _Tokens) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray] | None:
    """The TF-IDF matrix (notes × stems found in at least 2 notes and at most half of them, in
    alphabetical order), the stem id of each column and the notes each spelling occurs in;
    None when no stem qualifies."""
    from scipy import sparse

    lengths, spellings, occurrences = tokens
    documents = len(lengths)
    rows = np.repeat(np.arange(documents, dtype=np.int64), lengths)
    spelling_notes = np.bincount(spellings, minlength=len(words.spellings))
    ranks, alphabetical = words.ranks()
    # Stems by alphabetical rank: entries sorted by (note, rank) are then in the matrix's order.
    stems = ranks[spellings]
    spoken = stems >= 0
    rows, stems, frequency = _add_spellings(
        rows[spoken], stems[spoken], occurrences[spoken], len(words.stems)
    )
    wanted = _wanted(np.bincount(stems, minlength=len(words.stems)), documents)
    if not wanted.any():
        return None
    width = int(wanted.sum())
    column_of = np.cumsum(wanted) - 1
    kept = wanted[stems]
    rows, cols, frequency = rows[kept], column_of[stems[kept]], frequency[kept]
    data = _tf_idf(rows, cols, frequency, np.bincount(cols, minlength=width), documents)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=documents))))
    matrix = sparse.csr_matrix((data, cols.astype(np.int32), indptr.astype(np.int32)), (documents, width))
    return matrix, alphabetical[wanted], spelling_notes


def _add_spellings(
    rows: np.ndarray, stems: np.ndarray, occurrences: np.ndarray, stem_count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One entry per (note, stem), sorted, with the occurrences of the stem's spellings added up
    (exact integer sums, then float32)."""
    if not len(rows):
        return rows, stems, np.zeros(0, dtype=np.float32)
    keys = rows * stem_count + stems
    width = int(occurrences.max()).bit_length()
    if int(keys.max()).bit_length() + width <= 63:
        # Occurrences packed under the keys: one plain sort instead of an argsort and a gather.
        packed = np.sort((keys << width) | occurrences)
        keys, occurrences = packed >> width, packed & ((1 << width) - 1)
    else:
        order = np.argsort(keys)
        keys, occurrences = keys[order], occurrences[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    frequency = np.add.reduceat(occurrences, starts).astype(np.float32)
    rows, stems = np.divmod(keys[starts], stem_count)
    return rows, stems, frequency


def stepped(counts: np.ndarray) -> np.ndarray:
    """Each count (>= 1) rounded down to the ladder of `_STEPS`."""
    stepped: np.ndarray = _STEPS[np.searchsorted(_STEPS, counts, "right") - 1]
    return stepped


def _wanted(document_frequency: np.ndarray, documents: int) -> np.ndarray:
    """Which stems are in at least `_MIN_NOTES` notes and in at most `_MAX_SHARE` of them, both
    counts stepped."""
    most = _MAX_SHARE * int(stepped(np.array([documents]))[0])
    if most < _MIN_NOTES:
        return np.zeros(len(document_frequency), dtype=bool)
    in_notes = np.maximum(document_frequency, 1)
    wanted: np.ndarray = (document_frequency >= _MIN_NOTES) & (stepped(in_notes) <= most)
    return wanted


def _tf_idf(
    rows: np.ndarray, cols: np.ndarray, frequency: np.ndarray, document_frequency: np.ndarray, documents: int
) -> np.ndarray:
    """Sublinear TF × smoothed IDF, each row scaled to unit length: scikit-learn's TfidfVectorizer
    with `sublinear_tf=True`, computed the same way in float32, with the note counts stepped."""
    idf = np.full(len(document_frequency), stepped(np.array([documents]))[0] + 1, dtype=np.float32)
    idf /= stepped(document_frequency).astype(np.float32) + np.float32(1.0)
    np.log(idf, out=idf)
    idf += np.float32(1.0)
    data = np.log(frequency)
    data += np.float32(1.0)
    data *= idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=(data * data).astype(np.float64), minlength=documents))
    unit: np.ndarray = (data.astype(np.float64) / norms[rows]).astype(np.float32)
    return unit


def _display(words: _Words, columns: np.ndarray, spelling_notes: np.ndarray) -> dict[int, str]:
    """For each kept stem, the spelling found in the most notes (ties: alphabetical)."""
    wanted = set(columns.tolist())
    notes = spelling_notes.tolist()
    best: dict[int, tuple[int, str]] = {}
    for spelling in np.flatnonzero(spelling_notes).tolist():
        stem = words.stem_of[spelling]
        if stem in wanted:
            candidate = (-notes[spelling], words.spellings[spelling])
            if stem not in best or candidate < best[stem]:
                best[stem] = candidate
    return {stem: word for stem, (_, word) in best.items()}


def _keywords(
    matrix: sparse.csr_matrix, rels: list[str], terms: list[str]
) -> dict[str, tuple[tuple[str, float], ...]]:
    weights = np.round(matrix.data.astype(np.float64), 6)
    rows = rows_of(matrix.indptr)
    best = _best_per_row(rows, _levels(weights, 6), matrix.indices, _KEYWORDS)
    return _by_row(rels, terms, np.arange(len(rels)), rows[best], matrix.indices[best], weights[best])


def _neighbours(
    matrix: sparse.csr_matrix, rels: list[str], count: int, minimum: float
) -> dict[str, tuple[tuple[str, float], ...]]:
    """Top cosine neighbours, block by block so that memory stays bounded.

    A word shared by m notes puts m² pairs in the product. When that would exceed
    `_PAIR_BUDGET`, candidates come only from each word's `_POSTINGS` heaviest notes and their
    cosines are then computed exactly; otherwise the whole product is exact.
    """
    document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.int64)
    if int((document_frequency**2).sum()) <= _PAIR_BUDGET:
        return _exact_neighbours(matrix, rels, count, minimum)
    return _approximate_neighbours(matrix, rels, count, minimum)


def _approximate_neighbours(
    matrix: sparse.csr_matrix, rels: list[str], count: int, minimum: float
) -> dict[str, tuple[tuple[str, float], ...]]:
    # In CSR, as the product would convert it block after block.
    candidates = _heaviest_postings(matrix, _POSTINGS).T.tocsr()
    row_parts: list[np.ndarray] = []
    column_parts: list[np.ndarray] = []
    firsts = range(0, matrix.shape[0], _BLOCK)

    def product(first: int) -> sparse.csr_matrix:
        return (matrix[first : first + _BLOCK] @ candidates).tocsr()

    # Blocks are multiplied on other cores while this thread shortlists the previous ones.
    with ThreadPoolExecutor(_PRODUCT_THREADS) as pool:
        for first, block in zip(firsts, pool.map(product, firsts), strict=True):
            rows, columns = _shortlist(block, count * _SHORTLIST)
            rows += first
            mine = columns != rows
            row_parts.append(rows[mine])
            column_parts.append(columns[mine])
    rows, columns = np.concatenate(row_parts), np.concatenate(column_parts)
    # Rounded as the exact path rounds its products.
    scores = np.round(_cosines(matrix, rows, columns).astype(np.float64), 4)
    keep = scores >= minimum
    best = _best_per_row(rows[keep], _levels(scores[keep], 4), columns[keep], count)
    # A row whose candidates all fall short gets an empty tuple; one without candidates, nothing.
    return _by_row(rels, rels, np.unique(rows), rows[keep][best], columns[keep][best], scores[keep][best])


def _shortlist(block: sparse.csr_matrix, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The (row, column) entries of `block` among the `size` highest of their row, by row."""
    lengths = np.diff(block.indptr)
    long = lengths > size
    starts, ends = block.indptr[:-1][long], block.indptr[1:][long]
    negated = -block.data
    # np.argpartition row by row, as before: it decides which candidates tied at the shortlist's
    # end are kept, and the vectorised ways tried (padded np.partition, one sort) were slower.
    picks = [
        negated[start:end].argpartition(size - 1)[:size]
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
    ]
    picked = np.array(picks, dtype=np.int64).reshape(len(starts), size) + starts[:, None]
    # Short rows keep every entry.
    positions = np.concatenate((picked.ravel(), runs(block.indptr[:-1][~long], lengths[~long])))
    positions.sort()
    rows = np.searchsorted(block.indptr, positions, "right") - 1
    return rows, block.indices[positions].astype(np.int64)


def _exact_neighbours(
    matrix: sparse.csr_matrix, rels: list[str], count: int, minimum: float
) -> dict[str, tuple[tuple[str, float], ...]]:
    transposed = matrix.T.tocsr()  # in CSR, as the product would convert it block after block
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for first in range(0, matrix.shape[0], _BLOCK):
        block = (matrix[first : first + _BLOCK] @ transposed).tocsr()
        scores = np.round(block.data.astype(np.float64), 4)
        rows = rows_of(block.indptr) + first
        keep = (block.indices != rows) & (scores >= minimum)
        rows, columns, scores = rows[keep], block.indices[keep], scores[keep]
        best = _best_per_row(rows - first, _levels(scores, 4), columns, count)
        parts.append((rows[best], columns[best], scores[best]))
    rows, columns, scores = (np.concatenate(part) for part in zip(*parts, strict=True))
    return _by_row(rels, rels, np.arange(len(rels)), rows, columns, scores)


def _heaviest_postings(matrix: sparse.csr_matrix, keep: int) -> sparse.csr_matrix:
    """The matrix with, for each word, only its `keep` highest-weighted notes (ties: first notes)."""
    columns = matrix.tocsc()
    # Positive float32 weights order as their bits do, read as integers.
    levels = columns.data.view(np.int32)
    kept = _best_per_row(rows_of(columns.indptr), levels, columns.indices, keep)
    drop = np.ones(columns.nnz, dtype=bool)
    drop[kept] = False
    columns.data[drop] = 0.0
    columns.eliminate_zeros()
    return columns.tocsr()


def _cosines(matrix: sparse.csr_matrix, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The exact cosine of each (row, column) note pair (`rows` sorted) of an L2-normalised matrix.

    The very float32 sums of `matrix[rows].multiply(matrix[columns]).sum(axis=1)`: the products
    of the stems both notes have, in column order, added by np.add.reduceat. A dense slab of a
    few rows gives each row's weight of a stem; the column note's entries are gathered and
    multiplied with it, and a product is 0 exactly where the row lacks the stem.
    """
    cosines = np.zeros(len(rows), dtype=np.float32)
    if not len(rows):
        return cosines
    size, width = matrix.shape
    lengths = np.diff(matrix.indptr)
    height = max(1, _SLAB // max(width, 1))
    slab = np.zeros(height * width, dtype=np.float32)
    firsts = range(int(rows[0]), int(rows[-1]) + 1, height)
    bounds = np.searchsorted(rows, [*firsts, int(rows[-1]) + 1]).tolist()
    for first, start, end in zip(firsts, bounds[:-1], bounds[1:], strict=True):
        if start == end:  # none of these rows has a pair
            continue
        last = min(first + height, size)
        entries = slice(matrix.indptr[first], matrix.indptr[last])
        cells = np.repeat(np.arange(last - first) * width, lengths[first:last]) + matrix.indices[entries]
        slab[cells] = matrix.data[entries]
        for low in range(start, end, _PAIRS):
            chunk = slice(low, min(low + _PAIRS, end))
            others = matrix[columns[chunk]]
            products = slab[np.repeat((rows[chunk] - first) * width, np.diff(others.indptr)) + others.indices]
            products *= others.data
            shared = np.flatnonzero(products != 0)
            # Where each pair's shared stems start and end among the non-zero products.
            ends = np.searchsorted(shared, others.indptr)
            some = ends[1:] > ends[:-1]
            if len(shared):
                cosines[chunk][some] = np.add.reduceat(products[shared], ends[:-1][some])
        slab[cells] = 0.0
    return cosines


def _best_per_row(rows: np.ndarray, levels: np.ndarray, ties: np.ndarray, count: int) -> np.ndarray:
    """Positions of each row's `count` highest levels, by row, best first, ties by lower `ties`
    (`rows` sorted; levels and ties non-negative integers, ties distinct within a row)."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    order = _order(rows, levels.max() - levels, ties)
    # Sorting keeps each row's entries where they were, as a run: rank them within it.
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(starts, append=len(rows)))
    return order[rank < count]


def _order(*keys: np.ndarray) -> np.ndarray:
    """`np.lexsort(keys[::-1])` for non-negative integer keys that are distinct taken together:
    one argsort of the keys packed in an int64 when they fit, several times faster."""
    widths = [int(key.max()).bit_length() for key in keys]
    if sum(widths) > 63:
        return np.lexsort(keys[::-1])
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    for key, width in zip(keys, widths, strict=True):
        packed <<= width
        packed |= key
    return np.argsort(packed)


def _levels(scores: np.ndarray, places: int) -> np.ndarray:
    """Scores already rounded to `places` decimals (np.round) as the integers they are tenths,
    hundredths… of: same order, equal only when equal."""
    return np.rint(scores * 10.0**places).astype(np.int64)


def _by_row(
    rels: list[str],
    names: list[str],
    present: np.ndarray,
    rows: np.ndarray,
    columns: np.ndarray,
    scores: np.ndarray,
) -> dict[str, tuple[tuple[str, float], ...]]:
    """For each row in `present`, its (name of column, score) pairs; `rows` is sorted."""
    pairs = list(zip(map(names.__getitem__, columns.tolist()), scores.tolist(), strict=True))
    starts = np.searchsorted(rows, present, "left").tolist()
    ends = np.searchsorted(rows, present, "right").tolist()
    return {
        rels[row]: tuple(pairs[start:end])
        for row, start, end in zip(present.tolist(), starts, ends, strict=True)
    }
