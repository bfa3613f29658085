"""Read-model documents <-> the ``_source`` of engine documents.

The read-model document travels whole, as the shared JSON codec writes it, in ``doc``
(never indexed); next to it sit the fields the engine searches, filters, sorts and
aggregates on, derived from it here and nowhere else.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from query_service.document_codec import (
    conference_from_json,
    conference_to_json,
    talk_from_json,
    talk_to_json,
)
from query_service.documents import ConferenceDocument, TalkDocument
from query_service.read_store.port import DeadLetter
from query_service.read_store.text import speaker_key
from service_conventions.json_types import JsonDict


def epoch_ms(value: str | None) -> int | None:
    """Milliseconds since the epoch of an ISO time (UTC when it carries no offset)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def talk_source(doc: TalkDocument) -> JsonDict:
    details, slot = doc.details, doc.slot
    source: JsonDict = {
        "id": doc.id,
        "doc": talk_to_json(doc),
        "visible": doc.is_visible,
        "conference_id": details.conference_id
        if details
        else (slot.conference_id if slot else None),
        "status": doc.status,
        "stage": slot.stage if slot else None,
        "day": slot.day if slot else None,
        "starts_ms": epoch_ms(slot.starts_at) if slot else None,
        "submitted_ms": epoch_ms(doc.submitted_at),
        "rating_average": doc.rating.average,
        "rating_count": doc.rating.count,
    }
    if details is not None:
        source |= {
            "level": details.level,
            "format": details.format,
            "language": details.language,
            "tags": list(details.tags),
            "title": details.title,
            "abstract": details.abstract,
            "speaker_names": [s.name for s in details.speakers],
            "speakers": [
                {"key": speaker_key(s.name), "name": s.name, "company": s.company}
                for s in details.speakers
            ],
        }
    return source


def talk_from_source(source: JsonDict) -> TalkDocument:
    return talk_from_json(source["doc"])


def conference_source(doc: ConferenceDocument) -> JsonDict:
    return {"id": doc.id, "doc": conference_to_json(doc)}


def conference_from_source(source: JsonDict) -> ConferenceDocument:
    return conference_from_json(source["doc"])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def sequence_number(offset: int = 0) -> int:
    """Orders dead letters and journal entries oldest first (the engines keep no insertion
    order); nanoseconds plus the item's offset within its batch."""
    return time.time_ns() + offset


def dead_letter_source(letter: DeadLetter, letter_id: int, offset: int) -> JsonDict:
    return {
        "id": letter_id,
        "seq": sequence_number(offset),
        "position": letter.position,
        "event_id": letter.event_id,
        "event_type": letter.event_type,
        "stream": letter.stream,
        "reason": letter.reason,
        "envelope": letter.envelope,
        "attempts": letter.attempts,
        "parked_at": _now(),
    }


def dead_letter_from_source(source: JsonDict) -> DeadLetter:
    return DeadLetter(
        position=source.get("position"),
        event_id=source.get("event_id"),
        event_type=source.get("event_type"),
        stream=source.get("stream"),
        reason=source["reason"],
        envelope=source["envelope"],
        attempts=source["attempts"],
        id=source.get("id"),
    )


def applied_events_source(event_ids: Sequence[str]) -> JsonDict:
    """One journal entry per batch, ``event_id`` holding all the ids it applied (a keyword
    array): an entry per event would double the documents the engine indexes per batch."""
    return {"seq": sequence_number(), "event_id": list(event_ids), "applied_at": _now()}


def applied_event_ids_from_source(source: JsonDict) -> list[str]:
    ids = source["event_id"]
    return [ids] if isinstance(ids, str) else [str(i) for i in ids]
