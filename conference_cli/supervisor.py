"""``conference up``: every role of the embedded default, each in its own process.

Separate processes keep the roles as independent as in production (a crashed projector
never takes the write API down); the supervisor restarts a role that dies, with back-off,
and stops them all cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import httpx

from conference_cli import roles, tokens
from service_conventions.retry import Backoff

log = logging.getLogger("conference.up")

RUN_DIR = Path("var/run")
READY_TIMEOUT_SECONDS = 60.0
FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
HEALTHY_AFTER_SECONDS = 60.0


@dataclass
class Role:
    """One supervised child process and its restart bookkeeping."""

    name: str
    args: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: Backoff = field(
        default_factory=lambda: Backoff(FIRST_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS, jitter=0)
    )
    """Restarts wait 1 s, 2 s, 4 s … up to 30 s while the role keeps failing."""
    restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "conference_cli", *self.args])
        self.started_at = time.monotonic()
        self.restart_at = None
        (RUN_DIR / f"{self.name}.pid").write_text(f"{self.process.pid}\n")

    def stop(self, deadline: float) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop in time; killing it", self.name)
            self.process.kill()
            self.process.wait()


def _wait_ready(url: str, stop: threading.Event) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline and not stop.is_set():
        try:
            if httpx.get(f"{url}/health/ready", timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def _supervise(roles_: list[Role], stop: threading.Event) -> None:
    """Restart any role that exits on its own, backing off while it keeps failing."""
    while not stop.wait(0.2):
        now = time.monotonic()
        for role in roles_:
            assert role.process is not None
            code = role.process.poll()
            if code is None:
                if now - role.started_at > HEALTHY_AFTER_SECONDS:
                    role.backoff.reset()
                continue
            if role.restart_at is None:
                delay = role.backoff.next_delay()
                log.warning("%s exited with code %s; restarting in %.0fs", role.name, code, delay)
                role.restart_at = now + delay
            elif now >= role.restart_at:
                role.start()
                log.info("%s restarted (pid %s)", role.name, role.process.pid)


def _metrics_line(host: str, port: int) -> str:
    if port == 0:
        return ""
    return f"   metrics: http://{host}:{port}/metrics   health: http://{host}:{port}/health/ready"


def up(host: str, command_port: int, query_port: int, metrics_port: int = 9101) -> int:
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    if roles.migrate() != 0:
        return 1
    tokens.ensure_signing_key()
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("METRICS_HOST", host)  # the projector's port, beside the APIs
    children = [
        Role("command-api", ["command-api", "--host", host, "--port", str(command_port)]),
        Role("query-api", ["query-api", "--host", host, "--port", str(query_port)]),
        Role("projector", ["projector", "--metrics-port", str(metrics_port)]),
    ]
    for child in children:
        child.start()
    command_url, query_url = f"http://{host}:{command_port}", f"http://{host}:{query_port}"
    try:
        if not (_wait_ready(command_url, stop) and _wait_ready(query_url, stop)):
            if not stop.is_set():
                log.error("the APIs did not become ready; see the log above")
                return 1
            return 0
        print(
            "\nConference Program is up (embedded default, data in ./var)\n"
            f"  write API   {command_url}   docs: {command_url}/docs\n"
            f"  search API  {query_url}   docs: {query_url}/docs\n"
            f"  projector   pid {children[2].process.pid if children[2].process else '?'}"
            f"{_metrics_line(host, metrics_port)}\n"
            f"  metrics     {command_url}/metrics   {query_url}/metrics\n"
            "Get a token: `conference token --role organizer --subject you`.\n"
            "Load sample data with `conference demo`. Press Ctrl-C to stop.\n",
            flush=True,
        )
        _supervise(children, stop)
        return 0
    finally:
        deadline = time.monotonic() + 10.0
        for child in reversed(children):
            child.stop(deadline)
        for child in children:
            (RUN_DIR / f"{child.name}.pid").unlink(missing_ok=True)
        log.info("stopped")


__all__ = ["up"]
