"""Read-model documents -> API response models (local times, two-decimal averages)."""

from __future__ import annotations

from collections.abc import Mapping

from query_service.api.schemas import (
    ConferenceOut,
    ConferenceScheduleOut,
    DayOut,
    FacetOut,
    RatingOut,
    ScheduleOut,
    SearchOut,
    SlotOut,
    SpeakerOut,
    StageOut,
    TalkHitOut,
    TalkOut,
)
from query_service.documents import (
    ConferenceDocument,
    DocumentSpeaker,
    DocumentTalkStatus,
    TalkDocument,
)
from query_service.read_store.port import TalkHit, TalkPage
from query_service.views.local_time import local_iso
from query_service.views.schedule import Schedule


def _speakers(speakers: tuple[DocumentSpeaker, ...]) -> list[SpeakerOut]:
    return [SpeakerOut(name=s.name, company=s.company) for s in speakers]


def _talk_fields(doc: TalkDocument) -> dict[str, object]:
    details, slot = doc.details, doc.slot
    if details is None or doc.status is None:
        raise ValueError(f"talk {doc.id} has no details to show")
    return {
        "id": doc.id,
        "conference_id": details.conference_id,
        "title": details.title,
        "abstract": details.abstract,
        "speakers": _speakers(details.speakers),
        "tags": list(details.tags),
        "level": details.level,
        "format": details.format,
        "duration_minutes": details.duration_minutes,
        "language": details.language,
        "status": doc.status,
        "version": doc.talk_version,
        "rating": RatingOut(average=round(doc.rating.average, 2), count=doc.rating.count),
        "schedule": None
        if slot is None
        else ScheduleOut(
            stage=slot.stage,
            starts_at=local_iso(slot.starts_at, slot.timezone),
            ends_at=local_iso(slot.ends_at, slot.timezone),
            day=slot.day,
        ),
        "submitted_at": doc.submitted_at,
    }


def talk_out(doc: TalkDocument) -> TalkOut:
    return TalkOut.model_validate(_talk_fields(doc))


def hit_out(hit: TalkHit) -> TalkHitOut:
    fields = _talk_fields(hit.talk)
    highlight = {name: list(snippets) for name, snippets in hit.highlight.items()}
    return TalkHitOut.model_validate({**fields, "highlight": highlight})


def search_out(page: TalkPage) -> SearchOut:
    return SearchOut(
        total=page.total,
        items=[hit_out(hit) for hit in page.items],
        facets={
            name: [FacetOut(value=c.value, count=c.count) for c in counts]
            for name, counts in page.facets.items()
        },
        next_cursor=page.next_cursor,
    )


def conference_out(doc: ConferenceDocument, counts: Mapping[str, int]) -> ConferenceOut:
    return ConferenceOut(
        id=doc.id,
        name=doc.name,
        starts_on=doc.starts_on,
        ends_on=doc.ends_on,
        timezone=doc.timezone,
        stages=list(doc.stages),
        talk_counts={status.value: counts.get(status.value, 0) for status in DocumentTalkStatus},
        version=doc.version,
    )


def schedule_out(schedule: Schedule) -> ConferenceScheduleOut:
    return ConferenceScheduleOut(
        conference_id=schedule.conference_id,
        timezone=schedule.timezone,
        days=[
            DayOut(
                date=day.date,
                stages=[
                    StageOut(
                        name=stage.name,
                        slots=[
                            SlotOut(
                                talk_id=slot.talk_id,
                                title=slot.title,
                                speakers=_speakers(slot.speakers),
                                starts_at=slot.starts_at,
                                ends_at=slot.ends_at,
                            )
                            for slot in stage.slots
                        ],
                    )
                    for stage in day.stages
                ],
            )
            for day in schedule.days
        ],
    )
