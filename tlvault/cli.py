"""The `tlvault` command: parse arguments, set up logging, run the pipeline, map errors to exit codes."""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from tlvault import __version__, progress
from tlvault.cache import ParseCache
from tlvault.config import Config, default_config, load_config
from tlvault.errors import ConfigError, TlvaultError, VaultError
from tlvault.interop import notes_document, rebuild_document
from tlvault.lock import vault_lock
from tlvault.pipeline import analyse, read_vault, rebuild
from tlvault.report import Report
from tlvault.results import EXPORT_FORMATS
from tlvault.scorecard import ScorecardError, checklist_copy
from tlvault.template import write_config_template

DEFAULT_CONFIG = Path("config.yaml")


class ExitCode(IntEnum):
    """Process exit codes (PRODUCT.md, "Command line")."""

    DONE = 0  # warnings allowed
    FAILED = 1  # could not run, or --strict saw a skipped note
    USAGE = 2  # bad command line
    INTERRUPTED = 130  # Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage and 0 on --help
        return int(exc.code or 0)
    # Options given before or after the command; `set_defaults` would reset the shared actions.
    for option in ("config", "debug", "verbose"):
        setattr(args, option, getattr(args, option, None))
    _setup_logging(bool(args.debug), bool(args.verbose))
    try:
        return int(args.run(args))
    except TlvaultError as exc:
        for line in str(exc).splitlines():
            print(f"tlvault: error: {line}", file=sys.stderr)
        return ExitCode.FAILED
    except KeyboardInterrupt:
        print("tlvault: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `tlvault notes --json | head`: the reader left, nothing to say
        sys.stderr.close()
        return ExitCode.DONE
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"tlvault: internal error: {type(exc).__name__}: {exc} "
                "(run again with --debug for the traceback)",
                file=sys.stderr,
            )
        return ExitCode.FAILED


def run() -> NoReturn:
    """The `tlvault` program: `main()`, then exit with its code without the interpreter's teardown."""
    exit_now(main())


def exit_now(code: int) -> NoReturn:
    """End the process with `code` once its output is flushed, skipping the teardown when safe."""
    # Freeing a rebuild's millions of objects one by one costs about 0.15 s on a 10k-note vault,
    # and there is nothing left to do: main() returns after every file, the cache and the lock are
    # closed. A thread or child process still alive gets the ordinary exit, which waits for it.
    if threading.active_count() > 1 or multiprocessing.active_children():
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # the reader left, or stderr was closed: the ordinary exit says so
        sys.exit(code)
    logging.shutdown()
    os._exit(code)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="config file (default: ./config.yaml when no VAULT is given)",
    )
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show debug messages and tracebacks"
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="show informational messages"
    )
    parser = argparse.ArgumentParser(
        prog="tlvault",
        parents=[common],
        description="Read an Obsidian vault exactly as Obsidian does and grow its ideas into content.",
    )
    parser.add_argument("--version", action="version", version=f"tlvault {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    notes = commands.add_parser("notes", parents=[common], help="list the notes as Obsidian reads them")
    notes.add_argument("vault", nargs="?", type=Path, metavar="VAULT", help="vault folder")
    notes.add_argument("--json", action="store_true", help="print the tlvault-ofm-conformance/1 document")
    notes.set_defaults(run=_run_notes)

    rebuild_cmd = commands.add_parser("rebuild", parents=[common], help="one full pass over the vault")
    rebuild_cmd.add_argument("vault", nargs="?", type=Path, metavar="VAULT", help="vault folder")
    rebuild_cmd.add_argument("--json", action="store_true", help="print the tlvault-rebuild/1 report")
    rebuild_cmd.add_argument("--strict", action="store_true", help="exit 1 when any note was skipped")
    rebuild_cmd.add_argument("--dry-run", action="store_true", help="write nothing; list what would change")
    _add_no_cache(rebuild_cmd)
    _add_now(rebuild_cmd)
    rebuild_cmd.set_defaults(run=_run_rebuild)

    init = commands.add_parser("init", parents=[common], help="write a commented config.yaml for a vault")
    init.add_argument("vault", nargs="?", type=Path, default=Path(), metavar="VAULT", help="vault folder (.)")
    init.add_argument(
        "-o",
        "--output",
        type=Path,
        default=DEFAULT_CONFIG,
        metavar="FILE",
        help="where to write it (config.yaml)",
    )
    init.set_defaults(run=_run_init)

    scorecard = commands.add_parser("scorecard", parents=[common], help="the thought-leadership quiz")
    scorecard_commands = scorecard.add_subparsers(title="commands", required=True, metavar="COMMAND")
    scorecard_init = scorecard_commands.add_parser(
        "init", parents=[common], help="a checklist copy of a quiz written as a list of questions"
    )
    scorecard_init.add_argument("vault", nargs="?", type=Path, metavar="VAULT", help="vault folder")
    scorecard_init.add_argument(
        "--note", metavar="PATH", help="the quiz note, vault-relative (default: the note tagged #quiz)"
    )
    scorecard_init.set_defaults(run=_run_scorecard_init)

    watch = commands.add_parser("watch", parents=[common], help="rebuild, then follow the vault until Ctrl-C")
    watch.add_argument("vault", nargs="?", type=Path, metavar="VAULT", help="vault folder")
    watch.add_argument(
        "--debounce", type=_seconds, default=0.5, metavar="SECONDS", help="quiet time before a rebuild (0.5)"
    )
    watch.add_argument(
        "--rescan-every",
        type=_seconds,
        default=300.0,
        metavar="SECONDS",
        help="full rescan that catches missed changes (300)",
    )
    _add_no_cache(watch)
    _add_now(watch)
    watch.set_defaults(run=_run_watch)

    status = commands.add_parser("status", parents=[common], help="clusters, ghost ideas and orphans")
    status.add_argument("vault", nargs="?", type=Path, metavar="VAULT", help="vault folder")
    status.add_argument("--top", type=int, default=10, metavar="N", help="clusters shown (default 10)")
    _add_now(status)
    status.set_defaults(run=_run_status)

    export = commands.add_parser("export", parents=[common], help="the idea graph for Gephi and other tools")
    export.add_argument("vault", nargs="?", type=Path, metavar="VAULT", help="vault folder")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="graphml", help="default: graphml")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout")
    _add_now(export)
    export.set_defaults(run=_run_export)
    return parser


