"""Time the cache and the watcher on a generated vault: cold, warm and one-edit rebuilds.

    python benchmarks/bench_live.py [--notes 9000] [--repeat 5]

A seeded vault (benchmarks/vaultgen.py, mixed French and English, a few bad files; 9,000 topic
notes plus 900 journal notes ≈ 10,000 notes) is written to a temporary folder, with private
cache and backup folders. Every figure is a whole `tlvault` process as the user runs it:

- cold: `tlvault rebuild` with an empty cache (the baseline of this run);
- warm: `tlvault rebuild` again, nothing changed (median of `--repeat`);
- one edit: `tlvault watch` running; a new note is saved in a topic folder, which changes that
  cluster's count in the index note; the time from the save to the index note's replacement,
  minus the debounce (median of `--repeat` edits).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.vaultgen import generate_vault, write_vault

TODAY = date(2026, 11, 20)
DEBOUNCE = 0.5
TARGETS = {"warm": 1.5, "one edit": 0.5}


def tlvault(*args: str) -> list[str]:
    """The command line of a tlvault process."""
    return [sys.executable, "-m", "tlvault", *args, "--now", TODAY.isoformat()]


def timed_rebuild(vault: Path) -> float:
    """Seconds of one whole `tlvault rebuild` process."""
    started = time.perf_counter()
    subprocess.run(tlvault("rebuild", str(vault)), check=True, capture_output=True)
    return time.perf_counter() - started


def index_note(vault: Path) -> Path:
    """The generated index note, in whichever language the vault was written."""
    for name in ("Idées à cultiver.md", "Ideas to cultivate.md"):
        if (vault / "tlvault" / name).exists():
            return vault / "tlvault" / name
    raise SystemExit("no index note was generated")


def one_edit_latencies(vault: Path, repeat: int) -> list[float]:
    """Save a new note while `tlvault watch` runs; seconds until the index is replaced, minus the debounce."""
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
        template = next(iter(sorted((vault / "2 - Idées").rglob("*.md"))), None) or next(vault.rglob("*.md"))
        latencies = []
        for i in range(repeat):
            before = os.stat(index).st_ino
            note = template.with_name(f"Nouvelle note {i}.md")
            note.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
            saved = time.perf_counter()
            _wait(lambda before=before: os.stat(index).st_ino != before, 60, interval=0.002)
            latencies.append(time.perf_counter() - saved - DEBOUNCE)
            time.sleep(2 * DEBOUNCE)
        return latencies
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)


def _wait(predicate: object, timeout: float, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the watcher")
        time.sleep(interval)


def main(argv: list[str] | None = None) -> int:
    """Generate the vault, time cold, warm and one-edit rebuilds, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--notes", type=int, default=9000, help="topic notes (journal notes come on top)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tlvault-bench-") as scratch:
        root = Path(scratch)
        os.environ["TLVAULT_CACHE_DIR"] = str(root / "cache")
        os.environ["TLVAULT_DATA_DIR"] = str(root / "data")
        vault = root / "vault"
        generated = generate_vault(args.notes, language="mixed", today=TODAY, bad_files=True)
        write_vault(generated, vault)
        notes = sum(1 for rel in generated.files if rel.endswith(".md"))
        cold = timed_rebuild(vault)
        warm = [timed_rebuild(vault) for _ in range(args.repeat)]
        edits = one_edit_latencies(vault, args.repeat)
        shutil.rmtree(root / "cache", ignore_errors=True)
    rows = [
        ("cold rebuild (empty cache)", cold, None),
        ("warm rebuild (nothing changed)", statistics.median(warm), TARGETS["warm"]),
        ("one edit → index rewritten, after the debounce", statistics.median(edits), TARGETS["one edit"]),
    ]
    print(f"{notes} notes, {args.repeat} repeats, whole processes, medians")
    print(f"| {'measure':<48} | {'seconds':>8} | {'target':>7} |")
    print(f"| {'-' * 48} | {'-' * 7}: | {'-' * 6}: |")
    for name, seconds, target in rows:
        print(f"| {name:<48} | {seconds:>8.2f} | {f'≤ {target}' if target else '':>7} |")
    print(f"cold/warm ratio: {cold / statistics.median(warm):.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
