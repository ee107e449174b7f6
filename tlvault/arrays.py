"""NumPy helpers for compressed layouts: entries stored row after row, row i's entries being
`indptr[i]:indptr[i + 1]` (SciPy's CSR matrices, the graph's `EdgeArrays`)."""

from __future__ import annotations

import numpy as np


def rows_of(indptr: np.ndarray) -> np.ndarray:
    """The row of each entry of a compressed layout with this `indptr`."""
    return np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))


def runs(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions start, start + 1, …, start + length - 1 of every (start, length), one after the other."""
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return np.asarray(offsets + np.arange(len(offsets)), dtype=np.int64)
