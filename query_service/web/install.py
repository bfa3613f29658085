"""Mounting the pages on the search API: routes before the JSON ones, assets, error pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from query_service.web import errors
from query_service.web.negotiation import VaryOnAccept
from query_service.web.rendering import ASSETS, STATIC
from query_service.web.routes import home, pages

NEGOTIATED = ("/conferences/", "/talks/")
"""Where a page and a JSON resource share URLs (``pages`` routes)."""


def install(app: FastAPI, dependencies: Sequence[Any]) -> None:
    """``dependencies`` are the JSON API's (its bearer token when required): the pages
    show the same data, so they are guarded alike. Call before the JSON routers are
    included, so that a request for HTML reaches its page first."""
    app.include_router(home, dependencies=list(dependencies))
    app.include_router(pages, dependencies=list(dependencies))
    app.mount(ASSETS, StaticFiles(directory=str(STATIC)), name="programme-assets")
    errors.install(app)
    app.add_middleware(VaryOnAccept, prefixes=NEGOTIATED)
