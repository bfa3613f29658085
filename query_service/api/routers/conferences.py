"""``/conferences/{id}``: the conference, its schedule grid, and its top-rated talks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from query_service.api.dependencies import Store, parse_day
from query_service.api.openapi import LOOKUPS
from query_service.api.presenters import conference_out, schedule_out, talk_out
from query_service.api.problems import NotFound
from query_service.api.schemas import ConferenceOut, ConferenceScheduleOut, TopTalksOut
from query_service.documents import ConferenceDocument
from query_service.read_store.port import TalkSearch, TopTalksQuery
from query_service.views.schedule import build_schedule

router = APIRouter(prefix="/conferences", tags=["conferences"])

ConferenceId = Annotated[str, Path(min_length=1, max_length=100)]
DayParam = Annotated[str | None, Query(description="local date, YYYY-MM-DD")]


def _conference(store: TalkSearch, conference_id: str) -> ConferenceDocument:
    doc = store.get_conference(conference_id)
    if doc is None:
        raise NotFound("conference", conference_id)
    return doc


@router.get("/{conference_id}", response_model=ConferenceOut, responses=LOOKUPS)
def get_conference(store: Store, conference_id: ConferenceId) -> ConferenceOut:
    doc = _conference(store, conference_id)
    return conference_out(doc, store.talk_counts(conference_id))


@router.get("/{conference_id}/schedule", response_model=ConferenceScheduleOut, responses=LOOKUPS)
def get_schedule(
    store: Store, conference_id: ConferenceId, day: DayParam = None
) -> ConferenceScheduleOut:
    on = None if day is None else parse_day("day", day)
    doc = _conference(store, conference_id)
    talks = store.scheduled_talks(conference_id, on)
    return schedule_out(build_schedule(doc, talks, on))


@router.get("/{conference_id}/top-talks", response_model=TopTalksOut, responses=LOOKUPS)
def get_top_talks(
    store: Store,
    conference_id: ConferenceId,
    day: DayParam = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    min_ratings: Annotated[int, Query(ge=0, le=1_000_000)] = 1,
) -> TopTalksOut:
    on = None if day is None else parse_day("day", day)
    _conference(store, conference_id)
    query = TopTalksQuery(conference_id=conference_id, day=on, limit=limit, min_ratings=min_ratings)
    return TopTalksOut(items=[talk_out(t) for t in store.top_talks(query)])
