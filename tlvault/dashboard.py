"""build_dashboard(...) -> Dashboard: habits, momentum, publishing and the scorecard, read from the vault.

Nothing is logged by hand. Writing is the words of notes on the day they were created (the
`created` property, a journal note's date) plus the words notes gained between two rebuilds, on
the day of the change; the state file keeps each note's word count for that. Reading is minutes
from properties such as `lecture: 45`, and reading notes (the `stages.harvest` rule) created or
updated that day. Visuals are images and canvases saved that day and Figma links written that day.
"""

from __future__ import annotations

import operator
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from tlvault import memo
from tlvault.config import PILLARS, STAGES, Config
from tlvault.graph import journal_day
from tlvault.memo import per_note
from tlvault.model import Note
from tlvault.results import IdeaGraph, ScoredCluster
from tlvault.score import stage_matcher

STREAK_DAYS = 366  # how far back a streak is followed
_LEDGER_DAYS = 400  # days of word growth the state keeps
_FOCUS_DAYS = 7  # open checkboxes of the journal notes of the last week
_FOCUS_MAX = 12
_READINGS_MAX = 3
_MOMENTUM_MAX = 8  # clusters in the momentum table
_MOVERS_MAX = 3
_VISUALS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "heic", "canvas", "excalidraw"})
_FIGMA = re.compile(r"\bfigma\.com/", re.IGNORECASE)
_ANSWER = re.compile(r"(?:^|[\s:—–\-?])(oui|non|yes|no)\s*[.!]?\s*$", re.IGNORECASE)
_MINUTES = re.compile(r"^\s*(\d+(?:[.,]\d+)?)")
_REL = operator.attrgetter("rel")
PUBLISH = STAGES.index("publish")
HARVEST = STAGES.index("harvest")


@dataclass(frozen=True)
class HabitDay:
    """One day of one habit: its value (words, minutes or visuals) and whether the target was met."""

    day: date
    value: int
    met: bool
    notes: int = 0  # reading notes that day (reading only)


@dataclass(frozen=True)
class Habit:
    """A habit over the dashboard's weeks, with its streaks."""

    name: str  # writing, reading or visuals
    target: int
    days: tuple[HabitDay, ...]  # from the Monday `weeks` weeks ago to today
    streak: int  # target met every day up to today (or up to yesterday, today being still open)
    longest: int  # the longest run of met days in the last year


@dataclass(frozen=True)
class Momentum:
    """How often the journal came back to a cluster lately, and the reading that fed it."""

    cluster: ScoredCluster
    week: int  # distinct journal days in the last 7 days
    month: int  # distinct journal days in the last 30 days
    readings: tuple[str, ...]  # reading notes in or linking into the cluster, latest first


@dataclass(frozen=True)
class PublishedWeek:
    """The pieces published in one week (Monday to Sunday)."""

    start: date
    pieces: tuple[str, ...]  # note rels


@dataclass(frozen=True)
class FocusItem:
    """An open checkbox of a recent journal note."""

    text: str
    journal: str  # note rel


@dataclass(frozen=True)
class PillarScore:
    """The quiz's answers for one pillar, and the ripe clusters that would move it."""

    pillar: str  # one of PILLARS
    yes: int
    questions: int
    weak: bool
    movers: tuple[ScoredCluster, ...]


@dataclass(frozen=True)
class ScoreRow:
    """The scorecard as it was on a day its answers changed."""

    day: date
    answers: str  # one character per question: y, n or - (unanswered)
    yes: tuple[int, ...]  # yes answers per pillar, in PILLARS order


