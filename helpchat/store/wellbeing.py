"""Looking after counselors: the cool-down after a heavy or long chat, and the end-of-shift
check-in.

Privacy rule: nothing here names a conversation. A cool-down is "this counselor, until when";
check-in answers only increment counters in a monthly hash, and the one thing that names a
counselor is their own request to be called back, which supervisors see and close.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from helpchat.store import keys
from helpchat.store.connection import Redis


def month_of(now_ms: int) -> str:
    return time.strftime("%Y-%m", time.gmtime(now_ms / 1000))


@dataclass(frozen=True)
class CheckIn:
    """Validated answers (see helpchat.validation.check_in), all from fixed lists or absent."""

    feeling: str | None
    stays_with_me: str | None
    call_back: bool


class Wellbeing:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    # cool-down ------------------------------------------------------------------------------
    async def start_cooldown(self, counselor_id: str, now_ms: int, seconds: int) -> int | None:
        """The counselor gets no new chat until now + seconds (take.lua and transfer.lua read
        the key); a later start replaces an earlier one. The end ms, or None when off."""
        if seconds <= 0:
            return None
        until = now_ms + seconds * 1000
        await self._redis.set(keys.cooldown(counselor_id), until, px=seconds * 1000)
        return until

    async def cooldown_until(self, counselor_id: str) -> int | None:
        value = await self._redis.get(keys.cooldown(counselor_id))
        return int(value) if value else None

    async def cooldowns(self, counselor_ids: list[str]) -> dict[str, int]:
        """counselor id -> cool-down end ms, for those in one."""
        if not counselor_ids:
            return {}
        values = await self._redis.mget([keys.cooldown(cid) for cid in counselor_ids])
        return {cid: int(v) for cid, v in zip(counselor_ids, values, strict=True) if v}

    async def end_cooldown(self, counselor_id: str) -> bool:
        return bool(await self._redis.delete(keys.cooldown(counselor_id)))

    # end-of-shift check-in ------------------------------------------------------------------
    async def check_in(self, counselor_id: str, answers: CheckIn, now_ms: int) -> None:
        stats = keys.check_in_stats(month_of(now_ms))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(stats, "answered", 1)
            if answers.feeling:
                pipe.hincrby(stats, f"feeling:{answers.feeling}", 1)
            if answers.stays_with_me:
                pipe.hincrby(stats, f"stays:{answers.stays_with_me}", 1)
            if answers.call_back:
                pipe.hincrby(stats, "call_back", 1)
                pipe.hset(keys.CALL_BACKS, counselor_id, now_ms)
                pipe.expire(keys.CALL_BACKS, keys.CALL_BACK_TTL)
            pipe.expire(stats, keys.WRAPSTATS_TTL)
            await pipe.execute()

    async def check_in_stats(self, month: str) -> dict[str, int]:
        data = await self._redis.hgetall(keys.check_in_stats(month))
        return {name: int(count) for name, count in data.items()}

    async def call_backs(self) -> dict[str, int]:
        """counselor id -> when they asked to be called back."""
        return {cid: int(ms) for cid, ms in (await self._redis.hgetall(keys.CALL_BACKS)).items()}

    async def call_back_done(self, counselor_id: str) -> bool:
        return bool(await self._redis.hdel(keys.CALL_BACKS, counselor_id))
