"""Index and alias names: every read model is a versioned index behind a stable alias.

``<prefix>talks`` (the alias readers use) -> ``<prefix>talks-v1-g3`` (a concrete index).
``v1`` is the mapping schema (a mapping change is a new schema, filled by a rebuild);
``g3`` is the generation, the same notion as the SQLite store's table prefix. All indices
of one generation are created together and switched over together, in one ``_aliases``
call, so readers never see talks of one generation with conferences of another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from query_service.read_store.generations import check_generation, is_generation

SCHEMA = "v1"
KINDS = ("talks", "conferences", "checkpoints", "dead-letters", "applied-events")
"""One index per read model, plus the projector's checkpoints, dead letters and journal:
they belong to a generation too (a rebuild starts its own checkpoint from 0)."""

_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,100}$|^$")


@dataclass(frozen=True)
class IndexNames:
    """The names under one prefix (``SEARCH_INDEX_PREFIX``), so that several deployments
    or test runs share a cluster without colliding."""

    prefix: str = ""

    def __post_init__(self) -> None:
        if not _PREFIX.match(self.prefix):
            raise ValueError(
                f"invalid index prefix {self.prefix!r}: lower-case letters, digits, '_', '.', "
                "'-', not starting with a symbol"
            )

    def alias(self, kind: str) -> str:
        return f"{self.prefix}{kind}"

    def index(self, kind: str, generation: str) -> str:
        return f"{self.prefix}{kind}-{SCHEMA}-{check_generation(generation)}"

    def pattern(self, kind: str) -> str:
        """Every generation of ``kind`` (for listing generations and cleaning up)."""
        return f"{self.prefix}{kind}-{SCHEMA}-g*"

    def generation_of(self, kind: str, index: str) -> str | None:
        """The generation of a concrete index of ``kind``, or None if it is not one."""
        head = f"{self.prefix}{kind}-{SCHEMA}-"
        if not index.startswith(head):
            return None
        rest = index[len(head) :]
        return rest if is_generation(rest) else None
