"""tlvault: read an Obsidian vault exactly as Obsidian does, and grow ideas into content."""

from __future__ import annotations

__version__ = "0.1.0"
