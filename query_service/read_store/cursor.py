"""Opaque keyset cursors, shared by every adapter.

A cursor holds the sort key of the last item of a page and a fingerprint of the query it
belongs to, in URL-safe base64 JSON. Keyset paging (``key > last``) visits every match
exactly once even when other documents are written between pages, which offsets cannot.

Decoding refuses anything an adapter could not bind: integers outside SQLite's 64 bits,
NaN and infinities, and JSON nested so deep that parsing it exhausts Python's recursion.
The search API signs cursors on top (``query_service/api/cursor_signing.py``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import replace

from query_service.read_store.port import InvalidCursor, TalkQuery

SortKey = list[str | int | float]

_INT64 = range(-(2**63), 2**63)


def fingerprint(query: TalkQuery) -> str:
    """Everything that selects or orders the matches; page size may change between pages."""
    neutral = replace(query, size=0, cursor=None, sort=query.effective_sort)
    canonical = json.dumps(repr(neutral), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(query: TalkQuery, key: Sequence[str | int | float]) -> str:
    # UTF-8, not \u escapes: a long non-Latin title key stays within the cursor's limit.
    payload = json.dumps(
        {"f": fingerprint(query), "k": list(key)}, separators=(",", ":"), ensure_ascii=False
    )
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(query: TalkQuery, length: int) -> SortKey | None:
    """The sort key after which the page starts, or None for the first page."""
    if query.cursor is None:
        return None
    try:
        padded = query.cursor + "=" * (-len(query.cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise InvalidCursor("the cursor is not one this service issued") from None
    if not isinstance(payload, dict) or payload.get("f") != fingerprint(query):
        raise InvalidCursor("the cursor belongs to another query or sort")
    key = payload.get("k")
    if not isinstance(key, list) or len(key) != length or not all(map(_bindable, key)):
        raise InvalidCursor("the cursor is damaged")
    return key


def _bindable(value: object) -> bool:
    """A sort-key value every adapter can compare against: text, a 64-bit integer, a
    finite float."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value in _INT64
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str)
