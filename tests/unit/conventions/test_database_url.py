"""Both services parse ``DATABASE_URL`` alike: platform spellings of PostgreSQL mean psycopg 3."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from command_service.settings import Settings
from query_service.settings import QuerySettings
from service_conventions.database_url import (
    DatabaseUrl,
    NotASqliteUrl,
    libpq_conninfo,
    normalize_database_url,
    sqlite_file_of,
    sqlite_path,
)


class Configured(BaseModel):
    url: DatabaseUrl


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        (
            "postgresql://u:p@db/app?sslmode=require",
            "postgresql+psycopg://u:p@db/app?sslmode=require",
        ),
        ("POSTGRES://db/app", "postgresql+psycopg://db/app"),
        ("postgresql+psycopg://db/app", "postgresql+psycopg://db/app"),
        ("sqlite:///./var/command.db", "sqlite:///./var/command.db"),
        ("sqlite:////abs/command.db", "sqlite:////abs/command.db"),
    ],
)
def test_urls_are_normalized_once(given: str, normalized: str) -> None:
    assert normalize_database_url(given) == normalized
    assert Configured(url=given).url == normalized


@pytest.mark.parametrize("url", ["mysql://db/app", "not a url", "oracle+cx://db"])
def test_other_databases_are_refused_as_settings(url: str) -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        Configured(url=url)


def test_both_services_read_the_same_url_the_same_way() -> None:
    url = "postgres://u:p@db/app"
    assert Settings(database_url=url).database_url == "postgresql+psycopg://u:p@db/app"
    assert QuerySettings(database_url=url).database_url == "postgresql+psycopg://u:p@db/app"


def test_libpq_takes_the_url_without_the_driver() -> None:
    assert libpq_conninfo("postgres://u@db/app") == "postgresql://u@db/app"
    assert libpq_conninfo("postgresql+psycopg://u@db/app") == "postgresql://u@db/app"
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        libpq_conninfo("sqlite:///x.db")


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///./var/query.db", Path("./var/query.db")),
        ("sqlite:////abs/query.db", Path("/abs/query.db")),
        ("sqlite+pysqlite:///x.db?timeout=5", Path("x.db")),
    ],
)
def test_a_sqlite_url_names_its_file(url: str, path: Path) -> None:
    assert sqlite_file_of(url) == path
    assert sqlite_path(url) == path


@pytest.mark.parametrize(
    "url", ["sqlite://", "sqlite:///:memory:", "postgres://db/app", "http://x/y.db", "x.db"]
)
def test_no_file_is_no_sqlite_path(url: str) -> None:
    with pytest.raises(NotASqliteUrl):
        sqlite_path(url)
