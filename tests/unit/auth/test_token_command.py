"""``conference token --role organizer --subject alice [--ttl 8h]``."""

from __future__ import annotations

import argparse
from pathlib import Path

import jwt
import pytest

from conference_cli.main import main
from conference_cli.tokens import ttl_seconds


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("15m", 900), ("8h", 28800), ("2d", 172800)]
)
def test_a_ttl_is_seconds_or_a_unit(text: str, seconds: int) -> None:
    assert ttl_seconds(text) == seconds


@pytest.mark.parametrize("text", ["0", "31d", "8 hours", "-1h", "1.5h", ""])
def test_a_ttl_out_of_range_or_shape_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        ttl_seconds(text)


def test_the_command_prints_only_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    code = main(
        ["token", "--role", "organizer", "--role", "speaker", "--subject", "alice", "--ttl", "8h"]
    )

    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert code == 0
    assert (claims["sub"], claims["roles"], claims["exp"] - claims["iat"]) == (
        "alice",
        ["organizer", "speaker"],
        28800,
    )
    assert (tmp_path / "var" / "auth-signing-key.pem").exists()


def test_with_a_provider_the_command_refuses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUTH_JWKS_URL", "https://kc.example/certs")
    monkeypatch.setenv("AUTH_ISSUER", "https://kc.example/realms/R")
    monkeypatch.setenv("AUTH_AUDIENCE", "conference")

    assert main(["token", "--role", "organizer", "--subject", "alice"]) == 1
    assert "identity provider" in capsys.readouterr().err
