"""The search API is public by default; ``QUERY_REQUIRE_TOKEN`` makes it need a token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from query_service.bootstrap import create_app
from query_service.settings import QuerySettings, load_settings
from tests.tokens import RoleTokens, refused_tokens

SEARCHES = ("/talks?q=python", "/speakers?q=ada")


def settings_for(tmp_path: Path, *, require_token: bool) -> QuerySettings:
    return load_settings(
        search_url=f"sqlite:///{tmp_path / 'query.db'}",
        query_require_token=require_token,
        auth_signing_key_file=tmp_path / "auth-key.pem",
    )


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[tuple[TestClient, QuerySettings]]:
    settings = settings_for(tmp_path, require_token=True)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, settings


@pytest.mark.parametrize("path", SEARCHES)
def test_by_default_anyone_may_search(tmp_path: Path, path: str) -> None:
    with TestClient(create_app(settings_for(tmp_path, require_token=False))) as client:
        assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", SEARCHES)
def test_with_the_setting_a_search_needs_a_valid_token_of_any_role(
    guarded: tuple[TestClient, QuerySettings], path: str
) -> None:
    client, settings = guarded
    tokens = RoleTokens(settings)

    missing = client.get(path)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="conference-program"'
    assert missing.headers["content-type"].startswith("application/problem+json")
    for token in refused_tokens(settings).values():
        refused = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 401
        assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    for roles in (("attendee",), ("speaker",), ()):
        assert client.get(path, headers=tokens.header("reader", *roles)).status_code == 200


def test_health_probes_stay_open(guarded: tuple[TestClient, QuerySettings]) -> None:
    client, _ = guarded
    assert client.get("/health/live").status_code == 200


def test_metrics_stay_open_for_prometheus(guarded: tuple[TestClient, QuerySettings]) -> None:
    client, _ = guarded
    assert client.get("/talks?q=python").status_code == 401
    scraped = client.get("/metrics")
    assert scraped.status_code == 200
    assert 'route="/talks",status="401"' in scraped.text
