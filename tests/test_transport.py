"""The websockets decline permessage-deflate unless websocket_compression turns it on; the
long-polling fallback works with the connections' own packet queue (packet_queue.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import socketio
from aiohttp.test_utils import TestServer

from tests.conftest import ServerFactory


async def _handshake(server: TestServer) -> tuple[str | None, str]:
    """As a browser connects: offering the extension. (The extension header, the first frame.)"""
    url = server.make_url("/socket.io/").with_query(EIO="4", transport="websocket")
    async with aiohttp.ClientSession() as http, http.ws_connect(url, compress=15) as ws:
        extensions = ws._response.headers.get("Sec-WebSocket-Extensions")
        return extensions, (await ws.receive_str())


async def test_a_browser_offering_deflate_gets_a_plain_websocket_by_default(
    start_server: ServerFactory,
) -> None:
    extensions, first = await _handshake(await start_server())
    assert extensions is None
    assert first.startswith('0{"sid":')  # engine.io's open packet: the socket works


async def test_websocket_compression_can_be_turned_on(start_server: ServerFactory) -> None:
    extensions, first = await _handshake(await start_server(websocket_compression=True))
    assert extensions is not None and extensions.startswith("permessage-deflate")
    assert first.startswith('0{"sid":')


async def test_a_visitor_on_long_polling_gets_its_session_and_the_next_events(
    start_server: ServerFactory,
) -> None:
    server = await start_server()
    client = socketio.AsyncClient(reconnection=False)
    received: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    client.on("*", lambda event, data=None: received.put_nowait((event, data)),
              namespace="/visitor")
    await client.connect(str(server.make_url("")), namespaces=["/visitor"],
                         transports=["polling"], wait_timeout=5)
    assert client.transport() == "polling"
    events = dict([await asyncio.wait_for(received.get(), 5) for _ in range(2)])
    assert events["session"]["token"] and "available" in events["availability"]
    # One poll held open by the server, answered when the reply is queued.
    ack = await client.call("request_chat", {}, namespace="/visitor", timeout=5)
    assert ack["ok"] is False and ack["error"]["code"]  # no counselor on duty: refused, clearly
    # (A clean disconnect makes the client wait out its open poll: 30 s.)
    await client.eio.disconnect(abort=True)
