"""The README's screenshots, taken as a new user would see the pages: ``conference up`` in
a fresh folder, ``conference demo`` into it, then the search page and day 2's grid.

    .venv/bin/python -m tests.browser.readme_screenshots   # writes docs/images/*.png
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.conftest import DESKTOP, chromium_executable
from tests.e2e.conftest import start_stack

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        stack = start_stack(folder)
        try:
            query_url = str(stack.query.base_url).rstrip("/")
            loaded = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "conference_cli",
                    "demo",
                    "--command-url",
                    str(stack.command.base_url).rstrip("/"),
                    "--query-url",
                    query_url,
                ],
                cwd=folder,
                check=True,
                capture_output=True,
                text=True,
            )
            print(loaded.stdout, file=sys.stderr)
            IMAGES.mkdir(parents=True, exist_ok=True)
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=chromium_executable())
                page = browser.new_page(viewport=DESKTOP)
                page.goto(query_url + "/")
                page.locator('input[name="q"]').press_sequentially("kubernetes", delay=30)
                page.locator('[data-facet="level"][data-value="intermediate"]').click()
                page.wait_for_url(re.compile("level=intermediate"))
                page.screenshot(path=str(IMAGES / "programme-search.png"))
                page.get_by_role("link", name="Top talks of day 2").first.click()
                page.wait_for_url(re.compile(r"day="))
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(IMAGES / "programme-day-grid.png"), full_page=True)
                browser.close()
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
