"""Presence across processes on a real Redis: a process that stops beating is buried once,
with its sockets gone from its last beat; one that only stalled puts its sockets back."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from helpchat.store import keys
from helpchat.store.presence import Presence


@pytest.fixture
def redis_url(own_redis_url: str) -> str:
    """A Redis of the test's own: in the suite's shared one the e2e tests' session-long
    server sweeps meanwhile, and buries a silent process (these tests' beats are from 1970)
    before the test's own bury can (CI once saw None for (1_000, 2))."""
    return own_redis_url


async def test_a_silent_process_is_buried_once_from_its_last_beat(
    redis_client: aioredis.Redis,
) -> None:
    stalled, first, second = (Presence(redis_client, name) for name in ("s", "a", "b"))
    await stalled.beat(1_000)
    await stalled.connect("c", "anna", "sid1")
    await stalled.connect("v", "vid1", "sid2")

    assert await first.bury("s", cutoff_ms=2_000, now_ms=9_000) == (1_000, 2)
    assert await second.bury("s", cutoff_ms=2_000, now_ms=9_000) is None
    assert sorted(await first.gone_since(5_000)) == [("c", "anna", 1_000), ("v", "vid1", 1_000)]
    assert await first.sockets("c", "anna") == set()
    assert await first.processes() == {}


async def test_a_process_that_beat_after_the_read_is_left_alone(
    redis_client: aioredis.Redis,
) -> None:
    alive, other = Presence(redis_client, "alive"), Presence(redis_client, "other")
    await alive.beat(1_000)
    await alive.connect("c", "anna", "sid1")
    await alive.beat(3_000)  # between the other's read (beat 1,000) and its bury

    assert await other.bury("alive", cutoff_ms=2_000, now_ms=3_500) is None
    assert await other.sockets("c", "anna") == {"sid1"}


async def test_a_stalled_process_registers_its_sockets_again_at_its_next_beat(
    redis_client: aioredis.Redis,
) -> None:
    stalled, other = Presence(redis_client, "s"), Presence(redis_client, "o")
    await stalled.beat(1_000)
    await stalled.connect("c", "anna", "sid1")
    await stalled.connect("v", "vid1", "sid2")
    await stalled.connect("v", "vid2", "sid3")
    await stalled.disconnect("v", "vid2", "sid3", 1_500)  # closed for real: stays closed
    assert await other.bury("s", cutoff_ms=2_000, now_ms=9_000) == (1_000, 2)

    assert await stalled.beat(9_500) == 2
    assert await other.sockets("c", "anna") == {"sid1"}
    assert await other.sockets("v", "vid1") == {"sid2"}
    assert await other.gone_at("c", ["anna"]) == [None]
    assert await other.gone_at("v", ["vid2"]) == [1_500]
    assert sorted(await other.sockets_of("s")) == [("c", "anna", "sid1"), ("v", "vid1", "sid2")]
    assert await stalled.beat(10_500) == 0  # an ordinary beat puts nothing back


async def test_a_process_that_lost_its_entry_to_a_redis_restart_puts_its_sockets_back(
    redis_client: aioredis.Redis,
) -> None:
    process = Presence(redis_client, "p")
    await process.beat(1_000)
    await process.connect("c", "anna", "sid1")
    await redis_client.delete(keys.PROCESSES, keys.counselor_conns("anna"))

    assert await process.beat(2_000) == 1
    assert await process.sockets("c", "anna") == {"sid1"}
