"""The wire's JSON reads and writes what python-socketio's own module did."""

from __future__ import annotations

import json

import pytest
from socketio import packet

from helpchat.realtime import wire_json
from tests.support import visitor


def test_writes_compact_json_that_reads_back_the_same() -> None:
    value = {"text": "hé 👋 \"quoted\"", "n": [1, 2.5, None, True], "nested": {"a": {}}}
    written = wire_json.dumps(value, separators=(",", ":"))
    assert json.loads(written) == value
    assert ", " not in written and ": " not in written


def test_keys_that_are_not_strings_are_written_as_strings_as_json_does() -> None:
    assert json.loads(wire_json.dumps({1: "a", 2: "b"})) == {"1": "a", "2": "b"}


def test_an_integer_beyond_64_bits_is_read_as_a_number_and_written_exactly() -> None:
    # orjson reads it as a float: the events' validation refuses it as any wrong type.
    assert wire_json.loads(f'{{"rating": {10**30}}}') == {"rating": 1e30}
    assert json.loads(wire_json.dumps([10**30])) == [10**30]


def test_what_python_json_writes_beyond_json_is_read_as_before() -> None:
    # A Python client's json.dumps writes Infinity and NaN; orjson alone would not read them.
    assert wire_json.loads('{"a": Infinity, "b": -Infinity}') == {"a": float("inf"),
                                                                  "b": float("-inf")}
    assert wire_json.loads(wire_json.dumps({"big": 10**30, "x": float("inf")})) == \
        {"big": 10**30, "x": float("inf")}


@pytest.mark.parametrize("junk", ["{", "", "nope", b"\xff\xfe", '{"a": 1,}'])
def test_text_that_is_not_json_raises_a_value_error(junk: str | bytes) -> None:
    with pytest.raises(ValueError):
        wire_json.loads(junk)


def test_a_packet_is_encoded_as_python_socketios_own_without_looking_for_bytes() -> None:
    data = ["message", {"text": "hoi", "n": [1, {"deep": [None, True]}]}]
    sent = wire_json.JsonPacket(packet.EVENT, data=data, namespace="/visitor", id=7)
    assert sent.encode() == packet.Packet(packet.EVENT, data=data, namespace="/visitor",
                                          id=7).encode()
    assert sent.packet_type == packet.EVENT


async def test_a_binary_event_from_a_client_is_refused_as_a_wrong_type(base_url: str) -> None:
    youth, _ = await visitor(base_url)
    ack = await youth.call("request_chat", b"\x00\x01 binary")
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    assert (await youth.call("sync", {}))["ok"]  # and the socket serves on
    await youth.close()
