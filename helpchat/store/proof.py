"""Counters behind the proof of work: join attempts and admissions per minute (all sessions
together, never per visitor) and the challenges already used."""

from __future__ import annotations

from helpchat.store import keys
from helpchat.store.connection import Redis


class ProofCounters:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    async def count_join(self, window: int) -> tuple[int, int]:
        """Count one join attempt in this minute's window: (this window's count, the last's)."""
        current = keys.proof_joins(window)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(current)
            pipe.expire(current, keys.PROOF_WINDOW_TTL)
            pipe.get(keys.proof_joins(window - 1))
            count, _, previous = await pipe.execute()
        return int(count), int(previous or 0)

    async def use(self, digest: str, ttl_s: int) -> bool:
        """Mark a challenge used; False when it already was (each one admits a single join)."""
        return bool(await self._redis.set(keys.proof_used(digest), "1", nx=True,
                                          ex=max(1, ttl_s)))

    async def admit(self, kind: str, window: int, limit: int) -> bool:
        """Take one of `limit` places of this minute for `kind` ("join" or "urgent")."""
        key = keys.proof_admitted(kind, window)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, keys.PROOF_WINDOW_TTL)
            count, _ = await pipe.execute()
        return int(count) <= limit
