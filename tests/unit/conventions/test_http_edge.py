"""CORS_ALLOW_ORIGINS as operators write it, read alike by both services."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from command_service.settings import Settings
from command_service.settings import load_settings as command_settings
from query_service.settings import QuerySettings
from query_service.settings import load_settings as query_settings


@pytest.mark.parametrize("load", [command_settings, query_settings])
def test_cors_origins_are_comma_separated_and_off_by_default(
    monkeypatch: pytest.MonkeyPatch, load: Callable[[], Settings | QuerySettings]
) -> None:
    assert load().cors_allow_origins == ()
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", " https://a.example, https://b.example:8443 ,")
    assert load().cors_allow_origins == ("https://a.example", "https://b.example:8443")
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "")
    assert load().cors_allow_origins == ()
