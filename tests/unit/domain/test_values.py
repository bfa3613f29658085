"""Value objects and input parsers (shared_domain.values) and the error vocabulary."""

from __future__ import annotations

from enum import StrEnum

import pytest

from shared_domain import errors, values
from shared_domain.errors import FieldError, FieldErrors, InvalidInput, invalid
from shared_domain.values import DEFAULT_DURATION_MINUTES, Format, Level, Speaker
from tests.unit.domain.typed_input import speaker


def fields_of(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    assert type(error.value) is InvalidInput
    return [e.field for e in error.value.errors]


# --- text / integer / choice ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("abc", "abc"), ("  abc  ", "abc"), ("\tab c\n", "ab c"), (" " + "x" * 5 + " ", "xxxxx")],
)
def test_text_is_trimmed(raw: str, expected: str) -> None:
    assert values.text("f", raw, min_len=3, max_len=5) == expected


@pytest.mark.parametrize("raw", ["ab", "  ab  ", "xxxxxx", "", None, 123, ["abc"]])
def test_text_out_of_bounds_or_not_a_string_is_refused(raw: str | int | list[str] | None) -> None:
    with pytest.raises(InvalidInput) as info:
        # wrong type on purpose
        values.text("f", raw, min_len=3, max_len=5)  # type: ignore[arg-type]
    assert fields_of(info) == ["f"]


def test_text_with_zero_minimum_accepts_blank_as_empty() -> None:
    assert values.text("f", "   ", min_len=0, max_len=5) == ""


@pytest.mark.parametrize("raw", [5, 7, 10])
def test_integer_in_range(raw: int) -> None:
    assert values.integer("n", raw, low=5, high=10) == raw


@pytest.mark.parametrize(
    ("raw", "low"),
    [(4, 5), (11, 5), (True, 0), (False, 0), (7.0, 5), ("7", 5), (None, 5)],
)
def test_integer_out_of_range_or_not_an_int_is_refused(
    raw: int | float | str | None, low: int
) -> None:
    # bools are refused as such, even where their int value (0 or 1) would be in range
    with pytest.raises(InvalidInput) as info:
        # wrong type on purpose
        values.integer("n", raw, low=low, high=10)  # type: ignore[arg-type]
    assert fields_of(info) == ["n"]


@pytest.mark.parametrize(
    ("enum", "members"),
    [
        (Level, ["beginner", "intermediate", "advanced"]),
        (Format, ["talk", "lightning", "workshop", "keynote"]),
    ],
)
def test_enums_have_exactly_the_specified_members(enum: type[StrEnum], members: list[str]) -> None:
    assert [m.value for m in enum] == members
    for member in members:
        assert values.choice("x", member, enum) == member


@pytest.mark.parametrize("raw", ["Beginner", "expert", "", None, 1, ["talk"]])
def test_choice_outside_the_enum_is_refused(raw: str | int | list[str] | None) -> None:
    with pytest.raises(InvalidInput) as info:
        values.choice("level", raw, Level)  # type: ignore[arg-type]  # wrong type on purpose
    assert fields_of(info) == ["level"]


def test_default_durations_by_format() -> None:
    assert dict(DEFAULT_DURATION_MINUTES) == {
        Format.TALK: 40,
        Format.LIGHTNING: 10,
        Format.WORKSHOP: 120,
        Format.KEYNOTE: 45,
    }


# --- timezone --------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
def test_known_iana_timezones_are_accepted(raw: str) -> None:
    assert values.timezone("timezone", raw) == raw


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " UTC",
        "UTC ",
        "Mars/Olympus_Mons",
        "localtime",  # depends on the machine
        "Factory",
        "Europe",  # a folder of the tz database, not a zone
        "Etc",
        "../../etc/passwd",
        "/usr/share/zoneinfo/UTC",
        "+02:00",
        None,
        0,
    ],
)
def test_unknown_timezones_are_refused(raw: str | int | None) -> None:
    with pytest.raises(InvalidInput) as info:
        values.timezone("timezone", raw)  # type: ignore[arg-type]  # wrong type on purpose
    assert fields_of(info) == ["timezone"]


# --- attendee id and stars ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["a", "x" * 64, "ada.lovelace@example.org", "user_42-b", "ABCxyz019"]
)
def test_valid_attendee_ids(raw: str) -> None:
    assert values.attendee_id(raw) == raw


