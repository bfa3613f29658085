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
from query_service.projector.batch import Outcome, project_items
from query_service.projector.decoding import decode
from query_service.projector.projector import DEFAULT_CONSUMER
from query_service.read_store.port import (
    Checkpoint,
    CheckpointMoved,
    DeadLetter,
    ProjectionStore,
    WriteBatch,
)

FENCE_RETRIES = 20


def replay_letter(
    store: ProjectionStore, letter: DeadLetter, *, consumer: str = DEFAULT_CONSUMER
) -> str | None:
    """Apply one parked event and remove it; None when done, else why it was refused."""
    if letter.id is None:
        return "the dead letter has no id"
    item = decode(SourceRecord(letter.position or 0, letter.envelope))
    for _ in range(FENCE_RETRIES):
        fence = store.checkpoint(consumer)
        result = project_items(store, [item], blocked=set(), stop_at_failure=True)
        [outcome] = result.outcomes
        if outcome.kind not in (Outcome.APPLIED, Outcome.DUPLICATE, Outcome.SKIPPED):
            return outcome.reason
        try:
            store.write(
                WriteBatch(
                    talks=result.talks,
                    conferences=result.conferences,
                    checkpoint=Checkpoint(consumer, fence, fence),
                    applied_event_ids=result.applied_event_ids,
                    resolved_dead_letters=[letter.id],
                )
            )
        except CheckpointMoved:
            continue
        return None
    return "the projector kept writing; try again"


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
    for _ in range(FENCE_RETRIES):
        fence = None if store.guards_documents else store.checkpoint(consumer)
        talks = store.load_talks(keys.talk_ids)
        conferences = store.load_conferences(keys.conference_ids)
        try:
            changes = pass_over(aggregate_type, aggregate_id, item.version, talks, conferences)
        except ProjectionError as error:
            return f"cannot pass over it ({error}); replay or drop its predecessor first"
        checkpoint = None
        if fence is not None:
            checkpoint = Checkpoint(consumer, fence, fence + 1 if advance_fence else fence)
        try:
            store.write(
                WriteBatch(
                    talks=changes.talks,
                    conferences=changes.conferences,
                    checkpoint=checkpoint,
                    resolved_dead_letters=resolved,
                )
            )
        except CheckpointMoved:
            continue
        return None
    return "the projector kept writing; try again"
