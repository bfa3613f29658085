"""The ``Consistency-Token``: which read-model marks a command reached, signed.

A token is ``ct1.<marks>.<mac>``: ``<marks>`` is base64url JSON ``[[kind, id, version],
…]`` and ``<mac>`` an HMAC-SHA256 over both, so the search API waits only for what the
write API really answered, never for an aggregate or a version a client made up (a forged
mark would hold a read for its whole bound). Clients treat it as opaque; several tokens
combine into one, a comma-joined header or ``combine``, keeping the highest version of each
mark. During a key rotation the previous keys still verify (ADR 080).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

PREFIX = "ct1"
MAX_MARKS = 64
"""Marks one request may wait for: a bound on the watcher's batched read."""
MAX_ID_LENGTH = 100

_PURPOSE = b"conference-program:consistency-token:v1:"


class MarkKind(StrEnum):
    """Which read-model version a mark names (``query_service/read_store/versions.py``)."""

    TALK = "talk"
    """The talk stream's version on the talk document (details and lifecycle)."""
    RATINGS = "talk_ratings"
    """The talk-ratings stream's version on the talk document (its rating)."""
    CONFERENCE = "conference"
    """The conference stream's version on the conference document."""
    SLOT = "talk_slot"
    """The conference version that last placed or removed the talk's slot."""


MarkRef = tuple[MarkKind, str]
"""A mark without its version: what the read store is asked about."""


@dataclass(frozen=True)
class Mark:
    kind: MarkKind
    id: str
    version: int

    @property
    def ref(self) -> MarkRef:
        return (self.kind, self.id)


class InvalidConsistencyToken(ValueError):
    """A token this deployment did not issue, or one damaged on the way."""


class ConsistencyTokens:
    def __init__(self, key: bytes, *, previous_keys: Sequence[bytes] = ()) -> None:
        if not key:
            raise ValueError("a consistency token key must not be empty")
        self._key = key
        self._verifying = (key, *previous_keys)

    @classmethod
    def ephemeral(cls) -> ConsistencyTokens:
        """Tokens with a random key of their own: they open in this process only."""
        return cls(secrets.token_bytes(32))

    def issue(self, marks: Iterable[Mark]) -> str:
        payload = json.dumps(
            [[m.kind.value, m.id, m.version] for m in marks], separators=(",", ":")
        ).encode()
        signed = f"{PREFIX}.{base64.urlsafe_b64encode(payload).decode().rstrip('=')}"
        return f"{signed}.{_mac(self._key, signed)}"

    def combine(self, tokens: Iterable[str]) -> str:
        """One token waiting for everything the given ones wait for."""
        return self.issue(self.open(",".join(tokens)).values_as_marks())

    def open(self, header: str) -> Awaited:
        """The marks of every token in ``header`` (comma-separated), the highest version of
        each; ``InvalidConsistencyToken`` unless every one is ours and unaltered."""
        highest: dict[MarkRef, int] = {}
        for token in (part.strip() for part in header.split(",")):
            for mark in self._marks(token):
                highest[mark.ref] = max(mark.version, highest.get(mark.ref, 0))
        if len(highest) > MAX_MARKS:
            raise InvalidConsistencyToken(
                f"the tokens name {len(highest)} marks; at most {MAX_MARKS} per request"
            )
        return Awaited(highest)

    def _marks(self, token: str) -> list[Mark]:
        prefix, _, rest = token.partition(".")
        payload, _, mac = rest.partition(".")
        if prefix != PREFIX or not payload or not mac or not token.isascii():
            raise InvalidConsistencyToken("not a consistency token of this service")
        signed = f"{prefix}.{payload}"
        if not any(hmac.compare_digest(mac, _mac(key, signed)) for key in self._verifying):
            raise InvalidConsistencyToken("the consistency token is not signed by this service")
        try:
            decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            return [_mark(item) for item in decoded]
        except (binascii.Error, ValueError, TypeError) as error:  # signed, yet unreadable
            raise InvalidConsistencyToken("the consistency token is damaged") from error


@dataclass(frozen=True)
class Awaited:
    """What a read waits for: the least version of each mark."""

    versions: Mapping[MarkRef, int]

    def reached_by(self, current: Mapping[MarkRef, int]) -> bool:
        return all(current.get(ref, 0) >= v for ref, v in self.versions.items())

    def values_as_marks(self) -> list[Mark]:
        return [Mark(kind, id, v) for (kind, id), v in sorted(self.versions.items())]


def _mark(item: object) -> Mark:
    if not isinstance(item, list) or len(item) != 3:
        raise ValueError("a mark is [kind, id, version]")
    kind, id, version = item
    if not isinstance(id, str) or not 0 < len(id) <= MAX_ID_LENGTH:
        raise ValueError("a mark's id is a short string")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ValueError("a mark's version is a natural number")
    return Mark(MarkKind(kind), id, version)


def _mac(key: bytes, signed: str) -> str:
    digest = hmac.new(key, _PURPOSE + signed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
