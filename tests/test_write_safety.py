"""Safe writes and ownership of generated files (FAULTS S1–S3, S5, S7–S9, S11–S16, O3; PRODUCT 1, 2, 6).

Every test builds a small French vault under pytest's tmp_path (two clusters of three notes, a journal
note that co-cites two of them, an unrelated note), runs `tlvault rebuild` and checks, byte for byte,
what tlvault wrote, refused or kept, that the user's files never moved (sha256, st_mtime_ns and mode),
and that no temporary file is left behind. Backups go to a temporary TLVAULT_DATA_DIR.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import tlvault.pipeline
import tlvault.write
from tests.conftest import CliResult, MakeVault, RunCli, Snapshot, inside, snapshot
from tlvault.canvas import is_tlvault_canvas, node_id
from tlvault.config import default_config
from tlvault.markdown import GENERATED
from tlvault.model import STATE_FORMAT, STATE_REL
from tlvault.regions import MarkerError, begin, end, split
from tlvault.render_dashboard import BASE_MARKER
from tlvault.resolve import LinkIndex

OUTPUT = "tlvault"  # the default output folder
TODAY = "2026-11-20"
INDEX = "Idées à cultiver.md"
HEALTH = "Santé du coffre.md"
CANVAS = "Carte des idées.canvas"
DASHBOARD = "Tableau de bord.md"
BASE = "Pipeline des idées.base"
TEMP_SUFFIX = ".tlvault-tmp"
WARNING = "tlvault: warning: "

WRITING = "Idées/La constance bat l'intensité.md"  # a member of the "writing" cluster
GARDEN = "Lectures/Jardin numérique.md"  # a member of the "garden" cluster
JOURNAL = "Journal/2026-11-18.md"

VAULT: dict[str, str | bytes] = {
    WRITING: (
        "---\ncreated: 2026-11-01\nupdated: 2026-11-15\ntags: [idée, écriture]\n---\n"
        "# La constance bat l'intensité\n\nÉcrire un peu chaque jour vaut mieux qu'un marathon "
        "d'écriture. Voir [[Écrire chaque matin]] et [[Le rituel d'écriture]].\n"
    ),
    "Idées/Écrire chaque matin.md": (
        "---\ncreated: 2026-11-02\ntags: [idée, écriture]\n---\n# Écrire chaque matin\n\n"
        "Le matin, l'écriture est plus facile. Lié à [[La constance bat l'intensité]] "
        "et [[Le rituel d'écriture]].\n"
    ),
    "Idées/Le rituel d'écriture.md": (
        "---\ncreated: 2026-11-03\ntags: [idée, écriture]\n---\n# Le rituel d'écriture\n\n"
        "Un rituel d'écriture protège la constance. Voir [[La constance bat l'intensité]] "
        "et [[Écrire chaque matin]].\n"
    ),
    JOURNAL: (
        "Tags : #journal\n\nAujourd'hui relu [[La constance bat l'intensité]] avec [[Écrire chaque matin]].\n"
    ),
    GARDEN: (
        "---\ncreated: 2026-10-01\ntags: [lecture, jardin]\n---\n# Jardin numérique\n\n"
        "Un jardin de notes pousse lentement. Voir [[Notes persistantes]] et [[Cultiver ses notes]].\n"
    ),
    "Lectures/Notes persistantes.md": (
        "---\ncreated: 2026-10-02\ntags: [lecture, jardin]\n---\n# Notes persistantes\n\n"
        "Les notes persistantes forment un jardin. Voir [[Jardin numérique]] et [[Cultiver ses notes]].\n"
    ),
    "Lectures/Cultiver ses notes.md": (
        "---\ncreated: 2026-10-03\ntags: [lecture, jardin]\n---\n# Cultiver ses notes\n\n"
        "Cultiver ses notes comme un jardin. Voir [[Jardin numérique]] et [[Notes persistantes]].\n"
    ),
    "Divers/Recettes.md": "# Recettes\n\nUne pâte à crêpes : farine, œufs, lait.\n",
    ".obsidian/workspace.json": '{"main": {}}',
}
# A later paragraph of the journal: changes the writing cluster's region (timeline, momentum, score)
# without moving any node of the map, so an in-place rebuild must equal a fresh one.
LATER = "\nPlus tard, relu [[La constance bat l'intensité]] seule : encore juste.\n"

Stats = dict[str, tuple[bytes, int, int]]  # rel -> (bytes, st_mtime_ns, mode)


# -- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Backups (and any cache) go under tmp_path, never to the real user directories."""
    data = tmp_path / "data"
    monkeypatch.setenv("TLVAULT_DATA_DIR", str(data))
    monkeypatch.setenv("TLVAULT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TLVAULT_TEST_PAUSE_BEFORE_REPLACE", raising=False)
    return data


@pytest.fixture
def vault(make_vault: MakeVault) -> Path:
    return make_vault(VAULT)


def rebuild(run_cli: RunCli, root: Path, *options: str) -> CliResult:
    return run_cli("rebuild", "--now", TODAY, *options, root)


