"""The field types of the request bodies: the domain's enums and limits, as pydantic types.

Raw JSON is parsed here, once, into the typed values the domain takes (``date``,
``datetime``, ``Level``, ``Speaker``…); the limits come from ``shared_domain.limits``, so
the OpenAPI document shows exactly what the domain enforces. A rule JSON Schema cannot say
(a known timezone, stage names unique ignoring case) runs the domain's own check, so that
one request learns every offending field at once, with the domain's message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    Strict,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from command_service.api.json_body import CommandBody
from shared_domain import conference, limits, values
from shared_domain.errors import InvalidInput
from shared_domain.limits import Bounds
from shared_domain.values import Speaker

T = TypeVar("T")


def domain_check(check: Callable[[T], T]) -> AfterValidator:
    """Run a check of the domain on an already typed value; its refusal becomes the field's."""

    def validate(value: T) -> T:
        try:
            return check(value)
        except InvalidInput as error:
            message = "; ".join(e.message for e in error.errors)
            raise PydanticCustomError("domain_rule", message) from None

    return AfterValidator(validate)


def _trimmed(bounds: Bounds) -> StringConstraints:
    """A JSON string whose length, once trimmed, lies within ``bounds``."""
    return StringConstraints(
        strict=True, strip_whitespace=True, min_length=bounds.low, max_length=bounds.high
    )


def _iso(kind: type[T], parse: Callable[[str], T], example: str) -> BeforeValidator:
    """ISO 8601 text as Python's ``fromisoformat`` reads it (pydantic's own parser would
    take more, such as Unix timestamps)."""

    def validate(raw: object) -> T:
        if isinstance(raw, str):
            try:
                return parse(raw)
            except ValueError:
                pass
        raise PydanticCustomError("iso_format", f"must be an ISO {kind.__name__} such as {example}")

    return BeforeValidator(validate)


ConferenceName = Annotated[str, _trimmed(limits.CONFERENCE_NAME)]
StageName = Annotated[str, _trimmed(limits.STAGE_NAME)]
Stages = Annotated[
    list[StageName],
    Field(min_length=limits.STAGES.low, max_length=limits.STAGES.high),
    domain_check(conference.stage_names),
]
Timezone = Annotated[
    str,
    Strict(),
    Field(description="An IANA time zone name such as Europe/Berlin"),
    domain_check(lambda zone: values.timezone("timezone", zone)),
]
Day = Annotated[
    date,
    _iso(date, date.fromisoformat, "2026-06-01"),
    domain_check(lambda day: conference.day("", day)),
]
Moment = Annotated[
    datetime,
    _iso(datetime, datetime.fromisoformat, "2026-06-01T09:00:00+02:00"),
    Field(description="ISO 8601; without an offset, a time in the conference's timezone"),
]

Title = Annotated[str, _trimmed(limits.TITLE)]
Abstract = Annotated[str, _trimmed(limits.ABSTRACT)]
SpeakerName = Annotated[str, _trimmed(limits.SPEAKER_NAME)]
Company = Annotated[str, _trimmed(limits.COMPANY)]


class SpeakerBody(CommandBody):
    name: SpeakerName
    company: Company | None = None

    def to_speaker(self) -> Speaker:
        return Speaker(self.name, self.company or None)


def _distinct_speakers(speakers: list[SpeakerBody]) -> list[SpeakerBody]:
    values.speakers([speaker.to_speaker() for speaker in speakers])
    return speakers


Speakers = Annotated[
    list[SpeakerBody],
    Field(min_length=limits.SPEAKERS.low, max_length=limits.SPEAKERS.high),
    domain_check(_distinct_speakers),
]


def _folded(raw: object) -> object:
    """A tag is trimmed and lower-cased before its pattern is checked, as the domain does."""
    return raw.strip().lower() if isinstance(raw, str) else raw


Tag = Annotated[
    str,
    StringConstraints(strict=True, pattern=limits.TAG_PATTERN.pattern),
    BeforeValidator(_folded),
]
Tags = Annotated[
    tuple[Tag, ...],
    Field(description=f"At most {limits.MAX_TAGS} distinct tags; case is ignored"),
    domain_check(values.tags),
]
DurationMinutes = Annotated[
    int, Strict(), Field(ge=limits.DURATION_MINUTES.low, le=limits.DURATION_MINUTES.high)
]
Language = Annotated[
    str,
    Strict(),
    Field(
        description="An ISO 639-1 two-letter language code such as en or fr; case is ignored",
        examples=["en"],
    ),
    domain_check(values.language),
]
Reason = Annotated[str, _trimmed(limits.REASON)]
Stars = Annotated[int, Strict(), Field(ge=limits.STARS.low, le=limits.STARS.high)]


def _not_null(value: T | None) -> T | None:
    if value is None:
        raise PydanticCustomError("not_null", "must not be null")
    return value


class _NotNull(AfterValidator):
    """Refuses null, and leaves null out of the field's JSON Schema (the document said
    "or null" of fields that then refused it)."""

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        rendered = handler(schema)
        variants = [v for v in rendered.get("anyOf", ()) if v != {"type": "null"}]
        if len(variants) == 1:
            del rendered["anyOf"]
            rendered.update(variants[0])
        return rendered


NotNull = _NotNull(_not_null)
"""For a field a PATCH may leave out but never set to null."""
