"""Counters behind the proof of work: join attempts and admissions per minute (all sessions
together, never per visitor) and the challenges already used."""

from __future__ import annotations

from helpchat.store import keys
from helpchat.store.connection import LUA_DIR, Redis


class ProofCounters:
    def __init__(self, client: Redis) -> None:
        self._redis = client
        self._window_counts = client.register_script(
            (LUA_DIR / "window_counts.lua").read_text())

    async def count_join(self, minute: int, burst: int) -> tuple[tuple[int, int],
                                                                 tuple[int, int]]:
        """Count one join attempt in this minute's and this ten seconds' window: (this, the
        last) count of each."""
        found = await self._window_counts(
            keys=[keys.proof_joins(minute), keys.proof_joins(minute - 1),
                  keys.proof_burst(burst), keys.proof_burst(burst - 1)],
            args=[keys.PROOF_WINDOW_TTL, keys.PROOF_BURST_TTL])
        return (int(found[0]), int(found[1])), (int(found[2]), int(found[3]))

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
