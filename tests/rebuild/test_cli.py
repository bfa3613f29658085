"""``conference rebuild`` as an operator runs it, on the embedded shape's files."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from command_service.adapters.engine import create_engine_for
from command_service.migrate import upgrade
from conference_cli.main import main
from query_service.read_store.port import WriteBatch
from query_service.read_store.sqlite import SqliteReadStore
from query_service.rebuild import rebuild_read_models
from query_service.settings import QuerySettings
from shared_domain.conference import Conference
from tests.integration.conftest import new_conference, store


@dataclass(frozen=True)
class Deployment:
    settings: QuerySettings
    conferences: list[Conference]


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Deployment:
    """A command database with two conferences, and the environment its roles read."""
    conferences = [new_conference(name="One"), new_conference(name="Two")]
    command, query = f"sqlite:///{tmp_path / 'command.db'}", f"sqlite:///{tmp_path / 'q.db'}"
    upgrade(command)
    engine = create_engine_for(command)
    try:
        for conference in conferences:
            store(engine, conference)
    finally:
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", command)
    monkeypatch.setenv("SEARCH_URL", query)
    monkeypatch.setenv("COLUMNS", "200")
    return Deployment(QuerySettings(database_url=command, search_url=query), conferences)


def _read_store(settings: QuerySettings) -> SqliteReadStore:
    read_store = SqliteReadStore(Path(settings.search_url.removeprefix("sqlite:///")))
    read_store.initialize()
    return read_store


def test_a_rollback_with_nothing_kept_says_so(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    _read_store(deployment.settings).close()

    assert main(["rebuild", "--rollback"]) == 1
    out = capsys.readouterr().out
    assert "Nothing to roll back to: g1 serves and no older generation is kept" in out
    assert "`conference rebuild` makes a new one" in out


def test_sample_and_force_need_verify(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rebuild", "--sample", "3"]) == 2
    assert "--sample and --force go with --verify" in capsys.readouterr().out
    assert main(["rebuild", "--rollback", "--force"]) == 2
    assert "--sample and --force go with --verify" in capsys.readouterr().out


def test_verify_and_rollback_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["rebuild", "--verify", "--rollback"])
    assert exited.value.code == 2
    assert "not allowed with argument --verify" in capsys.readouterr().err


def test_a_sample_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["rebuild", "--verify", "--sample", "0"])
    assert "must be at least 1" in capsys.readouterr().err


def test_verify_refuses_prints_what_differs_then_force_switches_and_rollback_returns(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    assert rebuild_read_models(deployment.settings, threading.Event()).switched  # g2 serves
    served = _read_store(deployment.settings)
    one, two = (served.load_conferences([c.id])[c.id] for c in deployment.conferences)
    served.write(WriteBatch(conferences=[dataclasses.replace(one, name="Tampered")]))

    assert main(["rebuild", "--verify"]) == 1
    out = capsys.readouterr().out
    assert "Verify found 1 of 2 documents different:" in out
    assert f"conference/{one.id}: name" in out
    assert "Not switched: the serving read models are unchanged." in out

    assert main(["rebuild", "--verify", "--sample", "1", "--seed", "1", "--force"]) == 0
    out = capsys.readouterr().out
    assert "Switched the search API over to the rebuilt read models (g4)." in out
    assert "events replayed in" in out

    assert main(["rebuild", "--rollback"]) == 0
    assert "Rolled back: the search API reads g2 again." in capsys.readouterr().out
    assert served.load_conferences([one.id])[one.id].name == "Tampered"
    assert served.load_conferences([two.id])[two.id].name == "Two"


def test_an_unreachable_command_database_says_what_to_look_at(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody:x@127.0.0.1:9/none")
    query = f"sqlite:///{tmp_path / 'q.db'}"
    monkeypatch.setenv("SEARCH_URL", query)

    assert main(["rebuild"]) == 2
    out = capsys.readouterr().out
    assert "Cannot rebuild: OperationalError" in out
    assert "Is DATABASE_URL (the command database, migrated)" in out
    read_store = _read_store(QuerySettings(search_url=query))
    assert [g.name for g in read_store.describe_generations()] == ["g1"]  # g2 was dropped
