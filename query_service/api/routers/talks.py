"""``/talks``: full-text search with filters, facets and cursor paging; one talk by id."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Query

from query_service.api.dependencies import Cursors, Store
from query_service.api.openapi import LOOKUPS, SEARCHES
from query_service.api.presenters import search_out, talk_out
from query_service.api.problems import NotFound
from query_service.api.schemas import SearchOut, TalkOut
from query_service.api.talk_query import Cursor, SearchFilters, Sort, talk_query

router = APIRouter(prefix="/talks", tags=["talks"])


@router.get("", response_model=SearchOut, responses=SEARCHES, summary="Search talks")
def search_talks(
    store: Store,
    cursors: Cursors,
    given: SearchFilters,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    sort: Sort = None,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Cursor = None,
) -> SearchOut:
    query = talk_query(given, q=q, sort=sort, size=size, cursor=cursors.open(cursor))
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
