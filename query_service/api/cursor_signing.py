"""Signed cursors: the search API hands out only cursors it can recognise as its own.

A read store's cursor (``read_store/cursor.py``) says where a page ends and for which query;
the API seals it with the time it was issued and an HMAC-SHA256 over both, as
``<cursor>.<issued>.<mac>``. A cursor that is forged, damaged, signed with another key or
older than the allowed age is refused before the read store parses a byte of it. During a
key rotation the previous keys still verify, so pages in flight keep working (ADR 069).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Sequence

from query_service.read_store.port import InvalidCursor

CLOCK_SKEW_SECONDS = 300
"""How far in the future another replica's clock may have dated a cursor."""

_PURPOSE = b"conference-program:cursor:v1:"


class CursorSigner:
    def __init__(
        self,
        key: bytes,
        *,
        previous_keys: Sequence[bytes] = (),
        max_age_seconds: float = 86_400,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not key:
            raise ValueError("a cursor signing key must not be empty")
        self._key = key
        self._verifying = (key, *previous_keys)
        self._max_age = max_age_seconds
        self._clock = clock

    @classmethod
    def ephemeral(cls) -> CursorSigner:
        """A signer with a random key of its own: cursors work within this process only."""
        return cls(secrets.token_bytes(32))

    def seal(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        signed = f"{cursor}.{int(self._clock())}"
        return f"{signed}.{_mac(self._key, signed)}"

    def open(self, sealed: str | None) -> str | None:
        """The read store's cursor inside ``sealed``; ``InvalidCursor`` unless it is ours,
        unaltered and recent."""
        if sealed is None:
            return None
        if not sealed.isascii():
            raise InvalidCursor("the cursor is not one this service issued")
        signed, _, mac = sealed.rpartition(".")
        cursor, _, issued = signed.rpartition(".")
        if not cursor or not issued.isdigit() or len(issued) > 12:
            raise InvalidCursor("the cursor is not one this service issued")
        if not any(hmac.compare_digest(mac, _mac(key, signed)) for key in self._verifying):
            raise InvalidCursor("the cursor is not signed by this service")
        age = self._clock() - int(issued)
        if age > self._max_age or age < -CLOCK_SKEW_SECONDS:
            raise InvalidCursor(
                f"the cursor has expired (cursors are valid for {self._max_age:g} seconds); "
                "start again from the first page"
            )
        return cursor


def _mac(key: bytes, signed: str) -> str:
    digest = hmac.new(key, _PURPOSE + signed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
