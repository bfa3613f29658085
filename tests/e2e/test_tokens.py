"""Zero setup stays zero setup: ``conference up`` makes its signing key, ``conference
token`` prints tokens it accepts, and the key survives a restart."""

from __future__ import annotations

import stat

import httpx

from tests.e2e.conftest import Stack, start_stack
from tests.e2e.test_operations import _cli


def conference_token(stack: Stack, *args: str) -> str:
    printed = _cli(stack, "token", *args)
    assert printed.returncode == 0, printed.stderr
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
    token = conference_token(stack, "--role", "organizer", "--subject", "alice", "--ttl", "8h")
    attendee = conference_token(stack, "--role", "attendee", "--subject", "alice")

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
    urls = ("--command-url", str(stack.command.base_url), "--query-url", str(stack.query.base_url))
    demo = _cli(stack, "demo", *urls)
    assert demo.returncode == 0, demo.stderr
    assert "ratings" in demo.stdout
