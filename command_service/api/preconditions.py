"""Parsing ``If-Match`` into the version the client expects.

Our entity tags are the aggregate version in quotes (``"3"``). ``If-Match`` may list several
or be ``*`` (any current version of a resource that exists). If-Match compares strongly
(RFC 9110, 8.8.3.2): a weak tag (``W/"3"``) never matches, and a strong one only if it is
character for character a tag we issue, so ``"03"`` is not ``"3"``. Anything that is not
entity-tag syntax is refused with 400 rather than silently ignored. The syntax is one
regular expression, which the OpenAPI document declares as the header's ``pattern``.
"""

from __future__ import annotations

import re

from command_service.api.problems import ProblemError
from command_service.handlers.expected_version import ExpectedVersion

_OWS = "[ \\t]*"
_TAG = '(?:W/)?"[\\x21\\x23-\\x7e]*"'
IF_MATCH_PATTERN = f"^{_OWS}(?:\\*|{_TAG}(?:{_OWS},{_OWS}{_TAG})*){_OWS}$"
"""``*`` or a comma-separated list of entity tags (RFC 9110), spaces and tabs around them."""

_IF_MATCH = re.compile(IF_MATCH_PATTERN)
_ENTITY_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e]*)"')
_ISSUED_TAG = re.compile(r"0|[1-9][0-9]{0,17}")
"""How ``etag`` spells a version: decimal, without leading zeros."""


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None) -> ExpectedVersion | None:
    if value is None:
        return None
    if _IF_MATCH.fullmatch(value) is None:
        raise ProblemError(
            400,
            "invalid-if-match",
            "The If-Match header is malformed",
            'If-Match must be "*" or a list of quoted versions such as "3".',
        )
    if value.strip(" \t") == "*":
        return ExpectedVersion(any_version=True)
    versions = {
        int(tag)
        for weak, tag in _ENTITY_TAG.findall(value)
        if not weak and _ISSUED_TAG.fullmatch(tag)
    }
    return ExpectedVersion(versions=frozenset(versions))
