"""A token that verified is taken as verified again only while it is unexpired and recent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service_conventions.auth import local_key
from service_conventions.auth.issuing import issue_token
from service_conventions.auth.keys import LocalKeys
from service_conventions.auth.settings import AuthSettings
from service_conventions.auth.verified_tokens import VerifiedTokens
from service_conventions.auth.verifier import InvalidToken, Principal, TokenVerifier

ALICE = Principal("alice", frozenset({"organizer"}))
BOB = Principal("bob", frozenset())


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_remembered_token_answers_its_principal() -> None:
    tokens = VerifiedTokens(max_age=60, clock=Clock())
    tokens.put("t", ALICE, expires_at=2_000)
    assert tokens.get("t") == ALICE
    assert tokens.get("another") is None


def test_a_token_past_its_expiry_is_forgotten() -> None:
    clock = Clock()
    tokens = VerifiedTokens(max_age=600, clock=clock)
    tokens.put("t", ALICE, expires_at=1_030)
    clock.now = 1_030
    assert tokens.get("t") == ALICE
    clock.now = 1_030.5
    assert tokens.get("t") is None
    assert len(tokens) == 0


def test_an_entry_older_than_max_age_is_verified_afresh() -> None:
    clock = Clock()
    tokens = VerifiedTokens(max_age=60, clock=clock)
    tokens.put("t", ALICE, expires_at=10_000)
    clock.now += 59.9
    assert tokens.get("t") == ALICE
    clock.now += 0.1
    assert tokens.get("t") is None


def test_the_least_recently_used_goes_first_when_full() -> None:
    tokens = VerifiedTokens(max_age=60, capacity=2, clock=Clock())
    tokens.put("a", ALICE, expires_at=2_000)
    tokens.put("b", BOB, expires_at=2_000)
    assert tokens.get("a") == ALICE  # "b" is now the least recently used
    tokens.put("c", BOB, expires_at=2_000)
    assert (tokens.get("a"), tokens.get("b"), tokens.get("c")) == (ALICE, None, BOB)


def test_a_max_age_of_zero_remembers_nothing() -> None:
    tokens = VerifiedTokens(max_age=0, clock=Clock())
    tokens.put("t", ALICE, expires_at=2_000)
    assert tokens.get("t") is None


class WithdrawableKeys:
    """The local key, counting its lookups, until the test withdraws it."""

    def __init__(self, key: local_key.LocalKey) -> None:
        self._keys = LocalKeys(key)
        self.lookups = 0
        self.withdrawn = False

    def key_for(self, token: str, header: dict[str, Any]) -> tuple[Any, str]:
        self.lookups += 1
        if self.withdrawn:
            raise InvalidToken("the token is signed by an unknown key")
        return self._keys.key_for(token, header)


@pytest.fixture
def settings(tmp_path: Path) -> AuthSettings:
    return AuthSettings(auth_signing_key_file=tmp_path / "key.pem")


def verifier(settings: AuthSettings, keys: WithdrawableKeys, clock: Clock) -> TokenVerifier:
    return TokenVerifier(
        keys,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        algorithms={local_key.ALGORITHM},
        leeway_seconds=0,
        roles_claim="roles",
        verified=VerifiedTokens(max_age=60, clock=clock),
    )


def test_the_verifier_checks_a_token_once_within_max_age(settings: AuthSettings) -> None:
    keys = WithdrawableKeys(local_key.load_or_create(settings.auth_signing_key_file))
    clock = Clock()
    checking = verifier(settings, keys, clock)
    token = issue_token(settings, subject="alice", roles=["organizer"])

    assert checking.verify(token) == checking.verify(token) == ALICE
    assert keys.lookups == 1


def test_a_withdrawn_key_stops_counting_once_max_age_has_passed(settings: AuthSettings) -> None:
    keys = WithdrawableKeys(local_key.load_or_create(settings.auth_signing_key_file))
    clock = Clock()
    checking = verifier(settings, keys, clock)
    token = issue_token(settings, subject="alice", roles=["organizer"])
    checking.verify(token)

    keys.withdrawn = True
    clock.now += 60
    with pytest.raises(InvalidToken, match="unknown key"):
        checking.verify(token)


def test_a_token_that_failed_is_checked_again_every_time(settings: AuthSettings) -> None:
    keys = WithdrawableKeys(local_key.load_or_create(settings.auth_signing_key_file))
    checking = verifier(settings, keys, Clock())
    forged = issue_token(settings, subject="alice", roles=["organizer"])[:-4] + "AAAA"

    for _ in range(2):
        with pytest.raises(InvalidToken):
            checking.verify(forged)
    assert keys.lookups == 2


def test_only_a_token_that_verified_is_remembered(settings: AuthSettings) -> None:
    keys = WithdrawableKeys(local_key.load_or_create(settings.auth_signing_key_file))
    checking = verifier(settings, keys, Clock())
    token = issue_token(settings, subject="alice", roles=["organizer"])

    assert checking.remembered(token) is None
    checking.verify(token)
    assert checking.remembered(token) == ALICE
