"""The store's Redis client sends the commands of one turn of the event loop together, on one
connection, and each caller still gets its own reply or its own error."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from redis.exceptions import NoScriptError, OutOfMemoryError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from helpchat.store.batching import MAX_BATCH, BatchingRedis
from helpchat.store.connection import connect
from tests.faults import RedisNode


async def _connections(url: str) -> int:
    """Connections the Redis server has open, not counting the one asking."""
    probe = aioredis.Redis.from_url(url)
    try:
        return len(await probe.client_list()) - 1
    finally:
        await probe.aclose()


@pytest.fixture
def redis_node(tmp_path: Path) -> Iterator[RedisNode]:
    """A Redis of the test's own that it can pause (SIGSTOP) or whose connections it can kill."""
    node = RedisNode(tmp_path / "redis").start()
    yield node
    assert node.process is not None
    os.kill(node.process.pid, signal.SIGCONT)
    node.stop()


async def test_a_turns_commands_share_one_connection_and_each_gets_its_reply(
    own_redis_url: str
) -> None:
    client = connect(own_redis_url)
    assert isinstance(client, BatchingRedis)
    await client.delete("batch:n")
    replies = await asyncio.gather(*(client.incr("batch:n") for _ in range(50)))
    # One by one they would have taken a pooled connection each (up to 30 at once).
    assert await _connections(own_redis_url) == 1
    assert sorted(replies) == list(range(1, 51))
    assert replies == sorted(replies)  # sent in the order they were issued
    await client.delete("batch:n")
    await client.aclose()


async def test_an_error_reaches_only_the_caller_whose_command_failed(redis_url: str) -> None:
    client = connect(redis_url)
    await client.set("batch:text", "x")
    results = await asyncio.gather(
        client.get("batch:text"),
        client.hget("batch:text", "field"),  # WRONGTYPE: a string is no hash
        client.evalsha("0" * 40, 0),  # no such script
        client.strlen("batch:text"),
        return_exceptions=True,
    )
    assert results[0] == "x" and results[3] == 1
    assert isinstance(results[1], ResponseError) and "WRONGTYPE" in str(results[1])
    assert isinstance(results[2], NoScriptError)
    await client.delete("batch:text")
    await client.aclose()


async def test_a_script_flushed_from_redis_is_loaded_again_within_a_batch(
    own_redis_url: str  # a Redis of its own: a flush would make others' servers reload too
) -> None:
    client = connect(own_redis_url)
    script = client.register_script("return ARGV[1] .. '!'")
    assert await script(args=["first"]) == "first!"
    await client.script_flush()
    assert await asyncio.gather(*(script(args=[str(n)]) for n in range(5))) == \
        [f"{n}!" for n in range(5)]
    await client.aclose()


async def test_a_cancelled_caller_costs_the_others_nothing(redis_url: str) -> None:
    client = connect(redis_url)
    await client.set("batch:k", "v")
    doomed = asyncio.ensure_future(client.get("batch:k"))
    others = [asyncio.ensure_future(client.get("batch:k")) for _ in range(3)]
    await asyncio.sleep(0)  # all four are in this turn's batch
    doomed.cancel()
    assert await asyncio.gather(*others) == ["v"] * 3
    assert doomed.cancelled()
    await client.delete("batch:k")
    await client.aclose()


async def test_more_than_a_writes_worth_in_one_turn_all_get_their_replies_on_one_connection(
    own_redis_url: str
) -> None:
    client = connect(own_redis_url)
    n = MAX_BATCH * 2 + 7
    assert await asyncio.gather(*(client.echo(str(i)) for i in range(n))) == \
        [str(i) for i in range(n)]
    assert await _connections(own_redis_url) == 1
    await client.aclose()
    assert await _connections(own_redis_url) == 0


async def test_a_value_redis_cannot_take_fails_only_its_own_command(redis_url: str) -> None:
    client = connect(redis_url)
    results = await asyncio.gather(client.echo("a"), client.set("batch:bad", None),  # type: ignore[arg-type]
                                   client.echo("b"), return_exceptions=True)
    assert results[0] == "a" and results[2] == "b"
    assert type(results[1]).__name__ == "DataError"
    await client.aclose()


async def test_a_blocking_command_holds_up_no_one_else(redis_url: str) -> None:
    client = connect(redis_url)
    await client.set("batch:k", "v")
    blocked = asyncio.ensure_future(client.blpop(["batch:empty"], timeout=1))
    started = time.monotonic()
    assert await client.get("batch:k") == "v"
    assert time.monotonic() - started < 0.5  # not behind BLPOP's second
    assert await blocked is None
    await client.aclose()


async def test_a_connection_killed_under_the_client_is_reopened_and_the_command_resent(
    own_redis_url: str
) -> None:
    client = connect(own_redis_url)
    await client.set("batch:k", "v")
    probe = aioredis.Redis.from_url(own_redis_url)
    assert await probe.client_kill_filter(_type="normal", skipme=True) == 1
    await probe.aclose()
    assert await asyncio.gather(*(client.get("batch:k") for _ in range(3))) == ["v"] * 3
    assert await _connections(own_redis_url) == 1
    await client.aclose()


async def test_a_hung_redis_times_the_callers_out_and_they_get_through_once_it_answers(
    redis_node: RedisNode
) -> None:
    assert redis_node.process is not None
    client = connect(f"{redis_node.url}?socket_timeout=0.2")
    await client.set("batch:k", "v")
    os.kill(redis_node.process.pid, signal.SIGSTOP)
    started = time.monotonic()
    results = await asyncio.gather(*(client.get("batch:k") for _ in range(3)),
                                   return_exceptions=True)
    waited = time.monotonic() - started
    # Four tries, as redis-py makes: the first waited out its reply, each retry its connect's
    # handshake, 0.2 s each (and the backoff between them), and no longer.
    assert all(isinstance(r, RedisTimeoutError) for r in results), results
    assert 0.6 < waited < 3.0, waited
    os.kill(redis_node.process.pid, signal.SIGCONT)
    assert await client.get("batch:k") == "v"
    # The timed-out connections were closed: the server keeps the client's one alone.
    for _ in range(50):
        if await _connections(redis_node.url) == 1:
            break
        await asyncio.sleep(0.1)
    assert await _connections(redis_node.url) == 1
    await client.aclose()


async def test_a_batch_cancelled_under_way_cancels_its_callers_instead_of_leaving_them(
    redis_url: str
) -> None:
    client = connect(redis_url)
    callers = [asyncio.ensure_future(client.echo(str(i))) for i in range(3)]
    await asyncio.sleep(0)  # queued
    await asyncio.sleep(0)  # the batch's task made
    for task in list(client._sending):
        task.cancel()
    done = await asyncio.wait_for(asyncio.gather(*callers, return_exceptions=True), 5)
    assert all(isinstance(d, asyncio.CancelledError) for d in done), done
    await client.aclose()


async def test_a_write_refused_inside_a_script_over_maxmemory_is_an_out_of_memory_error(
    own_redis_url: str  # a Redis of its own: everyone else's writes would be refused too
) -> None:
    client = connect(own_redis_url)
    script = client.register_script("redis.call('HSET', KEYS[1], 'a', 'b') return 1")
    assert await script(keys=["batch:h"]) == 1
    used = int((await client.info("memory"))["used_memory"])
    await client.config_set("maxmemory", used // 2)
    try:
        for refused in (script(keys=["batch:other"]), client.hset("batch:plain", "a", "b")):
            with pytest.raises(OutOfMemoryError):
                await refused
    finally:
        await client.config_set("maxmemory", 0)
    await client.aclose()
