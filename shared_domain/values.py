"""Value objects and the parsing of raw input into them.

Each parser takes raw JSON-ish input and either returns a valid value or raises
``InvalidInput`` naming the field, so that both the API and tests get one source of truth.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared_domain.errors import FieldErrors, invalid

TAG_PATTERN = re.compile(r"^[a-z0-9-]{1,30}$")
ATTENDEE_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
# Names the time zone database accepts that depend on the machine or mean nothing.
_NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Format(StrEnum):
    TALK = "talk"
    LIGHTNING = "lightning"
    WORKSHOP = "workshop"
    KEYNOTE = "keynote"


DEFAULT_DURATION_MINUTES: Mapping[Format, int] = {
    Format.TALK: 40,
    Format.LIGHTNING: 10,
    Format.WORKSHOP: 120,
    Format.KEYNOTE: 45,
}


def text(field: str, value: Any, *, min_len: int, max_len: int) -> str:
    """A string trimmed of surrounding space whose length lies in [min_len, max_len]."""
    if not isinstance(value, str):
        raise invalid(field, "must be a string")
    if "\x00" in value or not _is_unicode(value):
        raise invalid(field, "must be valid Unicode text without NUL characters")
    trimmed = value.strip()
    if not min_len <= len(trimmed) <= max_len:
        if min_len == 0:
            raise invalid(field, f"must be at most {max_len} characters")
        raise invalid(field, f"must be {min_len} to {max_len} characters")
    return trimmed


def _is_unicode(value: str) -> bool:
    """False for lone surrogates, which no database can store as text."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def integer(field: str, value: Any, *, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(field, "must be an integer")
    if not low <= value <= high:
        raise invalid(field, f"must be between {low} and {high}")
    return value


def choice(field: str, value: Any, enum: type[StrEnum]) -> str:
    allowed = [member.value for member in enum]
    if value not in allowed:
        raise invalid(field, f"must be one of {', '.join(allowed)}")
    return str(value)


def timezone(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value or value != value.strip():
        raise invalid(field, "must be an IANA time zone name such as Europe/Berlin")
    if value in _NOT_PLACES:
        raise invalid(field, f"{value!r} is not the time zone of a place")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder ("Europe")
        raise invalid(field, f"{value!r} is not a known IANA time zone") from None
    return value


def attendee_id(value: Any) -> str:
    if not isinstance(value, str) or not ATTENDEE_PATTERN.fullmatch(value):
        raise invalid("attendee_id", "must be 1 to 64 characters of A-Z a-z 0-9 _ . @ -")
    return value


def stars(value: Any) -> int:
    return integer("stars", value, low=1, high=5)


@dataclass(frozen=True)
class Speaker:
    name: str
    company: str | None = None

    @property
    def key(self) -> str:
        """Who the speaker is for the double-booking rule: the name, ignoring case and space."""
        return speaker_key(self.name)

    def to_data(self) -> dict[str, str | None]:
        return {"name": self.name, "company": self.company}

    @classmethod
    def parse(cls, raw: Any) -> Speaker:
        if not isinstance(raw, Mapping):
            raise invalid("", "must be an object with a name and an optional company")
        errors = FieldErrors()
        unknown = set(raw) - {"name", "company"}
        for name in sorted(unknown):
            errors.add(name, "is not a speaker field")
        name = company = None
        with errors.field("name"):
            name = text("name", raw.get("name"), min_len=1, max_len=100)
        with errors.field("company"):
            raw_company = raw.get("company")
            if raw_company is not None:
                company = text("company", raw_company, min_len=0, max_len=100) or None
        errors.raise_if_any()
        assert name is not None
        return cls(name=name, company=company)


def speaker_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def speakers(value: Any) -> tuple[Speaker, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise invalid("speakers", "must be a list of 1 to 5 speakers")
    if not 1 <= len(value) <= 5:
        raise invalid("speakers", "must list 1 to 5 speakers")
    errors = FieldErrors()
    parsed: list[Speaker] = []
    for index, raw in enumerate(value):
        with errors.field(f"speakers.{index}"):
            parsed.append(Speaker.parse(raw))
    errors.raise_if_any()
    keys = [speaker.key for speaker in parsed]
    if len(set(keys)) != len(keys):
        raise invalid("speakers", "lists the same speaker twice")
    return tuple(parsed)


def tags(value: Any) -> tuple[str, ...]:
    """Lower-cased, duplicates collapsed, first occurrence order kept."""
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise invalid("tags", "must be a list of up to 10 tags")
    errors = FieldErrors()
    normalized: list[str] = []
    for index, raw in enumerate(value):
        if not isinstance(raw, str) or not TAG_PATTERN.fullmatch(raw.strip().lower()):
            errors.add(f"tags.{index}", "must be 1 to 30 characters of a-z 0-9 -")
            continue
        tag = raw.strip().lower()
        if tag not in normalized:
            normalized.append(tag)
    errors.raise_if_any()
    if len(normalized) > 10:
        raise invalid("tags", "must have at most 10 distinct tags")
    return tuple(normalized)
