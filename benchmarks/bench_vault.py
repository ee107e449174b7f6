"""Time tlvault against the parsing floor and its Python peer on one generated vault, in one run.

    python benchmarks/bench_vault.py [--notes 9000] [--repeat 3] [--no-peer]

A seeded vault (benchmarks/vaultgen.py: mixed French and English, nested folders, journal notes,
planted topics; 9,000 topic notes plus 900 journal notes ≈ 10,000 notes) is written to a
temporary folder with private cache and backup folders. On that same vault, alternating the
measurements so that all see the same machine, the run times (medians of `--repeat`):

- floor: reading every note plus its YAML frontmatter with the C loader (one process);
- markdown-it-py's bare parse of every note (`MarkdownIt().parse`, one process);
- obsidiantools' `Vault(path).connect().gather()`, the Python peer, installed in a private
  virtual environment under the user cache folder on first use (`--no-peer` skips it);
- `tlvault rebuild` cold (empty cache) with its peak memory, and warm (nothing changed);
- with `tlvault watch` running, a new note saved, a sentence added to an idea, and an idea's
  `status` changed → the index note replaced, minus the debounce.

Floor, bare parse and the peer are timed inside their process (after imports); tlvault is timed
as whole processes, start-up included, as the user runs it. The vault has no deliberately bad
files: obsidiantools stops at the first binary note.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import platformdirs

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.vaultgen import generate_vault, write_vault

TODAY = date(2026, 11, 20)
DEBOUNCE = 0.5
# Words the vault already uses and one it does not: the note's words and every TF-IDF weight move.
SENTENCE = "\nRelu ce matin : la confiance se construit en écrivant chaque jour, sérendipité comprise.\n"
PEER = "obsidiantools==0.11.0"

# Each snippet prints the seconds of its own work, after its imports.
FLOOR = """
import os, sys, time, yaml
root = sys.argv[1]
started = time.perf_counter()
for folder, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".md"):
            text = open(os.path.join(folder, name), "rb").read().decode("utf-8", "replace")
            if text.startswith("---\\n") and (end := text.find("\\n---", 4)) > 0:
                yaml.load(text[4:end], Loader=yaml.CSafeLoader)
print(time.perf_counter() - started)
"""
BARE_PARSE = """
import os, sys, time
from markdown_it import MarkdownIt
root, md = sys.argv[1], MarkdownIt()
started = time.perf_counter()
for folder, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".md"):
            md.parse(open(os.path.join(folder, name), encoding="utf-8", errors="replace").read())
