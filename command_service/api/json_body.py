"""Request bodies: JSON only, parsed by models that refuse unknown fields.

The field types (``command_service.api.fields``) carry the domain's enums and limits; the
domain checks the typed values again, as its own invariants.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict

from command_service.api.problems import ProblemError


class CommandBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def example(**body: Any) -> ConfigDict:
    """A body's ``model_config`` with a request example for the OpenAPI document."""
    return ConfigDict(json_schema_extra={"examples": [body]})


def require_json(request: Request) -> None:
    """Refuse a body sent as anything but JSON with 415 instead of a confusing 422."""
    content_type = request.headers.get("content-type")
    if content_type is None:
        return  # no body: the model's own "field required" errors say what is missing
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ProblemError(
            415,
            "unsupported-media-type",
            "The request body must be JSON",
            f"Send the body as application/json, not {media_type or 'an empty media type'}.",
        )
