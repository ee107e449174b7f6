"""config_template(vault, at) -> str: the commented `config.yaml` that `tlvault init` writes.

Every option of Config appears with its default value and one comment saying what it does,
walked from the dataclasses themselves so that a new option cannot be forgotten (a test loads
the template back and compares it with the defaults).
"""

from __future__ import annotations

import os
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml

from tlvault.config import Config, default_config
from tlvault.errors import TlvaultError

_HELP: dict[str, str] = {
    "vault": "The vault's folder (relative to this file, or absolute).",
    "output_folder": "Where tlvault writes its notes, inside the vault (not its root, not a hidden folder).",
    "language": "Language of the generated notes: auto (from your notes), fr or en.",
    "exclude": "Notes not to read, as in .gitignore: `Templates`, `*.excalidraw.md`, `/Archive/**`.",
    "max_note_bytes": "Larger notes are skipped with a warning (they stay linkable).",
    "jobs": "Processes that parse notes; 0 means one per core.",
    "journal": "How journal and daily notes are recognised: they are evidence, not ideas.",
    "journal.tags": "A note with one of these tags is a journal note.",
    "journal.folders": "Notes under these folders are journal notes.",
    "journal.date_names": "Notes named like a date (2024-02-22) are journal notes.",
    "graph": "How the idea graph is woven.",
    "graph.trivial_tag_share": "A tag on more than this share of the notes (and more than 5) links nothing.",
    "graph.similar_neighbours": "Lexical neighbours kept per note.",
    "graph.min_similarity": "Texts less similar than this (TF-IDF cosine, 0 to 1) are not neighbours.",
    "cluster": "How ideas are grouped (Louvain communities).",
    "cluster.resolution": "Above 1: more, smaller clusters; below 1: fewer, larger ones.",
    "cluster.seed": "Louvain's random seed: the same vault always gives the same clusters.",
    "cluster.min_size": "Fewer notes than this is not a cluster.",
    "cluster.hub_tags": "A note with one of these tags is its cluster's hub (map of content).",
    "scoring": "How ripe each cluster is (0-100).",
    "scoring.today": "The day scores are computed for (2026-11-20); empty means the real date.",
    "scoring.weights": "Relative weight of each signal in the ripeness.",
    "scoring.weights.mass": "How many notes.",
    "scoring.weights.cohesion": "How tightly they link to each other.",
    "scoring.weights.distillation": "How worked-out they are: status, summary, claim-like titles, length.",
    "scoring.weights.momentum": "Recent edits and journal mentions.",
    "scoring.weights.persistence": "How many distinct weeks the idea came back.",
    "scoring.weights.hub": "A hub note or an outline exists.",
    "scoring.weights.bridges": "Links to other clusters.",
    "scoring.weights.validation": "Pieces already published.",
    "scoring.distilled_statuses": "`status` values that count as distilled.",
    "stages": "The pipeline: a note is at the last stage whose folders, tags or statuses it matches.",
    "stages.harvest": "Récolter: reading notes and sources.",
    "stages.cultivate": "Cultiver: ideas being grown.",
    "stages.create": "Créer: drafts.",
    "stages.publish": "Publier: published pieces.",
    "stages.productise": "Productiser: products (no tags by default: #produit is usually a topic).",
    "dashboard": "The dashboard note: habits inferred from the vault, publishing and the scorecard.",
    "dashboard.weeks": "Weeks of habits and publishing shown.",
    "dashboard.writing_words": "Words written in a day that make it a writing day.",
    "dashboard.reading_minutes": "Minutes read in a day that make it a reading day.",
    "dashboard.minutes_properties": "Properties holding minutes read (`lecture: 45`).",
    "dashboard.visuals_per_day": "Images, canvases or Figma links added in a day that make it a visuals day.",
    "dashboard.published_per_week": "Pieces to publish each week (published = the `stages.publish` rule).",
    "dashboard.published_date_properties": "Properties holding the day a piece was published.",
    "dashboard.quiz": "The thought-leadership self-assessment quiz, scored by pillar.",
    "dashboard.quiz.note": "Path of the quiz note; empty: the first note with one of `tags` (or as `type`).",
    "dashboard.quiz.tags": "Tags (or `type` values) that mark the quiz note.",
    "dashboard.quiz.weak_below": "A pillar with a smaller share of yes answers is weak (0 to 1).",
    "dashboard.quiz.pillars": "Question numbers (from 1, in the note's order) of each pillar.",
    "dashboard.quiz.pillars.ideas": "Ideas: feedback, learning, new ideas.",
    "dashboard.quiz.pillars.content": "Content: publishing regularly, voice, formats.",
    "dashboard.quiz.pillars.audience": "Audience: knowing and gathering the people you serve.",
    "dashboard.quiz.pillars.authority": "Authority: frameworks, invitations, a stand, original concepts.",
    "dashboard.quiz.pillars.business": "Business: products, sales process, income that does not need you.",
}
_RULE_HELP = {
    "folders": "Notes under these folders.",
    "tags": "Notes with one of these tags.",
    "statuses": "Notes whose `status` property is one of these.",
}
_HIDDEN = frozenset({"source"})  # where the config came from: not an option


class ConfigExistsError(TlvaultError):
    """`tlvault init` never overwrites a file."""


def config_template(vault: Path, at: Path) -> str:
    """The commented configuration of `vault`, with every default, for a file written at `at`."""
    defaults = default_config(vault)
    lines = [
        "# tlvault configuration: every option, with its default value.",
        "# Delete a line, or leave its value empty, to keep the default. Paths are relative to this file.",
        "",
    ]
    for field in fields(Config):
        if field.name in _HIDDEN:
            continue
        value = _vault_value(defaults.vault, at) if field.name == "vault" else getattr(defaults, field.name)
        lines.extend(_entry(field.name, field.name, value, 0))
    return "\n".join(lines) + "\n"


def write_config_template(vault: Path, at: Path) -> None:
    """Write the template to `at`; an existing file is never replaced."""
    text = config_template(vault, at)
    try:
        with at.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise ConfigExistsError(f"{at} already exists; remove it or choose another path with -o") from None
    except OSError as exc:
        raise ConfigExistsError(f"cannot write {at}: {exc.strerror}") from None


def _entry(key: str, path: str, value: Any, depth: int) -> list[str]:
    """`key: value` with its comment above it; a section holds its own entries, indented."""
    indent = "  " * depth
    lines = [f"{indent}# {_help(path)}"]
    if is_dataclass(value):
        lines.append(f"{indent}{key}:")
        for field in fields(value):
            lines.extend(_entry(field.name, f"{path}.{field.name}", getattr(value, field.name), depth + 1))
    else:
        lines.append(f"{indent}{key}: {_scalar(value)}".rstrip())
    if depth == 0:
        lines.append("")
    return lines


def _help(path: str) -> str:
    if path in _HELP:
        return _HELP[path]
    return _RULE_HELP[path.rsplit(".", 1)[-1]]  # stages.<stage>.<folders|tags|statuses>


def _scalar(value: Any) -> str:
    """A value in YAML flow style (`[a, b]`, `true`, `0.1`); None is left empty."""
    if value is None or value == "":
        return ""
    if isinstance(value, tuple):
        value = list(value)
    dumped = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return dumped[1:-1]  # without the brackets of the one-item list


def _vault_value(vault: Path, at: Path) -> str:
    """The vault as the file should name it: relative when the file sits in or above it."""
    relative = os.path.relpath(vault, at.absolute().parent)
    return str(vault) if relative == ".." or relative.startswith(".." + os.sep) else relative
