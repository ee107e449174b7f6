"""The properties block of a note, read as Obsidian 1.9.4+ reads it (corpus rules 5–15, 42).

YAML is loaded with PyYAML's C parser and a YAML 1.2 core schema (as Obsidian's own YAML
library does: `NO` and `012345` stay text). Anchors and aliases are refused before anything
is built, so a "billion laughs" block costs one pass of the C parser.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from tlvault.errors import yaml_error_line
from tlvault.model import FrontmatterStatus, JsonValue, Property

try:  # the C parser is ~10x faster; PyYAML wheels ship it on every common platform
    from yaml.cyaml import CParser as _YamlParser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - a PyYAML build without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _YamlParser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        """The pure-Python equivalent of CParser."""

        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class _ObsidianYAMLHandler(YAMLHandler):
    """python-frontmatter's YAML handler with Obsidian's delimiters.

    Only a first line that is exactly `---` opens the block and only a later line that is
    exactly `---` closes it (rule 5). python-frontmatter's own `parse()` is not used: it
    strips leading blank lines and accepts `----`, which Obsidian reads as body text.
    """

    FM_BOUNDARY = re.compile(r"^---$", re.MULTILINE)


_HANDLER = _ObsidianYAMLHandler()


class _Loader(_YamlParser, yaml.constructor.SafeConstructor, yaml.resolver.BaseResolver):
    """Safe YAML with a 1.2 core schema plus timestamps; records duplicate keys."""

    def __init__(self, stream: str) -> None:
        _YamlParser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.BaseResolver.__init__(self)
        self.duplicate_keys: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping as Obsidian's YAML library does.

        A key written twice keeps the last value (and is noted for a warning); a key that is
        itself a mapping or a list, as in a template's `created: {{date}}`, becomes text
        instead of failing the whole block.
        """
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _js_key(self.construct_object(key_node, deep=True))
            if key in mapping:
                self.duplicate_keys.append(str(key))
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _js_key(key: Any) -> Any:
    """A mapping key as JavaScript would stringify it when it is not a scalar."""
    if isinstance(key, dict):
        return "[object Object]"
    if isinstance(key, list):
        return ",".join(str(_js_key(item)) for item in key)
    return key


_CORE_SCHEMA = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*\.[0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+)"
        r"(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (
        "tag:yaml.org,2002:timestamp",
        r"^(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}"
        r":[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$",
        "0123456789",
    ),
]
_Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in _CORE_SCHEMA:
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


@dataclass(frozen=True, slots=True)
class Frontmatter:
    """The properties block split from the body."""

    status: FrontmatterStatus
    properties: tuple[Property, ...]
    body: str  # the note without its properties block
    body_line: int  # 1-based file line where the body starts
    block: str  # the YAML text between the delimiters ("" when absent)
    problem: str | None  # why the block is unusable, for the warning line


def split_frontmatter(text: str) -> Frontmatter:
    """Split `text` (LF line ends, no BOM) into its properties and body."""
    if not _HANDLER.detect(text):
        return Frontmatter(FrontmatterStatus.ABSENT, (), text, 1, "", None)
    try:
        block, rest = _HANDLER.split(text)
    except ValueError:  # no closing `---`: the whole file is body
        return Frontmatter(FrontmatterStatus.ABSENT, (), text, 1, "", None)
    # `block` starts with the newline ending the opening `---`; `rest` with the one ending
    # the closing `---`.
    body_line = block.count("\n") + 2
    body = rest[1:] if rest.startswith("\n") else rest
    status, properties, problem = _load_block(block)
    return Frontmatter(status, properties, body, body_line, block, problem)


def _load_block(block: str) -> tuple[FrontmatterStatus, tuple[Property, ...], str | None]:
    if not block.strip():
        return FrontmatterStatus.EMPTY, (), None
    try:
        data, duplicates = _load_yaml(block)
    except _UnusableError as exc:
        return FrontmatterStatus.UNUSABLE, (), str(exc)
    if data is None:
        return FrontmatterStatus.EMPTY, (), None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        return FrontmatterStatus.UNUSABLE, (), f"frontmatter is {kind}, not properties"
    properties = tuple(Property(str(key), _json_safe(value)) for key, value in data.items())
    problem = None
    if duplicates:
        problem = f"property {duplicates[0]!r} is written twice (the last value is used)"
    return FrontmatterStatus.MAPPING, properties, problem


class _UnusableError(Exception):
    """The YAML block cannot be used; the message is the reason shown to the user."""


def _load_yaml(block: str) -> tuple[Any, list[str]]:
    if ("&" in block or "*" in block) and _has_anchor(block):
        raise _UnusableError("frontmatter uses YAML anchors or aliases, which tlvault does not expand")
    loader = _Loader(block)
    try:
        return loader.get_single_data(), loader.duplicate_keys
    except yaml.MarkedYAMLError as exc:
        raise _UnusableError(f"frontmatter is not valid YAML ({_where(exc)})") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _UnusableError(f"frontmatter is not valid YAML ({type(exc).__name__})") from None
    finally:
        loader.dispose()


def _has_anchor(block: str) -> bool:
    """Whether the block defines an anchor or uses an alias (checked on parser events only)."""
    parser = _Loader(block)
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return True
    except yaml.YAMLError:
        return False  # invalid YAML: the loader reports it with its position
    finally:
        parser.dispose()
    return False


def _where(exc: yaml.MarkedYAMLError) -> str:
    """`line N: problem`, N being the file line (the block's first line is the opening `---`)."""
    line = yaml_error_line(exc)
    where = "unknown line" if line is None else f"line {line + 1}"
    return f"{where}: {exc.problem}" if exc.problem else where


def _json_safe(value: Any) -> JsonValue:
    """A YAML value as JSON-compatible data: dates as ISO text, sets as sorted lists."""
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, set):
        return [str(v) for v in sorted(value, key=str)]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)
