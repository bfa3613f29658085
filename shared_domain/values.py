"""Value objects, the enums of the published language, and the checks of typed values.

Callers hand the domain typed values (the write API parses raw JSON into them); each check
here still refuses a value that breaks a limit of ``shared_domain.limits`` (or is not of
its annotated type: Python does not enforce annotations) with ``InvalidInput`` naming the
field, so that what the domain builds is valid whoever calls it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry

from shared_domain.errors import FieldErrors, invalid
from shared_domain.limits import (
    ATTENDEE_PATTERN,
    COMPANY,
    MAX_TAGS,
    SPEAKER_NAME,
    SPEAKERS,
    STARS,
    TAG_PATTERN,
    Bounds,
)

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")
U = TypeVar("U")

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


def text(field: str, value: str, *, min_len: int, max_len: int) -> str:
    """The string trimmed of surrounding space, if its length lies in [min_len, max_len]."""
    if not isinstance(value, str):
        raise invalid(field, "must be a string")
    if "\x00" in value or not _is_unicode(value):
        raise invalid(field, "must be valid Unicode text without NUL characters")
    trimmed = value.strip()
    if not min_len <= len(trimmed) <= max_len:
        if min_len == 0:
            raise invalid(field, f"must be at most {max_len} characters")
        raise invalid(field, f"must be {min_len} to {max_len} characters")
    if trimmed and not any(map(is_visible, trimmed)):
        raise invalid(field, "must contain a visible character, not only invisible ones")
    return trimmed


# Control, format (U+200B, U+202E, U+FEFF…), unassigned and surrogate code points, and
# separators; plus the letters and symbols that fonts draw as blanks.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Cs", "Zs", "Zl", "Zp"})
_BLANK_GLYPHS = frozenset("\u115f\u1160\u2800\u3164\uffa0")


def is_visible(character: str) -> bool:
    """Whether a reader sees the character: a name or title of invisible ones only would
    show as nothing, yet pass a length check."""
    return (
        unicodedata.category(character) not in _INVISIBLE_CATEGORIES
        and character not in _BLANK_GLYPHS
    )


def _is_unicode(value: str) -> bool:
    """False for lone surrogates, which no database can store as text."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def integer(field: str, value: int, *, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(field, "must be an integer")
    if not low <= value <= high:
        raise invalid(field, f"must be between {low} and {high}")
    return value


def choice(field: str, value: str, enum: type[E]) -> E:
    """The member of ``enum`` that ``value`` is (a member, or its exact value)."""
    for member in enum:
        if isinstance(value, str) and value == member.value:
            return member
    raise invalid(field, f"must be one of {', '.join(member.value for member in enum)}")


def timezone(field: str, value: str) -> str:
    if not isinstance(value, str) or not value or value != value.strip():
        raise invalid(field, "must be an IANA time zone name such as Europe/Berlin")
    if value in _NOT_PLACES:
        raise invalid(field, f"{value!r} is not the time zone of a place")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder ("Europe")
        raise invalid(field, f"{value!r} is not a known IANA time zone") from None
    return value


DEFAULT_LANGUAGE = "en"
"""The language of a talk that names none, and of every talk recorded before v2 events."""


ISO_639_1 = frozenset(each.alpha_2 for each in pycountry.languages if hasattr(each, "alpha_2"))
"""Every two-letter code pycountry knows, read once at import: its own lookup takes a lock
and walks an index on every call, about a millisecond of a command's CPU."""


def language(value: str) -> str:
    """An ISO 639-1 code, lower-cased (``"FR"`` is ``"fr"``); pycountry holds the list, so
    a code the standard assigns is never refused and a made-up one never passes."""
    code = value.lower() if isinstance(value, str) else ""
    if code not in ISO_639_1:
        raise invalid("language", "must be an ISO 639-1 two-letter language code such as en")
    return code


def attendee_id(value: str) -> str:
    if not isinstance(value, str) or not ATTENDEE_PATTERN.fullmatch(value):
        raise invalid("attendee_id", "must be 1 to 64 characters of A-Z a-z 0-9 _ . @ -")
    return value


def stars(value: int) -> int:
    return integer("stars", value, low=STARS.low, high=STARS.high)


@dataclass(frozen=True)
class Speaker:
    """A speaker as given; ``speaker`` checks and trims one, ``speakers`` a talk's list."""

    name: str
    company: str | None = None

    @property
    def key(self) -> str:
        """Who the speaker is for the double-booking rule: the name, ignoring case and space."""
        return speaker_key(self.name)

    def to_data(self) -> dict[str, str | None]:
        return {"name": self.name, "company": self.company}


def speaker_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def speaker(value: Speaker) -> Speaker:
    """The speaker trimmed, with a blank company as none; field names are relative."""
    if not isinstance(value, Speaker):
        raise invalid("", "must be a speaker with a name and an optional company")
    errors = FieldErrors()
    name = company = None
    with errors.field("name"):
        name = text("name", value.name, min_len=SPEAKER_NAME.low, max_len=SPEAKER_NAME.high)
    with errors.field("company"):
        if value.company is not None:
            company = text("company", value.company, min_len=COMPANY.low, max_len=COMPANY.high)
    errors.raise_if_any()
    assert name is not None
    return Speaker(name=name, company=company or None)


def each(field: str, value: Sequence[T], bounds: Bounds, check: Callable[[T], U]) -> list[U]:
    """Every item checked (an error named ``field.N``), their number within ``bounds``."""
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise invalid(field, f"must be a list of {bounds.low} to {bounds.high} {field}")
    if len(value) not in bounds:
        raise invalid(field, f"must list {bounds.low} to {bounds.high} {field}")
    errors = FieldErrors()
    checked: list[U] = []
    for index, item in enumerate(value):
        with errors.field(f"{field}.{index}"):
            checked.append(check(item))
    errors.raise_if_any()
    return checked


def speakers(value: Sequence[Speaker]) -> tuple[Speaker, ...]:
    checked = each("speakers", value, SPEAKERS, speaker)
    keys = [item.key for item in checked]
    if len(set(keys)) != len(keys):
        raise invalid("speakers", "lists the same speaker twice")
    return tuple(checked)


def tags(value: Sequence[str]) -> tuple[str, ...]:
    """Lower-cased, duplicates collapsed, first occurrence order kept."""
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise invalid("tags", f"must be a list of up to {MAX_TAGS} tags")
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
    if len(normalized) > MAX_TAGS:
        raise invalid("tags", f"must have at most {MAX_TAGS} distinct tags")
    return tuple(normalized)
