"""The projector loop: read a batch, decode, project, write documents and checkpoint as one.

Exactly-once effect comes from two guards that meet in one transaction: the version marks
inside the documents (a redelivered event is a no-op) and the compare-and-set checkpoint
(two replicas can never both commit the same batch). A crash between batches only means
the next run re-reads from the last committed checkpoint.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from query_service.consumers.source import PositionedSource
from query_service.projector.batch import Outcome, project_items
from query_service.projector.decoding import Decoded, decode
from query_service.projector.retry import RetryPolicy, is_transient
from query_service.read_store.port import (
    Checkpoint,
    CheckpointMoved,
    DeadLetter,
    ProjectionStore,
    WriteBatch,
)

log = logging.getLogger(__name__)

DEFAULT_CONSUMER = "outbox-tail"


@dataclass
class ProjectorStats:
    applied: int = 0
    duplicates: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    held: int = 0
    """Events beyond a version gap sent to wait in the held queue (broker only)."""
    retries: int = 0


def _letter(item: Decoded, reason: str, attempts: int) -> DeadLetter:
    return DeadLetter(
        position=item.record.position,
        event_id=item.event_id,
        event_type=item.event_type,
        stream=item.stream,
        reason=reason,
        envelope=item.record.envelope,
        attempts=attempts,
    )


class Projector:
    def __init__(
        self,
        source: PositionedSource,
        store: ProjectionStore,
        *,
        consumer: str = DEFAULT_CONSUMER,
        batch_size: int = 500,
        retry: RetryPolicy | None = None,
        idle_timeout: float = 1.0,
    ) -> None:
        self._source = source
        self._store = store
        self._consumer = consumer
        self._batch_size = batch_size
        self._retry = retry or RetryPolicy()
        self._idle_timeout = idle_timeout
        self.stats = ProjectorStats()

    def run(self, stop: threading.Event) -> None:
        """Project until ``stop`` is set; store or transport failures back off, never crash."""
        failures = 0
        while not stop.is_set():
            try:
                if self.step(stop) == 0:
                    position = self._store.checkpoint(self._consumer)
                    self._source.wait_for_more(position, stop, self._idle_timeout)
                failures = 0
            except Exception:
                failures += 1
                delay = min(0.1 * 2**failures, 5.0)
                log.exception("projector step failed; retrying in %.1fs", delay)
                stop.wait(delay)

    def step(self, stop: threading.Event | None = None) -> int:
        """Project one batch; the number of records consumed (0 when caught up)."""
        position = self._store.checkpoint(self._consumer)
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
        blocked = self._store.blocked_streams(i.stream for i in items if i.stream)
        result = project_items(self._store, items, blocked=blocked, stop_at_failure=True)
        letters: list[DeadLetter] = []
        upto = position
        failure: tuple[Decoded, Exception] | None = None
        for item, outcome in zip(items, result.outcomes, strict=False):
            if outcome.kind is Outcome.FAILED:
                assert outcome.error is not None
                failure = (item, outcome.error)
                break
            if outcome.kind is Outcome.SKIPPED:
                self.stats.skipped += 1
                log.warning("skipping event at %d: %s", item.record.position, outcome.reason)
            elif outcome.kind is Outcome.DEAD_LETTER:
                letters.append(_letter(item, outcome.reason, attempts=1))
            elif outcome.kind is Outcome.BLOCKED:
                letters.append(_letter(item, outcome.reason, attempts=0))
            upto = item.record.position
        batch = WriteBatch(
            talks=result.talks,
            conferences=result.conferences,
            dead_letters=letters,
            checkpoint=Checkpoint(self._consumer, position, upto),
            applied_event_ids=result.applied_event_ids,
        )
        if upto > position and not self._write(batch, items, stop):
            return
        self.stats.applied += result.count(Outcome.APPLIED)
        self.stats.duplicates += result.count(Outcome.DUPLICATE)
        self._report(letters)
        if failure is not None:
            self._retry_then_park(upto, *failure, stop)

    def _write(self, batch: WriteBatch, items: Sequence[Decoded], stop: threading.Event) -> bool:
        """Write the batch; on a failure other than a lost race, redo it record by record
        so that the one record at fault is found and retried alone."""
        try:
            self._store.write(batch)
        except CheckpointMoved:
            log.info("another projector replica applied this batch first")
            return False
        except Exception as error:
            if is_transient(error):
                raise  # the store is away: the run loop backs off; no attempt is spent
            if len(items) == 1 and items[0].event is not None and batch.checkpoint:
                self._retry_then_park(batch.checkpoint.expected, items[0], error, stop)
                return False
            if len(items) == 1:
                raise
            log.warning("batch write failed (%s); applying its records one by one", error)
            for item in items:
                self._apply(self._store.checkpoint(self._consumer), [item], stop)
            return False
        return True

    def _retry_then_park(
        self, expected: int, item: Decoded, error: Exception, stop: threading.Event
    ) -> None:
        position = item.record.position
        event = item.event
        for delay in self._retry.delays():
            log.info("event at %d failed (%s); retrying in %.2fs", position, error, delay)
            if stop.wait(delay):
                return
            self.stats.retries += 1
            if event is None:
                break
            try:
                result = project_items(self._store, [item], blocked=None, stop_at_failure=True)
                [outcome] = result.outcomes
                if outcome.kind is Outcome.FAILED:
                    assert outcome.error is not None
                    error = outcome.error
                    continue
                self._store.write(
                    WriteBatch(
                        talks=result.talks,
                        conferences=result.conferences,
                        checkpoint=Checkpoint(self._consumer, expected, position),
                        applied_event_ids=result.applied_event_ids,
                    )
                )
            except CheckpointMoved:
                return
            except Exception as retry_error:
                if is_transient(retry_error):
                    raise
                error = retry_error
                continue
            self.stats.applied += result.count(Outcome.APPLIED)
            self.stats.duplicates += result.count(Outcome.DUPLICATE)
            return
        reason = f"{type(error).__name__}: {error}"
        letter = _letter(item, reason, attempts=self._retry.attempts)
        self._store.write(
            WriteBatch(
                dead_letters=[letter],
                checkpoint=Checkpoint(self._consumer, expected, position),
            )
        )
        self._report([letter])

    def _report(self, letters: Sequence[DeadLetter]) -> None:
        for letter in letters:
            self.stats.dead_lettered += 1
            log.error(
                "dead-lettered event %s (%s) at position %s of %s: %s",
                letter.event_id,
                letter.event_type,
                letter.position,
                letter.stream,
                letter.reason,
            )
