"""Saving an aggregate's snapshot row under an optimistic version check.

``UPDATE … WHERE version = :expected`` touching no row means another transaction saved the
aggregate first; inserting an id that exists means another transaction created it first.
Both become ``ConcurrencyConflict``, which the command runner retries. An insert whose row
names a parent that does not exist (a foreign key) raises ``MissingReference`` instead: no
retry can fix it, and the repository knows which domain error it means (ADR 077).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from command_service.errors import ConcurrencyConflict
from shared_domain.aggregate import Aggregate

A = TypeVar("A", bound=Aggregate)

FOREIGN_KEY_VIOLATION = "23503"
"""PostgreSQL's SQLSTATE for foreign_key_violation."""


class MissingReference(Exception):
    """An inserted row refers to a row that does not exist (a foreign key violation)."""


def is_foreign_key_violation(error: IntegrityError) -> bool:
    """Whether the database refused the statement for a foreign key, on either dialect."""
    if getattr(error.orig, "sqlstate", None) == FOREIGN_KEY_VIOLATION:
        return True
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY


def save_snapshot(
    connection: sa.Connection,
    table: sa.Table,
    aggregate: Aggregate,
    *,
    expected_version: int,
    columns: Mapping[str, Any],
) -> None:
    """Write ``aggregate``'s row at its new version, if its stored version is ``expected``."""
    values = {**columns, "version": aggregate.version, "updated_at": datetime.now(UTC)}
    if expected_version == 0:
        try:
            connection.execute(sa.insert(table), {"id": aggregate.id, **values})
        except IntegrityError as error:
            if is_foreign_key_violation(error):
                raise MissingReference(f"{table.name} {aggregate.id!r}: {error.orig}") from error
            raise ConcurrencyConflict(
                f"{table.name} {aggregate.id!r} was created by another request"
            ) from error
        return
    guard = {"guard_id": aggregate.id, "guard_version": expected_version}
    updated = connection.execute(_guarded_update(table), {**values, **guard})
    if updated.rowcount != 1:
        raise ConcurrencyConflict(
            f"{table.name} {aggregate.id!r} is no longer at version {expected_version}"
        )


@functools.cache
def _guarded_update(table: sa.Table) -> sa.Update:
    """``UPDATE table SET <the parameters' columns> WHERE id = :guard_id AND version =
    :guard_version``, built once per table: the values travel as parameters, so every save
    hits SQLAlchemy's compiled cache instead of building a statement (ADR 084)."""
    return sa.update(table).where(
        table.c.id == sa.bindparam("guard_id"), table.c.version == sa.bindparam("guard_version")
    )


class IdentityMap(Generic[A]):
    """The aggregates one unit of work has loaded or added, once each, in order of arrival.

    Loading an aggregate twice returns the same object, so two changes made in one command
    never race each other; the unit of work saves what the map holds.
    """

    def __init__(self) -> None:
        self._by_id: dict[str, A] = {}

    def get(self, aggregate_id: str) -> A | None:
        return self._by_id.get(aggregate_id)

    def remember(self, aggregate: A) -> A:
        return self._by_id.setdefault(aggregate.id, aggregate)

    def __iter__(self) -> Iterator[A]:
        return iter(list(self._by_id.values()))
