"""Hash every file tlvault generates for several vaults: proof that a speed-up left the output alone.

    python benchmarks/snapshot.py before.json --code /path/to/a/worktree/of/main
    python benchmarks/snapshot.py after.json --compare before.json

Each vault (the example vault, a generated one of `--notes` topic notes, every vault of
../shared/vaults) is copied to a temporary folder without its generated folder, then rebuilt by
one whole `tlvault rebuild --now 2026-11-20` process with an empty cache. `--code` takes the
package from another folder (a git worktree of the commit to compare with). With `--compare`, the
vaults and files whose bytes differ are listed and the exit code is 1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.vaultgen import generate_vault, write_vault

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "vaults"
TODAY = date(2026, 11, 20)
GENERATED_SEED_NOTES = 2700

Snapshot = dict[str, dict[str, str]]  # vault -> generated file -> SHA-256


def main() -> int:
    """Take the snapshot; compare it with an earlier one when asked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="where to write the snapshot (JSON)")
    parser.add_argument("--code", type=Path, default=REPO, help="folder holding the tlvault package")
    parser.add_argument("--compare", type=Path, help="an earlier snapshot to compare with")
    parser.add_argument(
        "--notes", type=int, default=GENERATED_SEED_NOTES, help="generated vault's topic notes"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tlvault-snapshot-") as scratch:
        snapshot = {
            name: rebuilt(source, Path(scratch), args.code)
            for name, source in vaults(Path(scratch), args.notes)
        }

    args.output.write_text(json.dumps(snapshot, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{sum(map(len, snapshot.values()))} files of {len(snapshot)} vaults hashed into {args.output}")
    if args.compare is None:
        return 0
    differences = compare(json.loads(args.compare.read_text(encoding="utf-8")), snapshot)
    for line in differences:
        print(line)
    print("identical" if not differences else f"{len(differences)} differences")
    return 1 if differences else 0


def vaults(scratch: Path, notes: int) -> Iterator[tuple[str, Path]]:
    """(name, folder) of every vault to rebuild, the generated one written into `scratch`."""
    yield "example", REPO / "example_vault"
    generated = scratch / "generated-source"
    write_vault(generate_vault(notes, language="mixed", today=TODAY), generated)
    yield f"generated-{notes}", generated
    for source in sorted(SHARED.glob("*/vault")):
        yield source.parent.name, source


def rebuilt(source: Path, scratch: Path, code: Path) -> dict[str, str]:
    """The SHA-256 of each file a cold rebuild of a copy of `source` generates."""
    work = Path(tempfile.mkdtemp(dir=scratch))
    vault = work / "vault"
    shutil.copytree(source, vault, symlinks=True, ignore=shutil.ignore_patterns("tlvault", ".git"))
    environment = {
        **os.environ,
        "PYTHONPATH": str(code),
        "TLVAULT_CACHE_DIR": str(work / "cache"),
        "TLVAULT_DATA_DIR": str(work / "data"),
    }
    command = [sys.executable, "-m", "tlvault", "rebuild", str(vault), "--now", TODAY.isoformat()]
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode not in (0, 1):  # 1: some notes were skipped, which is part of the output
        raise SystemExit(f"{source}: rebuild failed ({result.returncode}): {result.stderr[-500:]}")
    output = vault / "tlvault"
    return {
        str(path.relative_to(output)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(output.rglob("*"))
        if path.is_file()
    }


def compare(before: Snapshot, after: Snapshot) -> list[str]:
    """One line per vault or generated file that is missing, new or different."""
    lines = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old is None or new is None:
            lines.append(f"{name}: only in the {'new' if old is None else 'old'} snapshot")
            continue
        for rel in sorted(old.keys() | new.keys()):
            if old.get(rel) != new.get(rel):
                lines.append(f"{name}: {rel} differs")
    return lines


if __name__ == "__main__":
    sys.exit(main())
