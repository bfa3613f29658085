"""Every successful command answers a Consistency-Token naming the marks it moved."""

from __future__ import annotations

import httpx

from command_service.settings import Settings
from service_conventions.consistency.settings import consistency_tokens
from service_conventions.consistency.token import MarkKind, MarkRef
from tests.command_api.conftest import Api, conference_body, new_id, talk_body

START = "2026-06-01T10:00:00"


def marks(settings: Settings, answer: httpx.Response) -> dict[MarkRef, int]:
    assert answer.status_code in (200, 201), answer.text
    return dict(consistency_tokens(settings).open(answer.headers["Consistency-Token"]).versions)


def test_each_command_kind_names_what_it_moved(api: Api, settings: Settings) -> None:
    created = api.send("POST", "/conferences", conference_body())
    conf = created.json()["id"]
    assert marks(settings, created) == {(MarkKind.CONFERENCE, conf): 1}
    submitted = api.send("POST", "/talks", talk_body(conf))
    talk = submitted.json()["id"]
    assert marks(settings, submitted) == {(MarkKind.TALK, talk): 1}
    accepted = api.send("POST", f"/talks/{talk}/accept")
    assert marks(settings, accepted) == {(MarkKind.TALK, talk): 2}
    scheduled = api.send(
        "PUT", f"/conferences/{conf}/schedule/{talk}", {"stage": "Main", "starts_at": START}
    )
    assert marks(settings, scheduled) == {(MarkKind.CONFERENCE, conf): 2, (MarkKind.SLOT, talk): 2}
    rated = api.send("PUT", f"/talks/{talk}/ratings/ann", {"stars": 4})
    assert marks(settings, rated) == {(MarkKind.RATINGS, talk): 1}
    removed = api.send("DELETE", f"/talks/{talk}/ratings/ann")
    assert marks(settings, removed) == {(MarkKind.RATINGS, talk): 2}
    withdrawn = api.send("POST", f"/talks/{talk}/withdraw")
    assert marks(settings, withdrawn) == {
        (MarkKind.TALK, talk): 3,
        (MarkKind.CONFERENCE, conf): 3,
        (MarkKind.SLOT, talk): 3,
    }
    staged = api.send("POST", f"/conferences/{conf}/stages", {"name": "Annex"})
    assert marks(settings, staged) == {(MarkKind.CONFERENCE, conf): 4}


def test_a_replay_answers_a_token_for_the_same_version(api: Api, settings: Settings) -> None:
    body = conference_body()
    first = api.send("POST", "/conferences", body, **{"Idempotency-Key": "k-1"})
    again = api.send("POST", "/conferences", body, **{"Idempotency-Key": "k-1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert marks(settings, again) == marks(settings, first)


def test_a_refused_command_answers_no_token(api: Api) -> None:
    refused = api.send("POST", f"/talks/{new_id()}/accept")
    assert refused.status_code == 404
    assert "Consistency-Token" not in refused.headers
