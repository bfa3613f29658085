"""The request bodies parse raw JSON into the domain's typed values, with its limits.

The OpenAPI document shows the domain's enums and limits (the same ``Level`` and ``Format``
the search API shows); what JSON Schema cannot say is still refused at the edge, naming the
field, together with every other offending field of the request.
"""

from __future__ import annotations

from typing import Any

import pytest

from query_service.api.app import create_api
from shared_domain import limits
from shared_domain.values import Format, Level
from tests.command_api.conftest import Api, assert_problem, conference_body, fields_of, talk_body


def schemas(api: Api) -> dict[str, Any]:
    document: dict[str, Any] = api.client.get("/openapi.json").json()
    return dict(document["components"]["schemas"])


def test_the_submit_talk_body_shows_the_domains_enums_and_limits(api: Api) -> None:
    components = schemas(api)
    body = components["SubmitTalkBody"]["properties"]

    assert components[body["level"]["$ref"].rsplit("/", 1)[-1]]["enum"] == [m.value for m in Level]
    assert components[body["format"]["$ref"].rsplit("/", 1)[-1]]["enum"] == [
        m.value for m in Format
    ]
    assert body["tags"]["items"]["pattern"] == limits.TAG_PATTERN.pattern
    assert (body["title"]["minLength"], body["title"]["maxLength"]) == (
        limits.TITLE.low,
        limits.TITLE.high,
    )
    assert body["abstract"]["maxLength"] == limits.ABSTRACT.high
    assert (body["speakers"]["minItems"], body["speakers"]["maxItems"]) == (
        limits.SPEAKERS.low,
        limits.SPEAKERS.high,
    )
    [duration, _null] = body["duration_minutes"]["anyOf"]
    assert (duration["minimum"], duration["maximum"]) == (
        limits.DURATION_MINUTES.low,
        limits.DURATION_MINUTES.high,
    )
    speaker = components["SpeakerBody"]["properties"]
    assert speaker["name"]["maxLength"] == limits.SPEAKER_NAME.high


def test_the_other_bodies_show_their_limits_and_formats(api: Api) -> None:
    components = schemas(api)
    conference = components["CreateConferenceBody"]["properties"]
    assert conference["name"]["maxLength"] == limits.CONFERENCE_NAME.high
    assert conference["starts_on"]["format"] == conference["ends_on"]["format"] == "date"
    assert conference["stages"]["maxItems"] == limits.STAGES.high
    assert conference["stages"]["items"]["maxLength"] == limits.STAGE_NAME.high
    assert components["ScheduleTalkBody"]["properties"]["starts_at"]["format"] == "date-time"
    stars = components["RateTalkBody"]["properties"]["stars"]
    assert (stars["minimum"], stars["maximum"]) == (limits.STARS.low, limits.STARS.high)
    assert components["RejectTalkBody"]["properties"]["reason"]["maxLength"] == (limits.REASON.high)


def test_both_apis_show_the_same_level_and_format(api: Api) -> None:
    search = create_api(None).openapi()["components"]["schemas"]  # type: ignore[arg-type]
    write = schemas(api)
    assert search["Level"]["enum"] == write["Level"]["enum"]
    assert search["Format"]["enum"] == write["Format"]["enum"]


@pytest.mark.parametrize(
    ("speaker", "field"),
    [({}, "speakers.0.name"), ({"name": "Ada", "email": "a@b.c"}, "speakers.0.email")],
)
def test_a_speaker_is_an_object_of_name_and_company(
    api: Api, speaker: dict[str, str], field: str
) -> None:
    response = api.send("POST", "/talks", talk_body(api.conference(), speakers=[speaker]))
    assert fields_of(assert_problem(response, 422, "invalid-input")) == {field}


@pytest.mark.parametrize("moment", ["1780308000", "2026-06-01 morning", "T10:00"])
def test_a_start_time_is_iso_8601_only(api: Api, moment: str) -> None:
    # pydantic alone would read "1780308000" as a Unix time; the domain's ISO rule stands
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    response = api.send(
        "PUT",
        f"/conferences/{conference_id}/schedule/{talk_id}",
        {"stage": "Main", "starts_at": moment},
    )
    assert fields_of(assert_problem(response, 422, "invalid-input")) == {"starts_at"}


def test_a_conference_day_is_an_iso_date_only(api: Api) -> None:
    response = api.send("POST", "/conferences", conference_body(starts_on="1780308000"))
    assert fields_of(assert_problem(response, 422, "invalid-input")) == {"starts_on"}


def test_tags_count_once_folded(api: Api) -> None:
    tags = [f"t{n}" for n in range(10)] + [" T0 ", "T1"]
    talk_id = api.talk(api.conference(), tags=tags)
    assert api.outbox(talk_id)[0]["data"]["tags"] == [f"t{n}" for n in range(10)]


def test_rules_json_schema_cannot_say_are_reported_with_the_other_fields(api: Api) -> None:
    body = talk_body(api.conference(), title="", speakers=[{"name": "Ann"}, {"name": " ANN"}])
    problem = assert_problem(api.send("POST", "/talks", body), 422, "invalid-input")
    assert fields_of(problem) == {"title", "speakers"}


@pytest.mark.parametrize("field", ["title", "abstract", "speakers", "tags", "level", "format"])
def test_an_edit_may_leave_a_field_out_but_not_null_it(api: Api, field: str) -> None:
    talk_id = api.talk(api.conference())
    response = api.send("PATCH", f"/talks/{talk_id}", {field: None})
    assert fields_of(assert_problem(response, 422, "invalid-input")) == {field}


def test_an_edit_nulling_the_duration_restores_the_formats_default(api: Api) -> None:
    talk_id = api.talk(api.conference(), duration_minutes=25)
    api.ok("PATCH", f"/talks/{talk_id}", {"duration_minutes": None})
    assert api.outbox(talk_id)[-1]["data"]["duration_minutes"] == 40
