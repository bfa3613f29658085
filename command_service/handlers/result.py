"""What a successful command answers: the aggregate it changed and its new version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CommandResult:
    id: str
    version: int
    extras: Mapping[str, Any] = field(default_factory=dict)
    """Useful facts beside id and version (a talk's status, a rating summary, a slot)."""

    def to_data(self) -> dict[str, Any]:
        """The JSON body of the answer; also what an idempotency key stores."""
        return {"id": self.id, "version": self.version, **self.extras}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CommandResult:
        extras = {k: v for k, v in data.items() if k not in ("id", "version")}
        return cls(id=data["id"], version=data["version"], extras=extras)
