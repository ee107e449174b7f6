"""find_neighbours(matrix, stems, rels, count, minimum) -> Search: each note's most similar notes;
update_neighbours(last, matrix, stems, rels, moved) -> Search: the same, from the last search.

Two notes' cosine is the dot product of their rows in the TF-IDF `matrix` (notes × stems, rows
of length 1), rounded to 4 decimals. A note's neighbours are the `count` other notes of highest
cosine (ties: the earlier note) among those of at least `minimum`.

A fresh search runs block by block so that memory stays bounded. A word shared by m notes puts
m² pairs in the product. When that would exceed `_PAIR_BUDGET`, candidates come only from each
word's `_POSTINGS` heaviest notes (the postings): each note shortlists the `count × _SHORTLIST`
notes of highest partial product, and their cosines are computed exactly. Otherwise the whole
product is exact.

A `Search` keeps what each note selected (its neighbours, or its shortlist) with a bound on the
values it left out; the watcher keeps the last one (`text._KeptLexicon`). After an edit, the
notes whose rows changed are searched afresh; every other note weighs its kept selection against
the changed notes' new values, and is searched afresh only when its bound cannot decide (a tie
at the edge of its selection, an entry that fell back with nothing known to replace it). The
result is the fresh search's, exactly: a row's values are the same float32 sums whichever rows
it is computed with, and the postings are compared row by row.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tlvault.arrays import best_per_row, by_row, decimal_levels, packed_order, rows_of, runs

if TYPE_CHECKING:
    from scipy import sparse

Neighbours = dict[str, tuple[tuple[str, float], ...]]

_BLOCK = 1024  # rows of the similarity product computed at once
_PRODUCT_THREADS = min(4, os.cpu_count() or 1)  # SciPy's sparse product runs without the GIL
_PAIR_BUDGET = 50_000_000  # note pairs the exact similarity product may touch
_POSTINGS = 64  # beyond that budget, notes per word that may propose a neighbour
_SHORTLIST = 4  # candidates kept per wanted neighbour before exact cosines
_SLAB = 1 << 20  # cells of the dense slab of rows the exact cosines look stems up in
_PAIRS = 4096  # note pairs whose exact cosines are computed at once, so that the arrays stay in cache
_PLACES = 4  # decimals of a cosine
_NONE = -1  # the bound of a row that left nothing out
_FRESH_SHARE = 0.2  # share of changed rows above which an update searches afresh


@dataclass
class _Chosen:
    """Each row's selected entries (by row, best first) with their keys (higher is better), and
    per row an upper bound on the keys of the entries it left out (`_NONE`: none)."""

    rows: np.ndarray
    cols: np.ndarray
    keys: np.ndarray
    bound: np.ndarray


@dataclass
class Search:
    """A finished search, with what it was made from for the next one to start from."""

    exact: bool
    count: int
    minimum: float
    rels: list[str]
    matrix: sparse.csr_matrix
    stems: np.ndarray  # the stem of each column of `matrix`
    postings: sparse.csr_matrix | None  # the approximate search's candidates; None when exact
    chosen: _Chosen  # exact: the neighbours; approximate: the shortlists
    neighbours: Neighbours


def find_neighbours(
    matrix: sparse.csr_matrix, stems: np.ndarray, rels: Sequence[str], count: int, minimum: float
) -> Search:
    """For each note (row of `matrix`, named in `rels`; `stems` names the columns), its neighbours
    and their cosines; a note that shares no candidate with any other is left out when the search
    is approximate."""
    exact = _is_exact(matrix)
    postings, neighbours, chosen = _fresh(matrix, list(rels), exact, count, minimum)
    return Search(exact, count, minimum, list(rels), matrix, stems, postings, chosen, neighbours)


def update_neighbours(
    last: Search, matrix: sparse.csr_matrix, stems: np.ndarray, rels: Sequence[str], moved: Rows
) -> Search:
    """`find_neighbours` for a new matrix, starting from the `last` search of the matrix that
    `moved` compares it with: the same result, and much less work when few rows changed."""
    # When many rows changed, weighing every kept selection costs more than a fresh search.
    if _is_exact(matrix) != last.exact or moved.changed.mean() > _FRESH_SHARE:
        return find_neighbours(matrix, stems, rels, last.count, last.minimum)
    return _update(last, matrix, stems, list(rels), moved)


def _is_exact(matrix: sparse.csr_matrix) -> bool:
    """Whether the whole product stays within `_PAIR_BUDGET`."""
    document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.int64)
    return int((document_frequency**2).sum()) <= _PAIR_BUDGET


# -- fresh search ---------------------------------------------------------------------------------


def _fresh(
    matrix: sparse.csr_matrix, rels: list[str], exact: bool, count: int, minimum: float
) -> tuple[sparse.csr_matrix | None, Neighbours, _Chosen]:
    """The postings (None when exact), the neighbours and what each row selected."""
    if exact:
        chosen = _exact_rows(matrix, matrix.T.tocsr(), np.arange(matrix.shape[0]), count, minimum)
        scores = _scores_of(chosen.keys, matrix.shape[0])
        return None, by_row(rels, rels, np.arange(len(rels)), chosen.rows, chosen.cols, scores), chosen
    postings = _heaviest_postings(matrix, _POSTINGS)
    candidates = postings.T.tocsr()  # in CSR, as the product would convert it block after block
    firsts = range(0, matrix.shape[0], _BLOCK)

    height = matrix.shape[0]

    def product(first: int) -> sparse.csr_matrix:
        return (matrix[first : first + _BLOCK] @ candidates).tocsr()

    # Blocks are multiplied on other cores while this thread shortlists the previous ones.
    with ThreadPoolExecutor(_PRODUCT_THREADS) as pool:
        parts = [
            _shortlist(block, np.arange(first, min(first + _BLOCK, height)), count * _SHORTLIST, height)
            for first, block in zip(firsts, pool.map(product, firsts), strict=True)
        ]
    chosen = _joined(parts, height)
    rows, cols, scores = _closest(matrix, chosen, count, minimum)
    return postings, by_row(rels, rels, _with_candidates(chosen), rows, cols, scores), chosen


# -- kept search ----------------------------------------------------------------------------------


def _update(
    last: Search, matrix: sparse.csr_matrix, stems: np.ndarray, rels: list[str], moved: Rows
) -> Search:
    """The search of `matrix` from the last one: rows whose values may have moved are weighed
    again, and only those whose kept bound cannot decide are searched afresh."""
    count, minimum = last.count, last.minimum
    if last.postings is None:
        chosen, redo = _update_exact(last, matrix, moved, count, minimum)
        scores = _scores_of(chosen.keys, len(rels))
        neighbours = _merged(last, rels, redo, chosen.rows, chosen.cols, scores, np.arange(len(rels)))
        return Search(True, count, minimum, rels, matrix, stems, None, chosen, neighbours)
    postings = _heaviest_postings(matrix, _POSTINGS)
    candidates = changed_rows(last.postings, last.stems, postings, stems, moved.old_of_new)
    shortlists, redo = _update_shortlists(last, matrix, postings, moved, candidates, count * _SHORTLIST)
    rows, cols, scores = _closest(matrix, _restricted(shortlists, redo), count, minimum)
    present = _with_candidates(shortlists)
    neighbours = _merged(last, rels, redo, rows, cols, scores, present)
    return Search(False, count, minimum, rels, matrix, stems, postings, shortlists, neighbours)


@dataclass
class Rows:
    """How the rows of a new matrix stand to those of the last one, matched by note path."""

    old_of_new: np.ndarray  # the last matrix's row of each row (-1: a new note)
    new_of_old: np.ndarray  # the new row of each of the last matrix's rows (-1: gone)
    changed: np.ndarray  # per new row: its stems or weights differ (or it is new)

    @classmethod
    def between(
        cls,
        last: tuple[Sequence[str], sparse.csr_matrix, np.ndarray],
        rels: Sequence[str],
        matrix: sparse.csr_matrix,
        stems: np.ndarray,
    ) -> Rows:
        """Compare (rels, matrix, stems) of the last matrix with the new ones."""
        last_rels, last_matrix, last_stems = last
        old_row = {rel: row for row, rel in enumerate(last_rels)}
        new_row = {rel: row for row, rel in enumerate(rels)}
        old_of_new = np.array([old_row.get(rel, -1) for rel in rels], dtype=np.int64)
        new_of_old = np.array([new_row.get(rel, -1) for rel in last_rels], dtype=np.int64)
        return cls(old_of_new, new_of_old, changed_rows(last_matrix, last_stems, matrix, stems, old_of_new))

    def remap(self, rows: np.ndarray) -> np.ndarray:
        """Old row numbers as new ones (-1 stays -1; gone rows become -1)."""
        mapped: np.ndarray = np.where(rows >= 0, self.new_of_old[np.maximum(rows, 0)], -1)
        return mapped


def changed_rows(
    old: sparse.csr_matrix,
    old_stems: np.ndarray,
    new: sparse.csr_matrix,
    new_stems: np.ndarray,
    old_of_new: np.ndarray,
) -> np.ndarray:
    """Per row of `new`, whether its stems or values differ from its old row's (or it has none)."""
    old_lengths = np.diff(old.indptr)
    new_lengths = np.diff(new.indptr)
    matched = old_of_new >= 0
    same_length = np.zeros(len(old_of_new), dtype=bool)
    same_length[matched] = old_lengths[old_of_new[matched]] == new_lengths[matched]
    rows = np.flatnonzero(same_length)
    lengths = new_lengths[rows]
    at_new = runs(new.indptr[:-1][rows].astype(np.int64), lengths)
    at_old = runs(old.indptr[:-1][old_of_new[rows]].astype(np.int64), lengths)
    differs = (new_stems[new.indices[at_new]] != old_stems[old.indices[at_old]]) | (
        new.data[at_new].view(np.int32) != old.data[at_old].view(np.int32)
    )
    changed = ~same_length
    changed[np.repeat(rows, lengths)[differs]] = True
    return changed


