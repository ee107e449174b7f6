"""build_lexicon(notes) -> Lexicon: TF-IDF keywords and lexical neighbours of the notes.

Words are lower-cased, French and English stop words removed (the `stop-words` package),
stemmed with Snowball in the vault's language, and weighted by TF-IDF (sublinear TF, smoothed
IDF, unit rows: scikit-learn's formula with the note counts stepped down to `_STEPS`, computed on
sparse arrays from the word counts the parser takes once per note, `Note.words`). Each stem is
shown as the spelling the notes use most, so keywords keep their accents. Neighbours come from
`tlvault/neighbours.py`. While a watcher remembers results, the last lexicon is kept
(`_KeptLexicon`) and the next one updated from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np
import snowballstemmer
from stop_words import get_stop_words

if TYPE_CHECKING:
    from scipy import sparse

from tlvault import memo
from tlvault.arrays import best_per_row, by_row, decimal_levels, rows_of
from tlvault.model import Note, WordCounts
from tlvault.neighbours import Rows, Search, find_neighbours, update_neighbours
from tlvault.results import Lexicon
from tlvault.words import count_words

_KEYWORDS = 8
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


def _word_counts(notes: Sequence[Note]) -> list[WordCounts]:
    """Each note's word counts (a Note built by hand has none yet)."""
    return [note.words if note.words.words else count_words(note) for note in notes]


def _note_tokens(words: _Words, language: str, counted: Sequence[WordCounts]) -> _Tokens:
    forget_old_tokens(len(counted))
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
    keeping = memo.remembering()
    last = _KEPT.pop() if _KEPT else None  # a one-shot build keeps nothing and starts from nothing
    last = last if keeping else None
    if len(notes) < 2:
        return Lexicon(language, {}, {})
    words = _WORDS.setdefault(language, _Words(language))
    entries = (
        _kept_entries(words, language, notes)
        if keeping
        else _entries(words, _note_tokens(words, language, _word_counts(notes)))
    )
    counted = _count_stems(words, entries, len(notes))
    if counted is None:  # no word appears in two notes: nothing to compare
        return Lexicon(language, {}, {})
    matrix, columns, spelling_notes = counted
    display = _display(words, columns, spelling_notes)
    terms = [display[stem] for stem in columns.tolist()]
    rels = [note.rel for note in notes]
    settings = (language, neighbours, min_similarity)
    if last is None or last.settings != settings:
        kept = _KeptLexicon(
            settings,
            rels,
            matrix,
            columns,
            display,
            _keywords(matrix, rels, terms),
            find_neighbours(matrix, columns, rels, neighbours, min_similarity),
        )
    else:
        kept = last.after(rels, matrix, columns, display, terms)
    if keeping:
        _KEPT.append(kept)
    return Lexicon(language, kept.keywords, kept.search.neighbours)


@dataclass
class _KeptLexicon:
    """The watcher's last lexicon with what the next one needs to start from."""

    settings: tuple[str, int, float]
    rels: list[str]
    matrix: sparse.csr_matrix
    stems: np.ndarray
    display: dict[int, str]
    keywords: dict[str, tuple[tuple[str, float], ...]]
    search: Search

    def after(
        self,
        rels: list[str],
        matrix: sparse.csr_matrix,
        stems: np.ndarray,
        display: dict[int, str],
        terms: list[str],
    ) -> _KeptLexicon:
        """The lexicon of the new matrix: keywords again only for notes whose weights or shown
        words changed, neighbours kept up to date (`update_neighbours`)."""
        moved = Rows.between((self.rels, self.matrix, self.stems), rels, matrix, stems)
        renamed = np.fromiter(
            (display[stem] != self.display.get(stem) for stem in stems.tolist()), dtype=bool, count=len(stems)
        )
        again = moved.changed.copy()
        again[rows_of(matrix.indptr)[renamed[matrix.indices]]] = True
        redo = np.flatnonzero(again)
        fresh = _keywords(matrix[redo], [rels[row] for row in redo.tolist()], terms)
        keywords = {
            rel: fresh[rel] if new else self.keywords[rel]
            for rel, new in zip(rels, again.tolist(), strict=True)
        }
        search = update_neighbours(self.search, matrix, stems, rels, moved)
        return _KeptLexicon(self.settings, rels, matrix, stems, display, keywords, search)