def first_rebuild(run_cli: RunCli, root: Path) -> CliResult:
    result = rebuild(run_cli, root)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result


def warnings(result: CliResult) -> list[str]:
    """The warning lines of a run, without their prefix; fails on any other stderr line."""
    lines = result.stderr.splitlines()
    assert all(line.startswith(WARNING) for line in lines), result.stderr
    return [line.removeprefix(WARNING) for line in lines]


def written(result: CliResult) -> tuple[int, int]:
    """(files written, files unchanged) from the summary line."""
    match = re.search(r"; (\d+) files? written, (\d+) unchanged \(\d+\.\d\d s\)$", result.stdout.strip())
    assert match, result.stdout
    return int(match[1]), int(match[2])


def edit_user_note(root: Path, before: Snapshot, rel: str, text: str) -> None:
    """Write a user note as the user would, and accept its new state in `before`."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    before.update({key: value for key, value in snapshot(root).items() if key == rel or value[0] == "dir"})


def change_vault(root: Path, before: Snapshot) -> None:
    """The user adds a paragraph to the journal note: the writing cluster's region must change."""
    edit_user_note(root, before, JOURNAL, str(VAULT[JOURNAL]) + LATER)


def stats(root: Path) -> Stats:
    """Bytes, st_mtime_ns and mode of every regular file in the output folder (temporaries included)."""
    out = root / OUTPUT
    found: Stats = {}
    for folder, _, files in os.walk(out):
        for name in files:
            path = Path(folder, name)
            info = path.lstat()
            if stat.S_ISREG(info.st_mode):
                found[path.relative_to(out).as_posix()] = (path.read_bytes(), info.st_mtime_ns, info.st_mode)
    return found


def contents(root: Path) -> dict[str, bytes]:
    return {rel: data for rel, (data, _, _) in stats(root).items()}


def temporaries(root: Path) -> list[str]:
    """Every file anywhere in the vault that matches tlvault's temporary pattern."""
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, files in os.walk(root)
        for name in files
        if name.startswith(".") and name.endswith(TEMP_SUFFIX)
    )


def oracle(root: Path, run_cli: RunCli) -> dict[str, bytes]:
    """The generated files of a clean rebuild of a copy of the vault: its output folder left out but
    for the cluster state, which keeps the clusters' ids and names (it lives in the vault on purpose)."""
    copy = Path(tempfile.mkdtemp(prefix="oracle-", dir=root.parent)) / "vault"
    shutil.copytree(root, copy, symlinks=True, ignore=lambda d, _: [OUTPUT] if Path(d) == root else [])
    if (root / OUTPUT / STATE_REL).is_file():
        (copy / OUTPUT).mkdir()
        shutil.copyfile(root / OUTPUT / STATE_REL, copy / OUTPUT / STATE_REL)
    result = rebuild(run_cli, copy)
    assert result.exit_code == 0, result.stderr
    return contents(copy)


def except_file(files: dict[str, bytes], rel: str) -> dict[str, bytes]:
    """The generated files but `rel`, whose record is also left out of the state: the state remembers
    what is on disk, so a file tlvault could not write keeps the record of its last version."""
    out = {k: v for k, v in files.items() if k != rel}
    if STATE_REL in out:
        document = json.loads(out[STATE_REL])
        document["files"].pop(rel, None)
        out[STATE_REL] = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return out


