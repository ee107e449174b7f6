"""`tlvault scorecard init`: a checklist copy of a quiz written as a plain list of questions.

The copy holds the questions as unticked checkboxes (`- [ ] Q1 — …`), is tagged `#quiz` so that
the dashboard finds it, and links back to the original. No note is ever modified or replaced.
"""

from __future__ import annotations

import re
from pathlib import Path

from tlvault.config import Config
from tlvault.errors import TlvaultError

_LIST_MARKER = re.compile(r"^\s*(?:[-*+]\s+(?:\[.\]\s+)?|\d+[.)]\s+)?")
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")


class ScorecardError(TlvaultError):
    """The quiz note cannot be turned into a checklist."""


def quiz_questions(text: str) -> tuple[str | None, list[str]]:
    """The quiz's title (a heading that names a quiz, if any) and its questions: lines ending in `?`."""
    title = None
    questions: list[str] = []
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":  # frontmatter is not part of the quiz
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")), None)
        lines = lines[end + 1 :] if end is not None else lines
    fenced = False
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
            continue
        heading = _HEADING.match(line)
        if fenced:
            continue
        if heading:
            if title is None and "quiz" in heading[1].lower():
                title = heading[1].strip()
            continue
        question = _LIST_MARKER.sub("", line, count=1).strip()
        if question.endswith("?"):
            questions.append(question)
    return title, questions


def checklist_copy(config: Config, note: str) -> Path:
    """Write the checklist copy of the vault-relative `note` beside it and return its path."""
    source = _inside(config, note)
    try:
        text = source.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ScorecardError(f"{note}: cannot read the quiz note ({exc.strerror})") from None
    title, questions = quiz_questions(text)
    if not questions:
        raise ScorecardError(f"{note}: no question found (a question is a line ending with '?')")
    stem = source.stem
    name = f"{stem} (checklist).md" if stem.lower().startswith("quiz") else f"Quiz - {stem}.md"
    target = source.with_name(name)
    vault = config.vault.resolve()
    link = source.relative_to(vault).with_suffix("").as_posix()
    body = [
        "---",
        "tags:",
        "  - quiz",
        "---",
        f"# {title or 'Quiz'}",
        "",
        f"Source : [[{link}]]",
        "",
        *(f"- [ ] Q{number} — {question}" for number, question in enumerate(questions, 1)),
        "",
    ]
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write("\n".join(body))
    except FileExistsError:
        raise ScorecardError(f"{target.relative_to(vault)} already exists; nothing was written") from None
    except OSError as exc:
        raise ScorecardError(f"cannot write {target}: {exc.strerror}") from None
    return target


def _inside(config: Config, note: str) -> Path:
    """The note's path, which must be a Markdown file inside the vault."""
    rel = note if note.lower().endswith(".md") else note + ".md"
    path = (config.vault / rel).resolve()
    if config.vault.resolve() not in path.parents:
        raise ScorecardError(f"{note}: not inside the vault {config.vault}")
    if not path.is_file():
        raise ScorecardError(f"{note}: no such note in the vault {config.vault}")
    return path
