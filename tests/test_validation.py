"""Payload validation: every field's type, length and format."""

from __future__ import annotations

from typing import Any

import pytest

from helpchat import validation
from helpchat.errors import HelpchatError


def code_of(call: Any, *args: Any) -> str:
    with pytest.raises(HelpchatError) as info:
        call(*args)
    return info.value.code


@pytest.mark.parametrize("data", [[], "x", 3, True])
def test_payload_must_be_an_object(data: Any) -> None:
    assert code_of(validation.payload, data) == "invalid"


def test_absent_payload_is_an_empty_object() -> None:
    assert validation.payload(None) == {}


def test_text_over_the_limit_is_too_large_and_empty_text_is_invalid() -> None:
    assert code_of(validation.message_text, {"text": "x" * 2001}, 2000) == "too_large"
    assert validation.message_text({"text": "x" * 2000}, 2000) == "x" * 2000
    assert code_of(validation.message_text, {"text": "   "}, 2000) == "invalid"
    assert code_of(validation.message_text, {"text": 5}, 2000) == "invalid"


@pytest.mark.parametrize("value", ["", "x" * 65, "met spatie", "\x00", 5, None])
def test_bad_client_ids_are_invalid(value: Any) -> None:
    assert code_of(validation.client_id, {"client_id": value}) == "invalid"


def test_ids_that_could_reach_a_redis_key_must_match_their_format() -> None:
    assert validation.conversation_id({"conversation_id": "a" * 32}) == "a" * 32
    for bad in ("*", "a" * 31, "../" + "a" * 29, "A" * 32, "hc:queue"):
        assert code_of(validation.conversation_id, {"conversation_id": bad}) == "invalid"
    assert validation.after_id({"after": "1795266007952-0"}) == "1795266007952-0"
    assert validation.after_id({}) is None
    assert code_of(validation.after_id, {"after": "-"}) == "invalid"


@pytest.mark.parametrize("rating", [0, 6, 2.5, True, "5"])
def test_rating_is_a_whole_number_from_one_to_five(rating: Any) -> None:
    assert code_of(validation.rating, {"rating": rating}) == "invalid"


def test_topic_must_be_configured_when_a_list_exists() -> None:
    assert validation.topic({"topic": "School"}, ("School",)) == "School"
    assert validation.topic({}, ("School",)) is None
    assert code_of(validation.topic, {"topic": "Other"}, ("School",)) == "invalid"
    assert validation.topic({"topic": "Anything"}, ()) == "Anything"


def test_duty_accepts_protocol_on_flag_and_console_status() -> None:
    assert validation.duty_state({"on": True}) == "on"
    assert validation.duty_state({"on": False}) == "off"
    assert validation.duty_state({"status": "pause"}) == "pause"
    assert code_of(validation.duty_state, {"on": "yes"}) == "invalid"
    assert code_of(validation.duty_state, {"status": "lunch"}) == "invalid"


def test_transfer_target_is_an_id_or_null_and_required() -> None:
    assert validation.transfer_target({"to": None}) is None
    assert validation.transfer_target({"to": "b" * 32}) == "b" * 32
    assert code_of(validation.transfer_target, {}) == "invalid"


def test_visitor_auth_ignores_malformed_tokens() -> None:
    assert validation.visitor_auth({"token": "a" * 43, "lang": "en"}) == ("a" * 43, "en")
    assert validation.visitor_auth({"token": "a b"})[0] is None
    assert validation.visitor_auth("token") == (None, None)
