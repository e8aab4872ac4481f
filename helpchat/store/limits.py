"""Rate-limit state: one number per bucket (see helpchat.limits.Rate), shared by every process."""

from __future__ import annotations

from helpchat.limits import Decision, Rate
from helpchat.store import keys
from helpchat.store.connection import Redis, lua_source


class RateLimits:
    def __init__(self, client: Redis) -> None:
        self._redis = client
        self._take = client.register_script(lua_source("rate_take"))

    async def take(self, bucket: str, ident: str, rate: Rate, now_ms: int) -> Decision:
        """One event from `bucket` ("typing:v", "typing:c", ...) of `ident` (a vid or counselor
        id): helpchat.limits.decide, run inside Redis (lua/gcra.lua: one round trip, and no two
        processes both spend the last token)."""
        allowed, tat, retry = await self._take(keys=[keys.rate(bucket, ident)],
                                               args=[now_ms, rate.interval_ms, rate.burst])
        return Decision(bool(allowed), int(tat), int(retry))