def state(root: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((root / OUTPUT / STATE_REL).read_text(encoding="utf-8"))
    return document


def cluster_file(root: Path, member: str) -> str:
    """The output-relative file of the cluster holding `member`, as the state file records it."""
    files = [c["file"] for c in state(root)["clusters"] if member in c["members"]]
    assert len(files) == 1, state(root)["clusters"]
    return str(files[0])


def backups(data_dir: Path) -> list[Path]:
    return sorted(path for path in (data_dir / "backups").rglob("*") if path.is_file())


def assert_complete(rel: str, data: bytes) -> None:
    """A generated file as tlvault writes it whole: parseable, marked, markers balanced."""
    text = data.decode("utf-8")
    if rel.endswith(".canvas"):
        assert is_tlvault_canvas(text), rel
        json.loads(text)
    elif rel == STATE_REL:
        assert json.loads(text)["format"] == STATE_FORMAT
    elif rel.endswith(".base"):
        assert text.startswith(BASE_MARKER + "\n"), rel
        assert isinstance(yaml.safe_load(text), dict), rel
    else:
        assert text.startswith("---\n") and GENERATED in text, rel
        try:
            note = split(text)
        except MarkerError as exc:
            pytest.fail(f"{rel}: unbalanced markers ({exc})")
        assert note.regions(), rel


def check_canvas(root: Path, text: str, *, layout: bool = True) -> dict[str, Any]:
    """JSON Canvas 1.0: typed nodes with a place, file nodes on real files, edges between real nodes;
    with `layout`, every file node inside exactly one group."""
    document: dict[str, Any] = json.loads(text)
    nodes, edges = document["nodes"], document["edges"]
    ids = [node["id"] for node in nodes]
    assert len(ids) == len(set(ids))
    for node in nodes:
        assert node["type"] in {"text", "file", "link", "group"}
        assert all(isinstance(node[key], int) for key in ("x", "y", "width", "height")), node
        if node["type"] == "file":
            assert (root / node["file"]).is_file(), node["file"]
    assert len({edge["id"] for edge in edges}) == len(edges)
    assert all(edge["fromNode"] in ids and edge["toNode"] in ids for edge in edges)
    if layout:
        groups = [node for node in nodes if node["type"] == "group"]
        for node in nodes:
            if node["type"] == "file":
                assert sum(inside(node, group) for group in groups) == 1, node
    return document


def wait_until(predicate: Callable[[], bool], process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if process.poll() is not None:
            pytest.fail(f"tlvault ended (exit {process.returncode}) before the awaited moment")
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.005)


def _edit(path: Path, old: str, new: str) -> bytes:
    """Replace the first `old` by `new` in a file, as an editor would; return the new bytes."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, text)
    data = text.replace(old, new, 1).encode("utf-8")
    path.write_bytes(data)
    return data


# -- no change, no write -------------------------------------------------------------------


def test_second_rebuild_writes_nothing(vault: Path, run_cli: RunCli) -> None:
    before = snapshot(vault)
    first = first_rebuild(run_cli, vault)
    clusters = {cluster_file(vault, WRITING), cluster_file(vault, GARDEN)}
    assert set(contents(vault)) == {INDEX, HEALTH, CANVAS, DASHBOARD, BASE, STATE_REL, *clusters}
    assert written(first) == (8, 0)
    generated = stats(vault)
    assert {rel: mode & 0o777 for rel, (_, _, mode) in generated.items()} == dict.fromkeys(generated, 0o644)

    second = rebuild(run_cli, vault)
    assert second.exit_code == 0
    assert second.stderr == ""
    assert "; 0 files written, 8 unchanged (" in second.stdout
    assert stats(vault) == generated
    assert snapshot(vault) == before


# -- S1: a file tlvault did not write ------------------------------------------------------

USER_CANVAS = json.dumps(
    {
        "nodes": [
            {"id": "a1b2", "type": "text", "text": "Mon plan", "x": 0, "y": 0, "width": 200, "height": 60}
        ]
    },
    indent="\t",
)


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        (INDEX, "# Mes idées à cultiver\n\nÉcrites à la main.\n"),
        (CANVAS, USER_CANVAS),
        # a note about tlvault, quoting its marker in the body: still not a file tlvault generated
        (INDEX, "# Sur tlvault\n\nSes fichiers portent la propriété `tlvault: generated`.\n"),
    ],
    ids=["note", "canvas", "note-quoting-the-marker"],
)
def test_s1_file_without_marker_is_never_overwritten(
    make_vault: MakeVault, run_cli: RunCli, data_dir: Path, rel: str, text: str
) -> None:
    root = make_vault({**VAULT, f"{OUTPUT}/{rel}": text})
    before = snapshot(root)
    mine = root / OUTPUT / rel
    own = (mine.read_bytes(), mine.stat().st_mtime_ns, mine.stat().st_mode)

    for _ in range(2):  # the second run refuses the same way: no loop, no change
        result = rebuild(run_cli, root)
        assert result.exit_code == 0
        assert warnings(result) == [f"{OUTPUT}/{rel}: was not generated by tlvault; refusing to overwrite it"]
        assert (mine.read_bytes(), mine.stat().st_mtime_ns, mine.stat().st_mode) == own
    expected = oracle(root, run_cli)
    got = contents(root)
    assert set(got) == set(expected)
    assert except_file(got, rel) == except_file(expected, rel)
    assert backups(data_dir) == []
    assert temporaries(root) == []
    assert snapshot(root) == before


# -- S2: symlinks at output paths -----------------------------------------------------------


@pytest.mark.parametrize("where", ["inside", "outside"])
def test_s2_symlink_at_output_path_is_not_written_through(
    vault: Path, run_cli: RunCli, tmp_path: Path, where: str
) -> None:
    if where == "inside":
        target = vault / "Idées/Écrire chaque matin.md"
    else:
        target = tmp_path / "ailleurs" / "Mes idées.md"
        target.parent.mkdir()
        target.write_text("# Hors du coffre\n", encoding="utf-8")
    (vault / OUTPUT).mkdir()
    link = vault / OUTPUT / INDEX
    link.symlink_to(target)
    link_before = (os.readlink(link), link.lstat().st_mtime_ns)
    before = snapshot(vault)
    target_before = (target.read_bytes(), target.stat().st_mtime_ns, target.stat().st_mode)

    result = rebuild(run_cli, vault)
    assert result.exit_code == 0
    assert warnings(result) == [f"{OUTPUT}/{INDEX}: is a symlink; not written through"]
    assert link.is_symlink() and (os.readlink(link), link.lstat().st_mtime_ns) == link_before
    assert (target.read_bytes(), target.stat().st_mtime_ns, target.stat().st_mode) == target_before
    expected = oracle(vault, run_cli)
    assert contents(vault) == except_file(expected, INDEX)
    assert temporaries(vault) == []
    assert snapshot(vault) == before


def test_s2_symlinked_subfolder_of_output_is_not_written_through(
    vault: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    """`tlvault/clusters` is a symlink to a folder outside the vault: nothing may be written there."""
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    (vault / OUTPUT).mkdir()
    (vault / OUTPUT / "clusters").symlink_to(outside, target_is_directory=True)
    before = snapshot(vault)

    result = rebuild(run_cli, vault)
    assert sorted(os.listdir(outside)) == [], "tlvault wrote outside the vault through a symlinked folder"
    problems = [line for line in result.stderr.splitlines() if "symlink" in line]
    assert problems, result.stderr
    assert all(f"{OUTPUT}/clusters" in line for line in problems)
    assert temporaries(vault) == []
    assert snapshot(vault) == before


# -- S3: kill -9 while writing -------------------------------------------------------------


@pytest.mark.parametrize(("victim", "pause"), [(INDEX, 30.0), (STATE_REL, 1.0)], ids=["index", "state"])
def test_s3_kill_during_write_leaves_old_or_new_files(
    vault: Path, run_cli: RunCli, tmp_path: Path, victim: str, pause: float
) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    old = contents(vault)
    change_vault(vault, before)
    new = oracle(vault, run_cli)
    assert set(new) == set(old) and new[INDEX] != old[INDEX]

    env = {**os.environ, "TLVAULT_TEST_PAUSE_BEFORE_REPLACE": str(pause)}
    command = [sys.executable, "-m", "tlvault", "rebuild", "--now", TODAY, str(vault)]
    process = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    prefix = f".{Path(victim).name}."
    try:
        wait_until(lambda: any(Path(t).name.startswith(prefix) for t in temporaries(vault)), process)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL

    left = contents(vault)
    temps = temporaries(vault)
    assert [Path(t).name.startswith(prefix) for t in temps] == [True], temps
    assert left[victim] == old[victim]  # killed before its rename
    for rel in old:
        assert left[rel] in (old[rel], new[rel]), rel
        assert_complete(rel, left[rel])
    assert snapshot(vault) == before

    again = rebuild(run_cli, vault)
    assert again.exit_code == 0
    assert warnings(again) == []
    assert contents(vault) == new
    assert temporaries(vault) == []
    assert snapshot(vault) == before


# -- S5: disk full ---------------------------------------------------------------------------


def _fail_fsync_for(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """os.fsync raises ENOSPC for tlvault's temporary file of `name`; returns the failures seen."""
    real = os.fsync
    failures: list[str] = []

    def fsync(fd: int) -> None:
        temp = Path(os.readlink(f"/proc/self/fd/{fd}")).name
        if temp.startswith(f".{name}.") and temp.endswith(TEMP_SUFFIX):
            failures.append(temp)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return failures


def _disk_full_run(vault: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, before: Snapshot) -> Stats:
    """First rebuild, a vault change, then a rebuild during which writing the index fails with ENOSPC."""
    first_rebuild(run_cli, vault)
    previous = stats(vault)
    change_vault(vault, before)
    with monkeypatch.context() as patch:
        failures = _fail_fsync_for(patch, INDEX)
        result = rebuild(run_cli, vault)
    assert len(failures) == 1
    assert result.exit_code == 1  # FAULTS S5: a file that could not be written fails the run
    assert warnings(result) == [
        f"{OUTPUT}/{INDEX}: could not be written (No space left on device, ENOSPC); "
        "the previous version is kept"
    ]
    assert written(result) == (4, 3)
    return previous


def test_s5_disk_full_keeps_the_previous_version(
    vault: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    before = snapshot(vault)
    previous = _disk_full_run(vault, run_cli, monkeypatch, before)
    now = stats(vault)
    assert now[INDEX] == previous[INDEX]
    expected = oracle(vault, run_cli)
    assert except_file(contents(vault), INDEX) == except_file(expected, INDEX)
    assert temporaries(vault) == []
    assert backups(data_dir) == []
    assert snapshot(vault) == before


def test_s5_after_disk_full_next_rebuild_is_not_mistaken_for_a_user_edit(
    vault: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    """The index kept its previous version because of ENOSPC; no one edited it. The next rebuild
    must simply write it: no backup, no "edited inside tlvault's" warning (guarantee 2)."""
    before = snapshot(vault)
    _disk_full_run(vault, run_cli, monkeypatch, before)
    result = rebuild(run_cli, vault)
    assert result.exit_code == 0
    assert warnings(result) == []
    assert backups(data_dir) == []
    assert contents(vault) == oracle(vault, run_cli)
    assert snapshot(vault) == before


# -- S7: modes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o664])
def test_s7_mode_is_preserved(vault: Path, run_cli: RunCli, mode: int) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    cluster = cluster_file(vault, WRITING)
    for rel in (INDEX, cluster, CANVAS):
        (vault / OUTPUT / rel).chmod(mode)
    previous = contents(vault)
    change_vault(vault, before)
    result = rebuild(run_cli, vault)
    assert result.exit_code == 0 and warnings(result) == []
    expected = oracle(vault, run_cli)
    assert contents(vault) == expected
    for rel in (INDEX, cluster, CANVAS):
        assert expected[rel] != previous[rel]  # really regenerated
        assert stat.S_IMODE((vault / OUTPUT / rel).stat().st_mode) == mode, rel
    assert snapshot(vault) == before


# -- S8: the user's text around the regions -----------------------------------------------------


def test_s8_user_text_outside_regions_survives_byte_for_byte(
    vault: Path, run_cli: RunCli, data_dir: Path
) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    rel = cluster_file(vault, WRITING)
    path = vault / OUTPUT / rel
    above = "Ma remarque en tête, avec espaces   \n\n"
    below = "- Thread LinkedIn du 12/11  \r\n- Idée de suite\t\n   \nFin sans retour à la ligne  "
    _edit(path, begin("cluster"), above + begin("cluster"))
    with path.open("ab") as handle:
        handle.write(below.encode("utf-8"))
    old = path.read_bytes()
    change_vault(vault, before)

    result = rebuild(run_cli, vault)
    assert result.exit_code == 0
    assert warnings(result) == []
    fresh = oracle(vault, run_cli)[rel].decode("utf-8")
    expected = fresh.replace(begin("cluster"), above + begin("cluster"), 1) + below
    assert path.read_bytes() != old
    assert path.read_bytes() == expected.encode("utf-8")
    assert backups(data_dir) == []
    assert written(rebuild(run_cli, vault))[0] == 0
    assert snapshot(vault) == before


# -- ticked checkboxes ---------------------------------------------------------------------------


def _tick(path: Path) -> str:
    """Tick the first generated checkbox of a note; return its line as ticked."""
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("- [ ] ") and " ^tlv-" in line)
    ticked = "- [x] " + line.removeprefix("- [ ] ")
    _edit(path, line + "\n", ticked + "\n")
    return ticked


def test_ticked_checkboxes_stay_ticked(vault: Path, run_cli: RunCli, data_dir: Path) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    cluster = cluster_file(vault, WRITING)
    ticked = {rel: _tick(vault / OUTPUT / rel) for rel in (INDEX, cluster)}
    previous = contents(vault)
    change_vault(vault, before)

    result = rebuild(run_cli, vault)
    assert result.exit_code == 0
    assert warnings(result) == []
    assert backups(data_dir) == []
    expected = oracle(vault, run_cli)
    for rel, line in ticked.items():
        blank = "- [ ] " + line.removeprefix("- [x] ")
        fresh = expected[rel].decode("utf-8")
        assert fresh.count(blank + "\n") == 1, rel
        got = (vault / OUTPUT / rel).read_text(encoding="utf-8")
        assert got == fresh.replace(blank + "\n", line + "\n"), rel
        assert got.encode("utf-8") != previous[rel]
    assert written(rebuild(run_cli, vault))[0] == 0
    assert snapshot(vault) == before


# -- edits inside tlvault's regions and properties (guarantee 2, O3) ------------------------------


@pytest.mark.parametrize(
    ("old", "new", "region"),
    [
        (end("index"), "Ma ligne ajoutée dans la région.\n" + end("index"), "index"),
        ("tags:\n  - tlvault\n", "tags: [tlvault]\n", "properties"),  # O3: Obsidian-style rewrite
    ],
    ids=["inside-region", "o3-properties"],
)
def test_edit_inside_region_is_backed_up_and_regenerated_once(
    vault: Path, run_cli: RunCli, data_dir: Path, old: str, new: str, region: str
) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    generated = contents(vault)
    path = vault / OUTPUT / INDEX
    edited = _edit(path, old, new)

    result = rebuild(run_cli, vault)
    assert result.exit_code == 0
    lines = warnings(result)
    intro = f"{OUTPUT}/{INDEX}: edited inside tlvault's {region}; the old copy is in "
    assert len(lines) == 1 and lines[0].startswith(intro), lines
    copy = Path(lines[0].removeprefix(intro))
    assert backups(data_dir) == [copy]
    assert copy.is_relative_to(data_dir / "backups") and copy.name == INDEX
    assert copy.read_bytes() == edited
    assert contents(vault) == generated  # the region is tlvault's again
    assert written(result) == (1, 7)

    again = rebuild(run_cli, vault)  # no loop: nothing written, nothing said
    assert again.stderr == ""
    assert written(again) == (0, 8)
    assert backups(data_dir) == [copy]
    assert snapshot(vault) == before


def test_o_generated_note_converted_to_crlf_keeps_one_properties_block(vault: Path, run_cli: RunCli) -> None:
    """A sync tool or a Windows editor rewrites a generated note with CRLF line ends: tlvault may treat it
    as a foreign edit (backup, regenerate), but must not leave two properties blocks in the note."""
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    rel = cluster_file(vault, GARDEN)
    path = vault / OUTPUT / rel
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))

    result = rebuild(run_cli, vault)
    assert result.exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert text.count(GENERATED) == 1, text[:600]
    assert text.count("tlvault_kind: cluster") == 1
    assert split(text.replace("\r\n", "\n")).properties.startswith("---\n" + GENERATED)
    assert written(rebuild(run_cli, vault))[0] == 0
    assert snapshot(vault) == before


