"""A rebuild pauses the garbage collector's work and leaves it exactly as it found it."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import NoReturn

import pytest

from tests.conftest import REPO
from tlvault import cluster, pipeline
from tlvault.config import Config, default_config

TODAY = date(2026, 11, 20)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """A copy of the example vault."""
    vault = tmp_path / "vault"
    shutil.copytree(REPO / "example_vault", vault)
    return default_config(vault)


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    """The collector on and nothing frozen, whatever the test does to them."""
    was_enabled = gc.isenabled()
    gc.enable()
    gc.unfreeze()
    yield
    gc.unfreeze()
    if not was_enabled:
        gc.disable()


@pytest.mark.usefixtures("collector_enabled")
def test_a_rebuild_leaves_the_collector_on_and_nothing_frozen(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, int]] = []
    real = pipeline.analyse

    def watched(
        config: Config, parsed: pipeline.ParsedVault, *, now: date | None = None
    ) -> pipeline.Analysis:
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        return real(config, parsed, now=now)

    monkeypatch.setattr(pipeline, "analyse", watched)
    report = pipeline.rebuild(config, now=TODAY)
    assert report.notes_count > 0
    assert len(seen) == 1
    enabled_during, frozen_during = seen[0]
    assert not enabled_during  # no cycle collection while the engine runs…
    assert frozen_during > 0  # …and what existed before the rebuild is frozen
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector_enabled")
def test_a_rebuild_that_fails_still_restores_the_collector(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(cluster, "find_clusters", broken)
    with pytest.raises(RuntimeError, match="engine bug"):
        pipeline.rebuild(config, now=TODAY)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector_enabled")
def test_a_caller_who_turned_the_collector_off_finds_it_off(config: Config) -> None:
    gc.disable()
    pipeline.rebuild(config, now=TODAY)
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector_enabled")
def test_what_the_engine_leaves_alive_is_not_left_to_the_young_generations(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Else the collector, turned back on, walks all of it at the next allocation.
    young: list[int] = []
    real = pipeline._read_and_render

    def watched(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        young.append(len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1)))
        return result

    monkeypatch.setattr(pipeline, "_read_and_render", watched)
    pipeline.prepare_rebuild(config, now=TODAY, dry_run=True)
    assert len(young) == 1 and young[0] < 100  # some 46,000 objects without the freeze
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # and unfrozen once the rebuild is prepared
