"""Insights counters in the real Redis: hour buckets in the roster's time zone, outcomes in the
request's hour, retention, one duty sample per minute across processes, comments per month."""

from __future__ import annotations

import calendar
import time
from datetime import UTC, date, datetime

import redis.asyncio as aioredis

from helpchat import insights
from helpchat.config import LiveSettings
from helpchat.store.insights import Insights, add_months
from tests.conftest import make_settings


def at(text: str) -> int:
    """Milliseconds of an ISO instant with offset."""
    return int(datetime.fromisoformat(text).timestamp() * 1000)


async def expires_at(client: aioredis.Redis, key: str, epoch_s: int) -> None:
    """Redis 6.2 has no EXPIRETIME: the remaining TTL must end at epoch_s (a second's slack)."""
    assert abs(time.time() + await client.ttl(key) - epoch_s) <= 2


def ints(counts: dict[str, str]) -> dict[str, int]:
    return {name: int(value) for name, value in counts.items()}


def store(client: aioredis.Redis, redis_url: str, tmp_path: object, **settings: object) -> Insights:
    return Insights(client, LiveSettings(make_settings(redis_url, tmp_path, **settings)))


async def test_outcomes_are_booked_in_the_hour_the_request_came_in(
    redis_client: aioredis.Redis, redis_url: str, tmp_path: object,
) -> None:
    counters = store(redis_client, redis_url, tmp_path)
    asked = at("2026-11-02T14:58:00+01:00")  # Monday 14:58 in Amsterdam
    await counters.offered(asked)
    await counters.answered(asked, asked + 75_000)  # taken at 15:00:15
    await counters.offered(asked)
    await counters.abandoned(asked, asked + 200_000, estimate_s=120)
    await counters.offered(asked)
    await counters.abandoned(asked, asked + 30_000, estimate_s=120)
    await counters.turned_away("queue_full", asked)
    day = ints((await counters.days(date(2026, 11, 2), date(2026, 11, 2)))[date(2026, 11, 2)])
    assert day["14:offered"] == 4
    assert day["14:answered"] == 1 and "15:answered" not in day
    assert day["14:abandoned_after_estimate"] == 1
    assert day["14:abandoned_before_estimate"] == 1
    assert day["14:turned_away"] == 1 and day["14:turned_queue_full"] == 1
    assert day[f"wait:{insights.bucket_of(75)}"] == 1
    assert insights.week_grid({date(2026, 11, 2): day})[0][14].balanced()


async def test_hours_follow_the_roster_time_zone_not_utc(
    redis_client: aioredis.Redis, redis_url: str, tmp_path: object,
) -> None:
    counters = store(redis_client, redis_url, tmp_path, timezone="Europe/Amsterdam")
    await counters.offered(at("2026-11-01T23:30:00+00:00"))  # 00:30 on Monday in Amsterdam
    found = {d: ints(c) for d, c in (await counters.days(date(2026, 11, 1),
                                                          date(2026, 11, 2))).items()}
    assert found[date(2026, 11, 1)] == {}
    assert found[date(2026, 11, 2)] == {"00:offered": 1}


async def test_counters_expire_the_configured_months_after_their_day(
    redis_client: aioredis.Redis, redis_url: str, tmp_path: object,
) -> None:
    counters = store(redis_client, redis_url, tmp_path, insights_retention_months=25)
    await counters.count_now("quick_exit", at("2026-11-02T10:00:00+01:00"))
    await expires_at(redis_client, "hc:ins:2026-11-02",
                     calendar.timegm(date(2028, 12, 3).timetuple()))
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


async def test_one_duty_sample_per_minute_even_with_two_processes(
    redis_client: aioredis.Redis, redis_url: str, tmp_path: object,
) -> None:
    first, second = (store(redis_client, redis_url, tmp_path) for _ in range(2))
    now = at("2026-11-02T20:10:05+01:00")
    assert await first.sample_duty(on_duty=2, scheduled=3, now_ms=now)
    assert not await second.sample_duty(on_duty=2, scheduled=3, now_ms=now + 20_000)
    assert await second.sample_duty(on_duty=1, scheduled=3, now_ms=now + 60_000)
    day = ints((await first.days(date(2026, 11, 2), date(2026, 11, 2)))[date(2026, 11, 2)])
    assert (day["20:samples"], day["20:duty_sum"], day["20:sched_sum"]) == (2, 3, 6)
    assert 0 < await redis_client.ttl(f"hc:instick:{now // 60_000}") <= 120


async def test_feedback_comments_are_kept_per_month_with_their_own_retention(
    redis_client: aioredis.Redis, redis_url: str, tmp_path: object,
) -> None:
    counters = store(redis_client, redis_url, tmp_path, feedback_retention_days=90)
    await counters.feedback(5, "fijn dat jullie er waren", at("2026-11-20T19:00:00+01:00"))
    await counters.feedback(2, None, at("2026-11-21T19:00:00+01:00"))
    assert await counters.comments(["2026-11", "2026-10"]) == {
        "2026-11": ["fijn dat jullie er waren"], "2026-10": []}
    until = calendar.timegm(datetime(2027, 3, 1, tzinfo=UTC).timetuple())  # Dec 1 + 90 days
    await expires_at(redis_client, "hc:feedback:2026-11", until)
    days = {d: ints(c) for d, c in (await counters.days(date(2026, 11, 20),
                                                         date(2026, 11, 21))).items()}
    assert days[date(2026, 11, 20)]["rating:5"] == 1 and days[date(2026, 11, 21)]["rating:2"] == 1