# -- S9: broken markers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (end("cluster") + "\n", "", "the region 'cluster' has no end marker"),
        (
            begin("cluster") + "\n",
            begin("cluster") + "\n" + begin("cluster") + "\n",
            "the region 'cluster' begins twice",
        ),
    ],
    ids=["end-deleted", "begin-duplicated"],
)
def test_s9_broken_markers_leave_the_file_alone(
    vault: Path, run_cli: RunCli, data_dir: Path, old: str, new: str, problem: str
) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    rel = cluster_file(vault, WRITING)
    _edit(vault / OUTPUT / rel, old, new)
    broken = stats(vault)[rel]
    change_vault(vault, before)

    result = rebuild(run_cli, vault)
    assert result.exit_code == 0
    assert warnings(result) == [
        f"{OUTPUT}/{rel}: its tlvault markers are broken ({problem}); fix them to let tlvault update it"
    ]
    assert stats(vault)[rel] == broken
    expected = oracle(vault, run_cli)
    assert except_file(contents(vault), rel) == except_file(expected, rel)
    assert backups(data_dir) == []
    assert temporaries(vault) == []
    assert snapshot(vault) == before


# -- S11 / S13: generated names -----------------------------------------------------------------

UNSAFE = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f]')


def _name_clusters(root: Path, names: dict[str, str]) -> None:
    """Give clusters the names tlvault will keep (it keeps a matched cluster's name from its state)."""
    document = state(root)
    for cluster in document["clusters"]:
        member = next(m for m in names if m in cluster["members"])
        cluster["name"] = names[member]
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    (root / OUTPUT / STATE_REL).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "names",
    [
        ("Leadership", "leadership"),
        ("Café", "Cafe\u0301"),  # NFC and NFD
        ('a:b?*"<>|#^[]/\\ c', "a b c"),
        ("漢字" * 45, "漢字" * 45 + "語"),  # 270 bytes each, equal once cut to fit
        ("...", "   "),
    ],
    ids=["case", "unicode-form", "unsafe", "long-cjk", "empty"],
)
def test_s11_s13_generated_names_are_safe_and_distinct(
    vault: Path, run_cli: RunCli, names: tuple[str, str]
) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    _name_clusters(vault, {WRITING: names[0], GARDEN: names[1]})

    result = rebuild(run_cli, vault)
    assert result.exit_code == 0, result.stderr
    assert warnings(result) == []
    files = [cluster_file(vault, WRITING), cluster_file(vault, GARDEN)]
    stems = [Path(rel).stem for rel in files]
    assert len({stem.casefold() for stem in stems}) == 2, stems
    for rel, stem in zip(files, stems, strict=True):
        assert rel == f"clusters/{stem}.md"
        assert unicodedata.is_normalized("NFC", stem)
        assert len(Path(rel).name.encode("utf-8")) <= 255
        assert not UNSAFE.search(stem) and not stem.startswith(".") and stem == stem.strip(), stem
        assert GENERATED in (vault / OUTPUT / rel).read_text(encoding="utf-8")
    assert sorted(os.listdir(vault / OUTPUT / "clusters")) == sorted(Path(rel).name for rel in files)
    assert written(rebuild(run_cli, vault))[0] == 0  # stable on rerun
    assert snapshot(vault) == before


