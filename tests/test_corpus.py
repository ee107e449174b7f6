"""The OFM conformance corpus: `tlvault notes --json` must give Obsidian's answers note for note."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED, RunCli, shared_path
from tlvault.cli import main

_EXPECTED = SHARED / "ofm-corpus" / "expected.json"
CORPUS_NOTES = sorted(json.loads(_EXPECTED.read_text("utf-8"))["notes"]) if _EXPECTED.exists() else []


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    """Obsidian's answers for the corpus."""
    data: dict[str, Any] = json.loads(shared_path("ofm-corpus", "expected.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the corpus vault, hidden files included."""
    target = tmp_path_factory.mktemp("corpus") / "vault"
    shutil.copytree(shared_path("ofm-corpus", "vault"), target)
    return target


@pytest.fixture(scope="module")
def actual(corpus_copy: Path) -> dict[str, Any]:
    """`tlvault notes --json` on the corpus copy."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["notes", "--json", str(corpus_copy)]) == 0
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def _links(entry: dict[str, Any]) -> list[str]:
    return sorted(json.dumps(link, sort_keys=True, ensure_ascii=False) for link in entry["links"])


def test_document_shape(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    assert actual["format"] == expected["format"] == "tlvault-ofm-conformance/1"
    assert sorted(actual["notes"]) == sorted(expected["notes"])  # .trash/Idea.md is not a note
    assert actual["other_files"] == sorted(expected["other_files"])
    assert actual["skipped"] == []


@pytest.mark.parametrize("rel", CORPUS_NOTES)
def test_note_matches_obsidian(rel: str, actual: dict[str, Any], expected: dict[str, Any]) -> None:
    got, want = actual["notes"][rel], expected["notes"][rel]
    for key in ("frontmatter", "frontmatter_keys", "tags", "aliases"):
        assert got[key] == want[key], key
    assert _links(got) == _links(want)


def test_invalid_frontmatter_is_one_warning(corpus_copy: Path, run_cli: RunCli) -> None:
    result = run_cli("rebuild", corpus_copy)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "tlvault: warning: Invalid frontmatter.md: frontmatter is not valid YAML "
        "(line 2: mapping values are not allowed in this context)"
    ]
