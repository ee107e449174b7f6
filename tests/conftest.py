"""Shared fixtures: temporary vaults, the CLI runner and the read-only ../shared data."""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tlvault import memo
from tlvault.cli import main

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TLVAULT_SHARED", REPO.parent / "shared"))

MakeVault = Callable[[Mapping[str, str | bytes]], Path]


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own cache and backup folders: nothing lands in the real user folders,
    and no test sees another's cache."""
    folder = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("TLVAULT_CACHE_DIR", str(folder / "cache"))
    monkeypatch.setenv("TLVAULT_DATA_DIR", str(folder / "data"))
    return folder


@pytest.fixture
def remembering() -> Iterator[None]:
    """Results kept between rebuilds, as in the watcher, for the test only."""
    memo.remember(True)
    try:
        yield
    finally:
        memo.remember(False)


@pytest.fixture(scope="session", autouse=True)
def repository_stays_untouched() -> Iterator[None]:
    """Tests never write into the repository: example_vault/ must be byte-identical afterwards."""
    before = _tree(REPO / "example_vault")
    yield
    assert _tree(REPO / "example_vault") == before, "a test wrote into example_vault/"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def shared_path(*parts: str) -> Path:
    """A path under ../shared; the calling test is skipped when that data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (CI provides ../shared)")
    return path


def write_file(path: Path, content: str | bytes) -> None:
    """Write bytes as they are, text as UTF-8 without newline translation, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")


@pytest.fixture
def make_vault(tmp_path: Path) -> MakeVault:
    """Write `{"ideas/a.md": "text"}` under a temporary vault (with `.obsidian/`) and return its root."""

    def make(files: Mapping[str, str | bytes]) -> Path:
        root = tmp_path / "vault"
        (root / ".obsidian").mkdir(parents=True, exist_ok=True)
        for rel, content in files.items():
            write_file(root / rel, content)
        return root

    return make


@dataclass(frozen=True)
class CliResult:
    """What one `tlvault` invocation returned and printed."""

    exit_code: int
    stdout: str
    stderr: str


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Call `tlvault.cli.main([...])` in-process and capture its exit code and output."""

    def run(*args: str | Path) -> CliResult:
        logger = logging.getLogger("tlvault")
        saved = (logger.handlers[:], logger.propagate, logger.level)
        capsys.readouterr()
        try:
            code = main([str(arg) for arg in args])
        finally:  # main() points the logger at capsys's stream; later tests need it back
            logger.handlers[:], logger.propagate, logger.level = saved
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


Snapshot = dict[str, tuple[str, int, int]]


def snapshot(root: Path, output: str = "tlvault") -> Snapshot:
    """sha256 (or symlink target, or kind), st_mtime_ns and mode of every user entry under `root`
    (tlvault's output folder excepted), never opening anything but regular files."""
    entries: Snapshot = {}

    def walk(folder: str) -> None:
        with os.scandir(folder) as listing:
            for entry in listing:
                info = entry.stat(follow_symlinks=False)
                rel = os.path.relpath(entry.path, root)
                if rel == output:
                    continue
                if stat.S_ISLNK(info.st_mode):
                    entries[rel] = ("link:" + os.readlink(entry.path), info.st_mtime_ns, info.st_mode)
                elif stat.S_ISDIR(info.st_mode):
                    entries[rel] = ("dir", 0, info.st_mode)  # a folder's mtime moves when a test adds a note
                    walk(entry.path)
                elif stat.S_ISREG(info.st_mode):
                    digest = hashlib.sha256(Path(entry.path).read_bytes()).hexdigest()
                    entries[rel] = (digest, info.st_mtime_ns, info.st_mode)
                else:
                    entries[rel] = ("special", info.st_mtime_ns, info.st_mode)

    walk(str(root))
    return entries


@pytest.fixture
def tlvault_logs(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> pytest.LogCaptureFixture:
    """caplog that sees tlvault's records even after a CLI run made the `tlvault` logger stop propagating."""
    logger = logging.getLogger("tlvault")
    monkeypatch.setattr(logger, "propagate", True)
    monkeypatch.setattr(logger, "handlers", [])
    caplog.set_level(logging.DEBUG, logger="tlvault")
    return caplog


def inside(node: Mapping[str, Any], group: Mapping[str, Any]) -> bool:
    """Whether a canvas node's rectangle lies within a group's rectangle."""
    return bool(
        group["x"] <= node["x"]
        and node["x"] + node["width"] <= group["x"] + group["width"]
        and group["y"] <= node["y"]
        and node["y"] + node["height"] <= group["y"] + group["height"]
    )
