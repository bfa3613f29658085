"""Headless Chromium (Debian's package) driven by Playwright, over a seeded query API.

Playwright's own browser download cannot work here, so the browser is the system's
``chromium`` (``CHROMIUM`` names another). Missing, it skips on a developer's machine and
fails the run under ``CI=true``, like every other service (tests/services.py). Each test
saves what it saw at phone and desktop size under ``test-artifacts/browser/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from tests.browser.programme import Seeded, seeded_api
from tests.services import service_unavailable

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=800)


def chromium_executable() -> str:
    named = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not named:
        service_unavailable("no chromium on PATH (apt-get install -y chromium)")
    return named


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Closed with this package: the sync API runs an event loop in the main thread while it
    is open, and later tests that call `asyncio.run` need that thread free."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=chromium_executable(), headless=True)
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    with seeded_api(tmp_path_factory.mktemp("programme")) as served:
        yield served


@pytest.fixture
def base_url(programme: tuple[str, Seeded]) -> str:
    return programme[0]


@pytest.fixture
def seeded(programme: tuple[str, Seeded]) -> Seeded:
    return programme[1]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    opened = context.new_page()
    yield opened
    context.close()


def screenshots(page: Page, name: str) -> None:
    """What the page shows now, at desktop and at phone size (the page is left at desktop)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
