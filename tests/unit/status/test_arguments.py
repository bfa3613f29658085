"""Where ``conference status`` looks for each role, and the advice it gives when a store is
not there yet."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from conference_cli.main import build_parser
from conference_cli.status import urls_of
from conference_cli.status.probes import database_problem
from conference_cli.status.snapshot import RoleUrls, not_there_yet


def test_a_flag_wins_over_the_environment_which_wins_over_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUERY_API_URL", "http://query.internal:8001")
    monkeypatch.setenv("RELAY_METRICS_URL", "http://relay.internal:9102")
    args = build_parser().parse_args(["status", "--relay-url", "http://here:1"])
    assert urls_of(args) == RoleUrls(
        command_api=RoleUrls().command_api,
        query_api="http://query.internal:8001",
        projector=RoleUrls().projector,
        relay="http://here:1",
    )


def test_the_interval_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["status", "--watch", "--interval", "0"])
    assert refused.value.code == 2
    assert "must be more than 0" in capsys.readouterr().err


def test_a_missing_schema_says_to_migrate() -> None:
    error = sa.exc.OperationalError("SELECT", {}, Exception("no such table: outbox"))
    assert database_problem(error) == (
        "the command database has no schema yet: run `conference migrate`"
    )
    other = sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))
    assert "connection refused" in database_problem(other)


def test_a_sqlite_filenot_there_yet_is_named_and_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "var" / "command.db"
    said = not_there_yet(f"sqlite:///{missing}", "the command database")
    assert said is not None
    assert str(missing) in said
    assert "conference up" in said
    assert not missing.parent.exists()
    missing.parent.mkdir()
    missing.touch()
    assert not_there_yet(f"sqlite:///{missing}", "the command database") is None
    assert not_there_yet("postgresql+psycopg://db/conference", "the command database") is None
