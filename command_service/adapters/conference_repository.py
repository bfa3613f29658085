"""Conferences as snapshot rows.

``get`` locks the row for the transaction (``FOR UPDATE``; SQLite needs none, its writers
already serialize): the schedule rules span several talks, so every command that checks or
changes a conference's schedule must see its latest committed state and hold it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from command_service.adapters.snapshots import IdentityMap, save_snapshot
from command_service.adapters.tables import conferences
from shared_domain.conference import Conference
from shared_domain.errors import ConferenceNotFound
from shared_domain.events import DomainEvent


class SqlConferenceRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection
        self.seen: IdentityMap[Conference] = IdentityMap()

    def add(self, conference: Conference) -> None:
        self.seen.remember(conference)

    def get(self, conference_id: str) -> Conference:
        conference = self.find(conference_id)
        if conference is None:
            raise ConferenceNotFound(conference_id)
        return conference

    def find(self, conference_id: str) -> Conference | None:
        known = self.seen.get(conference_id)
        if known is not None:
            return known
        row = self._connection.execute(
            sa.select(conferences.c.version, conferences.c.state)
            .where(conferences.c.id == conference_id)
            .with_for_update()
        ).one_or_none()
        if row is None:
            return None
        return self.seen.remember(Conference.from_state(conference_id, row.version, row.state))

    def save(self, conference: Conference, events: Sequence[DomainEvent]) -> None:
        save_snapshot(
            self._connection,
            conferences,
            conference,
            expected_version=conference.version - len(events),
            columns={"state": conference.to_state()},
        )
