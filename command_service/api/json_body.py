"""Request bodies: JSON only, parsed by models that refuse unknown fields.

The field types (``command_service.api.fields``) carry the domain's enums and limits; the
domain checks the typed values again, as its own invariants. A command without a body
(accept, withdraw, the DELETEs) takes none, or JSON that it ignores: a form or text body
(what a cross-site form can send without a preflight) is refused with 415, so no browser
page elsewhere can trigger one.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict

from command_service.api.problems import ProblemError


class CommandBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def example(**body: Any) -> ConfigDict:
    """A body's ``model_config`` with a request example for the OpenAPI document."""
    return ConfigDict(json_schema_extra={"examples": [body]})


async def require_json(request: Request) -> None:
    """Refuse a body sent as anything but JSON with 415 instead of a confusing 422 (``async``:
    no I/O, so no thread hop)."""
    content_type = request.headers.get("content-type")
    if content_type is None:
        return  # no body: the model's own "field required" errors say what is missing
    _ensure_json(content_type)


async def require_no_body(request: Request) -> None:
    """For a command without a body: nothing, or well-formed JSON (``{}``, as some clients
    always send one), which is ignored."""
    body = await request.body()
    if not body:
        return
    _ensure_json(request.headers.get("content-type", ""))
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        raise ProblemError(
            400,
            "malformed-json",
            "The request body is not valid JSON",
            "The body could not be parsed as JSON.",
        ) from None


def _ensure_json(content_type: str) -> None:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ProblemError(
            415,
            "unsupported-media-type",
            "The request body must be JSON",
            f"Send the body as application/json, not {media_type or 'an empty media type'}.",
        )
