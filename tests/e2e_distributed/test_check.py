"""``conference check`` on the distributed shape: PostgreSQL against OpenSearch, a
tampered document found and repaired, and no false alarm while commands keep coming."""

from __future__ import annotations

from tests.e2e.test_check import run_check_scenario, run_check_under_traffic
from tests.e2e_distributed.conftest import DistributedStack


def _settings(stack: DistributedStack) -> dict[str, object]:
    env = stack.roles["command-api"].env
    return {
        "database_url": env["DATABASE_URL"],
        "search_url": env["SEARCH_URL"],
        "search_engine": env["SEARCH_ENGINE"],
        "search_index_prefix": env["SEARCH_INDEX_PREFIX"],
        "broker_url": env["BROKER_URL"],
    }


def test_check_finds_a_tampered_opensearch_document_and_repair_fixes_it(
    distributed: DistributedStack,
) -> None:
    run_check_scenario(distributed, distributed.roles["command-api"].env, _settings(distributed))


def test_check_while_commands_keep_coming_reports_no_difference(
    distributed: DistributedStack,
) -> None:
    env = distributed.roles["command-api"].env
    run_check_under_traffic(distributed, env, str(distributed.command.base_url))
