"""The two OpenAPI documents as the apps generate them (routes only: nothing is opened)."""

from __future__ import annotations

from typing import Any

from command_service.api.app import create_app
from query_service.api.app import create_api
from tests.contract.api.credentials import settings


def write_api_document() -> dict[str, Any]:
    return create_app(settings("sqlite://")).openapi()


def search_api_document() -> dict[str, Any]:
    return create_api(None).openapi()  # type: ignore[arg-type]  # the store is never asked