print(time.perf_counter() - started)
"""
OBSIDIANTOOLS = """
import sys, time
from pathlib import Path
import obsidiantools.api as otools
started = time.perf_counter()
otools.Vault(Path(sys.argv[1])).connect().gather()
print(time.perf_counter() - started)
"""


def inner_seconds(python: str, code: str, vault: Path) -> float:
    """The seconds a snippet reports for its own work."""
    done = subprocess.run([python, "-c", code, str(vault)], check=True, capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def tlvault(*args: str) -> list[str]:
    """The command line of a tlvault process."""
    return [sys.executable, "-m", "tlvault", *args, "--now", TODAY.isoformat()]


def rebuild_process(vault: Path) -> tuple[float, int]:
    """Seconds and peak RSS (bytes, largest process of the run) of one whole `tlvault rebuild`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        tlvault("rebuild", str(vault)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"tlvault rebuild failed with exit code {process.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss * 1024


def peer_python() -> str:
    """The Python of a private virtual environment holding obsidiantools (made on first use)."""
    folder = Path(platformdirs.user_cache_dir("tlvault")) / "bench" / "obsidiantools"
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", PEER], check=True)
    return str(python)


def one_edit_latencies(vault: Path, repeat: int, edit: str = "new note") -> list[float]:
    """Save a new note (or, with `edit="property"`, change an idea's `status`) while `tlvault watch`
    runs; seconds until the index is replaced, minus the debounce. With `edit="text"`, add a
    sentence to an idea: the index may well not change (nothing it shows moved), so the time
    runs until the rebuild's status line, after every file is written."""
    watcher = subprocess.Popen(
        tlvault("watch", str(vault), "--debounce", str(DEBOUNCE)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(watcher.stdout or ()), daemon=True).start()
    try:
        _wait(lambda: any(line[:2].isdigit() for line in lines), 120)  # the first status line
        time.sleep(2 * DEBOUNCE)  # the watcher's own first writes have settled
        index = index_note(vault)
        ideas = sorted((vault / "2 - Idées").rglob("*.md"))
        template = ideas[0]
        idea = next(path for path in ideas if "\nstatus: " in path.read_text(encoding="utf-8"))
        original = idea.read_text(encoding="utf-8")
        latencies = []
        for i in range(repeat):
            before = os.stat(index).st_ino
            rebuilds = _status_lines(lines)
            if edit == "property":  # published, then back: the idea's stage and its cluster's score move
                published = original.replace("\nstatus: ", "\nstatus: publié\nwas: ", 1)
                idea.write_text(published if i % 2 == 0 else original, encoding="utf-8")
            elif edit == "text":  # a sentence written, then taken back: the note's words move
                idea.write_text(original + SENTENCE if i % 2 == 0 else original, encoding="utf-8")
            else:
                note = template.with_name(f"Nouvelle note {i}.md")
                note.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
            saved = time.perf_counter()
            if edit == "text":
                _wait(lambda: _status_lines(lines) > rebuilds, 60, interval=0.002)  # noqa: B023
            else:
                _wait(_replaced(index, before), 60, interval=0.002)
            latencies.append(time.perf_counter() - saved - DEBOUNCE)
            time.sleep(2 * DEBOUNCE)
        return latencies
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)


def _status_lines(lines: list[str]) -> int:
    """How many rebuilds the watcher has reported (its status lines start with the time)."""
    return sum(line[:2].isdigit() for line in lines)


def _replaced(path: Path, inode: int) -> Callable[[], bool]:
    """Whether `path` is no longer the file with `inode` (an atomic replace gives a new inode)."""
    return lambda: os.stat(path).st_ino != inode


def index_note(vault: Path) -> Path:
    """The generated index note, in whichever language the vault was written."""
    for name in ("Idées à cultiver.md", "Ideas to cultivate.md"):
        if (vault / "tlvault" / name).exists():
            return vault / "tlvault" / name
    raise SystemExit("no index note was generated")


def _wait(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the watcher")
        time.sleep(interval)


def measure(vault: Path, repeat: int, peer: str | None) -> dict[str, list[float]]:
    """Every measurement, `repeat` times, alternated."""
    times: dict[str, list[float]] = {name: [] for name in ("floor", "bare", "peer", "cold", "warm", "rss")}
    cache = Path(os.environ["TLVAULT_CACHE_DIR"])
    for _ in range(repeat):
        times["floor"].append(inner_seconds(sys.executable, FLOOR, vault))
        times["bare"].append(inner_seconds(sys.executable, BARE_PARSE, vault))
        if peer is not None:
            times["peer"].append(inner_seconds(peer, OBSIDIANTOOLS, vault))
        for stale in cache.glob("*"):
            stale.unlink()
        seconds, rss = rebuild_process(vault)
        times["cold"].append(seconds)
        times["rss"].append(rss / 1e6)
        times["warm"].append(rebuild_process(vault)[0])
    times["edit"] = one_edit_latencies(vault, max(repeat, 3))
    times["text"] = one_edit_latencies(vault, max(repeat, 3), edit="text")
    times["property"] = one_edit_latencies(vault, max(repeat, 3), edit="property")
    return times


def print_table(notes: int, megabytes: float, repeat: int, times: dict[str, list[float]]) -> None:
    """The Markdown table of medians, with the ratios and targets."""
    median = {name: statistics.median(values) for name, values in times.items() if values}
    bare = median["bare"]
    rows = [
        (
            "floor: read + YAML (C loader), 1 process",
            median["floor"],
            f"{median['floor'] / bare:.2f}× bare",
            "",
        ),
        ("markdown-it-py bare parse, 1 process", bare, "1.00× bare", ""),
    ]
    if "peer" in median:
        ratio = median["peer"] / median["cold"]
        rows.append(
            ("obsidiantools connect().gather()", median["peer"], f"{ratio:.1f}× tlvault cold", "≥ 10×")
        )
    rows += [
        (
            "tlvault rebuild, cold (empty cache)",
            median["cold"],
            f"{median['cold'] / bare:.2f}× bare",
            "≤ 1.5×",
        ),
        ("tlvault rebuild, warm (nothing changed)", median["warm"], "", "≤ 1.5 s"),
        ("one new note → index rewritten, from the save", median["edit"] + DEBOUNCE, "", ""),
        ("the same, minus the debounce", median["edit"], "", "≤ 0.5 s"),
        (
            "one sentence added to an idea → rebuild done, minus the debounce",
            median["text"],
            "",
            "≤ 0.5 s",
        ),
        ("one property edited → index rewritten, minus the debounce", median["property"], "", ""),
    ]
    print(f"{notes} notes ({megabytes:.1f} MB), {os.cpu_count()} cores, medians of {repeat} runs\n")
    print("| measure | seconds | ratio | target |")
    print("|---|---:|---:|---:|")
    for label, seconds, relative, target in rows:
        print(f"| {label} | {seconds:.2f} | {relative} | {target} |")
    print(f"| peak RSS of a cold rebuild | {median['rss']:.0f} MB | | |")


def main(argv: list[str] | None = None) -> int:
    """Generate the vault, measure everything on it, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--notes", type=int, default=9000, help="topic notes (journal notes come on top)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-peer", action="store_true", help="do not run obsidiantools")
    args = parser.parse_args(argv)
    peer = None if args.no_peer else peer_python()
    with tempfile.TemporaryDirectory(prefix="tlvault-bench-") as scratch:
        root = Path(scratch)
        os.environ["TLVAULT_CACHE_DIR"] = str(root / "cache")
        os.environ["TLVAULT_DATA_DIR"] = str(root / "data")
        (root / "cache").mkdir()
        vault = root / "vault"
        generated = generate_vault(args.notes, language="mixed", today=TODAY)
        write_vault(generated, vault)
        notes = [rel for rel in generated.files if rel.endswith(".md")]
        megabytes = sum((vault / rel).stat().st_size for rel in notes) / 1e6
        times = measure(vault, args.repeat, peer)
    print_table(len(notes), megabytes, args.repeat, times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
