"""The metrics port and worker options of ``conference``: flag, environment, default."""

from __future__ import annotations

import pytest

from conference_cli.main import _metrics_port, _workers, build_parser


@pytest.mark.parametrize(("role", "default"), [("projector", 9101), ("relay", 9102)])
def test_a_worker_role_takes_its_metrics_port_from_the_flag_the_environment_or_its_default(
    role: str, default: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METRICS_PORT", raising=False)
    args = build_parser().parse_args([role])
    assert _metrics_port(args.metrics_port, default) == default
    monkeypatch.setenv("METRICS_PORT", "18050")
    assert _metrics_port(args.metrics_port, default) == 18050
    off = build_parser().parse_args([role, "--metrics-port", "0"])
    assert _metrics_port(off.metrics_port, default) == 0


@pytest.mark.parametrize("api", ["command-api", "query-api"])
def test_an_api_takes_its_workers_from_the_flag_or_web_concurrency(
    api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert _workers(build_parser().parse_args([api]).workers) == 1
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert _workers(build_parser().parse_args([api]).workers) == 3
    assert _workers(build_parser().parse_args([api, "--workers", "2"]).workers) == 2


def test_up_serves_the_projector_metrics_on_the_embedded_default() -> None:
    assert build_parser().parse_args(["up"]).metrics_port == 9101
