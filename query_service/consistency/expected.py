"""The read documents the write model implies: what the projections must have made.

Built from the aggregates' snapshots, not from events, so a check is independent of the
projection code it checks. Two marks are left out because the write model does not hold
them: ``submitted_at`` (the time of an event) and ``schedule_version`` (the conference
version that last touched the slot).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from zoneinfo import ZoneInfo

from query_service.documents import (
    ConferenceDocument,
    DocumentSlot,
    DocumentSpeaker,
    DocumentTalkDetails,
    DocumentTalkStatus,
    RatingSummary,
    TalkDocument,
)
from shared_domain.conference import Conference, Slot
from shared_domain.ratings import TalkRatings
from shared_domain.talk import Talk, TalkStatus


def expected_talk(
    talk: Talk, ratings: TalkRatings | None, conference: Conference | None
) -> TalkDocument:
    slot = None if conference is None else conference.slot_of(talk.id)
    details = talk.details
    return TalkDocument(
        id=talk.id,
        details=DocumentTalkDetails(
            conference_id=talk.conference_id,
            title=details.title,
            abstract=details.abstract,
            speakers=tuple(DocumentSpeaker(s.name, s.company or None) for s in details.speakers),
            tags=tuple(details.tags),
            level=details.level.value,
            format=details.format.value,
            duration_minutes=details.duration_minutes,
            language=details.language,
        ),
        lifecycle=talk.status.value,
        talk_version=talk.version,
        slot=None if slot is None or conference is None else _slot(slot, conference),
        rating=RatingSummary()
        if ratings is None
        else RatingSummary(ratings.count, ratings.total, ratings.average),
        rating_version=0 if ratings is None else ratings.version,
    )


def _slot(slot: Slot, conference: Conference) -> DocumentSlot:
    starts_at = slot.starts_at.astimezone(UTC)
    return DocumentSlot(
        conference_id=conference.id,
        stage=slot.stage,
        starts_at=starts_at.isoformat(),
        ends_at=slot.ends_at.astimezone(UTC).isoformat(),
        day=starts_at.astimezone(ZoneInfo(conference.timezone)).date().isoformat(),
        timezone=conference.timezone,
    )


def expected_conference(conference: Conference) -> ConferenceDocument:
    return ConferenceDocument(
        id=conference.id,
        version=conference.version,
        name=conference.name,
        starts_on=conference.starts_on.isoformat(),
        ends_on=conference.ends_on.isoformat(),
        timezone=conference.timezone,
        stages=tuple(conference.stages),
    )


def expected_counts(conference: Conference, statuses: Mapping[str, TalkStatus]) -> dict[str, int]:
    """Talks by the status the read side shows (``scheduled``: accepted with a slot)."""
    counts: dict[str, int] = {}
    for talk_id, status in statuses.items():
        shown = (
            DocumentTalkStatus.SCHEDULED.value
            if status is TalkStatus.ACCEPTED and conference.slot_of(talk_id) is not None
            else status.value
        )
        counts[shown] = counts.get(shown, 0) + 1
    return counts
