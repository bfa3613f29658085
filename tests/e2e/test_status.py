"""``conference status`` on the embedded shape, as a new user meets it: before anything
runs (it says what to do and creates nothing), right after ``conference up`` and some
commands (healthy, caught up, the read models counted), and ``--watch --json``."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Stack, wait_until
from tests.e2e.test_check import conference_cli, embedded_env, programme


def role_flags(stack: Stack) -> list[str]:
    return [
        "--command-url",
        str(stack.command.base_url),
        "--query-url",
        str(stack.query.base_url),
        "--projector-url",
        stack.projector_metrics_url,
    ]


def status_json(stack: Stack) -> tuple[int, dict[str, Any]]:
    done = conference_cli(stack.folder, embedded_env(), "status", "--json", *role_flags(stack))
    assert done.stderr == "", done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return done.returncode, data


def test_before_anything_runs_it_says_what_to_start_and_creates_nothing(
    tmp_path: Path,
) -> None:
    env = {**embedded_env(), "COMMAND_API_URL": "http://127.0.0.1:9"}
    done = conference_cli(tmp_path, env, "status")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "needs attention: command-api is unreachable" in done.stdout
    assert "http://127.0.0.1:9" in done.stdout
    assert "does not exist yet: start the roles here (`conference up`)" in done.stdout
    assert not (tmp_path / "var").exists()


def test_right_after_up_and_some_commands_it_is_healthy_and_caught_up(stack: Stack) -> None:
    programme(stack)  # one conference, two talks, two ratings: projected

    def caught_up() -> bool:
        lag: int | None = status_json(stack)[1]["projection"]["lag_events"]
        return lag == 0

    wait_until(caught_up, what="the projector to catch up")
    code, data = status_json(stack)
    assert code == 0, data["problems"]
    assert (data["shape"], data["healthy"], data["broker"]) == ("embedded", True, None)
    assert [(r["role"], r["state"]) for r in data["roles"]] == [
        ("command-api", "ready"),
        ("query-api", "ready"),
        ("projector", "ready"),
    ]
    assert data["outbox"]["newest_position"] >= 6
    assert data["projection"] == {
        "lag_events": 0,
        "lag_seconds": 0.0,
        "dead_letters": 0,
        "error": None,
    }
    (generation,) = data["read_store"]["generations"]
    assert (generation["serving"], generation["talks"], generation["conferences"]) == (
        True,
        2,
        1,
    )
    assert data["read_store"]["last_rebuild"] == generation["created_at"]

    screen = conference_cli(stack.folder, embedded_env(), "status", *role_flags(stack))
    assert screen.returncode == 0, screen.stdout
    assert "embedded shape" in screen.stdout
    assert "healthy" in screen.stdout
    assert "0 event(s), 0.0 s" in screen.stdout


def test_a_stopped_projector_shows_as_unreachable_with_its_lag(stack: Stack) -> None:
    programme(stack)
    stack.stop()  # every role of `conference up` goes; the files stay
    code, data = status_json(stack)
    assert code == 1
    assert {r["role"]: r["state"] for r in data["roles"]} == {
        "command-api": "unreachable",
        "query-api": "unreachable",
        "projector": "unreachable",
    }
    assert data["projection"]["lag_events"] == 0  # it had caught up before it stopped
    assert data["read_store"]["generations"][0]["talks"] == 2


def test_watch_json_prints_one_report_a_line_until_interrupted(stack: Stack) -> None:
    watcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conference_cli",
            "status",
            "--watch",
            "--json",
            "--interval",
            "0.2",
            *role_flags(stack),
        ],
        cwd=stack.folder,
        env=embedded_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Interrupt once three reports are out, not after a fixed time: on a loaded machine the
    # interpreter alone may take seconds to start, and a SIGINT during imports proves nothing.
    assert watcher.stdout is not None
    guard = threading.Timer(90, watcher.kill)  # a watcher that never reports fails, not hangs
    guard.start()
    first = [watcher.stdout.readline() for _ in range(3)]
    guard.cancel()
    watcher.send_signal(signal.SIGINT)
    rest, err = watcher.communicate(timeout=20)
    lines = "".join(first).splitlines() + rest.splitlines()
    out = "".join(first) + rest
    assert len(lines) >= 3, out + err
    reports = [json.loads(line) for line in lines]
    assert all(r["shape"] == "embedded" for r in reports)
    assert len({r["taken_at"] for r in reports}) == len(reports)
    assert watcher.returncode in (0, 1), err
