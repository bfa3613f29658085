"""Events as the code before v2 recorded them, for the tests of upcasting (ADR 082)."""

from __future__ import annotations

from shared_domain.events import JsonDict
from shared_domain.upcasting import TalkSubmittedV1

V1_DETAILS: JsonDict = {
    "abstract": "",
    "speakers": [{"name": "Ada", "company": None}],
    "tags": ["ddd"],
    "level": "beginner",
    "format": "talk",
    "duration_minutes": 40,
}
"""A talk's details in a v1 submitted or edited event, all but the title (no language)."""


def v1_submitted(talk_id: str, conference_id: str, title: str) -> TalkSubmittedV1:
    return TalkSubmittedV1(
        aggregate_id=talk_id,
        aggregate_version=1,
        conference_id=conference_id,
        title=title,
        **V1_DETAILS,
    )
