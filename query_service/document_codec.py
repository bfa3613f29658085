"""JSON (de)serialization of read-model documents, shared by every read-store adapter.

The stored form is a plain JSON object so that document stores (SQLite JSON columns,
Elasticsearch ``_source``) keep the same shape and a document round-trips exactly.
"""

from __future__ import annotations

from query_service.documents import (
    ConferenceDocument,
    DocumentSlot,
    DocumentSpeaker,
    DocumentTalkDetails,
    RatingSummary,
    TalkDocument,
)
from service_conventions.json_types import JsonDict
from shared_domain.values import DEFAULT_LANGUAGE


def talk_to_json(doc: TalkDocument) -> JsonDict:
    details = doc.details
    slot = doc.slot
    return {
        "id": doc.id,
        "details": None
        if details is None
        else {
            "conference_id": details.conference_id,
            "title": details.title,
            "abstract": details.abstract,
            "speakers": [{"name": s.name, "company": s.company} for s in details.speakers],
            "tags": list(details.tags),
            "level": details.level,
            "format": details.format,
            "duration_minutes": details.duration_minutes,
            "language": details.language,
        },
        "lifecycle": doc.lifecycle,
        "submitted_at": doc.submitted_at,
        "talk_version": doc.talk_version,
        "slot": None
        if slot is None
        else {
            "conference_id": slot.conference_id,
            "stage": slot.stage,
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "day": slot.day,
            "timezone": slot.timezone,
        },
        "schedule_version": doc.schedule_version,
        "rating": {
            "count": doc.rating.count,
            "total": doc.rating.total,
            "average": doc.rating.average,
        },
        "rating_version": doc.rating_version,
    }


def talk_from_json(data: JsonDict) -> TalkDocument:
    details = data.get("details")
    slot = data.get("slot")
    rating = data.get("rating") or {}
    return TalkDocument(
        id=data["id"],
        details=None
        if details is None
        else DocumentTalkDetails(
            conference_id=details["conference_id"],
            title=details["title"],
            abstract=details["abstract"],
            speakers=tuple(
                DocumentSpeaker(name=s["name"], company=s.get("company"))
                for s in details["speakers"]
            ),
            tags=tuple(details["tags"]),
            level=details["level"],
            format=details["format"],
            duration_minutes=details["duration_minutes"],
            language=details.get("language", DEFAULT_LANGUAGE),
        ),
        lifecycle=data.get("lifecycle"),
        submitted_at=data.get("submitted_at"),
        talk_version=data.get("talk_version", 0),
        slot=None if slot is None else DocumentSlot(**slot),
        schedule_version=data.get("schedule_version", 0),
        rating=RatingSummary(
            count=rating.get("count", 0),
            total=rating.get("total", 0),
            average=rating.get("average", 0.0),
        ),
        rating_version=data.get("rating_version", 0),
    )


def conference_to_json(doc: ConferenceDocument) -> JsonDict:
    return {
        "id": doc.id,
        "version": doc.version,
        "name": doc.name,
        "starts_on": doc.starts_on,
        "ends_on": doc.ends_on,
        "timezone": doc.timezone,
        "stages": list(doc.stages),
    }


def conference_from_json(data: JsonDict) -> ConferenceDocument:
    return ConferenceDocument(
        id=data["id"],
        version=data["version"],
        name=data["name"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        timezone=data["timezone"],
        stages=tuple(data["stages"]),
    )
