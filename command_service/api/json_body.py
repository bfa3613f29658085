"""Request bodies: JSON only, and only type and shape checks here.

The models refuse unknown fields and wrong JSON types; every rule about values (lengths,
ranges, formats) is the domain's, so that there is one source of truth for it.
"""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, ConfigDict

from command_service.api.problems import ProblemError


class CommandBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
