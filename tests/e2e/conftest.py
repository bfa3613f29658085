"""Runs ``conference up`` as a real subprocess in a fresh folder and drives it over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.tokens import deployment_tokens

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Stack:
    """One running ``conference up`` and clients for its two APIs."""

    folder: Path
    process: subprocess.Popen[str]
    command: httpx.Client
    query: httpx.Client
    projector_metrics_url: str = ""

    def pid_of(self, role: str) -> int:
        return int((self.folder / "var" / "run" / f"{role}.pid").read_text())

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        finally:
            self.command.close()
            self.query.close()

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        return self.command.request(method, path, json=body, headers=headers)

    def ok(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self.send(method, path, body)
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result


def wait_until(check: Callable[[], bool], *, timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")


def start_stack(folder: Path) -> Stack:
    command_port, query_port, metrics_port = free_port(), free_port(), free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SEARCH_URL", "BROKER_URL", "SEARCH_ENGINE")
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conference_cli",
            "up",
            "--command-port",
            str(command_port),
            "--query-port",
            str(query_port),
            "--metrics-port",
            str(metrics_port),
        ],
        cwd=folder,
        env=env,
        text=True,
    )
    stack = Stack(
        folder=folder,
        process=process,
        command=httpx.Client(
            base_url=f"http://127.0.0.1:{command_port}", timeout=10, auth=deployment_tokens(folder)
        ),
        query=httpx.Client(base_url=f"http://127.0.0.1:{query_port}", timeout=10),
        projector_metrics_url=f"http://127.0.0.1:{metrics_port}",
    )

    def ready() -> bool:
        assert process.poll() is None, "conference up exited early"
        try:
            return (
                stack.command.get("/health/ready").status_code == 200
                and stack.query.get("/health/ready").status_code == 200
                and (folder / "var" / "run" / "projector.pid").exists()
            )
        except httpx.HTTPError:
            return False

    wait_until(ready, timeout=60, what="conference up to be ready")
    return stack


@pytest.fixture
def stack_folder(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def stack(stack_folder: Path) -> Iterator[Stack]:
    running = start_stack(stack_folder)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.stop()
