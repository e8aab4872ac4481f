"""Deleted transcripts leave the disk too: the append-only file is rewritten after chats end."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from helpchat.embedded_redis import EmbeddedRedis, free_port
from helpchat.store.persistence import Persistence


@pytest.fixture
def persistent_redis(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    server = EmbeddedRedis(tmp_path, port=free_port(), persist=True)
    url = server.start()
    yield url, tmp_path
    server.stop()


async def _rewrite_done(client: aioredis.Redis) -> None:
    for _ in range(200):
        info = await client.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("rewrite did not finish")


async def test_rewrite_removes_deleted_chat_text_from_the_append_only_file(
    persistent_redis: tuple[str, Path],
) -> None:
    url, data_dir = persistent_redis
    client = aioredis.Redis.from_url(url, decode_responses=True)
    await client.set("hc:keep", "nog-nodig")
    await client.xadd("hc:log:cafe", {"t": "tweede-verhaal"})
    await client.delete("hc:log:cafe")
    aof = data_dir / "appendonly.aof"
    for _ in range(100):  # appendfsync everysec
        if b"tweede-verhaal" in aof.read_bytes():
            break
        await asyncio.sleep(0.05)
    assert b"tweede-verhaal" in aof.read_bytes()

    persistence = Persistence(client)
    assert await persistence.rewrite_if_chats_ended(1) is True
    await _rewrite_done(client)
    assert b"tweede-verhaal" not in aof.read_bytes()
    assert b"nog-nodig" in aof.read_bytes()
    assert await persistence.rewrite_if_chats_ended(1) is False  # nothing ended since
    await client.aclose()
