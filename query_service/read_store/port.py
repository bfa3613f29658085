"""The read-store port: the search model the API speaks, and the writes the projector needs.

The model is engine-neutral on purpose: a query is a set of filters, a free text, a sort
name and an opaque cursor; a page is items, facet counts and the next cursor. SQLite FTS5,
Elasticsearch and OpenSearch adapters all implement it without the port changing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from query_service.documents import ConferenceDocument, TalkDocument
from service_conventions.consistency.token import MarkRef

FACET_FIELDS = ("tag", "level", "format", "language", "status", "stage", "day")


class ReadStoreError(Exception):
    """Base of the errors an adapter may raise through the port."""


class ReadStoreUnavailable(ReadStoreError):
    """The engine cannot be reached or is not initialised."""


class InvalidCursor(ReadStoreError):
    """A cursor that this store did not issue for this query."""


class CheckpointMoved(ReadStoreError):
    """Another projector replica advanced the checkpoint first; re-read and retry."""


class DocumentVersionConflict(CheckpointMoved):
    """A document changed after the projector loaded it (another replica, or a rebuild's
    switch-over, wrote first). Search engines have no multi-document transaction, so each
    document write is guarded by the version it was loaded at; a lost guard is a lost race,
    handled like ``CheckpointMoved``: re-read the checkpoint and documents, and retry."""


class TalkSort(StrEnum):
    RELEVANCE = "relevance"
    RATING = "rating"
    STARTS_AT = "starts_at"
    NEWEST = "newest"
    TITLE = "title"


@dataclass(frozen=True)
class TalkQuery:
    """A talk search. Empty filter tuples mean "no filter"; ``tags`` must all match,
    every other filter matches any of its values."""

    text: str | None = None
    conference_id: str | None = None
    tags: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    days: tuple[date, ...] = ()
    sort: TalkSort | None = None
    size: int = 20
    cursor: str | None = None

    @property
    def effective_sort(self) -> TalkSort:
        """Relevance with a text, else by start time (unscheduled last)."""
        if self.sort is not None:
            return self.sort
        return TalkSort.RELEVANCE if self.text else TalkSort.STARTS_AT


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class TalkHit:
    talk: TalkDocument
    highlight: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class TalkPage:
    total: int
    items: Sequence[TalkHit]
    facets: Mapping[str, Sequence[FacetCount]]
    next_cursor: str | None


@dataclass(frozen=True)
class TopTalksQuery:
    conference_id: str
    day: date | None = None
    limit: int = 10
    min_ratings: int = 1


@dataclass(frozen=True)
class SpeakerQuery:
    text: str | None = None
    conference_id: str | None = None


@dataclass(frozen=True)
class SpeakerSummary:
    name: str
    companies: tuple[str, ...]
    talk_count: int


@dataclass(frozen=True)
class Checkpoint:
    """How far a consumer has read a positioned transport (the outbox), advanced
    compare-and-set so that two replicas can never both apply the same batch."""

    consumer: str
    expected: int
    position: int


@dataclass(frozen=True)
class DeadLetter:
    position: int | None
    event_id: str | None
    event_type: str | None
    stream: str | None
    reason: str
    envelope: str
    attempts: int
    id: int | None = None
    """The store's key for operators (show, replay, drop); None before it is stored."""


DocumentRef = tuple[str, str]
"""A document by kind (``"talks"``, ``"conferences"``) and id."""


@dataclass(frozen=True)
class DocumentVersion:
    """What a load saw of one document, for a store that guards each write against it."""

    where: str | None
    """The concrete place it was read from (an index): versions of two places never compare.
    None: not read at all, but expected absent (``EXPECTED_ABSENT``)."""
    seq: tuple[int, int] | None
    """The engine's version of the document; None when it did not exist."""


EXPECTED_ABSENT = DocumentVersion(None, None)
"""The version of a document a batch creates without reading it first (a talk's first
event): written only if it does not exist, wherever the batch goes; if it does (a
redelivery, or a slot that arrived first), the write is a lost race and the batch is read
and projected again, this time with the document loaded."""


@dataclass(frozen=True)
class LoadedDocuments:
    """Documents as one ``load_documents`` saw them, and the versions that saw them.

    The versions travel with the batch to ``write`` (``WriteBatch.versions``), so a load
    and its write may run on any threads: nothing about the load is kept in the store."""

    talks: dict[str, TalkDocument] = field(default_factory=dict)
    conferences: dict[str, ConferenceDocument] = field(default_factory=dict)
    versions: Mapping[DocumentRef, DocumentVersion] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteBatch:
    """Everything one projector step writes, atomically."""

    talks: Sequence[TalkDocument] = ()
    conferences: Sequence[ConferenceDocument] = ()
    versions: Mapping[DocumentRef, DocumentVersion] = field(default_factory=dict)
    """The versions ``load_documents`` saw (``LoadedDocuments.versions``). A store that
    guards documents writes each one only if it is still at that version, else raises
    ``DocumentVersionConflict``; a document without an entry is written unguarded."""
    dead_letters: Sequence[DeadLetter] = ()
    checkpoint: Checkpoint | None = None
    applied_event_ids: Sequence[str] = ()
    """Events whose changes this batch writes: a journal that audits exactly-once effect."""
    resolved_dead_letters: Sequence[int] = ()
    """Dead letters (by id) this batch removes: a replayed one leaves in the same
    transaction as the documents its replay wrote; a dropped one just leaves."""
    searchable_now: bool = True
    """Searchable before ``write`` returns. False when another batch is queued right behind
    this one: a store that must refresh to make writes searchable (a search engine) leaves
    it to that batch's refresh, or to its own refresh interval under a lasting backlog."""


