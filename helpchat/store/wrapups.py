"""Wrap-ups: the short anonymous registration a counselor fills in after each chat.

Privacy rule: nothing here names a conversation. An open wrap-up is a random id with the time
it was opened; a submitted one only increments counters in a monthly hash. So even with the
transcript retained, no registration can be traced back to a chat.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from helpchat.store import keys
from helpchat.store.connection import Redis


@dataclass(frozen=True)
class WrapUpForm:
    """Validated choices (see helpchat.validation.wrap_up); all from fixed lists."""

    category: str
    age_band: str
    outcome: str
    debrief: bool
    ended: str | None = None  # how the chat ended (validation.WRAPUP_ENDINGS)
    heavy: bool = False  # the counselor marks it heavy: a cool-down follows


def month_of(now_ms: int) -> str:
    return time.strftime("%Y-%m", time.gmtime(now_ms / 1000))


class WrapUps:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    async def open(self, counselor_id: str, now_ms: int) -> str:
        wrap_id = secrets.token_hex(8)
        key = keys.wrap_ups(counselor_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, wrap_id, now_ms)
            pipe.expire(key, keys.WRAPUP_TTL)
            await pipe.execute()
        return wrap_id

    async def pending(self, counselor_id: str) -> dict[str, int]:
        """Open wrap-up id -> opened ms."""
        data = await self._redis.hgetall(keys.wrap_ups(counselor_id))
        return {wrap_id: int(ms) for wrap_id, ms in data.items()}

    async def close(self, counselor_id: str, wrap_id: str, form: WrapUpForm | None,
                    now_ms: int) -> bool:
        """Submit (form) or skip (None) one open wrap-up; False when it was not open."""
        if not await self._redis.hdel(keys.wrap_ups(counselor_id), wrap_id):
            return False
        await self.record(form, now_ms)
        return True

    async def record(self, form: WrapUpForm | None, now_ms: int, *,
                     counselor_seconds: int | None = None) -> None:
        """Count one wrap-up (None: skipped). `counselor_seconds`, for a shed contact: the time
        it took, summed per category so the admin sees what such contacts cost."""
        stats = keys.wrap_up_stats(month_of(now_ms))
        async with self._redis.pipeline(transaction=True) as pipe:
            if form is None:
                pipe.hincrby(stats, "skipped", 1)
            else:
                pipe.hincrby(stats, "submitted", 1)
                pipe.hincrby(stats, f"category:{form.category}", 1)
                pipe.hincrby(stats, f"age:{form.age_band}", 1)
                pipe.hincrby(stats, f"outcome:{form.outcome}", 1)
                if form.debrief:
                    pipe.hincrby(stats, "debrief", 1)
                if counselor_seconds is not None:
                    pipe.hincrby(stats, f"shed_seconds:{form.category}", counselor_seconds)
                if form.ended:
                    pipe.hincrby(stats, f"ended:{form.ended}", 1)
                if form.heavy:
                    pipe.hincrby(stats, "heavy", 1)
            pipe.expire(stats, keys.WRAPSTATS_TTL)
            await pipe.execute()

    async def stats(self, month: str) -> dict[str, int]:
        data = await self._redis.hgetall(keys.wrap_up_stats(month))
        return {name: int(count) for name, count in data.items()}
