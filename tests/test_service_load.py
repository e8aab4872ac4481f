"""The one-round-trip load reading says what the separate reads it replaced say."""

from __future__ import annotations

import redis.asyncio as aioredis

from helpchat.config import load_settings
from helpchat.identity import new_id
from helpchat.store import Store, keys
from helpchat.store.service_load import LoadReading
from tests.conftest import TEST_SECRET


async def test_the_reading_matches_duty_presence_queue_and_handle_times(
    own_redis_url: str,
) -> None:
    client = aioredis.Redis.from_url(own_redis_url, decode_responses=True)
    try:
        store = Store.create(client, load_settings(environ={}, secret_key=TEST_SECRET))
        now = 1_796_000_000_000
        assert await store.load.read() == LoadReading({}, {}, 0, [])
        for n, state in enumerate(("on", "on", "pause", "on")):
            await store.counselors.set_duty(f"c{n}", state)
        await client.zadd(keys.GONE, {"c:c1": now - 5000, "c:c2": now - 10})
        for n in range(4):
            vid = new_id()
            await store.sessions.create(vid, "nl", now)
            await store.queue.enqueue(vid=vid, cid=new_id(), now_ms=now + n, topic=None,
                                      urgent=False, cap=100, pseudonym_code="ab12", lang="nl")
            if n == 2:
                await client.zadd(keys.GONE, {f"v:{vid}": now})
        await client.rpush(keys.STATS_HANDLE, 300, 1200, 45)

        reading = await store.load.read()
        duty = await store.counselors.on_duty()
        assert reading.duty == duty == {"c0": "on", "c1": "on", "c2": "pause", "c3": "on"}
        gone = await store.presence.gone_at("c", list(duty))
        assert reading.gone_ms == {cid: at for cid, at in zip(duty, gone, strict=True) if at}
        assert reading.gone_ms == {"c1": now - 5000, "c2": now - 10}
        assert reading.queue_length == await store.queue.length() == 3
        assert reading.handle_times == await store.stats.handle_times() == [300, 1200, 45]
    finally:
        await client.aclose()