@pytest.mark.parametrize(
    "raw", ["", "x" * 65, "has space", "ümlaut", "a/b", "a+b", "abc\n", " abc", None, 42]
)
def test_invalid_attendee_ids(raw: str | int | None) -> None:
    with pytest.raises(InvalidInput) as info:
        values.attendee_id(raw)  # type: ignore[arg-type]  # wrong type on purpose
    assert fields_of(info) == ["attendee_id"]


@pytest.mark.parametrize("raw", [1, 2, 3, 4, 5])
def test_stars_one_to_five(raw: int) -> None:
    assert values.stars(raw) == raw


@pytest.mark.parametrize("raw", [0, 6, -1, True, False, 4.0, 4.5, "4", None])
def test_stars_outside_one_to_five_or_not_int_are_refused(raw: int | float | str | None) -> None:
    with pytest.raises(InvalidInput) as info:
        values.stars(raw)  # type: ignore[arg-type]  # wrong type on purpose
    assert fields_of(info) == ["stars"]


# --- speakers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"name": "Ada"}, Speaker("Ada", None)),
        ({"name": "  Ada  ", "company": "  ACME "}, Speaker("Ada", "ACME")),
        ({"name": "Ada", "company": None}, Speaker("Ada", None)),
        ({"name": "Ada", "company": ""}, Speaker("Ada", None)),
        ({"name": "Ada", "company": "   "}, Speaker("Ada", None)),
        ({"name": "n" * 100, "company": "c" * 100}, Speaker("n" * 100, "c" * 100)),
        ({"name": "x"}, Speaker("x", None)),
    ],
)
def test_speaker_check(raw: dict[str, str | None], expected: Speaker) -> None:
    assert values.speaker(speaker(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ({"name": ""}, ["name"]),
        ({"name": "   "}, ["name"]),
        ({"name": "n" * 101}, ["name"]),
        ({"name": "Ada", "company": "c" * 101}, ["company"]),
        ({"name": "Ada", "company": 7}, ["company"]),
        ({"name": 7, "company": "c" * 101}, ["name", "company"]),
    ],
)
def test_speaker_check_refusals_name_the_field(
    raw: dict[str, str | int], fields: list[str]
) -> None:
    with pytest.raises(InvalidInput) as info:
        values.speaker(speaker(raw))
    assert fields_of(info) == fields


@pytest.mark.parametrize("count", [1, 5])
def test_one_to_five_speakers(count: int) -> None:
    raw = [Speaker(f"Speaker {i}") for i in range(count)]
    assert [s.name for s in values.speakers(raw)] == [f"Speaker {i}" for i in range(count)]


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ([], ["speakers"]),
        ([{"name": f"Speaker {i}"} for i in range(6)], ["speakers"]),
        ("Ada", ["speakers"]),
        (None, ["speakers"]),
        ([{"name": "Ada"}, "Grace"], ["speakers.1"]),
        (
            [{"name": ""}, {"name": "Bo", "company": "c" * 101}],
            ["speakers.0.name", "speakers.1.company"],
        ),
        ([{"name": "Ada Lovelace"}, {"name": "  ada   LOVELACE "}], ["speakers"]),
    ],
)
def test_speakers_refusals(raw: list[dict[str, str] | str] | str | None, fields: list[str]) -> None:
    given = [speaker(item) for item in raw] if isinstance(raw, list) else raw
    with pytest.raises(InvalidInput) as info:
        values.speakers(given)  # type: ignore[arg-type]  # wrong type on purpose
    assert fields_of(info) == fields


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Ada Lovelace", "ada lovelace", True),
        ("Ada Lovelace", "  ADA LOVELACE  ", True),
        ("Straße", "STRASSE", True),  # case folding, not just lower()
        ("Ada Lovelace", "Ada Byron", False),
    ],
)
def test_speaker_key_ignores_case_and_surrounding_space(a: str, b: str, same: bool) -> None:
    assert (values.speaker_key(a) == values.speaker_key(b)) is same
    assert Speaker(a).key == values.speaker_key(a)


