"""What ``conference status`` found: one snapshot of a deployment, as plain data.

Every part says on its own whether it could be read (``error`` is None) so that one store
away still leaves the rest of the screen. ``to_json`` is the ``--json`` contract: keys are
only ever added, never renamed or removed (the README lists them).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Literal

from query_service.read_store.port import GenerationInfo
from service_conventions.json_types import JsonDict

RoleState = Literal["ready", "not-ready", "unreachable"]


@dataclass(frozen=True)
class RoleReport:
    """One role's readiness, as its ``/health/ready`` answered (what it can reach)."""

    role: str
    url: str
    state: RoleState
    detail: str | None = None


@dataclass(frozen=True)
class OutboxReport:
    """The command database's outbox. ``unpublished`` and its age only mean something in
    the distributed shape (the relay marks rows published); the embedded projector tails
    the outbox itself."""

    newest_position: int | None = None
    unpublished: int | None = None
    oldest_unpublished_age_seconds: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class QueueReport:
    name: str
    messages: int
    """Ready messages (deliveries a projector holds unacknowledged are not counted)."""
    consumers: int


@dataclass(frozen=True)
class BrokerReport:
    queues: list[QueueReport] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class ProjectionReport:
    """How far the read models are behind, and what waits for an operator."""

    lag_events: int | None = None
    lag_seconds: float | None = None
    """None when it cannot be known from outside (the distributed shape with no projector
    answering on its metrics port)."""
    dead_letters: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class ReadStoreReport:
    engine: str
    generations: list[GenerationInfo] = field(default_factory=list)
    error: str | None = None

    @property
    def serving(self) -> GenerationInfo | None:
        return next((g for g in self.generations if g.serving), None)

    @property
    def last_rebuild(self) -> datetime | None:
        """When the newest generation was made: by the last rebuild, or by the first start."""
        made = [g.created_at for g in self.generations if g.created_at is not None]
        return max(made) if made else None


@dataclass(frozen=True)
class StatusReport:
    shape: Literal["embedded", "distributed"]
    taken_at: datetime
    roles: list[RoleReport]
    outbox: OutboxReport
    broker: BrokerReport | None
    """None in the embedded shape, which has no broker."""
    projection: ProjectionReport
    read_store: ReadStoreReport

    @property
    def problems(self) -> list[str]:
        """What an operator should look at; empty when the deployment is healthy."""
        found = [f"{r.role} is {r.state}" for r in self.roles if r.state != "ready"]
        for part, error in (
            ("the command database", self.outbox.error),
            ("the broker", self.broker.error if self.broker else None),
            ("the projection", self.projection.error),
            ("the read store", self.read_store.error),
        ):
            if error is not None:
                found.append(f"{part} cannot be read")
        if self.projection.dead_letters:
            found.append(f"{self.projection.dead_letters} dead letter(s) wait")
        return found

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_json(self) -> JsonDict:
        store = self.read_store
        serving = store.serving
        last = store.last_rebuild
        return {
            "shape": self.shape,
            "taken_at": self.taken_at.isoformat(),
            "healthy": self.healthy,
            "problems": list(self.problems),
            "roles": [asdict(r) for r in self.roles],
            "outbox": asdict(self.outbox),
            "broker": asdict(self.broker) if self.broker else None,
            "projection": asdict(self.projection),
            "read_store": {
                "engine": store.engine,
                "error": store.error,
                "serving_generation": serving.name if serving else None,
                "last_rebuild": last.isoformat() if last else None,
                "generations": [
                    {
                        "name": g.name,
                        "serving": g.serving,
                        "talks": g.talks,
                        "conferences": g.conferences,
                        "created_at": g.created_at.isoformat() if g.created_at else None,
                    }
                    for g in store.generations
                ],
            },
        }
