"""rebuild(config) -> Report: the one place that knows the stage order.

scan → parse (in parallel processes for large vaults) → resolve → lexicon → graph → cluster
→ score → render → write.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import logging
import multiprocessing
import operator
import os
import pickle
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from tlvault import memo, progress
from tlvault.cache import CacheEntry, ParseCache, RunRecord, content_hash, outputs_on_disk, pickle_outcome
from tlvault.config import Config
from tlvault.errors import NoteError
from tlvault.model import Note, Resolved, Skipped, SourceFile, Vault
from tlvault.parse import note_mtime, parse_note
from tlvault.report import Report
from tlvault.resolve import resolve_links, unresolved_links
from tlvault.results import Cluster, IdeaGraph, Insights, Lexicon, OutputNote, WriteResult
from tlvault.scan import NoteVanishedError, output_files, read_note, remember_state, scan_vault

if TYPE_CHECKING:
    from tlvault.markdown import RenderInput

# The idea engine's modules (NumPy, SciPy, networkx, igraph…) are imported where they are used,
# not here: `import_engine` brings them in while the parse workers run, and a rebuild that finds
# nothing changed never needs them. These are the modules, for `import_engine`.
_ENGINE = (
    "scipy.sparse",  # imported by the lexicon when it first runs
    "tlvault.text",
    "tlvault.graph",
    "tlvault.graph_keep",
    "tlvault.cluster",
    "tlvault.score",
    "tlvault.dashboard",
    "tlvault.render",
    "tlvault.write",
)

log = logging.getLogger(__name__)

__all__ = [
    "Analysis",
    "ParsedVault",
    "PreparedRebuild",
    "analyse",
    "import_engine",
    "prepare_rebuild",
    "read_vault",
    "rebuild",
]

STAGE_READ, STAGE_ANALYSE, STAGE_WRITE = "Reading notes", "Finding ideas", "Writing notes"
PARALLEL_THRESHOLD = 400  # below this many notes, starting processes costs more than it saves
_SERIAL_STEP = 256  # notes parsed between two progress reports in one process

_Outcome = Note | Skipped | None  # None: the note vanished between scan and read
_Parsed = tuple[_Outcome, str | None, bytes | None]  # outcome, content hash, pickled outcome (or None)
_SAME_CONTENT = Skipped("", "same content as cached")  # a touched note: reuse the cached outcome


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


def rebuild(
    config: Config,
    *,
    now: date | None = None,
    dry_run: bool = False,
    cache: ParseCache | None = None,
    hold: frozenset[str] = frozenset(),
) -> Report:
    """One full pass: read, analyse, write what changed (nothing with `dry_run`).

    With a `cache`, unchanged notes are not parsed again, and when nothing at all changed since
    the last clean rebuild (same inputs, same generated files on disk) the analysis is skipped.
    Generated files in `hold` (output-relative) are left as they are.
    """
    return prepare_rebuild(config, now=now, dry_run=dry_run, cache=cache, hold=hold).write()


@dataclass
class PreparedRebuild:
    """A rebuild read, analysed and rendered, whose files are not written yet: the watcher
    prepares one as soon as a note changes and writes it once the vault has settled."""

    config: Config
    today: date
    dry_run: bool
    cache: ParseCache | None
    hold: frozenset[str]
    report: Report
    seconds: float  # spent preparing (a watcher may wait between preparing and writing)
    rendered: tuple[RenderInput, list[OutputNote], Vault] | None  # None: the last run's files stand

    def write(self) -> Report:
        """Write what changed (nothing with `dry_run`) and return the rebuild's report."""
        started = time.perf_counter()
        if self.rendered is not None:
            data, outputs, vault = self.rendered
            with _long_lived_frozen():
                _write(self, data, outputs, vault)
        if self.cache is not None:  # the parse's store, written during the analysis, is in
            self.cache.settle()
        self.report.seconds = self.seconds + time.perf_counter() - started
        return self.report