# --- tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([], ()),
        (("python",), ("python",)),
        (["Python", "PYTHON", "python", "k8s"], ("python", "k8s")),
        ([" Cloud-Native "], ("cloud-native",)),
        (["b", "a", "B"], ("b", "a")),  # first occurrence order
        (["a" * 30], ("a" * 30,)),
        ([f"t{i}" for i in range(10)], tuple(f"t{i}" for i in range(10))),
        ([f"t{i}" for i in range(10)] + ["T0"], tuple(f"t{i}" for i in range(10))),
    ],
)
def test_tags_are_normalized_and_collapsed(
    raw: list[str] | tuple[str, ...], expected: tuple[str, ...]
) -> None:
    assert values.tags(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ([f"t{i}" for i in range(11)], ["tags"]),
        (["a" * 31], ["tags.0"]),
        (["ok", ""], ["tags.1"]),
        (
            ["c++", "ok", "two words", "under_score", "ümlaut"],
            ["tags.0", "tags.2", "tags.3", "tags.4"],
        ),
        ([3], ["tags.0"]),
        ("python", ["tags"]),
        (None, ["tags"]),
    ],
)
def test_tag_refusals(raw: list[str] | list[int] | str | None, fields: list[str]) -> None:
    with pytest.raises(InvalidInput) as info:
        values.tags(raw)  # type: ignore[arg-type]  # wrong type on purpose
    assert fields_of(info) == fields


# --- errors ----------------------------------------------------------------------------------


def test_field_errors_prefix_relative_names_once() -> None:
    collected = FieldErrors()
    with collected.field("speakers.0"):
        raise invalid("name", "bad")  # relative to the prefix
    with collected.field("speakers"):
        raise invalid("speakers.1.company", "bad")  # already named from the root
    with collected.field("title"):
        raise invalid("title", "bad")
    with collected.field("tags.2"):
        raise invalid("", "bad")
    assert [e.field for e in collected.errors] == [
        "speakers.0.name",
        "speakers.1.company",
        "title",
        "tags.2",
    ]
    with pytest.raises(InvalidInput) as info:
        collected.raise_if_any()
    assert info.value.errors == collected.errors
    assert info.value.detail == "; ".join(f"{e.field}: bad" for e in collected.errors)


def test_field_errors_without_errors_do_not_raise() -> None:
    FieldErrors().raise_if_any()


def test_every_error_class_has_its_own_code() -> None:
    classes = [
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type) and issubclass(obj, errors.DomainError)
    ]
    codes = [cls.code for cls in classes]
    assert len(classes) > 20
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize(
    ("error", "family"),
    [
        (errors.UnknownConference("c"), errors.InvalidInput),
        (errors.ConferenceNotFound("c"), errors.NotFound),
        (errors.TalkNotFound("t"), errors.NotFound),
        (errors.RatingNotFound("t", "a"), errors.NotFound),
        (errors.StageInUse("x"), errors.RuleViolation),
        (errors.SpeakerDoubleBooked("x"), errors.RuleViolation),
    ],
)
def test_error_families(error: errors.DomainError, family: type[errors.DomainError]) -> None:
    assert isinstance(error, family)
    assert error.detail


def test_unknown_conference_names_the_field() -> None:
    assert errors.UnknownConference("c-9").errors == [
        FieldError("conference_id", "no conference with id 'c-9'")
    ]


@pytest.mark.parametrize("raw", ["Ada\ud800", "Ada\x00"])
def test_text_that_no_database_can_store_is_refused(raw: str) -> None:
    from shared_domain import values
    from shared_domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        values.text("name", raw, min_len=1, max_len=100)
    assert [e.field for e in error.value.errors] == ["name"]


# --- visible text ---------------------------------------------------------------------

INVISIBLE = ["\u200b", "\u202e", "\ufeff", "\u2060\u200d", "\x7f", "\u00ad", "\u3164", "\u2800"]


@pytest.mark.parametrize("raw", INVISIBLE)
def test_text_of_invisible_characters_only_is_refused(raw: str) -> None:
    for min_len in (0, 1):
        with pytest.raises(InvalidInput) as info:
            values.text("f", raw * 3, min_len=min_len, max_len=50)
        assert fields_of(info) == ["f"]
        assert "visible" in info.value.errors[0].message


@pytest.mark.parametrize("raw", ["\u200bTitle", "Ada\u202e", "\ufeffé", "a\u3000b", "日本"])
def test_text_with_a_visible_character_passes(raw: str) -> None:
    assert values.text("f", raw, min_len=1, max_len=50) == raw


def test_a_speakers_invisible_company_is_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        values.speaker(Speaker("Ada", "\u200b\u200b"))
    assert fields_of(info) == ["company"]
