"""Benchmark (make bench): the Insights page, CSV and JSON over a full year of counters.

Every hour of 366 days carries every funnel counter and a duty sample, every day a full set of
histogram buckets and ratings: the largest a year can get. The counters go into the suite's real
redis-server, the page is served by a real `run.py serve` process and fetched over HTTP, as an
admin's browser fetches it. Prints the median and the slowest of ROUNDS requests per path (the
first request, which also compiles the template, is left out of the median as a warm-up).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis
from playwright.async_api import async_playwright

from helpchat.config import load_settings
from helpchat.store import Store
from tests.bench.procs import HelpchatServer, cpu_seconds, loadavg
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.faults import TEST_SECRET
from tests.support import add_account, login

pytestmark = pytest.mark.bench
ROUNDS = 7
FIRST = date(2025, 11, 1)
DAYS = 366
PATHS = ("/admin/insights", "/admin/insights.csv", "/admin/insights.json")
CHARTS = ("chart-weeks", "chart-wait", "chart-coverage")


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


@pytest.fixture
async def year_server(redis_url: str, tmp_path: Path) -> AsyncIterator[HelpchatServer]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    await seed_year(client)
    settings = load_settings(environ={}, redis_url=redis_url, secret_key=TEST_SECRET)
    await add_account(Store.create(client, settings), "beheer", role="admin")
    await client.aclose()
    server = await asyncio.to_thread(HelpchatServer(redis_url, tmp_path / "server").start)
    yield server
    await asyncio.to_thread(server.stop)


async def test_bench_a_year_of_insights(year_server: HelpchatServer) -> None:
    cookie = await login(year_server.url, "beheer")
    last = FIRST + timedelta(days=DAYS - 1)
    period = f"from={FIRST.isoformat()}&to={last.isoformat()}"
    print(f"\nload average before {loadavg()}")
    async with aiohttp.ClientSession(cookies={"helpchat_session": cookie}) as http:
        for path in PATHS:
            took, cpu = [], []
            for _ in range(ROUNDS + 1):
                started, cpu_started = time.perf_counter(), cpu_seconds(year_server.pid)
                async with http.get(f"{year_server.url}{path}?{period}") as response:
                    body = await response.read()
                    assert response.status == 200, path
                took.append(time.perf_counter() - started)
                cpu.append(cpu_seconds(year_server.pid) - cpu_started)
            print(f"{path} over {DAYS} days: median {statistics.median(took[1:]) * 1000:.0f} ms, "
                  f"max {max(took[1:]) * 1000:.0f} ms, server CPU median "
                  f"{statistics.median(cpu[1:]) * 1000:.0f} ms; first {took[0] * 1000:.0f} ms "
                  f"({len(body) // 1024} KiB)")
    print(f"load average after {loadavg()}")


async def test_bench_a_year_of_insights_in_chromium(year_server: HelpchatServer) -> None:
    """From navigation to the last of the charts drawn, as an admin sees the page (run it under
    the shared browser lock: flock /tmp/helpchat-heavy.lock)."""
    cookie = await login(year_server.url, "beheer")
    last = FIRST + timedelta(days=DAYS - 1)
    url = f"{year_server.url}/admin/insights?from={FIRST.isoformat()}&to={last.isoformat()}"
    drawn = ("ids => ids.every(id => window.Chart && "
             "window.Chart.getChart(document.getElementById(id)))")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context()
        await context.add_cookies([{"name": "helpchat_session", "value": cookie,
                                    "url": year_server.url}])
        page = await context.new_page()
        took = []
        for _ in range(ROUNDS + 1):
            started = time.perf_counter()
            await page.goto(url)
            await page.wait_for_function(drawn, arg=list(CHARTS))
            took.append(time.perf_counter() - started)
        await browser.close()
    print(f"\n/admin/insights over {DAYS} days in Chromium, navigation to charts drawn: median "
          f"{statistics.median(took[1:]) * 1000:.0f} ms, max {max(took[1:]) * 1000:.0f} ms, "
          f"first {took[0] * 1000:.0f} ms; load average {loadavg()}")
