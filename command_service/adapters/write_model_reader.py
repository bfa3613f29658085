"""The write model read back as aggregates, for an operator's consistency check.

Plain reads of the snapshot rows (no locks beyond SQLite's short write lock): the check
only needs each aggregate as committed, and tolerates that it moves on meanwhile.
Implements ``query_service.consistency.write_model.WriteModel``.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.adapters.tables import conferences, talk_ratings, talks
from shared_domain.conference import Conference
from shared_domain.ratings import TalkRatings
from shared_domain.talk import Talk, TalkStatus


class SqlWriteModel:
    def __init__(self, database_url: str) -> None:
        self._engine = create_engine_for(database_url, pool_size=1, max_overflow=0)

    def talk_ids(self) -> list[str]:
        return self._ids(talks)

    def conference_ids(self) -> list[str]:
        return self._ids(conferences)

    def talks(self, ids: Iterable[str]) -> dict[str, Talk]:
        query = sa.select(talks.c.id, talks.c.version, talks.c.state, talks.c.submitted_by)
        return {
            row.id: Talk.from_state(row.id, row.version, row.state, submitted_by=row.submitted_by)
            for row in self._rows(query.where(talks.c.id.in_(list(ids))))
        }

    def ratings(self, ids: Iterable[str]) -> dict[str, TalkRatings]:
        query = sa.select(talk_ratings.c.id, talk_ratings.c.version, talk_ratings.c.state)
        return {
            row.id: TalkRatings.from_state(row.id, row.version, row.state)
            for row in self._rows(query.where(talk_ratings.c.id.in_(list(ids))))
        }

    def conferences(self, ids: Iterable[str]) -> dict[str, Conference]:
        query = sa.select(conferences.c.id, conferences.c.version, conferences.c.state)
        return {
            row.id: Conference.from_state(row.id, row.version, row.state)
            for row in self._rows(query.where(conferences.c.id.in_(list(ids))))
        }

    def talk_statuses(self, conference_ids: Iterable[str]) -> dict[str, dict[str, TalkStatus]]:
        query = sa.select(talks.c.conference_id, talks.c.id, talks.c.status).where(
            talks.c.conference_id.in_(list(conference_ids))
        )
        found: dict[str, dict[str, TalkStatus]] = {}
        for row in self._rows(query):
            found.setdefault(row.conference_id, {})[row.id] = TalkStatus(row.status)
        return found

    def close(self) -> None:
        self._engine.dispose()

    def _ids(self, table: sa.Table) -> list[str]:
        return [str(row.id) for row in self._rows(sa.select(table.c.id).order_by(table.c.id))]

    def _rows(self, query: sa.Select[tuple[object, ...]]) -> list[sa.Row[tuple[object, ...]]]:
        with self._engine.connect() as connection:
            return list(connection.execute(query))
