"""Benchmark (make bench): the Insights page, CSV and JSON over a full year of counters.

Every hour of 366 days carries every funnel counter and a duty sample, every day a full set of
histogram buckets and ratings: the largest a year can get. Prints the time per request.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import insights
from tests.admin_helpers import web_client

pytestmark = pytest.mark.bench
ROUNDS = 5
FIRST = date(2025, 11, 1)
DAYS = 366


async def seed_year(client: aioredis.Redis) -> None:
    rng = random.Random(3)
    async with client.pipeline(transaction=False) as pipe:
        for n in range(DAYS):
            day = FIRST + timedelta(days=n)
            fields: dict[str, int] = {}
            for hour in range(24):
                answered, before, after, turned = (rng.randint(0, 6) for _ in range(4))
                fields.update({
                    f"{hour:02d}:answered": answered, f"{hour:02d}:turned_away": turned,
                    f"{hour:02d}:abandoned_before_estimate": before,
                    f"{hour:02d}:abandoned_after_estimate": after,
                    f"{hour:02d}:offered": answered + before + after + turned,
                    f"{hour:02d}:turned_queue_full": turned, f"{hour:02d}:quick_exit": 1,
                    f"{hour:02d}:samples": 60, f"{hour:02d}:duty_sum": 120,
                    f"{hour:02d}:sched_sum": 120,
                })
            for bucket in range(40):
                fields[f"wait:{bucket}"] = rng.randint(0, 9)
                fields[f"dur:{bucket}"] = rng.randint(0, 9)
                fields[f"abandon:{bucket}"] = rng.randint(0, 9)
            fields["dur_sum"] = 90_000
            fields.update({f"rating:{r}": rng.randint(0, 3) for r in range(1, 6)})
            pipe.hset(f"hc:ins:{day.isoformat()}", mapping=fields)
        await pipe.execute()


async def test_bench_a_year_of_insights(server: TestServer, base_url: str,
                                        redis_client: aioredis.Redis) -> None:
    await seed_year(redis_client)
    admin = await web_client(base_url, server.app, "beheer", "admin")
    last = FIRST + timedelta(days=DAYS - 1)
    period = f"from={FIRST.isoformat()}&to={last.isoformat()}"
    try:
        for path in (f"/admin/insights?{period}", f"/admin/insights.csv?{period}",
                     f"/admin/insights.json?{period}"):
            took = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                status, body = await admin.get(path)
                took.append(time.perf_counter() - started)
                assert status == 200
            print(f"\n{path.split('?')[0]} over {DAYS} days: median "
                  f"{statistics.median(took) * 1000:.0f} ms, max {max(took) * 1000:.0f} ms "
                  f"({len(body) // 1024} KiB)")
        assert str(DAYS * 24) in str(len(insights.dates(FIRST, last)) * 24)
    finally:
        await admin.close()
