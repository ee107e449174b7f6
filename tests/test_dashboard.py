"""The dashboard end to end: habits, publishing, focus and scorecard read from a real vault, and
the generated dashboard note and Bases file as they land on disk."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchmarks.vaultgen import generate_vault, write_vault
from tests.conftest import write_file
from tlvault import memo
from tlvault.config import Config, default_config, load_config
from tlvault.dashboard import Dashboard, Habit, build_dashboard
from tlvault.errors import ConfigError
from tlvault.pipeline import analyse, read_vault, rebuild
from tlvault.report import Report
from tlvault.resolve import LinkIndex
from tlvault.scan import scan_vault

TODAY = date(2024, 2, 2)  # a Friday: the window runs from Monday 2024-01-08
DASHBOARD = Path("tlvault", "Tableau de bord.md")
BASE = Path("tlvault", "Pipeline des idées.base")
STATE = Path("tlvault", ".tlvault-state.json")
NO_MOVERS = "aucun cluster mûr pour l’instant"


# -- helpers ------------------------------------------------------------------------------


def new_vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    return root


def write(root: Path, rel: str, text: str | bytes, *, at: datetime | None = None) -> Path:
    """Write a file of the vault; `at` sets its modification time (naive: local time)."""
    path = root / rel
    write_file(path, text)
    if at is not None:
        os.utime(path, (at.timestamp(), at.timestamp()))
    return path


def words(count: int, word: str = "mot") -> str:
    """`count` words as `Note.word_count` counts them (`\\w+` runs)."""
    return " ".join([word] * count)


def noon_utc(day: str) -> datetime:
    """Noon UTC: a note's mtime is read as a UTC day, which this is in any test time zone."""
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def noon_local(day: str) -> datetime:
    """Noon local time: a file's mtime day as `date.fromtimestamp` gives it."""
    return datetime.fromisoformat(day).replace(hour=12)


def dashboard(config: Config, now: date, history: Mapping[str, Any] | None = None) -> Dashboard:
    parsed = read_vault(config, Report())
    analysis = analyse(config, parsed, now=now)
    return build_dashboard(
        config,
        parsed.notes,
        parsed.files,
        analysis.graph,
        analysis.insights.clusters,
        history or {},
        today=now,
    )


def habit(board: Dashboard, name: str) -> Habit:
    return next(h for h in board.habits if h.name == name)


def window(
    values: Mapping[str, int], met: set[str], *, start: str = "2024-01-08", end: str = TODAY.isoformat()
) -> list[tuple[date, int, bool]]:
    """Every day of the window with its value (0 when absent) and whether it is met."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(day, values.get(day.isoformat(), 0), day.isoformat() in met) for day in days]


def days_of(h: Habit) -> list[tuple[date, int, bool]]:
    return [(d.day, d.value, d.met) for d in h.days]


def dashboard_text(root: Path) -> str:
    return (root / DASHBOARD).read_text("utf-8")


def grid(text: str, heading: str) -> list[str]:
    """The week rows of a habit's grid: the table after the `### heading…` line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"### {heading}"))
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("###") or line.startswith("## "):
            break
        if re.match(r"\| \d{4}-\d{2}-\d{2} \|", line):
            rows.append(line)
    return rows


def section_lines(text: str, title: str) -> list[str]:
    """The non-empty lines of a `## title` section."""
    lines = text.splitlines()
    start = lines.index(f"## {title}")
    body = []
    for line in lines[start + 1 :]:
        if line.startswith("## ") or line.startswith("%% tlvault:end"):
            break
        if line.strip():
            body.append(line)
    return body


def history(root: Path) -> dict[str, Any]:
    state: dict[str, Any] = json.loads((root / STATE).read_text("utf-8"))
    kept: dict[str, Any] = state["history"]
    return kept


