"""Read every real vault of ../shared/vaults and print notes, links, unresolved links and seconds.

    python benchmarks/shared_vaults.py

Each vault is copied to a temporary folder first; each time is one whole `tlvault rebuild --json`
process (start-up included), median of three runs: cold with an empty parse cache, then warm
(the same vault again, nothing changed).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VAULTS = REPO.parent / "shared" / "vaults"


def measure(vault: Path) -> tuple[dict[str, object], float, float]:
    """The rebuild report of `vault` and the median seconds of three cold and three warm runs."""
    cold, warm = [], []
    report: dict[str, object] = {}
    for _ in range(3):
        with tempfile.TemporaryDirectory() as cache:
            environment = {**os.environ, "TLVAULT_CACHE_DIR": cache}
            seconds, output = _rebuild(vault, environment)
            cold.append(seconds)
            warm.append(_rebuild(vault, environment)[0])
            report = json.loads(output)
    return report, statistics.median(cold), statistics.median(warm)


def _rebuild(vault: Path, environment: dict[str, str]) -> tuple[float, str]:
    """Seconds of one `tlvault rebuild --json` process, and what it printed."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "tlvault", "rebuild", "--json", str(vault)],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return time.perf_counter() - started, result.stdout


def main() -> int:
    """Print the table in Markdown."""
    print("| vault | notes | links | unresolved | skipped | notes with warnings | cold s | warm s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for source in sorted(VAULTS.glob("*/vault")):
        with tempfile.TemporaryDirectory() as tmp:
            vault = Path(tmp) / "vault"
            shutil.copytree(source, vault, symlinks=True)
            report, cold, warm = measure(vault)
        skipped, warned = report["skipped"], report["warnings"]
        assert isinstance(skipped, list) and isinstance(warned, list)
        print(
            f"| {source.parent.name} | {report['notes']} | {report['links']} | {report['unresolved']} "
            f"| {len(skipped)} | {len(warned)} | {cold:.2f} | {warm:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
