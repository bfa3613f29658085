"""A write API on a fresh, migrated SQLite file per test, and helpers to drive it."""

from __future__ import annotations

import json
import shutil
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.adapters.tables import outbox
from command_service.api.app import create_app
from command_service.migrate import upgrade
from command_service.settings import Settings, load_settings
from tests.tokens import RoleTokens

with warnings.catch_warnings():  # Starlette nags about httpx; the client works as documented
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient as TestClient  # re-exported to the tests

PROBLEM = "application/problem+json"


def new_id() -> str:
    return str(uuid.uuid4())


def conference_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"Conf {uuid.uuid4().hex[:8]}",
        "starts_on": "2026-06-01",
        "ends_on": "2026-06-03",
        "timezone": "Europe/Berlin",
        "stages": ["Main", "Side"],
    }
    return {**body, **overrides}


def talk_body(conference_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "conference_id": conference_id,
        "title": "Event sourcing in anger",
        "abstract": "What we learned.",
        "speakers": [{"name": f"Speaker {uuid.uuid4().hex[:6]}", "company": "ACME"}],
        "tags": ["cqrs", "Python"],
        "level": "intermediate",
        "format": "talk",
    }
    return {**body, **overrides}


@dataclass
class Api:
    """The test client plus shortcuts for the setup steps that most tests share."""

    client: TestClient
    engine: sa.Engine
    tokens: RoleTokens

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        response: httpx.Response  # TestClient is typed against httpx2, not installed: Any
        if body is None:
            response = self.client.request(method, path, headers=headers)
        else:
            response = self.client.request(method, path, json=body, headers=headers)
        assert response.status_code < 500, f"no request may produce a 5xx: {response.text}"
        return response

    def ok(self, method: str, path: str, body: Any = None, **headers: str) -> dict[str, Any]:
        response = self.send(method, path, body, **headers)
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result

    def conference(self, **overrides: Any) -> str:
        conference_id: str = self.ok("POST", "/conferences", conference_body(**overrides))["id"]
        return conference_id

    def talk(self, conference_id: str, *, accepted: bool = False, **overrides: Any) -> str:
        talk_id: str = self.ok("POST", "/talks", talk_body(conference_id, **overrides))["id"]
        if accepted:
            self.ok("POST", f"/talks/{talk_id}/accept")
        return talk_id

    def schedule(self, conference_id: str, talk_id: str, stage: str, starts_at: str) -> None:
        self.ok(
            "PUT",
            f"/conferences/{conference_id}/schedule/{talk_id}",
            {"stage": stage, "starts_at": starts_at},
        )

    def outbox(self, aggregate_id: str | None = None) -> list[dict[str, Any]]:
        """The envelopes recorded so far, in position order (optionally of one aggregate)."""
        query = sa.select(outbox.c.envelope).order_by(outbox.c.position)
        if aggregate_id is not None:
            query = query.where(outbox.c.aggregate_id == aggregate_id)
        with self.engine.connect() as connection:
            return [json.loads(envelope) for envelope in connection.scalars(query)]

    def outbox_size(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(outbox)) or 0


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"urn:conference-program:problem:{code}"
    assert problem["status"] == status
    assert problem["title"]
    assert problem["detail"]
    assert problem["instance"] == response.request.url.path
    return problem


def fields_of(problem: dict[str, Any]) -> set[str]:
    return {error["field"] for error in problem["errors"]}


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database file that every test copies: migrating costs ~50 ms a test."""
    path = tmp_path_factory.mktemp("template") / "command.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_database: Path) -> str:
    path = tmp_path / "var" / "command.db"
    path.parent.mkdir()
    shutil.copyfile(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        database_url=database_url,
        auth_signing_key_file=tmp_path / "var" / "auth-key.pem",
        consistency_token_key_file=tmp_path / "var" / "consistency-token.key",
    )


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    """The API as an organizer calls it (and each attendee their own ratings)."""
    engine = create_engine_for(settings.database_url)
    tokens = RoleTokens(settings)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=True) as client:
        client.auth = tokens
        yield Api(client, engine, tokens)
    engine.dispose()
