"""Where verifying keys come from: the local signing key, or an OIDC provider's JWKS.

``verifier_from(settings)`` picks one; both APIs build their verifier with it.
"""

from __future__ import annotations

from typing import Any

import jwt

from service_conventions.auth import local_key
from service_conventions.auth.settings import AuthSettings
from service_conventions.auth.verified_tokens import VerifiedTokens
from service_conventions.auth.verifier import InvalidToken, KeysUnavailable, TokenVerifier

JWKS_CACHE_SECONDS = 300
JWKS_TIMEOUT_SECONDS = 5


class LocalKeys:
    """The one public key of the local signing key; a token must name its key id."""

    def __init__(self, key: local_key.LocalKey) -> None:
        self._key = key

    def key_for(self, token: str, header: dict[str, Any]) -> tuple[Any, str]:
        if header.get("kid") != self._key.kid:
            raise InvalidToken("the token is signed by an unknown key")
        return self._key.public_key, local_key.ALGORITHM


class JwksKeys:
    """An OIDC provider's JWKS, cached as a whole for ``JWKS_CACHE_SECONDS``; an unknown
    key id refetches it (a rotation). Keys are not cached one by one (PyJWT's
    ``cache_keys``): a key the provider withdrew would verify for as long as it is cached."""

    def __init__(self, url: str, *, refetch_cooldown_seconds: float) -> None:
        self._client = jwt.PyJWKClient(
            url,
            cache_keys=False,
            lifespan=JWKS_CACHE_SECONDS,
            timeout=JWKS_TIMEOUT_SECONDS,
            cooldown_duration=refetch_cooldown_seconds,
        )

    def key_for(self, token: str, header: dict[str, Any]) -> tuple[Any, str]:
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidToken("the token names no key id ('kid')")
        try:
            jwk = self._client.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError:
            raise KeysUnavailable("the identity provider's keys could not be fetched") from None
        except jwt.PyJWKClientError:
            raise InvalidToken("the token is signed by an unknown key") from None
        return jwk.key, jwk.algorithm_name


def verifier_from(settings: AuthSettings) -> TokenVerifier:
    keys: LocalKeys | JwksKeys
    if settings.auth_jwks_url:
        keys = JwksKeys(
            settings.auth_jwks_url,
            refetch_cooldown_seconds=settings.auth_jwks_refetch_cooldown_seconds,
        )
        algorithms = frozenset(settings.auth_algorithms)
    else:
        keys = LocalKeys(local_key.load_or_create(settings.auth_signing_key_file))
        algorithms = frozenset({local_key.ALGORITHM})
    return TokenVerifier(
        keys,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        algorithms=algorithms,
        leeway_seconds=settings.auth_leeway_seconds,
        roles_claim=settings.auth_roles_claim,
        verified=VerifiedTokens(max_age=settings.auth_verified_token_seconds),
    )
