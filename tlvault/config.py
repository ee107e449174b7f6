"""load_config(path) -> Config: read config.yaml, validate every key, return a frozen Config."""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from tlvault.errors import ConfigError, yaml_error_line

log = logging.getLogger(__name__)

LANGUAGES = ("auto", "fr", "en")


@dataclass(frozen=True)
class JournalConfig:
    """How to recognise journal and daily notes (evidence for the idea graph, not ideas)."""

    tags: tuple[str, ...] = ("journal", "daily")  # a note with one of these tags
    folders: tuple[str, ...] = ("Journal", "Daily")  # a note anywhere under these folders
    date_names: bool = True  # a note named like a date: 2024-02-22, 2024-02-22 jeudi


@dataclass(frozen=True)
class Config:
    """Everything tlvault needs to know about one vault; paths are absolute."""

    vault: Path  # the vault's root folder
    output_folder: str = "tlvault"  # vault-relative folder for generated notes
    language: str = "auto"  # language of generated notes: auto, fr or en
    exclude: tuple[str, ...] = ()  # vault-relative globs of notes not to read (`Templates/**`)
    max_note_bytes: int = 5_000_000  # larger notes are skipped with a warning
    jobs: int = 0  # processes that parse notes; 0 means one per core
    journal: JournalConfig = field(default_factory=JournalConfig)
    source: Path | None = None  # the config file this came from, if any

    @property
    def output_path(self) -> Path:
        """Absolute path of the output folder."""
        return self.vault / self.output_folder


def default_config(vault: Path) -> Config:
    """The configuration used when a vault has no config file."""
    config = Config(vault=vault.expanduser().absolute())
    _, problem = _output_folder(config.vault, config.output_folder)
    if problem:
        raise ConfigError(f"output_folder {problem}")
    return config


def load_config(path: Path, *, vault: Path | None = None) -> Config:
    """Read and validate `path`; `vault`, when given, replaces the file's `vault` key.

    Raises ConfigError listing every problem, each with its key and the fix.
    """
    data = _read_yaml(path)
    problems = _Problems(path.name)
    for key in sorted(set(data) - _KEYS, key=str):
        _warn_unknown(path.name, str(key), _KEYS)
    base = path.parent.absolute()
    values: dict[str, Any] = {"source": path.absolute()}
    if vault is not None:
        values["vault"] = vault.expanduser().absolute()
    elif "vault" in data:
        values["vault"] = _vault_path(problems, data["vault"], base)
    else:
        problems.add("vault", "is missing; set it to your vault folder, e.g. `vault: ~/Notes`")
    for key, check in _CHECKS.items():
        if data.get(key) is not None:  # an empty key keeps its default
            values[key] = check(problems, key, data[key])
    if data.get("journal") is not None:
        values["journal"] = _journal(problems, data["journal"])
    if values.get("vault") and "output_folder" not in problems.keys:
        folder, problem = _output_folder(values["vault"], values.get("output_folder", "tlvault"))
        if problem:
            problems.add("output_folder", problem)
        values["output_folder"] = folder
    problems.raise_if_any()
    return replace(Config(vault=values.pop("vault")), **values)


def _warn_unknown(filename: str, key: str, known: set[str]) -> None:
    """Unknown keys are usually typos: warn, with the closest known key."""
    guess = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"; did you mean '{guess[0]}'?" if guess else ""
    log.warning("%s: unknown key '%s' is ignored%s", filename, key, hint)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found (check the path, or pass the vault folder instead)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = yaml_error_line(exc)
        where = "" if line is None else f" at line {line + 1}"
        raise ConfigError(f"{path.name}: not valid YAML{where}; fix the syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: must be a mapping of `key: value` lines")
    return data


class _Problems:
    """Config problems collected so that all of them are reported at once."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.lines: list[str] = []
        self.keys: set[str] = set()

    def add(self, key: str, message: str) -> None:
        self.keys.add(key)
        self.lines.append(f"{self.filename}: {key} {message}")

    def raise_if_any(self) -> None:
        if self.lines:
            raise ConfigError("\n".join(self.lines))


def _vault_path(problems: _Problems, value: Any, base: Path) -> Path | None:
    if not isinstance(value, str) or not value.strip():
        problems.add("vault", f"must be a folder path, got {value!r}")
        return None
    path = Path(os.path.expandvars(value)).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


def _text(problems: _Problems, key: str, value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    problems.add(key, f"must be a non-empty text, got {value!r}")
    return None


def _language(problems: _Problems, key: str, value: Any) -> str | None:
    if value in LANGUAGES:
        return str(value)
    problems.add(key, f"must be one of {', '.join(LANGUAGES)}, got {value!r}")
    return None


def _count(problems: _Problems, key: str, value: Any, *, minimum: int) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    kind = "a positive integer" if minimum > 0 else "an integer, 0 or more"
    problems.add(key, f"must be {kind}, got {value!r}")
    return None


def _text_list(problems: _Problems, key: str, value: Any) -> tuple[str, ...] | None:
    items = [value] if isinstance(value, str) else value
    if isinstance(items, list) and all(isinstance(item, str) and item.strip() for item in items):
        return tuple(item.strip() for item in items)
    problems.add(key, f"must be a list of texts, got {value!r}")
    return None


def _flag(problems: _Problems, key: str, value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    problems.add(key, f"must be true or false, got {value!r}")
    return None


_Check = Callable[[_Problems, str, Any], Any]
_CHECKS: dict[str, _Check] = {
    "output_folder": _text,
    "language": _language,
    "exclude": _text_list,
    "max_note_bytes": lambda p, k, v: _count(p, k, v, minimum=1),
    "jobs": lambda p, k, v: _count(p, k, v, minimum=0),
}
_KEYS = {f.name for f in fields(Config)} - {"source"}
_JOURNAL_CHECKS: dict[str, _Check] = {"tags": _text_list, "folders": _text_list, "date_names": _flag}


def _journal(problems: _Problems, value: Any) -> JournalConfig:
    if not isinstance(value, Mapping):
        problems.add("journal", "must be a mapping with tags, folders and date_names")
        return JournalConfig()
    values = {}
    for key, item in value.items():
        check = _JOURNAL_CHECKS.get(str(key))
        if check is None:
            _warn_unknown(problems.filename, f"journal.{key}", {f"journal.{k}" for k in _JOURNAL_CHECKS})
        elif item is not None:
            values[str(key)] = check(problems, f"journal.{key}", item)
    return replace(JournalConfig(), **values)


def _output_folder(vault: Path, folder: str) -> tuple[str, str | None]:
    """The output folder as a clean vault-relative path, and why it is unusable (guarantee 6)."""
    fix = "use a folder inside the vault, such as 'tlvault'"
    path = Path(os.path.normpath(Path(folder).expanduser()))
    if path.is_absolute():
        try:
            path = path.relative_to(vault)
        except ValueError:
            return folder, f"'{folder}' is outside the vault; {fix}"
    parts = PurePosixPath(path.as_posix()).parts
    if not parts:
        return folder, f"'{folder}' is the vault root; {fix}"
    if ".." in parts:
        return folder, f"'{folder}' leads outside the vault; {fix}"
    if any(part.startswith(".") for part in parts):
        return folder, f"'{folder}' is a hidden folder, which Obsidian does not show; {fix}"
    real_vault = vault.resolve()
    real = (vault / path).resolve()
    if real_vault not in real.parents:
        return (
            folder,
            f"'{folder}' leads outside the vault through a symlink; remove it or set another output_folder",
        )
    return "/".join(parts), None