def _add_no_cache(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--no-cache", action="store_true", help="parse every note again and leave the cache alone"
    )


def _add_now(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--now",
        type=_day,
        metavar="YYYY-MM-DD",
        help="score as of this day (default: scoring.today, else today)",
    )


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _setup_logging(debug: bool, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger("tlvault")
    root.handlers[:] = [handler]
    root.propagate = False
    root.setLevel(logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING)
    # Libraries (watchdog's observer threads, Python warnings) speak only with --debug, and then
    # through the same `tlvault:` lines: their chatter is not the user's business.
    logging.captureWarnings(True)
    for name in ("watchdog", "py.warnings"):
        library = logging.getLogger(name)
        library.handlers[:] = [handler]
        library.propagate = False
        library.setLevel(logging.DEBUG if debug else logging.CRITICAL)


class _Formatter(logging.Formatter):
    """`tlvault: warning: …` lines, one per record."""

    def format(self, record: logging.LogRecord) -> str:
        level = record.levelname.lower()
        prefix = "tlvault: " if record.levelno == logging.INFO else f"tlvault: {level}: "
        return prefix + record.getMessage()


def _config(args: argparse.Namespace) -> Config:
    vault: Path | None = args.vault
    if args.config is not None:
        return load_config(args.config, vault=vault)
    if vault is not None:
        return default_config(vault)
    if DEFAULT_CONFIG.is_file():
        return load_config(DEFAULT_CONFIG)
    raise ConfigError(
        "no vault given: pass its folder (`tlvault rebuild ~/Notes`) "
        "or a config file (`--config config.yaml`)"
    )


def _run_notes(args: argparse.Namespace) -> int:
    config = _config(args)
    report = Report()
    parsed = read_vault(config, report, analysing=False)
    if args.json:
        _print_json(notes_document(parsed, report))
    else:
        for note, targets in ((n, parsed.resolved.of(n)) for n in parsed.notes):
            unresolved = sum(target is None for target in targets)
            tags = " ".join(f"#{tag}" for tag in note.tags)
            print(f"{note.rel}\t{len(note.links)} links ({unresolved} unresolved)\t{tags}".rstrip())
    return report.exit_code()


def _run_rebuild(args: argparse.Namespace) -> int:
    config = _config(args)
    with vault_lock(config.vault), _open_cache(config, enabled=not args.no_cache) as cache, _progress_bar():
        report = rebuild(config, now=args.now, dry_run=args.dry_run, cache=cache)
    if args.json:
        _print_json(rebuild_document(report))
    else:
        if args.dry_run:
            for rel in report.written:
                print(f"would write {rel}")
        print(report.summary())
    return report.exit_code(strict=args.strict)


def _run_init(args: argparse.Namespace) -> int:
    vault: Path = args.vault
    if not vault.is_dir():
        raise VaultError(f"vault folder not found: {vault}")
    write_config_template(vault, args.output)
    load_config(args.output)  # what was written must load back
    print(
        f"wrote {args.output}: every option with its default; then `tlvault rebuild --config {args.output}`"
    )
    return ExitCode.DONE


# The commands below import what only they use when they run: the engine's modules (NumPy,
# networkx, igraph…) come in while a rebuild's parse workers run (`pipeline.import_engine`),
# and a rebuild that finds nothing changed never loads them.


def _run_scorecard_init(args: argparse.Namespace) -> int:
    from tlvault.dashboard import find_quiz

    config = _config(args)
    note: str | None = args.note
    if note is None:
        quiz = find_quiz(config, read_vault(config, Report(), analysing=False).notes)
        if quiz is None:
            raise ScorecardError("no quiz note found: tag it #quiz or pass --note PATH")
        note = quiz.rel
    written = checklist_copy(config, note)
    print(f"wrote {written.relative_to(config.vault.resolve())}: tick the boxes that are true today")
    return ExitCode.DONE


def _run_watch(args: argparse.Namespace) -> int:
    from tlvault.watch import Watcher, WatchTiming

    config = _config(args)
    if not config.vault.is_dir():  # a folder that disappears later is waited for; one never there is an error
        raise VaultError(f"vault folder not found: {config.vault}")
    timing = WatchTiming(
        quiet=args.debounce, max_delay=max(5.0, 10 * args.debounce), reconcile_every=args.rescan_every
    )
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_like_ctrl_c)  # how systemd and launchd stop a service
    with vault_lock(config.vault):
        print(f"watching {config.vault} (Ctrl-C to stop)", flush=True)
        watcher = Watcher(
            config,
            timing=timing,
            reload_config=lambda: _config(args),
            now=args.now,
            use_cache=not args.no_cache,
        )
        watcher.run()  # until Ctrl-C: main() turns KeyboardInterrupt into exit code 130
    return ExitCode.DONE