_KEPT: list[_KeptLexicon] = []  # while `memo.remembering()`
memo.on_forget(_KEPT.clear)

# Stem entries of a note's word counts (by object, held): spellings, stems (alphabetical), occurrences.
_NoteEntries = tuple[WordCounts, np.ndarray, np.ndarray, np.ndarray]
_NOTE_ENTRIES: dict[tuple[str, int], _NoteEntries] = {}
memo.on_forget(_NOTE_ENTRIES.clear)

# Each note's count of (stem) entries, their stem ids and summed occurrences, every spelling's notes.
_Entries = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _entries(words: _Words, tokens: _Tokens) -> _Entries:
    """Per note, one entry per stem (in alphabetical order) with its spellings' occurrences added
    up; and in how many notes each spelling occurs."""
    lengths, spellings, occurrences = tokens
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    spelling_notes = np.bincount(spellings, minlength=len(words.spellings))
    ranks, alphabetical = words.ranks()
    # Stems by alphabetical rank: entries sorted by (note, rank) are then in the matrix's order.
    stems = ranks[spellings]
    spoken = stems >= 0
    rows, stems, frequency = _add_spellings(
        rows[spoken], stems[spoken], occurrences[spoken], len(words.stems)
    )
    return np.bincount(rows, minlength=len(lengths)), alphabetical[stems], frequency, spelling_notes


def _kept_entries(words: _Words, language: str, notes: Sequence[Note]) -> _Entries:
    """`_entries` from each note's own entries, kept while its word counts are the same object."""
    counted = _word_counts(notes)
    if len(_NOTE_ENTRIES) > 2 * len(counted) + 1000:  # edited notes leave their old entries behind
        _NOTE_ENTRIES.clear()
    keys = [(language, id(words)) for words in counted]
    new = [
        index for index, key in enumerate(keys) if _NOTE_ENTRIES.get(key, (None,))[0] is not counted[index]
    ]
    if new:
        fresh = [counted[index] for index in new]
        tokens = _note_tokens(words, language, fresh)
        lengths, stems, frequency, _ = _entries(words, tokens)
        spellings = np.split(tokens[1], np.cumsum(tokens[0])[:-1])
        bounds = np.cumsum(lengths)[:-1]
        for index, own, spelled, stemmed, summed in zip(
            new, fresh, spellings, np.split(stems, bounds), np.split(frequency, bounds), strict=True
        ):
            _NOTE_ENTRIES[keys[index]] = (own, spelled, stemmed, summed)
    kept = [_NOTE_ENTRIES[key] for key in keys]
    all_spellings = np.concatenate([entry[1] for entry in kept])
    return (
        np.fromiter((len(entry[2]) for entry in kept), dtype=np.int64, count=len(kept)),
        np.concatenate([entry[2] for entry in kept]),
        np.concatenate([entry[3] for entry in kept]),
        np.bincount(all_spellings, minlength=len(words.spellings)),
    )


def _count_stems(
    words: _Words, entries: _Entries, documents: int
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray] | None:
    """The TF-IDF matrix (notes × stems found in at least 2 notes and at most half of them, in
    alphabetical order), the stem id of each column and the notes each spelling occurs in;
    None when no stem qualifies."""
    from scipy import sparse

    lengths, stem_ids, frequency, spelling_notes = entries
    _, alphabetical = words.ranks()
    rank_of = np.empty(len(words.stems), dtype=np.int64)
    rank_of[alphabetical] = np.arange(len(alphabetical))
    rows = np.repeat(np.arange(documents, dtype=np.int64), lengths)
    stems = rank_of[stem_ids]
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
    best = best_per_row(rows, decimal_levels(weights, 6), matrix.indices, _KEYWORDS)
    return by_row(rels, terms, np.arange(len(rels)), rows[best], matrix.indices[best], weights[best])
