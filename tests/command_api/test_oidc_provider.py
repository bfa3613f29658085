"""With ``AUTH_JWKS_URL`` the write API trusts an OIDC provider's keys, fetched and cached.

A tiny HTTP server plays the provider (its JWKS endpoint), signs with RS256 and names its
roles the way Keycloak does (``realm_access.roles``); then it rotates its key.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from command_service.api.app import create_app
from command_service.settings import load_settings
from tests.command_api.conftest import TestClient, assert_problem, conference_body

ISSUER = "https://kc.example/realms/R"
AUDIENCE = "conference-api"


@dataclass
class Provider:
    """Serves ``/certs`` with the public halves of ``keys`` (kid -> private key)."""

    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    fetches: int = 0

    def add_key(self, kid: str) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        self.fetches += 1
        return {
            "keys": [
                {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "use": "sig"}
                for kid, key in self.keys.items()
            ]
        }

    def token(self, kid: str, key: rsa.RSAPrivateKey | None = None, **claims: Any) -> str:
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "kc-user-1",
            "exp": int(time.time()) + 300,
            "realm_access": {"roles": ["organizer", "offline_access"]},
            **claims,
        }
        return jwt.encode(body, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    state = Provider()
    state.add_key("key-1")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(state.jwks()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/certs"
    finally:
        server.shutdown()
        server.server_close()


def client_for(database_url: str, jwks_url: str) -> TestClient:
    settings = load_settings(
        database_url=database_url,
        auth_jwks_url=jwks_url,
        auth_issuer=ISSUER,
        auth_audience=AUDIENCE,
        auth_roles_claim="realm_access.roles",
        auth_jwks_refetch_cooldown_seconds=0,
    )
    return TestClient(create_app(settings))


def post_conference(client: TestClient, token: str) -> Any:
    return client.post(
        "/conferences", json=conference_body(), headers={"Authorization": f"Bearer {token}"}
    )


def test_tokens_of_the_provider_verify_and_a_rotated_key_is_fetched(
    database_url: str, provider: tuple[Provider, str]
) -> None:
    state, url = provider
    with client_for(database_url, url) as client:
        assert post_conference(client, state.token("key-1")).status_code == 201
        assert post_conference(client, state.token("key-1")).status_code == 201
        assert state.fetches == 1  # cached

        state.keys.clear()
        state.add_key("key-2")  # the provider rotates: key-1 is gone
        assert post_conference(client, state.token("key-2")).status_code == 201
        assert state.fetches == 2

        old = post_conference(
            client, state.token("key-1", key=rsa.generate_private_key(65537, 2048))
        )
        assert_problem(old, 401, "unauthenticated")
        assert "unknown key" in old.json()["detail"]


def test_the_provider_roles_decide_and_its_issuer_and_audience_are_checked(
    database_url: str, provider: tuple[Provider, str]
) -> None:
    state, url = provider
    with client_for(database_url, url) as client:
        attendee = state.token("key-1", realm_access={"roles": ["attendee"]})
        assert_problem(post_conference(client, attendee), 403, "forbidden")
        for wrong in ("iss", "aud"):
            claims: dict[str, Any] = {wrong: "https://other"}
            refused = post_conference(client, state.token("key-1", None, **claims))
            assert_problem(refused, 401, "unauthenticated")


def test_an_unreachable_provider_is_a_503_not_a_401(database_url: str) -> None:
    with client_for(database_url, "http://127.0.0.1:9/certs") as client:
        token = Provider().token("k", key=rsa.generate_private_key(65537, 2048))
        response = post_conference(client, token)
    assert_problem(response, 503, "service-unavailable")
    assert token not in response.text


def test_a_provider_deployment_needs_its_issuer_and_audience() -> None:
    with pytest.raises(ValueError, match="AUTH_ISSUER and AUTH_AUDIENCE"):
        load_settings(auth_jwks_url="https://kc.example/certs")
