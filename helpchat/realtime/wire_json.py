"""The JSON of the socket.io wire (every packet in and out, and what processes publish to each
other) by orjson: python-socketio takes any module with `dumps` and `loads`. With it and
`_InlineDelivery` (pubsub.py) the relay's server CPU per message fell by 15 % (README, speed).

What orjson refuses goes to engineio's own module, which the server used before, so that every
packet is read (and answered) as before: it writes no integer beyond 64 bits, and reads none of
Python json's extensions (Infinity, NaN), which a Python client may send. orjson reads an
integer beyond 64 bits as a float: the events' validation refuses it as any wrong type."""

from __future__ import annotations

from typing import Any

import orjson
from engineio import json as engineio_json
from socketio.packet import Packet


def dumps(obj: Any, **options: Any) -> str:
    try:
        # Keys that are not strings become strings, as json.dumps writes them.
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return engineio_json.dumps(obj, **options)


def loads(text: str | bytes, **options: Any) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # not JSON at all raises a ValueError there too, as before
        return engineio_json.loads(text, **options)


class JsonPacket(Packet):  # type: ignore[misc]
    """A socket.io packet of helpchat's events, which carry JSON only. python-socketio would
    search the data of every packet sent for bytes to send as attachments: 4 % of the
    server's time relaying 2,000 msg/s (py-spy). A client's binary packet is still read, and
    refused by the events' validation as any other wrong type. (Its `json` is this module:
    app.py gives both to the server.)"""

    uses_binary_events = False
