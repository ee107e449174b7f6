"""Time `tlvault notes --json` against markdown-it-py's bare parse of the same files, in one run.

Each measurement is a whole process (interpreter start, imports, reading, parsing), repeated
and alternated so that both sides see the same machine; the table shows medians and the ratio.

    python benchmarks/bench_notes.py [VAULT] [--repeat 5]

VAULT defaults to ../shared/vaults/yoshi-zettelkasten/vault (13,415 notes); it is copied to a
temporary folder first and never written to.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VAULT = REPO.parent / "shared" / "vaults" / "yoshi-zettelkasten" / "vault"
TARGET_RATIO = 1.3


def bare_parse(vault: Path) -> None:
    """The baseline: read every visible `.md` file and parse it with MarkdownIt(), one process."""
    from markdown_it import MarkdownIt

    md = MarkdownIt()
    for folder, dirs, files in os.walk(vault):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".md") and not name.startswith("."):
                md.parse((Path(folder) / name).read_text(encoding="utf-8", errors="replace"))


def _time(command: list[str]) -> float:
    """Wall-clock seconds of one whole process, output discarded."""
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", nargs="?", type=Path, default=DEFAULT_VAULT)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)  # the baseline process
    args = parser.parse_args()
    if args.bare:
        bare_parse(args.vault)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "vault"
        shutil.copytree(args.vault, vault, symlinks=True)
        serial_config = Path(tmp) / "serial.yaml"
        serial_config.write_text(f"vault: {vault}\njobs: 1\n", encoding="utf-8")
        notes = sum(1 for _ in vault.rglob("*.md"))
        commands = {
            "markdown-it-py bare parse (1 process)": [sys.executable, __file__, "--bare", str(vault)],
            "tlvault notes --json (all cores)": [
                sys.executable,
                "-m",
                "tlvault",
                "notes",
                "--json",
                str(vault),
            ],
            "tlvault notes --json (jobs: 1)": [
                sys.executable,
                "-m",
                "tlvault",
                "--config",
                str(serial_config),
                "notes",
                "--json",
            ],
        }
        times: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(args.repeat):
            for label, command in commands.items():
                times[label].append(_time(command))
    _print_table(args.vault, notes, times, args.repeat)
    return 0


def _print_table(vault: Path, notes: int, times: dict[str, list[float]], repeat: int) -> None:
    medians = {label: statistics.median(values) for label, values in times.items()}
    baseline = next(iter(medians.values()))
    print(f"vault: {vault} ({notes} notes), {os.cpu_count()} cores, median of {repeat} runs\n")
    print("| measurement | median s | ratio to bare parse |")
    print("|---|---:|---:|")
    for label, median in medians.items():
        print(f"| {label} | {median:.2f} | {median / baseline:.2f}× |")
    ratio = medians["tlvault notes --json (all cores)"] / baseline
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"\ntarget: notes --json ≤ {TARGET_RATIO}× the bare parse: {verdict} ({ratio:.2f}×)")


if __name__ == "__main__":
    sys.exit(main())
