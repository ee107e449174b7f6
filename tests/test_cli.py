"""The command line: exit codes, exact messages and the JSON documents other tools read."""

from __future__ import annotations

import io
import json
import os
import re
import sys
import threading
from pathlib import Path
from typing import NoReturn

import networkx as nx
import pytest

from tests.conftest import MakeVault, RunCli
from tlvault import cli

SMALL_VAULT: dict[str, str | bytes] = {
    "Idées/Écrire chaque jour.md": (
        "---\ntags: [idée]\naliases: [Écrire]\n---\nVoir [[Lecture]] et [[Absente]]. #écriture\n"
    ),
    "Lecture.md": "# Lecture\n\n![[schéma.png]]\n",
    "schéma.png": b"\x89PNG\r\n\x1a\n",
    "Cassée.md": "---\ntitle: [oops\n---\nCorps avec [[Lecture]].\n",
}

LINK_TO_LECTURE = {"target": "Lecture", "resolved": "Lecture.md", "kind": "wikilink", "subpath": None}
BROKEN_YAML = "frontmatter is not valid YAML (line 2: did not find expected ',' or ']')"


def test_notes_json_document(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault(SMALL_VAULT)
    result = run_cli("notes", "--json", vault)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "format": "tlvault-ofm-conformance/1",
        "obsidian_target": "Obsidian desktop 1.9.4 or later",
        "notes": {
            "Cassée.md": {
                "frontmatter": "unusable",
                "frontmatter_keys": [],
                "tags": [],
                "aliases": [],
                "links": [
                    {"target": "Lecture", "resolved": "Lecture.md", "kind": "wikilink", "subpath": None}
                ],
            },
            "Idées/Écrire chaque jour.md": {
                "frontmatter": "mapping",
                "frontmatter_keys": ["tags", "aliases"],
                "tags": ["idée", "écriture"],
                "aliases": ["Écrire"],
                "links": [
                    LINK_TO_LECTURE,
                    {"target": "Absente", "resolved": None, "kind": "wikilink", "subpath": None},
                ],
            },
            "Lecture.md": {
                "frontmatter": "absent",
                "frontmatter_keys": [],
                "tags": [],
                "aliases": [],
                "links": [
                    {
                        "target": "schéma.png",
                        "resolved": "schéma.png",
                        "kind": "embed",
                        "subpath": None,
                        "via": "wikilink",
                    }
                ],
            },
        },
        "other_files": ["schéma.png"],
        "skipped": [],
        "warnings": [{"path": "Cassée.md", "reason": BROKEN_YAML}],
    }
    assert result.stderr == f"tlvault: warning: Cassée.md: {BROKEN_YAML}\n"


