"""The ratings summary of each talk, and the single ratings it summarizes.

The aggregate holds only count and total; the single ratings live in ``ratings`` and are
kept in step by applying the aggregate's events when it is saved, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from command_service.adapters.snapshots import IdentityMap, save_snapshot
from command_service.adapters.tables import ratings, talk_ratings
from shared_domain.events import DomainEvent, TalkRated, TalkRatingRemoved
from shared_domain.ratings import TalkRatings


class SqlTalkRatingsRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection
        self.seen: IdentityMap[TalkRatings] = IdentityMap()

    def get(self, talk_id: str) -> TalkRatings:
        known = self.seen.get(talk_id)
        if known is not None:
            return known
        row = self._connection.execute(
            sa.select(talk_ratings.c.version, talk_ratings.c.state).where(
                talk_ratings.c.id == talk_id
            )
        ).one_or_none()
        summary = (
            TalkRatings.start(talk_id)
            if row is None
            else TalkRatings.from_state(talk_id, row.version, row.state)
        )
        return self.seen.remember(summary)

    def stars_of(self, talk_id: str, attendee_id: str) -> int | None:
        stars: int | None = self._connection.execute(
            sa.select(ratings.c.stars).where(
                ratings.c.talk_id == talk_id, ratings.c.attendee_id == attendee_id
            )
        ).scalar_one_or_none()
        return stars

    def save(self, summary: TalkRatings, events: Sequence[DomainEvent]) -> None:
        save_snapshot(
            self._connection,
            talk_ratings,
            summary,
            expected_version=summary.version - len(events),
            columns={"state": summary.to_state()},
        )
        for event in events:
            self._apply(event)

    def _apply(self, event: DomainEvent) -> None:
        match event:
            case TalkRated(previous_stars=None):
                self._connection.execute(
                    sa.insert(ratings).values(
                        talk_id=event.aggregate_id,
                        attendee_id=event.attendee_id,
                        stars=event.stars,
                        rated_at=datetime.now(UTC),
                    )
                )
            case TalkRated():
                self._connection.execute(
                    sa.update(ratings)
                    .where(
                        ratings.c.talk_id == event.aggregate_id,
                        ratings.c.attendee_id == event.attendee_id,
                    )
                    .values(stars=event.stars, rated_at=datetime.now(UTC))
                )
            case TalkRatingRemoved():
                self._connection.execute(
                    sa.delete(ratings).where(
                        ratings.c.talk_id == event.aggregate_id,
                        ratings.c.attendee_id == event.attendee_id,
                    )
                )
