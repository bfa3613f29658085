"""Parsing ``If-Match`` into the version the client expects.

Our entity tags are the aggregate version in quotes (``"3"``). ``If-Match`` may list several
or be ``*`` (any current version of a resource that exists). If-Match compares strongly
(RFC 9110, 8.8.3.2): a weak tag (``W/"3"``) never matches, and a strong one only if it is
character for character a tag we issue, so ``"03"`` is not ``"3"``. Anything that is not
entity-tag syntax is refused with 400 rather than silently ignored.
"""

from __future__ import annotations

import re

from command_service.api.problems import ProblemError
from command_service.handlers.expected_version import ExpectedVersion

_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e]*)"\s*')
_ISSUED_TAG = re.compile(r"0|[1-9][0-9]{0,17}")
"""How ``etag`` spells a version: decimal, without leading zeros."""


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None) -> ExpectedVersion | None:
    if value is None:
        return None
    if value.strip() == "*":
        return ExpectedVersion(any_version=True)
    versions: set[int] = set()
    for item in value.split(","):
        match = _ENTITY_TAG.fullmatch(item)
        if match is None:
            raise ProblemError(
                400,
                "invalid-if-match",
                "The If-Match header is malformed",
                'If-Match must be "*" or a list of quoted versions such as "3".',
            )
        weak, tag = match.groups()
        if not weak and _ISSUED_TAG.fullmatch(tag):
            versions.add(int(tag))
    return ExpectedVersion(versions=frozenset(versions))
