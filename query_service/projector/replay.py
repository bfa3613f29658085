"""Replay dead letters of the embedded read store straight through the projections.

The outbox tail's checkpoint has moved past a parked event, so re-reading the outbox
would never bring it back: a replay projects the parked envelope itself and writes the
documents, the journal entry and the removal of the dead letter in one ``store.write``.
That write carries the tail's checkpoint unchanged (``expected == position``) as a fence:
if the running projector committed in between, the write is refused (``CheckpointMoved``)
and the replay re-loads and re-projects, so it never overwrites a newer document.

A letter the projections still refuse stays where it is (the caller hears why); later
letters of its stream then fail on the gap, as they should.
"""

from __future__ import annotations

from query_service.consumers.source import SourceRecord
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


def drop_letters(store: ProjectionStore, letter_ids: list[int]) -> None:
    store.write(WriteBatch(resolved_dead_letters=letter_ids))
