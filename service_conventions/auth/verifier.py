"""Verifying a bearer token: signature, algorithm, issuer, audience, expiry, subject.

The algorithm comes from the key that verifies, never from the token's header alone: a
key source answers the key *and* the one algorithm it is for, and that algorithm must be
on the allow-list. A token with ``alg: none`` or HS256 (signed with a public key as the
secret) therefore fails, whatever its header says.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import Any, Protocol

import jwt

from service_conventions.auth.claims import roles_in
from service_conventions.auth.verified_tokens import VerifiedTokens

MAX_TOKEN_CHARACTERS = 8192
MAX_SUBJECT_CHARACTERS = 255


@dataclass(frozen=True)
class Principal:
    """Who called: the token's subject and the roles it grants."""

    subject: str
    roles: frozenset[str]


class InvalidToken(Exception):
    """The token cannot be trusted; ``description`` is safe to show (never the token)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class KeysUnavailable(Exception):
    """The identity provider's keys could not be fetched: not the caller's fault."""


class KeySource(Protocol):
    def key_for(self, token: str, header: dict[str, Any]) -> tuple[Any, str]:
        """The key that verifies ``token`` and its one algorithm; ``InvalidToken`` or
        ``KeysUnavailable`` if there is none."""
        ...


_REASONS: tuple[tuple[type[jwt.InvalidTokenError], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet"),
    (jwt.InvalidAudienceError, "the token is not meant for this service (audience)"),
    (jwt.InvalidIssuerError, "the token comes from an unknown issuer"),
    (jwt.InvalidAlgorithmError, "the token's algorithm is not allowed"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
)


class TokenVerifier:
    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        algorithms: Set[str],
        leeway_seconds: int,
        roles_claim: str,
        verified: VerifiedTokens | None = None,
    ) -> None:
        self._keys = keys
        self._verified = VerifiedTokens(max_age=0) if verified is None else verified
        self._issuer, self._audience = issuer, audience
        self._algorithms = algorithms
        self._leeway = leeway_seconds
        self._roles_claim = roles_claim

    def remembered(self, token: str) -> Principal | None:
        """The principal of ``token`` if it verified moments ago (no I/O, no signature
        check); None means: call ``verify``."""
        return self._verified.get(token)

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; ``InvalidToken`` naming why otherwise."""
        if len(token) > MAX_TOKEN_CHARACTERS:
            raise InvalidToken("the token is too long")
        remembered = self._verified.get(token)
        if remembered is not None:
            return remembered
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise InvalidToken("the token is not a well-formed JWT") from None
        if header.get("alg") not in self._algorithms:
            raise InvalidToken("the token's algorithm is not allowed")
        key, algorithm = self._keys.key_for(token, header)
        if algorithm not in self._algorithms or algorithm != header.get("alg"):
            raise InvalidToken("the token's algorithm does not fit its key")
        claims = self._decode(token, key, algorithm)
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT_CHARACTERS:
            raise InvalidToken(f"the token's subject must be 1-{MAX_SUBJECT_CHARACTERS} characters")
        principal = Principal(subject, roles_in(claims, self._roles_claim))
        self._verified.put(token, principal, expires_at=float(claims["exp"]) + self._leeway)
        return principal

    def _decode(self, token: str, key: Any, algorithm: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.MissingRequiredClaimError as error:
            raise InvalidToken(f"the token has no '{error.claim}' claim") from None
        except jwt.InvalidTokenError as error:
            reason = next((text for kind, text in _REASONS if isinstance(error, kind)), None)
            raise InvalidToken(reason or "the token is invalid") from None
        return claims