def prepare_rebuild(
    config: Config,
    *,
    now: date | None = None,
    dry_run: bool = False,
    cache: ParseCache | None = None,
    hold: frozenset[str] = frozenset(),
) -> PreparedRebuild:
    """Everything `rebuild` does but the writing; `write()` on the result finishes it."""
    started = time.perf_counter()
    today = now or config.scoring.today or date.today()
    with _long_lived_frozen():
        vault = scan_vault(config)
        memo.new_rebuild(len(vault.notes))
        if cache is not None:
            _absorb_touches(config, vault, cache)
        fingerprint = _fingerprint(config, today, vault, cache) if cache else None
        report = _unchanged_since_last_run(config, cache, fingerprint) if not dry_run else None
        prepared = PreparedRebuild(config, today, dry_run, cache, hold, report or Report(), 0.0, None)
        if report is None:
            prepared.rendered = _read_and_render(config, vault, today, prepared.report, cache)
    prepared.seconds = time.perf_counter() - started
    return prepared


@contextmanager
def _long_lived_frozen() -> Iterator[None]:
    """Keep the garbage collector's full passes off what outlives the rebuild (a watcher's cache
    of parsed notes): it holds no reference cycles, and on a 10k-note vault passes over it cost
    more than half a second."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _read_and_render(
    config: Config, vault: Vault, today: date, report: Report, cache: ParseCache | None
) -> tuple[RenderInput, list[OutputNote], Vault]:
    """Parse, analyse and render every generated note, in memory."""
    with _collector_paused():
        parsed = read_vault(config, report, vault=vault, cache=cache)
        return _analyse_and_render(config, parsed, today, report)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cycle collection while the vault is read and the engine runs: the parsed notes (a
    million objects on a 10k-note vault, unpickled from the parse workers) and a graph of some
    100k edge dicts hold no cycles, and the collector's passes over them as they grow cost about
    a second of a cold 10k-note rebuild and a tenth of an edit's. Reference counting still frees
    everything else.

    What the engine leaves alive then joins the frozen objects (`_long_lived_frozen` unfreezes
    them all into the oldest generation): turned back on, the collector would otherwise walk all
    of it at the next allocation, 40–75 ms of an edit's rebuild for some 30 objects collected.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _analyse_and_render(
    config: Config, parsed: ParsedVault, today: date, report: Report
) -> tuple[RenderInput, list[OutputNote], Vault]:
    """Analyse a parsed vault and render every generated note, in memory."""
    from tlvault.dashboard import build_dashboard
    from tlvault.render import render_outputs

    progress.report(STAGE_ANALYSE)
    analysis = analyse(config, parsed, now=today)
    report.insights = analysis.insights
    report.link_targets = frozenset().union(*map(_link_names, analysis.parsed.notes))
    previous = analysis.parsed.vault.previous
    dashboard = build_dashboard(
        config,
        analysis.parsed.notes,
        analysis.parsed.files,
        analysis.graph,
        analysis.insights.clusters,
        previous.history if previous else {},
        today=today,
    )
    data = replace(_render_input(config, analysis, report), dashboard=dashboard)
    return data, render_outputs(data), analysis.parsed.vault  # every note, before any write


def _write(prepared: PreparedRebuild, data: RenderInput, outputs: list[OutputNote], vault: Vault) -> None:
    """Write the rendered notes and the state file; remember a clean run in the cache."""
    from tlvault.render import output_names, state_document, state_note
    from tlvault.write import write_outputs

    config, report = prepared.config, prepared.report
    progress.report(STAGE_WRITE)
    files = vault.previous.files if vault.previous else {}
    result = write_outputs(outputs, config, previous=files, dry_run=prepared.dry_run, hold=prepared.hold)
    report.record(result)
    document = state_document(data, output_names(data), _on_disk(outputs, result, files))
    state = state_note(document)
    state_result = write_outputs([state], config, dry_run=prepared.dry_run)
    report.record(state_result)
    on_disk = state.rel in (*state_result.written, *state_result.unchanged)
    if memo.remembering() and on_disk and not prepared.dry_run:  # the next scan need not parse it
        remember_state(config.output_path / state.rel, state.text.encode("utf-8"), document)
    if prepared.cache is not None and not prepared.dry_run:
        _remember_run(config, prepared.today, vault, prepared.cache, report, [result, state_result])


def _absorb_touches(config: Config, vault: Vault, cache: ParseCache, limit: int = 64) -> None:
    """Notes saved again with the same bytes (a touch, an identical rewrite) whose modification time
    cannot change the output (a `created` property outranks it): the cache learns the new time,
    so that a rebuild with nothing else changed is recognised as such. Gives up at the first note
    that really changed."""
    stale = [
        source
        for source in vault.notes
        if (cached := cache.files.get(source.rel)) is None
        or (cached.size, cached.mtime_ns) != (source.size, source.mtime_ns)
    ]
    if not stale or len(stale) > limit:
        return
    updates: list[CacheEntry] = []
    for source in stale:
        cached = cache.files.get(source.rel)
        if cached is None or cached.size != source.size:
            return
        try:
            same = content_hash(read_note(source, config.max_note_bytes)) == cached.digest
        except NoteError:
            return
        outcome = cached.outcome() if same else None
        if outcome is None or (isinstance(outcome, Note) and outcome.created is None):
            return
        touched = _with_mtime(outcome, source.mtime_ns)
        assert touched is not None
        updates.append((source.rel, source.size, source.mtime_ns, cached.digest, touched, None))
    cache.store(updates, present=[source.rel for source in vault.notes])


def _fingerprint(config: Config, today: date, vault: Vault, cache: ParseCache) -> str | None:
    """What a rebuild's output depends on, hashed; None when a note changed since it was cached."""
    files = cache.files
    parts = []
    for source in vault.notes:
        cached = files.get(source.rel)
        if cached is None or cached.size != source.size or cached.mtime_ns != source.mtime_ns:
            return None
        parts.append(f"\0{source.rel}\0{cached.digest}")
    digest = hashlib.sha256(repr((config, today.isoformat(), vault.files, vault.skipped)).encode("utf-8"))
    # One update of the notes' part, not one per note: the same bytes hashed, a tenth of the calls.
    digest.update("".join(parts).encode())
    return digest.hexdigest()


