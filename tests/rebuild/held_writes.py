"""Write transactions held open at a chosen moment, to make PostgreSQL's out-of-order
commits happen on purpose: the real unit of work, paused inside its outbox append."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import sqlalchemy as sa

from command_service.adapters.outbox import append_to_outbox
from command_service.adapters.unit_of_work import SqlUnitOfWork
from shared_domain.conference import Conference
from shared_domain.envelope import TraceContext
from shared_domain.events import DomainEvent
from tests.integration.conftest import trace

WAIT = 30.0


class HeldWrite:
    """Creates ``conference`` in a thread; the transaction pauses where asked.

    ``saved`` is set once the aggregate's row is written (the transaction has its id);
    ``inserted`` once its outbox row is (it holds a position). It waits for ``go_on``
    before the outbox insert and for ``commit`` after it."""

    def __init__(self, engine: sa.Engine, conference: Conference) -> None:
        self.conference = conference
        self.saved = threading.Event()
        self.inserted = threading.Event()
        self.go_on = threading.Event()
        self.commit = threading.Event()
        self._engine = engine
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._write, daemon=True)

    def start(self) -> HeldWrite:
        self._thread.start()
        return self

    def finish(self) -> None:
        """Let it run to its commit and wait for it."""
        self.go_on.set()
        self.commit.set()
        self._thread.join(WAIT)
        assert not self._thread.is_alive(), "the held write did not finish"
        if self._error is not None:
            raise self._error

    def _write(self) -> None:
        try:
            with SqlUnitOfWork(self._engine, trace(), write_outbox=self._append) as uow:
                uow.conferences.add(self.conference)
                uow.commit()
        except BaseException as error:  # reported by finish()
            self._error = error

    def _append(
        self, connection: sa.Connection, events: Sequence[DomainEvent], context: TraceContext
    ) -> None:
        self.saved.set()
        assert self.go_on.wait(WAIT)
        append_to_outbox(connection, events, context)
        self.inserted.set()
        assert self.commit.wait(WAIT)


def inverted_commits(engine: sa.Engine, held: Conference, committed: Conference) -> HeldWrite:
    """Two writes whose commits invert their positions in the worst way for a reader:
    ``committed`` got its transaction id first, takes the higher position and commits,
    while ``held`` (the newer transaction id, the lower position) stays open; returned.

    A filter on ``transaction_id < xmin`` alone would let ``committed`` through and pass
    ``held``'s position (ADR 081)."""
    first = HeldWrite(engine, committed).start()
    assert first.saved.wait(WAIT)
    second = HeldWrite(engine, held).start()
    second.go_on.set()
    assert second.inserted.wait(WAIT)
    first.finish()
    return second