@dataclass(frozen=True)
class Scorecard:
    """The self-assessment quiz scored by pillar, with its history."""

    note: str  # the quiz note's rel
    answers: str
    pillars: tuple[PillarScore, ...]
    history: tuple[ScoreRow, ...]  # oldest first

    @property
    def answered(self) -> int:
        """Questions with an answer."""
        return sum(answer != "-" for answer in self.answers)

    @property
    def yes(self) -> int:
        """Questions answered yes."""
        return self.answers.count("y")


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard note shows, and what the state keeps for the next rebuild."""

    today: date
    start: date  # the Monday the habit and publishing weeks start
    habits: tuple[Habit, ...]
    momentum: tuple[Momentum, ...]
    published: tuple[PublishedWeek, ...]  # oldest first
    publish_target: int
    publish_streak: int  # weeks in a row (this one included when met) that met the target
    focus: tuple[FocusItem, ...]
    scorecard: Scorecard | None
    quiz_problem: str | None  # why there is no scorecard, when a quiz note exists but cannot be read
    history: Mapping[str, Any]  # for the state file


def build_dashboard(
    config: Config,
    notes: Sequence[Note],
    files: Sequence[str],
    graph: IdeaGraph,
    clusters: Sequence[ScoredCluster],
    history: Mapping[str, Any],
    *,
    today: date,
) -> Dashboard:
    """The dashboard of the vault for `today`; `history` is what the last rebuild's state kept."""
    settings = config.dashboard
    start = today - timedelta(days=today.weekday() + 7 * (settings.weeks - 1))
    journal = {note.rel for note in graph.journal}
    words, ledger, written = _writing(notes, journal, history, today)
    stage = stage_matcher(config)
    stages = {note.rel: stage(note) for note in notes}
    reading = {rel for rel, reached in stages.items() if reached == HARVEST and rel not in journal}
    minutes, reading_notes = _reading(config, notes, journal, reading)
    visuals = _visuals(config, notes, files, journal)
    habits = (
        _habit("writing", settings.writing_words, written, start, today),
        _habit("reading", settings.reading_minutes, minutes, start, today, reading_notes),
        _habit("visuals", settings.visuals_per_day, visuals, start, today),
    )
    pieces = [note for note in notes if stages[note.rel] == PUBLISH]
    published = _published(config, pieces, start, today, config.dashboard.weeks)
    year = _published(config, pieces, today - timedelta(days=today.weekday() + 7 * 51), today, 52)
    scorecard, problem = _scorecard(config, notes, clusters, history, today)
    kept: dict[str, Any] = {
        "words": {rel: last for rel, (_, last) in words.items()},
        "first_words": {rel: first for rel, (first, last) in words.items() if first != last},
        "added": {day.isoformat(): count for day, count in sorted(ledger.items())},
        "scorecard": [
            {"day": row.day.isoformat(), "answers": row.answers, "yes": list(row.yes)}
            for row in (scorecard.history if scorecard else _old_rows(history))
        ],
    }
    return Dashboard(
        today=today,
        start=start,
        habits=habits,
        momentum=_momentum(notes, reading, graph, clusters, today),
        published=published,
        publish_target=settings.published_per_week,
        publish_streak=_week_streak(year, settings.published_per_week),
        focus=_focus(notes, journal, today),
        scorecard=scorecard,
        quiz_problem=problem,
        history=kept,
    )


# -- habits ------------------------------------------------------------------------------


def saved_day(note: Note) -> date | None:
    """The local day a note's file was last saved (notes carry their mtime as naive UTC)."""
    return note.mtime.replace(tzinfo=UTC).astimezone().date() if note.mtime else None


def activity_day(note: Note) -> date | None:
    """The `updated` property's day, else `created`'s (both local), else the local day of the last save."""
    moment = note.updated or note.created
    return moment.date() if moment else saved_day(note)


def _day_of(note: Note, journal: set[str]) -> date | None:
    """The day a journal note is about, else the note's activity day (asked only when needed:
    it converts a time to the local zone)."""
    return journal_day(note) if note.rel in journal else activity_day(note)


def _birth_day(note: Note, journal: set[str]) -> date | None:
    if note.created is not None:
        return _created_day(note)
    return journal_day(note) if note.rel in journal else None


@per_note
def _created_day(note: Note) -> date | None:
    return note.created.date() if note.created is not None else None


