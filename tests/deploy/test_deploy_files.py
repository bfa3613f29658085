"""The Kubernetes manifests, alert rules and dashboard, checked without a cluster (ADR 074):
rendered by kustomize, validated against the Kubernetes and KEDA schemas, rules checked and
unit-tested by promtool, and every metric they name exported by the code."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

from query_service.settings import QuerySettings
from service_conventions.metrics.catalog import exported_series_names
from tests.deploy.promql_names import series_names, unknown_series
from tests.deploy.tools import ROOT, run

KUSTOMIZE = ROOT / "deploy" / "kubernetes"
CRDS = Path(__file__).parent / "keda-crds"
ROLES = {"command-api": 8000, "query-api": 8001, "relay": 9102, "projector": 9101}
K8S_VERSION = "1.33.0"


def render(target: str) -> list[dict[str, Any]]:
    return [
        doc for doc in yaml.safe_load_all(run("kustomize", "build", str(KUSTOMIZE / target))) if doc
    ]


@pytest.fixture(scope="module", params=["base", "overlays/production"])
def rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return render(request.param)


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    """kubectl's default strict field validation refuses unknown fields: so does this."""
    schema = copy.deepcopy(schema)
    if "properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
        schema.setdefault("additionalProperties", False)
    for key, value in list(schema.items()):
        if isinstance(value, dict):
            schema[key] = (
                _strict(value)
                if key != "properties"
                else {name: _strict(sub) for name, sub in value.items()}
            )
        elif isinstance(value, list):
            schema[key] = [_strict(v) if isinstance(v, dict) else v for v in value]
    return schema


def keda_validators() -> dict[str, jsonschema.Draft7Validator]:
    validators = {}
    for path in CRDS.glob("*.yaml"):
        crd = yaml.safe_load(path.read_text())
        version = crd["spec"]["versions"][0]
        schema = _strict(version["schema"]["openAPIV3Schema"])
        schema["properties"]["apiVersion"] = {"const": f"keda.sh/{version['name']}"}
        validators[crd["spec"]["names"]["kind"]] = jsonschema.Draft7Validator(schema)
    return validators


def test_every_object_is_valid_against_its_schema(rendered: list[dict[str, Any]]) -> None:
    keda = keda_validators()
    for obj in rendered:
        if obj["apiVersion"].startswith("keda.sh/"):
            keda[obj["kind"]].validate(obj)
        else:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)


def test_the_validators_refuse_a_misspelled_field(rendered: list[dict[str, Any]]) -> None:
    scaled = copy.deepcopy(next(o for o in rendered if o["kind"] == "ScaledObject"))
    scaled["spec"]["minReplicas"] = 1
    assert not keda_validators()["ScaledObject"].is_valid(scaled)
    deployment = copy.deepcopy(next(o for o in rendered if o["kind"] == "Deployment"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


def test_every_role_runs_its_command_with_probes_on_its_port(
    rendered: list[dict[str, Any]],
) -> None:
    deployments = {o["metadata"]["name"]: o for o in rendered if o["kind"] == "Deployment"}
    assert set(deployments) == set(ROLES)
    for role, port in ROLES.items():
        pod = deployments[role]["spec"]["template"]
        (container,) = pod["spec"]["containers"]
        assert container["args"][0] == role
        assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(port)
        assert {p["containerPort"] for p in container["ports"]} == {port}
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert set(container["resources"]) == {"requests", "limits"}


def test_autoscaled_deployments_leave_replicas_to_the_autoscaler(
    rendered: list[dict[str, Any]],
) -> None:
    targets = {
        o["spec"]["scaleTargetRef"]["name"]
        for o in rendered
        if o["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")
    }
    assert targets == {"query-api", "relay", "projector"}
    for obj in rendered:
        if obj["kind"] == "Deployment" and obj["metadata"]["name"] in targets:
            assert "replicas" not in obj["spec"], obj["metadata"]["name"]


def test_the_projector_scales_on_the_queue_it_consumes(rendered: list[dict[str, Any]]) -> None:
    scaled = next(
        o for o in rendered if o["kind"] == "ScaledObject" and o["metadata"]["name"] == "projector"
    )
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["metadata"]["queueName"] == QuerySettings.model_fields["projector_queue"].default
    namespace = scaled["metadata"]["namespace"]
    assert f".{namespace}.svc" in trigger["metadata"]["host"]


def test_the_production_overlay_ships_no_placeholder_secret() -> None:
    production = render("overlays/production")
    assert not [o for o in production if o["kind"] == "Secret"]
    images = {
        c["image"]
        for o in production
        if o["kind"] in ("Deployment", "Job")
        for c in o["spec"]["template"]["spec"]["containers"]
    }
    assert len(images) == 1
    assert not images.pop().endswith(":latest")


def _promql(rendered: list[dict[str, Any]]) -> list[str]:
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/conference-program.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    exprs += [r["expr"] for g in rules["groups"] for r in g["rules"]]
    exprs += [
        t["metadata"]["query"]
        for o in rendered
        if o["kind"] == "ScaledObject"
        for t in o["spec"]["triggers"]
        if t["type"] == "prometheus"
    ]
    return exprs


def test_dashboard_alerts_and_autoscalers_name_only_exported_series(
    rendered: list[dict[str, Any]],
) -> None:
    exprs = _promql(rendered)
    assert len(series_names(exprs)) >= 14
    assert unknown_series(exprs, exported_series_names()) == set()


def test_the_name_check_catches_a_misspelled_series() -> None:
    exprs = [
        'max(conference_projector_lag_second{namespace="x"}) > 30',
        "rate(conference_relay_published_total[5m])",
    ]
    assert unknown_series(exprs, exported_series_names()) == {"conference_projector_lag_second"}


def test_promtool_accepts_the_rules_and_the_compose_config() -> None:
    assert "SUCCESS: 7 rules found" in run(
        "promtool", "check", "rules", "deploy/prometheus/alerts.yml"
    )
    run("promtool", "check", "config", "deploy/prometheus/prometheus.yml")


def test_the_alert_unit_tests_pass() -> None:
    assert "SUCCESS" in run("promtool", "test", "rules", "tests/deploy/alerts_test.yml")
