"""Zero setup stays zero setup: ``conference up`` makes its signing key, ``conference
token`` prints tokens it accepts, and the key survives a restart."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import httpx

from tests.e2e.conftest import Stack, start_stack


def conference_token(folder: Path, *args: str) -> str:
    printed = subprocess.run(
        [sys.executable, "-m", "conference_cli", "token", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return printed.stdout.strip()


def create_conference(stack: Stack, token: str) -> httpx.Response:
    body = {
        "name": "Token Conf",
        "starts_on": "2026-06-01",
        "ends_on": "2026-06-02",
        "stages": ["A"],
    }
    return stack.command.post(
        "/conferences", json=body, headers={"Authorization": f"Bearer {token}"}
    )


def test_conference_token_prints_a_token_the_deployment_accepts_across_restarts(
    stack: Stack,
) -> None:
    key_file = stack.folder / "var" / "auth-signing-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    token = conference_token(
        stack.folder, "--role", "organizer", "--subject", "alice", "--ttl", "8h"
    )
    attendee = conference_token(stack.folder, "--role", "attendee", "--subject", "alice")

    assert create_conference(stack, token).status_code == 201
    assert create_conference(stack, attendee).status_code == 403
    key = key_file.read_bytes()
    assert stack.stop() == 0

    restarted = start_stack(stack.folder)
    try:
        assert key_file.read_bytes() == key
        assert create_conference(restarted, token).status_code == 201
    finally:
        restarted.stop()


def test_the_demo_loads_with_tokens(stack: Stack) -> None:
    demo = subprocess.run(
        [
            sys.executable,
            "-m",
            "conference_cli",
            "demo",
            "--command-url",
            str(stack.command.base_url),
            "--query-url",
            str(stack.query.base_url),
        ],
        cwd=stack.folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    assert "ratings" in demo.stdout