def _writing(
    notes: Sequence[Note], journal: set[str], history: Mapping[str, Any], today: date
) -> tuple[dict[str, tuple[int, int]], Counter[date], Counter[date]]:
    """Each note's word counts (first seen, last seen), the ledger of words added to notes on
    the day they changed, and the words written per day."""
    known = _follow_moves(_known_words(history), notes)
    ledger = _ledger(history, today)
    written: Counter[date] = Counter()
    words: dict[str, tuple[int, int]] = {}
    # The day of the last save is only looked up when it is needed: it is a time zone conversion.
    for note in sorted(notes, key=_REL):  # the order of the state's word counts
        count, birth = note.word_count, _birth_day(note, journal)
        if note.rel not in known:
            first = count
            if birth is None and (changed := saved_day(note)) is not None:  # no birthday: written when saved
                ledger[changed] += count
        else:
            first, last = known[note.rel]
            if count > last and (changed := saved_day(note)) is not None:
                ledger[changed] += count - last
        words[note.rel] = (first, count)
        if birth is not None:
            written[birth] += first
    written.update(ledger)
    return words, ledger, written


def _follow_moves(known: dict[str, tuple[int, int]], notes: Sequence[Note]) -> dict[str, tuple[int, int]]:
    """Word counts of notes moved or renamed since the last rebuild, carried to their new path: a
    vanished note and a new one pair up by file name (a move), else by an unambiguous word count
    (a rename), so that a move is not mistaken for writing."""
    current = {note.rel: note for note in notes}
    gone = sorted(rel for rel in known if rel not in current)
    new = sorted(rel for rel in current if rel not in known)
    if not gone or not new:
        return known
    moved = dict(known)
    for match in (_file_name, lambda rel: known[rel][1] if rel in known else current[rel].word_count):
        by_key: dict[object, list[str]] = defaultdict(list)
        for rel in gone:
            by_key[match(rel)].append(rel)
        for rel in list(new):
            candidates = by_key.get(match(rel), [])
            if len(candidates) == 1 and sum(match(other) == match(rel) for other in new) == 1:
                old = candidates.pop()
                moved[rel] = moved.pop(old)
                gone.remove(old)
                new.remove(rel)
    return moved


def _file_name(rel: str) -> str:
    return rel.rsplit("/", 1)[-1].casefold()


