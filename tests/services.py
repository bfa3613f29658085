"""Where the real services that tests need come from: PostgreSQL, RabbitMQ, search engines.

Resolution order (docs/architecture.md, "Tests"), the same for every service:

1. an explicit URL from the environment (``TEST_POSTGRES_URL``, ``TEST_RABBITMQ_URL``, …),
   which is what CI sets after starting the services with ``ops/*/start``;
2. else a testcontainers container, when a Docker engine answers;
3. else skip, with a loud reason, on a developer's machine, and fail when ``CI=true``: a
   CI run that silently skipped the distributed shape would be green and prove nothing.

Containers are started at most once per test session and stopped when it ends. Suites never
share state through a service: they make their own random database, exchange or vhost.
"""

from __future__ import annotations

import atexit
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import NoReturn
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa

ContainerFactory = Callable[[], AbstractContextManager[str]]
"""Starts a container on entry, yields the service URL, stops the container on exit."""

_containers = ExitStack()
atexit.register(_containers.close)
_resolved: dict[str, str] = {}
_unavailable: dict[str, str] = {}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def resolve_service(name: str, env_var: str, container_factory: ContainerFactory | None) -> str:
    """The URL of service ``name``: from ``env_var``, else a container, else skip or fail."""
    if name in _resolved:
        return _resolved[name]
    if name in _unavailable:
        service_unavailable(_unavailable[name])
    url = os.environ.get(env_var, "").strip()
    if not url:
        url = _start_container(name, env_var, container_factory)
    _resolved[name] = url
    return url


def service_unavailable(reason: str) -> NoReturn:
    """Skip (developer machine) or fail (CI) the tests that need a missing service."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing service fails the run)", pytrace=False)
    print(f"\n*** SKIPPING: {reason}", file=sys.stderr)
    pytest.skip(reason)


def _start_container(name: str, env_var: str, container_factory: ContainerFactory | None) -> str:
    if container_factory is None:
        problem = "no container image is configured for it"
    else:
        problem = docker_problem() or ""
        if not problem:
            try:
                return _containers.enter_context(container_factory())
            except Exception as error:
                problem = f"its container did not start: {type(error).__name__}: {error}"
    reason = (
        f"{name} is not available: set {env_var} to its URL, or run a Docker engine ({problem})"
    )
    _unavailable[name] = reason
    service_unavailable(reason)


def docker_problem() -> str | None:
    """Why no Docker engine can run containers for the tests, or ``None`` when one answers."""
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env(timeout=3)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:
        return f"no Docker engine answers: {type(error).__name__}"
    return None


# --- PostgreSQL ------------------------------------------------------------------------


@contextmanager
def postgres_container() -> Iterator[str]:
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine", driver="psycopg") as container:
        yield str(container.get_connection_url())


def postgres_server_url() -> str:
    """A PostgreSQL URL whose role may ``CREATE DATABASE`` (``TEST_POSTGRES_URL``)."""
    return resolve_service("PostgreSQL", "TEST_POSTGRES_URL", postgres_container)


@contextmanager
def temporary_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database ``test_<random>`` on the server; dropped (forcibly) on exit."""
    from service_conventions.database_url import normalize_database_url

    server = sa.make_url(normalize_database_url(server_url))
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


# --- RabbitMQ --------------------------------------------------------------------------

MANAGEMENT_PORT = 15672


@contextmanager
def rabbitmq_container() -> Iterator[str]:
    """A RabbitMQ with its management API; sets ``TEST_RABBITMQ_MANAGEMENT_URL`` to it."""
    from testcontainers.rabbitmq import RabbitMqContainer

    container = RabbitMqContainer("rabbitmq:3.13-management").with_exposed_ports(MANAGEMENT_PORT)
    with container:
        host = container.get_container_host_ip()
        amqp_port = container.get_exposed_port(container.port)
        http_port = container.get_exposed_port(MANAGEMENT_PORT)
        os.environ.setdefault(
            "TEST_RABBITMQ_MANAGEMENT_URL", f"http://guest:guest@{host}:{http_port}"
        )
        yield f"amqp://guest:guest@{host}:{amqp_port}/%2F"


def rabbitmq_url() -> str:
    return resolve_service("RabbitMQ", "TEST_RABBITMQ_URL", rabbitmq_container)


def rabbitmq_management_url(amqp_url: str) -> str:
    """The management API beside ``amqp_url``: ``TEST_RABBITMQ_MANAGEMENT_URL``, else the
    same host and credentials on port 15672 (how ``ops/rabbitmq/start`` runs it)."""
    explicit = os.environ.get("TEST_RABBITMQ_MANAGEMENT_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    parts = urlsplit(amqp_url)
    user = quote(parts.username or "guest", safe="")
    password = quote(parts.password or "guest", safe="")
    return f"http://{user}:{password}@{parts.hostname or '127.0.0.1'}:{MANAGEMENT_PORT}"


# --- Search engines (Elasticsearch, OpenSearch) ------------------------------------------

OPENSEARCH_IMAGE = "opensearchproject/opensearch:2.19.1"
ELASTICSEARCH_IMAGE = "docker.elastic.co/elasticsearch/elasticsearch:9.5.3"


@contextmanager
def opensearch_container() -> Iterator[str]:
    from testcontainers.community.opensearch import OpenSearchContainer

    with OpenSearchContainer(OPENSEARCH_IMAGE, security_enabled=False) as container:
        config = container.get_config()
        yield f"http://{config['host']}:{config['port']}"


@contextmanager
def elasticsearch_container() -> Iterator[str]:
    from testcontainers.community.elasticsearch import ElasticSearchContainer

    with ElasticSearchContainer(ELASTICSEARCH_IMAGE, mem_limit="1g") as container:
        host = container.get_container_host_ip()
        yield f"http://{host}:{container.get_exposed_port(9200)}"


def opensearch_url() -> str:
    return resolve_service("OpenSearch", "TEST_OPENSEARCH_URL", opensearch_container)


def elasticsearch_url() -> str:
    return resolve_service("Elasticsearch", "TEST_ELASTICSEARCH_URL", elasticsearch_container)


def random_index_prefix() -> str:
    """A prefix of its own for every test, so suites sharing a cluster never collide."""
    return f"test-{uuid.uuid4().hex[:12]}-"
