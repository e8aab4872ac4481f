"""The websockets decline permessage-deflate unless websocket_compression turns it on."""

from __future__ import annotations

import aiohttp
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
