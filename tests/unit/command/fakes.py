"""An in-memory unit of work and repositories with the SQL adapters' contract, for handler tests.

What ``command_service/adapters/`` guarantees, kept here:

- a unit of work is one transaction: nothing it did is visible to others until ``commit``,
  and leaving the ``with`` block without committing discards it all;
- each transaction loads its own copies of the aggregates (from stored snapshots), once
  each (an identity map), and ``commit`` saves every changed one with its new events, talks
  first, then conferences, then ratings, and appends those events to the outbox in order;
- saving is optimistic: a stored version other than the one loaded, creating an id that
  exists, an event at an (aggregate, version) already in the outbox, or an idempotency key
  recorded twice raises ``ConcurrencyConflict`` and commits nothing;
- a new talk of a conference that is not stored raises ``UnknownConference`` on commit and
  commits nothing (the SQL adapters' foreign key, ADR 077);
- the single ratings are kept in step with the summaries' events, in the same commit.

Row locks (``FOR UPDATE``) and the database's own aborts (deadlocks) are not modelled: the
tests run one transaction at a time, and a race is staged by committing a second unit of
work in the middle of the first.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from command_service.adapters.snapshots import IdentityMap
from command_service.errors import ConcurrencyConflict
from shared_domain.aggregate import Aggregate
from shared_domain.conference import Conference
from shared_domain.errors import ConferenceNotFound, TalkNotFound, UnknownConference
from shared_domain.events import DomainEvent, TalkRated, TalkRatingRemoved
from shared_domain.ratings import TalkRatings
from shared_domain.talk import Talk


class _Persistent(Protocol):
    """An aggregate as a repository stores it: a snapshot row and its new events."""

    id: str
    version: int

    def pull_events(self) -> list[DomainEvent]: ...

    def to_state(self) -> dict[str, Any]: ...


A = TypeVar("A", bound=Aggregate)
P = TypeVar("P", bound=_Persistent)


@dataclass(frozen=True)
class Snapshot:
    version: int
    state: dict[str, Any]


@dataclass
class InMemoryStore:
    """The committed state: what the database holds between transactions."""

    conferences: dict[str, Snapshot] = field(default_factory=dict)
    talks: dict[str, Snapshot] = field(default_factory=dict)
    talk_ratings: dict[str, Snapshot] = field(default_factory=dict)
    ratings: dict[tuple[str, str], int] = field(default_factory=dict)
    """(talk id, attendee id) → stars: the single ratings the summaries count."""
    outbox: list[DomainEvent] = field(default_factory=list)
    idempotency: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    commits: int = 0

    def unit_of_work(self) -> FakeUnitOfWork:
        """A fresh transaction (what ``runner.run`` calls ``start``)."""
        return FakeUnitOfWork(self)

    def given(self, *aggregates: Conference | Talk | TalkRatings) -> None:
        """Store ``aggregates`` as already committed, at their current version; the outbox
        stays as it is, so a test sees only the events its command records."""
        for aggregate in aggregates:
            for event in aggregate.pull_events():
                _apply_rating(self.ratings, event)
            snapshot = Snapshot(aggregate.version, copy.deepcopy(aggregate.to_state()))
            self._table_of(aggregate)[aggregate.id] = snapshot

    def _table_of(self, aggregate: Conference | Talk | TalkRatings) -> dict[str, Snapshot]:
        if isinstance(aggregate, Conference):
            return self.conferences
        if isinstance(aggregate, Talk):
            return self.talks
        return self.talk_ratings

    def state(self) -> dict[str, Any]:
        """Everything committed, to compare before and after a refused command."""
        return copy.deepcopy(
            {
                "conferences": self.conferences,
                "talks": self.talks,
                "talk_ratings": self.talk_ratings,
                "ratings": self.ratings,
                "outbox": [(e.event_id, e.aggregate_version) for e in self.outbox],
                "idempotency": self.idempotency,
                "commits": self.commits,
            }
        )

    def conference(self, conference_id: str) -> Conference:
        stored = self.conferences[conference_id]
        return Conference.from_state(conference_id, stored.version, stored.state)

    def talk(self, talk_id: str) -> Talk:
        stored = self.talks[talk_id]
        return Talk.from_state(talk_id, stored.version, stored.state)

    def summary(self, talk_id: str) -> TalkRatings:
        stored = self.talk_ratings[talk_id]
        return TalkRatings.from_state(talk_id, stored.version, stored.state)


class _Table(Generic[A]):
    """One transaction's view of a table of snapshots: each row restored once, on first use."""

    def __init__(self, rows: dict[str, Snapshot], restore: Callable[..., A]) -> None:
        self._rows = rows
        self._restore = restore
        self.seen: IdentityMap[A] = IdentityMap()

    def load(self, aggregate_id: str) -> A | None:
        known = self.seen.get(aggregate_id)
        row = self._rows.get(aggregate_id)
        if known is not None or row is None:
            return known
        restored = self._restore(aggregate_id, row.version, copy.deepcopy(row.state))
        return self.seen.remember(restored)

    def stored(self, aggregate_id: str) -> bool:
        return self.seen.get(aggregate_id) is not None or aggregate_id in self._rows