def _unchanged_since_last_run(
    config: Config, cache: ParseCache | None, fingerprint: str | None
) -> Report | None:
    """The last run's report, replayed, when it read exactly this and its files are intact."""
    run = cache.run if cache else None
    if run is None or fingerprint is None or run.fingerprint != fingerprint:
        return None
    if not outputs_on_disk(config.output_path, run.outputs):
        return None
    last: Report = run.report
    report = Report(
        notes_count=last.notes_count,
        files_count=last.files_count,
        links_count=last.links_count,
        unresolved_count=last.unresolved_count,
        tags_count=last.tags_count,
        insights=last.insights,
        unchanged_count=len(run.outputs),
        reused=True,
        link_targets=last.link_targets,
    )
    for skipped in last.skipped:
        report.skip(skipped.rel, skipped.reason)
    for warned in last.warned:
        report.warn(warned.rel, warned.reason)
    log.debug("nothing changed since the last rebuild; nothing to do")
    return report


def _remember_run(
    config: Config,
    today: date,
    vault: Vault,
    cache: ParseCache,
    report: Report,
    results: Sequence[WriteResult],
) -> None:
    """Record a clean run (every file written or unchanged, nothing refused) for the next one."""
    # The next run will see the generated files as link targets: fingerprint the vault as it is now.
    output = config.output_folder + "/"
    users = [rel for rel in vault.files if not rel.startswith(output)]
    after = replace(vault, files=tuple(sorted([*users, *output_files(config)])))
    fingerprint = _fingerprint(config, today, after, cache)
    clean = not any(r.refused or r.failed or r.backups or r.kept or r.held for r in results)
    if fingerprint is None or not clean:
        cache.remember_run(None)
        return
    outputs: dict[str, str] = {}
    for rel in sorted(rel for result in results for rel in (*result.written, *result.unchanged)):
        try:
            outputs[rel] = content_hash((config.output_path / rel).read_bytes())
        except OSError:
            cache.remember_run(None)
            return
    kept = replace(report, written=[], unchanged_count=0, seconds=0.0)
    cache.remember_run(RunRecord(fingerprint, outputs, kept))


