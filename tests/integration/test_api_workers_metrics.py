"""An API served by several worker processes: a scrape of any worker shows the requests of
all of them (prometheus_client's multiprocess mode, a fresh directory per run)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.e2e.conftest import free_port, wait_until

pytestmark = pytest.mark.timeout(120)

ROUND = 30
LIVE = re.compile(
    r'^conference_http_request_duration_seconds_count\{method="GET",role="(?P<role>[a-z-]+)",'
    r'route="/health/live",status="200"\} (?P<count>[0-9.]+)$',
    re.MULTILINE,
)


def scraped_live_requests(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return sum(float(m["count"]) for m in LIVE.finditer(text))


@pytest.fixture(params=["command-api", "query-api"])
def two_workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SEARCH_URL", "BROKER_URL", "SEARCH_ENGINE")
    }
    env["TMPDIR"] = str(tmp_path)  # where the run's metrics directory is made
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = ["conference_cli", request.param, "--port", str(port), "--workers", "2"]
    process = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=tmp_path,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, f"{request.param} exited early"
        try:
            return httpx.get(f"{url}/metrics", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(answers, timeout=60, what=f"{request.param} with two workers")
        yield url, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=20)


def live_requests_per_worker(folder: Path, tmp: Path) -> list[float]:
    """The ``/health/live`` requests each worker recorded, read from its own file."""
    counts = []
    for index, path in enumerate(sorted(folder.glob("conference-metrics-*/histogram_*.db"))):
        alone = tmp / f"worker-{index}"
        alone.mkdir()
        (alone / path.name).symlink_to(path)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))  # type: ignore[no-untyped-call]
        text = generate_latest(registry).decode()
        counts.append(sum(float(m["count"]) for m in LIVE.finditer(text)))
    return counts


def test_the_counts_of_one_scrape_add_up_across_workers(
    two_workers: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    url, folder = two_workers
    before = scraped_live_requests(url)

    def live(_: int) -> int:
        with httpx.Client() as fresh:  # a new connection: any worker may take it
            return fresh.get(f"{url}/health/live").status_code

    # The kernel hands a shared socket's connections to whichever worker waits, and an
    # idle worker often takes them all; so send rounds until each worker has taken some.
    sent, per_worker = 0, [0.0, 0.0]
    deadline = time.monotonic() + 60
    with ThreadPoolExecutor(8) as pool:
        while not all(count > 0 for count in per_worker):
            assert time.monotonic() < deadline, f"one worker took no request: {per_worker}"
            assert set(pool.map(live, range(ROUND))) == {200}
            sent += ROUND
            per_worker = live_requests_per_worker(folder, tmp_path_factory.mktemp("per-worker"))
            assert len(per_worker) == 2
    assert sum(per_worker) == before + sent
    for _ in range(6):  # whichever worker answers the scrape, it counts them all
        assert scraped_live_requests(url) == before + sent


def test_the_metrics_directory_is_removed_when_the_run_ends(tmp_path: Path) -> None:
    from service_conventions.metrics.multiprocess import VARIABLE, multiprocess_directory

    with multiprocess_directory() as directory:
        assert os.environ[VARIABLE] == directory
        assert Path(directory).is_dir()
    assert VARIABLE not in os.environ
    assert not Path(directory).exists()
