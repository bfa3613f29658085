"""A short memory of tokens that verified, so that a client's every request does not pay
for parsing and checking the same JWT again.

A client sends one token with every request until it expires; parsing it twice (header,
then claims) and checking the signature was about a third of a write command's CPU in the
command API's profile (ADR 084). An entry is keyed by the whole token string, the exact
bytes the signature covered, so a changed token is a miss. Only successes are kept, and
every hit re-checks expiry. An entry older than ``max_age`` is verified afresh, which bounds
how long a key the provider withdrew (or a key file replaced) still counts; 0 disables it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the verifier imports this module
    from service_conventions.auth.verifier import Principal

DEFAULT_CAPACITY = 4096


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    expires_at: float
    """The token's ``exp`` plus the leeway: past it, the token must be refused."""
    verified_at: float


class VerifiedTokens:
    """At most ``capacity`` verified tokens, least recently used out first; thread-safe
    (the APIs verify in their worker threads)."""

    def __init__(
        self,
        *,
        max_age: float,
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._max_age, self._capacity, self._clock = max_age, capacity, clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        """The principal of ``token`` if it verified within ``max_age`` and has not expired
        since; otherwise None (and the caller verifies it in full)."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return None
            if now > entry.expires_at or now - entry.verified_at >= self._max_age:
                del self._entries[token]
                return None
            self._entries.move_to_end(token)
            return entry.principal

    def put(self, token: str, principal: Principal, *, expires_at: float) -> None:
        if self._max_age <= 0:
            return
        with self._lock:
            self._entries[token] = _Entry(principal, expires_at, self._clock())
            self._entries.move_to_end(token)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
