"""The store's Redis client sends the commands of one turn of the event loop together, and each
caller still gets its own reply or its own error."""

from __future__ import annotations

import asyncio

import pytest
from redis.exceptions import NoScriptError, OutOfMemoryError, ResponseError

from helpchat.store.batching import MAX_BATCH, BatchingRedis
from helpchat.store.connection import connect


def _connections(client: BatchingRedis) -> int:
    pool = client.connection_pool
    return len(pool._available_connections) + len(pool._in_use_connections)


async def test_a_turns_commands_share_one_connection_and_each_gets_its_reply(
    redis_url: str
) -> None:
    client = connect(redis_url)
    assert isinstance(client, BatchingRedis)
    await client.delete("batch:n")
    replies = await asyncio.gather(*(client.incr("batch:n") for _ in range(50)))
    # One by one they would have taken a pooled connection each (up to 31 at once).
    assert _connections(client) == 1
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


async def test_more_than_a_pipelines_worth_in_one_turn_all_get_their_replies(
    redis_url: str
) -> None:
    client = connect(redis_url)
    n = MAX_BATCH * 2 + 7
    assert await asyncio.gather(*(client.echo(str(i)) for i in range(n))) == \
        [str(i) for i in range(n)]
    assert _connections(client) <= 3
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