def _stop_like_ctrl_c(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86_400:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}")
    return seconds


def _run_status(args: argparse.Namespace) -> int:
    from tlvault.terminal import status_tables

    config = _config(args)
    report = Report()
    analysis = analyse(config, read_vault(config, report), now=args.now)
    console = Console(highlight=False)
    for table in status_tables(analysis.insights, top=args.top):
        console.print(table)
    return report.exit_code()


def _run_export(args: argparse.Namespace) -> int:
    from tlvault.graph import export_graph

    config = _config(args)
    analysis = analyse(config, read_vault(config, Report()), now=args.now)
    data = export_graph(analysis.graph, analysis.clusters, args.format)
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        args.output.write_bytes(data)
    return ExitCode.DONE


class _Count(MofNCompleteColumn):
    """`123/9900` for a stage that counts; nothing for one that does not."""

    def render(self, task: Task) -> Text:
        """The count, when the stage has a total."""
        return super().render(task) if task.total is not None else Text("")


@contextmanager
def _progress_bar() -> Iterator[None]:
    """A progress bar on stderr while the block runs, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        _Count(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def show(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            for task in tasks.values():  # a new stage means the previous ones are done
                bar.update(task, completed=bar.tasks[task].total or 1, total=bar.tasks[task].total or 1)
            tasks[stage] = bar.add_task(stage, total=total or None)
        bar.update(tasks[stage], completed=done, total=total or None)

    with bar, progress.listening(show):
        yield


@contextmanager
def _open_cache(config: Config, *, enabled: bool) -> Iterator[ParseCache | None]:
    """The vault's parse cache for the block (None when disabled), closed afterwards."""
    if not enabled or not config.vault.is_dir():  # a missing vault is reported by the scan
        yield None
        return
    cache = ParseCache.open(config.vault)
    try:
        yield cache
    finally:
        cache.close()


def _print_json(document: dict[str, Any], stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    out.flush()
