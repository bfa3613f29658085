"""A page route answers only a request that ranks HTML at least as high as JSON."""

from __future__ import annotations

import pytest

from query_service.web.negotiation import wants_html


@pytest.mark.parametrize(
    "accept",
    [
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "text/html",
        "TEXT/HTML; charset=utf-8",
        "application/json;q=0.5, text/html",
        "text/html, application/json",
    ],
)
def test_browsers_get_pages(accept: str) -> None:
    assert wants_html(accept)


@pytest.mark.parametrize(
    "accept",
    [
        "",
        "*/*",
        "application/json",
        "application/problem+json",
        "text/*",
        "application/json, text/html;q=0.5",
        "text/html;q=0",
        "text/html;q=nonsense",
    ],
)
def test_api_clients_get_json(accept: str) -> None:
    assert not wants_html(accept)
