"""Parsing in parallel processes gives exactly what parsing in one process gives."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import REPO
from tlvault.config import default_config
from tlvault.pipeline import parse_sources
from tlvault.scan import scan_vault


def test_parallel_parse_equals_serial(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(REPO / "example_vault", vault)
    (vault / "binaire.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00")  # a skipped note travels back too
    for number in range(60):
        (vault / "Générées" / f"note {number:02}.md").parent.mkdir(exist_ok=True)
        (vault / "Générées" / f"note {number:02}.md").write_text(
            f"---\ntags: [lot{number % 7}]\n---\nVoir [[note {(number + 1) % 60:02}]] #idée\n",
            encoding="utf-8",
        )
    sources = scan_vault(default_config(vault)).notes
    serial = parse_sources(sources, jobs=1)
    parallel = parse_sources(sources, jobs=2, min_parallel=0)
    assert len(serial) == len(sources) == 161  # 100 notes of example_vault, the binary one, 60 made here
    assert parallel == serial
