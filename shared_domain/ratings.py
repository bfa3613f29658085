"""The ratings of one talk, as their own small aggregate.

Many attendees rate one talk at once; keeping the summary apart from the Talk means a
rating never bumps the talk's version nor trips an organizer's ``If-Match``. The single
ratings live in storage; the aggregate keeps the exact summary that events publish.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from shared_domain import values
from shared_domain.aggregate import Aggregate
from shared_domain.errors import RatingNotFound, TalkNotAccepted
from shared_domain.events import JsonDict, JsonObject, TalkRated, TalkRatingRemoved
from shared_domain.talk import Talk


def average(total: int, count: int) -> float:
    """The mean to two decimals, rounded half up (4.125 -> 4.13), 0.0 when nobody rated."""
    if count == 0:
        return 0.0
    exact = Decimal(total) / Decimal(count)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class TalkRatings(Aggregate):
    def __init__(self, id: str, version: int, *, count: int, total: int) -> None:
        super().__init__(id, version)
        self.count = count
        self.total = total

    @classmethod
    def start(cls, talk_id: str) -> TalkRatings:
        return cls(talk_id, 0, count=0, total=0)

    @property
    def average(self) -> float:
        return average(self.total, self.count)

    def rate(self, talk: Talk, attendee_id: str, stars: int, previous_stars: int | None) -> None:
        """Rate, or re-rate when ``previous_stars`` is the attendee's current rating."""
        attendee = values.attendee_id(attendee_id)
        new_stars = values.stars(stars)
        if not talk.is_accepted:
            raise TalkNotAccepted(f"Only accepted talks can be rated; this one is {talk.status}.")
        if previous_stars is None:
            self.count += 1
            self.total += new_stars
        else:
            self.total += new_stars - previous_stars
        self._record(
            TalkRated,
            attendee_id=attendee,
            stars=new_stars,
            previous_stars=previous_stars,
            count=self.count,
            total=self.total,
            average=self.average,
        )

    def remove(self, attendee_id: str, previous_stars: int | None) -> None:
        attendee = values.attendee_id(attendee_id)
        if previous_stars is None:
            raise RatingNotFound(self.id, attendee)
        self.count -= 1
        self.total -= previous_stars
        self._record(
            TalkRatingRemoved,
            attendee_id=attendee,
            previous_stars=previous_stars,
            count=self.count,
            total=self.total,
            average=self.average,
        )

    def to_state(self) -> JsonDict:
        return {"count": self.count, "total": self.total}

    @classmethod
    def from_state(cls, id: str, version: int, state: JsonObject) -> TalkRatings:
        return cls(id, version, count=state["count"], total=state["total"])
