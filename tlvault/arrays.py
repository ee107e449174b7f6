"""NumPy helpers for compressed layouts: entries stored row after row, row i's entries being
`indptr[i]:indptr[i + 1]` (SciPy's CSR matrices, the graph's `EdgeArrays`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def rows_of(indptr: np.ndarray) -> np.ndarray:
    """The row of each entry of a compressed layout with this `indptr`."""
    return np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))


def runs(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions start, start + 1, …, start + length - 1 of every (start, length), one after the other."""
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return np.asarray(offsets + np.arange(len(offsets)), dtype=np.int64)


def best_per_row(rows: np.ndarray, levels: np.ndarray, ties: np.ndarray, count: int) -> np.ndarray:
    """Positions of each row's `count` highest levels, by row, best first, ties by lower `ties`
    (`rows` sorted; levels and ties non-negative integers, ties distinct within a row)."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    positions = packed_order(rows, levels.max() - levels, ties)
    # Sorting keeps each row's entries where they were, as a run: rank them within it.
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(starts, append=len(rows)))
    return positions[rank < count]


def packed_order(*keys: np.ndarray) -> np.ndarray:
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


def decimal_levels(scores: np.ndarray, places: int) -> np.ndarray:
    """Scores already rounded to `places` decimals (np.round) as the integers they are tenths,
    hundredths… of: same order, equal only when equal."""
    return np.rint(scores * 10.0**places).astype(np.int64)


def by_row(
    rels: Sequence[str],
    names: Sequence[str],
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
