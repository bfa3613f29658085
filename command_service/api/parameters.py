"""Path parameters shared by the routers: aggregate ids are UUIDs (else 422 naming them)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path

from shared_domain.limits import ATTENDEE_PATTERN

ConferenceId = Annotated[uuid.UUID, Path(description="The conference's id (a UUID)")]
TalkId = Annotated[uuid.UUID, Path(description="The talk's id (a UUID)")]
AttendeeId = Annotated[
    str,
    Path(
        description="Any id of 1-64 characters of A-Z a-z 0-9 _ . @ -",
        pattern=ATTENDEE_PATTERN.pattern,
    ),
]
StagePath = Annotated[str, Path(description="The stage's name, matched ignoring case")]
