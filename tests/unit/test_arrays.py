"""The compressed-layout helpers, against plain loops."""

from __future__ import annotations

import random

import numpy as np
import pytest

from tlvault.arrays import rows_of, runs


@pytest.mark.parametrize("seed", range(5))
def test_rows_of_gives_each_entry_its_row(seed: int) -> None:
    pick = random.Random(seed)
    lengths = [pick.choice([0, 0, 1, 3, 7]) for _ in range(pick.randint(0, 30))]
    indptr = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))
    assert rows_of(indptr).tolist() == [row for row, length in enumerate(lengths) for _ in range(length)]


@pytest.mark.parametrize("seed", range(5))
def test_runs_lists_each_range_in_turn(seed: int) -> None:
    pick = random.Random(seed)
    pairs = [(pick.randint(0, 100), pick.choice([0, 1, 4, 9])) for _ in range(pick.randint(0, 20))]
    starts = np.array([start for start, _ in pairs], dtype=np.int64)
    lengths = np.array([length for _, length in pairs], dtype=np.int64)
    expected = [position for start, length in pairs for position in range(start, start + length)]
    assert runs(starts, lengths).tolist() == expected