def word_counts(kept: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Each note's (first seen, last seen) word count as the state keeps them: `words` holds the
    last count, `first_words` the first one where it differs."""
    firsts = kept.get("first_words", {})
    return {rel: (firsts.get(rel, last), last) for rel, last in kept["words"].items()}


def wikilinks(text: str) -> list[str]:
    """Targets of every wikilink, without `|alias` (nor the `\\|` of a table)."""
    targets = []
    for inner in re.findall(r"\[\[([^\]]+)\]\]", text):
        target = inner.split("|", 1)[0].removesuffix("\\")
        targets.append(target.split("#", 1)[0])
    return targets


@pytest.fixture
def utc_plus_two() -> Iterator[None]:
    """Local time two hours ahead of UTC, all year (no tzdata needed)."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "TLV-2"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


# -- 1. writing ---------------------------------------------------------------------------

WRITING_DAYS = {
    "2024-01-15": 199,  # one word short
    "2024-01-22": 200,
    "2024-01-23": 250,
    "2024-01-24": 150,  # an idea note's `created` day, below target
    "2024-01-25": 220,
    "2024-01-26": 205,
    # 2024-01-27: nothing at all
    "2024-01-28": 300,
    "2024-01-29": 210,
    "2024-01-30": 250,
    "2024-01-31": 200,  # exactly the target, at the end of the month
    "2024-02-01": 200,  # 80 in the journal + 120 in an idea note created that day
    "2024-02-02": 50,  # today, not met yet
}


def writing_vault(tmp_path: Path) -> Path:
    root = new_vault(tmp_path)
    for number in range(1, 8):  # a seven-day run in December: the longest of the year
        write(root, f"Journal/2023-12-0{number}.md", words(200) + "\n")
    for day, count in WRITING_DAYS.items():
        if day not in ("2024-01-24", "2024-02-01"):
            write(root, f"Journal/{day}.md", f"# Journal\n\n{words(count - 1)}\n")  # the heading is a word
    write(root, "Journal/2024-02-01.md", words(80) + "\n")
    write(root, "Idées/Alpha.md", f"---\ncreated: 2024-02-01T09:30\n---\n{words(120, 'idée')}\n")
    write(root, "Idées/Gamma.md", f"---\ncreated: 2024-01-24\ntags: [idée]\n---\n{words(150, 'idée')}\n")
    write(root, "Idées/Future.md", f"---\ncreated: 2024-03-01\n---\n{words(500, 'idée')}\n")
    return root


def test_writing_days_values_and_streaks_across_a_month_boundary(tmp_path: Path) -> None:
    root = writing_vault(tmp_path)
    config = default_config(root)
    board = dashboard(config, TODAY)
    writing = habit(board, "writing")
    assert board.start == date(2024, 1, 8)
    assert writing.target == 200
    met = {day for day, count in WRITING_DAYS.items() if count >= 200}
    assert days_of(writing) == window(WRITING_DAYS, met)
    assert (writing.streak, writing.longest) == (5, 7)  # 2024-01-28 → 2024-02-01; December's seven days
    # Today is excused only while it is today: the day after, the unmet Friday ends the streak.
    assert habit(dashboard(config, date(2024, 2, 3)), "writing").streak == 0
    assert habit(dashboard(config, date(2024, 2, 1)), "writing").streak == 5  # today met: counted
    assert habit(dashboard(config, date(2024, 1, 31)), "writing").streak == 4
    assert habit(dashboard(config, date(2024, 1, 26)), "writing").streak == 2  # 2024-01-24 broke it

    rebuild(config, now=TODAY)
    text = dashboard_text(root)
    assert grid(text, "✍️ Écriture") == [
        "| 2024-01-08 | · | · | · | · | · | · | · |",
        "| 2024-01-15 | 199 | · | · | · | · | · | · |",
        "| 2024-01-22 | ✅ 200 | ✅ 250 | 150 | ✅ 220 | ✅ 205 | · | ✅ 300 |",
        "| 2024-01-29 | ✅ 210 | ✅ 250 | ✅ 200 | ✅ 200 | 50 |   |   |",
    ]
    assert "Série en cours : 5 jours d’affilée · record sur un an : 7 jours d’affilée" in text
    assert "> ✍️ écriture : 5 jours d’affilée · " in text


# -- 2. word growth -----------------------------------------------------------------------


def test_words_added_count_on_the_day_the_note_grew_and_a_quiet_rebuild_writes_nothing(
    tmp_path: Path,
) -> None:
    root = new_vault(tmp_path)
    write(root, "Journal/2024-01-30.md", words(250) + "\n")
    beta = write(root, "Idées/Beta.md", f"---\ncreated: 2024-01-20\n---\n{words(100, 'idée')}\n")
    config = default_config(root)
    rebuild(config, now=TODAY)
    assert word_counts(history(root)) == {"Idées/Beta.md": (100, 100), "Journal/2024-01-30.md": (250, 250)}
    assert history(root)["added"] == {}

    with beta.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{words(37, 'suite')}\n")
    os.utime(beta, (noon_utc("2024-01-31").timestamp(),) * 2)
    write(root, "Notes/Delta.md", words(60) + "\n", at=noon_utc("2024-02-01"))  # no birthday
    second = rebuild(config, now=TODAY)
    assert {"Tableau de bord.md", ".tlvault-state.json"} <= set(second.written)
    kept = history(root)
    assert word_counts(kept) == {
        "Idées/Beta.md": (100, 137),
        "Journal/2024-01-30.md": (250, 250),
        "Notes/Delta.md": (60, 60),
    }
    assert kept["added"] == {"2024-01-31": 37, "2024-02-01": 60}
    writing = habit(dashboard(config, TODAY, kept), "writing")
    values = {"2024-01-20": 100, "2024-01-30": 250, "2024-01-31": 37, "2024-02-01": 60}
    assert days_of(writing) == window(values, {"2024-01-30"})
    assert grid(dashboard_text(root), "✍️ Écriture")[-1] == "| 2024-01-29 | · | ✅ 250 | 37 | 60 | · |   |   |"

    before = {rel: (root / rel).read_bytes() for rel in (DASHBOARD, STATE)}
    third = rebuild(config, now=TODAY)
    assert third.written == []
    assert {rel: (root / rel).read_bytes() for rel in (DASHBOARD, STATE)} == before


def test_moving_a_note_to_another_folder_is_not_writing(tmp_path: Path) -> None:
    """Moving a note between pipeline folders (Inbox → Idées) adds no words: it keeps its size."""
    root = new_vault(tmp_path)
    write(root, "Inbox/Note.md", words(150) + "\n", at=noon_utc("2024-01-29"))
    config = default_config(root)
    rebuild(config, now=TODAY)
    assert history(root)["added"] == {"2024-01-29": 150}
    (root / "Idées").mkdir()
    (root / "Inbox" / "Note.md").rename(root / "Idées" / "Note.md")  # a move keeps the mtime
    rebuild(config, now=TODAY)
    assert history(root)["added"] == {"2024-01-29": 150}


def test_ticking_a_checkbox_is_not_writing_a_word(tmp_path: Path) -> None:
    root = new_vault(tmp_path)
    write(root, "Journal/2024-01-30.md", "- [ ] Relire le plan\n")
    write(root, "Journal/2024-01-31.md", "- [x] Relire le plan\n")
    writing = habit(dashboard(default_config(root), TODAY), "writing")
    values = {d.day.isoformat(): d.value for d in writing.days if d.value}
    assert values == {"2024-01-30": 3, "2024-01-31": 3}


def test_a_note_saved_after_midnight_local_time_counts_on_that_local_day(
    tmp_path: Path, utc_plus_two: None
) -> None:
    """At 00:30 in UTC+2 it is already 2024-02-01 for the writer; an image saved at the same
    moment counts on 2024-02-01, and so must the words."""
    root = new_vault(tmp_path)
    moment = datetime(2024, 2, 1, 0, 30)  # local time
    beta = write(root, "Idées/Beta.md", f"---\ncreated: 2024-01-20\n---\n{words(100, 'idée')}\n")
    config = default_config(root)
    rebuild(config, now=TODAY)
    with beta.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{words(40, 'suite')}\n")
    os.utime(beta, (moment.timestamp(),) * 2)
    write(root, "img.png", b"\x89PNG\r\n\x1a\n", at=moment)
    rebuild(config, now=TODAY)
    board = dashboard(config, TODAY, history(root))
    image_days = {d.day.isoformat() for d in habit(board, "visuals").days if d.value}
    assert (history(root)["added"], image_days) == ({"2024-02-01": 40}, {"2024-02-01"})


# -- 3. reading ---------------------------------------------------------------------------


def test_reading_minutes_are_summed_per_day_and_a_reading_note_makes_a_day(tmp_path: Path) -> None:
    root = new_vault(tmp_path)
    write(root, "Journal/2024-01-29.md", "---\nreading: 60\n---\nLu un livre.\n")
    write(root, "Journal/2024-01-30.md", "---\nlecture: 45\n---\nLu le matin.\n")
    write(root, "Journal/2024-01-30 soir.md", '---\nlecture: "20 min"\n---\nLu le soir.\n')
    write(root, "1 - Input/Article.md", "---\ncreated: 2024-02-01\n---\nUn article sur l’écriture.\n")
    write(root, "Idées/Sans lecture.md", "---\ncreated: 2024-01-31\n---\nPas une note de lecture.\n")
    base = default_config(root)
    config = replace(base, dashboard=replace(base.dashboard, reading_minutes=60))
    reading = habit(dashboard(config, TODAY), "reading")
    assert reading.target == 60
    met = {"2024-01-29", "2024-01-30", "2024-02-01"}
    assert days_of(reading) == window({"2024-01-29": 60, "2024-01-30": 65}, met)
    assert {d.day.isoformat(): d.notes for d in reading.days if d.notes} == {"2024-02-01": 1}
    assert (reading.streak, reading.longest) == (1, 2)

    rebuild(config, now=TODAY)
    text = dashboard_text(root)
    assert "### 📚 Lecture — objectif : 60 minutes par jour" in text
    assert grid(text, "📚 Lecture")[-1] == "| 2024-01-29 | ✅ 60 min | ✅ 65 min | · | ✅ 📖 | · |   |   |"


def test_a_reading_note_counts_on_a_day_with_some_minutes_too(tmp_path: Path) -> None:
    """A reading note makes a day a reading day; 30 minutes read on top cannot undo that."""
    root = new_vault(tmp_path)
    write(root, "1 - Input/Article.md", "---\ncreated: 2024-02-01\n---\nUn article.\n")
    write(root, "1 - Input/Livre.md", "---\ncreated: 2024-01-31\n---\nUn livre.\n")
    write(root, "Journal/2024-01-31.md", "---\nlecture: 30\n---\nLu trente minutes.\n")
    base = default_config(root)
    config = replace(base, dashboard=replace(base.dashboard, reading_minutes=60))
    reading = habit(dashboard(config, TODAY), "reading")
    by_day = {d.day.isoformat(): (d.value, d.notes, d.met) for d in reading.days if d.value or d.notes}
    assert by_day == {"2024-01-31": (30, 1, True), "2024-02-01": (0, 1, True)}


# -- 4. visuals ---------------------------------------------------------------------------


def test_visuals_are_figma_links_on_their_day_and_images_on_their_mtime_day(tmp_path: Path) -> None:
    root = new_vault(tmp_path)
    figma = "Maquettes : https://www.figma.com/file/a et https://www.figma.com/file/b\n"
    write(root, "Journal/2024-01-28.md", figma)
    write(root, "Journal/2024-01-29.md", "Maquette : https://www.figma.com/file/abc\n")
    write(
        root, "Idées/Maquette.md", "---\ncreated: 2024-02-01\n---\n[maquette](https://figma.com/design/xyz)\n"
    )
    write(root, "img.png", b"\x89PNG\r\n\x1a\n", at=noon_local("2024-01-31"))
    write(root, "Assets/schema.canvas", '{"nodes":[],"edges":[]}', at=noon_local("2024-01-31"))
    write(root, "doc.pdf", b"%PDF-1.4\n", at=noon_local("2024-01-30"))  # not a visual
    config = default_config(root)
    visuals = habit(dashboard(config, TODAY), "visuals")
    values = {"2024-01-28": 2, "2024-01-29": 1, "2024-01-31": 2, "2024-02-01": 1}
    assert days_of(visuals) == window(values, set(values))
    assert (visuals.streak, visuals.longest) == (2, 2)

    rebuild(config, now=TODAY)
    assert grid(dashboard_text(root), "🎨 Visuels")[-2:] == [
        "| 2024-01-22 | · | · | · | · | · | · | ✅ 2 |",
        "| 2024-01-29 | ✅ 1 | · | ✅ 2 | ✅ 1 | · |   |   |",
    ]
    # The canvas the rebuild just wrote is no visual of the user's: nothing on the day it was written.
    written = date.fromtimestamp((root / "tlvault" / "Carte des idées.canvas").stat().st_mtime)
    assert habit(dashboard(config, written), "visuals").days[-1].value == 0


# -- 5. publishing ------------------------------------------------------------------------

PUBLISH_TODAY = date(2024, 2, 14)  # a Wednesday: the weeks of 01-22, 01-29, 02-05 and 02-12


def publishing_vault(tmp_path: Path) -> Path:
    root = new_vault(tmp_path)
    write(root, "Articles/A.md", "---\nstatus: publié\npublié_le: 2024-02-05\n---\nLundi.\n")
    write(root, "Articles/B.md", "---\nstatus: publié\npublié_le: 2024-02-11\n---\nDimanche.\n")
    write(root, "Articles/C.md", "---\nstatus: publié\npublié_le: 2024-01-29\n---\nMardi.\n")
    write(root, "Publié/D.md", "---\ncreated: 2024-01-23\n---\nPublié sans date de publication.\n")
    write(root, "Articles/E.md", "---\nstatus: publié\npublished: 2024-02-20\n---\nÀ venir.\n")
    write(root, "Articles/F.md", "---\nstatus: publié\npublié_le: 2024-01-21\n---\nAvant.\n")
    write(root, "Brouillons/G.md", "---\nstatus: brouillon\npublié_le: 2024-02-06\n---\nPas publié.\n")
    return root


def test_published_pieces_land_in_their_monday_week(tmp_path: Path) -> None:
    root = publishing_vault(tmp_path)
    config = default_config(root)
    board = dashboard(config, PUBLISH_TODAY)
    assert [(week.start, week.pieces) for week in board.published] == [
        (date(2024, 1, 22), ("Publié/D.md",)),
        (date(2024, 1, 29), ("Articles/C.md",)),
        (date(2024, 2, 5), ("Articles/A.md", "Articles/B.md")),
        (date(2024, 2, 12), ()),
    ]
    # this week is still open; F (2024-01-21, before the weeks shown) extends the streak to 4
    assert (board.publish_target, board.publish_streak) == (1, 4)

    rebuild(config, now=PUBLISH_TODAY)
    assert section_lines(dashboard_text(root), "Publication") == [
        "Objectif : 1 par semaine · série : 4 semaines d’affilée",
        "| Semaine du | Publié | Pièces |",
        "| --- | :-: | --- |",
        "| 2024-01-22 | ✅ 1 | [[Publié/D\\|D]] |",
        "| 2024-01-29 | ✅ 1 | [[Articles/C\\|C]] |",
        "| 2024-02-05 | ✅ 2 | [[Articles/A\\|A]], [[Articles/B\\|B]] |",
        "| 2024-02-12 | · 0 |  |",
    ]
    assert "📰 publié : 0/1 cette semaine" in dashboard_text(root)

    two = replace(config, dashboard=replace(config.dashboard, published_per_week=2))
    assert dashboard(two, PUBLISH_TODAY).publish_streak == 1


def test_the_publishing_streak_goes_back_further_than_the_weeks_shown(tmp_path: Path) -> None:
    """Five weeks in a row published, two weeks shown: the streak is still five weeks."""
    root = new_vault(tmp_path)
    for number, day in enumerate(("2024-01-15", "2024-01-22", "2024-01-29", "2024-02-05", "2024-02-12")):
        write(root, f"Articles/N{number}.md", f"---\nstatus: publié\npublié_le: {day}\n---\nPièce.\n")
    base = default_config(root)
    config = replace(base, dashboard=replace(base.dashboard, weeks=2))
    board = dashboard(config, PUBLISH_TODAY)
    assert [len(week.pieces) for week in board.published] == [1, 1]
    assert board.publish_streak == 5


# -- 6. focus -----------------------------------------------------------------------------


def test_focus_lists_open_checkboxes_of_the_last_week_once(tmp_path: Path) -> None:
    root = new_vault(tmp_path)
    write(root, "Journal/2024-02-02.md", "- [ ] Écrire l'intro\n- [x] Relire le plan\n- [ ] Appeler  Marie\n")
    write(root, "Journal/2024-01-30.md", "- [ ] écrire l'intro\n- [ ] Envoyer la newsletter\n- [x] Fait\n")
    write(root, "Journal/2024-01-27.md", "- [ ] Tâche du 27\n")  # six days ago: this week
    write(root, "Journal/2024-01-26.md", "- [ ] Vieille tâche\n")  # seven days ago: too old
    write(root, "Journal/2024-02-05.md", "- [ ] Futur\n")  # after today
    write(root, "Idées/Projet.md", "- [ ] Pas une tâche du journal\n")
    config = default_config(root)
    focus = dashboard(config, TODAY).focus
    assert [(item.text, item.journal) for item in focus] == [
        ("Écrire l'intro", "Journal/2024-02-02.md"),
        ("Appeler Marie", "Journal/2024-02-02.md"),
        ("Envoyer la newsletter", "Journal/2024-01-30.md"),
        ("Tâche du 27", "Journal/2024-01-27.md"),
    ]
    rebuild(config, now=TODAY)
    assert section_lines(dashboard_text(root), "Sur quoi se concentrer") == [
        "- Écrire l'intro — [[Journal/2024-02-02|2024-02-02]]",
        "- Appeler Marie — [[Journal/2024-02-02|2024-02-02]]",
        "- Envoyer la newsletter — [[Journal/2024-01-30|2024-01-30]]",
        "- Tâche du 27 — [[Journal/2024-01-27|2024-01-27]]",
    ]
    # Nothing this week: the latest journal note with an open box speaks.
    later = dashboard(config, date(2024, 2, 20)).focus
    assert [(item.text, item.journal) for item in later] == [("Futur", "Journal/2024-02-05.md")]


# -- 7. scorecard -------------------------------------------------------------------------

TICKED = {1, 4, 6, 12, 15, 2, 3, 5, 10, 11, 7, 13, 16, 17, 19, 21, 23, 35}


def quiz_text(ticked: set[int]) -> str:
    boxes = [f"- [{'x' if n in ticked else ' '}] Q{n} — Question numéro {n} ?" for n in range(1, 36)]
    return "---\ntags: [quiz]\n---\n# Quiz thought leader\n\n" + "\n".join(boxes) + "\n"


def answers(ticked: set[int]) -> str:
    return "".join("y" if n in ticked else "n" for n in range(1, 36))


def test_scorecard_by_pillar_and_its_history(tmp_path: Path) -> None:
    root = new_vault(tmp_path)
    quiz = write(root, "Bilan/Quiz.md", quiz_text(TICKED))
    write(root, "Bilan/Quiz original.md", "---\ntags: [quiz]\n---\n- As-tu une newsletter ?\n")
    config = default_config(root)
    card = dashboard(config, TODAY).scorecard
    assert card is not None
    assert card.note == "Bilan/Quiz.md"
    assert card.answers == "yyyyyyynnyyyynyyynynynynnnnnnnnnnny" == answers(TICKED)
    assert [(p.pillar, p.yes, p.questions, p.weak) for p in card.pillars] == [
        ("ideas", 5, 9, False),
        ("content", 3, 7, True),
        ("audience", 2, 4, False),  # exactly half is not below 0.5
        ("authority", 8, 8, False),
        ("business", 0, 7, True),
    ]

    rebuild(config, now=TODAY)
    assert section_lines(dashboard_text(root), "Bilan de thought leader") == [
        "Quiz : [[Bilan/Quiz|Quiz]] — 18 oui sur 35 questions",
        "| Pilier | Score | | Clusters qui le feraient progresser |",
        "| --- | ---: | --- | --- |",
        f"| Idées | 5/9 | {'🟩' * 6}{'⬜' * 4} | {NO_MOVERS} |",
        f"| Contenu ⚠️ à renforcer | 3/7 | {'🟩' * 4}{'⬜' * 6} | {NO_MOVERS} |",
        f"| Audience | 2/4 | {'🟩' * 5}{'⬜' * 5} | {NO_MOVERS} |",
        f"| Autorité | 8/8 | {'🟩' * 10} | {NO_MOVERS} |",
        f"| Business ⚠️ à renforcer | 0/7 | {'⬜' * 10} | {NO_MOVERS} |",
        "### Historique",
        "| Date | Idées | Contenu | Audience | Autorité | Business | Total |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| 2024-02-02 | 5 | 3 | 2 | 8 | 0 | 18 |",
    ]
    first_row = {"day": "2024-02-02", "answers": answers(TICKED), "yes": [5, 3, 2, 8, 0]}
    assert history(root)["scorecard"] == [first_row]

    quiz.write_text(quiz_text(TICKED | {9}), encoding="utf-8")  # a business question, a week later
    later = date(2024, 2, 9)
    rebuild(config, now=later)
    second_row = {"day": "2024-02-09", "answers": answers(TICKED | {9}), "yes": [5, 3, 2, 8, 1]}
    assert history(root)["scorecard"] == [first_row, second_row]
    lines = section_lines(dashboard_text(root), "Bilan de thought leader")
    assert lines[0] == "Quiz : [[Bilan/Quiz|Quiz]] — 19 oui sur 35 questions"
    assert lines[-2:] == [
        "| 2024-02-02 | 5 | 3 | 2 | 8 | 0 | 18 |",
        "| 2024-02-09 | 5 | 3 | 2 | 8 | 1 | 19 |",
    ]

    again = rebuild(config, now=later)
    assert again.written == []
    assert history(root)["scorecard"] == [first_row, second_row]


def test_a_quiz_answered_with_oui_and_non_lines(tmp_path: Path) -> None:
    root = new_vault(tmp_path)
    lines = [
        "1. As-tu une newsletter ? Oui",
        "2. Publies-tu chaque semaine ? non.",
        "3. Do you have a framework? yes!",
        "4. As-tu un produit ? Non",
    ]
    write(root, "Quiz.md", "---\ntype: quiz\n---\n# Mon quiz\n\n" + "\n".join(lines) + "\n")
    config = default_config(root)
    card = dashboard(config, TODAY).scorecard
    assert card is not None
    assert (card.note, card.answers, card.answered, card.yes) == ("Quiz.md", "ynyn", 4, 2)
    assert [(p.pillar, p.yes, p.questions, p.weak) for p in card.pillars] == [
        ("ideas", 1, 2, False),  # questions 1 and 4
        ("content", 1, 2, False),  # questions 2 and 3
        ("audience", 0, 0, False),
        ("authority", 0, 0, False),
        ("business", 0, 0, False),
    ]
    rebuild(config, now=TODAY)
    assert "Quiz : [[Quiz]] — 2 oui sur 4 questions" in dashboard_text(root)


def test_an_unanswered_question_keeps_the_numbers_of_the_next_ones(tmp_path: Path) -> None:
    """Question 2 has no answer yet: question 4 is still question 4 (an ideas question)."""
    root = new_vault(tmp_path)
    lines = [
        "1. As-tu une newsletter ? oui",
        "2. Publies-tu chaque semaine ?",
        "3. As-tu un cadre à toi ? non",
        "4. As-tu un produit ? oui",
    ]
    write(root, "Quiz.md", "---\ntags: [quiz]\n---\n" + "\n".join(lines) + "\n")
    card = dashboard(default_config(root), TODAY).scorecard
    assert card is not None
    assert (card.answers, card.answered) == ("y-ny", 3)
    assert [(p.pillar, p.yes) for p in card.pillars][:2] == [("ideas", 2), ("content", 0)]


# -- 8. the Bases file and the links ------------------------------------------------------


def test_base_file_is_plain_yaml_that_lists_the_cluster_notes(tmp_path: Path) -> None:
    root = new_vault(tmp_path)
    write(root, "Journal/2024-01-30.md", words(10) + "\n")
    rebuild(default_config(root), now=TODAY)
    text = (root / BASE).read_text("utf-8")
    assert text.splitlines()[0] == "# tlvault: generated"
    document = yaml.safe_load(text)
    assert set(document) >= {"filters", "views"}
    assert document["filters"] == {"and": ['file.inFolder("tlvault/clusters")', 'tlvault_kind == "cluster"']}
    assert [view["type"] for view in document["views"]] == ["table", "table"]
    assert [view["name"] for view in document["views"]] == ["Par étape", "Par maturité"]
    events = list(yaml.parse(text))
    assert not [e for e in events if isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None)]


