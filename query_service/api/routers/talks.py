"""``/talks``: full-text search with filters, facets and cursor paging; one talk by id."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from query_service.api.dependencies import Store, parse_day
from query_service.api.presenters import search_out, talk_out
from query_service.api.problems import InvalidParameter, NotFound
from query_service.api.schemas import SearchOut, TalkOut
from query_service.read_store.port import TalkQuery, TalkSort

router = APIRouter(prefix="/talks", tags=["talks"])

_TAG = re.compile(r"^[a-z0-9-]{1,30}$")
MAX_VALUES = 20

LevelParam = Literal["beginner", "intermediate", "advanced"]
FormatParam = Literal["talk", "lightning", "workshop", "keynote"]
StatusParam = Literal["submitted", "accepted", "scheduled", "rejected", "withdrawn"]


def _repeated(field: str, values: list[str] | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if len(values) > MAX_VALUES:
        raise InvalidParameter(field, f"may be given at most {MAX_VALUES} times")
    return tuple(dict.fromkeys(values))


def _tags(values: list[str] | None) -> tuple[str, ...]:
    tags = tuple(t.strip().lower() for t in _repeated("tag", values))
    for tag in tags:
        if not _TAG.match(tag):
            raise InvalidParameter("tag", f"{tag!r} is not 1-30 characters of a-z, 0-9 and -")
    return tags


def _stages(values: list[str] | None) -> tuple[str, ...]:
    stages = tuple(s.strip() for s in _repeated("stage", values))
    for stage in stages:
        if not 1 <= len(stage) <= 60:
            raise InvalidParameter("stage", "must be 1 to 60 characters")
    return stages


@router.get("", response_model=SearchOut, summary="Search talks")
def search_talks(
    store: Store,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    conference_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    tag: Annotated[list[str] | None, Query(description="all must match")] = None,
    level: Annotated[list[LevelParam] | None, Query()] = None,
    format: Annotated[list[FormatParam] | None, Query()] = None,
    status: Annotated[list[StatusParam] | None, Query()] = None,
    stage: Annotated[list[str] | None, Query()] = None,
    day: Annotated[list[str] | None, Query(description="local date, YYYY-MM-DD")] = None,
    sort: Annotated[TalkSort | None, Query()] = None,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(min_length=1, max_length=2000)] = None,
) -> SearchOut:
    if q is not None and not q.strip():
        raise InvalidParameter("q", "must contain at least one word")
    query = TalkQuery(
        text=q.strip() if q else None,
        conference_id=conference_id,
        tags=_tags(tag),
        levels=_repeated("level", list(level) if level else None),
        formats=_repeated("format", list(format) if format else None),
        statuses=_repeated("status", list(status) if status else None),
        stages=_stages(stage),
        days=tuple(parse_day("day", d) for d in _repeated("day", day)),
        sort=sort,
        size=size,
        cursor=cursor,
    )
    return search_out(store.search_talks(query))


@router.get("/{talk_id}", response_model=TalkOut, summary="One talk's read model")
def get_talk(store: Store, talk_id: Annotated[str, Path(min_length=1, max_length=100)]) -> TalkOut:
    doc = store.get_talk(talk_id)
    if doc is None:
        raise NotFound("talk", talk_id)
    return talk_out(doc)
