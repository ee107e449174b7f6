"""Where one edit's rebuild spends its time, stage by stage, as the watcher runs it.

    python benchmarks/edit_stages.py [--notes 9000] [--edits 7]

A seeded vault (`benchmarks/vaultgen.py`) is written to a temporary folder and rebuilt once in
this process with what the watcher keeps between rebuilds switched on (the parse cache with its
notes, `memo.remember`, the lexicon's token ids, the scan's trust in events). Then, `--edits`
times, a new note is saved, its folder's listing dropped as the watcher's event for it does, and
the vault rebuilt; each stage's function is timed on the way. The table gives the median
seconds of each stage and of the whole rebuild (which also holds the small steps in between).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_vault import TODAY
from benchmarks.vaultgen import generate_vault, write_vault
from tlvault import memo, pipeline
from tlvault.cache import ParseCache
from tlvault.config import default_config
from tlvault.scan import forget_listings, trust_events
from tlvault.text import remember_tokens

# (label, module, function): the stages in the order a rebuild runs them.
STAGES = (
    ("scan", "tlvault.pipeline", "scan_vault"),
    ("reading (cache, links)", "tlvault.pipeline", "read_vault"),
    ("lexicon", "tlvault.text", "build_lexicon"),
    ("graph", "tlvault.graph", "build_graph"),
    ("clusters", "tlvault.cluster", "find_clusters"),
    ("scores", "tlvault.score", "score_clusters"),
    ("dashboard", "tlvault.dashboard", "build_dashboard"),
    ("rendering", "tlvault.render", "render_outputs"),
    ("writing", "tlvault.pipeline", "_write"),
)


def timed(seconds: list[float], function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, recording how long each call takes in `seconds`."""

    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - started)

    return run


def measure(vault: Path, edits: int) -> dict[str, list[float]]:
    """Each stage's seconds per edit, and the whole rebuild's under "total"."""
    pipeline.import_engine()
    times: dict[str, list[float]] = {label: [] for label, _, _ in STAGES}
    originals = []
    for label, module, name in STAGES:
        # Replaced in the module the pipeline takes them from when it calls them.
        owner = importlib.import_module(module)
        originals.append((owner, name, getattr(owner, name)))
        setattr(owner, name, timed(times[label], getattr(owner, name)))
    remember_tokens(True)
    memo.remember(True)
    trust_events(True)
    cache = ParseCache.open(vault)
    cache.keep_outcomes = True
    try:
        times["total"] = _edits(vault, edits, cache, times)
    finally:
        cache.close()
        trust_events(False)
        memo.remember(False)
        remember_tokens(False)
        for owner, name, function in originals:
            setattr(owner, name, function)
    return times


def _edits(vault: Path, edits: int, cache: ParseCache, times: dict[str, list[float]]) -> list[float]:
    """A first rebuild, untimed, then `edits` new notes each followed by a timed rebuild."""
    config = default_config(vault)
    pipeline.rebuild(config, now=TODAY, cache=cache)
    for values in times.values():
        values.clear()
    template = sorted((vault / "2 - Idées").rglob("*.md"))[0]
    totals = []
    for number in range(edits):
        note = template.with_name(f"Nouvelle note {number}.md")
        note.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
        forget_listings([note.relative_to(vault).as_posix()])  # what the watcher does on its event
        started = time.perf_counter()
        pipeline.rebuild(config, now=TODAY, cache=cache)
        totals.append(time.perf_counter() - started)
    return totals


def main(argv: list[str] | None = None) -> int:
    """Generate the vault, time the edits, print the table of medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=9000, help="topic notes (journal notes come on top)")
    parser.add_argument("--edits", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="tlvault-stages-") as scratch:
        root = Path(scratch)
        os.environ["TLVAULT_CACHE_DIR"] = str(root / "cache")
        os.environ["TLVAULT_DATA_DIR"] = str(root / "data")
        vault = root / "vault"
        write_vault(generate_vault(args.notes, language="mixed", today=TODAY), vault)
        times = measure(vault, args.edits)
    print(f"one new note, {args.edits} edits, medians\n")
    print("| stage | seconds |")
    print("|---|---:|")
    for label, values in times.items():
        print(f"| {label} | {statistics.median(values):.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
