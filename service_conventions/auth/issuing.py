"""Issuing tokens with the local signing key: ``conference token``, the demo and tests.

Only the embedded default can issue; with ``AUTH_JWKS_URL`` set the provider does.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable

import jwt

from service_conventions.auth import local_key
from service_conventions.auth.claims import nested_claim
from service_conventions.auth.settings import AuthSettings


class CannotIssue(RuntimeError):
    """Tokens come from the OIDC provider in this deployment."""


def issue_token(
    settings: AuthSettings, *, subject: str, roles: Iterable[str], ttl_seconds: int = 3600
) -> str:
    """A bearer token for ``subject`` with ``roles``, valid for ``ttl_seconds``."""
    if settings.auth_jwks_url:
        raise CannotIssue("AUTH_JWKS_URL is set: get tokens from that identity provider")
    key = local_key.load_or_create(settings.auth_signing_key_file)
    now = int(time.time())
    claims = {
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "sub": subject,
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": str(uuid.uuid4()),
        **nested_claim(settings.auth_roles_claim, sorted(set(roles))),
    }
    return jwt.encode(
        claims, key.private_key, algorithm=local_key.ALGORITHM, headers={"kid": key.kid}
    )