@dataclass(frozen=True)
class GenerationInfo:
    """One generation as an operator sees it (``conference status``)."""

    name: str
    serving: bool
    """The generation readers use (the pointer or the aliases name it)."""
    talks: int
    """Talk documents, partial ones (a slot or rating before the talk) included."""
    conferences: int
    created_at: datetime | None
    """When the generation was made (by ``initialize`` or a rebuild); None when the store
    cannot tell (a SQLite file from before it recorded it)."""


class TalkSearch(Protocol):
    """What the search API reads."""

    def ping(self) -> None:
        """Raise ``ReadStoreUnavailable`` unless the store can answer queries."""

    def search_talks(self, query: TalkQuery) -> TalkPage: ...

    def get_talk(self, talk_id: str) -> TalkDocument | None:
        """A visible talk (one whose details exist), else None."""

    def get_conference(self, conference_id: str) -> ConferenceDocument | None: ...

    def talk_counts(self, conference_id: str) -> Mapping[str, int]:
        """Visible talks of the conference by shown status, counted at query time."""

    def scheduled_talks(self, conference_id: str, day: date | None) -> Sequence[TalkDocument]:
        """Visible scheduled talks of the conference (of one local day), by start time."""

    def top_talks(self, query: TopTalksQuery) -> Sequence[TalkDocument]: ...

    def speakers(self, query: SpeakerQuery) -> Sequence[SpeakerSummary]: ...

    def read_versions(self, refs: Collection[MarkRef]) -> dict[MarkRef, int]:
        """The version each mark has reached in what searches see (0: its document is not
        there yet), in one batched read: the consistency watcher's only query (ADR 080)."""
        ...


class ProjectionStore(Protocol):
    """What the projector reads and writes."""

    def ping(self) -> None:
        """Raise ``ReadStoreUnavailable`` unless the store answers (an idle projector's
        way to learn that it is back)."""

    @property
    def guards_documents(self) -> bool:
        """True when every document ``write`` is guarded on its own, atomically by the
        engine, against the version ``load_talks``/``load_conferences`` saw (a lost guard
        raises ``DocumentVersionConflict``). Then concurrent writers cannot lose updates
        without a batch-wide compare-and-set checkpoint, and the broker projector writes
        without its fence (ADR 060). False: only ``WriteBatch.checkpoint`` guards a write
        (SQLite, whose documents are loaded outside the write transaction)."""
        ...

    def load_documents(
        self, talk_ids: Iterable[str], conference_ids: Iterable[str]
    ) -> LoadedDocuments:
        """The documents a batch reads, realtime, with the versions its write is guarded by
        (none from a store that does not guard documents)."""
        ...

    def load_talks(self, ids: Iterable[str]) -> dict[str, TalkDocument]:
        """The current talks (a plain read: it guards nothing)."""
        ...

    def load_conferences(self, ids: Iterable[str]) -> dict[str, ConferenceDocument]: ...

    def checkpoint(self, consumer: str) -> int:
        """The last position applied by ``consumer`` (0 before the first)."""

    def blocked_streams(self, streams: Iterable[str]) -> set[str]:
        """Those of ``streams`` holding a dead letter: later events must wait behind it."""

    def write(self, batch: WriteBatch) -> None:
        """Write the batch in one atomic step; ``CheckpointMoved`` if another replica won.

        Raises ``ReadStoreUnavailable`` when the store cannot be reached or is busy (the
        batch may be written again later), any other exception for a batch it refuses."""

    def dead_letters(self) -> Sequence[DeadLetter]: ...


class ReadStore(TalkSearch, ProjectionStore, Protocol):
    """A whole adapter as the composition root and operator tools see it: both sides,
    plus its lifecycle and generations (the rebuild's new index behind an alias)."""

    def initialize(self) -> None:
        """Create the first generation (and its aliases or pointer) if there is none."""

    def close(self) -> None: ...

    def create_generation(self) -> str:
        """A new, empty generation for a rebuild; it does not serve until activated."""

    def for_generation(self, generation: str) -> ReadStore:
        """A store pinned to ``generation`` (what a rebuild's projector writes into)."""

    def activate_generation(self, generation: str) -> None:
        """Switch every reader to ``generation`` in one atomic step."""

    def generations(self) -> list[str]:
        """Every generation present, oldest first (the active one among them)."""

    def describe_generations(self) -> list[GenerationInfo]:
        """Every generation present, oldest first, with its document counts, which one
        serves and when it was made: what an operator asks after a rebuild."""

    def drop_generation(self, generation: str) -> None:
        """Delete an inactive generation (kept after a rebuild for a rollback); refuses the
        active one with ``ValueError``."""

    def applied_event_ids(self) -> list[str]:
        """The journal of applications, oldest first (an event applied twice shows twice)."""
