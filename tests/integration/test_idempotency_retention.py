"""Old idempotency keys are forgotten; recent ones keep protecting retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from command_service.adapters.tables import idempotency_keys
from command_service.idempotency_retention import prune_idempotency_keys


def _keys(engine: sa.Engine, ages_in_hours: dict[str, float]) -> None:
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(idempotency_keys),
            [
                {
                    "key": key,
                    "fingerprint": "f" * 64,
                    "result": {"status": 200},
                    "created_at": now - timedelta(hours=hours),
                }
                for key, hours in ages_in_hours.items()
            ],
        )


def _remaining(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(sa.select(idempotency_keys.c.key)).scalars())


def test_keys_older_than_the_window_are_deleted_in_batches(
    database_url: str, engine: sa.Engine
) -> None:
    old = {f"old-{i}": 30.0 for i in range(1500)}
    _keys(engine, {**old, "recent": 1.0, "almost": 23.0})
    seen: list[int] = []

    deleted = prune_idempotency_keys(database_url, timedelta(hours=24), seen.append)

    assert deleted == 1500
    assert seen == [1000, 1500]
    assert _remaining(engine) == {"recent", "almost"}


def test_nothing_to_forget_deletes_nothing(database_url: str, engine: sa.Engine) -> None:
    _keys(engine, {"recent": 0.5})
    assert prune_idempotency_keys(database_url) == 0
    assert _remaining(engine) == {"recent"}
