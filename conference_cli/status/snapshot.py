"""Take one ``StatusReport`` of the deployment the environment describes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from conference_cli.status import probes
from conference_cli.status.report import (
    BrokerReport,
    OutboxReport,
    ProjectionReport,
    ReadStoreReport,
    StatusReport,
)
from query_service.read_store.port import ReadStore
from query_service.settings import QuerySettings
from service_conventions.database_url import NotASqliteUrl, sqlite_path


@dataclass(frozen=True)
class RoleUrls:
    """Where each role answers ``/health/ready`` (an API's address, a worker's metrics
    port). In Kubernetes: the Services of the roles (``deploy/kubernetes``)."""

    command_api: str = "http://127.0.0.1:8000"
    query_api: str = "http://127.0.0.1:8001"
    projector: str = "http://127.0.0.1:9101"
    relay: str = "http://127.0.0.1:9102"


def take(settings: QuerySettings, urls: RoleUrls) -> StatusReport:
    distributed = settings.broker_url is not None
    roles = [
        probes.role("command-api", urls.command_api),
        probes.role("query-api", urls.query_api),
        probes.role("projector", urls.projector),
    ]
    if distributed:
        roles.append(probes.role("relay", urls.relay))
    broker = probes.broker_state(settings) if distributed else None
    outbox, projection, read_store = _stores(settings, urls, broker)
    return StatusReport(
        shape="distributed" if distributed else "embedded",
        taken_at=datetime.now(UTC),
        roles=roles,
        outbox=outbox,
        broker=broker,
        projection=projection,
        read_store=read_store,
    )


def _stores(
    settings: QuerySettings, urls: RoleUrls, broker: BrokerReport | None
) -> tuple[OutboxReport, ProjectionReport, ReadStoreReport]:
    from query_service.bootstrap import build_read_store

    engine_name = settings.search_engine
    no_database = not_there_yet(settings.database_url, "the command database")
    no_read_store = not_there_yet(settings.search_url, "the read store")
    outbox = OutboxReport(error=no_database)
    read_store = ReadStoreReport(engine_name, error=no_read_store)
    store: ReadStore | None = None

    def opened() -> ReadStore:
        nonlocal store
        store = store or build_read_store(settings)
        return store

    engine = probes.database(settings) if no_database is None else None
    try:
        if engine is not None:
            outbox = probes.outbox_state(engine, distributed=broker is not None)
        if no_read_store is None:
            read_store = probes.read_store_state(engine_name, opened)
        if broker is not None:
            projection = probes.projection_from_broker(broker, urls.projector)
        elif engine is None or read_store.error is not None:
            projection = ProjectionReport(error=outbox.error or read_store.error)
        else:
            projection = probes.projection_from_outbox(engine, opened())
    finally:
        if engine is not None:
            engine.dispose()
        if store is not None:
            store.close()
    return outbox, projection, read_store


def not_there_yet(url: str, what: str) -> str | None:
    """Why a SQLite file cannot be read yet (status never creates one), else None."""
    try:
        path = sqlite_path(url)
    except NotASqliteUrl:
        return None
    if path.exists():
        return None
    return f"{what} {path} does not exist yet: start the roles here (`conference up`)"
