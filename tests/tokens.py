"""Bearer tokens for the tests' API clients, signed by the deployment's local key.

``RoleTokens`` is an ``httpx.Auth``: every request without an ``Authorization`` header of
its own gets the token the policy wants for it. A rating (``/talks/{id}/ratings/{who}``)
is sent by that attendee, as the rules say only they may rate; everything else by an
organizer, who may do all the rest. Tests of authorization set their own header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Generator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from service_conventions.auth import local_key
from service_conventions.auth.issuing import issue_token
from service_conventions.auth.settings import AuthSettings

ORGANIZER = "test-organizer"
_RATING = re.compile(r"^/talks/[^/]+/ratings/(?P<attendee>[^/]+)$")


class RoleTokens(httpx.Auth):
    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings

    @cache  # noqa: B019 (one instance per app under test; tokens live an hour)
    def token(self, subject: str, *roles: str) -> str:
        return issue_token(self.settings, subject=subject, roles=roles)

    def header(self, subject: str, *roles: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, *roles)}"}

    def for_path(self, path: str) -> str:
        rating = _RATING.fullmatch(path)
        if rating is not None:
            return self.token(unquote(rating["attendee"]), "attendee")
        return self.token(ORGANIZER, "organizer")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if "authorization" not in request.headers:
            request.headers["Authorization"] = f"Bearer {self.for_path(request.url.path)}"
        yield request


def deployment_tokens(folder: Path) -> RoleTokens:
    """The tokens of a deployment started in ``folder`` on the default ``AUTH_*`` settings
    (its key in ``folder/var``), as ``conference token`` run there would issue them."""
    default = AuthSettings.model_fields["auth_signing_key_file"].default
    return RoleTokens(AuthSettings(auth_signing_key_file=folder / default))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def refused_tokens(settings: AuthSettings) -> dict[str, str]:
    """Tokens a deployment must refuse, by what is wrong with them (all for an organizer)."""
    key = local_key.load_or_create(settings.auth_signing_key_file)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "sub": "mallory",
        "exp": now + 600,
        "roles": ["organizer"],
    }
    header = {"kid": key.kid}

    def signed(with_key: Any = key.private_key, kid: str = key.kid, **changes: Any) -> str:
        body = {k: v for k, v in {**claims, **changes}.items() if v is not None}
        return jwt.encode(body, with_key, algorithm="ES256", headers={"kid": kid})

    public_pem = key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hs256 = _unsigned({**header, "alg": "HS256", "typ": "JWT"}, claims)
    hs256 += "." + _b64(hmac.new(public_pem, hs256.encode(), hashlib.sha256).digest())
    stranger = ec.generate_private_key(ec.SECP256R1())
    return {
        "expired": signed(exp=now - settings.auth_leeway_seconds - 60),
        "wrong issuer": signed(iss="https://elsewhere.example"),
        "wrong audience": signed(aud="another-service"),
        "alg none": _unsigned({**header, "alg": "none"}, claims) + ".",
        "HS256 signed with the public key": hs256,
        "unknown key id": signed(with_key=stranger, kid="not-our-key"),
        "another key under our key id": signed(with_key=stranger),
        "no subject": signed(sub=None),
        "no expiry": signed(exp=None),
        "not a JWT": "definitely-not-a-jwt",
    }
