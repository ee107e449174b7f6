"""The dashboard note ("Tableau de bord") and the Obsidian Bases file that lists cluster notes."""

from __future__ import annotations

from datetime import timedelta

import yaml

from tlvault.config import PILLARS
from tlvault.dashboard import Dashboard, Habit, Scorecard
from tlvault.i18n import text, text_count
from tlvault.markdown import OutputNames, RenderInput, link, note, section, within
from tlvault.results import OutputNote

BASE_MARKER = "# tlvault: generated"  # first line of the .base file; Obsidian drops it if you edit the view
_BAR = 10  # squares in a pillar's bar


def dashboard_note(data: RenderInput, names: OutputNames, dashboard: Dashboard) -> OutputNote:
    """The dashboard note: this week at a glance, habits, momentum, publishing, focus, scorecard."""
    language = data.insights.language
    lines = [f"# {text(language, 'dash.title')}", ""]
    lines += _this_week(language, dashboard)
    habits = text(language, "dash.habits", weeks=len(dashboard.published))
    lines += section(habits, _habits(language, dashboard))
    lines += section(text(language, "dash.momentum"), _momentum(data, names, dashboard))
    lines += section(text(language, "dash.publishing"), _publishing(language, dashboard))
    lines += section(text(language, "dash.focus"), _focus(language, dashboard))
    lines += section(text(language, "dash.scorecard"), _scorecard(data, names, dashboard))
    return note(data, names.dashboard, "dashboard", {"dashboard": "\n".join(lines).rstrip("\n") + "\n"})


def _this_week(language: str, dashboard: Dashboard) -> list[str]:
    parts = [
        text(language, f"dash.summary.{habit.name}", streak=_streak(language, habit.streak))
        for habit in dashboard.habits
    ]
    this_week = dashboard.published[-1].pieces if dashboard.published else ()
    parts.append(
        text(language, "dash.summary.publish", count=len(this_week), target=dashboard.publish_target)
    )
    return [f"> [!summary] {text(language, 'dash.week')}", "> " + " · ".join(parts), ""]


def _streak(language: str, days: int) -> str:
    return text_count(language, "dash.streak", days, days=days)


def _habits(language: str, dashboard: Dashboard) -> list[str]:
    lines = [text(language, "dash.habits_how"), ""]
    for habit in dashboard.habits:
        lines += [f"### {text(language, f'dash.habit.{habit.name}', target=habit.target)}", ""]
        lines.append(
            text(
                language,
                "dash.streaks",
                current=_streak(language, habit.streak),
                longest=_streak(language, habit.longest),
            )
        )
        lines += ["", *_grid(language, habit, dashboard), ""]
    return lines[:-1]


def _grid(language: str, habit: Habit, dashboard: Dashboard) -> list[str]:
    """A week per row, Monday to Sunday: ✅ when the target was met, the value otherwise."""
    rows = [
        f"| {text(language, 'dash.week_of')} | {text(language, 'dash.weekdays')} |",
        "| --- |" + " :-: |" * 7,
    ]
    by_day = {day.day: day for day in habit.days}
    for week in dashboard.published:
        cells = []
        for offset in range(7):
            day = by_day.get(week.start + timedelta(days=offset))
            if day is None:  # after today
                cells.append(" ")
                continue
            shown = text(language, f"dash.unit.{habit.name}", value=day.value) if day.value else ""
            if habit.name == "reading" and not day.value and day.notes:
                shown = text(language, "dash.reading_note")
            cells.append(f"✅ {shown}".strip() if day.met else (shown or "·"))
        rows.append(f"| {week.start.isoformat()} | " + " | ".join(cells) + " |")
    return rows


def _momentum(data: RenderInput, names: OutputNames, dashboard: Dashboard) -> list[str]:
    language = data.insights.language
    if not dashboard.momentum:
        return [text(language, "dash.momentum_none")]
    columns = text(language, "dash.momentum_columns")
    rows = [f"| {columns} |", "| --- | ---: | ---: | --- |"]
    for momentum in dashboard.momentum:
        scored = momentum.cluster
        cluster = link(names.clusters[scored.cluster.id], scored.cluster.name, in_table=True)
        readings = ", ".join(link(rel, in_table=True) for rel in momentum.readings)
        rows.append(f"| {cluster} | {momentum.week} | {momentum.month} | {readings} |")
    return rows