def test_every_link_of_the_dashboard_resolves_and_the_index_links_to_it(tmp_path: Path) -> None:
    today = date(2026, 11, 20)
    root = tmp_path / "vault"
    write_vault(generate_vault(120, seed=1, language="fr", today=today), root)
    write(root, "Bilan/Quiz.md", quiz_text(TICKED))
    rebuild(default_config(root), now=today)
    text = dashboard_text(root)
    files = scan_vault(default_config(root)).files
    index = LinkIndex(files)
    targets = wikilinks(text)
    assert len(targets) >= 6  # momentum, readings, published pieces, focus, the quiz
    assert "Bilan/Quiz" in targets
    assert any(t.startswith("tlvault/clusters/") for t in targets)
    assert [t for t in targets if index.resolve(t, DASHBOARD.as_posix()) is None] == []

    index_note = (root / "tlvault" / "Idées à cultiver.md").read_text("utf-8")
    assert (
        "Habitudes, publication et bilan : [[tlvault/Tableau de bord|Tableau de bord]] · "
        "pipeline : [[tlvault/Pipeline des idées.base|Pipeline des idées]]"
    ) in index_note
    resolved = {index.resolve(t, "tlvault/Idées à cultiver.md") for t in wikilinks(index_note)}
    assert {DASHBOARD.as_posix(), BASE.as_posix()} <= resolved


