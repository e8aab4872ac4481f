"""GET /healthz reports whether Redis can be reached."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat.app import create_app
from helpchat.embedded_redis import free_port
from helpchat.web.health import pressure
from tests.conftest import make_settings
from tests.support import visitor


async def test_healthz_is_ok_with_redis(http: aiohttp.ClientSession) -> None:
    response = await http.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok" and body["redis"] == "ok"
    assert body["memory"]["pressure"] == "ok" and 0 < body["memory"]["used_bytes"] < \
        body["memory"]["max_bytes"]


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


def test_memory_pressure_levels() -> None:
    assert pressure(10, 100) == "ok"
    assert pressure(80, 100) == "high"
    assert pressure(96, 100) == "full"
    assert pressure(10, 0) == "unknown"  # a Redis without maxmemory


async def test_healthz_reports_memory_pressure_and_a_full_redis_refuses_writes_clearly(
    base_url: str, http: aiohttp.ClientSession, redis_client: aioredis.Redis
) -> None:
    youth, _ = await visitor(base_url)
    used = int((await redis_client.info("memory"))["used_memory"])
    await redis_client.config_set("maxmemory", used // 2)
    try:
        body = await (await http.get("/healthz")).json()
        assert body["status"] == "degraded" and body["memory"]["pressure"] == "full"
        refused = await youth.call("request_chat", {})  # storing the session is refused
        assert refused["error"]["code"] == "internal"
        assert refused["error"]["retry_after_ms"] > 0 and "druk" in refused["error"]["message"]
    finally:
        await redis_client.config_set("maxmemory", 512 * 1024 * 1024)
    assert (await (await http.get("/healthz")).json())["memory"]["pressure"] == "ok"
    await youth.close()
