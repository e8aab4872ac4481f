"""Rate-limit state: one number per bucket (see helpchat.limits.Rate), shared by every process."""

from __future__ import annotations

from redis.exceptions import WatchError

from helpchat.limits import Decision, Rate, decide
from helpchat.store import keys
from helpchat.store.connection import Redis

RETRIES = 5


class RateLimits:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    async def take(self, bucket: str, ident: str, rate: Rate, now_ms: int) -> Decision:
        """One event from `bucket` ("msg:v", "typing:c", ...) of `ident` (a vid or counselor
        id). Read and written under WATCH so two processes never both spend the last token;
        a bucket that keeps conflicting is being hammered from many sockets at once, and is
        refused rather than retried without end."""
        key = keys.rate(bucket, ident)
        for _ in range(RETRIES):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    decision = decide(rate, int(raw) if raw else None, now_ms)
                    if not decision.allowed:
                        await pipe.unwatch()
                        return decision
                    pipe.multi()
                    # Gone once the bucket is full again: an idle sender costs nothing.
                    pipe.set(key, decision.tat_ms, px=max(1, decision.tat_ms - now_ms))
                    await pipe.execute()
                    return decision
                except WatchError:
                    continue
        return Decision(False, now_ms, int(rate.interval_ms))
