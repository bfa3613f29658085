"""The outbox tail's lag, measured on a real outbox and read store (SQLite)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.adapters.tables import outbox
from command_service.migrate import upgrade
from query_service.projector.lag import TailLag
from query_service.read_store.port import DeadLetter, WriteBatch
from query_service.read_store.sqlite import SqliteReadStore
from tests.relay.conftest import record_conferences
from tests.unit.metrics.samples import sample


@dataclass
class At:
    checkpoint_seen: int


def test_tail_lag_is_newest_position_minus_checkpoint_and_the_oldest_unapplied_age(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'command.db'}"
    upgrade(url)
    engine = create_engine_for(url)
    record_conferences(engine, 4)
    with engine.connect() as connection:
        positions = list(connection.scalars(sa.select(outbox.c.position).order_by("position")))
    engine.dispose()
    store = SqliteReadStore(tmp_path / "read.db")
    store.initialize()
    projector = At(checkpoint_seen=positions[0])
    lag = TailLag(tmp_path / "command.db", projector, store)

    lag.refresh()
    assert sample("conference_projector_lag_events") == 3
    assert 0 < sample("conference_projector_lag_seconds") < 60
    assert sample("conference_dead_letters") == 0

    letter = DeadLetter(
        position=positions[1],
        event_id="e-1",
        event_type="conference.conference.created.v1",
        stream="conference:c-1",
        reason="malformed: test",
        envelope="{}",
        attempts=1,
    )
    store.write(WriteBatch(dead_letters=[letter]))
    projector.checkpoint_seen = positions[-1]
    lag.refresh()
    assert sample("conference_projector_lag_events") == 0
    assert sample("conference_projector_lag_seconds") == 0
    assert sample("conference_dead_letters") == 1
    store.close()
