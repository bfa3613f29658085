"""One aggregate's read documents against what its write model implies, field by field.

Pure: both sides are handed in. A document whose version marks are behind the write
model's is ``BEHIND``, not different: while traffic flows, the projector may simply not
have got there yet, so the caller looks again after a grace period (``check.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from query_service.documents import ConferenceDocument, TalkDocument

NOT_IN_WRITE_MODEL = frozenset({"id", "submitted_at", "schedule_version"})
"""Talk fields the write model does not hold (``expected.py``), so they are not compared."""

FIELD_NAMES = {"talk_version": "version", "rating_version": "rating.version"}
"""Version marks by the name an operator knows them by."""


class Kind(StrEnum):
    EQUAL = "equal"
    BEHIND = "behind"
    DIFFERENT = "different"
    MISSING = "missing"


@dataclass(frozen=True)
class Difference:
    field: str
    expected: object
    actual: object

    def __str__(self) -> str:
        return (
            f"{self.field}: write model {_shown(self.expected)}, read model {_shown(self.actual)}"
        )


def _shown(value: object) -> str:
    """A nested document (a slot) as its fields, without the class name."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return repr(dataclasses.asdict(value))
    return repr(value)


@dataclass(frozen=True)
class Verdict:
    aggregate: str
    """``talk/<id>`` or ``conference/<id>``: the write model's stream names."""
    kind: Kind
    differences: tuple[Difference, ...] = ()


def compare_talk(
    expected: TalkDocument, actual: TalkDocument | None, *, conference_behind: bool = False
) -> Verdict:
    """``conference_behind``: the read conference is at an older version than the write
    one, so the talk's slot may not have been projected yet."""
    aggregate = f"talk/{expected.id}"
    if actual is None or not actual.is_visible:
        return Verdict(aggregate, Kind.MISSING, (Difference("document", "a talk", actual),))
    marks = [
        Difference(FIELD_NAMES[mark], getattr(expected, mark), getattr(actual, mark))
        for mark in ("talk_version", "rating_version")
        if getattr(actual, mark) < getattr(expected, mark)
    ]
    if marks or conference_behind:
        return Verdict(aggregate, Kind.BEHIND, tuple(marks))
    differences = _differences("", expected, actual, NOT_IN_WRITE_MODEL)
    if expected.status != actual.status:
        differences.insert(0, Difference("status", expected.status, actual.status))
    return _verdict(aggregate, differences)


def compare_conference(
    expected: ConferenceDocument,
    actual: ConferenceDocument | None,
    expected_counts: Mapping[str, int],
    actual_counts: Mapping[str, int],
) -> Verdict:
    aggregate = f"conference/{expected.id}"
    if actual is None:
        return Verdict(aggregate, Kind.MISSING, (Difference("document", "a conference", None),))
    if actual.version < expected.version:
        return Verdict(
            aggregate, Kind.BEHIND, (Difference("version", expected.version, actual.version),)
        )
    differences = _differences("", expected, actual, frozenset({"id"}))
    for status in sorted(set(expected_counts) | set(actual_counts)):
        want, have = expected_counts.get(status, 0), actual_counts.get(status, 0)
        if want != have:
            differences.append(Difference(f"counts.{status}", want, have))
    return _verdict(aggregate, differences)


def _verdict(aggregate: str, differences: list[Difference]) -> Verdict:
    return Verdict(aggregate, Kind.DIFFERENT if differences else Kind.EQUAL, tuple(differences))


def _differences(
    prefix: str, expected: object, actual: object, skip: frozenset[str] = frozenset()
) -> list[Difference]:
    """Every leaf field that differs, named by its path (``details.title``)."""
    found: list[Difference] = []
    for f in dataclasses.fields(expected):  # type: ignore[arg-type]
        if f.name in skip:
            continue
        want, have = getattr(expected, f.name), getattr(actual, f.name)
        name = FIELD_NAMES.get(f.name, f"{prefix}{f.name}")
        if dataclasses.is_dataclass(want) and dataclasses.is_dataclass(have):
            found.extend(_differences(f"{name}.", want, have))
        elif want != have:
            found.append(Difference(name, want, have))
    return found
