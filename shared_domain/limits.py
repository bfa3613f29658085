"""The limits of the published language: lengths, counts, ranges and patterns of input.

The domain checks every value against them; the write API's request models and the search
API's parameters reuse the same constants, so that their OpenAPI documents show the limits
the domain enforces and no edge re-declares one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Bounds:
    """An inclusive range: of a length (after trimming), a count or a number."""

    low: int
    high: int

    def __contains__(self, value: int) -> bool:
        return self.low <= value <= self.high


# --- conferences ---------------------------------------------------------------------------
CONFERENCE_NAME = Bounds(1, 120)
STAGE_NAME = Bounds(1, 60)
STAGES = Bounds(1, 20)
MAX_DAYS = 14
# Far enough for any real programme, and clear of the calendar's ends (no overflow).
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)

# --- talks ---------------------------------------------------------------------------------
TITLE = Bounds(3, 200)
ABSTRACT = Bounds(0, 5000)
SPEAKERS = Bounds(1, 5)
SPEAKER_NAME = Bounds(1, 100)
COMPANY = Bounds(0, 100)
MAX_TAGS = 10
"""Distinct tags, after lower-casing: duplicates collapse before they are counted."""
TAG_PATTERN = re.compile(r"^[a-z0-9-]{1,30}$")
"""A tag after trimming and lower-casing."""
DURATION_MINUTES = Bounds(5, 480)
REASON = Bounds(0, 1000)

# --- ratings -------------------------------------------------------------------------------
STARS = Bounds(1, 5)
ATTENDEE_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
