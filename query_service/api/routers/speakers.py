"""``/speakers``: speakers grouped by name (ignoring case and spacing) with their talks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from query_service.api.dependencies import Store
from query_service.api.openapi import SEARCHES
from query_service.api.problems import InvalidParameter
from query_service.api.schemas import SpeakersOut, SpeakerSummaryOut
from query_service.read_store.port import SpeakerQuery

router = APIRouter(prefix="/speakers", tags=["speakers"])


@router.get("", response_model=SpeakersOut, responses=SEARCHES)
def list_speakers(
    store: Store,
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    conference_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> SpeakersOut:
    if q is not None and not q.strip():
        raise InvalidParameter("q", "must not be blank")
    found = store.speakers(SpeakerQuery(text=q, conference_id=conference_id))
    return SpeakersOut(
        items=[
            SpeakerSummaryOut(name=s.name, companies=list(s.companies), talk_count=s.talk_count)
            for s in found
        ]
    )
