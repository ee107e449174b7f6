"""`tlvault init`: a commented config.yaml with every option and its default, never overwriting."""

from __future__ import annotations

import shutil
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import MakeVault, RunCli
from tests.watching import NOTES
from tlvault.config import default_config, load_config
from tlvault.template import config_template


def option_paths(value: Any, prefix: str = "") -> list[str]:
    """Every option of a config object as a dotted path (`scoring.weights.mass`)."""
    paths = []
    for field in fields(value):
        if field.name == "source":
            continue
        path = f"{prefix}{field.name}"
        inner = getattr(value, field.name)
        paths.extend(option_paths(inner, path + ".") if is_dataclass(inner) else [path])
    return paths


def lookup(document: dict[str, Any], path: str) -> tuple[bool, Any]:
    node: Any = document
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def test_the_template_loads_back_as_the_defaults(make_vault: MakeVault, tmp_path: Path) -> None:
    vault = make_vault(NOTES)
    at = tmp_path / "config.yaml"
    at.write_text(config_template(vault, at), encoding="utf-8")
    loaded = load_config(at)
    assert replace(loaded, source=None) == default_config(vault)


def test_the_template_names_every_option_with_a_comment_above_it(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault = make_vault(NOTES)
    text = config_template(vault, tmp_path / "config.yaml")
    document = yaml.safe_load(text)
    paths = option_paths(default_config(vault))
    assert len(paths) == 56
    assert [path for path in paths if not lookup(document, path)[0]] == []
    lines = text.splitlines()
    keys = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    assert [lines[i] for i in keys if not lines[i - 1].lstrip().startswith("# ")] == []


def test_the_vault_is_relative_when_the_file_is_above_it(tmp_path: Path) -> None:
    vault = tmp_path / "Notes"
    vault.mkdir()
    assert yaml.safe_load(config_template(vault, tmp_path / "config.yaml"))["vault"] == "Notes"
    elsewhere = tmp_path / "configs" / "deep" / "config.yaml"
    assert yaml.safe_load(config_template(vault, elsewhere))["vault"] == str(vault)


def test_init_writes_a_config_that_rebuilds_like_the_defaults(
    make_vault: MakeVault, tmp_path: Path, run_cli: RunCli
) -> None:
    vault = make_vault(NOTES)
    at = tmp_path / "config.yaml"
    result = run_cli("init", vault, "-o", at)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith(f"wrote {at}: every option with its default")
    with_file = run_cli("--config", at, "rebuild", "--json", "--now", "2024-06-15")
    assert with_file.exit_code == 0
    copy = tmp_path / "copy"
    copy.mkdir()
    other = make_vault_copy(vault, copy)
    with_defaults = run_cli("rebuild", other, "--json", "--now", "2024-06-15")
    assert with_defaults.stdout == with_file.stdout


def make_vault_copy(vault: Path, folder: Path) -> Path:
    """A copy of `vault` without its generated notes."""
    target = folder / "vault"
    shutil.copytree(vault, target, ignore=shutil.ignore_patterns("tlvault"))
    return target


def test_init_never_overwrites_a_file(make_vault: MakeVault, tmp_path: Path, run_cli: RunCli) -> None:
    vault = make_vault(NOTES)
    at = tmp_path / "config.yaml"
    at.write_text("vault: elsewhere\n", encoding="utf-8")
    result = run_cli("init", vault, "-o", at)
    assert result.exit_code == 1
    assert result.stderr == (
        f"tlvault: error: {at} already exists; remove it or choose another path with -o\n"
    )
    assert at.read_text(encoding="utf-8") == "vault: elsewhere\n"


def test_init_of_a_missing_vault_is_one_error(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("init", tmp_path / "nowhere", "-o", tmp_path / "config.yaml")
    assert (result.exit_code, result.stderr) == (
        1,
        f"tlvault: error: vault folder not found: {tmp_path / 'nowhere'}\n",
    )
    assert not (tmp_path / "config.yaml").exists()
