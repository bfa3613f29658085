"""Read your writes on the distributed shape: PostgreSQL, the relay, RabbitMQ, two
projectors into OpenSearch and two query-api replicas read in turn (ADR 080)."""

from __future__ import annotations

from tests.e2e.test_read_your_writes import ITERATIONS, run_read_your_writes
from tests.e2e_distributed.conftest import DistributedStack


def test_a_read_with_the_commands_token_always_shows_it(distributed: DistributedStack) -> None:
    figures = run_read_your_writes(distributed)
    print(f"distributed read-your-writes over {ITERATIONS} commands: {figures}")
