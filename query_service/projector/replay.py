"""Replay dead letters of the embedded read store straight through the projections.

The outbox tail's checkpoint has moved past a parked event, so re-reading the outbox
would never bring it back: a replay projects the parked envelope itself and writes the
documents, the journal entry and the removal of the dead letter in one ``store.write``.
That write carries the tail's checkpoint unchanged (``expected == position``) as a fence:
if the running projector committed in between, the write is refused (``CheckpointMoved``)
and the replay re-loads and re-projects, so it never overwrites a newer document.

A letter the projections still refuse stays where it is (the caller hears why); later
letters of its stream then fail on the gap, as they should.

Dropping a letter **passes over** its event (``projections/pass_over.py``): its stream's
mark moves on as if it had applied, so the aggregate's later events apply (ADR 061). The
same fence keeps a running projector and the operator's write apart: on a store that
guards every document, the guards; else the consumer's compare-and-set checkpoint, moved
on by one where the projector's own fence does the same (the broker projector on SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence

from query_service.consumers.source import SourceRecord
from query_service.projections.errors import ProjectionError
from query_service.projections.pass_over import documents_to_pass_over, pass_over
from query_service.projector.batch import Outcome
from query_service.projector.core import FENCE_RETRIES, Options, write_events
from query_service.projector.decoding import decode
from query_service.projector.fences import DocumentGuards, Fence, SharedFence
from query_service.projector.projector import DEFAULT_CONSUMER
from query_service.read_store.port import (
    CheckpointMoved,
    DeadLetter,
    ProjectionStore,
    WriteBatch,
)


def replay_letter(
    store: ProjectionStore, letter: DeadLetter, *, consumer: str = DEFAULT_CONSUMER
) -> str | None:
    """Apply one parked event and remove it; None when done, else why it was refused."""
    if letter.id is None:
        return "the dead letter has no id"
    item = decode(SourceRecord(letter.position or 0, letter.envelope))
    options = Options(stop_at_failure=True, blocked=set(), resolved_dead_letters=[letter.id])
    written = write_events(store, [item], SharedFence(consumer, step=0), options)
    if written.trouble is not None:
        raise written.trouble
    [outcome] = written.outcomes
    if outcome is None:
        return "the projector kept writing; try again"
    if outcome.kind not in (Outcome.APPLIED, Outcome.DUPLICATE, Outcome.SKIPPED):
        return outcome.reason
    return None


def pass_over_letter(
    store: ProjectionStore,
    envelope: str,
    *,
    consumer: str = DEFAULT_CONSUMER,
    advance_fence: bool = False,
    resolved: Sequence[int] = (),
) -> str | None:
    """Pass over the parked event in ``envelope`` (and remove the ``resolved`` letters in
    the same write); None when done, else why not (then nothing was written)."""
    item = decode(SourceRecord(0, envelope))
    if not item.stream or item.version is None:  # malformed: no stream to move on
        if resolved:
            store.write(WriteBatch(resolved_dead_letters=resolved))
        return None
    aggregate_type, aggregate_id = item.stream.split("/", 1)
    keys = documents_to_pass_over(aggregate_type, aggregate_id)
    fence: Fence = (
        DocumentGuards()
        if store.guards_documents
        else SharedFence(consumer, step=1 if advance_fence else 0)
    )
    for _ in range(FENCE_RETRIES):
        fence.open(store)
        loaded = store.load_documents(keys.talk_ids, keys.conference_ids)
        try:
            changes = pass_over(
                aggregate_type, aggregate_id, item.version, loaded.talks, loaded.conferences
            )
        except ProjectionError as error:
            return f"cannot pass over it ({error}); replay or drop its predecessor first"
        try:
            store.write(
                WriteBatch(
                    talks=changes.talks,
                    conferences=changes.conferences,
                    versions=loaded.versions,
                    checkpoint=fence.checkpoint(None),
                    resolved_dead_letters=resolved,
                )
            )
        except CheckpointMoved:
            continue
        return None
    return "the projector kept writing; try again"
