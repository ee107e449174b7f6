"""rebuild(config) -> Report: the one place that knows the stage order.

scan → parse (in parallel processes for large vaults) → resolve → lexicon → graph → cluster
→ score → render → write.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from tlvault.cluster import find_clusters
from tlvault.config import Config
from tlvault.errors import NoteError
from tlvault.graph import EXPORT_FORMATS, build_graph, export_graph, is_journal
from tlvault.markdown import RenderInput
from tlvault.model import Note, Resolved, Skipped, SourceFile, Vault
from tlvault.parse import parse_note
from tlvault.render import file_record, output_names, render_outputs, render_state
from tlvault.report import Report
from tlvault.resolve import resolve_links, unresolved_links
from tlvault.results import Cluster, IdeaGraph, Insights, Lexicon, OutputNote, WriteResult
from tlvault.scan import NoteVanishedError, read_note, scan_vault
from tlvault.score import score_clusters
from tlvault.text import build_lexicon, detect_language
from tlvault.write import write_outputs

log = logging.getLogger(__name__)

__all__ = ["EXPORT_FORMATS", "Analysis", "ParsedVault", "analyse", "export_graph", "read_vault", "rebuild"]

PARALLEL_THRESHOLD = 400  # below this many notes, starting processes costs more than it saves

_Outcome = Note | Skipped | None  # None: the note vanished between scan and read


@dataclass(frozen=True)
class ParsedVault:
    """A vault as Obsidian indexes it: its files, its notes and where their links lead."""

    vault: Vault
    notes: tuple[Note, ...]
    files: tuple[str, ...]  # linkable files that still exist after reading
    resolved: Resolved


@dataclass(frozen=True)
class Analysis:
    """The idea engine's view of a vault: its words, its graph, its clusters and their scores."""

    parsed: ParsedVault
    lexicon: Lexicon
    graph: IdeaGraph
    clusters: tuple[Cluster, ...]
    insights: Insights


def rebuild(config: Config, *, now: date | None = None, dry_run: bool = False) -> Report:
    """One full pass: read, analyse, write what changed (nothing with `dry_run`)."""
    report = Report()
    started = time.perf_counter()
    analysis = analyse(config, read_vault(config, report), now=now)
    report.insights = analysis.insights
    data = _render_input(config, analysis, report)
    outputs = render_outputs(data)  # every note, before any write
    previous = analysis.parsed.vault.previous
    files = previous.files if previous else {}
    result = write_outputs(outputs, config, previous=files, dry_run=dry_run)
    report.record(result)
    state = render_state(data, output_names(data), _on_disk(outputs, result, files))
    report.record(write_outputs([state], config, dry_run=dry_run))
    report.seconds = time.perf_counter() - started
    return report


def _on_disk(
    outputs: Sequence[OutputNote], result: WriteResult, before: Mapping[str, Mapping[str, Any]]
) -> dict[str, Mapping[str, Any]]:
    """What each generated file now holds, for the state: a file that could not be written keeps
    the record of its last version, so that it is not mistaken for one the user edited."""
    done = {*result.written, *result.unchanged}
    records: dict[str, Mapping[str, Any]] = {}
    for output in outputs:
        if output.rel in done:
            records[output.rel] = file_record(output)
        elif output.rel in before:
            records[output.rel] = before[output.rel]
    return records


def _render_input(config: Config, analysis: Analysis, report: Report) -> RenderInput:
    parsed = analysis.parsed
    output = config.output_folder + "/"
    user_names = frozenset(
        rel.rsplit("/", 1)[-1][:-3].casefold()
        for rel in parsed.files
        if rel.lower().endswith(".md") and not rel.startswith(output)
    )
    return RenderInput(
        insights=analysis.insights,
        output_folder=config.output_folder,
        user_names=user_names,
        unresolved=unresolved_links(parsed.notes, parsed.resolved),
        problems=tuple(sorted([*report.skipped, *report.warned], key=lambda s: s.rel)),
        notes_count=report.notes_count,
        links_count=report.links_count,
        unresolved_count=report.unresolved_count,
        min_size=config.cluster.min_size,
        cluster_files={
            cluster.id: cluster.file
            for cluster in (parsed.vault.previous.clusters if parsed.vault.previous else ())
            if cluster.file
        },
    )