# -- S12: a user note with a generated note's name --------------------------------------------------


def _linkable_files(root: Path) -> list[str]:
    """Every file Obsidian indexes (hidden files and folders left out), vault-relative and NFC."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        rel = os.path.relpath(folder, root)
        for name in files:
            if not name.startswith("."):
                found.append(unicodedata.normalize("NFC", name if rel == "." else f"{rel}/{name}"))
    return found


@pytest.mark.parametrize("which", ["cluster", "index"])
def test_s12_generated_name_never_equals_a_user_note(vault: Path, run_cli: RunCli, which: str) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    generated = cluster_file(vault, WRITING) if which == "cluster" else INDEX
    name = Path(generated).stem
    # deeper than the generated note, so that a same-named generated note would win the link
    user = f"Projets/Écriture/Archives de l'année/{name.upper()}.md"
    edit_user_note(vault, before, user, "# Ma propre note\n\nRien à voir avec tlvault.\n")
    edit_user_note(vault, before, "Accueil.md", f"# Accueil\n\nVoir [[{name}]].\n")
    assert len(user) > len(f"{OUTPUT}/{generated}")

    result = rebuild(run_cli, vault)
    assert result.exit_code == 0
    assert warnings(result) == []
    files = _linkable_files(vault)
    user_stems = {
        Path(rel).stem.casefold() for rel in files if rel.endswith(".md") and not rel.startswith(OUTPUT)
    }
    ours = [Path(rel).stem.casefold() for rel in contents(vault) if rel.endswith(".md")]
    assert not user_stems & set(ours), ours
    assert LinkIndex(files).resolve(name, "Accueil.md") == user
    assert written(rebuild(run_cli, vault))[0] == 0
    assert snapshot(vault) == before


# -- S14: leftover temporary files ---------------------------------------------------------------


def test_s14_only_tlvault_temporaries_in_its_folder_are_removed(vault: Path, run_cli: RunCli) -> None:
    first_rebuild(run_cli, vault)
    cluster = cluster_file(vault, WRITING)
    ours = [
        f"{OUTPUT}/.{INDEX}.abc{TEMP_SUFFIX}",
        f"{OUTPUT}/clusters/.{Path(cluster).name}.x7_k{TEMP_SUFFIX}",
    ]
    for rel in ours:
        (vault / rel).write_text("---\ntlvault: gener", encoding="utf-8")
    mine = {
        "Idées/.mynote.tmp": "brouillon\n",
        "Divers/notes.tlvault-tmp": "mes notes\n",
        f"Divers/.Recettes.md.123{TEMP_SUFFIX}": "une copie à moi\n",
    }
    for rel, text in mine.items():
        (vault / rel).write_text(text, encoding="utf-8")
    before = snapshot(vault)
    generated = {rel: value for rel, value in stats(vault).items() if not rel.endswith(TEMP_SUFFIX)}

    result = rebuild(run_cli, vault)
    assert result.exit_code == 0
    assert warnings(result) == []
    assert all(not (vault / rel).exists() for rel in ours)
    assert temporaries(vault) == [f"Divers/.Recettes.md.123{TEMP_SUFFIX}"]
    assert stats(vault) == generated
    assert snapshot(vault) == before


# -- S15 / S16: the canvas ----------------------------------------------------------------------


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def _owners(root: Path) -> dict[str, str]:
    """File node id -> id of the group it belongs in (its cluster's), from the cluster state."""
    owners = {}
    for cluster in state(root)["clusters"]:
        for rel in [*cluster["members"], f"{OUTPUT}/{cluster['file']}"]:
            owners[node_id(cluster["id"], rel)] = node_id(cluster["id"])
    return owners


def test_s15_s16_canvas_is_valid_and_keeps_the_users_layout(vault: Path, run_cli: RunCli) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    path = vault / OUTPUT / CANVAS
    document = check_canvas(vault, path.read_text(encoding="utf-8"))
    groups = {node["id"] for node in document["nodes"] if node["type"] == "group"}
    assert groups == {node_id(c["id"]) for c in state(vault)["clusters"]}
    owners, nodes = _owners(vault), _by_id(document["nodes"])
    for node in document["nodes"]:
        if node["type"] == "file":  # inside the rectangle of its own cluster's group
            assert inside(node, nodes[owners[node["id"]]]), node
    moved = next(n for n in document["nodes"] if n["type"] == "file" and not n["file"].startswith(OUTPUT))
    moved.update(x=1234, y=-567)
    mine: dict[str, Any] = {"id": "6f1e2d3c4b5a6978", "type": "text", "text": "Ma note", "x": -600}
    mine.update(y=-600, width=250, height=60)
    edge = {"id": "e1d2c3b4a5968778", "fromNode": mine["id"], "toNode": moved["id"], "label": "à relier"}
    document["nodes"].append(mine)
    document["edges"].append(edge)
    path.write_text(json.dumps(document, ensure_ascii=False, indent="\t"), encoding="utf-8")  # as Obsidian
    change_vault(vault, before)

    result = rebuild(run_cli, vault)
    assert result.exit_code == 0
    assert warnings(result) == []
    got = check_canvas(vault, path.read_text(encoding="utf-8"), layout=False)
    expected = json.loads(oracle(vault, run_cli)[CANVAS])
    assert expected != json.loads(json.dumps(document))  # the map itself changed (scores)
    nodes = _by_id(expected["nodes"])
    nodes[moved["id"]].update(x=1234, y=-567)
    nodes[mine["id"]] = mine
    assert _by_id(got["nodes"]) == nodes
    assert _by_id(got["edges"]) == {**_by_id(expected["edges"]), edge["id"]: edge}
    assert written(rebuild(run_cli, vault))[0] == 0
    assert snapshot(vault) == before


FLOW, SLASH, ELAN = 'Le "flow" 🚀', "Anti\\slash 🌱", "L’élan ✨ « vrai »"
SPECIAL: dict[str, str | bytes] = {
    f"Idées/{FLOW}.md": f"# Le flow\n\nVoir [[{SLASH}]] et [[{ELAN}]]. Le flow vient du jeu.\n",
    f"Idées/{SLASH}.md": f"# Anti\n\nVoir [[{FLOW}]] et [[{ELAN}]]. Le jeu vient du flow.\n",
    f"Idées/{ELAN}.md": f"# Élan\n\nVoir [[{FLOW}]] et [[{SLASH}]]. Le flow et le jeu.\n",
}


def test_s15_canvas_with_quotes_backslashes_and_emoji_is_valid_json(
    make_vault: MakeVault, run_cli: RunCli
) -> None:
    root = make_vault(SPECIAL)
    before = snapshot(root)
    first_rebuild(run_cli, root)
    path = root / OUTPUT / CANVAS
    document = check_canvas(root, path.read_text(encoding="utf-8"))
    assert {
        n["file"] for n in document["nodes"] if n["type"] == "file" and n["file"].startswith("Idées")
    } == set(SPECIAL)
    _name_clusters(root, {f"Idées/{FLOW}.md": 'Le "flux" \\ 🚀\n« suite » \t ✨'})
    result = rebuild(run_cli, root)
    assert result.exit_code == 0 and warnings(result) == []
    document = check_canvas(root, path.read_text(encoding="utf-8"))
    labels = [n["label"] for n in document["nodes"] if n["type"] == "group"]
    assert len(labels) == 1 and labels[0].startswith('Le "flux" \\ 🚀\n« suite » \t ✨ · ')
    assert written(rebuild(run_cli, root))[0] == 0
    assert snapshot(root) == before


# -- a cluster that disappears ------------------------------------------------------------------


@pytest.mark.parametrize("user_wrote", [False, True], ids=["untouched", "user-wrote"])
def test_disappearing_cluster_note_is_deleted_unless_the_user_wrote_in_it(
    vault: Path, run_cli: RunCli, user_wrote: bool
) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    rel = cluster_file(vault, GARDEN)
    path = vault / OUTPUT / rel
    if user_wrote:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("- Publié : thread du 2026-11-19 sur le jardin de notes\n")
    kept = stats(vault)[rel]
    for gone in ("Lectures/Notes persistantes.md", "Lectures/Cultiver ses notes.md"):
        (vault / gone).unlink()
        del before[gone]

    result = rebuild(run_cli, vault)
    assert result.exit_code == 0
    expected = oracle(vault, run_cli)
    if user_wrote:
        assert warnings(result) == [
            f"{OUTPUT}/{rel}: no longer generated, but you wrote in it; kept as it is"
        ]
        assert stats(vault)[rel] == kept
        assert contents(vault) == {**expected, rel: kept[0]}
    else:
        assert warnings(result) == []
        assert not path.exists()
        assert contents(vault) == expected
    check_canvas(vault, (vault / OUTPUT / CANVAS).read_text(encoding="utf-8"))
    again = rebuild(run_cli, vault)  # then silence
    assert again.stderr == "" and written(again)[0] == 0
    assert snapshot(vault) == before


# -- a crash between rendering and writing ----------------------------------------------------------


def test_crash_before_writing_leaves_every_generated_file_as_it_was(
    vault: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    previous = stats(vault)
    change_vault(vault, before)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disque débranché")

    monkeypatch.setattr(tlvault.write, "write_outputs", crash)
    result = rebuild(run_cli, vault)
    assert result.exit_code == 1
    assert result.stderr == (
        "tlvault: internal error: RuntimeError: disque débranché (run again with --debug for the traceback)\n"
    )
    assert stats(vault) == previous
    assert temporaries(vault) == []
    assert snapshot(vault) == before


# -- --dry-run ----------------------------------------------------------------------------------------


def test_dry_run_lists_changes_and_writes_nothing(
    vault: Path, run_cli: RunCli, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(vault)
    first_rebuild(run_cli, vault)
    _edit(vault / OUTPUT / INDEX, end("index"), "Ajout à la main.\n" + end("index"))  # would be backed up
    change_vault(vault, before)
    previous = stats(vault)

    result = rebuild(run_cli, vault, "--dry-run")
    assert result.exit_code == 0
    assert warnings(result) == [
        f"{OUTPUT}/{INDEX}: edited inside tlvault's index; the old copy is in (not saved: dry run)"
    ]
    *lines, _summary = result.stdout.splitlines()
    assert all(line.startswith("would write ") for line in lines), lines
    listed = [line.removeprefix("would write ") for line in lines]
    assert stats(vault) == previous
    assert not (data_dir / "backups").exists()
    assert temporaries(vault) == []
    assert snapshot(vault) == before

    # what a real rebuild of the same vault writes, on a copy
    copy = tmp_path / "copy" / "vault"
    shutil.copytree(vault, copy, symlinks=True)
    monkeypatch.setenv("TLVAULT_DATA_DIR", str(tmp_path / "copy-data"))
    report = tlvault.pipeline.rebuild(default_config(copy), now=date.fromisoformat(TODAY))
    assert report.written
    assert listed == report.written
    assert written(result) == (len(report.written), report.unchanged_count)


@pytest.fixture(autouse=True)
def no_leftovers(tmp_path: Path) -> Iterator[None]:
    """At the end of every test: no tlvault temporary file left in any vault under tmp_path
    (S14 plants one user file matching the pattern outside the output folder)."""
    yield
    left = [path for path in tmp_path.rglob(f".*{TEMP_SUFFIX}") if f"/{OUTPUT}/" in path.as_posix()]
    assert left == []