def _update_exact(
    last: Search, matrix: sparse.csr_matrix, moved: Rows, count: int, minimum: float
) -> tuple[_Chosen, np.ndarray]:
    """The neighbours of every row, and which rows have new ones."""
    size, old_size = matrix.shape[0], len(last.rels)
    kept = last.chosen
    # The last keys and bounds, renumbered: same levels, columns in the new numbering.
    rows, cols = moved.remap(kept.rows), moved.remap(kept.cols)
    keys = _exact_keys(kept.keys // (old_size + 2), cols, size)
    has_bound = kept.bound >= 0
    bound = np.full(size, _NONE, dtype=np.int64)
    alive = moved.new_of_old >= 0
    old_bound_cols = old_size - kept.bound % (old_size + 2)
    bound[moved.new_of_old[alive & has_bound]] = _exact_keys(
        (kept.bound // (old_size + 2))[alive & has_bound],
        moved.remap(old_bound_cols[alive & has_bound]),
        size,
    )
    # The changed rows' new cosines with every row (the product is symmetric).
    changed = np.flatnonzero(moved.changed)
    product = (matrix @ matrix[changed].T.tocsr()).tocsr()
    scores = np.round(product.data.astype(np.float64), _PLACES)
    new_rows, new_cols = rows_of(product.indptr), changed[product.indices]
    fresh = (new_cols != new_rows) & (scores >= minimum) & ~moved.changed[new_rows]
    new_keys = _exact_keys(decimal_levels(scores[fresh], _PLACES), new_cols[fresh], size)
    return _reselected(
        size,
        moved,
        (rows, cols, keys),
        (new_rows[fresh], new_cols[fresh], new_keys),
        bound,
        count,
        lambda redo: _exact_rows(matrix, matrix.T.tocsr(), redo, count, minimum),
        lost=moved.changed,
        by_value=True,
    )


def _update_shortlists(
    last: Search,
    matrix: sparse.csr_matrix,
    postings: sparse.csr_matrix,
    moved: Rows,
    lost: np.ndarray,
    size: int,
) -> tuple[_Chosen, np.ndarray]:
    """The shortlist of every row, and which rows need their neighbours again: a new shortlist,
    or a shortlisted note whose values changed."""
    height = matrix.shape[0]
    kept = last.chosen
    rows, cols = moved.remap(kept.rows), moved.remap(kept.cols)
    bound = np.full(height, _NONE, dtype=np.int64)
    alive = moved.new_of_old >= 0
    bound[moved.new_of_old[alive]] = kept.bound[alive]
    moved_rows = np.flatnonzero(lost)
    product = (matrix @ postings[moved_rows].T.tocsr()).tocsr()
    new_rows, new_cols = rows_of(product.indptr), moved_rows[product.indices]
    bits = product.data.view(np.int32).astype(np.int64)
    fresh = ~moved.changed[new_rows]
    shortlists, redo = _reselected(
        height,
        moved,
        (rows, cols, kept.keys),
        (new_rows[fresh], new_cols[fresh], bits[fresh]),
        bound,
        size,
        lambda again: _shortlist(_rows(matrix, again) @ postings.T.tocsr(), again, size, height),
        lost=lost,
        by_value=False,
    )
    # A shortlisted note whose values changed has a new cosine with the row.
    mine = shortlists.cols >= 0
    redo[shortlists.rows[mine & moved.changed[np.maximum(shortlists.cols, 0)]]] = True
    return shortlists, redo


def _reselected(
    height: int,
    moved: Rows,
    last: tuple[np.ndarray, np.ndarray, np.ndarray],
    new: tuple[np.ndarray, np.ndarray, np.ndarray],
    bound: np.ndarray,
    size: int,
    search: Callable[[np.ndarray], _Chosen],
    *,
    lost: np.ndarray,
    by_value: bool,
) -> tuple[_Chosen, np.ndarray]:
    """Every row's selection after an edit, and which rows selected anew.

    `last` holds the kept selections renumbered (a gone column is -1), `new` the new values of
    the columns marked `lost`, whose kept values no longer hold. A row whose own values changed,
    or whose bound cannot decide, is searched afresh with `search`. A row selects anew when its
    columns differ, or also its values when `by_value`.
    """
    rows, cols, keys = last
    live = rows >= 0
    rows, cols, keys = rows[live], cols[live], keys[live]
    stale = (cols < 0) | lost[np.maximum(cols, 0)]
    touched = np.zeros(height, dtype=bool)
    touched[rows[stale]] = True
    touched[new[0]] = True
    touched &= ~moved.changed
    # Rows weighed again: their kept entries that still hold, and the new values.
    weigh = touched[rows] & ~stale
    known_rows = np.concatenate((rows[weigh], new[0]))
    known_cols = np.concatenate((cols[weigh], new[1]))
    known_keys = np.concatenate((keys[weigh], new[2]))
    decided, taken, new_bound = _decide(known_rows, known_keys, size, bound, height)
    again = np.flatnonzero(moved.changed | (touched & ~decided))
    searched = search(again)
    untouched = ~touched[rows] & ~moved.changed[rows]
    settled = taken[decided[known_rows[taken]]]
    parts = [
        (rows[untouched], cols[untouched], keys[untouched]),
        (known_rows[settled], known_cols[settled], known_keys[settled]),
        (searched.rows, searched.cols, searched.keys),
    ]
    all_rows = np.concatenate([part[0] for part in parts])
    order = np.argsort(all_rows, kind="stable")
    bound = np.where(touched & decided, new_bound, bound)
    bound[again] = searched.bound[again]
    chosen = _Chosen(
        all_rows[order],
        np.concatenate([part[1] for part in parts])[order],
        np.concatenate([part[2] for part in parts])[order],
        bound,
    )
    redo = _differing(
        height,
        (rows, cols, keys),
        stale,
        _picked(known_rows, known_cols, known_keys, settled, weigh.sum()),
        by_value,
    )
    redo |= np.bincount(chosen.rows, minlength=height) != np.bincount(rows, minlength=height)
    redo &= touched & decided
    redo[again] = True
    return chosen, redo


def _picked(
    rows: np.ndarray, cols: np.ndarray, keys: np.ndarray, positions: np.ndarray, first: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries at `positions` that are at `first` or after."""
    mine = positions[positions >= first]
    return rows[mine], cols[mine], keys[mine]


def _decide(
    rows: np.ndarray, keys: np.ndarray, size: int, bound: np.ndarray, height: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, whether its `size` best known entries are its selection, the rows' other entries
    being at most `bound`: they are when a strict gap separates them from the rest. Also the
    positions of those entries, and the rows' new bounds."""
    order = packed_order(rows, keys.max() - keys) if len(rows) else np.zeros(0, dtype=np.int64)
    ranked_rows, ranked_keys = rows[order], keys[order]
    counts = np.bincount(ranked_rows, minlength=height)
    rank = np.arange(len(order)) - (np.cumsum(counts) - counts)[ranked_rows]
    last_taken = np.full(height, _NONE, dtype=np.int64)
    last_taken[ranked_rows[rank == size - 1]] = ranked_keys[rank == size - 1]
    first_left = np.full(height, _NONE, dtype=np.int64)
    first_left[ranked_rows[rank == size]] = ranked_keys[rank == size]
    full = counts >= size
    decided = np.where(full, (last_taken > first_left) & (last_taken > bound), bound == _NONE)
    new_bound = np.where(full, np.maximum(bound, first_left), _NONE)
    return decided, order[rank < size], new_bound


def _differing(
    height: int,
    before: tuple[np.ndarray, np.ndarray, np.ndarray],
    stale: np.ndarray,
    after: tuple[np.ndarray, np.ndarray, np.ndarray],
    by_value: bool,
) -> np.ndarray:
    """Per row, whether it selected other columns (or, `by_value`, other values) than before.

    `before` is the rows' last selection, of which `stale` marks the entries whose values no
    longer hold; `after` the new values a row took. The selection is the same exactly when it
    has as many entries and every new value taken is a stale entry's column (and value) again.
    """
    rows, cols, keys = before
    again = stale & (cols >= 0)
    pairs = rows[again] * height + cols[again]
    order = np.argsort(pairs)
    pairs, pair_keys = pairs[order], keys[again][order]
    taken = after[0] * height + after[1]
    found = np.minimum(np.searchsorted(pairs, taken), max(len(pairs) - 1, 0))
    same = (pairs[found] == taken) if len(pairs) else np.zeros(len(taken), dtype=bool)
    if by_value and len(pairs):
        same &= pair_keys[found] == after[2]
    differs = np.zeros(height, dtype=bool)
    differs[after[0][~same]] = True
    return differs


def _restricted(chosen: _Chosen, rows: np.ndarray) -> _Chosen:
    """The selections of the `rows` (a mask) only."""
    mine = rows[chosen.rows]
    return _Chosen(chosen.rows[mine], chosen.cols[mine], chosen.keys[mine], chosen.bound)


def _merged(
    last: Search,
    rels: list[str],
    redo: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    scores: np.ndarray,
    present: np.ndarray,
) -> Neighbours:
    """The result: new pairs for the rows in `redo` (a mask), the last ones for the others."""
    mine = redo[rows]
    fresh = by_row(
        rels, rels, np.intersect1d(present, np.flatnonzero(redo)), rows[mine], cols[mine], scores[mine]
    )
    listed = np.zeros(len(rels), dtype=bool)
    listed[present] = True
    kept = last.neighbours
    return {
        rel: fresh[rel] if again else kept[rel]
        for rel, again, shown in zip(rels, redo.tolist(), listed.tolist(), strict=True)
        if shown
    }


def _exact_rows(
    matrix: sparse.csr_matrix, transposed: sparse.csr_matrix, rows: np.ndarray, count: int, minimum: float
) -> _Chosen:
    """The neighbours of `rows` (sorted) by the whole product, with each row's next best as bound."""
    parts = []
    for low in range(0, len(rows), _BLOCK):
        block_rows = rows[low : low + _BLOCK]
        block = (_rows(matrix, block_rows) @ transposed).tocsr()
        scores = np.round(block.data.astype(np.float64), _PLACES)
        local = rows_of(block.indptr)
        keep = (block.indices != block_rows[local]) & (scores >= minimum)
        parts.append(_top(block_rows[local[keep]], block.indices[keep], scores[keep], count, matrix.shape[0]))
    return _joined(parts, matrix.shape[0])


def _top(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, count: int, size: int) -> _Chosen:
    """Each row's `count` best entries (`rows` sorted), and the key of its next best as bound."""
    levels = decimal_levels(scores, _PLACES)
    best = best_per_row(rows, levels, cols, count + 1)
    rank = _rank_in_row(rows[best])
    keys = _exact_keys(levels[best], cols[best].astype(np.int64), size)
    bound = np.full(size, _NONE, dtype=np.int64)
    last = rank == count
    bound[rows[best][last]] = keys[last]
    taken = best[rank < count]
    return _Chosen(rows[taken], cols[taken].astype(np.int64), keys[rank < count], bound)


def _exact_keys(levels: np.ndarray, cols: np.ndarray, size: int) -> np.ndarray:
    """One integer per (level, column), higher for a higher level, then for a lower column
    (-1 allowed: above every column of its level)."""
    keys: np.ndarray = levels * (size + 2) + (size - cols)
    return keys


def _scores_of(keys: np.ndarray, size: int) -> np.ndarray:
    """The rounded cosines that exact keys were made from (as `np.round` gives them)."""
    scores: np.ndarray = (keys // (size + 2)) / 10.0**_PLACES
    return scores


def _shortlist(block: sparse.csr_matrix, block_rows: np.ndarray, size: int, height: int) -> _Chosen:
    """Each row's `size` highest entries of `block` (rows `block_rows`), by row, with the value
    of its next highest as bound (`height` rows in all); keys are the float32 values' bits,
    which order as the values do."""
    lengths = np.diff(block.indptr)
    long = lengths > size
    starts, ends = block.indptr[:-1][long], block.indptr[1:][long]
    negated = -block.data
    # np.argpartition row by row: the vectorised ways tried (padded np.partition, one sort)
    # were slower. Position `size` holds the highest value left out.
    picks = [
        negated[start:end].argpartition(size)[: size + 1]
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
    ]
    picked = np.array(picks, dtype=np.int64).reshape(len(starts), size + 1) + starts[:, None]
    bits = block.data.view(np.int32).astype(np.int64)
    bound = np.full(height, _NONE, dtype=np.int64)
    bound[block_rows[long]] = bits[picked[:, size]]
    # Short rows keep every entry.
    positions = np.concatenate((picked[:, :size].ravel(), runs(block.indptr[:-1][~long], lengths[~long])))
    positions.sort()
    local = np.searchsorted(block.indptr, positions, "right") - 1
    return _Chosen(block_rows[local], block.indices[positions].astype(np.int64), bits[positions], bound)


def _closest(
    matrix: sparse.csr_matrix, shortlists: _Chosen, count: int, minimum: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's neighbours among its shortlist (itself left out), by exact cosine."""
    mine = shortlists.cols != shortlists.rows
    rows, cols = shortlists.rows[mine], shortlists.cols[mine]
    # Rounded as the exact search rounds its products.
    scores = np.round(_cosines(matrix, rows, cols).astype(np.float64), _PLACES)
    keep = scores >= minimum
    best = best_per_row(rows[keep], decimal_levels(scores[keep], _PLACES), cols[keep], count)
    return rows[keep][best], cols[keep][best], scores[keep][best]


def _with_candidates(shortlists: _Chosen) -> np.ndarray:
    """The rows whose shortlist holds another note: a row without one is left out of the result,
    one whose candidates all fall short gets no neighbour."""
    return np.unique(shortlists.rows[shortlists.cols != shortlists.rows])


def _joined(parts: list[_Chosen], height: int) -> _Chosen:
    """The selections of blocks of rows, in order, as one (`height` rows in all)."""
    empty = np.zeros(0, dtype=np.int64)
    return _Chosen(
        np.concatenate([empty, *(part.rows for part in parts)]),
        np.concatenate([empty, *(part.cols for part in parts)]),
        np.concatenate([empty, *(part.keys for part in parts)]),
        np.maximum.reduce([np.full(height, _NONE, dtype=np.int64), *(part.bound for part in parts)]),
    )


def _rows(matrix: sparse.csr_matrix, rows: np.ndarray) -> sparse.csr_matrix:
    """matrix[rows], sliced when the rows are consecutive (much cheaper)."""
    if len(rows) and int(rows[-1]) - int(rows[0]) == len(rows) - 1:
        return matrix[int(rows[0]) : int(rows[-1]) + 1]
    return matrix[rows]


def _rank_in_row(rows: np.ndarray) -> np.ndarray:
    """Each entry's place within its row's run (`rows` sorted)."""
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    rank: np.ndarray = np.arange(len(rows)) - np.repeat(starts, np.diff(starts, append=len(rows)))
    return rank


def _heaviest_postings(matrix: sparse.csr_matrix, keep: int) -> sparse.csr_matrix:
    """The matrix with, for each word, only its `keep` highest-weighted notes (ties: first notes)."""
    columns = matrix.tocsc()
    # Positive float32 weights order as their bits do, read as integers.
    levels = columns.data.view(np.int32)
    kept = best_per_row(rows_of(columns.indptr), levels, columns.indices, keep)
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