# -- 9. config and language ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["[0]", '"x"', "[1, two]", "[true]"])
def test_quiz_pillars_must_be_question_numbers(tmp_path: Path, value: str) -> None:
    root = new_vault(tmp_path)
    path = tmp_path / "config.yaml"
    path.write_text(f"vault: vault\ndashboard:\n  quiz:\n    pillars:\n      ideas: {value}\n", "utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).splitlines() == [
        "config.yaml: dashboard.quiz.pillars.ideas must be a list of question numbers from 1, "
        "e.g. `[1, 4, 6]`"
    ]
    path.write_text("vault: vault\ndashboard:\n  quiz:\n    pillars:\n      ideas: [2, 5]\n", "utf-8")
    config = load_config(path)
    assert config.vault == root
    assert config.dashboard.quiz.pillars.ideas == (2, 5)
    assert config.dashboard.quiz.pillars.content == (2, 3, 5, 8, 24, 30, 31)


def test_an_english_vault_gets_english_names(tmp_path: Path) -> None:
    root = new_vault(tmp_path)
    write(root, "Journal/2024-01-30.md", words(250) + "\n")
    config = replace(default_config(root), language="en")
    report = rebuild(config, now=TODAY)
    assert {"Dashboard.md", "Idea pipeline.base"} <= set(report.written)
    assert not (root / DASHBOARD).exists() and not (root / BASE).exists()
    text = (root / "tlvault" / "Dashboard.md").read_text("utf-8")
    assert "# Dashboard" in text
    assert grid(text, "✍️ Writing")[-1] == "| 2024-01-29 | · | ✅ 250 | · | · | · |   |   |"
    document = yaml.safe_load((root / "tlvault" / "Idea pipeline.base").read_text("utf-8"))
    assert [view["name"] for view in document["views"]] == ["By stage", "By ripeness"]
    index_note = (root / "tlvault" / "Ideas to cultivate.md").read_text("utf-8")
    assert (
        "[[tlvault/Dashboard|Dashboard]] · pipeline: [[tlvault/Idea pipeline.base|Idea pipeline]]"
        in index_note
    )