class FakeConferenceRepository(_Table[Conference]):
    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store.conferences, Conference.from_state)

    def add(self, conference: Conference) -> None:
        self.seen.remember(conference)

    def get(self, conference_id: str) -> Conference:
        return _found(self.load(conference_id), ConferenceNotFound(conference_id))

    def find(self, conference_id: str) -> Conference | None:
        return self.load(conference_id)


class FakeTalkRepository(_Table[Talk]):
    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store.talks, Talk.from_state)

    def add(self, talk: Talk) -> None:
        self.seen.remember(talk)

    def get(self, talk_id: str) -> Talk:
        return _found(self.load(talk_id), TalkNotFound(talk_id))

    def get_many(self, talk_ids: Sequence[str]) -> list[Talk]:
        return [talk for talk_id in talk_ids if (talk := self.load(talk_id)) is not None]


class FakeTalkRatingsRepository(_Table[TalkRatings]):
    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store.talk_ratings, TalkRatings.from_state)
        self._store = store

    def get(self, talk_id: str) -> TalkRatings:
        stored = self.load(talk_id)
        return stored if stored is not None else self.seen.remember(TalkRatings.start(talk_id))

    def stars_of(self, talk_id: str, attendee_id: str) -> int | None:
        return self._store.ratings.get((talk_id, attendee_id))


class FakeIdempotencyStore:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.recorded: dict[str, tuple[str, dict[str, Any]]] = {}

    def find(self, key: str) -> tuple[str, dict[str, Any]] | None:
        found = self.recorded.get(key) or self._store.idempotency.get(key)
        return None if found is None else copy.deepcopy(found)

    def record(self, key: str, fingerprint: str, result: dict[str, Any]) -> None:
        if key in self._store.idempotency or key in self.recorded:
            raise ConcurrencyConflict(
                "a concurrent request with the same idempotency key finished first"
            )
        self.recorded[key] = (fingerprint, copy.deepcopy(result))


class FakeUnitOfWork:
    """One transaction over an ``InMemoryStore``; see the module docstring for its contract."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self._active = False
        self._fresh()

    def _fresh(self) -> None:
        self.conferences = FakeConferenceRepository(self._store)
        self.talks = FakeTalkRepository(self._store)
        self.talk_ratings = FakeTalkRatingsRepository(self._store)
        self.idempotency = FakeIdempotencyStore(self._store)

    def __enter__(self) -> Self:
        self._active = True
        self._fresh()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._active = False
        self._fresh()  # whatever was not committed is gone

    def commit(self) -> list[DomainEvent]:
        if not self._active:
            raise RuntimeError("a unit of work is used inside its `with` block only")
        store = self._store
        for talk in self.talks.seen:
            if talk.id not in store.talks and not self.conferences.stored(talk.conference_id):
                raise UnknownConference(talk.conference_id)
        writes: list[Callable[[], None]] = []
        events: list[DomainEvent] = []
        events += _changes(self.talks.seen, store.talks, writes)
        events += _changes(self.conferences.seen, store.conferences, writes)
        events += _changes(self.talk_ratings.seen, store.talk_ratings, writes)
        recorded = {(e.aggregate_type, e.aggregate_id, e.aggregate_version) for e in store.outbox}
        for event in events:
            if (event.aggregate_type, event.aggregate_id, event.aggregate_version) in recorded:
                raise ConcurrencyConflict(
                    "another request recorded an event at the same aggregate version"
                )
        for write in writes:  # every check passed: now it all happens at once
            write()
        for event in events:
            _apply_rating(store.ratings, event)
        store.outbox += events
        store.idempotency.update(self.idempotency.recorded)
        store.commits += 1
        self._active = False  # a committed transaction is over
        return events


def _found(aggregate: A | None, missing: Exception) -> A:
    if aggregate is None:
        raise missing
    return aggregate


def _changes(
    loaded: Iterable[P], table: dict[str, Snapshot], writes: list[Callable[[], None]]
) -> list[DomainEvent]:
    """Pull each aggregate's new events, check its version against ``table``, stage its row."""
    recorded: list[DomainEvent] = []
    for aggregate in loaded:
        events = aggregate.pull_events()
        if not events:
            continue
        expected = aggregate.version - len(events)
        stored = table.get(aggregate.id)
        if expected == 0 and stored is not None:
            raise ConcurrencyConflict(f"{aggregate.id!r} was created by another request")
        if expected != 0 and (stored is None or stored.version != expected):
            raise ConcurrencyConflict(f"{aggregate.id!r} is no longer at version {expected}")
        snapshot = Snapshot(aggregate.version, copy.deepcopy(aggregate.to_state()))
        writes.append(partial(table.__setitem__, aggregate.id, snapshot))
        recorded += events
    return recorded


def _apply_rating(ratings: dict[tuple[str, str], int], event: DomainEvent) -> None:
    match event:
        case TalkRated():
            ratings[(event.aggregate_id, event.attendee_id)] = event.stars
        case TalkRatingRemoved():
            ratings.pop((event.aggregate_id, event.attendee_id), None)
