"""Time the idea engine (lexicon + graph, clusters, scores) on a parsed vault, in one process.

    python benchmarks/bench_engine.py [VAULT] [--repeat 3]

VAULT defaults to ../shared/vaults/yoshi-zettelkasten/vault (13,415 notes); it is copied to a
temporary folder and parsed once, then each stage is timed `--repeat` times (median). The same
run times networkx's own Louvain on the same graph, the baseline igraph's replaces.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from tlvault.cluster import find_clusters
from tlvault.config import Config, default_config
from tlvault.graph import build_graph, is_journal
from tlvault.pipeline import ParsedVault, read_vault
from tlvault.report import Report
from tlvault.score import score_clusters
from tlvault.text import build_lexicon, detect_language

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VAULT = REPO.parent / "shared" / "vaults" / "yoshi-zettelkasten" / "vault"
TARGET_SECONDS = 4.0
TODAY = date(2026, 11, 20)


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def run_once(config: Config, parsed: ParsedVault) -> dict[str, float]:
    """Seconds of each stage of the engine, in pipeline order."""
    language = detect_language(parsed.notes)
    members = [note for note in parsed.notes if not is_journal(note, config.journal)]
    lexicon_s, lexicon = _timed(lambda: build_lexicon(members, language=language))
    graph_s, graph = _timed(lambda: build_graph(parsed.notes, parsed.resolved, lexicon, config))
    cluster_s, clusters = _timed(lambda: find_clusters(graph, lexicon, (), config))
    score_s, _ = _timed(lambda: score_clusters(graph, clusters, config, today=TODAY, language=language))
    networkx_s, _ = _timed(lambda: nx.community.louvain_communities(graph.graph, weight="weight", seed=42))
    return {
        "lexicon (TF-IDF, neighbours)": lexicon_s,
        "graph": graph_s,
        "clusters (igraph Louvain, ids, names)": cluster_s,
        "scores, ghosts, orphans, gaps": score_s,
        "total": lexicon_s + graph_s + cluster_s + score_s,
        "baseline: networkx louvain_communities": networkx_s,
    }


def main() -> int:
    """Parse the vault once, time the engine, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", nargs="?", type=Path, default=DEFAULT_VAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "vault"
        shutil.copytree(args.vault, vault, symlinks=True)
        config = default_config(vault)
        parsed = read_vault(config, Report())
        runs = [run_once(config, parsed) for _ in range(args.repeat)]
    medians = {stage: statistics.median(run[stage] for run in runs) for stage in runs[0]}
    print(f"vault: {args.vault} ({len(parsed.notes)} notes), median of {args.repeat} runs\n")
    print("| stage | median s |")
    print("|---|---:|")
    for stage, seconds in medians.items():
        print(f"| {stage} | {seconds:.2f} |")
    verdict = "met" if medians["total"] <= TARGET_SECONDS else "NOT met"
    print(f"\ntarget: engine total ≤ {TARGET_SECONDS:.0f} s: {verdict} ({medians['total']:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
