"""The projector over the outbox tail: read a batch by position, hand it to the core,
settle the one event that failed, move the checkpoint.

Exactly-once effect comes from two guards that meet in one transaction: the version marks
inside the documents (a redelivered event is a no-op) and the compare-and-set checkpoint
(two replicas can never both commit the same batch: ``fences.TailCheckpoint``). A crash
between batches only means the next run re-reads from the last committed checkpoint.

The checkpoint never passes an event that failed: the core writes the batch up to it, and
``settle`` decides, as for the broker, whether it is tried again after a delay (the next
step re-reads it) or parked as a dead letter in the store, the checkpoint moving past it
in the same write. Each stream arrives in order here, so a gap is a failure like any other
(``SettlementPolicy.gaps_are_failures``), and a stream's later events park behind its dead
letter (``blocked``) until an operator replays or drops it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from query_service.consumers.source import PositionedSource
from query_service.projector.batch import BATCH_SIZE, ItemOutcome, Outcome
from query_service.projector.core import Options, letter_of, write_events
from query_service.projector.decoding import Decoded, decode
from query_service.projector.fences import TailCheckpoint
from query_service.projector.retry import Backoff, RetryPolicy
from query_service.projector.settlement import Action, Around, Attempts, SettlementPolicy, settle
from query_service.projector.stats import ProjectorStats
from query_service.read_store.port import CheckpointMoved, ProjectionStore, WriteBatch
from service_conventions.logs import about_event
from service_conventions.role_health import RoleHealth

log = logging.getLogger(__name__)

DEFAULT_CONSUMER = "outbox-tail"

__all__ = ["DEFAULT_CONSUMER", "Projector", "ProjectorStats"]


class Projector:
    def __init__(
        self,
        source: PositionedSource,
        store: ProjectionStore,
        *,
        consumer: str = DEFAULT_CONSUMER,
        batch_size: int = BATCH_SIZE,
        retry: RetryPolicy | None = None,
        idle_timeout: float = 1.0,
    ) -> None:
        self._source = source
        self._store = store
        self._consumer = consumer
        self._batch_size = batch_size
        self._policy = SettlementPolicy(retry or RetryPolicy(), gaps_are_failures=True)
        self._idle_timeout = idle_timeout
        self._failing: tuple[int, Attempts] = (0, Attempts())
        """The position of the event that failed last, and what was tried with it."""
        self.stats = ProjectorStats()
        self.checkpoint_seen = 0
        """The checkpoint the last step started from (its lag gauge measures from it)."""
        self.health = RoleHealth()

    def readiness(self) -> str | None:
        """None once a step went through, else why the last one failed."""
        return self.health.problem

    def run(self, stop: threading.Event) -> None:
        """Project until ``stop`` is set; store or transport failures back off, never crash."""
        backoff = Backoff(maximum=5.0)
        while not stop.is_set():
            try:
                if self.step(stop) == 0:
                    position = self._store.checkpoint(self._consumer)
                    self._source.wait_for_more(position, stop, self._idle_timeout)
                backoff.reset()
                self.health.ready()
            except Exception as error:
                delay = backoff.next_delay()
                self.health.not_ready(f"{type(error).__name__}: {error}".splitlines()[0])
                log.exception("projector step failed; retrying in %.1fs", delay)
                stop.wait(delay)

    def step(self, stop: threading.Event | None = None) -> int:
        """Project one batch; the number of records consumed (0 when caught up)."""
        position = self._store.checkpoint(self._consumer)
        self.checkpoint_seen = position
        records = self._source.read(position, self._batch_size)
        if records:
            self._apply(position, [decode(r) for r in records], stop or threading.Event())
        return len(records)

    def close(self) -> None:
        self._source.close()

    def run_until_idle(self) -> None:
        """Project everything available now (tests and one-shot rebuilds)."""
        while self.step():
            pass

    def _apply(self, position: int, items: Sequence[Decoded], stop: threading.Event) -> None:
        fence = TailCheckpoint(self._consumer, position)
        options = Options(
            stop_at_failure=True,
            blocked=self._store.blocked_streams(i.stream for i in items if i.stream),
            letters_in_store=True,
        )
        written = write_events(self._store, items, fence, options)
        if written.trouble is not None:
            raise written.trouble  # the store is away: ``run`` backs off; no attempt spent
        for item, outcome in zip(items, written.outcomes, strict=True):
            if outcome is None:
                return
            if outcome.kind is Outcome.FAILED:
                self._settle_failure(fence, item, outcome, stop)
                return
            self.stats.count(outcome.kind)
            if outcome.kind is Outcome.SKIPPED:
                log.warning(
                    "skipping event at %d: %s",
                    item.record.position,
                    outcome.reason,
                    extra=about_event(item.event_id, item.stream),
                )
            elif outcome.kind in (Outcome.DEAD_LETTER, Outcome.BLOCKED):
                _report(item, outcome.reason)

    def _settle_failure(
        self, fence: TailCheckpoint, item: Decoded, outcome: ItemOutcome, stop: threading.Event
    ) -> None:
        position = item.record.position
        at, attempts = self._failing
        decision, attempts = settle(
            outcome,
            attempts if at == position else Attempts(),
            Around(now=time.monotonic()),
            self._policy,
        )
        self._failing = (position, attempts)
        if decision.action is Action.RETRY:
            log.info(
                "event at %d failed (%s); retrying in %.2fs",
                position,
                outcome.reason,
                decision.delay,
                extra=about_event(item.event_id, item.stream),
            )
            self.stats.retried()
            stop.wait(decision.delay)  # the next step reads it again
            return
        letter = letter_of(item, decision.reason, attempts=attempts.failures)
        try:
            self._store.write(WriteBatch(dead_letters=[letter], checkpoint=fence.checkpoint(item)))
        except CheckpointMoved:
            return  # another replica settled it
        self.stats.parked()
        _report(item, decision.reason)


def _report(item: Decoded, reason: str) -> None:
    log.error(
        "dead-lettered event %s (%s) at position %s of %s: %s",
        item.event_id,
        item.event_type,
        item.record.position,
        item.stream,
        reason,
        extra=about_event(item.event_id, item.stream),
    )