def test_rebuild_json_report(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault({**SMALL_VAULT, "image.md": b"\x89PNG\r\n\x1a\n\x00\x00"})
    result = run_cli("rebuild", "--json", "--now", "2026-11-20", vault)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report == {
        "format": "tlvault-rebuild/1",
        "notes": 3,
        "files": 5,
        "links": 4,
        "unresolved": 1,
        "tags": 2,
        "language": "fr",
        "today": "2026-11-20",
        "clusters": [],  # three notes, but not three linked around one idea
        "ghosts": [
            {"name": "Absente", "notes": ["Idées/Écrire chaque jour.md"], "journal_days": [], "cluster": None}
        ],
        "orphans": [],
        "gaps": [],
        "skipped": [
            {
                "path": "image.md",
                "reason": "binary content (an image, PDF or archive named .md), not a Markdown note",
            }
        ],
        "warnings": [{"path": "Cassée.md", "reason": BROKEN_YAML}],
    }


def test_rebuild_json_is_identical_twice(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault(SMALL_VAULT)
    assert run_cli("rebuild", "--json", vault).stdout == run_cli("rebuild", "--json", vault).stdout


def test_rebuild_summary_line(make_vault: MakeVault, run_cli: RunCli) -> None:
    result = run_cli("rebuild", make_vault(SMALL_VAULT))
    assert result.exit_code == 0
    assert re.fullmatch(
        r"3 notes read, 1 with warnings, 0 skipped; 4 links, 1 unresolved; 2 tags; "
        r"0 clusters, 1 ghost idea; 6 files written, 0 unchanged \(\d+\.\d\d s\)\n",
        result.stdout,
    )


def test_notes_text_listing(make_vault: MakeVault, run_cli: RunCli) -> None:
    result = run_cli("notes", make_vault(SMALL_VAULT))
    assert result.stdout.splitlines() == [
        "Cassée.md\t1 links (0 unresolved)",
        "Idées/Écrire chaque jour.md\t2 links (1 unresolved)\t#idée #écriture",
        "Lecture.md\t1 links (0 unresolved)",
    ]


def test_strict_fails_on_skipped_note(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = make_vault({"a.md": "ok", "b.md": b"\x89PNG\r\n\x1a\n"})
    assert run_cli("rebuild", vault).exit_code == 0
    assert run_cli("rebuild", "--strict", vault).exit_code == 1


def test_missing_vault_is_one_error_line(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("rebuild", tmp_path / "absent")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"tlvault: error: vault folder not found: {tmp_path / 'absent'}\n"


def test_no_vault_and_no_config(tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("rebuild")
    assert result.exit_code == 1
    assert result.stderr == (
        "tlvault: error: no vault given: pass its folder (`tlvault rebuild ~/Notes`) "
        "or a config file (`--config config.yaml`)\n"
    )


def test_config_yaml_in_working_folder_is_used(
    make_vault: MakeVault, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    make_vault({"a.md": "[[b]]", "b.md": "#x"})
    (tmp_path / "config.yaml").write_text("vault: vault\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli("rebuild", "--json")
    assert (json.loads(result.stdout)["notes"], json.loads(result.stdout)["links"]) == (2, 1)


def test_every_config_problem_is_reported(tmp_path: Path, run_cli: RunCli) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("vault: .\nlanguage: de\nmax_note_bytes: three\n", encoding="utf-8")
    result = run_cli("--config", config, "rebuild")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "tlvault: error: config.yaml: language must be one of auto, fr, en, got 'de'",
        "tlvault: error: config.yaml: max_note_bytes must be a positive integer, got 'three'",
    ]


def test_bad_usage_exits_2(run_cli: RunCli) -> None:
    assert run_cli().exit_code == 2
    assert run_cli("frobnicate").exit_code == 2
    assert run_cli("rebuild", "--no-such-flag").exit_code == 2


def test_internal_error_is_one_line_without_traceback(
    make_vault: MakeVault, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "rebuild", broken)
    vault = make_vault({"a.md": "x"})
    result = run_cli("rebuild", vault)
    assert result.exit_code == 1
    assert result.stderr == (
        "tlvault: internal error: RuntimeError: boom (run again with --debug for the traceback)\n"
    )
    debug = run_cli("--debug", "rebuild", vault)
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().endswith("RuntimeError: boom")


def test_ctrl_c_exits_130(make_vault: MakeVault, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "rebuild", interrupted)
    result = run_cli("rebuild", make_vault({"a.md": "x"}))
    assert (result.exit_code, result.stderr) == (130, "tlvault: interrupted\n")


def _ideas_vault(make_vault: MakeVault) -> Path:
    """Two small, separate families of linked notes and a journal that co-cites them."""
    return make_vault(
        {
            "Idées/Écrire chaque jour.md": "---\nstatus: mûr\n---\n[[Penser clairement]], [[Publier]].\n",
            "Idées/Penser clairement.md": "Penser [[Écrire chaque jour]] et [[Publier]].\n",
            "Idées/Publier.md": "Publier [[Écrire chaque jour]] et [[Penser clairement]].\n",
            "Journal/2026-11-18.md": "Tags : #journal\n\nRelu [[Publier]] et [[Penser clairement]].\n",
        }
    )


def test_status_prints_the_cluster_table(make_vault: MakeVault, run_cli: RunCli) -> None:
    result = run_cli("status", "--now", "2026-11-20", _ideas_vault(make_vault))
    assert result.exit_code == 0
    assert "Idées à cultiver" in result.stdout
    assert "(3 notes)" in result.stdout
    assert result.stderr == ""


def test_dry_run_writes_nothing_and_says_what_would_change(make_vault: MakeVault, run_cli: RunCli) -> None:
    vault = _ideas_vault(make_vault)
    result = run_cli("rebuild", "--dry-run", vault)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:8] == [
        "would write Idées à cultiver.md",
        "would write clusters/Penser clairement (tlvault).md",  # never a user note's name
        "would write Santé du coffre.md",
        "would write Carte des idées.canvas",
        "would write Tableau de bord.md",
        "would write Pipeline des idées.base",
        "would write .tlvault-state.json",
        result.stdout.splitlines()[7],
    ]
    assert not (vault / "tlvault").exists()
    run_cli("rebuild", vault)
    assert run_cli("rebuild", "--dry-run", vault).stdout.startswith("4 notes read")  # nothing to write


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_writes_the_graph(make_vault: MakeVault, run_cli: RunCli, tmp_path: Path, fmt: str) -> None:
    vault = _ideas_vault(make_vault)
    target = tmp_path / f"graph.{fmt}"
    assert run_cli("export", "--format", fmt, "-o", target, vault).exit_code == 0
    if fmt == "json":
        document = json.loads(target.read_text("utf-8"))
        nodes = {node["id"] for node in document["nodes"]}
        clusters = {node["cluster"] for node in document["nodes"]}
        edges = len(document["edges"])
    else:
        graph = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
        nodes = set(graph.nodes)
        clusters = {data["cluster"] for _, data in graph.nodes(data=True)}
        edges = graph.number_of_edges()
    assert nodes == {"Idées/Écrire chaque jour.md", "Idées/Penser clairement.md", "Idées/Publier.md"}
    assert len(clusters) == 1 and clusters != {""}
    assert edges == 3


def test_now_must_be_a_date(run_cli: RunCli) -> None:
    assert run_cli("rebuild", "--now", "hier").exit_code == 2


class _ExitedError(Exception):
    """What the patched `os._exit` raises instead of ending the test process."""


def _fake_exit(code: int) -> NoReturn:
    raise _ExitedError(code)


def test_exit_now_flushes_then_skips_the_teardown(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")  # buffered: nothing reaches `raw` before a flush
    out.write('{"format": "tlvault-rebuild/1"}\n')
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(os, "_exit", _fake_exit)
    with pytest.raises(_ExitedError) as exited:
        cli.exit_now(3)
    assert exited.value.args == (3,)
    assert raw.getvalue() == b'{"format": "tlvault-rebuild/1"}\n'


def test_exit_now_waits_for_a_live_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "_exit", _fake_exit)
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        with pytest.raises(SystemExit) as exited:  # the ordinary exit, which joins the thread
            cli.exit_now(1)
    finally:
        release.set()
        thread.join()
    assert exited.value.code == 1


def test_exit_now_after_a_closed_stream_exits_normally(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    closed.close()  # as main() leaves stderr after a broken pipe
    monkeypatch.setattr(sys, "stderr", closed)
    monkeypatch.setattr(os, "_exit", _fake_exit)
    with pytest.raises(SystemExit) as exited:
        cli.exit_now(0)
    assert exited.value.code == 0
