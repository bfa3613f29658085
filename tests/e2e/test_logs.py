"""``LOG_FORMAT=json``: every line every role of ``conference up`` writes on stderr is one
JSON object with the fields of ``service_conventions/logs.py``, and a line about one event
names it and its aggregate."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import free_port, wait_until
from tests.e2e.test_check import embedded_env


def test_every_line_of_every_role_is_json_with_its_fields(tmp_path: Path) -> None:
    command_port, query_port, metrics_port = free_port(), free_port(), free_port()
    stderr = (tmp_path / "stderr.log").open("w")
    up = subprocess.Popen(
        [
            *(sys.executable, "-m", "conference_cli", "up"),
            *("--command-port", str(command_port), "--query-port", str(query_port)),
            *("--metrics-port", str(metrics_port)),
        ],
        cwd=tmp_path,
        env={**embedded_env(), "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"},
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    poison_id = str(uuid.uuid4())
    try:
        query = f"http://127.0.0.1:{query_port}"

        def ready() -> bool:
            try:
                return httpx.get(f"{query}/health/ready", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, timeout=60, what="conference up to be ready")
        envelope = {
            "specversion": "1.0",
            "type": "conference.talk.unheard-of.v1",
            "id": poison_id,
            "aggregatetype": "talk",
            "aggregateid": "t-poison",
            "aggregateversion": 1,
            "data": {},
        }
        with sqlite3.connect(tmp_path / "var" / "command.db") as db:
            db.execute(
                "INSERT INTO outbox (event_id, aggregate_type, aggregate_id, aggregate_version, "
                "event_type, envelope, recorded_at) VALUES (?, 'talk', 't-poison', 1, "
                "'conference.talk.unheard-of.v1', ?, '2026-01-01T00:00:00Z')",
                (poison_id, json.dumps(envelope)),
            )
        wait_until(
            lambda: poison_id in (tmp_path / "stderr.log").read_text(),
            what="the projector to log the poison event",
        )
    finally:
        up.send_signal(2)
        up.wait(timeout=30)
        stderr.close()

    lines = (tmp_path / "stderr.log").read_text().splitlines()
    assert lines
    records: list[dict[str, Any]] = [json.loads(line) for line in lines]  # every line
    for record in records:
        assert list(record)[:5] == ["time", "level", "role", "logger", "message"], record
        assert record["time"].endswith("+00:00")
    roles = {record["role"] for record in records}
    assert {"up", "projector"} <= roles
    (about,) = [r for r in records if r.get("event_id") == poison_id]
    assert about["aggregate_id"] == "talk/t-poison"
    assert about["role"] == "projector"
    assert about["level"] in ("WARNING", "ERROR")
    assert any(r["role"] == "up" and r["message"] == "stopped" for r in records)


def test_an_unknown_log_format_is_refused_with_the_allowed_ones(tmp_path: Path) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "conference_cli", "status"],
        cwd=tmp_path,
        env={**os.environ, "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert "LOG_FORMAT='xml' is not a log format: use 'text'" in refused.stderr
    assert "'json'" in refused.stderr
