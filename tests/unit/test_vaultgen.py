"""The synthetic vault generator: deterministic, planted topics that hold, valid Obsidian Markdown."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path, PurePosixPath

import pytest

from benchmarks.vaultgen import GeneratedVault, generate_vault, main, write_vault
from tlvault.parse import parse_note

TODAY = date(2026, 11, 20)
FRONT = re.compile(r"\A---\n(?P<block>.*?)\n---\n", re.S)
LINK = re.compile(r"\[\[(?P<target>[^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|[^\[\]]*)?\]\]")
WORD = re.compile(r"\w+(?:['’-]\w+)*")
STAMP = re.compile(r"^(created|updated): (\d{4}-\d\d-\d\dT\d\d:\d\d)$", re.M)


@cache
def vault(notes: int = 120, seed: int = 1, language: str = "fr", bad: bool = False) -> GeneratedVault:
    """One generated vault per argument set, shared by the tests (the generator is pure)."""
    return generate_vault(notes, seed=seed, language=language, bad_files=bad)


def text(v: GeneratedVault, rel: str) -> str:
    content = v.files[rel]
    assert isinstance(content, str)
    return content


def body(content: str) -> str:
    """The note without its frontmatter."""
    match = FRONT.match(content)
    return content[match.end() :] if match else content


def block(content: str) -> str:
    match = FRONT.match(content)
    assert match, content[:80]
    return match["block"]


def stamps(content: str) -> dict[str, datetime]:
    return {key: datetime.fromisoformat(value) for key, value in STAMP.findall(block(content))}


def title_index(v: GeneratedVault) -> dict[str, str]:
    """Link target (file name, case-insensitive) -> rel, as a bare `[[Title]]` resolves."""
    return {PurePosixPath(rel).stem.casefold(): rel for rel in v.files if rel.endswith(".md")}


def targets(content: str) -> list[str]:
    return [m["target"].strip() for m in LINK.finditer(content)]


def prose_words(content: str) -> list[str]:
    """Lower-cased words of the body, links and heading lines removed."""
    lines = [line for line in body(content).splitlines() if not line.startswith("#")]
    return [w.lower() for w in WORD.findall(LINK.sub(" ", "\n".join(lines)))]


def by_topic(v: GeneratedVault) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for rel, topic in v.topics.items():
        groups.setdefault(topic, []).append(rel)
    return groups


def status(content: str) -> str | None:
    match = re.search(r"^status: (.+)$", block(content), re.M)
    return match[1] if match else None


# --------------------------------------------------------------------------------------------


def test_same_arguments_give_the_same_bytes_and_another_seed_another_vault() -> None:
    first = generate_vault(150, seed=3)
    assert generate_vault(150, seed=3) == first
    assert generate_vault(150, seed=4).files != first.files
    assert generate_vault(150, seed=3, language="en").files != first.files


@pytest.mark.parametrize("notes", [48, 120, 400, 2500])
def test_counts_of_topic_and_journal_notes(notes: int) -> None:
    v = generate_vault(notes, seed=2)
    assert abs(len(v.topics) - notes) <= notes * 0.03
    assert len(v.journal) == max(6, round(notes / 10))
    assert set(v.topics) | set(v.journal) == set(v.files)
    assert not set(v.topics) & set(v.journal)
    assert all(re.fullmatch(r"Journal/\d{4}-\d\d-\d\d\.md", rel) for rel in v.journal)
    groups = by_topic(v)
    assert len(groups) == 6
    assert v.ripe_topic in groups and v.seed_topic in groups and v.ripe_topic != v.seed_topic
    assert 3 <= len(groups[v.seed_topic]) <= 5
    assert all(len(rels) >= 6 for topic, rels in groups.items() if topic != v.seed_topic)
    assert len(groups[v.ripe_topic]) >= 6


def test_large_vaults_get_more_topics_with_distinct_vocabularies() -> None:
    v = generate_vault(8000, seed=5)
    assert len(by_topic(v)) == 20
    vocabularies = [frozenset(words) for words in v.vocabulary.values()]
    assert len(set(vocabularies)) == 20
    assert all(len(words) == 40 for words in vocabularies)
    assert abs(len(v.topics) - 8000) <= 8000 * 0.03
    for planted in (v.ripe_topic, v.seed_topic):  # pairs of themes never borrow these two
        others = {w for name, words in v.vocabulary.items() if name != planted for w in words}
        assert not others & set(v.vocabulary[planted])


def test_titles_are_unique_ignoring_case_and_never_look_like_dates() -> None:
    v = vault(400)
    stems = [PurePosixPath(rel).stem.casefold() for rel in v.files]
    assert len(stems) == len(set(stems))
    assert not any(re.fullmatch(r"\d{4}-\d\d-\d\d", PurePosixPath(rel).stem) for rel in v.topics)


@pytest.mark.parametrize("language", ["fr", "en", "mixed"])
def test_links_resolve_except_the_seed_topics_ghosts(language: str) -> None:
    v = vault(400, language=language)
    titles = title_index(v)
    ghosts = 0
    for rel, topic in v.topics.items():
        for target in targets(text(v, rel)):
            if target.casefold() not in titles:
                assert topic == v.seed_topic, f"{rel}: [[{target}]] leads nowhere"
                ghosts += 1
    for rel in v.journal:
        assert all(t.casefold() in titles for t in targets(text(v, rel))), rel
    assert ghosts >= len(by_topic(v)[v.seed_topic])


def test_the_seed_topic_links_mostly_to_ghosts() -> None:
    v = vault(400)
    titles = title_index(v)
    links = [t for rel in by_topic(v)[v.seed_topic] for t in targets(text(v, rel))]
    ghosts = [t for t in links if t.casefold() not in titles]
    assert len(ghosts) > len(links) / 2


def test_links_stay_mostly_inside_their_topic_with_aliases_and_headings() -> None:
    v = vault(400)
    titles = title_index(v)
    inside = across = 0
    for rel, topic in v.topics.items():
        for target in targets(text(v, rel)):
            other = titles.get(target.casefold())
            if other in v.topics:
                inside += v.topics[other] == topic
                across += v.topics[other] != topic
    assert 0.02 <= across / (inside + across) <= 0.10
    everything = "".join(text(v, rel) for rel in v.topics)
    assert re.search(r"\[\[[^\]|#]+\|[^\]]+\]\]", everything)
    assert re.search(r"\[\[[^\]|#]+#[^\]|]+\]\]", everything)


def test_link_degrees_are_skewed() -> None:
    v = vault(400)
    degrees = sorted(len(targets(text(v, rel))) for rel in v.topics)
    median = degrees[len(degrees) // 2]
    assert median <= 4
    assert degrees[-1] >= 5 * median


@pytest.mark.parametrize("language", ["fr", "en", "mixed"])
def test_each_topics_vocabulary_dominates_its_notes(language: str) -> None:
    v = vault(400, language=language)
    owners = {word.lower(): name for name, vocab in v.vocabulary.items() for word in vocab}
    assert len(owners) == sum(len(vocab) for vocab in v.vocabulary.values())  # no word in two topics
    for rel, topic in v.topics.items():
        words = prose_words(text(v, rel))
        counts = Counter(owners.get(w) for w in words)
        counts.update(dict.fromkeys(v.vocabulary, 0))
        own = counts.pop(topic)
        counts.pop(None, 0)
        assert own >= 0.4 * len(words), rel
        assert own > 4 * max(counts.values()), rel


def test_note_lengths_and_frontmatter() -> None:
    v = vault(400)
    oldest = datetime.combine(TODAY - timedelta(days=550), datetime.min.time())
    end = datetime.combine(TODAY, datetime.max.time())
    for rel in v.topics:
        content = text(v, rel)
        assert "\r" not in content and content.endswith("\n")
        keys = [line.split(":")[0] for line in block(content).splitlines()]
        assert keys[:3] == ["created", "updated", "tags"] and set(keys) <= {
            "created",
            "updated",
            "tags",
            "status",
        }
        dates = stamps(content)
        assert oldest <= dates["created"] <= dates["updated"] <= end, rel
        assert 30 <= len(prose_words(content)) <= 340, rel


def test_tags_topic_tag_on_most_notes_and_a_trivial_tag_on_about_half() -> None:
    v = vault(400)
    tagged = Counter[str]()
    for rel, topic in v.topics.items():
        tags = re.search(r"^tags: \[(.*)\]$", block(text(v, rel)), re.M)
        assert tags, rel
        names = [t for t in tags[1].split(", ") if t]
        tagged["idée"] += "idée" in names
        tagged["topic"] += topic in names
        tagged["nested"] += any(t.startswith(f"{topic}/") for t in names)
    assert 0.4 <= tagged["idée"] / len(v.topics) <= 0.6
    assert tagged["topic"] >= 0.7 * len(v.topics)
    assert tagged["nested"] >= 5


def test_the_ripe_topic_is_distilled_dense_and_has_a_hub_and_a_published_piece() -> None:
    v = vault(400)
    rels = by_topic(v)[v.ripe_topic]
    hubs = [rel for rel in rels if "tags: [moc]" in text(v, rel)]
    assert len(hubs) == 1 and PurePosixPath(hubs[0]).stem.startswith("Carte — ")
    linked = {t.casefold() for t in targets(text(v, hubs[0]))}
    assert len(linked) >= 0.7 * (len(rels) - 1)
    mature = [rel for rel in rels if status(text(v, rel)) == "mûr"]
    assert len(mature) >= 0.6 * len(rels)
    for rel in mature:
        assert "\n## Résumé\n" in text(v, rel) and len(prose_words(text(v, rel))) >= 200
    published = [rel for rel in rels if status(text(v, rel)) == "publié"]
    assert len(published) == 1 and published[0].startswith("3 - Contenus/")
    recent = datetime.combine(TODAY - timedelta(days=60), datetime.min.time())
    assert all(stamps(text(v, rel))["updated"] >= recent for rel in rels)
    ripe_links = sum(len(targets(text(v, rel))) for rel in rels) / len(rels)
    others = [rel for rel, t in v.topics.items() if t not in (v.ripe_topic, v.seed_topic)]
    assert ripe_links > 1.5 * sum(len(targets(text(v, rel))) for rel in others) / len(others)


def test_the_seed_topic_is_small_short_old_and_without_status() -> None:
    v = vault(400)
    rels = by_topic(v)[v.seed_topic]
    year_ago = datetime.combine(TODAY - timedelta(days=355), datetime.min.time())
    for rel in rels:
        content = text(v, rel)
        assert status(content) is None
        assert "tags: [moc]" not in content
        assert 40 <= len(prose_words(content)) <= 100, rel
        assert stamps(content)["updated"] <= year_ago


def journal_mentions(v: GeneratedVault) -> dict[str, list[date]]:
    """Topic name -> the day of each journal paragraph that links to one of its notes."""
    titles = title_index(v)
    mentions: dict[str, list[date]] = {}
    for rel in v.journal:
        day = date.fromisoformat(PurePosixPath(rel).stem)
        for paragraph in body(text(v, rel)).split("\n\n")[1:]:
            topics = {v.topics.get(titles.get(t.casefold(), "")) for t in targets(paragraph)}
            for topic in topics - {None}:
                assert topic is not None
                mentions.setdefault(topic, []).append(day)
    return mentions


@pytest.mark.parametrize(("notes", "seed"), [(48, 1), (120, 1), (120, 9), (1000, 4)])
def test_the_ripe_topic_comes_back_in_many_recent_weeks_and_the_seed_never(notes: int, seed: int) -> None:
    v = vault(notes, seed)
    mentions = journal_mentions(v)
    start = TODAY - timedelta(days=70)
    weeks = {d.isocalendar()[:2] for d in mentions[v.ripe_topic] if start < d <= TODAY}
    assert len(weeks) >= 6
    assert v.seed_topic not in mentions


def test_journal_notes_start_like_the_users() -> None:
    v = vault(400)
    titles = title_index(v)
    for previous, rel in zip(v.journal, v.journal[1:], strict=False):
        content = text(v, rel)
        lines = body(content).splitlines()
        assert lines[0] == f"Lien : [[{PurePosixPath(previous).stem}]]"
        assert lines[1] == "Tags : #journal"
        assert set(stamps(content)) == {"created", "updated"}
        paragraphs = [p for p in body(content).split("\n\n")[1:] if not p.startswith(("## ", "- ["))]
        assert 2 <= len(paragraphs) <= 4
        for paragraph in paragraphs:
            cited = {titles[t.casefold()] for t in targets(paragraph)}
            assert 2 <= len(cited) <= 3
            assert len({v.topics[c] for c in cited}) == 1
    assert any("## Focus du jour\n\n- [ ] " in text(v, rel) for rel in v.journal)


def test_folders_are_nested_and_varied() -> None:
    v = vault(400)
    folders = Counter(str(PurePosixPath(rel).parent) for rel in v.topics)
    assert any(f.startswith("1 - Input/") for f in folders)
    assert any(f.startswith("3 - Contenus/") for f in folders)
    assert any(f.count("/") >= 2 and f.startswith("2 - Idées/") for f in folders)
    assert len(set(folders.values())) >= 5


def test_bad_files_adds_broken_binary_empty_and_crlf_notes() -> None:
    clean, bad = vault(120), vault(120, bad=True)
    extra = set(bad.files) - set(clean.files)
    assert extra == {
        "4 - Archives/Propriétés cassées.md",
        "4 - Archives/Capture d’écran.md",
        "4 - Archives/Note sans titre.md",
    }
    assert bad.topics == clean.topics and bad.journal == clean.journal
    assert not extra & set(bad.topics)
    assert isinstance(bad.files["4 - Archives/Capture d’écran.md"], bytes)
    assert bad.files["4 - Archives/Capture d’écran.md"][:8] == b"\x89PNG\r\n\x1a\n"
    assert bad.files["4 - Archives/Note sans titre.md"] == ""
    assert parse_note("x.md", bad.files["4 - Archives/Propriétés cassées.md"]).warnings
    changed = [rel for rel in clean.files if bad.files[rel] != clean.files[rel]]
    assert len(changed) == 1 and changed[0] in bad.topics
    assert text(bad, changed[0]) == text(clean, changed[0]).replace("\n", "\r\n")


@pytest.mark.parametrize("language", ["fr", "en", "mixed"])
def test_tlvault_reads_every_note_without_warnings(language: str) -> None:
    v = vault(120, language=language)
    titles = title_index(v)
    for rel, content in v.files.items():
        note = parse_note(rel, content)
        assert not note.warnings, (rel, note.warnings)
        assert note.frontmatter == "mapping"
        assert note.created is not None and note.updated is not None
        wikilinks = [link for link in note.links if link.kind == "wikilink"]
        assert len(wikilinks) == len(targets(str(content)))
        if rel in v.topics and v.topics[rel] != v.seed_topic:
            assert all(link.target.casefold() in titles for link in wikilinks)


def test_write_vault_writes_exactly_the_files_and_an_obsidian_folder(tmp_path: Path) -> None:
    v = vault(120, bad=True)
    root = tmp_path / "vault"
    write_vault(v, root)
    written = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert written == set(v.files)
    assert (root / ".obsidian").is_dir() and not any((root / ".obsidian").iterdir())
    for rel, content in v.files.items():
        expected = content.encode("utf-8") if isinstance(content, str) else content
        assert (root / rel).read_bytes() == expected


def test_cli_writes_a_vault_and_prints_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gen"
    assert main([str(out), "--notes", "60", "--seed", "2", "--language", "en"]) == 0
    line = capsys.readouterr().out
    assert line.count("\n") == 1 and "60 topic notes in 6 topics" in line
    assert (out / ".obsidian").is_dir()
    assert sum(1 for _ in out.rglob("*.md")) == 66
    with pytest.raises(SystemExit) as refused:
        main([str(out), "--notes", "60"])  # not empty: never written over
    assert refused.value.code == 2


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        generate_vault(language="de")
    with pytest.raises(ValueError, match="at least"):
        generate_vault(20)
