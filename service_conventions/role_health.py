"""Whether a worker role (relay, projector) is ready, as its loop last found out.

The loop says ``ready()`` when it reaches its dependencies and ``not_ready(why)`` when one
went away; ``/health/ready`` on the role's metrics port answers from it. Plain attribute
reads and writes: the loop writes, the probe thread reads, and a read of a slightly old
value is harmless.
"""

from __future__ import annotations


class RoleHealth:
    def __init__(self) -> None:
        self.problem: str | None = "starting"

    def ready(self) -> None:
        self.problem = None

    def not_ready(self, why: str) -> None:
        self.problem = why
