"""GET /healthz reports whether Redis can be reached."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from helpchat.app import create_app
from helpchat.embedded_redis import free_port
from tests.conftest import make_settings


async def test_healthz_is_ok_with_redis(http: aiohttp.ClientSession) -> None:
    response = await http.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "redis": "ok"}


async def test_healthz_is_503_when_redis_is_unreachable(tmp_path: Path) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    server = TestServer(create_app(make_settings(dead, tmp_path)), port=free_port())
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            response = await http.get(server.make_url("/healthz"))
            assert response.status == 503
            assert (await response.json())["redis"] == "down"
    finally:
        await server.close()
