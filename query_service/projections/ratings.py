"""Talk-ratings stream -> the rating summary of a talk document (mark: ``rating_version``).

The events carry the write side's exact count, total and average, so the projection copies
them instead of adding stars up: a redelivered event can never count twice.
"""

from __future__ import annotations

from dataclasses import replace

from query_service.documents import RatingSummary, TalkDocument
from query_service.projections.guards import next_in_stream
from shared_domain.events import TalkRated, TalkRatingRemoved

RatingEvent = TalkRated | TalkRatingRemoved


def project_rating_event(event: RatingEvent, doc: TalkDocument | None) -> TalkDocument | None:
    """The talk document after ``event``, or None when the event was already applied."""
    current = doc or TalkDocument(id=event.aggregate_id)
    stream = f"talk_ratings/{event.aggregate_id}"
    if not next_in_stream(stream, current.rating_version, event.aggregate_version):
        return None
    return replace(
        current,
        rating=RatingSummary(count=event.count, total=event.total, average=event.average),
        rating_version=event.aggregate_version,
    )
