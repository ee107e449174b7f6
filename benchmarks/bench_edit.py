"""One edit → index rewritten, for two versions of tlvault in alternation on the same vault.

    python benchmarks/bench_edit.py OLD_TREE NEW_TREE [--rounds 3] [--edits 4] [--notes 9000]

This machine's speed drifts by tens of percent within an hour, so two separate runs of
`bench_vault.py` cannot tell a 20 % change apart. Here each round starts `tlvault watch` with the
package of OLD_TREE, then of NEW_TREE (each a folder holding `tlvault/`, a git worktree say), on
the same generated vault, and times `--edits` saves of a new note, as `bench_vault.py` does
(seconds from the save to the index note's replacement, minus the 0.5 s debounce).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_vault import TODAY, one_edit_latencies
from benchmarks.vaultgen import generate_vault, write_vault


def main(argv: list[str] | None = None) -> int:
    """Print each tree's latencies, their medians and the ratio of the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs=2, type=Path, help="OLD_TREE NEW_TREE: folders holding tlvault/")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--edits", type=int, default=4, help="saves timed per round and tree")
    parser.add_argument("--notes", type=int, default=9000, help="topic notes (journal notes come on top)")
    args = parser.parse_args(argv)
    latencies: dict[Path, list[float]] = {tree: [] for tree in args.trees}
    with tempfile.TemporaryDirectory(prefix="tlvault-edit-") as scratch:
        root = Path(scratch)
        os.chdir(root)  # `python -m` puts the current folder first on the path: it must hold no tlvault/
        vault = root / "vault"
        write_vault(generate_vault(args.notes, language="mixed", today=TODAY), vault)
        for _ in range(args.rounds):
            for tree in args.trees:
                os.environ["PYTHONPATH"] = str(tree.resolve())
                os.environ["TLVAULT_CACHE_DIR"] = str(root / f"cache-{args.trees.index(tree)}")
                os.environ["TLVAULT_DATA_DIR"] = str(root / "data")
                latencies[tree].extend(one_edit_latencies(vault, args.edits))
                for note in vault.rglob("Nouvelle note *.md"):  # the next watcher starts without them
                    note.unlink()
    old, new = (statistics.median(latencies[tree]) for tree in args.trees)
    for tree in args.trees:
        seconds = " ".join(f"{s:.2f}" for s in latencies[tree])
        print(f"{tree}: {seconds} (median {statistics.median(latencies[tree]):.2f} s)")
    print(f"new / old: {new / old:.2f}" if old > 0 else "new / old: old took no time after the debounce")
    return 0


if __name__ == "__main__":
    sys.exit(main())
