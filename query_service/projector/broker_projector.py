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

This module is the loop, and only I/O: consume, hand over, settle. ``broker_writer.py``
runs the core on writer threads, ``broker_settlement.py`` carries out the decisions of
``settlement.py`` on the broker, ``decode_ahead.py`` decodes what waits in the buffer. A
transient store failure keeps the batch unacked and backs off.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from query_service.consumers.rabbitmq import BrokerError, RabbitMqConsumer
from query_service.outages import OutageLog
from query_service.projector.batch import BATCH_SIZE
from query_service.projector.broker_settlement import BrokerSettlement
from query_service.projector.broker_writer import (
    BatchWriter,
    Job,
    Pending,
    StoreTrouble,
    Written,
    fence_of,
)
from query_service.projector.decode_ahead import DecodeAhead
from query_service.projector.retry import Backoff, RetryPolicy, is_transient
from query_service.projector.settlement import SettlementPolicy
from query_service.projector.stats import ProjectorStats
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
        batch_size: int = BATCH_SIZE,
        retry: RetryPolicy | None = None,
        gap_timeout: float = 30.0,
        idle_timeout: float = 0.5,
        linger: float = 0.005,
    ) -> None:
        self._consumer = consumer
        self._batch_size = batch_size
        policy = SettlementPolicy(
            retry or RetryPolicy(), gap_timeout, held_grace=min(1.0, gap_timeout / 4)
        )
        self._settlement = BrokerSettlement(consumer, policy)
        self._store_outage = OutageLog("read store", log)
        self._broker_outage = OutageLog("broker", log)
        self._idle_timeout = idle_timeout
        self._linger = linger
        self._carry: list[Pending] = []
        """Deliveries to write in the next step: lost races, or unwritten in an outage."""
        self._store = store
        self._writer = BatchWriter(store, fence_of(consumer.topology.queue))
        self._next: Job | None = None
        """A batch handed to a writer thread ahead of its step (pipelining)."""
        self._decoded = DecodeAhead()
        self.oldest_in_hand: str | None = None
        """``occurred_at`` of the oldest event of the batch in the works (the lag gauge)."""

    @property
    def unsettled(self) -> int:
        """Deliveries this replica holds unacknowledged (read by the lag gauge's thread)."""
        return self._consumer.unsettled

    def readiness(self) -> str | None:
        """None while consuming with the store answering, else what is away."""
        if not self._consumer.is_open:
            return "not connected to the broker"
        if self._store_outage.is_down:
            return "the read store does not answer"
        return None

    @property
    def stats(self) -> ProjectorStats:
        return self._settlement.stats

    def run(self, stop: threading.Event) -> None:
        """Project until ``stop`` is set; broker and store failures back off, never crash."""
        clock = self._settlement.clock
        backoff = Backoff()
        gap_timeout = self._settlement.policy.gap_timeout
        store_backoff = Backoff(maximum=min(STORE_BACKOFF_MAX, gap_timeout / 2))
        while not stop.is_set():
            try:
                if not self._consumer.is_open:
                    self._forget_in_flight()
                    self._consumer.connect()
                    self._broker_outage.up()
                if self.step():
                    self._store_outage.up()  # a batch went through: the store answers
                    store_backoff.reset()
                elif self._store_outage.is_down:
                    self._probe_store()
                if not (self._store_outage.is_down or self._broker_outage.is_down):
                    clock.go_on()
                backoff.reset()
            except BrokerError as error:
                clock.stop()
                self._broker_outage.down(f"{type(error).__name__}: {error}")
                self._reconnect_later(backoff.next_delay(), stop)
            except StoreTrouble as trouble:
                clock.stop()
                self._store_outage.down(trouble)
                self._carry.extend(trouble.pending)
                self._pause(store_backoff.next_delay(), stop)
            except Exception:
                delay = backoff.next_delay()
                log.exception("projector step failed; reconnecting in %.1fs", delay)
                self._reconnect_later(delay, stop)
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
        self.oldest_in_hand = min(
            (p.item.event.occurred_at for p in job.batch if p.item.event is not None), default=None
        )
        written = self._write_reading_ahead(job)
        self._settlement.settle(written.settled, self._unsettled)
        self._carry.extend(written.carry)
        if written.trouble is not None:
            raise StoreTrouble(written.unwritten, written.trouble)
        return len(job.batch)

    def _probe_store(self) -> None:
        """An idle replica asks the store itself: with nothing to write, no batch would
        ever tell it (nor its readiness) that the store is back."""
        try:
            self._store.ping()
        except Exception as error:
            if is_transient(error):
                raise StoreTrouble([], error) from error
            raise
        self._store_outage.up()

    def close(self) -> None:
        self._writer.shutdown()
        self._consumer.close()

    def _take(self, wait: float | None, linger: float) -> list[Pending]:
        """Carried ones and due retries first, then deliveries (``wait`` None: idle wait).
        What was received already is taken even when retries fill the batch (up to a batch
        of each): a predecessor in the buffer must not starve behind the events waiting
        for it."""
        now = time.monotonic()
        batch, self._carry = self._carry + self._settlement.due(now), []
        room = max(self._batch_size - len(batch), min(self._consumer.buffered, self._batch_size))
        if room > 0:
            if wait is None:
                wait = 0.0 if batch else self._settlement.idle_wait(now, self._idle_timeout)
            deliveries = self._consumer.fetch(room, wait, linger)
            batch += [Pending(d, self._decoded.take(d)) for d in deliveries]
        return batch

    def _write_reading_ahead(self, job: Job) -> Written:
        """Wait for ``job``, meanwhile buffering (and maybe handing ahead) the next batch."""
        assert job.future is not None
        try:
            self._consumer.pump_until_done(job.future, lambda: self._read_ahead(job))
        except BrokerError:
            self._writer.wait((job, self._next))  # one store write at a time, even now
            raise
        return job.result()

    def _read_ahead(self, job: Job) -> None:
        self._decoded.read_ahead(self._consumer)
        full_batch_waiting = self._consumer.buffered >= self._batch_size
        if self._writer.pipelines and self._next is None and full_batch_waiting:
            self._next = self._writer.submit(self._take(wait=0.0, linger=0.0), after=job)

    def _unsettled(self) -> list[Pending]:
        """What this replica holds besides the batch being settled (and its waiting ones):
        carried, handed ahead, and received but not yet taken (decoded now, kept for
        ``_take``)."""
        ahead = [] if self._next is None else self._next.batch
        buffered = [Pending(d, item) for d, item in self._decoded.buffered(self._consumer)]
        return [*self._carry, *ahead, *buffered]

    def _pause(self, seconds: float, stop: threading.Event) -> None:
        """Wait, servicing the connection (heartbeats) so the broker keeps our deliveries."""
        deadline = time.monotonic() + seconds
        while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            try:
                self._consumer.pump(min(left, 0.1))
            except BrokerError:
                self._reconnect_later(left, stop)
                return

    def _reconnect_later(self, seconds: float, stop: threading.Event) -> None:
        self._forget_in_flight()
        self._consumer.close()
        stop.wait(seconds)

    def _forget_in_flight(self) -> None:
        """A closed channel returned every unacked delivery to the queue: drop our copies."""
        self._writer.wait((self._next,))
        self._carry, self._next = [], None
        self._settlement.forget()
        self._decoded.forget()
