"""Builders of read-model documents for the contract suite (random ids, sane defaults)."""

from __future__ import annotations

import uuid

from query_service.documents import (
    ConferenceDocument,
    DocumentSlot,
    DocumentSpeaker,
    DocumentTalkDetails,
    RatingSummary,
    TalkDocument,
)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4()}"


def conference(
    conference_id: str, *, stages: tuple[str, ...] = ("Main", "Side")
) -> ConferenceDocument:
    return ConferenceDocument(
        id=conference_id,
        version=1,
        name="DevConf",
        starts_on="2025-05-01",
        ends_on="2025-05-02",
        timezone="Europe/Berlin",
        stages=stages,
    )


def talk(
    conference_id: str,
    *,
    title: str = "A talk",
    abstract: str = "",
    speakers: tuple[tuple[str, str | None], ...] = (("Ada Lovelace", "ACME"),),
    tags: tuple[str, ...] = (),
    level: str = "beginner",
    format: str = "talk",
    language: str = "en",
    lifecycle: str = "submitted",
    submitted_at: str = "2025-01-01T10:00:00+00:00",
    slot: tuple[str, str, str] | None = None,
    rating: tuple[int, int] = (0, 0),
    talk_id: str | None = None,
) -> TalkDocument:
    """``slot`` is (stage, UTC start, local day); ``rating`` is (count, total)."""
    count, total = rating
    return TalkDocument(
        id=talk_id or new_id("talk"),
        details=DocumentTalkDetails(
            conference_id=conference_id,
            title=title,
            abstract=abstract,
            speakers=tuple(DocumentSpeaker(name, company) for name, company in speakers),
            tags=tags,
            level=level,
            format=format,
            duration_minutes=40,
            language=language,
        ),
        lifecycle=lifecycle,
        submitted_at=submitted_at,
        talk_version=2,
        slot=None
        if slot is None
        else DocumentSlot(
            conference_id=conference_id,
            stage=slot[0],
            starts_at=slot[1],
            ends_at=slot[1].replace(":00:00", ":40:00"),
            day=slot[2],
            timezone="Europe/Berlin",
        ),
        schedule_version=2 if slot else 0,
        rating=RatingSummary(count, total, round(total / count, 2) if count else 0.0),
        rating_version=count,
    )
