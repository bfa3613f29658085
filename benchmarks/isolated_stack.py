"""An isolated distributed stack for one benchmark run, on the machine's own services.

Each run gets a fresh PostgreSQL database, RabbitMQ vhost and OpenSearch index prefix, so
it never reads or disturbs another run's (or a test's) data, and removes all three when it
ends, even after a failure. Roles are ``conference`` processes, started and stopped the
way the distributed e2e tests do it (``tests/e2e_distributed/conftest.py``).

Service URLs, like the tests: ``TEST_POSTGRES_URL`` (a role that may CREATE DATABASE),
``TEST_RABBITMQ_URL`` (management API beside it on :15672, or
``TEST_RABBITMQ_MANAGEMENT_URL``), ``TEST_OPENSEARCH_URL``; unset, the defaults are what
``ops/postgres/start``, ``ops/rabbitmq/start`` and ``ops/opensearch-node/start`` run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from service_conventions.auth.issuing import issue_token
from service_conventions.auth.settings import AuthSettings
from tests.e2e.conftest import free_port, wait_until
from tests.services import rabbitmq_management_url, temporary_postgres_database

REPO = str(Path(__file__).resolve().parent.parent)
DEFAULT_POSTGRES = "postgresql+psycopg://conference:conference@127.0.0.1:5432/conference"
DEFAULT_RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEFAULT_OPENSEARCH = "http://127.0.0.1:9200"


@dataclass
class Role:
    """One process of the stack, its output kept in ``<folder>/<name>.log``."""

    name: str
    command: list[str]
    env: dict[str, str]
    folder: Path
    process: subprocess.Popen[bytes] | None = None
    log: TextIO | None = None

    def start(self) -> None:
        self.log = (self.folder / f"{self.name}.log").open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", *self.command],
            cwd=self.folder,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        """SIGTERM (a worker finishes its batch), then SIGKILL if it does not exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()


@dataclass(frozen=True)
class Services:
    postgres: str
    rabbitmq: str
    management: str
    opensearch: str

    @classmethod
    def from_environment(cls) -> Services:
        rabbitmq = os.environ.get("TEST_RABBITMQ_URL") or DEFAULT_RABBITMQ
        return cls(
            postgres=os.environ.get("TEST_POSTGRES_URL") or DEFAULT_POSTGRES,
            rabbitmq=rabbitmq,
            management=rabbitmq_management_url(rabbitmq),
            opensearch=(os.environ.get("TEST_OPENSEARCH_URL") or DEFAULT_OPENSEARCH).rstrip("/"),
        )


@dataclass
class IsolatedStack:
    """Where this run's data lives, and the role processes started on it."""

    services: Services
    folder: Path
    database_url: str
    broker_url: str
    index_prefix: str
    env: dict[str, str]
    roles: dict[str, Role] = field(default_factory=dict)

    def start(self, name: str, *args: str, module: str = "conference_cli") -> Role:
        """Start ``python -m <module> <args>`` (by default a ``conference`` role); a worker
        role gets a free metrics port (its default would be taken by the next replica)."""
        if module == "conference_cli" and args[:1] in (("projector",), ("relay",)):
            args = (*args, "--metrics-port", str(free_port()))
        role = Role(name, [module, *args], self.env, self.folder)
        role.start()
        self.roles[name] = role
        return role

    def start_http(self, name: str, *args: str, module: str = "conference_cli") -> str:
        """Start an HTTP role on a free port; its base URL (see ``wait_ready``)."""
        port = free_port()
        self.start(name, *args, "--port", str(port), module=module)
        return f"http://127.0.0.1:{port}"

    def wait_ready(self, *urls: str) -> None:
        """Wait until every HTTP role answers ``/health/ready`` (they start in parallel)."""
        for url in urls:
            wait_until(partial(_ready, url), timeout=120, what=f"{url} to be ready")

    def stop(self, name: str) -> None:
        role = self.roles.pop(name, None)
        if role is not None:
            role.stop()

    def organizer_token(self) -> str:
        """A bearer token for the write API, signed by the stack's local key (in ``./var``,
        the roles' working folder), as ``conference token`` would print it there."""
        key_file = self.folder / AuthSettings.model_fields["auth_signing_key_file"].default
        settings = AuthSettings(auth_signing_key_file=key_file)
        return issue_token(settings, subject="benchmark", roles=["organizer"], ttl_seconds=86400)

    def log_of(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text() if path.exists() else ""

    def stop_all(self) -> None:
        for name in list(self.roles):
            self.stop(name)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def vhost_url(amqp_url: str, vhost: str) -> str:
    parts = urlsplit(amqp_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(vhost, safe=""), "", ""))


@contextmanager
def _temporary_vhost(services: Services, name: str) -> Iterator[str]:
    management = httpx.Client(base_url=services.management, timeout=30)
    user = urlsplit(services.rabbitmq).username or "guest"
    try:
        management.put(f"/api/vhosts/{name}").raise_for_status()
        management.put(
            f"/api/permissions/{name}/{user}",
            json={"configure": ".*", "write": ".*", "read": ".*"},
        ).raise_for_status()
        yield vhost_url(services.rabbitmq, name)
    finally:
        with suppress(httpx.HTTPError):  # best effort: never hide why the run failed
            management.delete(f"/api/vhosts/{name}")
        management.close()


@contextmanager
def _temporary_indices(services: Services, prefix: str) -> Iterator[str]:
    try:
        yield prefix
    finally:
        with (
            httpx.Client(base_url=services.opensearch, timeout=60) as client,
            suppress(httpx.HTTPError),
        ):
            listed = client.get(f"/_cat/indices/{prefix}*", params={"format": "json"})
            names = [row["index"] for row in listed.json()] if listed.is_success else []
            if names:
                client.delete(f"/{','.join(names)}")


def _migrate(env: dict[str, str], folder: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conference_cli", "migrate"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"conference migrate failed:\n{done.stderr}")


@contextmanager
def isolated_stack(services: Services) -> Iterator[IsolatedStack]:
    """A migrated database, a vhost and an index prefix of this run's own; no role runs
    yet. Everything is stopped and removed on exit."""
    run = uuid.uuid4().hex[:10]
    with ExitStack() as cleanup:
        folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        database = cleanup.enter_context(temporary_postgres_database(services.postgres))
        broker = cleanup.enter_context(_temporary_vhost(services, f"bench-{run}"))
        prefix = cleanup.enter_context(_temporary_indices(services, f"bench-{run}-"))
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "BROKER_URL": broker,
            "SEARCH_ENGINE": "opensearch",
            "SEARCH_URL": services.opensearch,
            "SEARCH_INDEX_PREFIX": prefix,
            "SEARCH_INDEX_REPLICAS": "0",  # a single-node cluster: replicas never allocate
            "LOG_LEVEL": "INFO",
            # Roles run in a temporary folder; the ceilings live in this checkout.
            "PYTHONPATH": os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")])),
        }
        _migrate(env, folder)
        stack = IsolatedStack(services, folder, database, broker, prefix, env)
        cleanup.callback(stack.stop_all)
        yield stack
