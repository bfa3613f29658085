"""The success body of every command, for the OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CommandAnswer(BaseModel):
    """The changed aggregate's id and new version (also in ``ETag``), plus useful extras."""

    model_config = ConfigDict(extra="allow")

    id: str
    version: int
