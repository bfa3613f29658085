"""The two operations an operator runs: rebuild into a new generation, or roll back.

Both fill a generation while the serving one keeps answering, switch every reader over in
one step, then catch the generation up to what the live projectors wrote meanwhile. A
rebuild may first compare the new generation with the serving one and refuse to switch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from query_service.bootstrap import build_read_store
from query_service.consumers.outbox_log import OutboxLog
from query_service.projector.stats import ProjectorStats
from query_service.read_store.port import ReadStore, ReadStoreError
from query_service.rebuild.progress import Progress, Silent
from query_service.rebuild.replay import Replay
from query_service.rebuild.switch import rollback_target
from query_service.rebuild.verify import VerifyReport, verify
from query_service.settings import QuerySettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verification:
    """Compare these documents before switching; switch despite differences if ``force``."""

    talk_ids: Sequence[str]
    conference_ids: Sequence[str]
    force: bool = False
    grace_seconds: float = 2.0


@dataclass
class Outcome:
    generation: str
    """The generation filled (the new one, or the one rolled back to)."""
    switched: bool = False
    caught_up: bool = False
    """Every event committed before the switch reached it (False: stopped first)."""
    verified: VerifyReport | None = None
    events: int = 0
    replay_seconds: float = 0.0
    switch_seconds: float = 0.0
    catch_up_seconds: float = 0.0
    stats: ProjectorStats | None = None


def rebuild_read_models(
    settings: QuerySettings,
    stop: threading.Event,
    progress: Progress | None = None,
    *,
    verification: Verification | None = None,
) -> Outcome:
    """Fill a new generation from the retained outbox, then switch to it; unless stopped,
    or ``verification`` found a difference and was not forced: then it is dropped."""
    live = build_read_store(settings)
    try:
        generation = live.create_generation()
        outcome: Outcome | None = None
        try:
            progress = progress or Silent()
            outcome = _fill_and_switch(settings, live, generation, stop, progress, verification)
            return outcome
        finally:
            if outcome is None or not outcome.switched:
                _drop(live, generation)
    finally:
        live.close()


def roll_back(
    settings: QuerySettings, stop: threading.Event, progress: Progress | None = None
) -> Outcome:
    """Switch back to the generation the last rebuild replaced, caught up to the log first
    (it missed what was written while it did not serve). ``NothingToRollBack`` if none."""
    live = build_read_store(settings)
    try:
        generation = rollback_target(live.describe_generations())
        return _fill_and_switch(settings, live, generation, stop, progress or Silent(), None)
    finally:
        live.close()


def _drop(live: ReadStore, generation: str) -> None:
    """Drop a generation that never served, so that every generation older than the serving
    one has served (the rollback's target); if the store is away, it stays and says so."""
    try:
        live.drop_generation(generation)
    except ReadStoreError as error:
        log.warning("could not drop %s, which never served: %s", generation, error)


def _fill_and_switch(
    settings: QuerySettings,
    live: ReadStore,
    generation: str,
    stop: threading.Event,
    progress: Progress,
    verification: Verification | None,
) -> Outcome:
    outcome = Outcome(generation)
    target = live.for_generation(generation)
    log = OutboxLog(settings.database_url)
    replay = Replay(log, target, progress, settings.projector_batch_size)
    try:
        started = time.perf_counter()
        progress.phase(f"replaying the event log into {generation}")
        filled = replay.run(stop) and replay.catch_up(stop)
        outcome.replay_seconds = time.perf_counter() - started
        outcome.events, outcome.stats = replay.events, replay.stats
        if not filled:
            return outcome
        if verification is not None:
            progress.phase("verifying against the serving generation")
            outcome.verified = verify(
                target,
                live,
                verification.talk_ids,
                verification.conference_ids,
                settle=lambda: replay.catch_up(stop),
                grace_seconds=verification.grace_seconds,
            )
            if not outcome.verified.equal and not verification.force:
                return outcome
        progress.phase(f"switching the readers to {generation}")
        started = time.perf_counter()
        live.activate_generation(generation)
        outcome.switched = True
        outcome.switch_seconds = time.perf_counter() - started
        progress.phase("catching up with what the live projectors wrote meanwhile")
        started = time.perf_counter()
        outcome.caught_up = replay.catch_up(stop)
        outcome.catch_up_seconds = time.perf_counter() - started
        outcome.events = replay.events
        return outcome
    finally:
        replay.close()
        target.close()
