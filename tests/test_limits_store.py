"""The rate buckets in Redis decide exactly as helpchat.limits.decide, shared by processes."""

from __future__ import annotations

import asyncio
import random

import redis.asyncio as aioredis

from helpchat.identity import new_id
from helpchat.limits import Rate, decide
from helpchat.store.limits import RateLimits


async def test_the_script_in_redis_decides_as_the_arithmetic_does(
    redis_client: aioredis.Redis,
) -> None:
    limits = RateLimits(redis_client)
    chooser = random.Random(15)
    for rate in (Rate(burst=10, per_minute=30), Rate(burst=1, per_minute=60),
                 Rate(burst=3, per_minute=7), Rate(burst=5, per_minute=40)):
        ident, tat, now = new_id(), None, 1_796_000_000_000
        for _ in range(200):
            now += chooser.choice((0, 1, 7, 250, 999, 1500, 8571, 30_000))
            expected = decide(rate, tat, now)
            got = await limits.take("msg:v", ident, rate, now)
            assert got == expected, (rate, now)
            if got.allowed:
                tat = got.tat_ms


async def test_two_processes_spending_at_once_never_both_get_the_last_token(
    redis_url: str,
) -> None:
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(2)]
    buckets = [RateLimits(client) for client in clients]
    ident, rate, now = new_id(), Rate(burst=10, per_minute=1), 1_796_000_000_000
    decisions = await asyncio.gather(*(buckets[n % 2].take("msg:c", ident, rate, now)
                                       for n in range(40)))
    assert sum(d.allowed for d in decisions) == 10
    for client in clients:
        await client.aclose()
