"""Pages and JSON on the same URLs: a page route matches only a request that asks for HTML.

``/conferences/{id}`` and ``/talks/{id}`` are both a JSON resource and a page. A browser
asks for ``text/html`` first; ``curl``, ``httpx`` and other API clients send ``*/*`` or
``application/json``, so they keep getting the JSON API exactly as before (ADR 078).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class VaryOnAccept:
    """``Vary: Accept`` on every answer under the negotiated paths, JSON and page alike, so
    that no cache hands a browser the JSON it stored for an API client, or the reverse."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(self.prefixes):
            await self.app(scope, receive, send)
            return

        async def varying(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).add_vary_header("Accept")
            await send(message)

        await self.app(scope, receive, varying)
