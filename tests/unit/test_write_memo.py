"""What a watcher keeps of the writing between rebuilds: each generated file's last merge and
record, and the state file's JSON written without `json`'s indenting encoder. Each must give
what the full computation gives, or the watcher would write other bytes than `tlvault rebuild`.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from tlvault import memo, scan
from tlvault.config import Config, default_config
from tlvault.markdown import GENERATED
from tlvault.model import STATE_FORMAT, STATE_REL
from tlvault.pipeline import rebuild
from tlvault.regions import begin, compose, end, fingerprints, split
from tlvault.render import file_record, indented_json
from tlvault.results import OutputNote
from tlvault.scan import remember_state, scan_vault

_LEAVES: tuple[Any, ...] = ("a", 'é\n"x\\', "\u2028", "", 0, 1, -2.5, 1e300, float("inf"), True, False, None)
_KEYS = ("a", "é", "k\n", "", "tlv-1")


def _value(rng: random.Random, depth: int) -> Any:
    """A JSON-able value: leaves, dicts (string keys) and lists nested up to four deep."""
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice(_LEAVES)
    if roll < 0.7:
        return {rng.choice(_KEYS) + str(i): _value(rng, depth + 1) for i in range(rng.randrange(4))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def test_indented_json_writes_what_json_dumps_writes() -> None:
    rng = random.Random(20261127)
    for _ in range(3000):
        value = _value(rng, 0)
        assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2), value
    # What `json` also accepts: tuples, and keys that are not strings (at any depth).
    odd: dict[str, Any] = {"t": (1, (2, 3)), "n": {1: [True], None: {}}, "e": [[], {}], "f": {"x": 1.0}}
    assert indented_json(odd) == json.dumps(odd, ensure_ascii=False, indent=2)
    assert indented_json([odd, {2.5: "y"}]) == json.dumps([odd, {2.5: "y"}], ensure_ascii=False, indent=2)


# -- the last merge of each generated file --------------------------------------------------


def _output(body: str) -> OutputNote:
    properties = f"---\n{GENERATED}\ntlvault_kind: index\n---\n"
    return OutputNote("Index.md", compose(properties, {"index": body}), marker=GENERATED)


def _write(config: Config, output: OutputNote, previous: dict[str, Any]) -> tuple[tuple[str, ...], int]:
    from tlvault.write import write_outputs

    result = write_outputs([output], config, previous={output.rel: previous} if previous else {})
    return result.written, len(result.backups)


def _record(text: str) -> dict[str, Any]:
    return {"regions": fingerprints(split(text))}


def test_a_kept_merge_is_not_used_once_the_user_wrote_in_the_file(tmp_path: Path, remembering: None) -> None:
    config = default_config(tmp_path)
    output = _output("- [ ] Écrire ^tlv-00000001\n")
    path = config.output_path / output.rel
    assert _write(config, output, {}) == (("Index.md",), 0)
    assert _write(config, output, _record(output.text)) == ((), 0)  # merged, kept, unchanged
    path.write_text(path.read_text(encoding="utf-8") + "Mes notes à moi.\n", encoding="utf-8")
    assert _write(config, output, _record(output.text)) == ((), 0)  # the user's text stays
    assert path.read_text(encoding="utf-8").endswith("Mes notes à moi.\n")
    ticked = path.read_text(encoding="utf-8").replace("- [ ] Écrire", "- [x] Écrire")
    path.write_text(ticked, encoding="utf-8")
    assert _write(config, output, _record(output.text)) == ((), 0)
    assert path.read_text(encoding="utf-8") == ticked  # and so does the tick


def test_a_kept_merge_is_not_used_with_another_record(tmp_path: Path, remembering: None) -> None:
    """The same file and output with another record of what tlvault wrote may mean a user edit
    inside a region: the merge must be worked out again, and the file backed up."""
    config = default_config(tmp_path)
    output = _output("Frais.\n")
    path = config.output_path / output.rel
    _write(config, output, {})
    edited = output.text.replace("Frais.", "Réécrit à la main.")
    path.write_text(edited, encoding="utf-8")
    # Recorded as tlvault's own text: not a user edit, regenerated without a copy.
    assert _write(config, output, _record(edited)) == (("Index.md",), 0)
    path.write_text(edited, encoding="utf-8")  # the same bytes again, the same output…
    # …but tlvault never wrote that region text: it is the user's, saved before it is replaced.
    assert _write(config, output, _record(output.text)) == (("Index.md",), 1)
    assert f"{begin('index')}\nFrais.\n{end('index')}" in path.read_text(encoding="utf-8")


def test_a_kept_record_is_for_the_same_text_only(remembering: None) -> None:
    first = _output("Un.\n")
    second = _output("Deux.\n")
    assert file_record(first) == _record(first.text) | {"free": file_record(first)["free"]}
    assert file_record(second)["regions"] == _record(second.text)["regions"]
    assert file_record(second) != file_record(first)


# -- the state file a watcher wrote ---------------------------------------------------------------


EXAMPLE = Path(__file__).resolve().parents[2] / "example_vault"


def typed(value: Any) -> Any:
    """`value` with the type of every part spelled out: 1 and 1.0, a list and a tuple differ."""
    if isinstance(value, dict):
        return ("dict", {key: typed(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return (type(value).__name__, [typed(item) for item in value])
    return (type(value).__name__, value)


def test_the_state_a_watcher_wrote_is_taken_as_parsing_it_would_give(
    tmp_path: Path, remembering: None
) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(EXAMPLE, vault, ignore=shutil.ignore_patterns("tlvault"))
    config = default_config(vault)
    rebuild(config, now=date(2026, 11, 20))
    kept = scan_vault(config).previous
    assert kept is not None and scan._STATE_WRITTEN and scan._STATE_WRITTEN[0][2] is kept  # not parsed
    memo.remember(False)
    parsed = scan_vault(config).previous
    memo.remember(True)
    assert parsed is not None and parsed is not kept
    assert (kept.clusters, typed(kept.files), typed(kept.history)) == (
        parsed.clusters,
        typed(parsed.files),
        typed(parsed.history),
    )


def test_a_state_file_someone_rewrote_is_parsed(tmp_path: Path, remembering: None) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(EXAMPLE, vault, ignore=shutil.ignore_patterns("tlvault"))
    config = default_config(vault)
    rebuild(config, now=date(2026, 11, 20))
    state = config.output_path / STATE_REL
    document = json.loads(state.read_bytes())
    document["clusters"] = []
    state.write_text(json.dumps(document), encoding="utf-8")  # a sync tool's copy, say
    previous = scan_vault(config).previous
    assert previous is not None and previous.clusters == ()


def test_a_document_json_would_read_back_otherwise_is_not_taken(tmp_path: Path, remembering: None) -> None:
    path = tmp_path / STATE_REL
    for history in ({"words": {"a.md": 3}}, {"words": {"a.md": (3,)}}, {"words": {1: 3}}):
        document = {"format": STATE_FORMAT, "clusters": [], "files": {}, "history": history}
        remember_state(path, b"{}", document)
        assert bool(scan._STATE_WRITTEN) == (history == {"words": {"a.md": 3}}), history
