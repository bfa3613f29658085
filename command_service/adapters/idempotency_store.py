"""Idempotency keys and the results they answered, stored with the command's own writes.

Recording the key in the command's transaction makes "performed once" hold under
concurrency: on SQLite the second request waits for the first writer and then finds the key;
on PostgreSQL its insert of the same key fails and the retried command finds it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from command_service.adapters.tables import idempotency_keys
from command_service.errors import ConcurrencyConflict


class SqlIdempotencyStore:
    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    def find(self, key: str) -> tuple[str, dict[str, Any]] | None:
        row = self._connection.execute(
            sa.select(idempotency_keys.c.fingerprint, idempotency_keys.c.result).where(
                idempotency_keys.c.key == key
            )
        ).one_or_none()
        return None if row is None else (row.fingerprint, row.result)

    def record(self, key: str, fingerprint: str, result: dict[str, Any]) -> None:
        try:
            self._connection.execute(
                sa.insert(idempotency_keys).values(
                    key=key, fingerprint=fingerprint, result=result, created_at=datetime.now(UTC)
                )
            )
        except IntegrityError as error:
            raise ConcurrencyConflict(
                "a concurrent request with the same idempotency key finished first"
            ) from error