def _publishing(language: str, dashboard: Dashboard) -> list[str]:
    weeks = dashboard.publish_streak
    streak = text_count(language, "dash.weeks_streak", weeks, weeks=weeks)
    lines = [text(language, "dash.publish_target", target=dashboard.publish_target, streak=streak), ""]
    lines += [f"| {text(language, 'dash.publish_columns')} |", "| --- | :-: | --- |"]
    for week in dashboard.published:
        met = "✅" if len(week.pieces) >= dashboard.publish_target else "·"
        pieces = ", ".join(link(rel, in_table=True) for rel in week.pieces)
        lines.append(f"| {week.start.isoformat()} | {met} {len(week.pieces)} | {pieces} |")
    return lines


def _focus(language: str, dashboard: Dashboard) -> list[str]:
    if not dashboard.focus:
        return [text(language, "dash.focus_none")]
    return [f"- {item.text} — {link(item.journal)}" for item in dashboard.focus]


def _scorecard(data: RenderInput, names: OutputNames, dashboard: Dashboard) -> list[str]:
    language = data.insights.language
    card = dashboard.scorecard
    if card is None:
        if dashboard.quiz_problem:
            return [text(language, "dash.quiz_unanswered", note=link(dashboard.quiz_problem))]
        return [text(language, "dash.quiz_none")]
    lines = [text(language, "dash.quiz", note=link(card.note), yes=card.yes, questions=len(card.answers)), ""]
    lines += [f"| {text(language, 'dash.pillar_columns')} |", "| --- | ---: | --- | --- |"]
    for pillar in card.pillars:
        share = pillar.yes / pillar.questions if pillar.questions else 0.0
        filled = round(share * _BAR)
        bar = "🟩" * filled + "⬜" * (_BAR - filled)
        weak = f" {text(language, 'dash.weak')}" if pillar.weak else ""
        movers = ", ".join(
            link(names.clusters[s.cluster.id], s.cluster.name, in_table=True) for s in pillar.movers
        )
        name = text(language, f"pillar.{pillar.pillar}")
        movers = movers or text(language, "dash.no_movers")
        lines.append(f"| {name}{weak} | {pillar.yes}/{pillar.questions} | {bar} | {movers} |")
    lines += ["", f"### {text(language, 'dash.history')}", "", *_history(language, card)]
    return lines


def _history(language: str, card: Scorecard) -> list[str]:
    header = [
        text(language, "dash.history_first"),
        *(text(language, f"pillar.{p}") for p in PILLARS),
        text(language, "dash.history_total"),
    ]
    rows = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(PILLARS) + 1)]
    for row in card.history:
        cells = [str(yes) for yes in row.yes]
        rows.append(f"| {row.day.isoformat()} | " + " | ".join(cells) + f" | {row.answers.count('y')} |")
    return rows


def pipeline_base(data: RenderInput, names: OutputNames) -> OutputNote:
    """An Obsidian Bases file: the cluster notes in a table, by stage and by ripeness."""
    language = data.insights.language
    folder = f"{data.output_folder}/clusters"
    columns = ["file.name", "note.ripeness", "note.band", "note.stage", "note.format", "note.members"]
    document = {
        "filters": {"and": [f'file.inFolder("{folder}")', 'tlvault_kind == "cluster"']},
        "properties": {
            f"note.{key}": {"displayName": text(language, f"base.{key}")}
            for key in ("ripeness", "band", "stage", "format", "members")
        },
        "views": [
            {
                "type": "table",
                "name": text(language, "base.by_stage"),
                "groupBy": {"property": "note.stage", "direction": "ASC"},
                "order": list(columns),
                "sort": [{"property": "note.ripeness", "direction": "DESC"}],
            },
            {
                "type": "table",
                "name": text(language, "base.by_ripeness"),
                "order": list(columns),
                "sort": [{"property": "note.ripeness", "direction": "DESC"}],
            },
        ],
    }
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=10_000)
    return OutputNote(
        within(names.base, data.output_folder), f"{BASE_MARKER}\n{body}", marker=BASE_MARKER, kind="base"
    )
