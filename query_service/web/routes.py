"""The programme pages: search (``/``), a conference's days, a talk.

Each asks the read-store port exactly what the JSON API asks for the same view (the search
parameters are built by ``api/talk_query.py``), and renders the answer server-side, so the
pages work without JavaScript; ``static/programme.js`` only makes them feel live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from query_service.api.dependencies import Cursors, Store, parse_day
from query_service.api.problems import InvalidParameter, NotFound
from query_service.api.talk_query import Cursor, SearchFilters, talk_query
from query_service.documents import ConferenceDocument
from query_service.read_store.port import TalkSearch, TopTalksQuery
from query_service.views.schedule import build_schedule, conference_days
from query_service.web import views
from query_service.web.negotiation import HtmlRoute
from query_service.web.rendering import page

PAGE_SIZE = 20
TOP_TALKS = 10
CONFERENCE_LINKS = 5

home = APIRouter(include_in_schema=False)
pages = APIRouter(include_in_schema=False, route_class=HtmlRoute)


def is_page(endpoint: object) -> bool:
    """Whether a matched endpoint is a page (its errors are answered as pages too)."""
    return endpoint in (search_page, conference_page, talk_page)


@dataclass(frozen=True)
class ConferenceLink:
    conference: ConferenceDocument
    days: tuple[str, ...]


def _conference_links(store: TalkSearch, ids: list[str]) -> list[ConferenceLink]:
    links = []
    for conference_id in list(dict.fromkeys(ids))[:CONFERENCE_LINKS]:
        doc = store.get_conference(conference_id)
        if doc is not None:
            links.append(ConferenceLink(doc, tuple(conference_days(doc))))
    return links


@home.get("/")
def search_page(
    request: Request,
    store: Store,
    cursors: Cursors,
    given: SearchFilters,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Cursor = None,
    shown: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """Search across the programme; a blank box (what an empty form submits) is no text."""
    text = q if q and q.strip() else None
    query = talk_query(given, q=text, sort=None, size=PAGE_SIZE, cursor=cursors.open(cursor))
    found = store.search_talks(query)
    following = cursors.seal(found.next_cursor)
    conference_ids = [h.talk.details.conference_id for h in found.items if h.talk.details]
    if query.conference_id:
        conference_ids.insert(0, query.conference_id)
    return page(
        request,
        "search.html",
        query=query,
        found=found,
        shown=shown,
        facets=views.facet_groups(found.facets, query),
        filtered=any(views.selected_values(query).values()),
        more_url=None
        if following is None
        else views.search_url(query, following) + f"&shown={shown + len(found.items)}",
        first_url=views.search_url(query) if cursor else None,
        conferences=_conference_links(store, conference_ids),
    )


def _conference(store: TalkSearch, conference_id: str) -> ConferenceDocument:
    doc = store.get_conference(conference_id)
    if doc is None:
        raise NotFound("conference", conference_id)
    return doc


def _chosen_day(conference: ConferenceDocument, days: list[str], day: str | None) -> date:
    if day is None:
        return date.fromisoformat(days[0])
    chosen = parse_day("day", day)
    if chosen.isoformat() not in days:
        raise InvalidParameter(
            "day",
            f"{day} is not a day of {conference.name} "
            f"({conference.starts_on} to {conference.ends_on})",
        )
    return chosen


@pages.get("/conferences/{conference_id}")
def conference_page(
    request: Request,
    store: Store,
    conference_id: Annotated[str, Path(min_length=1, max_length=100)],
    day: Annotated[str | None, Query(description="local date, YYYY-MM-DD")] = None,
) -> Response:
    """One conference: a tab per day, that day's grid (stages x time) and its top talks."""
    conference = _conference(store, conference_id)
    days = conference_days(conference)
    on = _chosen_day(conference, days, day)
    talks = store.scheduled_talks(conference_id, on)
    schedule = build_schedule(conference, talks, on)
    top = store.top_talks(TopTalksQuery(conference_id=conference_id, day=on, limit=TOP_TALKS))
    return page(
        request,
        "conference.html",
        conference=conference,
        days=days,
        day=on.isoformat(),
        day_number=days.index(on.isoformat()) + 1,
        grid=views.day_grid(schedule.days[0], {t.id: t for t in talks}),
        top=top,
        counts=store.talk_counts(conference_id),
    )


@pages.get("/talks/{talk_id}")
def talk_page(
    request: Request, store: Store, talk_id: Annotated[str, Path(min_length=1, max_length=100)]
) -> Response:
    """A talk: abstract, speakers and companies, tags, slot and rating."""
    talk = store.get_talk(talk_id)
    if talk is None or talk.details is None:
        raise NotFound("talk", talk_id)
    conference = store.get_conference(talk.details.conference_id)
    days = conference_days(conference) if conference else []
    day_number = days.index(talk.slot.day) + 1 if talk.slot and talk.slot.day in days else None
    return page(request, "talk.html", talk=talk, conference=conference, day_number=day_number)
