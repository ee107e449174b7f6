"""Read every real vault of ../shared/vaults and print notes, links, unresolved links and seconds.

    python benchmarks/shared_vaults.py

Each vault is copied to a temporary folder first; the time is one whole `tlvault rebuild --json`
process (start-up included), median of three runs.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VAULTS = REPO.parent / "shared" / "vaults"


def measure(vault: Path) -> tuple[dict[str, object], float]:
    """The rebuild report of `vault` and the median wall-clock seconds of three runs."""
    seconds = []
    report: dict[str, object] = {}
    for _ in range(3):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "tlvault", "rebuild", "--json", str(vault)],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds.append(time.perf_counter() - started)
        report = json.loads(result.stdout)
    return report, statistics.median(seconds)


def main() -> int:
    """Print the table in Markdown."""
    print("| vault | notes | links | unresolved | skipped | notes with warnings | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for source in sorted(VAULTS.glob("*/vault")):
        with tempfile.TemporaryDirectory() as tmp:
            vault = Path(tmp) / "vault"
            shutil.copytree(source, vault, symlinks=True)
            report, seconds = measure(vault)
        skipped, warned = report["skipped"], report["warnings"]
        assert isinstance(skipped, list) and isinstance(warned, list)
        print(
            f"| {source.parent.name} | {report['notes']} | {report['links']} | {report['unresolved']} "
            f"| {len(skipped)} | {len(warned)} | {seconds:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
