"""Checks of the HTTP edge that both APIs must pass alike (service_conventions/http_edge.py,
api_docs.py): each API's tests call them on their own app."""

from __future__ import annotations

import re
from typing import Any

import httpx

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
}


def assert_security_headers(response: httpx.Response, *, write: bool) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers)
    if write:
        assert response.headers.get("cache-control") == "no-store"


def assert_docs_are_local(client: Any) -> None:
    """``/docs`` and ``/redoc`` reference only this server's URLs, and those answer."""
    for page in ("/docs", "/redoc"):
        response = client.get(page)
        assert response.status_code == 200, page
        urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", response.text)
        assert urls, page
        for url in urls:
            assert url.startswith("/"), f"{page} loads {url} from elsewhere"
            assert client.get(url).status_code == 200, url


def preflight(client: Any, path: str, method: str, origin: str) -> httpx.Response:
    """A CORS preflight from ``origin`` for ``method`` with every header a client sends."""
    response: httpx.Response = client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,if-match,idempotency-key,content-type",
        },
    )
    return response
