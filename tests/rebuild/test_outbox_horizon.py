"""The outbox log never passes a position an open PostgreSQL transaction still holds.

Positions are taken before commit, so they commit out of order; a reader that moved its
checkpoint past an open one would never see that event (ADR 081).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.migrate import upgrade
from query_service.consumers.outbox_log import OutboxLog
from tests.integration.conftest import new_conference, store
from tests.rebuild.held_writes import HeldWrite, inverted_commits


@pytest.fixture
def log(command_url: str) -> Iterator[OutboxLog]:
    outbox = OutboxLog(command_url)
    yield outbox
    outbox.close()


def _ids(log: OutboxLog) -> list[str]:
    return [str(json.loads(r.envelope)["subject"]) for r in log.read(0, 100)]


def _settled_ids(log: OutboxLog, count: int) -> list[str]:
    """The ids once ``count`` are readable: transactions of other tests on the same server
    hold the horizon back for as long as they run (ids are server-wide)."""
    deadline = time.monotonic() + 10
    while len(ids := _ids(log)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return ids


def test_a_reader_that_starts_while_a_write_is_open_waits_for_it(
    command_engine: sa.Engine, log: OutboxLog
) -> None:
    """It cannot tell which positions the open transaction holds: none is final yet."""
    first = new_conference()
    store(command_engine, first)
    held = HeldWrite(command_engine, new_conference()).start()
    held.go_on.set()
    assert held.inserted.wait(10)

    assert _ids(log) == []
    held.finish()
    assert len(_settled_ids(log, 2)) == 2


def test_a_later_commit_is_not_read_past_an_open_transaction(
    command_engine: sa.Engine, log: OutboxLog
) -> None:
    before, held_conf, after = (new_conference(name=n) for n in ("before", "held", "after"))
    store(command_engine, before)
    assert _settled_ids(log, 1) == [before.id]  # a reader that runs has seen it settle
    held = HeldWrite(command_engine, held_conf).start()
    held.go_on.set()
    assert held.inserted.wait(10)
    store(command_engine, after)  # a newer transaction: a higher position, committed first

    assert _ids(log) == [before.id]
    assert (log.last_position(), log.settled_position()) == (3, 1)

    held.finish()
    assert _settled_ids(log, 3) == [before.id, held_conf.id, after.id]
    assert log.settled_position() == 3


def test_an_older_transaction_committing_a_higher_position_waits_too(
    command_engine: sa.Engine, log: OutboxLog
) -> None:
    """The case a ``transaction_id < xmin`` filter misses: the committed row's transaction
    is older than the open one, yet its position is higher."""
    before, held_conf, committed = (new_conference(name=n) for n in ("before", "held", "done"))
    store(command_engine, before)
    assert _settled_ids(log, 1) == [before.id]
    held = inverted_commits(command_engine, held_conf, committed)

    assert _ids(log) == [before.id]
    assert log.last_position() == 3

    held.finish()
    assert _settled_ids(log, 3) == [before.id, held_conf.id, committed.id]


def test_a_rolled_back_position_does_not_hold_the_horizon(
    command_engine: sa.Engine, log: OutboxLog
) -> None:
    store(command_engine, new_conference())
    with command_engine.connect() as connection:  # takes position 2, then rolls back
        connection.execute(sa.text("SELECT nextval(pg_get_serial_sequence('outbox', 'position'))"))
        connection.rollback()
    last = new_conference()
    store(command_engine, last)

    assert _settled_ids(log, 2)[-1] == last.id
    assert log.settled_position() == 3


def test_sqlite_has_one_writer_so_its_log_is_final_at_its_end(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'command.db'}"
    upgrade(url)
    engine = create_engine_for(url)
    try:
        store(engine, new_conference())
        store(engine, new_conference())
    finally:
        engine.dispose()
    sqlite_log = OutboxLog(url)
    try:
        assert (sqlite_log.last_position(), sqlite_log.settled_position()) == (2, 2)
        assert len(sqlite_log.read(0, 10)) == 2
    finally:
        sqlite_log.close()
