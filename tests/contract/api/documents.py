"""The two OpenAPI documents as the apps generate them (routes only: nothing is opened)."""

from __future__ import annotations

from typing import Any

from command_service.api.app import create_app
from command_service.settings import load_settings
from query_service.api.app import create_api


def write_api_document() -> dict[str, Any]:
    return create_app(load_settings(database_url="sqlite://")).openapi()


def search_api_document() -> dict[str, Any]:
    return create_api(None).openapi()  # type: ignore[arg-type]  # the store is never asked
