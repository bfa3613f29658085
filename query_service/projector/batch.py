"""Projecting a batch, without writing it: decoded items in, an outcome each and the
documents they changed out (``core.py`` writes them).

Per item: it applies, is a duplicate, is skipped, goes to the dead letters, or failed. The
documents the items read are loaded once, with their versions, into a working set that
later items see, so a whole batch becomes one ``store.write``.

``stop_at_failure``: a positioned transport must not move its checkpoint past a failed
record, so it stops there; a broker acks deliveries one by one, so it carries on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from query_service.documents import ConferenceDocument, TalkDocument
from query_service.projections.dispatch import Changes, created_talks, documents_of, project
from query_service.projector.decoding import Decoded, Verdict
from query_service.read_store.port import (
    EXPECTED_ABSENT,
    DocumentRef,
    DocumentVersion,
    ProjectionStore,
)
from shared_domain.events import DomainEvent

BATCH_SIZE = 500
"""Events per batch unless ``PROJECTOR_BATCH_SIZE`` says otherwise: one store write each."""


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
    DEAD_LETTER = "dead_letter"
    BLOCKED = "blocked"
    """A dead letter because an earlier event of its stream is one."""
    FAILED = "failed"
    """The projection raised; the caller retries the item or parks it."""


@dataclass(frozen=True)
class ItemOutcome:
    kind: Outcome
    reason: str = ""
    error: Exception | None = None


class WorkingSet:
    """The documents one batch reads and rewrites, so later events see earlier changes."""

    def __init__(
        self, store: ProjectionStore, events: Sequence[DomainEvent], *, read_all: bool
    ) -> None:
        """``read_all`` False: on a store that guards documents, talks the events create
        are not read but written as ``EXPECTED_ABSENT`` (a round trip fewer per batch of
        submissions; a document that did exist makes the write a lost race, and the retry
        reads everything)."""
        keys = documents_of(events)
        unread = frozenset() if read_all or not store.guards_documents else created_talks(events)
        loaded = store.load_documents(keys.talk_ids - unread, keys.conference_ids)
        self.talks: dict[str, TalkDocument] = loaded.talks
        self.conferences: dict[str, ConferenceDocument] = loaded.conferences
        self.versions = {
            **loaded.versions,
            **{("talks", talk_id): EXPECTED_ABSENT for talk_id in unread},
        }
        self.dirty_talks: dict[str, TalkDocument] = {}
        self.dirty_conferences: dict[str, ConferenceDocument] = {}

    def apply(self, changes: Changes) -> None:
        for talk in changes.talks:
            self.talks[talk.id] = self.dirty_talks[talk.id] = talk
        for conference in changes.conferences:
            self.conferences[conference.id] = self.dirty_conferences[conference.id] = conference


@dataclass
class ProjectedBatch:
    """What a batch of items comes to; ``outcomes`` align with the items reached."""

    outcomes: list[ItemOutcome] = field(default_factory=list)
    talks: list[TalkDocument] = field(default_factory=list)
    conferences: list[ConferenceDocument] = field(default_factory=list)
    applied_event_ids: list[str] = field(default_factory=list)
    versions: Mapping[DocumentRef, DocumentVersion] = field(default_factory=dict)
    """What the load saw: the write is guarded by it."""

    @property
    def changes_documents(self) -> bool:
        return bool(self.talks or self.conferences or self.applied_event_ids)

    def count(self, kind: Outcome) -> int:
        return sum(1 for outcome in self.outcomes if outcome.kind is kind)


def project_items(
    store: ProjectionStore,
    items: Sequence[Decoded],
    *,
    blocked: set[str] | None,
    stop_at_failure: bool,
    read_all: bool = True,
) -> ProjectedBatch:
    """Project ``items`` in order against the store's current documents (pure but for the
    reads). ``blocked`` holds streams with a dead letter; it grows as items are parked, so
    later events of such a stream are parked at once instead of waiting out a gap. That
    needs items in stream order (a positioned transport); ``None`` turns it off.
    ``read_all``: see ``WorkingSet``."""
    events = [i.event for i in items if i.event is not None]
    work = WorkingSet(store, events, read_all=read_all)
    result = ProjectedBatch()
    for item in items:
        outcome = _project_one(item, work, blocked, result.applied_event_ids)
        result.outcomes.append(outcome)
        if outcome.kind is Outcome.FAILED and stop_at_failure:
            break
    result.talks = list(work.dirty_talks.values())
    result.conferences = list(work.dirty_conferences.values())
    result.versions = work.versions
    return result


def _project_one(
    item: Decoded, work: WorkingSet, blocked: set[str] | None, applied: list[str]
) -> ItemOutcome:
    if item.verdict is Verdict.SKIP:
        return ItemOutcome(Outcome.SKIPPED, item.reason)
    if item.verdict is Verdict.DEAD_LETTER:
        if blocked is not None:
            blocked.add(item.stream or "")
        return ItemOutcome(Outcome.DEAD_LETTER, item.reason)
    if blocked is not None and item.stream in blocked:
        reason = f"blocked: an earlier event of {item.stream} is a dead letter"
        return ItemOutcome(Outcome.BLOCKED, reason)
    assert item.event is not None
    try:
        changes = project(item.event, work.talks, work.conferences)
    except Exception as error:
        return ItemOutcome(Outcome.FAILED, f"{type(error).__name__}: {error}", error)
    work.apply(changes)
    if changes.is_empty:
        return ItemOutcome(Outcome.DUPLICATE)
    if item.event_id:
        applied.append(item.event_id)
    return ItemOutcome(Outcome.APPLIED)
