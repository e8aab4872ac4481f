"""Sites that tried to show the widget without being in widget_origins, counted per UTC day so
the admin's settings page can say "this site embeds you but is not allowed". Only the site's
origin and a number: no address, no path, nothing about the visitor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpchat.store import keys
from helpchat.store.connection import Redis


def day_of(now_ms: int) -> str:
    return datetime.fromtimestamp(now_ms / 1000, UTC).date().isoformat()


class RefusedOrigins:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    async def count(self, origin: str, now_ms: int) -> None:
        key = keys.refused_origins(day_of(now_ms))
        # Not atomic with the increment: two processes may add one site past the cap, which
        # is harmless; what matters is that junk cannot grow the hash without bound.
        if not await self._redis.hexists(key, origin) and \
                await self._redis.hlen(key) >= keys.REFUSED_CAP:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, origin, 1)
            pipe.expire(key, keys.REFUSED_TTL)
            await pipe.execute()

    async def recent(self, now_ms: int) -> list[tuple[str, int]]:
        """(origin, refused loads) over the last REFUSED_DAYS days, most refused first."""
        today = datetime.fromtimestamp(now_ms / 1000, UTC).date()
        totals: dict[str, int] = {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for back in range(keys.REFUSED_DAYS):
                pipe.hgetall(keys.refused_origins((today - timedelta(days=back)).isoformat()))
            days = await pipe.execute()
        for counts in days:
            for origin, count in counts.items():
                totals[origin] = totals.get(origin, 0) + int(count)
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))
