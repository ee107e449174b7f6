"""per_note: results kept per note object between a watcher's rebuilds, and only then."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

from tlvault import memo
from tlvault.cache import ParseCache
from tlvault.config import default_config
from tlvault.model import Note
from tlvault.parse import parse_note
from tlvault.pipeline import rebuild

MTIME_NS = 1_700_000_000 * 10**9
EXAMPLE = Path(__file__).resolve().parents[2] / "example_vault"


def counting() -> tuple[list[str], object]:
    """A remembered function that records each note it really computes."""
    calls: list[str] = []

    @memo.per_note
    def name_length(note: Note) -> int:
        calls.append(note.rel)
        return len(note.name)

    return calls, name_length


def test_off_by_default_every_call_computes() -> None:
    calls, name_length = counting()
    note = parse_note("a.md", "Texte", MTIME_NS)
    assert [name_length(note), name_length(note)] == [1, 1]  # type: ignore[operator]
    assert calls == ["a.md", "a.md"]


def test_the_same_note_object_is_computed_once(remembering: None) -> None:
    calls, name_length = counting()
    note = parse_note("abc.md", "Texte", MTIME_NS)
    memo.new_rebuild(1)
    assert name_length(note) == 3  # type: ignore[operator]
    memo.new_rebuild(1)
    assert name_length(note) == 3  # type: ignore[operator]
    assert calls == ["abc.md"]


def test_an_equal_but_new_note_object_is_computed_again(remembering: None) -> None:
    # An edited note comes back from the parser as a new object: its old result must not be used.
    calls, name_length = counting()
    first = parse_note("abc.md", "Texte", MTIME_NS)
    name_length(first)  # type: ignore[operator]
    edited = replace(first, rel="abcd.md")
    assert name_length(edited) == 4  # type: ignore[operator]
    assert calls == ["abc.md", "abcd.md"]


def test_per_note_and_reuses_a_result_only_with_the_same_other_object(remembering: None) -> None:
    calls: list[tuple[str, tuple[str | None, ...]]] = []

    @memo.per_note_and
    def unresolved(note: Note, targets: tuple[str | None, ...]) -> int:
        calls.append((note.rel, targets))
        return sum(target is None for target in targets)

    note = parse_note("a.md", "[[b]] [[c]]", MTIME_NS)
    targets = ("b.md", None)
    assert [unresolved(note, targets), unresolved(note, targets)] == [1, 1]
    equal_copy = tuple(list(targets))  # equal, but another object: computed again
    assert unresolved(note, equal_copy) == 1
    assert unresolved(note, (None, None)) == 2
    assert calls == [("a.md", targets), ("a.md", equal_copy), ("a.md", (None, None))]
    memo.remember(False)
    assert unresolved(note, (None, None)) == 2  # off: every call computes
    assert len(calls) == 4


def test_stale_results_beyond_the_allowance_are_all_dropped(remembering: None) -> None:
    calls, name_length = counting()
    kept = parse_note("kept.md", "", MTIME_NS)
    edits = [parse_note(f"edit{i}.md", "", MTIME_NS) for i in range(memo.STALE_MAX + 1)]
    name_length(kept)  # type: ignore[operator]
    for edit in edits[:-1]:  # one note edited again and again: a new object each time
        name_length(edit)  # type: ignore[operator]
    memo.new_rebuild(1)  # 1 note in the vault, 1 + STALE_MAX results kept: within the allowance
    name_length(kept)  # type: ignore[operator]
    name_length(edits[-1])  # type: ignore[operator]
    memo.new_rebuild(1)  # one more: everything goes
    name_length(kept)  # type: ignore[operator]
    assert calls.count("kept.md") == 2 and len(calls) == memo.STALE_MAX + 3


def test_turning_it_off_forgets_everything() -> None:
    calls, name_length = counting()
    note = parse_note("a.md", "", MTIME_NS)
    memo.remember(True)
    name_length(note)  # type: ignore[operator]
    memo.remember(False)
    memo.remember(True)
    try:
        name_length(note)  # type: ignore[operator]
    finally:
        memo.remember(False)
    assert calls == ["a.md", "a.md"]


def test_rebuilds_that_remember_write_what_rebuilds_that_do_not_write(tmp_path: Path) -> None:
    """The same edits, additions and deletions in two copies of a vault, rebuilt after each change
    with and without remembering: every generated file is the same, byte for byte."""
    outputs = {remember: steps_rebuilt(tmp_path / f"v-{remember}", remember) for remember in (True, False)}
    assert outputs[True] == outputs[False]
    assert len({str(step) for step in outputs[True]}) == 4  # every step changed the generated files


def steps_rebuilt(vault: Path, remember: bool) -> list[dict[str, bytes]]:
    """The generated files after each step of `change`, rebuilt as the watcher does."""
    shutil.copytree(EXAMPLE, vault, ignore=shutil.ignore_patterns("tlvault"))
    cache = ParseCache.open(vault, vault.with_name(vault.name + "-cache"))
    cache.keep_outcomes = True  # as the watcher does: unchanged notes keep their objects
    memo.remember(remember)
    try:
        found = []
        for step in range(4):
            change(vault, step)
            rebuild(default_config(vault), now=date(2026, 11, 20), cache=cache)
            found.append(generated(vault))
        return found
    finally:
        memo.remember(False)


def change(vault: Path, step: int) -> None:
    """Step 0 changes nothing; then an idea is edited, a note added, the idea deleted."""
    idea = vault / "2 - Idées" / "Créer avant de consommer.md"
    if step == 1:
        text = idea.read_text(encoding="utf-8").replace("status: graine", "status: publié")
        idea.write_text(text.replace("tags: [", "tags: [moc, "), encoding="utf-8")
    elif step == 2:
        text = "---\nstatus: publié\n---\nhttps://www.figma.com/file/abc Voir [[Créer avant de consommer]]\n"
        (vault / "2 - Idées" / "Nouvelle.md").write_text(text, encoding="utf-8")
    elif step == 3:
        idea.unlink()


def generated(vault: Path) -> dict[str, bytes]:
    """Every generated file's bytes (the state file names the vault: left out)."""
    folder = vault / "tlvault"
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def test_per_path_answers_each_path_once_while_remembering() -> None:
    calls: list[str] = []

    def length(path: str) -> int:
        calls.append(path)
        return len(path)

    lengths = memo.PerPath(length)
    assert lengths.each(["a.md", "bb.md"]) == [4, 5]
    assert lengths.each(["a.md"]) == [4]
    assert calls == ["a.md", "bb.md", "a.md"]  # not remembering: asked every time
    memo.remember(True)
    try:
        calls.clear()
        assert lengths.each(["a.md", "bb.md"]) == [4, 5]
        assert lengths.each(["bb.md", "ccc.md"]) == [5, 6]
        assert calls == ["a.md", "bb.md", "ccc.md"]
        memo.remember(True)  # forgets
        assert lengths.each(["a.md"]) == [4]
        assert calls == ["a.md", "bb.md", "ccc.md", "a.md"]
        # Stale paths beyond STALE_MAX (renamed, deleted): everything is asked again.
        lengths.each([f"n{index}.md" for index in range(memo.STALE_MAX + 10)])
        calls.clear()
        assert lengths.each(["a.md"]) == [4]
        assert calls == ["a.md"]
    finally:
        memo.remember(False)


def test_last_per_key_gives_back_an_answer_only_for_equal_inputs_while_remembering() -> None:
    last: memo.LastPerKey[str, str] = memo.LastPerKey(most=2)
    last.keep("a.md", ("x",), "A")
    assert last.recall("a.md", ("x",)) is None  # not remembering: nothing kept
    memo.remember(True)
    try:
        last.keep("a.md", ("x",), "A")
        assert last.recall("a.md", ("x",)) == "A"
        assert last.recall("a.md", ("y",)) is None  # other inputs
        last.keep("b.md", 1, "B")
        last.keep("c.md", 2, "C")  # a third key beyond `most`: the others are forgotten
        assert (last.recall("a.md", ("x",)), last.recall("c.md", 2)) == (None, "C")
        memo.remember(True)  # forgets
        assert last.recall("c.md", 2) is None
    finally:
        memo.remember(False)
