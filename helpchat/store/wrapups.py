"""Wrap-ups: the short anonymous registration a counselor fills in after each chat.

Privacy rule: nothing here names a conversation. An open wrap-up is a random id with the time
it was opened; a submitted one only increments counters in a hash of that day (the roster's
local day, so Insights shows them for any period it shows the rest for), kept as long as the
Insights counters. Insights publishes every breakdown cell under 5 as "< 5", so a day with a
single chat does not tell its topic or age band.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from helpchat import insights
from helpchat.store import keys
from helpchat.store.connection import Redis
from helpchat.store.insights import Insights


@dataclass(frozen=True)
class WrapUpForm:
    """Validated choices (see helpchat.validation.wrap_up); all from fixed lists."""

    category: str
    age_band: str
    outcome: str
    debrief: bool
    ended: str | None = None  # how the chat ended (validation.WRAPUP_ENDINGS)
    heavy: bool = False  # the counselor marks it heavy: a cool-down follows


class WrapUps:
    def __init__(self, client: Redis, days: Insights) -> None:
        self._redis = client
        self._days = days  # the local day and its expiry, as for the Insights counters

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
        day, _ = self._days.slot(now_ms)
        stats = keys.wrap_up_stats(day.isoformat())
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
            pipe.expireat(stats, self._days.expiry(day))
            await pipe.execute()

    async def stats(self, first: date, last: date) -> dict[str, int]:
        """The wrap-up counts of the days from first to last (inclusive), summed."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for day in insights.dates(first, last):
                pipe.hgetall(keys.wrap_up_stats(day.isoformat()))
            found = await pipe.execute()
        total: dict[str, int] = {}
        for counts in found:
            for name, count in counts.items():
                total[name] = total.get(name, 0) + int(count)
        return total
