"""markdown-it-py plugin for Obsidian syntax: wikilinks, embeds and tags as inline tokens.

Code spans, fences, indented code, HTML and escapes are left to markdown-it-py itself, so
nothing inside them ever reaches these rules (corpus rules 22, 23, 25). `%% comments %%`
and `==highlights==` need no rule: Obsidian indexes what they contain (rule 24), and they
change nothing tlvault extracts, so they stay plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.footnote import footnote_plugin

# Rule 16: a tag runs until whitespace, ASCII punctuation other than `_ - /`, or the
# Unicode punctuation blocks U+2000–U+206F and U+2E00–U+2E7F (`—`, `’`, `…`).
_TAG_BODY = re.compile(r"[^\s!-,.:-@\[-\^`{-~\u2000-\u206f\u2e00-\u2e7f]+")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class WikiTarget:
    """The parts of a `[[…]]` link (rule 27): path, subpath and display text."""

    target: str
    subpath: str | None
    display: str | None


def split_wikilink(inner: str) -> WikiTarget:
    """Split the text between `[[` and `]]`: display after the first `|`, subpath after the first `#`."""
    # Inside a table cell markdown-it already turned `\|` into `|` (rule 33); elsewhere a
    # `\|` is the same separator, written escaped.
    path, bar, display = inner.replace("\\|", "|").partition("|")
    target, hash_, subpath = path.partition("#")
    return WikiTarget(target, subpath if hash_ else None, display if bar else None)


def _wikilink(state: StateInline, silent: bool) -> bool:
    """`[[…]]` and `![[…]]` (rules 27, 32, 34, 41): one token with the parts in meta."""
    src, pos = state.src, state.pos
    is_embed = src.startswith("![[", pos)
    start = pos + 3 if is_embed else pos + 2
    if not is_embed and not src.startswith("[[", pos):
        return False
    end = src.find("]]", start)
    if end < 0 or end >= state.posMax:
        return False
    inner = src[start:end]
    # A lone `]` stays in the path (rule 32); an empty link or one spanning lines is text.
    if not inner.strip() or "\n" in inner or "[[" in inner:
        return False
    if not silent:
        token = state.push("ofm_embed" if is_embed else "ofm_wikilink", "", 0)
        token.content = inner
        token.meta = {"pos": pos}
    state.pos = end + 2
    return True


def _tag(state: StateInline, silent: bool) -> bool:
    """`#tag` after whitespace or at the start of a line (rules 16–18)."""
    src, pos = state.src, state.pos
    if src[pos] != "#" or (pos > 0 and not src[pos - 1].isspace()):
        return False
    match = _TAG_BODY.match(src, pos + 1, state.posMax)
    if match is None or _DIGITS.fullmatch(match.group()):
        return False  # `# title`, `#)` and `#2024` are not tags
    if not silent:
        token = state.push("ofm_tag", "", 0)
        token.content = match.group()
        token.meta = {"pos": pos}
    state.pos = match.end()
    return True


def _inline_when_needed(state: StateCore) -> None:
    """Run the inline parser only on blocks that may hold a tag or a link.

    Without a `#` or a `[` a block has nothing to extract, and inline parsing is most of
    markdown-it's time; the block's own text stays available as `token.content`.
    """
    for token in state.tokens:
        if token.type == "inline":
            content = token.content
            token.children = []
            if "[" in content or "#" in content:
                state.md.inline.parse(content, state.md, state.env, token.children)


def ofm_plugin(md: MarkdownIt) -> None:
    """Add Obsidian wikilinks, embeds and tags to a markdown-it parser."""
    md.inline.ruler.after("text", "ofm_wikilink", _wikilink)
    md.inline.ruler.after("ofm_wikilink", "ofm_tag", _tag)


def make_parser() -> MarkdownIt:
    """A markdown-it parser that reads notes the way Obsidian indexes them (not for HTML output)."""
    md = MarkdownIt("commonmark", {"maxNesting": 20}).enable("table")
    md.disable(["emphasis"])  # emphasis changes nothing tlvault extracts
    md.use(footnote_plugin)  # `[^1]` and `[^1]: text` are footnotes, not links (rule 35)
    md.use(ofm_plugin)
    md.core.ruler.at("inline", _inline_when_needed)
    return md
