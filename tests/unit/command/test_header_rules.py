"""The documented syntax of If-Match and Idempotency-Key is the one the API enforces.

Both patterns go into the OpenAPI document; schemathesis found the headers documented as
any string while the API refused most strings. A value the pattern admits must be taken,
one it refuses must get 400.
"""

from __future__ import annotations

import re

import pytest

from command_service.api.idempotency import KEY_PATTERN
from command_service.api.preconditions import IF_MATCH_PATTERN, parse_if_match
from command_service.api.problems import ProblemError

IF_MATCH_VALUES = [
    '"1"',
    ' "1" ,\tW/"x" ',
    "*",
    "\t*  ",
    'W/""',
    "",
    "1",
    '"1",,',
    '"1" "2"',
    '*, "1"',
    '\x1c"1"',
    '"1"\xa0',
    '"a b"',
]


@pytest.mark.parametrize("value", IF_MATCH_VALUES)
def test_if_match_is_parsed_exactly_when_the_documented_pattern_admits_it(value: str) -> None:
    if re.fullmatch(IF_MATCH_PATTERN, value) is not None:
        assert parse_if_match(value) is not None
    else:
        with pytest.raises(ProblemError) as refused:
            parse_if_match(value)
        assert refused.value.status == 400


@pytest.mark.parametrize(
    ("key", "admitted"),
    [
        ("k", True),
        ("k" * 200, True),
        ("3f2b-!~", True),
        ("a key with spaces", False),
        ("caf\xe9", False),
        ("", False),
        ("k" * 201, False),
        ("tab\there", False),
        ("soft\xadhyphen", False),
        ("nbsp\xa0", False),
        ("del\x7f", False),
    ],
)
def test_the_idempotency_key_pattern_is_visible_ascii(key: str, admitted: bool) -> None:
    """The rule of ADR 069, as the OpenAPI document declares it."""
    assert (re.fullmatch(KEY_PATTERN, key) is not None) == admitted
    visible = all("!" <= c <= "~" for c in key)
    assert admitted == (visible and 1 <= len(key) <= 200)
