"""load_config(path) -> Config: read config.yaml, validate every key, return a frozen Config."""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
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
class GraphConfig:
    """How the idea graph is woven (PRODUCT.md, "Graph")."""

    trivial_tag_share: float = 0.10  # a tag on more than this share of notes links nothing
    similar_neighbours: int = 5  # lexical neighbours kept per note
    min_similarity: float = 0.2  # texts less similar than this (cosine) are not neighbours


@dataclass(frozen=True)
class ClusterConfig:
    """Louvain community detection, seeded so that a vault always gives the same clusters."""

    resolution: float = 1.0  # above 1: more, smaller clusters; below 1: fewer, larger ones
    seed: int = 42
    min_size: int = 3  # fewer notes than this is not a cluster
    hub_tags: tuple[str, ...] = ("moc", "hub", "carte", "index", "sommaire")  # a note tagged so is a hub


@dataclass(frozen=True)
class SignalWeights:
    """How much each signal weighs in the ripeness score (relative weights)."""

    mass: float = 1.0  # how many notes
    cohesion: float = 1.0  # how tightly they link to each other
    distillation: float = 1.5  # how worked-out they are (status, summary, claim titles, length)
    momentum: float = 1.5  # recent edits and journal mentions
    persistence: float = 1.0  # how many distinct weeks the idea came back
    hub: float = 1.0  # a hub note (map of content) or an outline exists
    bridges: float = 0.5  # links to other clusters
    validation: float = 1.0  # pieces already published


@dataclass(frozen=True)
class ScoringConfig:
    """Ripeness scoring."""

    today: date | None = None  # the day scores are computed for; empty means the real today
    weights: SignalWeights = field(default_factory=SignalWeights)
    distilled_statuses: tuple[str, ...] = ("mûr", "mûre", "evergreen", "distillé", "mature", "ready", "prêt")


@dataclass(frozen=True)
class StageRule:
    """What puts a note at one stage of the creator's pipeline: a folder, a tag or a `status`."""

    folders: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class StagesConfig:
    """The pipeline récolter → cultiver → créer → publier → productiser; a note is at the last it matches."""

    harvest: StageRule = StageRule(
        ("1 - Input", "Input", "Inbox"), ("lecture", "input", "inbox", "source"), ("à lire", "to read")
    )
    cultivate: StageRule = StageRule(
        ("2 - Idées", "Idées", "Ideas"), ("idée", "idea"), ("à cultiver", "idée", "idea", "graine", "seed")
    )
    create: StageRule = StageRule(
        ("3 - Contenus", "Contenus", "Drafts", "Brouillons"),
        ("brouillon", "draft"),
        ("brouillon", "draft", "mûr", "à publier", "ready"),
    )
    publish: StageRule = StageRule(
        ("Publié", "Published"), ("publié", "published"), ("publié", "publiée", "published")
    )
    # No tags by default: a note tagged #produit is usually about products, not one on sale.
    productise: StageRule = StageRule(("Produits", "Products"), (), ("produit", "en vente", "product"))


STAGES = ("harvest", "cultivate", "create", "publish", "productise")


@dataclass(frozen=True)
class QuizPillars:
    """Which questions of the self-assessment quiz (numbered from 1, in note order) measure each pillar."""

    ideas: tuple[int, ...] = (1, 4, 6, 12, 15, 22, 25, 26, 33)
    content: tuple[int, ...] = (2, 3, 5, 8, 24, 30, 31)
    audience: tuple[int, ...] = (10, 11, 14, 29)
    authority: tuple[int, ...] = (7, 13, 16, 17, 19, 21, 23, 35)
    business: tuple[int, ...] = (9, 18, 20, 27, 28, 32, 34)


PILLARS = ("ideas", "content", "audience", "authority", "business")


@dataclass(frozen=True)
class QuizConfig:
    """The thought-leadership scorecard: where the quiz note is and how its answers are read."""

    note: str = ""  # vault-relative path of the quiz note; empty: found by tag or `type` property
    tags: tuple[str, ...] = ("quiz", "scorecard")  # a note with one of these tags (or `type`) is the quiz
    weak_below: float = 0.5  # a pillar with a smaller share of "yes" is weak
    pillars: QuizPillars = field(default_factory=QuizPillars)


