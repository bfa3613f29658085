"""The distributed shape, every role its own process, on real PostgreSQL, RabbitMQ and
OpenSearch: one command-api, one relay, two projectors, two query-api replicas.

Each test gets its own PostgreSQL database, RabbitMQ vhost and index prefix, so runs never
share state; services resolve through ``tests/services.py`` (fail in CI when missing).
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import pytest

from tests.e2e.conftest import free_port, wait_until
from tests.services import (
    postgres_server_url,
    rabbitmq_management_url,
    rabbitmq_url,
    resolve_service,
    temporary_postgres_database,
)
from tests.tokens import deployment_tokens

pytestmark = pytest.mark.e2e


@dataclass
class Role:
    """One role process; restartable, with its output kept in a log file for failures."""

    name: str
    args: list[str]
    env: dict[str, str]
    folder: Path
    process: subprocess.Popen[bytes] | None = None
    log: TextIO | None = None
    metrics_url: str | None = None
    """A worker role's metrics port (``/metrics``, ``/health/*``)."""

    def start(self) -> None:
        self.log = (self.folder / f"{self.name}.log").open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "conference_cli", *self.args],
            cwd=self.folder,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()


@dataclass
class DistributedStack:
    folder: Path
    roles: dict[str, Role]
    command: httpx.Client
    queries: list[httpx.Client]
    management_url: str
    _next_query: Iterator[int] = field(default_factory=lambda: itertools.cycle(range(2)))

    @property
    def query(self) -> httpx.Client:
        """The query-api replicas, in turn: both must answer the same."""
        return self.queries[next(self._next_query)]

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        return self.command.request(method, path, json=body, headers=headers)

    def ok(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self.send(method, path, body)
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-3000:]}" for path in self.folder.glob("*.log")
        )


def _vhost_url(amqp_url: str, vhost: str) -> str:
    parts = urlsplit(amqp_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(vhost, safe=""), "", ""))


@pytest.fixture
def distributed(tmp_path: Path) -> Iterator[DistributedStack]:
    opensearch = resolve_service("OpenSearch", "TEST_OPENSEARCH_URL", None)
    broker = rabbitmq_url()
    management = rabbitmq_management_url(broker)
    vhost = f"e2e-{uuid.uuid4().hex[:10]}"
    httpx.put(f"{management}/api/vhosts/{vhost}").raise_for_status()
    user = urlsplit(broker).username or "guest"
    httpx.put(
        f"{management}/api/permissions/{vhost}/{user}",
        json={"configure": ".*", "write": ".*", "read": ".*"},
    ).raise_for_status()
    prefix = f"e2e-{uuid.uuid4().hex[:8]}-"
    with temporary_postgres_database(postgres_server_url()) as database:
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "BROKER_URL": _vhost_url(broker, vhost),
            "SEARCH_ENGINE": "opensearch",
            "SEARCH_URL": opensearch,
            "SEARCH_INDEX_PREFIX": prefix,
            "LOG_LEVEL": "INFO",
        }
        migrate = subprocess.run(
            [sys.executable, "-m", "conference_cli", "migrate"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert migrate.returncode == 0, migrate.stderr
        command_port, query_ports = free_port(), [free_port(), free_port()]
        metrics = {name: free_port() for name in ("relay", "projector-1", "projector-2")}
        roles = {
            "command-api": Role(
                "command-api", ["command-api", "--port", str(command_port)], env, tmp_path
            ),
            **{
                name: Role(
                    name,
                    [name.split("-")[0], "--metrics-port", str(port)],
                    env,
                    tmp_path,
                    metrics_url=f"http://127.0.0.1:{port}",
                )
                for name, port in metrics.items()
            },
            **{
                f"query-api-{i + 1}": Role(
                    f"query-api-{i + 1}", ["query-api", "--port", str(port)], env, tmp_path
                )
                for i, port in enumerate(query_ports)
            },
        }
        for role in roles.values():
            role.start()
        stack = DistributedStack(
            folder=tmp_path,
            roles=roles,
            command=httpx.Client(
                base_url=f"http://127.0.0.1:{command_port}",
                timeout=10,
                auth=deployment_tokens(tmp_path),
            ),
            queries=[
                httpx.Client(base_url=f"http://127.0.0.1:{p}", timeout=10) for p in query_ports
            ],
            management_url=management,
        )
        try:

            def ready() -> bool:
                try:
                    return all(
                        client.get("/health/ready").status_code == 200
                        for client in (stack.command, *stack.queries)
                    )
                except httpx.HTTPError:
                    return False

            wait_until(ready, timeout=90, what="every role to be ready")
            yield stack
        except BaseException:
            print(stack.logs(), file=sys.stderr)
            raise
        finally:
            for role in roles.values():
                role.stop()
            stack.command.close()
            for client in stack.queries:
                client.close()
            httpx.delete(f"{management}/api/vhosts/{vhost}")
            # Every generation a test made (rebuilds add some); wildcards are allowed here.
            httpx.delete(f"{opensearch}/{prefix}*", params={"expand_wildcards": "all"})
