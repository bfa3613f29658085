"""No chromium: a developer's run skips the browser tests, a CI run fails on them."""

from __future__ import annotations

import pytest

from tests.browser.conftest import chromium_executable


@pytest.fixture
def no_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", "")


@pytest.mark.usefixtures("no_chromium")
def test_ci_fails_without_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no chromium"):
        chromium_executable()


@pytest.mark.usefixtures("no_chromium")
def test_a_developer_run_skips_without_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        chromium_executable()


def test_chromium_names_another_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", "/opt/chromium/chrome")
    assert chromium_executable() == "/opt/chromium/chrome"
