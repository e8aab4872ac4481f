"""Insights counters: written at event time into one hash per local day, read back for periods.

Privacy by construction: a day hash holds only counters keyed by the hour of that day
("14:offered"), fixed histogram buckets ("wait:7") and per-day sums; no field names a visitor,
a conversation or a counselor, and no value is a timestamp. Funnel outcomes are booked in the
hour the request came in, so offered = answered + abandoned + turned away holds in every hour
cell. Counters expire insights_retention_months after their day; feedback comments are kept
per month, apart from any chat, for feedback_retention_days after that month.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from helpchat import insights
from helpchat.config import LiveSettings
from helpchat.store import keys
from helpchat.store.connection import LUA_DIR, Redis

# The sampler ticks once a minute on every process; one of them records each minute.
TICK_TTL_S = 120


def add_months(day: date, months: int) -> date:
    year, month0 = divmod(day.month - 1 + months, 12)
    month = month0 + 1
    return date(day.year + year, month, min(day.day, calendar.monthrange(day.year + year,
                                                                           month)[1]))


class Insights:
    def __init__(self, client: Redis, live: LiveSettings) -> None:
        self._redis = client
        self._live = live
        self._hash_add = client.register_script((LUA_DIR / "hash_add.lua").read_text())

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self._live.current.timezone)

    def slot(self, ms: int) -> tuple[date, int]:
        """(local day, local hour) of an instant, in the roster's time zone."""
        local = datetime.fromtimestamp(ms / 1000, UTC).astimezone(self.zone)
        return local.date(), local.hour

    def expiry(self, day: date) -> int:
        """The day's counters go when the retention has passed since its end."""
        last = add_months(day, self._live.current.insights_retention_months) + timedelta(days=1)
        return calendar.timegm(last.timetuple())

    async def _add(self, ms: int, fields: Mapping[str, int]) -> None:
        day, _ = self.slot(ms)
        pairs = [part for name, by in fields.items() for part in (name, by)]
        await self._hash_add(keys=[keys.insights_day(day.isoformat())],
                             args=[self.expiry(day), *pairs])

    def _hour(self, ms: int, *names: str) -> dict[str, int]:
        _, hour = self.slot(ms)
        return {f"{hour:02d}:{name}": 1 for name in names}

    # --- event-time hooks (one call per event) ------------------------------------------------
    async def offered(self, requested_ms: int) -> None:
        await self._add(requested_ms, self._hour(requested_ms, "offered"))

    async def answered(self, requested_ms: int, started_ms: int) -> None:
        """Booked in the request's hour; the wait goes into that day's histogram."""
        wait_s = max(0, started_ms - requested_ms) // 1000
        await self._add(requested_ms, {**self._hour(requested_ms, "answered"),
                                       f"wait:{insights.bucket_of(wait_s)}": 1})

    async def abandoned(self, requested_ms: int, ended_ms: int, estimate_s: int | None) -> None:
        """Left the queue unanswered: after the wait announced at request time had passed, or
        before it (also when no estimate could be announced)."""
        waited_s = max(0, ended_ms - requested_ms) / 1000
        after = estimate_s is not None and waited_s > estimate_s
        name = "abandoned_after_estimate" if after else "abandoned_before_estimate"
        await self._add(requested_ms, {**self._hour(requested_ms, name),
                                       f"abandon:{insights.bucket_of(waited_s)}": 1})

    async def turned_away(self, reason: str, now_ms: int) -> None:
        """The widget showed "not available" (closed, nobody on duty, queue full): an offer
        that could not even queue. Callers count it once per visit."""
        why = reason if reason in insights.TURNED_REASONS else "closed"
        await self._add(now_ms, self._hour(now_ms, "offered", "turned_away", f"turned_{why}"))

    async def count_now(self, name: str, now_ms: int) -> None:
        """quick_exit, blocked, questions_asked, codes_redeemed: booked in the hour they
        happened."""
        if name not in insights.DETAILS:
            raise ValueError(f"unknown insights counter {name!r}")
        await self._add(now_ms, self._hour(now_ms, name))

    async def question_answered(self, waited_s: int, within_promise: bool, now_ms: int) -> None:
        """An asynchronous question answered (issue 12), booked in the hour of the answer."""
        names = ("answered_async", "answered_async_in_promise") if within_promise \
            else ("answered_async",)
        await self._add(now_ms, {**self._hour(now_ms, *names),
                                 f"qans:{insights.bucket_of(max(0, waited_s))}": 1})

    async def chat_duration(self, seconds: int, now_ms: int) -> None:
        seconds = max(0, seconds)
        await self._add(now_ms, {f"dur:{insights.bucket_of(seconds)}": 1, "dur_sum": seconds})

    async def feedback(self, rating: int, comment: str | None, now_ms: int) -> None:
        await self._add(now_ms, {f"rating:{rating}": 1})
        if comment:
            day, _ = self.slot(now_ms)
            key = keys.feedback_month(f"{day:%Y-%m}")
            month_end = add_months(day.replace(day=1), 1)
            until = month_end + timedelta(days=self._live.current.feedback_retention_days)
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.lpush(key, comment)
                pipe.ltrim(key, 0, keys.FEEDBACK_CAP - 1)
                pipe.expireat(key, calendar.timegm(until.timetuple()))
                await pipe.execute()

    async def sample_duty(self, on_duty: int, scheduled: int, now_ms: int) -> bool:
        """One minute's reading of counselors on duty and scheduled; False when another
        process already took this minute."""
        minute = now_ms // 60_000
        if not await self._redis.set(keys.insights_tick(minute), "1", nx=True, ex=TICK_TTL_S):
            return False
        _, hour = self.slot(now_ms)
        await self._add(now_ms, {f"{hour:02d}:samples": 1, f"{hour:02d}:duty_sum": on_duty,
                                 f"{hour:02d}:sched_sum": scheduled})
        return True

    # --- reading ---------------------------------------------------------------------------
    async def days(self, first: date, last: date) -> dict[date, dict[str, str]]:
        """Every day's counters from first to last (inclusive), empty days included; the
        values as Redis returns them (insights.parse_day turns them into numbers)."""
        wanted = insights.dates(first, last)
        async with self._redis.pipeline(transaction=False) as pipe:
            for day in wanted:
                pipe.hgetall(keys.insights_day(day.isoformat()))
            found = await pipe.execute()
        return dict(zip(wanted, found, strict=True))

    async def comments(self, months: Iterable[str]) -> dict[str, list[str]]:
        """Feedback comments per "YYYY-MM", newest first."""
        names = list(months)
        async with self._redis.pipeline(transaction=False) as pipe:
            for month in names:
                pipe.lrange(keys.feedback_month(month), 0, -1)
            found = await pipe.execute()
        return dict(zip(names, found, strict=True))
