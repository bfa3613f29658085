"""Operator tasks against a running ``conference up``."""

from __future__ import annotations

import subprocess
import sys

from tests.e2e.conftest import Stack, wait_until
from tests.e2e.test_story import _conference, _submit


def test_rebuild_switches_to_an_equal_read_model_while_serving(stack: Stack) -> None:
    conference_id = _conference(stack)
    talk_ids = [
        _submit(stack, conference_id, f"Rebuilt talk {i}", f"Speaker {i}", ["ops"])
        for i in range(5)
    ]
    stack.ok("POST", f"/talks/{talk_ids[0]}/accept")
    stack.ok("PUT", f"/talks/{talk_ids[0]}/ratings/ann", {"stars": 4})
    wait_until(
        lambda: stack.query.get(f"/talks/{talk_ids[0]}").json().get("rating", {}).get("count") == 1
    )
    before = stack.query.get("/talks", params={"conference_id": conference_id}).json()

    rebuilt = subprocess.run(
        [sys.executable, "-m", "conference_cli", "rebuild"],
        cwd=stack.folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Switched the search API over" in rebuilt.stdout
    assert stack.query.get("/talks", params={"conference_id": conference_id}).json() == before
    stack.ok("PATCH", f"/talks/{talk_ids[1]}", {"title": "After the rebuild"})
    wait_until(
        lambda: stack.query.get(f"/talks/{talk_ids[1]}").json()["title"] == "After the rebuild",
        what="the live projector to follow the new generation",
    )
