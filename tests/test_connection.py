"""Redis URLs: plain, unix socket and Sentinel (python-socketio's format, one setting for both),
and one bounded pool per process."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
import redis
from redis.asyncio.connection import Connection
from redis.asyncio.sentinel import SentinelConnectionPool

from helpchat.store.connection import MAX_CONNECTIONS, connect
from tests.faults import (
    DEEP_BUCKETS,
    History,
    RedisNode,
    ServerProcess,
    acked_at_least,
    chat_on,
    keep_talking,
    whole_transcript,
)
from tests.support import Client, eventually, visitor


async def test_sentinel_url_names_the_sentinels_db_and_service() -> None:
    client = connect("redis+sentinel://:pw@10.0.0.11:26379,10.0.0.12:26380/2/helpchat")
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "helpchat"
    assert pool.connection_kwargs["db"] == 2
    sentinels = [c.connection_pool.connection_kwargs for c in pool.sentinel_manager.sentinels]
    assert [(s["host"], s["port"]) for s in sentinels] == [("10.0.0.11", 26379),
                                                            ("10.0.0.12", 26380)]
    await client.aclose()


async def test_plain_and_unix_urls_use_a_normal_pool(redis_url: str) -> None:
    client = connect(redis_url)
    assert await client.ping()
    unix = connect("unix:///run/helpchat/redis.sock?db=1")
    assert unix.connection_pool.connection_kwargs["path"] == "/run/helpchat/redis.sock"
    await client.aclose()


PACKED_ALIKE = [("SET", "k", "hé 👋"), ("SET", "k", 1e20), ("SET", "k", 0.1), ("SET", "k", -5),
                ("SET", "k", 10**30), ("SET", b"k", b"\xff\x00"), ("CONFIG GET", "maxmemory"),
                (b"CONFIG GET", b"maxmemory"), ("EVALSHA", "ab12", 2, "k1", "k2", "x", 7)]


@pytest.mark.parametrize("args", PACKED_ALIKE)
def test_commands_are_packed_by_hiredis_into_the_bytes_redis_py_writes(args: tuple) -> None:
    hiredis_packed = connect("redis://localhost").connection_pool.connection_class()
    assert b"".join(hiredis_packed.pack_command(*args)) == \
        b"".join(Connection().pack_command(*args))


async def test_hiredis_packed_commands_round_trip_and_refuse_what_redis_cannot_take(
    redis_url: str,
) -> None:
    client = connect(redis_url)
    assert await client.set("hc:test:packed", "hé 👋") and \
        await client.get("hc:test:packed") == "hé 👋"
    assert await client.eval("return ARGV[1] .. KEYS[1]", 1, "k", 1.5) == "1.5k"
    assert "maxmemory" in await client.config_get("maxmemory")
    async with client.pipeline(transaction=False) as pipe:
        pipe.incrby("hc:test:n", 2).incrby("hc:test:n", 3)
        assert await pipe.execute() == [2, 5]
    for bad in (None, True):
        with pytest.raises(redis.DataError):
            await client.set("hc:test:packed", bad)  # type: ignore[arg-type]
    await client.delete("hc:test:packed", "hc:test:n")
    await client.aclose()


class ConnectionSampler:
    """Counts, every few milliseconds from a thread, the clients Redis has besides itself: the
    server process's connections (the test's socket.io clients never talk to Redis)."""

    def __init__(self, node: RedisNode) -> None:
        self.node = node
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            try:
                with self.node.client() as client:
                    self.most = max(self.most, len(client.client_list()) - 1)
            except redis.RedisError:
                pass  # Redis is down for the moment: nothing to count

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def test_a_process_keeps_within_its_redis_connections_through_bursts_and_a_redis_kill(
    tmp_path: Path,
) -> None:
    # Before one shared bounded pool: 120-190 connections under load, and python-socketio's
    # manager made a new client at every failed publish without closing the old one.
    node = RedisNode.fsynced(tmp_path / "redis").start()
    url = node.url
    server = ServerProcess(url, tmp_path / "s", **DEEP_BUCKETS).start()
    youths: list[Client] = []
    try:
        console, youth, cid = await chat_on(server.url, url)
        history, stop = History(), asyncio.Event()
        with ConnectionSampler(node) as sampler:
            talkers = [asyncio.create_task(keep_talking(youth, history, {}, stop)),
                       asyncio.create_task(keep_talking(console, history,
                                                        {"conversation_id": cid}, stop))]
            # 150 youths connecting at once, then leaving at once, while the chat goes on.
            youths = [pair[0] for pair in await asyncio.gather(
                *(visitor(server.url) for _ in range(150)))]
            await asyncio.gather(*(y.close() for y in youths))
            await eventually(acked_at_least(history, 20), timeout=10)
            await asyncio.to_thread(node.kill)  # mid-publish: the chat is sending all along
            await asyncio.to_thread(node.start)
            before = len(history.acked)
            await eventually(acked_at_least(history, before + 20), timeout=20)
            stop.set()
            await asyncio.gather(*talkers)
        print(f"\nredis connections of one process, most at once: {sampler.most}")
        assert 0 < sampler.most <= MAX_CONNECTIONS
        assert history.check(await whole_transcript(console, {"conversation_id": cid})).acked \
            == len(history.acked)
        await youth.close()
        await console.close()
    finally:
        await asyncio.to_thread(server.stop)
        await asyncio.to_thread(node.stop)
