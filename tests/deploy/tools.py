"""The deployment's validators (kustomize, promtool): installed by ops/*/install in CI.

Missing on a developer's machine they skip with a reason; with CI=true they fail the run,
like a missing service (tests/services.py).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.services import service_unavailable

ROOT = Path(__file__).resolve().parents[2]


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        service_unavailable(f"{name} is not installed: run ops/{name}/install")
    return path


def run(name: str, *args: str) -> str:
    done = subprocess.run(
        [tool(name), *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{name} {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout
