"""Traces on the embedded shape, from the standard ``OTEL_*`` variables alone: under
``conference up`` a command and the projector's apply (the outbox tail: no broker) are one
trace; ``command-api --workers 2`` traces in every worker it runs (40 new connections: the
kernel hands them to both workers)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.command_api.conftest import conference_body
from tests.e2e.conftest import Stack, free_port, start_stack, wait_until
from tests.otlp_receiver import CALLER, CONSUMER, SERVER, TRACE_ID, Receiver, otlp
from tests.tokens import deployment_tokens

__all__ = ["otlp"]  # the fixture, used by name


@pytest.fixture
def traced_stack(otlp: Receiver, tmp_path: Path) -> Iterator[Stack]:
    stack = start_stack(tmp_path)  # inherits the variables ``otlp`` set
    try:
        yield stack
    finally:
        stack.process.terminate()
        stack.process.wait(timeout=30)


def test_under_conference_up_the_apply_span_continues_the_command(
    traced_stack: Stack, otlp: Receiver
) -> None:
    response = traced_stack.command.post(
        "/conferences", json=conference_body(), headers={"traceparent": CALLER}
    )
    assert response.status_code == 201, response.text
    wait_until(
        lambda: bool(otlp.of("command-api", SERVER) and otlp.of("projector", CONSUMER)),
        timeout=30,
        what="the command's and the apply span",
    )
    [server] = otlp.of("command-api", SERVER)
    [apply] = otlp.of("projector", CONSUMER)
    assert apply.parent_id == server.span_id  # from the envelope: no broker in between
    assert apply.attributes["conference.read_store.engine"] == "sqlite"


def test_every_worker_of_an_api_traces(otlp: Receiver, tmp_path: Path) -> None:
    run = [sys.executable, "-m", "conference_cli"]
    subprocess.run([*run, "migrate"], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    port = free_port()
    api = subprocess.Popen(
        [*run, "command-api", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tokens = deployment_tokens(tmp_path)
    try:

        def ready() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, timeout=60, what="the write API")
        requests = 40
        for _ in range(requests):  # a client each: a new connection, whichever worker takes it
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=tokens) as client:
                sent = client.post(
                    "/conferences", json=conference_body(), headers={"traceparent": CALLER}
                )
                assert sent.status_code == 201, sent.text
        wait_until(
            lambda: len(otlp.of("command-api", SERVER)) == requests,
            timeout=30,
            what="a server span for every request",
        )
    finally:
        api.terminate()
        api.wait(timeout=30)
    workers = {span.instance for span in otlp.of("command-api", SERVER, TRACE_ID)}
    assert len(workers) == 2, "both workers answered, each with its own provider"
