"""The ports the handlers depend on; ``adapters/`` implements them for SQL databases.

Handlers see only these protocols, so a test can run them against fakes and the storage
technology stays an adapter's business (dependencies point inward).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any, Protocol, Self

from shared_domain.conference import Conference
from shared_domain.events import DomainEvent
from shared_domain.ratings import TalkRatings
from shared_domain.talk import Talk


class ConferenceRepository(Protocol):
    def add(self, conference: Conference) -> None: ...

    def get(self, conference_id: str) -> Conference:
        """The conference, locked for this transaction; ``ConferenceNotFound`` if unknown."""
        ...

    def find(self, conference_id: str) -> Conference | None: ...


class TalkRepository(Protocol):
    def add(self, talk: Talk) -> None:
        """Add a new talk; a talk of an unknown conference makes the commit raise
        ``UnknownConference`` (the database's foreign key checks it, ADR 077)."""
        ...

    def get(self, talk_id: str) -> Talk:
        """The talk; ``TalkNotFound`` if unknown."""
        ...

    def get_many(self, talk_ids: Sequence[str]) -> list[Talk]:
        """The talks that exist among ``talk_ids`` (unknown ids are left out)."""
        ...


class TalkRatingsRepository(Protocol):
    def get(self, talk_id: str) -> TalkRatings:
        """The talk's ratings summary; a fresh one at version 0 if nobody rated it yet."""
        ...

    def stars_of(self, talk_id: str, attendee_id: str) -> int | None:
        """The attendee's current rating of the talk, if any."""
        ...


class IdempotencyStore(Protocol):
    def find(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """The fingerprint and stored result recorded under ``key``, if any."""
        ...

    def record(self, key: str, fingerprint: str, result: dict[str, Any]) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: rolls back unless committed; commit saves aggregates and events."""

    @property
    def conferences(self) -> ConferenceRepository: ...

    @property
    def talks(self) -> TalkRepository: ...

    @property
    def talk_ratings(self) -> TalkRatingsRepository: ...

    @property
    def idempotency(self) -> IdempotencyStore: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> Sequence[DomainEvent]:
        """Save everything in one transaction; the events it recorded."""
        ...
