"""The talk search's parameters and their rules, shared by the JSON API and the pages.

Both ``GET /talks`` and the programme page (``query_service/web``) declare these parameter
types and build their ``TalkQuery`` here, so one set of rules decides what a search may ask
and the read-store port is asked the same way whichever answers it (no second query path).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Query

from query_service.api.dependencies import parse_day
from query_service.api.problems import InvalidParameter
from query_service.documents import DocumentTalkStatus as ShownStatus
from query_service.read_store.port import TalkQuery, TalkSort
from shared_domain.errors import InvalidInput
from shared_domain.limits import STAGE_NAME, TAG_PATTERN
from shared_domain.values import Format, Level, language

MAX_VALUES = 20

ConferenceFilter = Annotated[str | None, Query(min_length=1, max_length=100)]
Tags = Annotated[
    list[str] | None,
    Query(description=f"all must match; each {TAG_PATTERN.pattern} once lower-cased"),
]
Levels = Annotated[list[Level] | None, Query()]
Formats = Annotated[list[Format] | None, Query()]
Languages = Annotated[
    list[str] | None, Query(description="ISO 639-1 two-letter codes such as en; any may match")
]
Statuses = Annotated[list[ShownStatus] | None, Query()]
Stages = Annotated[list[str] | None, Query()]
Days = Annotated[list[str] | None, Query(description="local date, YYYY-MM-DD")]
Sort = Annotated[TalkSort | None, Query()]
Cursor = Annotated[str | None, Query(min_length=1, max_length=2000)]


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


def _languages(values: list[str] | None) -> tuple[str, ...]:
    try:
        return tuple(dict.fromkeys(language(code) for code in _repeated("language", values)))
    except InvalidInput:
        raise InvalidParameter(
            "language", "must be an ISO 639-1 two-letter language code such as en"
        ) from None


def _stages(values: list[str] | None) -> tuple[str, ...]:
    stages = tuple(s.strip() for s in _repeated("stage", values))
    for stage in stages:
        if len(stage) not in STAGE_NAME:
            raise InvalidParameter(
                "stage", f"must be {STAGE_NAME.low} to {STAGE_NAME.high} characters"
            )
    return stages


@dataclass(frozen=True)
class Filters:
    """The filters of a search as given (validated by type, not yet by their own rules)."""

    conference_id: str | None
    tag: list[str] | None
    level: Sequence[Level] | None
    format: Sequence[Format] | None
    language: list[str] | None
    status: Sequence[ShownStatus] | None
    stage: list[str] | None
    day: list[str] | None


def filters(
    conference_id: ConferenceFilter = None,
    tag: Tags = None,
    level: Levels = None,
    format: Formats = None,
    language: Languages = None,
    status: Statuses = None,
    stage: Stages = None,
    day: Days = None,
) -> Filters:
    return Filters(conference_id, tag, level, format, language, status, stage, day)


SearchFilters = Annotated[Filters, Depends(filters)]
"""The filter parameters of both searches, declared once."""


def talk_query(
    given: Filters, *, q: str | None, sort: TalkSort | None, size: int, cursor: str | None
) -> TalkQuery:
    """The query for validated parameters; ``cursor`` is the read store's (already opened)."""
    if q is not None and not q.strip():
        raise InvalidParameter("q", "must contain at least one word")
    return TalkQuery(
        text=q.strip() if q else None,
        conference_id=given.conference_id,
        tags=_tags(given.tag),
        levels=_members("level", given.level),
        formats=_members("format", given.format),
        languages=_languages(given.language),
        statuses=_members("status", given.status),
        stages=_stages(given.stage),
        days=tuple(parse_day("day", d) for d in _repeated("day", given.day)),
        sort=sort,
        size=size,
        cursor=cursor,
    )