def analyse(config: Config, parsed: ParsedVault, *, now: date | None = None) -> Analysis:
    """Lexicon, graph, clusters and scores of a parsed vault, for the day `now` (or config's, or today)."""
    today = now or config.scoring.today or date.today()
    language = config.language if config.language != "auto" else detect_language(parsed.notes)
    members = [note for note in parsed.notes if not is_journal(note, config.journal)]
    lexicon = build_lexicon(
        members,
        language=language,
        neighbours=config.graph.similar_neighbours,
        min_similarity=config.graph.min_similarity,
    )
    graph = build_graph(parsed.notes, parsed.resolved, lexicon, config)
    previous = parsed.vault.previous.clusters if parsed.vault.previous else ()
    clusters = tuple(find_clusters(graph, lexicon, previous, config))
    insights = score_clusters(graph, clusters, config, today=today, language=language)
    return Analysis(parsed, lexicon, graph, clusters, insights)


def read_vault(config: Config, report: Report) -> ParsedVault:
    """Scan, parse and resolve the vault, recording every skipped file in `report`."""
    vault = scan_vault(config)
    for skipped in vault.skipped:
        report.skip(skipped.rel, skipped.reason)
    outcomes = parse_sources(vault.notes, jobs=config.jobs, max_bytes=config.max_note_bytes)
    notes: list[Note] = []
    vanished: set[str] = set()
    for source, outcome in zip(vault.notes, outcomes, strict=True):
        if isinstance(outcome, Note):
            notes.append(outcome)
            if outcome.warnings:
                report.warn(source.rel, "; ".join(outcome.warnings))
        elif isinstance(outcome, Skipped):
            report.skip(outcome.rel, outcome.reason)
        else:
            vanished.add(source.rel)
            log.debug("%s: deleted during the scan; ignored", source.rel)
    files = tuple(rel for rel in vault.files if rel not in vanished)
    resolved = resolve_links(notes, files, generated=config.output_folder)
    output = config.output_folder + "/"
    _count(report, notes, [rel for rel in files if not rel.startswith(output)], resolved)
    return ParsedVault(vault, tuple(notes), files, resolved)


def _count(report: Report, notes: Sequence[Note], files: Sequence[str], resolved: Resolved) -> None:
    """The report's counts; `files` are the user's (tlvault's own output does not count)."""
    report.notes_count = len(notes)
    report.files_count = len(files)
    report.links_count = sum(len(note.links) for note in notes)
    report.unresolved_count = sum(
        target is None for targets in resolved.targets.values() for target in targets
    )
    report.tags_count = len({tag for note in notes for tag in note.tags})


def parse_sources(
    sources: Sequence[SourceFile],
    *,
    jobs: int = 0,
    max_bytes: int | None = None,
    min_parallel: int = PARALLEL_THRESHOLD,
) -> list[_Outcome]:
    """Read and parse every source, in order; in `jobs` processes (0: one per core) for big vaults."""
    workers = jobs or _cpu_count()
    if workers <= 1 or len(sources) < max(min_parallel, 2):
        return _parse_chunk(sources, max_bytes)
    chunk_size = max(16, len(sources) // (workers * 32))  # small chunks balance uneven notes
    chunks = [sources[i : i + chunk_size] for i in range(0, len(sources), chunk_size)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=_process_context()) as pool:
        results = pool.map(_parse_chunk, chunks, [max_bytes] * len(chunks))
        return [outcome for chunk in results for outcome in chunk]


def _process_context() -> multiprocessing.context.BaseContext:
    """Fork when it is safe (fast, no re-import); a fresh server process when threads run."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _parse_chunk(sources: Sequence[SourceFile], max_bytes: int | None) -> list[_Outcome]:
    return [_parse_one(source, max_bytes) for source in sources]


def _parse_one(source: SourceFile, max_bytes: int | None) -> _Outcome:
    try:
        return parse_note(source.rel, read_note(source, max_bytes), source.mtime_ns)
    except NoteVanishedError:
        return None
    except NoteError as exc:
        return Skipped(source.rel, str(exc))
    except RecursionError:
        return Skipped(source.rel, "nested too deeply to parse")
    except Exception as exc:  # a parser bug must not stop the rebuild; it is reported as one
        reason = f"internal error while parsing ({type(exc).__name__}: {exc}); please report it"
        return Skipped(source.rel, reason)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
