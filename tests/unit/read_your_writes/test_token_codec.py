"""The Consistency-Token: only ours, unaltered ones open; tokens combine (ADR 080)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from service_conventions.consistency.settings import ConsistencyTokenSettings, consistency_tokens
from service_conventions.consistency.token import (
    MAX_MARKS,
    ConsistencyTokens,
    InvalidConsistencyToken,
    Mark,
    MarkKind,
)

KEY = b"k" * 32
TALK = Mark(MarkKind.TALK, "t-1", 3)
SLOT = Mark(MarkKind.SLOT, "t-1", 7)
CONFERENCE = Mark(MarkKind.CONFERENCE, "c-1", 7)


def test_a_token_opens_to_its_marks() -> None:
    tokens = ConsistencyTokens(KEY)
    token = tokens.issue([TALK, CONFERENCE, SLOT])
    assert token.startswith("ct1.")
    assert tokens.open(token).versions == {
        TALK.ref: 3,
        CONFERENCE.ref: 7,
        SLOT.ref: 7,
    }


def test_comma_joined_tokens_wait_for_the_highest_version_of_each_mark() -> None:
    tokens = ConsistencyTokens(KEY)
    older = tokens.issue([Mark(MarkKind.TALK, "t-1", 2), CONFERENCE])
    newer = tokens.issue([TALK, Mark(MarkKind.RATINGS, "t-1", 1)])
    awaited = tokens.open(f"{older}, {newer}")
    assert awaited.versions == {TALK.ref: 3, CONFERENCE.ref: 7, (MarkKind.RATINGS, "t-1"): 1}
    assert tokens.open(tokens.combine([older, newer])) == awaited


def test_a_client_may_join_tokens_itself_in_any_order() -> None:
    tokens = ConsistencyTokens(KEY)
    one, two = tokens.issue([TALK]), tokens.issue([CONFERENCE])
    assert tokens.open(f"{one},{two}") == tokens.open(f"{two},{one}")


def test_reached_by_needs_every_mark_at_its_version() -> None:
    awaited = ConsistencyTokens(KEY).open(ConsistencyTokens(KEY).issue([TALK, CONFERENCE]))
    assert awaited.reached_by({TALK.ref: 3, CONFERENCE.ref: 9})
    assert not awaited.reached_by({TALK.ref: 3, CONFERENCE.ref: 6})
    assert not awaited.reached_by({TALK.ref: 4})  # a missing document is at 0


def _tampered(token: str) -> str:
    prefix, payload, mac = token.split(".")
    marks = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    marks[0][2] = 99
    forged = base64.urlsafe_b64encode(json.dumps(marks).encode()).decode().rstrip("=")
    return f"{prefix}.{forged}.{mac}"


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "garbage",
        "ct1",
        "ct1..",
        "ct1.e30.",
        "ct2.W10.mac",
        "ct1.W10.mac",
        "é.b.c",
    ],
)
def test_anything_not_issued_is_refused(forged: str) -> None:
    with pytest.raises(InvalidConsistencyToken):
        ConsistencyTokens(KEY).open(forged)


def test_a_tampered_token_is_refused() -> None:
    tokens = ConsistencyTokens(KEY)
    with pytest.raises(InvalidConsistencyToken, match="not signed"):
        tokens.open(_tampered(tokens.issue([TALK])))


def test_one_bad_token_among_good_ones_refuses_the_whole_header() -> None:
    tokens = ConsistencyTokens(KEY)
    with pytest.raises(InvalidConsistencyToken):
        tokens.open(f"{tokens.issue([TALK])},{_tampered(tokens.issue([TALK]))}")


def test_a_token_of_another_deployment_is_refused() -> None:
    foreign = ConsistencyTokens(b"another key, another deployment").issue([TALK])
    with pytest.raises(InvalidConsistencyToken, match="not signed"):
        ConsistencyTokens(KEY).open(foreign)


def test_previous_keys_still_open_tokens_during_a_rotation() -> None:
    old = ConsistencyTokens(b"old key" * 4)
    rotated = ConsistencyTokens(b"new key" * 4, previous_keys=[b"old key" * 4])
    assert rotated.open(old.issue([TALK])).versions == {TALK.ref: 3}
    with pytest.raises(InvalidConsistencyToken):
        old.open(rotated.issue([TALK]))  # new tokens are signed with the new key only


@pytest.mark.parametrize(
    "marks",
    [
        {"not": "a list"},
        [["talk", "t-1"]],
        [["unknown-kind", "t-1", 1]],
        [["talk", "", 1]],
        [["talk", "t" * 101, 1]],
        [["talk", "t-1", -1]],
        [["talk", "t-1", True]],
        [["talk", "t-1", "3"]],
    ],
)
def test_a_signed_yet_unreadable_token_is_refused(marks: object) -> None:
    """Only a holder of the key could make one: still a 422, never a 500."""
    payload = base64.urlsafe_b64encode(json.dumps(marks).encode()).decode().rstrip("=")
    signed = f"ct1.{payload}"
    digest = hmac.new(
        KEY, b"conference-program:consistency-token:v1:" + signed.encode(), hashlib.sha256
    ).digest()
    mac = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    with pytest.raises(InvalidConsistencyToken, match="damaged"):
        ConsistencyTokens(KEY).open(f"{signed}.{mac}")


def test_too_many_marks_are_refused() -> None:
    tokens = ConsistencyTokens(KEY)
    many = [Mark(MarkKind.TALK, f"t-{i}", 1) for i in range(MAX_MARKS + 1)]
    tokens.open(tokens.issue(many[:MAX_MARKS]))
    with pytest.raises(InvalidConsistencyToken, match="at most"):
        tokens.open(tokens.issue(many))


def test_the_key_comes_from_the_setting_else_a_shared_file(tmp_path: Path) -> None:
    file = tmp_path / "var" / "consistency-token.key"
    by_file = ConsistencyTokenSettings(consistency_token_key_file=file)
    token = consistency_tokens(by_file).issue([TALK])
    assert file.exists()
    assert consistency_tokens(by_file).open(token).versions == {TALK.ref: 3}  # another role
    configured = ConsistencyTokenSettings(
        consistency_token_key="a-configured-key-of-16+",
        consistency_token_previous_keys=file.read_text(),
        consistency_token_key_file=tmp_path / "unused.key",
    )
    assert consistency_tokens(configured).open(token).versions == {TALK.ref: 3}
    assert not (tmp_path / "unused.key").exists()


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        ConsistencyTokens(b"")