def test_a_user_note_named_like_the_dashboard_is_left_alone(tmp_path: Path) -> None:
    root = new_vault(tmp_path)
    mine = write(root, "Tableau de bord.md", "Mon propre tableau.\n")
    report = rebuild(default_config(root), now=TODAY)
    assert "Tableau de bord (tlvault).md" in report.written
    assert mine.read_text("utf-8") == "Mon propre tableau.\n"
    assert "[[tlvault/Tableau de bord (tlvault)|Tableau de bord]]" in (
        root / "tlvault" / "Idées à cultiver.md"
    ).read_text("utf-8")


# -- what a watcher remembers between rebuilds ----------------------------------------------------


def test_a_remembering_dashboard_is_the_dashboard(tmp_path: Path) -> None:
    """Per-note answers (quiz marks, reading minutes, active days, creation days) and per-path
    ones (images) kept between a watcher's rebuilds, computed once and asked twice, give the
    dashboard a one-shot rebuild gives."""
    root = new_vault(tmp_path)
    write(root, "A - Premier.md", "- [x] Déjà fait ?\n- [ ] Pas encore ?\n")  # not a quiz: answered
    write(root, "Quiz.md", "---\ntags: [quiz]\n---\n- [x] Un ?\n- [ ] Deux ?\n")
    write(root, "Type.md", "---\ntype: Scorecard\n---\nUne question ?\n")
    write(root, "Lecture.md", "---\ncreated: 2024-01-29\nlecture: 45\nreading: 15\n---\nLu.\n")
    write(root, "1 - Input/Livre.md", "---\ncreated: 2024-01-30\nupdated: 2024-02-01\n---\nNotes.\n")
    write(root, "Sans date.md", words(300), at=noon_local("2024-01-31"))
    write(root, "schéma.png", b"\x89PNG", at=noon_local("2024-02-01"))
    write(root, "plan.canvas", '{"nodes": [], "edges": []}', at=noon_local("2024-02-01"))
    write(root, "tlvault/Carte.canvas", '{"nodes": [], "edges": []}', at=noon_local("2024-02-01"))
    config = default_config(root)
    fresh = dashboard(config, TODAY)
    memo.remember(True)
    try:
        parsed = read_vault(config, Report())
        analysis = analyse(config, parsed, now=TODAY)
        asked = [
            build_dashboard(
                config,
                parsed.notes,
                parsed.files,
                analysis.graph,
                analysis.insights.clusters,
                {},
                today=TODAY,
            )
            for _ in range(2)
        ]
    finally:
        memo.remember(False)
    assert asked == [fresh, fresh]
    assert fresh.scorecard is not None and fresh.scorecard.note == "Quiz.md"
    visuals = {day.day: day.value for day in fresh.habits[2].days if day.value}
    assert visuals == {date(2024, 2, 1): 2}  # not the generated canvas
    assert {day.day: day.value for day in fresh.habits[1].days if day.value} == {date(2024, 1, 29): 60}
