#!/usr/bin/env python3
"""Regenerate the README's pictures from the generated notes of example_vault/.

    .venv/bin/python docs/render_pictures.py [NOTE] [--theme dark|light] [--out docs/pictures]

NOTE defaults to `example_vault/tlvault/Idées à cultiver.md`. The note is rendered to HTML that
looks like Obsidian's reading view (callouts, tables, wikilinks shown by their alias, checkboxes;
frontmatter, `%% comments %%` and `^block-ids` hidden), its ```mermaid block drawn by Mermaid,
and Debian's headless Chromium takes two screenshots:

    docs/pictures/index-note.png   the first screen of the note (1000x1200 by default)
    docs/pictures/idea-map.png     the idea map alone, cropped to the drawing
    docs/pictures/SOURCE.txt       `sha256  path` of the note they were made from, in the
                                   format of `sha256sum` (`sha256sum -c docs/pictures/SOURCE.txt`
                                   from the repository root); tests/test_docs_pictures.py checks it

Needs, outside the Python environment:
  - Chromium: `apt-get install -y chromium` (or --chromium PATH);
  - npm, once: `npm pack mermaid@11` fetches Mermaid into ~/.cache/tlvault-docs/ (never into the
    repository); later runs reuse it, `--update-mermaid` fetches the newest 11.x again;
  - for the intended look, the fonts Inter and Noto Color Emoji:
    `apt-get install -y fonts-inter fonts-noto-color-emoji` (a warning says when they are missing).

`markdown_to_html`, `note_page`, `map_page` and `mermaid_sources` are pure: they need neither
Chromium nor npm, and the tests import them.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.tasklists import tasklists_plugin

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
DEFAULT_NOTE = REPO / "example_vault" / "tlvault" / "Idées à cultiver.md"
PICTURES = DOCS / "pictures"
SOURCE_FILE = "SOURCE.txt"
INDEX_PICTURE = "index-note.png"
MAP_PICTURE = "idea-map.png"
MERMAID_SPEC = "mermaid@11"
CHROMIUM_HINT = "apt-get install -y chromium"
FONTS_HINT = "apt-get install -y fonts-inter fonts-noto-color-emoji"

Resolver = Callable[[str], bool]


# --------------------------------------------------------------------------------------------
# Markdown -> HTML (pure)
# --------------------------------------------------------------------------------------------

_COMMENT_LINES = re.compile(r"^[ \t]*%%(?:(?!%%)[\s\S])*%%[ \t]*(?:\n|\Z)", re.MULTILINE)
# A code span is matched first, to be kept as it is: `%%` inside one is not a comment.
_COMMENT = re.compile(r"(`+)[\s\S]*?(?<!`)\1(?!`)|%%(?:(?!%%)[\s\S])*(?:%%|\Z)")
_BLOCK_ID = re.compile(r"(?:^|[ \t]+)\^[A-Za-z0-9-]+[ \t]*$")
_CALLOUT = re.compile(r"^\[!([^\]\s]+)\]([+-]?)[ \t]*(.*)$")
# Rule 16 of the OFM corpus: a tag runs until whitespace or punctuation other than `_ - /`.
_TAG_BODY = re.compile(r"[^\s!-,.:-@\[-\^`{-~\u2000-\u206f\u2e00-\u2e7f]+")

# Obsidian's callout colours (RGB) and Lucide icons, by type and alias.
_ICONS = {
    "pencil": '<path d="M17 3a2.85 2.83 0 1 1 4 4L7.5 20.5 2 22l1.5-5.5Z"/><path d="m15 5 4 4"/>',
    "list": '<path d="M8 6h13"/><path d="M8 12h13"/><path d="M8 18h13"/>'
    '<path d="M3 6h.01"/><path d="M3 12h.01"/><path d="M3 18h.01"/>',
    "info": '<circle cx="12" cy="12" r="10"/><path d="M12 16v-4"/><path d="M12 8h.01"/>',
    "todo": '<circle cx="12" cy="12" r="10"/><path d="m9 12 2 2 4-4"/>',
    "flame": '<path d="M8.5 14.5A2.5 2.5 0 0 0 11 12c0-1.38-.5-2-1-3-1.072-2.143-.224-4.054 2-6'
    " .5 2.5 2 4.9 4 6.5 2 1.6 3 3.5 3 5.5a7 7 0 1 1-14 0c0-1.153.433-2.294 1-3a2.5 2.5 0 0 0"
    ' 2.5 2.5z"/>',
    "check": '<path d="M20 6 9 17l-5-5"/>',
    "help": '<circle cx="12" cy="12" r="10"/><path d="M9.09 9a3 3 0 0 1 5.83 1c0 2-3 3-3 3"/>'
    '<path d="M12 17h.01"/>',
    "alert": '<path d="m21.73 18-8-14a2 2 0 0 0-3.48 0l-8 14A2 2 0 0 0 4 21h16a2 2 0 0 0 1.73-3"/>'
    '<path d="M12 9v4"/><path d="M12 17h.01"/>',
    "x": '<path d="M18 6 6 18"/><path d="m6 6 12 12"/>',
    "zap": '<polygon points="13 2 3 14 12 14 11 22 21 10 12 10 13 2"/>',
    "quote": '<path d="M3 21c3 0 7-1 7-8V5c0-1.25-.756-2.017-2-2H4c-1.25 0-2 .75-2 1.972V11c0 1.25.75'
    ' 2 2 2 1 0 1 0 1 1v1c0 1-1 2-2 2s-1 .008-1 1.031V20c0 1 0 1 1 1z"/><path d="M15 21c3 0 7-1'
    " 7-8V5c0-1.25-.757-2.017-2-2h-4c-1.25 0-2 .75-2 1.972V11c0 1.25.75 2 2 2h.75c0 2.25.25 4-2.75"
    ' 4v3c0 1 0 1 1 1z"/>',
}
_BLUE, _CYAN, _GREEN, _ORANGE, _RED = "2, 122, 255", "0, 191, 188", "8, 185, 78", "236, 117, 0", "233, 49, 71"
_CALLOUT_STYLES: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("note",), (_BLUE, "pencil")),
    **dict.fromkeys(("abstract", "summary", "tldr"), (_CYAN, "list")),
    **dict.fromkeys(("info",), (_BLUE, "info")),
    **dict.fromkeys(("todo",), (_BLUE, "todo")),
    **dict.fromkeys(("tip", "hint", "important"), (_CYAN, "flame")),
    **dict.fromkeys(("success", "check", "done"), (_GREEN, "check")),
    **dict.fromkeys(("question", "help", "faq"), (_ORANGE, "help")),
    **dict.fromkeys(("warning", "caution", "attention"), (_ORANGE, "alert")),
    **dict.fromkeys(("failure", "fail", "missing", "bug"), (_RED, "x")),
    **dict.fromkeys(("danger", "error"), (_RED, "zap")),
    **dict.fromkeys(("example",), ("120, 82, 238", "list")),
    **dict.fromkeys(("quote", "cite"), ("158, 158, 158", "quote")),
}


def _icon(name: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="18" height="18" viewBox="0 0 24 24" fill="none"'
        ' stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
        f"{_ICONS[name]}</svg>"
    )


def strip_frontmatter(text: str) -> str:
    """Drop the properties block: line 1 exactly `---` up to the next line exactly `---`."""
    lines = text.split("\n")
    if lines[0] != "---":
        return text
    for number, line in enumerate(lines[1:], start=1):
        if line == "---":
            return "\n".join(lines[number + 1 :])
    return text


def _keep_code(match: re.Match[str]) -> str:
    return match.group() if match.group(1) else ""


def strip_comments(text: str, md: MarkdownIt) -> str:
    """Drop `%% comments %%` outside code blocks; a comment filling whole lines takes them along."""
    lines = text.splitlines(keepends=True)
    code = [False] * len(lines)
    for token in md.parse(text):
        if token.type in ("fence", "code_block") and token.map is not None:
            for number in range(token.map[0], min(token.map[1], len(lines))):
                code[number] = True
    out: list[str] = []
    start = 0
    for number in range(len(lines) + 1):
        if number == len(lines) or code[number]:
            prose = "".join(lines[start:number])
            out.append(_COMMENT.sub(_keep_code, _COMMENT_LINES.sub("", prose)))
            if number < len(lines):
                out.append(lines[number])
            start = number + 1
    return "".join(out)


def _wikilink(resolves: Resolver | None) -> Callable[[StateInline, bool], bool]:
    def rule(state: StateInline, silent: bool) -> bool:
        """`[[target#sub|alias]]` and `![[embed]]`: one html_inline token, shown by its alias."""
        src, pos = state.src, state.pos
        embed = src.startswith("![[", pos)
        if not embed and not src.startswith("[[", pos):
            return False
        start = pos + (3 if embed else 2)
        end = src.find("]]", start)
        inner = src[start:end] if 0 <= end < state.posMax else ""
        if not inner.strip() or "\n" in inner or "[[" in inner:
            return False
        if not silent:
            token = state.push("html_inline", "", 0)
            token.content = _wikilink_html(inner, embed, resolves)
        state.pos = end + 2
        return True

    return rule


def _wikilink_html(inner: str, embed: bool, resolves: Resolver | None) -> str:
    path, bar, alias = inner.replace("\\|", "|").partition("|")
    target, _, subpath = path.partition("#")
    label = alias if bar else " > ".join(part for part in (target, *subpath.split("#")) if part)
    classes = ["internal-link"]
    if target and resolves is not None and not resolves(target):
        classes.append("is-unresolved")
    if embed:
        classes.append("internal-embed")
    return (
        f'<a class="{" ".join(classes)}" data-href="{html.escape(path)}" href="{html.escape(path)}">'
        f"{html.escape(label, quote=False)}</a>"
    )


def _tag(state: StateInline, silent: bool) -> bool:
    """`#tag` after whitespace or at the start of a line, as a tag pill."""
    src, pos = state.src, state.pos
    if src[pos] != "#" or (pos > 0 and not src[pos - 1].isspace()):
        return False
    match = _TAG_BODY.match(src, pos + 1, state.posMax)
    if match is None or match.group().isdigit():
        return False
    if not silent:
        token = state.push("html_inline", "", 0)
        name = html.escape(match.group())
        token.content = f'<a class="tag" href="#{name}">#{name}</a>'
    state.pos = match.end()
    return True


def _html_block(content: str) -> Token:
    token = Token("html_block", "", 0)
    token.content = content
    return token


def _callouts(state: StateCore) -> None:
    """`> [!type]± Title` blockquotes become Obsidian callouts (before inline parsing)."""
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        if _is_callout(tokens, index):
            _make_callout(tokens, index)
        index += 1


def _is_callout(tokens: list[Token], index: int) -> bool:
    return (
        tokens[index].type == "blockquote_open"
        and index + 2 < len(tokens)
        and tokens[index + 1].type == "paragraph_open"
        and _CALLOUT.match(tokens[index + 2].content.split("\n", 1)[0]) is not None
    )


def _make_callout(tokens: list[Token], index: int) -> None:
    opening, inline = tokens[index], tokens[index + 2]
    first, _, rest = inline.content.partition("\n")
    match = _CALLOUT.match(first)
    assert match is not None
    kind, fold, title = match.group(1).lower(), match.group(2), match.group(3).strip()
    color, icon = _CALLOUT_STYLES.get(kind, _CALLOUT_STYLES["note"])
    closing = next(
        number
        for number in range(index + 1, len(tokens))
        if tokens[number].type == "blockquote_close" and tokens[number].level == opening.level
    )
    for token in (opening, tokens[closing]):
        token.tag = "div"
    classes = "callout" + (" is-collapsible" if fold else "") + (" is-collapsed" if fold == "-" else "")
    opening.attrs = {"class": classes, "data-callout": kind, "style": f"--callout-color: {color}"}
    tokens.insert(closing, _html_block("</div>\n"))
    if rest.strip():
        inline.content = rest
    else:
        del tokens[index + 1 : index + 4]
    heading = Token("inline", "", 0)
    heading.content = title or kind.capitalize()
    heading.children = []
    tokens[index + 1 : index + 1] = [
        _html_block(
            f'<div class="callout-title"><div class="callout-icon">{_icon(icon)}</div>'
            '<div class="callout-title-inner">'
        ),
        heading,
        _html_block('</div></div>\n<div class="callout-content">\n'),
    ]


def _block_ids(state: StateCore) -> None:
    """Hide a `^block-id` ending a block, and the paragraphs left empty by it."""
    tokens = state.tokens
    for token in tokens:
        children = token.children if token.type == "inline" else None
        if children and children[-1].type == "text":
            children[-1].content = _BLOCK_ID.sub("", children[-1].content)
    empty = [
        number
        for number in range(1, len(tokens) - 1)
        if tokens[number].type == "inline"
        and tokens[number - 1].type == "paragraph_open"
        and not any(child.content.strip() or child.type != "text" for child in tokens[number].children or [])
    ]
    for number in reversed(empty):
        del tokens[number - 1 : number + 2]


def _fence(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """```mermaid blocks stay as their source, for mermaid.js to draw; other fences as usual."""
    token = tokens[idx]
    if token.info.strip().lower() == "mermaid":
        return f'<pre class="mermaid">{html.escape(token.content, quote=False)}</pre>\n'
    return renderer.fence(tokens, idx, options, env)


def markdown_parser(resolves: Resolver | None = None) -> MarkdownIt:
    """markdown-it-py set up like Obsidian's reading view (tables, task lists, line breaks, OFM)."""
    md = MarkdownIt("commonmark", {"breaks": True, "html": True}).enable(["table", "strikethrough"])
    md.use(tasklists_plugin)
    md.inline.ruler.before("link", "ofm_wikilink", _wikilink(resolves))
    md.inline.ruler.before("link", "ofm_tag", _tag)
    md.core.ruler.after("block", "ofm_callouts", _callouts)
    md.core.ruler.push("ofm_block_ids", _block_ids)
    md.add_render_rule("fence", _fence)
    return md


def markdown_to_html(markdown: str, *, resolves: Resolver | None = None) -> str:
    """The HTML body of a note as Obsidian's reading view shows it.

    `resolves(target)` tells whether a wikilink target exists (unresolved links are faded);
    without it every link counts as resolved.
    """
    md = markdown_parser(resolves)
    text = strip_frontmatter(markdown.replace("\r\n", "\n").replace("\r", "\n"))
    rendered: str = md.render(strip_comments(text, md))
    return rendered


def mermaid_sources(markdown: str) -> list[str]:
    """The source of every ```mermaid block of a note, in order."""
    tokens = MarkdownIt("commonmark").parse(strip_frontmatter(markdown.replace("\r\n", "\n")))
    return [token.content for token in tokens if token.type == "fence" and token.info.strip() == "mermaid"]


# --------------------------------------------------------------------------------------------
# Pages (pure)
# --------------------------------------------------------------------------------------------

_CSS = """
:root[data-theme=dark] {
  --background: #1e1e1e; --background-secondary: #262626; --text: #dadada; --text-muted: #b3b3b3;
  --text-faint: #666666; --border: #363636; --link: #a88bfa; --accent: #8a5cf5; --header: #161616;
}
:root[data-theme=light] {
  --background: #ffffff; --background-secondary: #f6f6f6; --text: #222222; --text-muted: #5c5c5c;
  --text-faint: #ababab; --border: #e0e0e0; --link: #7852ee; --accent: #8a5cf5; --header: #f6f6f6;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--background); color: var(--text); }
body {
  font-family: Inter, ui-sans-serif, -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto,
    "DejaVu Sans", "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", sans-serif;
  font-size: 16px; line-height: 1.5; -webkit-font-smoothing: antialiased;
}
.view-header {
  height: 40px; display: flex; align-items: center; justify-content: center; gap: 6px;
  border-bottom: 1px solid var(--border); background: var(--background); font-size: 13px;
  color: var(--text-muted);
}
.view-header .title { color: var(--text); }
.markdown-preview-view { padding: 24px 56px 48px; }
.markdown-preview-sizer { max-width: 880px; margin: 0 auto; }
h1, h2, h3, h4, h5, h6 { line-height: 1.2; margin: 1.1em 0 0.5em; }
h1 { font-size: 1.802em; font-weight: 700; }
h2 { font-size: 1.602em; font-weight: 600; }
h3 { font-size: 1.424em; font-weight: 600; }
h4 { font-size: 1.266em; font-weight: 600; }
.markdown-preview-sizer > :first-child { margin-top: 0.4em; }
p { margin: 0.75em 0; }
strong { font-weight: 600; }
a { color: var(--link); text-decoration: underline; text-decoration-thickness: from-font;
    text-underline-offset: 2px; }
a.internal-link.is-unresolved { opacity: 0.7; text-decoration-style: solid; }
a.internal-embed { font-style: italic; }
a.tag {
  text-decoration: none; color: var(--accent); background: rgba(138, 92, 245, 0.1);
  border-radius: 2em; padding: 0.1em 0.55em; font-size: 0.875em;
}
ul, ol { padding-inline-start: 1.6em; margin: 0.5em 0; }
li { margin: 0.15em 0; }
li::marker { color: var(--text-faint); }
ol > li::marker { color: var(--text-muted); }
ul.contains-task-list { padding-inline-start: 1.6em; }
li.task-list-item { list-style: none; }
input.task-list-item-checkbox {
  appearance: none; -webkit-appearance: none; width: 15px; height: 15px; margin: 0 0.45em 0 -1.45em;
  border: 1px solid var(--text-faint); border-radius: 4px; vertical-align: -2px; position: relative;
}
input.task-list-item-checkbox:checked { background: var(--accent); border-color: var(--accent); }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.94em; }
th, td { border: 1px solid var(--border); padding: 4px 10px; vertical-align: top; }
th { font-weight: 600; text-align: left; }
code {
  font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 0.875em;
  background: var(--background-secondary); border-radius: 4px; padding: 0.1em 0.25em;
}
pre:not(.mermaid) { background: var(--background-secondary); border-radius: 4px; padding: 12px 16px; }
pre:not(.mermaid) code { background: none; padding: 0; }
blockquote:not(.callout) {
  border-left: 2px solid var(--accent); margin: 1em 0; padding: 0 0 0 24px; color: var(--text);
}
hr { border: none; border-top: 2px solid var(--border); margin: 2em 0; }
.callout {
  overflow: hidden; border-radius: 4px; margin: 1em 0; padding: 12px 12px 12px 24px;
  background-color: rgba(var(--callout-color), 0.1);
}
.callout-title {
  display: flex; gap: 6px; align-items: flex-start; color: rgb(var(--callout-color));
  font-weight: 600; line-height: 1.4;
}
.callout-icon { flex: 0 0 auto; display: flex; align-items: center; height: 1.4em; }
.callout-title-inner { flex: 1 1 auto; }
.callout-content > :first-child { margin-top: 0.4em; }
.callout-content > :last-child { margin-bottom: 0; }
.callout.is-collapsed .callout-content { display: none; }
pre.mermaid {
  background: none; margin: 1em 0; padding: 0; display: flex; justify-content: center;
  font-family: inherit; color: transparent;
}
pre.mermaid svg { color: var(--text); }
pre.mermaid .node.internal-link .nodeLabel,
pre.mermaid .node.internal-link .nodeLabel p { color: var(--link) !important; }
body.map { display: inline-block; padding: 24px; }
body.map pre.mermaid { margin: 0; display: block; }
"""

# Mermaid starts once the fonts are there (it measures the labels), then tells how it went, and
# the size of what it drew, on <body>: the script reads them back with --dump-dom.
_SCRIPT = """
(function () {
  var body = document.body;
  if (typeof mermaid === "undefined") { body.dataset.mermaid = "missing"; return; }
  var dark = document.documentElement.dataset.theme === "dark";
  mermaid.initialize({
    startOnLoad: false, theme: dark ? "dark" : "default", securityLevel: "strict",
    fontFamily: getComputedStyle(body).fontFamily, flowchart: { useMaxWidth: false }
  });
  document.fonts.ready
    .then(function () { return mermaid.run({ querySelector: "pre.mermaid" }); })
    .then(function () {
      var svg = document.querySelector("pre.mermaid svg");
      var box = (body.classList.contains("map") ? body : svg || body).getBoundingClientRect();
      body.dataset.width = String(Math.ceil(box.width));
      body.dataset.height = String(Math.ceil(box.height));
      body.dataset.mermaid = svg ? "done" : "none";
    })
    .catch(function (error) {
      body.dataset.mermaidError = String(error && error.message || error);
      body.dataset.mermaid = "error";
    });
})();
"""

_PAGE = Template("""<!DOCTYPE html>
<html lang="$lang" data-theme="$theme">
<head>
<meta charset="utf-8">
<title>$title</title>
<style>$css</style>
$mermaid_tag
</head>
<body class="$body_class">
$body
<script>$script</script>
</body>
</html>
""")


def _page(*, body: str, title: str, theme: str, mermaid_js: str | None, body_class: str) -> str:
    if theme not in ("dark", "light"):
        raise ValueError(f"theme must be dark or light, not {theme!r}")
    tag = f'<script src="{html.escape(mermaid_js)}"></script>' if mermaid_js else ""
    return _PAGE.substitute(
        lang="fr",
        theme=theme,
        title=html.escape(title),
        css=_CSS,
        mermaid_tag=tag,
        body_class=body_class,
        body=body,
        script=_SCRIPT if mermaid_js else "",
    )


def note_page(
    markdown: str,
    *,
    theme: str = "dark",
    mermaid_js: str | None = None,
    breadcrumbs: Sequence[str] = (),
    resolves: Resolver | None = None,
) -> str:
    """A whole HTML page showing the note like Obsidian's reading view, under a view header.

    `mermaid_js` is the URL of mermaid.min.js; without it the ```mermaid blocks stay as source.
    """
    crumbs = [html.escape(part) for part in breadcrumbs]
    header = ""
    if crumbs:
        trail = "".join(f"<span>{part}</span><span>/</span>" for part in crumbs[:-1])
        header = f'<div class="view-header">{trail}<span class="title">{crumbs[-1]}</span></div>\n'
    body = (
        f'{header}<div class="markdown-preview-view"><div class="markdown-preview-sizer">\n'
        f"{markdown_to_html(markdown, resolves=resolves)}</div></div>"
    )
    title = breadcrumbs[-1] if breadcrumbs else "note"
    return _page(body=body, title=title, theme=theme, mermaid_js=mermaid_js, body_class="note")


def map_page(source: str, *, theme: str = "dark", mermaid_js: str | None = None) -> str:
    """A page holding one Mermaid diagram alone, with a margin in the note's background colour."""
    body = f'<pre class="mermaid">{html.escape(source, quote=False)}</pre>'
    return _page(body=body, title="map", theme=theme, mermaid_js=mermaid_js, body_class="map")


# --------------------------------------------------------------------------------------------
# The vault, the source record (reads files, no external tool)
# --------------------------------------------------------------------------------------------


def vault_resolver(vault: Path) -> Resolver:
    """Whether a wikilink target names a file of the vault, by Obsidian's rules (path or name)."""
    known: set[str] = set()
    for path in vault.rglob("*"):
        relative = path.relative_to(vault)
        if path.is_dir() or any(part.startswith(".") for part in relative.parts):
            continue
        name = relative.as_posix().lower()
        known.add(name)
        if name.endswith(".md"):
            known.add(name[:-3])

    def resolves(target: str) -> bool:
        wanted = target.strip().lower()
        return wanted in known or any(name.endswith("/" + wanted) for name in known)

    return resolves


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def source_record(notes: Sequence[Path]) -> str:
    """`sha256  path` lines (as `sha256sum` writes them), paths relative to the repository root."""
    return "".join(f"{sha256(note)}  {_display_path(note)}\n" for note in notes)


def read_source_record(text: str) -> dict[str, str]:
    """{path: sha256} from the text of SOURCE.txt."""
    record: dict[str, str] = {}
    for line in text.splitlines():
        digest, sep, path = line.partition("  ")
        if sep and line.strip():
            record[path] = digest
    return record


# --------------------------------------------------------------------------------------------
# npm and Chromium
# --------------------------------------------------------------------------------------------


class RenderError(Exception):
    """A step could not be done; the message says what to do."""


def _version(path: Path) -> tuple[int, ...]:
    digits = re.findall(r"\d+", path.name)
    return tuple(int(part) for part in digits)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tlvault-docs"


def fetch_mermaid(cache: Path, *, update: bool = False) -> Path:
    """mermaid.min.js of the newest mermaid 11, fetched once with `npm pack` into `cache`."""
    cached = sorted(cache.glob("mermaid-*.min.js"), key=_version)
    if cached and not update:
        return cached[-1]
    npm = shutil.which("npm")
    if npm is None:
        raise RenderError(f"npm not found (needed once to fetch {MERMAID_SPEC}): apt-get install -y npm")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as folder:
        done = subprocess.run(
            [npm, "pack", MERMAID_SPEC, "--json", "--pack-destination", folder],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if done.returncode != 0:
            raise RenderError(f"npm pack {MERMAID_SPEC} failed: {done.stderr.strip()[-500:]}")
        info = json.loads(done.stdout)[0]
        with tarfile.open(Path(folder) / info["filename"]) as archive:
            member = archive.extractfile("package/dist/mermaid.min.js")
            if member is None:
                raise RenderError(f"{info['filename']} has no dist/mermaid.min.js")
            data = member.read()
        target = cache / f"mermaid-{info['version']}.min.js"
        partial = Path(folder) / target.name
        partial.write_bytes(data)
        partial.replace(target)
    return target


def find_chromium(explicit: str | None = None) -> str | None:
    """The Chromium binary: `explicit` if given, else $CHROMIUM, else chromium on PATH or in /usr/bin."""
    candidates = [explicit] if explicit else [os.environ.get("CHROMIUM"), "chromium", "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@dataclass(frozen=True)
class Chromium:
    """Debian's Chromium, headless, with nothing that reaches the network on its own."""

    binary: str
    budget_ms: int = 5000

    def run(self, url: str, size: tuple[int, int], action: str) -> str:
        with tempfile.TemporaryDirectory(prefix="tlvault-chromium-") as profile:
            command = [
                self.binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--run-all-compositor-stages-before-draw",
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                f"--virtual-time-budget={self.budget_ms}",
                action,
                url,
            ]
            done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=180)
        if done.returncode != 0:
            raise RenderError(f"chromium failed ({done.returncode}): {done.stderr.strip()[-800:]}")
        return done.stdout

    def dom(self, page: Path, size: tuple[int, int]) -> str:
        return self.run(page.as_uri(), size, "--dump-dom")

    def screenshot(self, page: Path, size: tuple[int, int], out: Path) -> None:
        shot = out.with_name(f".{out.name}.partial.png")
        shot.unlink(missing_ok=True)
        self.run(page.as_uri(), size, f"--screenshot={shot}")
        if not shot.is_file():
            raise RenderError(f"chromium wrote no screenshot for {page.name}")
        shot.replace(out)


def drawn_size(dom: str) -> tuple[int, int]:
    """The size of what Mermaid drew, from the page's <body> once Mermaid is done."""
    state = re.search(r'<body[^>]*\sdata-mermaid="([^"]*)"', dom)
    if state is None or state.group(1) != "done":
        error = re.search(r'data-mermaid-error="([^"]*)"', dom)
        detail = html.unescape(error.group(1)) if error else (state.group(1) if state else "not finished")
        if detail == "missing":
            detail = "mermaid.min.js did not load (fetch it again with --update-mermaid)"
        raise RenderError(f"Mermaid did not draw the map: {detail}")
    width = re.search(r'data-width="(\d+)"', dom)
    height = re.search(r'data-height="(\d+)"', dom)
    assert width is not None and height is not None
    return int(width.group(1)), int(height.group(1))


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def _missing_fonts() -> list[str]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    families = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, check=False).stdout
    return [font for font in ("Inter", "Noto Color Emoji") if font not in families]


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)x(\d+)", text.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError(f"not WIDTHxHEIGHT: {text!r}")
    return int(match.group(1)), int(match.group(2))


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("note", nargs="?", type=Path, default=DEFAULT_NOTE, help="the note to picture")
    parser.add_argument("--vault", type=Path, help="vault root (default: the note folder's parent)")
    parser.add_argument("--out", type=Path, default=PICTURES, help="where the PNGs go (docs/pictures)")
    parser.add_argument("--theme", choices=("dark", "light"), default="dark")
    parser.add_argument("--size", type=_size, default="1000x1200", help="index picture size, WIDTHxHEIGHT")
    parser.add_argument("--chromium", help="Chromium binary (default: chromium on PATH)")
    parser.add_argument("--cache", type=Path, default=cache_dir(), help="where mermaid.min.js is kept")
    parser.add_argument("--update-mermaid", action="store_true", help=f"fetch {MERMAID_SPEC} again")
    parser.add_argument("--keep-html", type=Path, help="also write the HTML pages into this folder")
    return parser.parse_args(argv)


def guess_vault(note: Path) -> Path:
    """The vault holding a note: the nearest folder with `.obsidian/`, else the parent of the
    `tlvault/` output folder the note is in, else the note's own folder."""
    folder = note.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".obsidian").is_dir():
            return candidate
    return folder.parent if folder.name == "tlvault" else folder


def _write_pages(args: argparse.Namespace, markdown: str, mermaid_js: Path, pages: Path) -> tuple[Path, Path]:
    note: Path = args.note
    vault: Path = (args.vault or guess_vault(note)).resolve()
    folder = note.resolve().parent
    crumbs = [*(folder.relative_to(vault).parts if folder.is_relative_to(vault) else ()), note.stem]
    index_html, map_html = pages / "index-note.html", pages / "idea-map.html"
    page = note_page(
        markdown,
        theme=args.theme,
        mermaid_js=mermaid_js.as_uri(),
        breadcrumbs=crumbs,
        resolves=vault_resolver(vault),
    )
    index_html.write_text(page, encoding="utf-8")
    idea_map = mermaid_sources(markdown)[0]
    page = map_page(idea_map, theme=args.theme, mermaid_js=mermaid_js.as_uri())
    map_html.write_text(page, encoding="utf-8")
    return index_html, map_html


def render(args: argparse.Namespace, chromium: Chromium, pages: Path) -> list[str]:
    """Write the two pictures and SOURCE.txt, all or none; returns one line per file written."""
    note: Path = args.note
    markdown = note.read_text(encoding="utf-8")
    if not mermaid_sources(markdown):
        raise RenderError(f"{note} has no ```mermaid block: no idea map to draw")
    mermaid_js = fetch_mermaid(args.cache, update=args.update_mermaid)
    index_html, map_html = _write_pages(args, markdown, mermaid_js, pages)
    # Everything is made in `pages` first: a failure leaves the old pictures as they were.
    chromium.screenshot(index_html, args.size, pages / INDEX_PICTURE)
    map_size = drawn_size(chromium.dom(map_html, (2000, 1500)))
    chromium.screenshot(map_html, map_size, pages / MAP_PICTURE)
    (pages / SOURCE_FILE).write_text(source_record([note]), encoding="utf-8")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    lines = []
    for name in (INDEX_PICTURE, MAP_PICTURE, SOURCE_FILE):
        target, partial = out / name, out / f".{name}.partial"
        shutil.copyfile(pages / name, partial)
        partial.replace(target)
        size = f"{'x'.join(map(str, png_size(target)))} px, " if name.endswith(".png") else ""
        lines.append(f"{target}  {size}{target.stat().st_size:,} bytes")
    return [*lines, f"from {_display_path(note)} with {mermaid_js.name}"]


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    binary = find_chromium(args.chromium)
    if binary is None:
        print(
            f"render_pictures: error: chromium not found; install it with: {CHROMIUM_HINT}", file=sys.stderr
        )
        return 1
    if not args.note.is_file():
        print(f"render_pictures: error: no such note: {args.note}", file=sys.stderr)
        return 1
    for font in _missing_fonts():
        print(
            f"render_pictures: warning: font {font} missing, a fallback is used: {FONTS_HINT}",
            file=sys.stderr,
        )
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="tlvault-pictures-") as folder:
            pages = args.keep_html or Path(folder)
            pages.mkdir(parents=True, exist_ok=True)
            lines = render(args, Chromium(binary), pages)
    except (RenderError, OSError, subprocess.TimeoutExpired) as error:
        print(f"render_pictures: error: {error}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
