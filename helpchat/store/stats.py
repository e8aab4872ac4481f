"""Anonymous figures that outlive chats: counts, recent durations, feedback. Never chat text."""

from __future__ import annotations

from helpchat.store import keys
from helpchat.store.connection import Redis


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

    async def add_feedback(self, rating: int, comment: str | None) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(keys.STATS_COUNTS, f"rating_{rating}", 1)
            if comment:
                # Kept apart from any conversation id, capped and expiring.
                pipe.lpush(keys.FEEDBACK, comment)
                pipe.ltrim(keys.FEEDBACK, 0, keys.FEEDBACK_CAP - 1)
                pipe.expire(keys.FEEDBACK, keys.FEEDBACK_TTL)
            await pipe.execute()
