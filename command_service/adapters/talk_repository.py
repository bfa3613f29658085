"""Talks as snapshot rows, with their conference, status and submitter as columns."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from command_service.adapters.snapshots import IdentityMap, MissingReference, save_snapshot
from command_service.adapters.tables import talks
from shared_domain.errors import TalkNotFound, UnknownConference
from shared_domain.events import DomainEvent
from shared_domain.talk import Talk


class SqlTalkRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection
        self.seen: IdentityMap[Talk] = IdentityMap()

    def add(self, talk: Talk) -> None:
        self.seen.remember(talk)

    def get(self, talk_id: str) -> Talk:
        found = self.get_many([talk_id])
        if not found:
            raise TalkNotFound(talk_id)
        return found[0]

    def get_many(self, talk_ids: Sequence[str]) -> list[Talk]:
        missing = [talk_id for talk_id in talk_ids if self.seen.get(talk_id) is None]
        if missing:
            rows = self._connection.execute(
                sa.select(talks.c.id, talks.c.version, talks.c.state, talks.c.submitted_by).where(
                    talks.c.id.in_(missing)
                )
            )
            for row in rows:
                self.seen.remember(
                    Talk.from_state(row.id, row.version, row.state, submitted_by=row.submitted_by)
                )
        return [talk for talk_id in talk_ids if (talk := self.seen.get(talk_id)) is not None]

    def save(self, talk: Talk, events: Sequence[DomainEvent]) -> None:
        """Save under the version check; a new talk of an unknown conference is refused by
        the foreign key and raises ``UnknownConference``, the handler's former check."""
        try:
            save_snapshot(
                self._connection,
                talks,
                talk,
                expected_version=talk.version - len(events),
                columns={
                    "conference_id": talk.conference_id,
                    "status": talk.status.value,
                    "state": talk.to_state(),
                    "submitted_by": talk.submitted_by,
                },
            )
        except MissingReference as error:
            raise UnknownConference(talk.conference_id) from error