def _known_words(history: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Each note's (first, last) word count from the state: `words` holds the last, `first_words`
    the first when it differs (most notes never change, and the state stays small)."""
    last, first = history.get("words"), history.get("first_words")
    last = last if isinstance(last, dict) else {}
    first = first if isinstance(first, dict) else {}
    known: dict[str, tuple[int, int]] = {}
    for rel, count in last.items():
        if isinstance(count, int):
            start = first.get(rel, count)
            known[str(rel)] = (start if isinstance(start, int) else count, count)
    return known


def _ledger(history: Mapping[str, Any], today: date) -> Counter[date]:
    ledger: Counter[date] = Counter()
    raw = history.get("added")
    oldest = today - timedelta(days=_LEDGER_DAYS)
    if isinstance(raw, dict):
        for key, count in raw.items():
            day = _iso_day(key)
            if day is not None and day >= oldest and isinstance(count, int):
                ledger[day] += count
    return ledger


def _reading(
    config: Config, notes: Sequence[Note], journal: set[str], reading: set[str]
) -> tuple[Counter[date], Counter[date]]:
    """Minutes read per day (properties) and reading notes created or updated per day."""
    minutes: Counter[date] = Counter()
    reading_notes: Counter[date] = Counter()
    spent_on = _minutes_reader(config.dashboard.minutes_properties)
    for note in notes:
        spent = spent_on(note)
        if spent and (day := _day_of(note, journal)) is not None:
            minutes[day] += spent
        if note.rel in reading:
            for active in _active_days(note):
                reading_notes[active] += 1
    return minutes, reading_notes


@lru_cache(maxsize=8)
def _minutes_reader(keys: tuple[str, ...]) -> Callable[[Note], int]:
    """The minutes of reading a note's properties `keys` say, remembered per note."""
    wanted = frozenset(keys)

    def spent(note: Note) -> int:
        if wanted.isdisjoint([prop.key for prop in note.properties]):  # most notes have none
            return 0
        return sum(_minutes(note.prop(key)) for key in keys)

    return per_note(spent)


def _minutes(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return max(0, round(value))
    if isinstance(value, str) and (match := _MINUTES.match(value)):
        return max(0, round(float(match[1].replace(",", "."))))
    return 0


@per_note
def _active_days(note: Note) -> frozenset[date]:
    """The days a note was created and last updated."""
    days = {note.created.date() if note.created else None, activity_day(note)}
    return frozenset(day for day in days if day is not None)


def _visuals(config: Config, notes: Sequence[Note], files: Sequence[str], journal: set[str]) -> Counter[date]:
    """Images and canvases saved per day, and Figma links written per day."""
    counts: Counter[date] = Counter()
    output = config.output_folder + "/"
    for rel in _visual_files(files):
        if not rel.startswith(output):
            try:
                counts[date.fromtimestamp(Path(config.vault, rel).stat().st_mtime)] += 1
            except (OSError, ValueError, OverflowError):  # gone since the scan, or a wild mtime
                continue
    for note in notes:
        figma = _figma_links(note)
        if figma and (day := _day_of(note, journal)) is not None:
            counts[day] += figma
    return counts


def _visual_files(files: Sequence[str]) -> list[str]:
    """The images and canvases among `files`; a watcher remembers the answer for each path."""
    return [rel for rel, visual in zip(files, _VISUAL_PATHS.each(files), strict=True) if visual]


def _is_visual(rel: str) -> bool:
    return "." in rel and rel.rsplit(".", 1)[-1].lower() in _VISUALS


_VISUAL_PATHS = memo.PerPath(_is_visual)


@per_note
def _figma_links(note: Note) -> int:
    """Figma links in the note's text and in its link targets."""
    # A look at all the note's text at once first: few notes have any, and most have many paragraphs.
    text = "\n".join([paragraph.text for paragraph in note.paragraphs])
    found = 0
    if "igma.com" in text or "IGMA.COM" in text:
        found = sum(
            len(_FIGMA.findall(paragraph.text))
            for paragraph in note.paragraphs
            if "igma.com" in paragraph.text or "IGMA.COM" in paragraph.text  # cheap filter first
        )
    targets = "\n".join([link.target for link in note.links])
    if "igma.com/" in targets:
        found += sum("igma.com/" in link.target and bool(_FIGMA.search(link.target)) for link in note.links)
    return found


def _habit(
    name: str,
    target: int,
    values: Mapping[date, int],
    start: date,
    today: date,
    notes: Mapping[date, int] | None = None,
) -> Habit:
    notes = notes or {}

    def met(day: date) -> bool:
        value = values.get(day, 0)
        return value >= target or notes.get(day, 0) > 0  # a reading note is a reading day

    days = tuple(
        HabitDay(day, values.get(day, 0), met(day), notes.get(day, 0)) for day in _days(start, today)
    )
    year = [met(day) for day in _days(today - timedelta(days=STREAK_DAYS - 1), today)]
    return Habit(name, target, days, _current_streak(year), _longest_streak(year))


def _days(first: date, last: date) -> Iterable[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def _current_streak(met: Sequence[bool]) -> int:
    """Met days in a row ending today; today not met yet does not break the streak."""
    ends = met[:-1] if met and not met[-1] else met
    streak = 0
    for value in reversed(ends):
        if not value:
            break
        streak += 1
    return streak


def _longest_streak(met: Sequence[bool]) -> int:
    longest = run = 0
    for value in met:
        run = run + 1 if value else 0
        longest = max(longest, run)
    return longest


# -- momentum, publishing, focus ---------------------------------------------------------


def _momentum(
    notes: Sequence[Note],
    reading: set[str],
    graph: IdeaGraph,
    clusters: Sequence[ScoredCluster],
    today: date,
) -> tuple[Momentum, ...]:
    """The clusters the journal came back to most in the last 30 days, most this week first."""
    by_rel = {note.rel: note for note in notes}
    membership = {rel: scored.cluster.id for scored in clusters for rel in scored.cluster.notes}
    fed: dict[str, set[str]] = defaultdict(set)
    for note in notes:
        if note.rel not in reading:
            continue
        if note.rel in membership:
            fed[membership[note.rel]].add(note.rel)
        for other, data in graph.adjacency.get(note.rel, {}).items():
            if "wikilink" in data["kinds"] and other in membership:
                fed[membership[other]].add(note.rel)
    found = []
    for scored in clusters:
        days = {mention.day for mention in scored.timeline if mention.day <= today}
        week = sum((today - day).days < 7 for day in days)
        month = sum((today - day).days < 30 for day in days)
        if month:
            readings = sorted(
                fed[scored.cluster.id], key=lambda rel: (-_ordinal(activity_day(by_rel[rel])), rel)
            )
            found.append(Momentum(scored, week, month, tuple(readings[:_READINGS_MAX])))
    found.sort(key=lambda m: (-m.week, -m.month, -m.cluster.ripeness, m.cluster.cluster.id))
    return tuple(found[:_MOMENTUM_MAX])


def _ordinal(day: date | None) -> int:
    return day.toordinal() if day else 0


def published_day(note: Note, properties: Sequence[str]) -> date | None:
    """The day a piece was published: a date property, else its last activity."""
    for key in properties:
        day = _iso_day(note.prop(key))
        if day is not None:
            return day
    return activity_day(note)


def _published(
    config: Config, published: Sequence[Note], start: date, today: date, count: int
) -> tuple[PublishedWeek, ...]:
    """The published notes of each of the `count` weeks from the Monday `start`."""
    weeks: dict[date, list[str]] = {start + timedelta(weeks=n): [] for n in range(count)}
    for note in published:
        day = published_day(note, config.dashboard.published_date_properties)
        if day is not None and start <= day <= today:
            weeks[day - timedelta(days=day.weekday())].append(note.rel)
    return tuple(PublishedWeek(monday, tuple(sorted(rels))) for monday, rels in sorted(weeks.items()))


def _week_streak(weeks: Sequence[PublishedWeek], target: int) -> int:
    met = [len(week.pieces) >= target for week in weeks]
    return _current_streak(met)


def _focus(notes: Sequence[Note], journal: set[str], today: date) -> tuple[FocusItem, ...]:
    """Open checkboxes of the journal notes of the last week (else of the latest one), newest first."""
    dated = [
        (day, note)
        for note in notes
        if note.rel in journal
        and (day := journal_day(note)) is not None
        and day <= today
        and any(not box.is_checked for box in note.checkboxes)
    ]
    if not dated:
        return ()
    dated.sort(key=lambda pair: (pair[0], pair[1].rel), reverse=True)
    recent = [pair for pair in dated if (today - pair[0]).days < _FOCUS_DAYS] or dated[:1]
    items: list[FocusItem] = []
    seen: set[str] = set()
    for _, note in recent:
        for box in note.checkboxes:
            key = " ".join(box.text.split()).casefold()
            if not box.is_checked and key and key not in seen:
                seen.add(key)
                items.append(FocusItem(" ".join(box.text.split()), note.rel))
    return tuple(items[:_FOCUS_MAX])


# -- scorecard ---------------------------------------------------------------------------


def find_quiz(config: Config, notes: Sequence[Note]) -> Note | None:
    """The quiz note: the one named in config, else the first with a quiz tag or `type` (one that has
    answers first, so that a checklist copy wins over the plain list it was made from)."""
    wanted = config.dashboard.quiz.note.strip().strip("/")
    if wanted:
        wanted_rel = wanted if wanted.lower().endswith(".md") else wanted + ".md"
        return next((note for note in notes if note.rel == wanted_rel), None)
    is_quiz = _quiz_matcher(frozenset(tag.lower().lstrip("#") for tag in config.dashboard.quiz.tags))
    found = [note for note in notes if is_quiz(note)]
    return min(found, key=lambda n: (not _answered(quiz_answers(n)), n.rel), default=None)


@lru_cache(maxsize=8)
def _quiz_matcher(tags: frozenset[str]) -> Callable[[Note], bool]:
    """Whether a note is a quiz by its tags or `type`, for one set of quiz tags (remembered per
    note: the dashboard asks it of every note at every rebuild)."""

    def is_quiz(note: Note) -> bool:
        kind = note.prop("type")
        return bool(tags.intersection(note.tags)) or (isinstance(kind, str) and kind.strip().lower() in tags)

    return per_note(is_quiz)


def quiz_answers(note: Note) -> str:
    """One character per question, in note order: y, n, or - when unanswered.

    Questions are the note's checkboxes (ticked: yes); in a note without checkboxes, they are
    the lines ending in oui/non (yes/no), and the lines ending in `?`, not answered yet.
    """
    if note.checkboxes:
        return "".join("y" if box.is_checked else "n" for box in note.checkboxes)
    answers = []
    for paragraph in note.paragraphs:
        for line in paragraph.text.splitlines():
            match = _ANSWER.search(line)
            if match:
                answers.append("y" if match[1].lower() in ("oui", "yes") else "n")
            elif line.rstrip().endswith("?"):
                answers.append("-")
    return "".join(answers)


def _answered(answers: str) -> bool:
    return "y" in answers or "n" in answers


def _scorecard(
    config: Config,
    notes: Sequence[Note],
    clusters: Sequence[ScoredCluster],
    history: Mapping[str, Any],
    today: date,
) -> tuple[Scorecard | None, str | None]:
    quiz = find_quiz(config, notes)
    if quiz is None:
        return None, None
    answers = quiz_answers(quiz)
    if not _answered(answers):
        return None, quiz.rel
    settings = config.dashboard.quiz
    pillars = []
    for pillar in PILLARS:
        numbers = [n for n in getattr(settings.pillars, pillar) if n <= len(answers)]
        yes = sum(answers[n - 1] == "y" for n in numbers)
        weak = bool(numbers) and yes / len(numbers) < settings.weak_below
        pillars.append(PillarScore(pillar, yes, len(numbers), weak, _movers(pillar, clusters)))
    rows = list(_old_rows(history))
    if not rows or rows[-1].answers != answers:
        rows.append(ScoreRow(today, answers, tuple(p.yes for p in pillars)))
    return Scorecard(quiz.rel, answers, tuple(pillars), tuple(rows)), None


def _old_rows(history: Mapping[str, Any]) -> tuple[ScoreRow, ...]:
    rows = []
    raw = history.get("scorecard")
    for item in raw if isinstance(raw, list) else ():
        if not isinstance(item, dict):
            continue
        day, answers, yes = _iso_day(item.get("day")), item.get("answers"), item.get("yes")
        counts = [n for n in yes if isinstance(n, int)] if isinstance(yes, list) else []
        if day and isinstance(answers, str) and isinstance(yes, list) and len(counts) == len(yes):
            rows.append(ScoreRow(day, answers, tuple(counts)))
    return tuple(rows)


def _movers(pillar: str, clusters: Sequence[ScoredCluster]) -> tuple[ScoredCluster, ...]:
    """The ripe clusters that would move a pillar (README, "Scorecard")."""
    ripe = [scored for scored in clusters if scored.band in ("ripe", "harvest")]
    if pillar == "ideas":
        ripe.sort(key=lambda s: -s.signals.get("bridges", 0.0))  # ideas that join fields
    elif pillar == "audience":
        ripe = [s for s in ripe if s.format in ("newsletter", "lead_magnet")]
    elif pillar == "authority":
        ripe = [s for s in ripe if s.signals.get("hub", 0.0) > 0]  # a framework is already mapped
    elif pillar == "business":
        ripe = [s for s in ripe if s.format in ("lead_magnet", "product") or s.stage == "productise"]
    return tuple(ripe[:_MOVERS_MAX])


def _iso_day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None
