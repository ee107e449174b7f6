"""The user's own note must read exactly as Obsidian reads it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import MakeVault, shared_path
from tlvault.config import default_config
from tlvault.model import FrontmatterStatus, InlineField, LinkKind, Note
from tlvault.pipeline import ParsedVault, read_vault
from tlvault.report import Report

SEED_REL = "1 - Input/2024-02-22.md"


@pytest.fixture
def seed_bytes() -> bytes:
    """The user's note, exported as text."""
    return shared_path("seeds", "000_0b83b8a2b2fd0798.txt").read_bytes()


def _read(vault: Path) -> tuple[ParsedVault, Report]:
    report = Report()
    return read_vault(default_config(vault), report), report


def _seed(parsed: ParsedVault) -> Note:
    return next(note for note in parsed.notes if note.rel == SEED_REL)


def test_seed_properties_tags_and_fields(make_vault: MakeVault, seed_bytes: bytes) -> None:
    parsed, report = _read(make_vault({SEED_REL: seed_bytes}))
    note = _seed(parsed)
    assert report.skipped == [] and report.warned == []
    assert note.frontmatter is FrontmatterStatus.MAPPING
    assert note.frontmatter_keys == ("created", "updated")
    assert note.created == datetime(2024, 2, 22, 20, 47)
    assert note.updated == datetime(2024, 4, 6, 15, 14)
    assert note.tags == ("journal",)
    assert note.inline_fields == (
        InlineField("Lien", "[[1 - Input/2024-02-19]]", 5),
        InlineField("Tags", "#journal", 6),
    )
    assert [h.text for h in note.headings] == [
        "Sur quoi se concentrer…",
        "Quiz qui peut servir de base pour développer une activité de thought leader",
        "Techniques pour croître ou monétiser",
    ]


def test_seed_links_unresolved_when_targets_are_absent(make_vault: MakeVault, seed_bytes: bytes) -> None:
    parsed, _ = _read(make_vault({SEED_REL: seed_bytes}))
    note = _seed(parsed)
    assert [(link.target, link.kind, link.line) for link in note.links] == [
        ("1 - Input/2024-02-19", LinkKind.WIKILINK, 5),
        ("1 - Input/Simon Sinek", LinkKind.WIKILINK, 12),
    ]
    assert parsed.resolved.of(note) == (None, None)


def test_seed_links_resolve_when_targets_exist(make_vault: MakeVault, seed_bytes: bytes) -> None:
    vault = make_vault(
        {
            SEED_REL: seed_bytes,
            "1 - Input/2024-02-19.md": "Tags : #journal\n",
            "Personnes/Simon Sinek.md": "# Simon Sinek\n",  # same name, but the link names a folder
            "1 - Input/Simon Sinek.md": "# Simon Sinek\n",
        }
    )
    parsed, _ = _read(vault)
    assert parsed.resolved.of(_seed(parsed)) == ("1 - Input/2024-02-19.md", "1 - Input/Simon Sinek.md")


def test_seed_crlf_copy_reads_the_same(make_vault: MakeVault, seed_bytes: bytes) -> None:
    crlf = seed_bytes.replace(b"\n", b"\r\n")
    parsed, _ = _read(make_vault({SEED_REL: seed_bytes, "copie/2024-02-22.md": crlf}))
    original, copy = (
        next(n for n in parsed.notes if n.rel == rel) for rel in (SEED_REL, "copie/2024-02-22.md")
    )
    assert (copy.tags, copy.links, copy.inline_fields, copy.headings, copy.word_count) == (
        original.tags,
        original.links,
        original.inline_fields,
        original.headings,
        original.word_count,
    )
