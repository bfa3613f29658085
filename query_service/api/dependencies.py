"""Request dependencies: the read store the app was built with, and shared parameters."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import Depends, Request

from query_service.api.cursor_signing import CursorSigner
from query_service.api.problems import InvalidParameter
from query_service.read_store.port import TalkSearch

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def get_store(request: Request) -> TalkSearch:
    store: TalkSearch = request.app.state.store
    return store


Store = Annotated[TalkSearch, Depends(get_store)]


def get_cursors(request: Request) -> CursorSigner:
    cursors: CursorSigner = request.app.state.cursors
    return cursors


Cursors = Annotated[CursorSigner, Depends(get_cursors)]


def parse_day(field: str, value: str) -> date:
    """A calendar date written exactly ``YYYY-MM-DD`` (no timestamps, no week dates)."""
    if _DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidParameter(field, f"{value!r} is not a date in the form YYYY-MM-DD")
