"""The SQL unit of work: one connection, one transaction, aggregates and events together.

On commit it pulls the new events of every aggregate the command loaded or added, saves each
changed aggregate under its version check, and appends the events to the outbox, all in one
transaction. Leaving the ``with`` block without committing rolls everything back.

On PostgreSQL a transaction can also lose a race at the database itself: a deadlock or a
serialization failure (SQLSTATE 40P01, 40001) aborts it. That is the same situation as a
failed version check, so leaving the block with one raises ``ConcurrencyConflict`` and the
runner retries the command on fresh state instead of answering 503.

A connection the server dropped (a restart, an idle cut-off) fails on its first statement;
if the COMMIT was not sent yet, nothing was written, and leaving the block raises
``ConnectionLost`` so that the runner re-runs the command on a fresh connection. That is
what lets the PostgreSQL pool skip the ping on every checkout (ADR 077). A connection lost
during COMMIT is not retried: its outcome is unknown, and the client sees the error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Protocol, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from command_service.adapters.conference_repository import SqlConferenceRepository
from command_service.adapters.idempotency_store import SqlIdempotencyStore
from command_service.adapters.outbox import append_to_outbox
from command_service.adapters.snapshots import IdentityMap
from command_service.adapters.talk_ratings_repository import SqlTalkRatingsRepository
from command_service.adapters.talk_repository import SqlTalkRepository
from command_service.errors import ConcurrencyConflict, ConnectionLost
from shared_domain.aggregate import Aggregate
from shared_domain.envelope import TraceContext
from shared_domain.events import DomainEvent

A = TypeVar("A", bound=Aggregate)


class _SavesAggregates(Protocol[A]):
    @property
    def seen(self) -> IdentityMap[A]: ...

    def save(self, aggregate: A, events: Sequence[DomainEvent]) -> None: ...


RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
"""serialization_failure, deadlock_detected: the transaction lost a race and may be re-run."""

OutboxWriter = Callable[[sa.Connection, Sequence[DomainEvent], TraceContext], None]


class SqlUnitOfWork:
    conferences: SqlConferenceRepository
    talks: SqlTalkRepository
    talk_ratings: SqlTalkRatingsRepository
    idempotency: SqlIdempotencyStore

    def __init__(
        self,
        engine: sa.Engine,
        trace: TraceContext,
        *,
        write_outbox: OutboxWriter = append_to_outbox,
    ) -> None:
        self._engine = engine
        self._trace = trace
        self._write_outbox = write_outbox
        self._connection: sa.Connection | None = None
        self._transaction: sa.RootTransaction | None = None
        self._commit_sent = False

    def __enter__(self) -> Self:
        self._connection = self._engine.connect()
        self._transaction = self._connection.begin()
        self._commit_sent = False
        self.conferences = SqlConferenceRepository(self._connection)
        self.talks = SqlTalkRepository(self._connection)
        self.talk_ratings = SqlTalkRatingsRepository(self._connection)
        self.idempotency = SqlIdempotencyStore(self._connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, transaction = self._active()
        try:
            if transaction.is_active and not connection.invalidated:
                transaction.rollback()
        finally:
            connection.close()
            self._connection = self._transaction = None
        if isinstance(exc, DBAPIError) and exc.connection_invalidated and not self._commit_sent:
            raise ConnectionLost(exc) from exc
        if isinstance(exc, DBAPIError) and _sqlstate(exc) in RETRYABLE_SQLSTATES:
            raise ConcurrencyConflict(
                f"the database aborted a transaction that lost a race: {exc.orig}"
            ) from exc

    def commit(self) -> list[DomainEvent]:
        connection, transaction = self._active()
        # Conferences are written first, so a new talk's foreign key finds a conference
        # created in the same transaction; in the outbox a talk's change still comes first,
        # before its effects on the conference.
        conference_events = self._save_changed(self.conferences)
        talk_events = self._save_changed(self.talks)
        rating_events = self._save_changed(self.talk_ratings)
        events = talk_events + conference_events + rating_events
        self._write_outbox(connection, events, self._trace)
        self._commit_sent = True
        transaction.commit()
        return events

    def _active(self) -> tuple[sa.Connection, sa.RootTransaction]:
        if self._connection is None or self._transaction is None:
            raise RuntimeError("a unit of work is used inside its `with` block only")
        return self._connection, self._transaction

    @staticmethod
    def _save_changed(repository: _SavesAggregates[A]) -> list[DomainEvent]:
        recorded: list[DomainEvent] = []
        for aggregate in repository.seen:
            events = aggregate.pull_events()
            if events:
                repository.save(aggregate, events)
                recorded += events
        return recorded


def _sqlstate(error: DBAPIError) -> str | None:
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) else None
