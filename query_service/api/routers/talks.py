"""``/talks``: full-text search with filters, facets and cursor paging; one talk by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query

from query_service.api.dependencies import Cursors, Store, parse_day
from query_service.api.openapi import LOOKUPS, SEARCHES
from query_service.api.presenters import search_out, talk_out
from query_service.api.problems import InvalidParameter, NotFound
from query_service.api.schemas import SearchOut, TalkOut
from query_service.documents import DocumentTalkStatus as ShownStatus
from query_service.read_store.port import TalkQuery, TalkSort
from shared_domain.limits import STAGE_NAME, TAG_PATTERN
from shared_domain.values import Format, Level

router = APIRouter(prefix="/talks", tags=["talks"])

MAX_VALUES = 20


def _repeated(field: str, values: list[str] | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if len(values) > MAX_VALUES:
        raise InvalidParameter(field, f"may be given at most {MAX_VALUES} times")
    return tuple(dict.fromkeys(values))


def _members(field: str, members: Sequence[StrEnum] | None) -> tuple[str, ...]:
    """Enum parameters as the plain strings the read store compares."""
    return _repeated(field, [member.value for member in members] if members else None)


def _tags(values: list[str] | None) -> tuple[str, ...]:
    tags = tuple(t.strip().lower() for t in _repeated("tag", values))
    for tag in tags:
        if not TAG_PATTERN.match(tag):
            raise InvalidParameter("tag", f"{tag!r} is not 1-30 characters of a-z, 0-9 and -")
    return tags


def _stages(values: list[str] | None) -> tuple[str, ...]:
    stages = tuple(s.strip() for s in _repeated("stage", values))
    for stage in stages:
        if len(stage) not in STAGE_NAME:
            raise InvalidParameter(
                "stage", f"must be {STAGE_NAME.low} to {STAGE_NAME.high} characters"
            )
    return stages


@router.get("", response_model=SearchOut, responses=SEARCHES, summary="Search talks")
def search_talks(
    store: Store,
    cursors: Cursors,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    conference_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    tag: Annotated[
        list[str] | None,
        Query(description=f"all must match; each {TAG_PATTERN.pattern} once lower-cased"),
    ] = None,
    level: Annotated[list[Level] | None, Query()] = None,
    format: Annotated[list[Format] | None, Query()] = None,
    status: Annotated[list[ShownStatus] | None, Query()] = None,
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
        levels=_members("level", level),
        formats=_members("format", format),
        statuses=_members("status", status),
        stages=_stages(stage),
        days=tuple(parse_day("day", d) for d in _repeated("day", day)),
        sort=sort,
        size=size,
        cursor=cursors.open(cursor),
    )
    page = store.search_talks(query)
    return search_out(replace(page, next_cursor=cursors.seal(page.next_cursor)))


@router.get(
    "/{talk_id}", response_model=TalkOut, responses=LOOKUPS, summary="One talk's read model"
)
def get_talk(store: Store, talk_id: Annotated[str, Path(min_length=1, max_length=100)]) -> TalkOut:
    doc = store.get_talk(talk_id)
    if doc is None:
        raise NotFound("talk", talk_id)
    return talk_out(doc)
