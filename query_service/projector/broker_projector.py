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
duplicates and redeliveries no-ops, but two replicas writing the same document at once
(a talk is written by its own stream, its conference's and its ratings') would lose an
update. A store that guards every document write itself (``guards_documents``: the search
engines' ``if_seq_no``/``op_type: create``) refuses the second write with
``DocumentVersionConflict``. A store that does not (SQLite) gets a **fence** with every
write: the read store's compare-and-set checkpoint of the consumer group, read before the
documents are loaded and bumped by one with the write. Either way the replica that lost
re-loads and re-projects the batch.

**Batches**: after the first delivery arrives, the consumer keeps reading for up to
``linger`` seconds (``PROJECTOR_BATCH_LINGER``) until ``batch_size`` are at hand, so a busy
queue is written in full batches and an idle one delays a lone event by ``linger`` at most.
A batch is projected and written on a writer thread while this thread reads the next
deliveries off the socket (the prefetch window holds them) and decodes them: parsing
frames and JSON then overlaps the store's round trips instead of following them. Every
broker call stays on the consumer's thread (pika connections are not thread-safe).

**Pipelining** (stores that guard every document): when a full batch is already buffered
during a write, it is handed to a second writer thread at once. It loads and projects
while the batch before it is in the engine, provided the two share no document (the
documents an event reads are known from the event alone: ``documents_of``);
otherwise it waits until the batch before it is written and projects against that. Writes
stay one at a time and in order, and batches are settled (acked) in order. A store without
document guards (SQLite, fenced) keeps one batch at a time.

Failures of the store: transient ones (unavailable, locked, I/O) keep the whole batch
unacked and back off; any other write failure is narrowed down by writing the batch's
deliveries one by one, so only the one at fault is retried and parked.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from query_service.consumers.rabbitmq import BrokerError, Delivery, RabbitMqConsumer
from query_service.consumers.source import SourceRecord
from query_service.outages import OutageLog
from query_service.projections.dispatch import DocumentKeys, documents_of
from query_service.projections.errors import EventNotYetApplicable
from query_service.projector.batch import ItemOutcome, Outcome, project_items
from query_service.projector.decoding import Decoded, decode
from query_service.projector.health_clock import HealthClock
from query_service.projector.projector import ProjectorStats
from query_service.projector.retry import Backoff, RetryPolicy, is_transient
from query_service.projector.settlement import (
    Action,
    Around,
    Attempts,
    Decision,
    SettlementPolicy,
    settle,
)
from query_service.read_store.port import (
    Checkpoint,
    CheckpointMoved,
    ProjectionStore,
    WriteBatch,
)

log = logging.getLogger(__name__)

FENCE_RETRIES = 20
"""Lost races (fence or document guard) in a row before a batch is put back for the next
step."""
HELD_STREAMS_KEPT = 10_000
STORE_BACKOFF_MAX = 5.0
"""The longest pause between two tries of a store that is away: it bounds how late a
recovery is noticed, and so stays well below any sensible gap timeout (ADR 061)."""


def fence_of(queue: str) -> str:
    """The consumer name of the fence that replicas on ``queue`` share (unguarded stores)."""
    return f"broker:{queue}"


class StoreTrouble(Exception):
    """The store failed transiently; ``pending`` are the deliveries still to write."""

    def __init__(self, pending: list[_Pending], cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.pending = pending


@dataclass
class _Pending:
    delivery: Delivery
    item: Decoded
    attempts: Attempts = field(default_factory=Attempts)
    due: float = 0.0


Settled = tuple[_Pending, Decoded, ItemOutcome]


@dataclass(eq=False)
class _Job:
    """One batch on its way through a writer thread."""

    batch: list[_Pending]
    after: _Job | None = field(repr=False)
    """The batch handed over before this one, while it may still be in the store."""
    documents: DocumentKeys = field(init=False)
    """Every document its events read (and so may write)."""
    written: threading.Event = field(default_factory=threading.Event, init=False)
    """Set once its store write is over, however it ended."""
    followed: bool = field(default=False, init=False)
    """Another batch is queued behind this one (and its write will refresh)."""
    future: Future[_Written] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.documents = documents_of(p.item.event for p in self.batch if p.item.event)
        if self.after is not None:
            self.after.followed = True

    def wait_for_documents(self) -> None:
        """Return once the batch before cannot change what this one reads."""
        if self.after is not None and self.after.documents.overlaps(self.documents):
            self.after.written.wait()

    def wait_for_turn(self) -> None:
        """Return once the batch before is written: writes go one at a time, in order."""
        if self.after is not None:
            self.after.written.wait()

    def result(self) -> _Written:
        assert self.future is not None
        return self.future.result()


@dataclass
class _Written:
    """What the writer thread did with one batch, for the consumer thread to settle."""

    settled: list[Settled] = field(default_factory=list)
    carry: list[_Pending] = field(default_factory=list)
    """Lost races in a row: put back for the next step."""
    trouble: Exception | None = None
    """A transient store failure; ``unwritten`` wait for the back-off."""
    unwritten: list[_Pending] = field(default_factory=list)


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
        self._store = store
        self._fence = fence_of(consumer.topology.queue)
        self._batch_size = batch_size
        self._policy = SettlementPolicy(
            retry or RetryPolicy(), gap_timeout, held_grace=min(1.0, gap_timeout / 4)
        )
        self._clock = HealthClock()
        self._store_outage = OutageLog("read store", log)
        self._broker_outage = OutageLog("broker", log)
        self._idle_timeout = idle_timeout
        self._linger = linger
        self._waiting: list[_Pending] = []
        self._carry: list[_Pending] = []
        self._held: OrderedDict[str, _Stuck] = OrderedDict()
        """Streams this replica held or parked an event of, and where they stood then."""
        self._writer = ThreadPoolExecutor(max_workers=2, thread_name_prefix="projector-writer")
        self._next: _Job | None = None
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
            job = self._submit(batch, after=None)
        self._settle_written(self._write_reading_ahead(job))
        return len(job.batch)

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._consumer.close()

    def _take(self, wait: float | None, linger: float) -> list[_Pending]:
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

    def _submit(self, batch: list[_Pending], after: _Job | None) -> _Job:
        job = _Job(batch, after)
        job.future = self._writer.submit(self._run, job)
        return job

    def _run(self, job: _Job) -> _Written:
        try:
            job.wait_for_documents()
            return self._write(job)
        finally:
            job.written.set()
            job.after = None  # done with it: no chain of every batch ever written

    def _write_reading_ahead(self, job: _Job) -> _Written:
        """Wait for ``job``, meanwhile buffering (and maybe handing ahead) the next batch."""
        assert job.future is not None
        try:
            self._consumer.pump_until_done(job.future, lambda: self._read_ahead(job))
        except BrokerError:
            self._wait_for_writers(job)  # one store write at a time, even across reconnects
            raise
        return job.result()

    def _read_ahead(self, job: _Job) -> None:
        self._decode_ahead()
        full_batch_waiting = self._consumer.buffered >= self._batch_size
        if self._store.guards_documents and self._next is None and full_batch_waiting:
            self._next = self._submit(self._take(wait=0.0, linger=0.0), after=job)

    def _wait_for_writers(self, *jobs: _Job | None) -> None:
        wait([j.future for j in (*jobs, self._next) if j is not None and j.future is not None])

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

    def _pending(self, delivery: Delivery) -> _Pending:
        item = self._decoded.pop((delivery.epoch, delivery.tag), None)
        return _Pending(delivery, item or _decode(delivery))

    def _decode_ahead(self) -> None:
        # Decoded ones are the buffer's head (fetch takes from the front): skip them. Were
        # that ever off, a delivery would merely be decoded when it is fetched.
        for delivery in self._consumer.buffered_deliveries(skip=len(self._decoded)):
            key = (delivery.epoch, delivery.tag)
            if key not in self._decoded:
                self._decoded[key] = _decode(delivery)

    # --- one batch -----------------------------------------------------------------------

    def _write(self, job: _Job) -> _Written:
        """On a writer thread: project and write; no broker calls here."""
        pairs = sorted(((p, p.item) for p in job.batch), key=lambda pair: _order(pair[1]))
        written = _Written()
        self._write_pairs(job, pairs, written)
        return written

    def _write_pairs(
        self, job: _Job, pairs: list[tuple[_Pending, Decoded]], written: _Written
    ) -> None:
        ordered = [p for p, _ in pairs]
        items = [item for _, item in pairs]
        fenced = not self._store.guards_documents
        for _ in range(FENCE_RETRIES):
            try:
                fence = self._store.checkpoint(self._fence) if fenced else 0
                result = project_items(self._store, items, blocked=None, stop_at_failure=False)
                job.wait_for_turn()
                if result.talks or result.conferences or result.applied_event_ids:
                    self._store.write(
                        WriteBatch(
                            talks=result.talks,
                            conferences=result.conferences,
                            checkpoint=self._checkpoint(fence) if fenced else None,
                            applied_event_ids=result.applied_event_ids,
                            searchable_now=not job.followed,
                        )
                    )
            except CheckpointMoved:
                # Another replica wrote in between (the fence moved, or, unfenced, a
                # document's guard failed: DocumentVersionConflict): re-load, re-project.
                continue
            except Exception as error:
                if is_transient(error):
                    written.trouble, written.unwritten = error, ordered
                else:
                    self._narrow_down(job, pairs, error, written)
                return
            written.settled += zip(ordered, items, result.outcomes, strict=True)
            return
        written.carry += ordered

    def _checkpoint(self, fence: int) -> Checkpoint:
        """The fence: the consumer group's checkpoint, compare-and-set by one (ADR 060)."""
        return Checkpoint(self._fence, fence, fence + 1)

    def _narrow_down(
        self,
        job: _Job,
        pairs: list[tuple[_Pending, Decoded]],
        error: Exception,
        written: _Written,
    ) -> None:
        """Write the deliveries one by one, so only the one at fault is retried."""
        if len(pairs) == 1:
            pending, item = pairs[0]
            reason = f"{type(error).__name__}: {error}"
            written.settled.append((pending, item, ItemOutcome(Outcome.FAILED, reason, error)))
            return
        log.warning("batch write failed (%s); writing its deliveries one by one", error)
        for index, pair in enumerate(pairs):
            self._write_pairs(job, [pair], written)
            if written.trouble is not None:
                written.unwritten = [p for p, _ in pairs[index:]]
                return

    # --- settling, on the consumer's thread ------------------------------------------------

    def _settle_written(self, written: _Written) -> None:
        self._settle(written.settled)
        self._carry.extend(written.carry)
        if written.trouble is not None:
            raise StoreTrouble(written.unwritten, written.trouble)

    def _settle(self, settled: Sequence[Settled]) -> None:
        done: list[Delivery] = []
        in_hand: _InHand | None = None
        for pending, item, outcome in settled:
            if in_hand is None and isinstance(outcome.error, EventNotYetApplicable):
                in_hand = _InHand([*self._waiting, *self._carry, *self._handed_ahead()])
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
        self, pending: _Pending, item: Decoded, outcome: ItemOutcome, in_hand: _InHand | None
    ) -> Around:
        gap = outcome.error
        if not isinstance(gap, EventNotYetApplicable) or in_hand is None:
            return Around(now=self._clock.now())
        stuck = self._held.get(item.stream or "")
        return Around(
            now=self._clock.now(),
            earlier_in_hand=in_hand.between(gap.stream, gap.applied, gap.received),
            stream_held=stuck is not None and stuck.holds_back(gap),
            came_back_held=pending.delivery.was_held,
        )

    def _handed_ahead(self) -> list[_Pending]:
        return [] if self._next is None else self._next.batch

    def _count(self, outcome: ItemOutcome, item: Decoded) -> None:
        if outcome.kind is Outcome.APPLIED:
            self.stats.applied += 1
            stuck = self._held.get(item.stream or "")
            if stuck is not None and (item.version or 0) >= stuck.version:
                del self._held[item.stream or ""]  # the stream moved past what it held
        elif outcome.kind is Outcome.DUPLICATE:
            self.stats.duplicates += 1
        else:
            self.stats.skipped += 1
            log.warning("skipping event %s: %s", item.event_id, outcome.reason)

    def _retry_later(self, pending: _Pending, item: Decoded, decision: Decision) -> None:
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

    def _hold(self, pending: _Pending, item: Decoded, outcome: ItemOutcome, reason: str) -> None:
        self._consumer.hold(pending.delivery, reason)
        self.stats.held += 1
        gap = outcome.error
        self._remember_held(item, gap.applied if isinstance(gap, EventNotYetApplicable) else 0)
        log.info("held event %s of %s: %s", item.event_id, item.stream, reason)

    def _park(
        self, pending: _Pending, item: Decoded, reason: str, error: Exception | None = None
    ) -> None:
        self._consumer.dead_letter(
            pending.delivery,
            reason,
            exception=type(error).__name__ if error else "",
            attempts=max(pending.attempts.failures, 1),
        )
        self.stats.dead_lettered += 1
        self._remember_held(item, (item.version or 1) - 1)
        log.error(
            "dead-lettered event %s (%s) of %s: %s",
            item.event_id,
            item.event_type,
            item.stream,
            reason,
        )

    def _remember_held(self, item: Decoded, applied: int) -> None:
        if item.stream:
            before = self._held.get(item.stream)
            if before is None or (item.version or 0) > before.version:
                self._held[item.stream] = _Stuck(item.version or 0, applied)
            self._held.move_to_end(item.stream)
            while len(self._held) > HELD_STREAMS_KEPT:
                self._held.popitem(last=False)


@dataclass(frozen=True)
class _Stuck:
    """A stream this replica held or parked ``version`` of, while ``applied`` was applied."""

    version: int
    applied: int

    def holds_back(self, gap: EventNotYetApplicable) -> bool:
        """The gap is behind what was held, and the stream has not moved since: its
        predecessor will not come before the held one does."""
        return self.version < gap.received and gap.applied <= self.applied


class _InHand:
    """The (stream, version) of every delivery this replica holds, unsettled."""

    def __init__(self, pending: Sequence[_Pending]) -> None:
        self._versions: dict[str, list[int]] = {}
        self.add(p.item for p in pending)

    def add(self, items: Iterable[Decoded]) -> None:
        for item in items:
            if item.stream and item.version is not None:
                self._versions.setdefault(item.stream, []).append(item.version)

    def between(self, stream: str, applied: int, received: int) -> bool:
        """Whether a version after ``applied`` and before ``received`` is in hand."""
        return any(applied < v < received for v in self._versions.get(stream, ()))


def _decode(delivery: Delivery) -> Decoded:
    return decode(SourceRecord(delivery.tag, delivery.text))


def _order(item: Decoded) -> tuple[str, int]:
    """Events of one stream in version order; streams among themselves in any order."""
    return (item.stream or "", item.version or 0)
