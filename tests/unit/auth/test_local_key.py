"""The embedded default's signing key: made once with mode 0600, then reused."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import jwt
import pytest

from service_conventions.auth import local_key
from service_conventions.auth.issuing import CannotIssue, issue_token
from service_conventions.auth.keys import verifier_from
from service_conventions.auth.settings import AuthSettings
from service_conventions.auth.verifier import InvalidToken


def test_the_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "key.pem"

    first = local_key.load_or_create(path)
    again = local_key.load_or_create(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert again.kid == first.kid
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_a_token_issued_verifies_with_its_subject_and_roles(tmp_path: Path) -> None:
    settings = AuthSettings(auth_signing_key_file=tmp_path / "key.pem")

    token = issue_token(settings, subject="alice", roles=["organizer", "speaker"])

    principal = verifier_from(settings).verify(token)
    assert (principal.subject, principal.roles) == ("alice", frozenset({"organizer", "speaker"}))
    assert jwt.get_unverified_header(token)["alg"] == "ES256"


def test_expiry_allows_the_leeway_and_no_more(tmp_path: Path) -> None:
    settings = AuthSettings(auth_signing_key_file=tmp_path / "key.pem", auth_leeway_seconds=30)
    key = local_key.load_or_create(settings.auth_signing_key_file)
    verifier = verifier_from(settings)

    def expired_since(seconds: int) -> str:
        claims = {"iss": settings.auth_issuer, "aud": settings.auth_audience, "sub": "a"}
        claims["exp"] = int(time.time()) - seconds  # type: ignore[assignment]
        return jwt.encode(claims, key.private_key, algorithm="ES256", headers={"kid": key.kid})

    assert verifier.verify(expired_since(10)).subject == "a"
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(expired_since(60))


def test_another_key_file_is_another_deployment(tmp_path: Path) -> None:
    mine = AuthSettings(auth_signing_key_file=tmp_path / "mine.pem")
    theirs = AuthSettings(auth_signing_key_file=tmp_path / "theirs.pem")

    with pytest.raises(InvalidToken, match="unknown key"):
        verifier_from(mine).verify(issue_token(theirs, subject="a", roles=["organizer"]))


def test_a_provider_deployment_issues_no_tokens_of_its_own() -> None:
    settings = AuthSettings(
        auth_jwks_url="https://kc.example/certs", auth_issuer="i", auth_audience="a"
    )
    with pytest.raises(CannotIssue):
        issue_token(settings, subject="a", roles=[])


@pytest.mark.parametrize("algorithms", [("HS256",), ("none",), ("RS256", "HS512"), ()])
def test_only_asymmetric_algorithms_may_be_allowed(algorithms: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="asymmetric"):
        AuthSettings(auth_algorithms=algorithms)
