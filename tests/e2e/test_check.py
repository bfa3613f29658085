"""``conference check`` finds a tampered read document and ``--repair`` fixes it.

The scenario runs unchanged on the distributed shape (``tests/e2e_distributed``): there
the read models live in OpenSearch and the command database is PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import httpx

from query_service.bootstrap import build_read_store
from query_service.read_store.port import WriteBatch
from query_service.settings import load_settings
from tests.e2e.conftest import Stack, wait_until
from tests.e2e.test_story import _conference, _submit


class AnyStack(Protocol):
    folder: Path

    @property
    def query(self) -> httpx.Client: ...

    def ok(self, method: str, path: str, body: Any = None) -> dict[str, Any]: ...


def conference_cli(
    folder: Path, env: Mapping[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conference_cli", *args],
        cwd=folder,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def programme(stack: AnyStack) -> tuple[str, str, str]:
    """A conference with a scheduled and rated talk and a submitted one, projected."""
    conference_id = _conference(stack)  # type: ignore[arg-type]
    scheduled = _submit(stack, conference_id, "Checked talk", "Ada", ["ops"])  # type: ignore[arg-type]
    submitted = _submit(stack, conference_id, "Other talk", "Bob", ["ops"])  # type: ignore[arg-type]
    stack.ok("POST", f"/talks/{scheduled}/accept")
    stack.ok(
        "PUT",
        f"/conferences/{conference_id}/schedule/{scheduled}",
        {"stage": "Main", "starts_at": "2027-03-02T10:00:00+01:00"},
    )
    for attendee, stars in (("ann", 5), ("bob", 3)):
        stack.ok("PUT", f"/talks/{scheduled}/ratings/{attendee}", {"stars": stars})
    wait_until(
        lambda: (
            stack.query.get(f"/talks/{scheduled}").json().get("rating", {}).get("count") == 2
            and stack.query.get(f"/talks/{submitted}").status_code == 200
        ),
        what="the programme to be projected",
    )
    return conference_id, scheduled, submitted


def tamper(settings: Mapping[str, Any], scheduled: str, submitted: str) -> None:
    """Write wrong documents straight into the serving read model, as a bug or a hand
    would: a title changed, a rating count off by one and a slot lost."""
    store = build_read_store(load_settings(**settings))
    try:
        loaded = store.load_talks([scheduled, submitted])
        one, other = loaded[scheduled], loaded[submitted]
        assert one.details is not None
        assert other.details is not None
        store.write(
            WriteBatch(
                talks=[
                    dataclasses.replace(
                        one, rating=dataclasses.replace(one.rating, count=3), slot=None
                    ),
                    dataclasses.replace(
                        other, details=dataclasses.replace(other.details, title="Tampered")
                    ),
                ]
            )
        )
    finally:
        store.close()


def run_check_scenario(
    stack: AnyStack, env: Mapping[str, str], settings: Mapping[str, Any]
) -> None:
    conference_id, scheduled, submitted = programme(stack)
    clean = conference_cli(stack.folder, env, "check")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "different          │ 0" in clean.stdout

    tamper(settings, scheduled, submitted)
    assert stack.query.get(f"/talks/{submitted}").json()["title"] == "Tampered"

    found = conference_cli(stack.folder, env, "check", "--grace-seconds", "1")
    assert found.returncode == 1, found.stdout + found.stderr
    assert f"talk/{submitted} different" in found.stdout
    assert "details.title: write model 'Other talk', read model 'Tampered'" in found.stdout
    assert f"talk/{scheduled} different" in found.stdout
    assert "rating.count: write model 2, read model 3" in found.stdout
    assert "status: write model 'scheduled', read model 'accepted'" in found.stdout
    assert f"conference/{conference_id} different" in found.stdout  # its counts by status

    repaired = conference_cli(stack.folder, env, "check", "--repair", "--grace-seconds", "1")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "repaired 3 from the outbox" in repaired.stdout
    assert "every repaired aggregate now equals the write model" in repaired.stdout

    again = conference_cli(stack.folder, env, "check")
    assert again.returncode == 0, again.stdout + again.stderr
    assert stack.query.get(f"/talks/{submitted}").json()["title"] == "Other talk"
    talk = stack.query.get(f"/talks/{scheduled}").json()
    assert (talk["status"], talk["rating"]["count"]) == ("scheduled", 2)


def run_check_under_traffic(stack: AnyStack, env: Mapping[str, str], command_url: str) -> None:
    """Submissions to one conference and ratings of one talk keep coming while ``check``
    runs: what is behind is lag, never reported as a difference."""
    conference_id, scheduled, _ = programme(stack)
    auth = stack.command.auth  # type: ignore[attr-defined]
    stop, sent = threading.Event(), [0]

    def traffic() -> None:
        with httpx.Client(base_url=command_url, auth=auth, timeout=10) as client:
            while not stop.is_set():
                n = sent[0]
                submitted = client.post(
                    "/talks",
                    json={
                        "conference_id": conference_id,
                        "title": f"Busy talk {n}",
                        "abstract": "Written while the check runs.",
                        "speakers": [{"name": "Eve", "company": "Acme"}],
                        "tags": ["ops"],
                        "level": "intermediate",
                        "format": "talk",
                    },
                )
                rated = client.put(f"/talks/{scheduled}/ratings/fan-{n}", json={"stars": 4})
                assert (submitted.status_code, rated.status_code) in ((201, 200), (201, 201))
                sent[0] = n + 1

    writer = threading.Thread(target=traffic, daemon=True)
    writer.start()
    try:
        wait_until(lambda: sent[0] >= 10, what="traffic to flow")
        busy = conference_cli(stack.folder, env, "check", "--grace-seconds", "10")
    finally:
        stop.set()
        writer.join(timeout=30)
    assert sent[0] > 10
    assert busy.returncode == 0, busy.stdout + busy.stderr
    assert "different          │ 0" in busy.stdout
    assert "missing            │ 0" in busy.stdout

    quiet = conference_cli(stack.folder, env, "check")
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert "still behind (lag) │ 0" in quiet.stdout


def embedded_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SEARCH_URL", "BROKER_URL", "SEARCH_ENGINE")
    }


def test_check_finds_a_tampered_read_model_and_repair_fixes_it(stack: Stack) -> None:
    var = stack.folder / "var"
    run_check_scenario(
        stack,
        embedded_env(),
        {
            "database_url": f"sqlite:///{var / 'command.db'}",
            "search_url": f"sqlite:///{var / 'query.db'}",
            "search_engine": "sqlite",
            "broker_url": None,
        },
    )


def test_check_while_commands_keep_coming_reports_no_difference(stack: Stack) -> None:
    run_check_under_traffic(stack, embedded_env(), str(stack.command.base_url))


def test_a_sample_checks_that_many_aggregates(stack: Stack) -> None:
    programme(stack)
    sampled = conference_cli(stack.folder, embedded_env(), "check", "--sample", "2")
    assert sampled.returncode == 0, sampled.stdout + sampled.stderr
    assert "checked            │ 2" in sampled.stdout


def test_check_says_what_to_do_when_the_command_database_is_away(tmp_path: Path) -> None:
    env = {**embedded_env(), "DATABASE_URL": "postgresql+psycopg://nobody:x@127.0.0.1:9/none"}
    away = conference_cli(tmp_path, env, "check")
    assert away.returncode == 2, away.stdout + away.stderr
    assert "Cannot check" in away.stdout
    assert "DATABASE_URL" in away.stdout


def test_a_sample_must_be_positive(tmp_path: Path) -> None:
    refused = conference_cli(tmp_path, embedded_env(), "check", "--sample", "0")
    assert refused.returncode == 2
    assert "must be at least 1" in refused.stderr
