"""Re-project aggregates from the retained outbox into the serving read models.

Repairing one aggregate means its documents as if they had never been written, then every
event of the streams they are made of applied in order, through the projector core
(``write_events``), like any other projector write:

- a talk document is made of the talk's stream, its ratings' stream and, for the slot, its
  conference's stream (a slot is projected only with a conference event the conference
  document has not seen yet): so a talk is repaired with its conference document;
- a conference document is made of the conference stream.

The documents are not deleted first: the store loads them as absent (``ResetDocuments``)
while keeping the versions it read them at, so the re-projected documents replace them in
one write, guarded like every projector write. A live projector writing in between makes
the write lose its guard (search engines) or its fence (SQLite), and the repair loads and
projects again: a repair never overwrites a newer document, and readers never see a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from query_service.consistency.write_model import WriteModel
from query_service.consumers.outbox_log import OutboxLog
from query_service.documents import ConferenceDocument, TalkDocument
from query_service.projector.batch import Outcome
from query_service.projector.broker_writer import fence_of
from query_service.projector.core import Options, write_events
from query_service.projector.decoding import decode
from query_service.projector.fences import DocumentGuards, Fence, SharedFence
from query_service.projector.projector import DEFAULT_CONSUMER
from query_service.read_store.port import (
    DeadLetter,
    LoadedDocuments,
    ProjectionStore,
    WriteBatch,
)
from query_service.settings import QuerySettings


@dataclass
class RepairReport:
    repaired: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    """Aggregates that could not be re-projected, with why."""


class ResetDocuments:
    """``store`` with some documents loaded as absent (their versions kept, so that the
    write that replaces them is still guarded against a concurrent writer)."""

    def __init__(
        self, store: ProjectionStore, talk_ids: Iterable[str], conference_ids: Iterable[str]
    ) -> None:
        self._store = store
        self._talks = frozenset(talk_ids)
        self._conferences = frozenset(conference_ids)

    def ping(self) -> None:
        self._store.ping()

    @property
    def guards_documents(self) -> bool:
        return self._store.guards_documents

    def load_documents(
        self, talk_ids: Iterable[str], conference_ids: Iterable[str]
    ) -> LoadedDocuments:
        loaded = self._store.load_documents(talk_ids, conference_ids)
        return LoadedDocuments(
            talks={i: d for i, d in loaded.talks.items() if i not in self._talks},
            conferences={i: d for i, d in loaded.conferences.items() if i not in self._conferences},
            versions=loaded.versions,
        )

    def load_talks(self, ids: Iterable[str]) -> dict[str, TalkDocument]:
        return self.load_documents(ids, ()).talks

    def load_conferences(self, ids: Iterable[str]) -> dict[str, ConferenceDocument]:
        return self.load_documents((), ids).conferences

    def checkpoint(self, consumer: str) -> int:
        return self._store.checkpoint(consumer)

    def blocked_streams(self, streams: Iterable[str]) -> set[str]:
        return self._store.blocked_streams(streams)

    def write(self, batch: WriteBatch) -> None:
        self._store.write(batch)

    def dead_letters(self) -> Sequence[DeadLetter]:
        return self._store.dead_letters()


def live_fence(settings: QuerySettings) -> str:
    """The consumer whose compare-and-set checkpoint the live projectors move (used on a
    store that does not guard its documents): the outbox tail's, or the one the broker
    projectors on the queue share."""
    return fence_of(settings.projector_queue) if settings.broker_url else DEFAULT_CONSUMER


class Repair:
    def __init__(
        self, store: ProjectionStore, outbox: OutboxLog, write_model: WriteModel, *, consumer: str
    ) -> None:
        """``consumer``: the fence the live projector moves on a store that does not guard
        its documents (the outbox tail's, or the broker projectors' shared one)."""
        self._store = store
        self._outbox = outbox
        self._write = write_model
        self._consumer = consumer

    def repair(self, aggregates: Sequence[str]) -> RepairReport:
        report = RepairReport()
        for aggregate in aggregates:
            why = self._repair_one(aggregate)
            if why is None:
                report.repaired.append(aggregate)
            else:
                report.failed[aggregate] = why
        return report

    def _repair_one(self, aggregate: str) -> str | None:
        kind, key = aggregate.split("/", 1)
        if kind == "talk":
            talk = self._write.talks([key]).get(key)
            if talk is None:
                return "no such talk in the write model"
            streams = [aggregate, f"talk_ratings/{key}", f"conference/{talk.conference_id}"]
            reset = ResetDocuments(self._store, [key], [talk.conference_id])
        elif kind == "conference":
            streams = [aggregate]
            reset = ResetDocuments(self._store, [], [key])
        else:
            return f"cannot repair a {kind!r}"
        items = [decode(record) for record in self._outbox.read_streams(streams)]
        if not items:
            return "the outbox holds none of its events"
        written = write_events(
            reset, items, self._fence(), Options(stop_at_failure=True, blocked=set())
        )
        if written.trouble is not None:
            raise written.trouble
        if written.lost:
            return "the projectors kept writing it; try again"
        failed = [o.reason for o in written.outcomes if o is not None and o.kind is Outcome.FAILED]
        return failed[0] if failed else None

    def _fence(self) -> Fence:
        if self._store.guards_documents:
            return DocumentGuards()
        return SharedFence(self._consumer, step=0)