@dataclass(frozen=True)
class DashboardConfig:
    """The creator's dashboard: habit targets and where publishing dates are read."""

    weeks: int = 4  # weeks of habits and publishing shown
    writing_words: int = 200  # words written in a day that count as a writing day
    reading_minutes: int = 30  # minutes read in a day that count as a reading day
    minutes_properties: tuple[str, ...] = ("lecture", "reading")  # `lecture: 45` = 45 minutes read
    visuals_per_day: int = 1  # images, canvases or Figma links added in a day
    published_per_week: int = 1  # pieces published a week (a newsletter, say)
    published_date_properties: tuple[str, ...] = ("publié_le", "date_publication", "published")
    quiz: QuizConfig = field(default_factory=QuizConfig)


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
    graph: GraphConfig = field(default_factory=GraphConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    stages: StagesConfig = field(default_factory=StagesConfig)
    dashboard: DashboardConfig = field(default_factory=DashboardConfig)
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
    values.update(_read_keys(problems, data))
    _check_across_keys(problems, values)
    problems.raise_if_any()
    return replace(Config(vault=values.pop("vault")), **values)


def _read_keys(problems: _Problems, data: Mapping[str, Any]) -> dict[str, Any]:
    """Every key but `vault`, checked; an empty key keeps its default."""
    values: dict[str, Any] = {}
    for key, check in _CHECKS.items():
        if data.get(key) is not None:
            values[key] = check(problems, key, data[key])
    for key, section in _SECTIONS.items():
        if data.get(key) is not None:
            values[key] = _read_section(problems, key, data[key], section)
    return values


def _check_across_keys(problems: _Problems, values: dict[str, Any]) -> None:
    """Rules that involve more than one key: the output folder in the vault, some signal weighed."""
    weights = values.get("scoring", ScoringConfig()).weights
    if not any(getattr(weights, name.name) for name in fields(SignalWeights)):
        problems.add("scoring.weights", "are all 0; give at least one signal a weight above 0")
    if values.get("vault") and "output_folder" not in problems.keys:
        folder, problem = _output_folder(values["vault"], values.get("output_folder", "tlvault"))
        if problem:
            problems.add("output_folder", problem)
        values["output_folder"] = folder


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


def _number(
    problems: _Problems, key: str, value: Any, *, low: float, high: float | None = None
) -> float | None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and value >= low and (high is None or value <= high):
        return float(value)
    bounds = f"between {low:g} and {high:g}" if high is not None else f"{low:g} or more"
    problems.add(key, f"must be a number {bounds}, got {value!r}")
    return None


def _day(problems: _Problems, key: str, value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.add(key, f"must be a date such as 2026-11-20, got {value!r}")
        return None


_Check = Callable[[_Problems, str, Any], Any]


@dataclass(frozen=True)
class _Section:
    """A nested mapping of the config file: its dataclass and a check per key."""

    cls: type
    checks: Mapping[str, _Check | _Section]


def _read_section(problems: _Problems, prefix: str, value: Any, section: _Section) -> Any:
    """The section's dataclass with the file's values; keys left empty keep their defaults."""
    if not isinstance(value, Mapping):
        *first, last = section.checks
        problems.add(prefix, f"must be a mapping with {', '.join(first)} and {last}")
        return section.cls()
    values = {}
    for key, item in value.items():
        name = f"{prefix}.{key}"
        check = section.checks.get(str(key))
        if check is None:
            _warn_unknown(problems.filename, name, {f"{prefix}.{known}" for known in section.checks})
        elif item is not None:
            read = (
                _read_section(problems, name, item, check)
                if isinstance(check, _Section)
                else check(problems, name, item)
            )
            values[str(key)] = read
    return replace(section.cls(), **{key: read for key, read in values.items() if read is not None})


def _fraction(p: _Problems, k: str, v: Any) -> float | None:
    return _number(p, k, v, low=0.0, high=1.0)


def _weight(p: _Problems, k: str, v: Any) -> float | None:
    return _number(p, k, v, low=0.0)


def _positive(p: _Problems, k: str, v: Any) -> int | None:
    return _count(p, k, v, minimum=1)


def _question_numbers(p: _Problems, k: str, v: Any) -> tuple[int, ...] | None:
    numbers = v if isinstance(v, list) else [None]
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in numbers):
        p.add(k, "must be a list of question numbers from 1, e.g. `[1, 4, 6]`")
        return None
    return tuple(v)


_CHECKS: dict[str, _Check] = {
    "output_folder": _text,
    "language": _language,
    "exclude": _text_list,
    "max_note_bytes": _positive,
    "jobs": lambda p, k, v: _count(p, k, v, minimum=0),
}
_STAGE_RULE = _Section(StageRule, {"folders": _text_list, "tags": _text_list, "statuses": _text_list})
_SECTIONS: dict[str, _Section] = {
    "journal": _Section(JournalConfig, {"tags": _text_list, "folders": _text_list, "date_names": _flag}),
    "graph": _Section(
        GraphConfig,
        {"trivial_tag_share": _fraction, "similar_neighbours": _positive, "min_similarity": _fraction},
    ),
    "cluster": _Section(
        ClusterConfig,
        {
            "resolution": lambda p, k, v: _number(p, k, v, low=0.01),
            "seed": lambda p, k, v: _count(p, k, v, minimum=0),
            "min_size": _positive,
            "hub_tags": _text_list,
        },
    ),
    "scoring": _Section(
        ScoringConfig,
        {
            "today": _day,
            "weights": _Section(SignalWeights, {name.name: _weight for name in fields(SignalWeights)}),
            "distilled_statuses": _text_list,
        },
    ),
    "stages": _Section(StagesConfig, dict.fromkeys(STAGES, _STAGE_RULE)),
    "dashboard": _Section(
        DashboardConfig,
        {
            "weeks": _positive,
            "writing_words": _positive,
            "reading_minutes": _positive,
            "minutes_properties": _text_list,
            "visuals_per_day": _positive,
            "published_per_week": _positive,
            "published_date_properties": _text_list,
            "quiz": _Section(
                QuizConfig,
                {
                    "note": _text,
                    "tags": _text_list,
                    "weak_below": _fraction,
                    "pillars": _Section(QuizPillars, dict.fromkeys(PILLARS, _question_numbers)),
                },
            ),
        },
    ),
}
_KEYS = {f.name for f in fields(Config)} - {"source"}


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
