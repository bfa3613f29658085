"""The read stores' cursor decoder refuses what no adapter could bind (ADR 069)."""

from __future__ import annotations

import base64
import json
import math

import pytest

from query_service.read_store.cursor import decode_cursor, encode_cursor, fingerprint
from query_service.read_store.port import InvalidCursor, TalkQuery

QUERY = TalkQuery(size=2)


def raw_cursor(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def with_key(key: list[object]) -> str:
    return raw_cursor(json.dumps({"f": fingerprint(QUERY), "k": key}))


def test_a_cursor_round_trips() -> None:
    key: list[str | int | float] = [-(2**63), 2**63 - 1, 1.5, "Ünïcode title"]
    cursor = encode_cursor(QUERY, key)
    assert decode_cursor(TalkQuery(size=5, cursor=cursor), 4) == key


def test_a_deeply_nested_payload_is_refused_not_a_recursion_error() -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(TalkQuery(cursor=raw_cursor("[" * 1400)), 3)


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**100])
def test_an_integer_beyond_64_bits_is_refused(value: int) -> None:
    with pytest.raises(InvalidCursor, match="damaged"):
        decode_cursor(TalkQuery(size=2, cursor=with_key([value, 0.0, "id"])), 3)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinities_are_refused(value: float) -> None:
    with pytest.raises(InvalidCursor, match="damaged"):
        decode_cursor(TalkQuery(size=2, cursor=with_key([0, value, "id"])), 3)


@pytest.mark.parametrize("value", [True, None, [1], {"a": 1}])
def test_keys_that_are_not_text_or_numbers_are_refused(value: object) -> None:
    with pytest.raises(InvalidCursor, match="damaged"):
        decode_cursor(TalkQuery(size=2, cursor=with_key([0, value, "id"])), 3)
