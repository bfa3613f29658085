"""``GET /metrics`` on the write API: open without a token, and what a command leaves."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.command_api.conftest import Api


def test_metrics_need_no_token_while_commands_do(api: Api) -> None:
    anonymous = TestClient(api.client.app)
    assert anonymous.post("/conferences", json={}).status_code == 401
    scraped = anonymous.get("/metrics")
    assert scraped.status_code == 200
    assert 'route="/conferences",status="401"' in scraped.text
    assert "/metrics" not in api.client.get("/openapi.json").text
