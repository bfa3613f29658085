"""The projector's core: a batch of decoded events in, written, one outcome per event out.

Every path that projects events goes through ``write_events``: the outbox tail, the broker
projector's writer threads, the rebuild (an outbox tail into a new generation) and the
replay of a dead letter. It

1. opens the transport's fence (``fences.py``) and loads the documents the batch reads,
   with their versions (``ProjectionStore.load_documents``);
2. projects the events in order (``batch.project_items``);
3. writes every changed document, the applied-event journal (and, for a transport that
   parks in the store, the dead letters) in one ``store.write``, guarded by the fence and
   the versions the load saw;
4. on a lost race, loads and projects again, or gives up when the fence says the events
   are someone else's now; on a store that is away, stops (``trouble``); on any other
   refusal of the write, narrows the batch down by writing its events one by one, so that
   only the event at fault fails.

What it does not do: decide what becomes of an event that failed (``settlement.py``), or
touch a transport (the loops: ``projector.py``, ``broker_projector.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from query_service.projector.batch import ItemOutcome, Outcome, ProjectedBatch, project_items
from query_service.projector.decoding import Decoded
from query_service.projector.fences import Fence
from query_service.projector.retry import is_transient
from query_service.projector.spans import record_apply_spans
from query_service.read_store.port import (
    CheckpointMoved,
    DeadLetter,
    ProjectionStore,
    WriteBatch,
)
from service_conventions.metrics.catalog import PROJECTOR_BATCH_SIZE, READ_STORE_WRITE_DURATION
from service_conventions.telemetry import tracing

log = logging.getLogger(__name__)

FENCE_RETRIES = 20
"""Lost races in a row before a batch is given back to its transport for later."""

PARKED_IN_STORE = (Outcome.DEAD_LETTER, Outcome.BLOCKED)
SETTLED = (Outcome.APPLIED, Outcome.DUPLICATE, Outcome.SKIPPED)


@dataclass(frozen=True)
class Options:
    """How a transport wants its batch written."""

    stop_at_failure: bool = False
    """Stop at the first event that fails (a positioned transport: its checkpoint must
    not pass it); otherwise the others are written around it."""
    blocked: set[str] | None = None
    """Streams with a dead letter in the store: their events are parked behind it."""
    letters_in_store: bool = False
    """Dead letters are written into the store with the batch (the outbox tail)."""
    searchable_now: Callable[[], bool] = lambda: True
    """Asked right before the write (``WriteBatch.searchable_now``)."""
    resolved_dead_letters: Sequence[int] = ()
    """Dead letters removed by the write, if every event of it settled (a replay); when
    one did not, nothing is written and its outcome says why."""
    before_write: Callable[[], None] = lambda: None
    """Called between projecting and writing (the broker's writes go one at a time)."""


@dataclass
class WriteResult:
    """What became of a batch: ``outcomes`` align with the events (None: not written)."""

    outcomes: list[ItemOutcome | None]
    lost: bool = False
    """Another writer won (or kept winning): the events without an outcome are not ours."""
    trouble: Exception | None = None
    """The store is away: the events without an outcome are unwritten; write them later."""

    @property
    def unwritten(self) -> list[int]:
        return [i for i, outcome in enumerate(self.outcomes) if outcome is None]


def write_events(
    store: ProjectionStore, items: Sequence[Decoded], fence: Fence, options: Options
) -> WriteResult:
    """Project and write ``items``; see the module docstring. With tracing on, each event
    the batch settled gets its span (``spans.py``); off, that costs one check a batch."""
    if not tracing.enabled():
        return _write_events(store, items, fence, options)
    started = time.time_ns()
    result = _write_events(store, items, fence, options)
    record_apply_spans(items, result.outcomes, started, engine_of(store))
    return result


def _write_events(
    store: ProjectionStore, items: Sequence[Decoded], fence: Fence, options: Options
) -> WriteResult:
    for attempt in range(FENCE_RETRIES):
        try:
            fence.open(store)
            result = project_items(
                store,
                items,
                blocked=options.blocked,
                stop_at_failure=options.stop_at_failure,
                read_all=attempt > 0,
            )
            options.before_write()
            _write(store, items, result, fence, options)
        except CheckpointMoved:
            if fence.lost():
                continue
            log.info("another projector replica wrote these events first")
            return WriteResult([None] * len(items), lost=True)
        except Exception as error:
            if is_transient(error):
                return WriteResult([None] * len(items), trouble=error)
            return _narrow_down(store, items, fence, options, error)
        return WriteResult(_aligned(result, len(items)))
    return WriteResult([None] * len(items), lost=True)


def _write(
    store: ProjectionStore,
    items: Sequence[Decoded],
    result: ProjectedBatch,
    fence: Fence,
    options: Options,
) -> None:
    written = [
        i for i, o in zip(items, result.outcomes, strict=False) if o.kind is not Outcome.FAILED
    ]
    upto = written[-1] if written else None
    if options.resolved_dead_letters and not all(o.kind in SETTLED for o in result.outcomes):
        return
    letters = _letters(items, result) if options.letters_in_store else []
    if not (
        result.changes_documents
        or letters
        or options.resolved_dead_letters
        or fence.records_progress(upto)
    ):
        return
    checkpoint = fence.checkpoint(upto)
    started = time.perf_counter()
    store.write(
        WriteBatch(
            talks=result.talks,
            conferences=result.conferences,
            versions=result.versions,
            dead_letters=letters,
            checkpoint=checkpoint,
            applied_event_ids=result.applied_event_ids,
            resolved_dead_letters=options.resolved_dead_letters,
            searchable_now=options.searchable_now(),
        )
    )
    READ_STORE_WRITE_DURATION.labels(engine_of(store)).observe(time.perf_counter() - started)
    PROJECTOR_BATCH_SIZE.observe(len(items))
    fence.written(checkpoint)


def engine_of(store: ProjectionStore) -> str:
    """The store's engine (``sqlite``, ``opensearch``, ``elasticsearch``) for the metric's
    label; a store that does not say is named by its class."""
    engine = getattr(store, "engine", None)
    return engine if isinstance(engine, str) else type(store).__name__


def _letters(items: Sequence[Decoded], result: ProjectedBatch) -> list[DeadLetter]:
    return [
        letter_of(item, outcome.reason, attempts=1 if outcome.kind is Outcome.DEAD_LETTER else 0)
        for item, outcome in zip(items, result.outcomes, strict=False)
        if outcome.kind in PARKED_IN_STORE
    ]


def letter_of(item: Decoded, reason: str, attempts: int) -> DeadLetter:
    """The dead letter that parks ``item`` in the store."""
    return DeadLetter(
        position=item.record.position,
        event_id=item.event_id,
        event_type=item.event_type,
        stream=item.stream,
        reason=reason,
        envelope=item.record.envelope,
        attempts=attempts,
    )


def _aligned(result: ProjectedBatch, size: int) -> list[ItemOutcome | None]:
    return [*result.outcomes, *[None] * (size - len(result.outcomes))]


def _narrow_down(
    store: ProjectionStore,
    items: Sequence[Decoded],
    fence: Fence,
    options: Options,
    error: Exception,
) -> WriteResult:
    """Write the events one by one, so that only the one at fault fails."""
    if len(items) == 1:
        return WriteResult([ItemOutcome(Outcome.FAILED, f"{type(error).__name__}: {error}", error)])
    log.warning("batch write failed (%s); writing its events one by one", error)
    written = WriteResult([None] * len(items))
    for index, item in enumerate(items):
        one = _write_events(store, [item], fence, options)
        [outcome] = one.outcomes
        written.outcomes[index] = outcome
        if one.trouble is not None or one.lost:
            written.trouble, written.lost = one.trouble, one.lost
            break
        if options.stop_at_failure and outcome is not None and outcome.kind is Outcome.FAILED:
            break
    return written
