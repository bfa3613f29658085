"""The projector core without a store or a broker: an in-memory store that keeps the port's
promises (checkpoint compare-and-set, per-document guards when asked to) and can refuse."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pytest

from query_service.consumers.source import SourceRecord
from query_service.documents import ConferenceDocument, TalkDocument
from query_service.projector.batch import Outcome
from query_service.projector.core import Options, WriteResult, write_events
from query_service.projector.decoding import Decoded, decode
from query_service.projector.fences import DocumentGuards, Fence, SharedFence, TailCheckpoint
from query_service.read_store.port import (
    CheckpointMoved,
    DeadLetter,
    DocumentVersion,
    DocumentVersionConflict,
    LoadedDocuments,
    ReadStoreUnavailable,
    WriteBatch,
)
from shared_domain.envelope import TraceContext, to_envelope
from shared_domain.events import ConferenceCreated, ConferenceRenamed, DomainEvent

TRACE = TraceContext("corr", "cause")


def created(conference: str) -> DomainEvent:
    return ConferenceCreated(
        aggregate_id=conference,
        aggregate_version=1,
        name="DevConf",
        starts_on="2026-05-01",
        ends_on="2026-05-02",
        timezone="UTC",
        stages=["Main"],
    )


def renamed(conference: str, version: int) -> DomainEvent:
    return ConferenceRenamed(
        aggregate_id=conference, aggregate_version=version, name=f"DevConf {version}"
    )


def items(*events: DomainEvent | str) -> list[Decoded]:
    """Decoded records at positions 1, 2, …; a string is a raw (malformed) envelope."""
    return [
        decode(
            SourceRecord(position, e if isinstance(e, str) else json.dumps(to_envelope(e, TRACE)))
        )
        for position, e in enumerate(events, start=1)
    ]


@dataclass
class MemoryStore:
    guards_documents: bool = False
    refuse: Callable[[WriteBatch], Exception | None] = lambda batch: None
    conferences: dict[str, ConferenceDocument] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    checkpoints: dict[str, int] = field(default_factory=dict)
    letters: list[DeadLetter] = field(default_factory=list)
    journal: list[str] = field(default_factory=list)
    writes: list[WriteBatch] = field(default_factory=list)

    def load_documents(
        self, talk_ids: Iterable[str], conference_ids: Iterable[str]
    ) -> LoadedDocuments:
        ids = list(conference_ids)
        found = {i: self.conferences[i] for i in ids if i in self.conferences}
        if not self.guards_documents:
            return LoadedDocuments({}, found)
        versions = {
            ("conferences", i): DocumentVersion(
                "memory", (self.versions[i], 1) if i in found else None
            )
            for i in ids
        }
        return LoadedDocuments({}, found, versions)

    def load_talks(self, ids: Iterable[str]) -> dict[str, TalkDocument]:
        return {}

    def load_conferences(self, ids: Iterable[str]) -> dict[str, ConferenceDocument]:
        return {i: self.conferences[i] for i in ids if i in self.conferences}

    def checkpoint(self, consumer: str) -> int:
        return self.checkpoints.get(consumer, 0)

    def blocked_streams(self, streams: Iterable[str]) -> set[str]:
        return {s for s in streams if any(letter.stream == s for letter in self.letters)}

    def dead_letters(self) -> Sequence[DeadLetter]:
        return self.letters

    def write(self, batch: WriteBatch) -> None:
        if (error := self.refuse(batch)) is not None:
            raise error
        cp = batch.checkpoint
        if cp is not None and self.checkpoint(cp.consumer) != cp.expected:
            raise CheckpointMoved(cp.consumer)
        for doc in batch.conferences:
            seen = batch.versions.get(("conferences", doc.id))
            now = self.versions.get(doc.id)
            if seen is not None and (seen.seq[0] if seen.seq else None) != now:
                raise DocumentVersionConflict(doc.id)
        self.writes.append(batch)
        if batch.checkpoint is not None:
            self.checkpoints[batch.checkpoint.consumer] = batch.checkpoint.position
        for doc in batch.conferences:
            self.conferences[doc.id] = doc
            self.versions[doc.id] = self.versions.get(doc.id, 0) + 1
        self.letters += batch.dead_letters
        self.journal += batch.applied_event_ids


def kinds(result: WriteResult) -> list[Outcome | None]:
    return [None if o is None else o.kind for o in result.outcomes]


def run(store: MemoryStore, batch: list[Decoded], fence: Fence, **options: object) -> WriteResult:
    return write_events(store, batch, fence, Options(**options))  # type: ignore[arg-type]


def test_a_batch_is_one_write_with_its_journal() -> None:
    store = MemoryStore()
    batch = items(created("c1"), renamed("c1", 2), created("c2"))
    result = run(store, batch, DocumentGuards())
    assert kinds(result) == [Outcome.APPLIED] * 3
    assert len(store.writes) == 1
    assert store.journal == [i.event_id for i in batch]
    assert store.conferences["c1"].name == "DevConf 2"


def test_a_batch_of_duplicates_writes_nothing_unless_the_fence_records_progress() -> None:
    store = MemoryStore()
    run(store, items(created("c1")), DocumentGuards())
    again = items(created("c1"))
    assert kinds(run(store, again, DocumentGuards())) == [Outcome.DUPLICATE]
    assert len(store.writes) == 1
    assert kinds(run(store, again, TailCheckpoint("tail", 0))) == [Outcome.DUPLICATE]
    assert len(store.writes) == 2
    assert store.checkpoint("tail") == 1


def test_a_refused_write_is_narrowed_down_to_the_event_at_fault() -> None:
    def refuse(batch: WriteBatch) -> Exception | None:
        if any(c.id == "bad" for c in batch.conferences):
            return ValueError("mapping rejects it")
        return None

    store = MemoryStore(refuse=refuse)
    result = run(store, items(created("c1"), created("bad"), created("c2")), DocumentGuards())
    assert kinds(result) == [Outcome.APPLIED, Outcome.FAILED, Outcome.APPLIED]
    failed = result.outcomes[1]
    assert failed is not None
    assert isinstance(failed.error, ValueError)
    assert "mapping rejects it" in failed.reason
    assert set(store.conferences) == {"c1", "c2"}


def test_a_positioned_transport_stops_at_the_failure_and_its_checkpoint_before_it() -> None:
    store = MemoryStore(
        refuse=lambda b: ValueError("no") if any(c.id == "bad" for c in b.conferences) else None
    )
    batch = items(created("c1"), created("bad"), created("c2"))
    result = run(store, batch, TailCheckpoint("tail", 0), stop_at_failure=True)
    assert kinds(result) == [Outcome.APPLIED, Outcome.FAILED, None]
    assert store.checkpoint("tail") == 1
    assert set(store.conferences) == {"c1"}


def test_a_store_that_is_away_writes_nothing_and_spends_no_attempt() -> None:
    store = MemoryStore(refuse=lambda batch: ReadStoreUnavailable("down"))
    result = run(store, items(created("c1"), created("c2")), DocumentGuards())
    assert isinstance(result.trouble, ReadStoreUnavailable)
    assert kinds(result) == [None, None]
    assert result.unwritten == [0, 1]


def test_a_lost_document_guard_loads_and_projects_again() -> None:
    store = MemoryStore(guards_documents=True)
    run(store, items(created("c1")), DocumentGuards())
    losses = iter([DocumentVersionConflict("c1 changed")])
    store.refuse = lambda batch: next(losses, None)
    result = run(store, items(renamed("c1", 2)), DocumentGuards())
    assert kinds(result) == [Outcome.APPLIED]
    assert store.conferences["c1"].name == "DevConf 2"


def test_a_stale_version_is_refused_by_the_guard() -> None:
    store = MemoryStore(guards_documents=True)
    run(store, items(created("c1")), DocumentGuards())
    loaded = store.load_documents([], ["c1"])
    store.write(WriteBatch(conferences=[store.conferences["c1"]]))  # someone else, unguarded
    with pytest.raises(DocumentVersionConflict):
        store.write(
            WriteBatch(conferences=list(loaded.conferences.values()), versions=loaded.versions)
        )


def test_the_tail_gives_up_when_another_replica_moved_its_checkpoint() -> None:
    store = MemoryStore(checkpoints={"tail": 5})
    result = run(store, items(created("c1")), TailCheckpoint("tail", 0), stop_at_failure=True)
    assert result.lost
    assert kinds(result) == [None]
    assert store.writes == []


def test_a_shared_fence_moves_on_by_one_per_write_and_retries_a_lost_race() -> None:
    store = MemoryStore()
    fence = SharedFence("broker:q")
    run(store, items(created("c1")), fence)
    store.checkpoints["broker:q"] = 7  # another replica wrote meanwhile
    result = run(store, items(created("c2")), fence)
    assert kinds(result) == [Outcome.APPLIED]
    assert store.checkpoint("broker:q") == 8


def test_the_tail_parks_malformed_records_in_the_store_with_the_batch() -> None:
    store = MemoryStore()
    batch = items(created("c1"), "not json", created("c2"))
    result = run(
        store, batch, TailCheckpoint("tail", 0), stop_at_failure=True, letters_in_store=True
    )
    assert kinds(result) == [Outcome.APPLIED, Outcome.DEAD_LETTER, Outcome.APPLIED]
    [letter] = store.letters
    assert (letter.position, letter.attempts) == (2, 1)
    assert store.checkpoint("tail") == 3
    assert len(store.writes) == 1


def test_a_replay_removes_its_letter_only_with_an_event_that_applied() -> None:
    store = MemoryStore()
    beyond_gap = items(renamed("c1", 3))
    result = run(
        store,
        beyond_gap,
        SharedFence("tail", step=0),
        resolved_dead_letters=[1],
        stop_at_failure=True,
    )
    assert kinds(result) == [Outcome.FAILED]
    assert store.writes == []
    result = run(
        store, items(created("c1")), SharedFence("tail", step=0), resolved_dead_letters=[1]
    )
    assert kinds(result) == [Outcome.APPLIED]
    assert store.writes[0].resolved_dead_letters == [1]
