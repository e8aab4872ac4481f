"""The websocket under socket.io, with permessage-deflate only when configured.

Browsers always offer the extension and engineio's aiohttp driver always accepts it. Each such
socket then keeps a zlib state for the life of the connection: measured with the load harness,
about 128 KiB of server memory per idle socket with it and 34 KiB without. What it saves on the
wire is small for a chat: about 180 bytes a frame (200 messages of a chat, 60 KiB in all, would
be 8 KiB deflated). So it is off unless `websocket_compression` turns it on."""

from __future__ import annotations

from typing import Any

import socketio
from aiohttp.web import WebSocketResponse
from engineio.async_drivers import aiohttp as engineio_aiohttp


class UncompressedWebSocket(engineio_aiohttp.WebSocket):  # type: ignore[misc]
    async def __call__(self, environ: dict[str, Any]) -> WebSocketResponse:
        # As the driver's own, with compress=False: the extension is declined in the handshake.
        request = environ["aiohttp.request"]
        self._sock = WebSocketResponse(max_msg_size=self.server.max_http_buffer_size,
                                       compress=False)
        await self._sock.prepare(request)
        self.environ = environ
        await self.handler(self)
        return self._sock


def choose_websocket(sio: socketio.AsyncServer, *, compression: bool) -> None:
    """engineio picks its websocket class from the driver table it loaded; this server gets a
    copy of that table with the uncompressed one (the module's table stays as it was)."""
    if not compression:
        sio.eio._async = {**sio.eio._async, "websocket": UncompressedWebSocket}