def _on_disk(
    outputs: Sequence[OutputNote], result: WriteResult, before: Mapping[str, Mapping[str, Any]]
) -> dict[str, Mapping[str, Any]]:
    """What each generated file now holds, for the state: a file that could not be written keeps
    the record of its last version, so that it is not mistaken for one the user edited."""
    from tlvault.render import file_record

    done = {*result.written, *result.unchanged}
    records: dict[str, Mapping[str, Any]] = {}
    for output in outputs:
        if output.rel in done:
            records[output.rel] = file_record(output)
        elif output.rel in before:
            records[output.rel] = before[output.rel]
    return records


def _render_input(config: Config, analysis: Analysis, report: Report) -> RenderInput:
    from tlvault.markdown import RenderInput

    parsed = analysis.parsed
    output = config.output_folder + "/"
    return RenderInput(
        insights=analysis.insights,
        output_folder=config.output_folder,
        user_names=_user_names(parsed.files, output),
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


@memo.per_note
def _link_names(note: Note) -> frozenset[str]:
    """The lower-cased file names a note's links point at."""
    return frozenset(link.target.rsplit("/", 1)[-1].lower() for link in note.links)


def _user_names(files: tuple[str, ...], output: str) -> frozenset[str]:
    """The folded names of the user's notes (not tlvault's); a watcher gets its last answer back
    while the files stay the same, and otherwise remembers each path's folded name: a new note
    then costs one name, not 10,000."""
    if memo.remembering() and _LAST_USER_NAMES and _LAST_USER_NAMES[0][:2] == (files, output):
        return _LAST_USER_NAMES[0][2]
    names = _FOLDED_NAMES.each(files)
    found = frozenset(
        name for rel, name in zip(files, names, strict=True) if name and not rel.startswith(output)
    )
    _LAST_USER_NAMES[:] = [(files, output, found)]
    return found


def _folded_name(rel: str) -> str:
    """The case-folded name of the note at `rel`; "" when it is not a note."""
    return rel.rsplit("/", 1)[-1][:-3].casefold() if rel.lower().endswith(".md") else ""


_LAST_USER_NAMES: list[tuple[tuple[str, ...], str, frozenset[str]]] = []  # a watcher's last answer
_FOLDED_NAMES = memo.PerPath(_folded_name)
memo.on_forget(_LAST_USER_NAMES.clear)


def analyse(config: Config, parsed: ParsedVault, *, now: date | None = None) -> Analysis:
    """Lexicon, graph, clusters and scores of a parsed vault, for the day `now` (or config's, or today)."""
    from tlvault.cluster import find_clusters
    from tlvault.graph import build_graph, is_journal
    from tlvault.score import score_clusters
    from tlvault.text import build_lexicon, detect_language

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


def import_engine() -> None:
    """Import the idea engine's modules now (a parse in worker processes leaves the time to)."""
    for module in _ENGINE:
        importlib.import_module(module)


def read_vault(
    config: Config,
    report: Report,
    *,
    vault: Vault | None = None,
    cache: ParseCache | None = None,
    analysing: bool = True,
) -> ParsedVault:
    """Scan (unless `vault` is given), parse and resolve the vault, recording every skipped file
    in `report`; with a `cache`, only new and changed notes are parsed. When `analysing`, the
    engine's modules are imported while parse workers run (`import_engine`)."""
    vault = vault or scan_vault(config)
    for skipped in vault.skipped:
        report.skip(skipped.rel, skipped.reason)
    outcomes = _parse_with_cache(config, vault, cache, analysing)
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
    files = tuple(rel for rel in vault.files if rel not in vanished) if vanished else vault.files
    resolved = resolve_links(notes, files, generated=config.output_folder)
    output = config.output_folder + "/"
    generated = sum(map(operator.methodcaller("startswith", output), files))
    _count(report, notes, len(files) - generated, resolved)
    return ParsedVault(vault, tuple(notes), files, resolved)


def _parse_with_cache(
    config: Config, vault: Vault, cache: ParseCache | None, analysing: bool
) -> list[_Outcome]:
    """Every note's outcome: cached when its size and mtime (or, failing that, its content hash)
    are unchanged, else parsed; the cache then learns the new outcomes."""
    if cache is None:
        return [
            outcome
            for outcome, _ in parse_sources(
                vault.notes, jobs=config.jobs, max_bytes=config.max_note_bytes, analysing=analysing
            )
        ]
    outcomes: list[_Outcome] = cache.lookup_all(vault.notes)
    stale = [i for i, outcome in enumerate(outcomes) if outcome is None]
    known = [
        cache.files[s.rel].digest if s.rel in cache.files else None for s in (vault.notes[i] for i in stale)
    ]
    fresh = _parse_pickled(
        [vault.notes[i] for i in stale],
        jobs=config.jobs,
        max_bytes=config.max_note_bytes,
        known=known,
        analysing=analysing,
    )
    updates: list[CacheEntry] = []
    for i, (outcome, digest, blob) in zip(stale, fresh, strict=True):
        source = vault.notes[i]
        if outcome == _SAME_CONTENT:  # touched, not edited: only the mtime moves
            outcome, blob = _with_mtime(cache.files[source.rel].outcome(), source.mtime_ns), None
            if outcome is None:  # the cached entry is damaged: parse it after all
                outcome, digest = _parse_one(source, config.max_note_bytes, None)
        outcomes[i] = outcome
        if outcome is not None and digest is not None:
            updates.append((source.rel, source.size, source.mtime_ns, digest, outcome, blob))
    # Written in a thread while the analysis runs: SQLite works without the GIL, on the core the
    # parse workers no longer use.
    cache.store(updates, present=[source.rel for source in vault.notes], background=True)
    return outcomes


def _with_mtime(outcome: Note | Skipped | None, mtime_ns: int) -> Note | Skipped | None:
    if isinstance(outcome, Note):
        return replace(outcome, mtime=note_mtime(mtime_ns))
    return outcome


def _count(report: Report, notes: Sequence[Note], files: int, resolved: Resolved) -> None:
    """The report's counts; `files` counts the user's (tlvault's own output does not count)."""
    # Counted by C-level passes (map, tuple.count, set.union): Python loops over every link and
    # tag of 10,000 notes cost 10 ms per rebuild.
    report.notes_count = len(notes)
    report.files_count = files
    report.links_count = sum(map(len, map(_LINKS, notes)))
    report.unresolved_count = sum(map(_NONE_COUNT, resolved.targets.values()))  # targets: str | None
    report.tags_count = len(set().union(*map(_TAGS, notes)))


_LINKS, _TAGS = operator.attrgetter("links"), operator.attrgetter("tags")
_NONE_COUNT = operator.methodcaller("count", None)


def parse_sources(
    sources: Sequence[SourceFile],
    *,
    jobs: int = 0,
    max_bytes: int | None = None,
    min_parallel: int = PARALLEL_THRESHOLD,
    known: Sequence[str | None] | None = None,
    analysing: bool = True,
) -> list[tuple[_Outcome, str | None]]:
    """Read and parse every source, in order, with its content hash; in `jobs` processes (0: one
    per core) for big vaults. A source whose hash equals its `known` one is not parsed again: its
    outcome is `_SAME_CONTENT`. When `analysing`, the engine is imported while the workers run."""
    parsed = _parse_pickled(
        sources, jobs=jobs, max_bytes=max_bytes, min_parallel=min_parallel, known=known, analysing=analysing
    )
    return [(outcome, digest) for outcome, digest, _ in parsed]


def _parse_pickled(
    sources: Sequence[SourceFile],
    *,
    jobs: int = 0,
    max_bytes: int | None = None,
    min_parallel: int = PARALLEL_THRESHOLD,
    known: Sequence[str | None] | None = None,
    analysing: bool = True,
) -> list[_Parsed]:
    """`parse_sources`, each outcome also pickled for the cache when a worker process made it
    (it had to pickle it to send it anyway: the main process then does not pickle it again)."""
    known = list(known) if known is not None else [None] * len(sources)
    workers = jobs or _cpu_count()
    progress.report(STAGE_READ, 0, len(sources))
    if workers <= 1 or len(sources) < max(min_parallel, 2):
        serial: list[_Parsed] = []
        for start in range(0, len(sources), _SERIAL_STEP):
            end = start + _SERIAL_STEP
            serial.extend(
                (*parsed, None) for parsed in _parse_chunk(sources[start:end], max_bytes, known[start:end])
            )
            progress.report(STAGE_READ, len(serial), len(sources))
        return serial
    chunk_size = max(16, len(sources) // (workers * 32))  # small chunks balance uneven notes
    starts = range(0, len(sources), chunk_size)
    with ProcessPoolExecutor(max_workers=workers, mp_context=_process_context()) as pool:
        results = pool.map(
            _parse_chunk_pickled,
            [sources[i : i + chunk_size] for i in starts],
            [max_bytes] * len(starts),
            [known[i : i + chunk_size] for i in starts],
        )
        if analysing:
            import_engine()  # while the workers parse: the main process would only wait
        outcomes: list[_Parsed] = []
        for chunk in results:
            outcomes.extend(_unpickled(blob, digest) for blob, digest in chunk)
            progress.report(STAGE_READ, len(outcomes), len(sources))
        return outcomes


def _parse_chunk_pickled(
    sources: Sequence[SourceFile], max_bytes: int | None, known: Sequence[str | None]
) -> list[tuple[bytes | None, str | None]]:
    """In a worker: each outcome pickled on its own (None stays None: a vanished note)."""
    return [
        (None if outcome is None else pickle_outcome(outcome), digest)
        for outcome, digest in _parse_chunk(sources, max_bytes, known)
    ]


def _unpickled(blob: bytes | None, digest: str | None) -> _Parsed:
    if blob is None:
        return None, digest, None
    outcome: Note | Skipped = pickle.loads(blob)
    # `_SAME_CONTENT` comes back as an equal copy: the caller compares with ==, not `is`.
    return outcome, digest, blob if outcome != _SAME_CONTENT else None


def _process_context() -> multiprocessing.context.BaseContext:
    """Fork when it is safe (fast, no re-import); a fresh server process when threads run."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _parse_chunk(
    sources: Sequence[SourceFile], max_bytes: int | None, known: Sequence[str | None]
) -> list[tuple[_Outcome, str | None]]:
    return [_parse_one(source, max_bytes, digest) for source, digest in zip(sources, known, strict=True)]


def _parse_one(source: SourceFile, max_bytes: int | None, known: str | None) -> tuple[_Outcome, str | None]:
    try:
        data = read_note(source, max_bytes)
    except NoteVanishedError:
        return None, None
    except NoteError as exc:  # unreadable now, perhaps not later: not cached
        return Skipped(source.rel, str(exc)), None
    digest = content_hash(data)
    if digest == known:
        return _SAME_CONTENT, digest
    try:
        return parse_note(source.rel, data, source.mtime_ns), digest
    except NoteError as exc:
        return Skipped(source.rel, str(exc)), digest
    except RecursionError:
        return Skipped(source.rel, "nested too deeply to parse"), digest
    except Exception as exc:  # a parser bug must not stop the rebuild; it is reported as one
        reason = f"internal error while parsing ({type(exc).__name__}: {exc}); please report it"
        return Skipped(source.rel, reason), None


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
