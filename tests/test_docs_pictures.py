"""docs/render_pictures.py: the README's pictures are current, and the note's HTML is right.

Neither Chromium nor npm is needed here: only the pure Markdown -> HTML part is exercised.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from docs import render_pictures
from docs.render_pictures import (
    map_page,
    markdown_to_html,
    mermaid_sources,
    note_page,
    read_source_record,
    source_record,
)

REPO = Path(__file__).resolve().parents[1]
INDEX_NOTE = "example_vault/tlvault/Idées à cultiver.md"
SOURCE = REPO / "docs" / "pictures" / "SOURCE.txt"

SAMPLE = """---
tlvault: generated
tags:
  - tlvault
---
%% tlvault:begin index %%
# Idées à cultiver

> [!tip] Quoi écrire ensuite ?
> 1. **[[tlvault/clusters/Constance, penser et écrire|Constance, penser et écrire]]** — 73/100
>    Une note centrale le structure déjà ([[Tableau de bord]]). %%pas pour toi%%

| # | Cluster |
| ---: | --- |
| 1 | [[tlvault/clusters/Leadership\\|Leadership, sens et formule]] |

- [ ] Distille [[Propriétés cassées]] : un titre qui affirme. ^tlv-abc123
- [x] Relis [[Seth Godin]]

```mermaid
graph LR
  c1["Constance, penser et écrire"]
  c2["Leadership"]
  c1 --- c2
  class c1,c2 internal-link;
```
%% tlvault:end index %%
"""


def test_pictures_are_current() -> None:
    """The pictures were made from the index note as it is now."""
    assert SOURCE.is_file(), "docs/pictures/SOURCE.txt is missing: run `python docs/render_pictures.py`"
    recorded = read_source_record(SOURCE.read_text(encoding="utf-8"))
    assert INDEX_NOTE in recorded, (
        f"{SOURCE} does not record {INDEX_NOTE}: run `python docs/render_pictures.py`"
    )
    for path, digest in recorded.items():
        current = hashlib.sha256((REPO / path).read_bytes()).hexdigest()
        assert current == digest, (
            f"{path} changed since docs/pictures/ were made: run `python docs/render_pictures.py` "
            "(needs chromium: apt-get install -y chromium) and commit docs/pictures/"
        )


def test_source_record_round_trip(tmp_path: Path) -> None:
    """SOURCE.txt is `sha256sum` output: `<hex>  <path>` per line."""
    note = tmp_path / "Idées à cultiver.md"
    note.write_text("# x\n", encoding="utf-8")
    text = source_record([note])
    digest = hashlib.sha256(b"# x\n").hexdigest()
    assert re.fullmatch(rf"{digest}  \S.*Idées à cultiver\.md\n", text)
    assert list(read_source_record(text).values()) == [digest]


def test_markdown_to_html_reading_view() -> None:
    html = markdown_to_html(SAMPLE, resolves=lambda target: target != "Seth Godin")
    # wikilinks are shown by their alias (also inside a table, with `\|`), styled as internal links
    assert re.search(r'<a class="internal-link"[^>]*>Constance, penser et écrire</a>', html)
    assert re.search(r'<a class="internal-link"[^>]*>Leadership, sens et formule</a>', html)
    assert re.search(r'<a class="internal-link is-unresolved"[^>]*>Seth Godin</a>', html)
    assert "[[" not in html and "]]" not in html
    # the callout, its title and body
    assert '<div class="callout" data-callout="tip"' in html
    assert '<div class="callout-title-inner">Quoi écrire ensuite ?</div>' in html
    assert "[!tip]" not in html
    # comments, block ids and properties are hidden
    assert "%%" not in html and "pas pour toi" not in html and "tlvault:begin" not in html
    assert "^tlv-" not in html and "abc123" not in html
    assert "tlvault: generated" not in html and "<hr" not in html
    # checkboxes, the table, the Mermaid source kept for mermaid.js
    assert html.count('type="checkbox"') == 2 and 'checked="checked"' in html
    assert "<table>" in html and 'style="text-align:right"' in html
    mermaid = re.search(r'<pre class="mermaid">(.*?)</pre>', html, re.DOTALL)
    assert mermaid is not None
    assert mermaid.group(1).startswith("graph LR\n")
    assert "c1 --- c2" in mermaid.group(1) and 'c1["Constance, penser et écrire"]' in mermaid.group(1)


def test_code_is_left_alone() -> None:
    html = markdown_to_html("```\n%% kept %%\n[[not a link]] ^kept\n```\n\nand `%%this%%` too %%not this%%")
    assert "%% kept %%" in html and "[[not a link]] ^kept" in html
    assert "<code>%%this%%</code>" in html and "not this" not in html


def test_pages() -> None:
    page = note_page(
        SAMPLE, theme="light", mermaid_js="file:///cache/mermaid.min.js", breadcrumbs=["tlvault", "x"]
    )
    assert page.startswith("<!DOCTYPE html>") and 'data-theme="light"' in page
    assert '<script src="file:///cache/mermaid.min.js"></script>' in page and "mermaid.run" in page
    assert '<span class="title">x</span>' in page
    assert mermaid_sources(SAMPLE) == [
        'graph LR\n  c1["Constance, penser et écrire"]\n  c2["Leadership"]\n  c1 --- c2\n'
        "  class c1,c2 internal-link;\n"
    ]
    alone = map_page("graph LR\n  a --> b\n")
    assert '<pre class="mermaid">graph LR\n  a --&gt; b\n</pre>' in alone
    assert "mermaid.run" not in alone  # no mermaid.js given: no script
    with pytest.raises(ValueError, match="theme"):
        map_page("graph LR", theme="sepia")


def test_no_chromium_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CHROMIUM", raising=False)
    assert render_pictures.main(["--out", str(tmp_path)]) == 1
    assert "apt-get install -y chromium" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
