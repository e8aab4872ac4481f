"""What an acknowledged message waits for: a replica's confirmation under Sentinel and strict
durability, nothing else (a plain Redis is made durable by its own appendfsync). What happens
across a real failover is in tests/test_faults.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from redis.exceptions import OutOfMemoryError

from helpchat.config import load_settings
from helpchat.store import Store
from helpchat.store.connection import connect
from helpchat.store.conversations import Added, Caps
from helpchat.store.durability import ReplicaConfirm, replica_confirm
from tests.faults import SentinelCluster

SENTINEL = "redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/0/mymaster"


def test_strict_durability_under_sentinel_waits_for_a_replica() -> None:
    settings = load_settings(environ={}, redis_url=SENTINEL)
    assert isinstance(replica_confirm(settings, connect(SENTINEL)), ReplicaConfirm)


@pytest.mark.parametrize(("url", "durability"), [(SENTINEL, "fast"),
                                                 ("redis://127.0.0.1:6379/0", "strict")])
def test_fast_durability_or_a_plain_redis_waits_for_no_replica(url: str, durability: str) -> None:
    settings = load_settings(environ={"HELPCHAT_DURABILITY": durability}, redis_url=url)
    assert replica_confirm(settings, connect(url)) is None


async def test_a_message_refused_by_a_full_redis_under_strict_durability_is_out_of_memory(
    tmp_path: Path,
) -> None:
    """As a batched write's refusal (test_batching.py): the socket layer then answers "busy,
    retry later" (realtime/base.py), not a Redis outage. The strict write goes in a pipeline of
    its own, with its WAIT."""
    cluster = await asyncio.to_thread(SentinelCluster(tmp_path).start)
    client = connect(cluster.url)
    try:
        settings = load_settings(environ={"HELPCHAT_DURABILITY": "strict"},
                                 redis_url=cluster.url)
        store = Store.create(client, settings)
        await store.sessions.create("v1", "nl", 1_000)
        joined = await store.queue.enqueue(vid="v1", cid="c1", now_ms=1_000, topic=None,
                                           urgent=False, cap=10, pseudonym_code="k7", lang="nl")
        assert joined.status == "ok"

        async def send(client_id: str) -> object:
            return await store.conversations.add_message(
                "c1", sender="visitor", text="hoi", now_ms=2_000, client_id=client_id,
                owner=("vid", "v1"), caps=Caps(messages=100, bytes=100_000))

        assert isinstance(await send("m1"), Added)  # confirmed by the replica
        master = cluster.master().client()
        master.config_set("maxmemory", int(master.info("memory")["used_memory"]) // 2)
        try:
            with pytest.raises(OutOfMemoryError):
                await send("m2")
        finally:
            master.config_set("maxmemory", 0)
    finally:
        await client.aclose()
        await asyncio.to_thread(cluster.stop)
