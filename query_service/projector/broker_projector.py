"""The projector over RabbitMQ: batches of deliveries, one store write each, acks after it.

Per batch: decode every delivery, order them by (stream, version) so a batch that holds
several events of one aggregate applies them in order, project them against the documents
as they are now (``project_items``), write all changed documents and the applied-event
journal in one ``store.write``, then settle each delivery by its outcome:

- applied, duplicate (at or below the version mark), skipped (an aggregate we do not
  project): ack;
- malformed or of an unknown type: park at once (dead-letter queue, reason in headers);
  the stream goes on;
- beyond a version gap (``EventNotYetApplicable``): wait, unacked, with back-off, because
  the missing event may be in another replica's batch right now; once it has been missing
  for ``gap_timeout`` of time in which it could have been applied, **hold** it: the held
  queue sends it back by itself until it applies. Outages do not count, nor does time in
  which an earlier event of its stream is in this replica's hands (ADR 061,
  ``settlement.py``). Once this replica held or parked version n of a stream, a later
  event meeting a gap is held at once: its predecessor will not come before n does.
  Deliveries are not in stream order on a broker, so nothing is parked just for coming
  after a dead letter in a batch: an earlier version that arrives later still applies;
- any other projection failure: retried ``retry.attempts`` times with back-off, then
  parked. Waiting deliveries never hold up the others: new deliveries keep flowing around
  them (up to the prefetch window).

**Replicas** (ADR 060): competing consumers on one queue. The version marks make
duplicates and redeliveries no-ops; concurrent writes of one document are kept apart by
the store's document guards or by a fence (``broker_writer.py``), and the replica that lost
re-loads and re-projects the batch.

**Batches**: after the first delivery arrives, the consumer keeps reading for up to
``linger`` seconds (``PROJECTOR_BATCH_LINGER``) until ``batch_size`` are at hand, so a busy
queue is written in full batches and an idle one delays a lone event by ``linger`` at most.
A batch is projected and written on a writer thread (``BatchWriter``) while this thread
reads the next deliveries off the socket (the prefetch window holds them) and decodes
them: parsing frames and JSON then overlaps the store's round trips instead of following
them. When a full batch is buffered during a write on a store that guards its documents,
it is handed to the writer at once (pipelining); batches are settled (acked) in order.
Every broker call stays on this thread (pika connections are not thread-safe).

This module is the loop and the settling; ``broker_writer.py`` the writing,
``settlement.py`` the decisions, ``held_streams.py`` what the replica remembers of
waiting streams. A transient store failure keeps the batch unacked and backs off.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Sequence

from query_service.consumers.rabbitmq import BrokerError, Delivery, RabbitMqConsumer
from query_service.consumers.source import SourceRecord
from query_service.outages import OutageLog
from query_service.projections.errors import EventNotYetApplicable
from query_service.projector.batch import ItemOutcome, Outcome
from query_service.projector.broker_writer import (
    BatchWriter,
    Job,
    Pending,
    Settled,
    StoreTrouble,
    Written,
    fence_of,
)
from query_service.projector.decoding import Decoded, decode
from query_service.projector.health_clock import HealthClock
from query_service.projector.held_streams import HeldStreams, InHand
from query_service.projector.projector import ProjectorStats
from query_service.projector.retry import Backoff, RetryPolicy
from query_service.projector.settlement import (
    Action,
    Around,
    Decision,
    SettlementPolicy,
    settle,
)
from query_service.read_store.port import ProjectionStore

log = logging.getLogger(__name__)

STORE_BACKOFF_MAX = 5.0
"""The longest pause between two tries of a store that is away: it bounds how late a
recovery is noticed, and so stays well below any sensible gap timeout (ADR 061)."""


class BrokerProjector:
    def __init__(
        self,
        consumer: RabbitMqConsumer,
        store: ProjectionStore,
        *,
        batch_size: int = 500,
        retry: RetryPolicy | None = None,
        gap_timeout: float = 30.0,
        idle_timeout: float = 0.5,
        linger: float = 0.005,
    ) -> None:
        self._consumer = consumer
        self._batch_size = batch_size
        self._policy = SettlementPolicy(
            retry or RetryPolicy(), gap_timeout, held_grace=min(1.0, gap_timeout / 4)
        )
        self._clock = HealthClock()
        self._store_outage = OutageLog("read store", log)
        self._broker_outage = OutageLog("broker", log)
        self._idle_timeout = idle_timeout
        self._linger = linger
        self._waiting: list[Pending] = []
        self._carry: list[Pending] = []
        self._held = HeldStreams()
        self._writer = BatchWriter(store, fence_of(consumer.topology.queue))
        self._next: Job | None = None
        """A batch handed to a writer thread ahead of its step (pipelining)."""
        self._decoded: dict[tuple[int, int], Decoded] = {}
        """Deliveries still in the consumer's buffer, decoded while a batch was written."""
        self.stats = ProjectorStats()

    # --- the loop ------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Project until ``stop`` is set; broker and store failures back off, never crash."""
        backoff = Backoff()
        store_backoff = Backoff(maximum=min(STORE_BACKOFF_MAX, self._policy.gap_timeout / 2))
        while not stop.is_set():
            try:
                if not self._consumer.is_open:
                    self._forget_in_flight()
                    self._consumer.connect()
                    self._broker_outage.up()
                if self.step():
                    self._store_outage.up()  # a batch went through: the store answers
                    store_backoff.reset()
                if not (self._store_outage.is_down or self._broker_outage.is_down):
                    self._clock.go_on()
                backoff.reset()
            except BrokerError as error:
                self._clock.stop()
                self._broker_outage.down(f"{type(error).__name__}: {error}")
                self._forget_in_flight()
                self._consumer.close()
                stop.wait(backoff.next_delay())
            except StoreTrouble as trouble:
                self._clock.stop()
                self._store_outage.down(trouble)
                self._carry.extend(trouble.pending)
                self._pause(store_backoff.next_delay(), stop)
            except Exception:
                delay = backoff.next_delay()
                log.exception("projector step failed; reconnecting in %.1fs", delay)
                self._forget_in_flight()
                self._consumer.close()
                stop.wait(delay)
        if self._next is not None and self._consumer.is_open:
            with contextlib.suppress(Exception):  # unsettled ones are simply redelivered
                self.step()  # settle the batch handed ahead: a clean stop re-sends nothing

    def step(self) -> int:
        """Take one batch (due retries first, then new deliveries) and settle it."""
        job, self._next = self._next, None
        if job is None:
            batch = self._take(wait=None, linger=self._linger)
            if not batch:
                return 0
            job = self._writer.submit(batch, after=None)
        self._settle_written(self._write_reading_ahead(job))
        return len(job.batch)

    def close(self) -> None:
        self._writer.shutdown()
        self._consumer.close()

    def _take(self, wait: float | None, linger: float) -> list[Pending]:
        """Due retries and lost races first, then deliveries (``wait`` None: idle wait)."""
        now = time.monotonic()
        due = [p for p in self._waiting if p.due <= now]
        self._waiting = [p for p in self._waiting if p.due > now]
        batch, self._carry = self._carry + due, []
        room = self._batch_size - len(batch)
        if room > 0:
            if wait is None:
                wait = 0.0 if batch else self._idle_wait(now)
            batch += [self._pending(d) for d in self._consumer.fetch(room, wait, linger)]
        return batch

    def _write_reading_ahead(self, job: Job) -> Written:
        """Wait for ``job``, meanwhile buffering (and maybe handing ahead) the next batch."""
        assert job.future is not None
        try:
            self._consumer.pump_until_done(job.future, lambda: self._read_ahead(job))
        except BrokerError:
            self._wait_for_writers(job)  # one store write at a time, even across reconnects
            raise
        return job.result()

    def _read_ahead(self, job: Job) -> None:
        self._decode_ahead()
        full_batch_waiting = self._consumer.buffered >= self._batch_size
        if self._writer.pipelines and self._next is None and full_batch_waiting:
            self._next = self._writer.submit(self._take(wait=0.0, linger=0.0), after=job)

    def _wait_for_writers(self, *jobs: Job | None) -> None:
        self._writer.wait((*jobs, self._next))

    def _idle_wait(self, now: float) -> float:
        if not self._waiting:
            return self._idle_timeout
        return max(0.0, min(self._idle_timeout, min(p.due for p in self._waiting) - now))

    def _pause(self, seconds: float, stop: threading.Event) -> None:
        """Wait, servicing the connection (heartbeats) so the broker keeps our deliveries."""
        deadline = time.monotonic() + seconds
        while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            try:
                self._consumer.pump(min(left, 0.1))
            except BrokerError:
                self._forget_in_flight()
                self._consumer.close()
                stop.wait(left)
                return

    def _forget_in_flight(self) -> None:
        """A closed channel returned every unacked delivery to the queue: drop our copies."""
        self._wait_for_writers()
        self._waiting, self._carry, self._decoded, self._next = [], [], {}, None

    def _pending(self, delivery: Delivery) -> Pending:
        item = self._decoded.pop((delivery.epoch, delivery.tag), None)
        return Pending(delivery, item or _decode(delivery))

    def _decode_ahead(self) -> None:
        # Decoded ones are the buffer's head (fetch takes from the front): skip them. Were
        # that ever off, a delivery would merely be decoded when it is fetched.
        for delivery in self._consumer.buffered_deliveries(skip=len(self._decoded)):
            key = (delivery.epoch, delivery.tag)
            if key not in self._decoded:
                self._decoded[key] = _decode(delivery)

    # --- settling, on the consumer's thread ------------------------------------------------

    def _settle_written(self, written: Written) -> None:
        self._settle(written.settled)
        self._carry.extend(written.carry)
        if written.trouble is not None:
            raise StoreTrouble(written.unwritten, written.trouble)

    def _settle(self, settled: Sequence[Settled]) -> None:
        done: list[Delivery] = []
        in_hand: InHand | None = None
        for pending, item, outcome in settled:
            if in_hand is None and isinstance(outcome.error, EventNotYetApplicable):
                unsettled = [*self._waiting, *self._carry, *self._handed_ahead()]
                in_hand = InHand(p.item for p in unsettled)
                in_hand.add(p.item for p, _, _ in settled)
            decision, pending.attempts = settle(
                outcome,
                pending.attempts,
                self._around(pending, item, outcome, in_hand),
                self._policy,
            )
            if decision.action is Action.ACK:
                done.append(pending.delivery)
                self._count(outcome, item)
            elif decision.action is Action.RETRY:
                self._retry_later(pending, item, decision)
            elif decision.action is Action.HOLD:
                self._hold(pending, item, outcome, decision.reason)
            else:
                self._park(pending, item, decision.reason, outcome.error)
        self._consumer.ack(done)

    def _around(
        self, pending: Pending, item: Decoded, outcome: ItemOutcome, in_hand: InHand | None
    ) -> Around:
        gap = outcome.error
        if not isinstance(gap, EventNotYetApplicable) or in_hand is None:
            return Around(now=self._clock.now())
        return Around(
            now=self._clock.now(),
            earlier_in_hand=in_hand.between(gap.stream, gap.applied, gap.received),
            stream_held=self._held.holds_back(gap),
            came_back_held=pending.delivery.was_held,
        )

    def _handed_ahead(self) -> list[Pending]:
        return [] if self._next is None else self._next.batch

    def _count(self, outcome: ItemOutcome, item: Decoded) -> None:
        if outcome.kind is Outcome.APPLIED:
            self.stats.applied += 1
            self._held.applied(item)
        elif outcome.kind is Outcome.DUPLICATE:
            self.stats.duplicates += 1
        else:
            self.stats.skipped += 1
            log.warning("skipping event %s: %s", item.event_id, outcome.reason)

    def _retry_later(self, pending: Pending, item: Decoded, decision: Decision) -> None:
        self.stats.retries += 1
        log.debug(
            "event %s v%s of %s: retrying in %.2fs",
            item.event_id,
            item.version,
            item.stream,
            decision.delay,
        )
        pending.due = time.monotonic() + decision.delay
        self._waiting.append(pending)

    def _hold(self, pending: Pending, item: Decoded, outcome: ItemOutcome, reason: str) -> None:
        self._consumer.hold(pending.delivery, reason)
        self.stats.held += 1
        gap = outcome.error
        self._held.remember(item, gap.applied if isinstance(gap, EventNotYetApplicable) else 0)
        log.info("held event %s of %s: %s", item.event_id, item.stream, reason)

    def _park(
        self, pending: Pending, item: Decoded, reason: str, error: Exception | None = None
    ) -> None:
        self._consumer.dead_letter(
            pending.delivery,
            reason,
            exception=type(error).__name__ if error else "",
            attempts=max(pending.attempts.failures, 1),
        )
        self.stats.dead_lettered += 1
        self._held.remember(item, (item.version or 1) - 1)
        log.error(
            "dead-lettered event %s (%s) of %s: %s",
            item.event_id,
            item.event_type,
            item.stream,
            reason,
        )


def _decode(delivery: Delivery) -> Decoded:
    return decode(SourceRecord(delivery.tag, delivery.text))
