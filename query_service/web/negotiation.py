"""Pages and JSON on the same URLs: a page route matches only a request that asks for HTML.

``/conferences/{id}`` and ``/talks/{id}`` are both a JSON resource and a page. A browser
asks for ``text/html`` first; ``curl``, ``httpx`` and other API clients send ``*/*`` or
``application/json``, so they keep getting the JSON API exactly as before (ADR 078).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

_JSON = ("application/json", "application/problem+json")


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def wants_html(accept: str) -> bool:
    """True when ``accept`` names ``text/html`` and ranks it at least as high as JSON."""
    html = json = 0.0
    for item in accept.split(","):
        media, *params = item.split(";")
        media = media.strip().lower()
        if media == "text/html":
            html = max(html, _quality(params))
        elif media in _JSON:
            json = max(json, _quality(params))
    return html > 0 and html >= json


def _accept(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return str(value.decode("latin-1"))
    return ""


class HtmlRoute(APIRoute):
    """A route that steps aside (no match) unless the request asks for HTML."""

    def matches(self, scope: Scope) -> tuple[Match, MutableMapping[str, Any]]:
        if scope["type"] == "http" and not wants_html(_accept(scope)):
            return Match.NONE, {}
        return super().matches(scope)
