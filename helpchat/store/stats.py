"""Anonymous figures that outlive chats: counts and recent durations. Never chat text.

Feedback comments and the hourly figures live in store/insights.py."""

from __future__ import annotations

from helpchat.store import keys
from helpchat.store.connection import Redis

# Counter names (hc:stats:counts fields) read by other modules.
WIDGET_EMBEDDED = "widget_embedded"  # chat page opened from an allowed site (the admin home)


class Stats:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    async def count(self, name: str, by: int = 1) -> None:
        await self._redis.hincrby(keys.STATS_COUNTS, name, by)

    async def counts(self) -> dict[str, int]:
        return {k: int(v) for k, v in (await self._redis.hgetall(keys.STATS_COUNTS)).items()}

    async def record_handle_time(self, seconds: int) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(keys.STATS_HANDLE, max(0, seconds))
            pipe.ltrim(keys.STATS_HANDLE, 0, keys.HANDLE_SAMPLES - 1)
            await pipe.execute()

    async def handle_times(self) -> list[int]:
        return [int(v) for v in await self._redis.lrange(keys.STATS_HANDLE, 0, -1)]
