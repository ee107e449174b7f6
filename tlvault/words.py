"""count_words(note) -> WordCounts: the words of a note as the lexicon reads them.

Apart from `tlvault.text` so that the parse workers, which count every note's words, do not
import NumPy and the stemmers they never use.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter

from tlvault.model import Note, WordCounts

WORD = re.compile(r"[^\W\d_]{3,}")  # letters only, three or more: what can name an idea
_MAX_CHARS = 20_000  # a note's first 20,000 characters say what it is about


def note_text(note: Note) -> str:
    """The words that describe a note: its name twice (names are dense), headings and prose."""
    parts = [note.name, note.name, *(paragraph.text for paragraph in note.paragraphs)]
    return "\n".join(parts)[:_MAX_CHARS]


def count_words(note: Note) -> WordCounts:
    """The distinct words of `note_text` and how often each occurs (the parser calls it once)."""
    counts = Counter(WORD.findall(note_text(note).lower()))
    return WordCounts("\n".join(counts), array("I", counts.values()).tobytes())
