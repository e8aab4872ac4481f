"""Coalesced work: at most one run per window, and none of the requests left out."""

from __future__ import annotations

import asyncio

from helpchat.outage import RedisWatch
from helpchat.realtime.hub.coalesce import Coalesced

WINDOW_S = 0.05


async def test_a_burst_of_requests_runs_once_now_and_once_after_the_window() -> None:
    runs: list[float] = []
    loop = asyncio.get_running_loop()

    async def work() -> None:
        runs.append(loop.time())

    push = Coalesced(work, WINDOW_S, RedisWatch())
    for _ in range(50):
        push.request()
        await asyncio.sleep(0)  # the first run starts meanwhile
    await asyncio.sleep(3 * WINDOW_S)
    assert len(runs) == 2
    assert runs[1] - runs[0] >= WINDOW_S * 0.99
    await push.close()


async def test_a_request_while_the_work_runs_gets_a_run_of_its_own_after_it() -> None:
    seen: list[int] = []
    state = {"value": 0}
    started = asyncio.Event()

    async def work() -> None:
        started.set()
        value = state["value"]
        await asyncio.sleep(0.02)  # reads, then takes a while to send
        seen.append(value)

    push = Coalesced(work, WINDOW_S, RedisWatch())
    push.request()
    await started.wait()
    state["value"] = 1  # changed after the running push read it
    push.request()
    await asyncio.sleep(4 * WINDOW_S)
    assert seen == [0, 1]  # the change went out too
    await push.close()


async def test_a_failing_run_does_not_stop_later_ones() -> None:
    calls = 0

    async def work() -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("boom")

    push = Coalesced(work, WINDOW_S, RedisWatch())
    push.request()
    await asyncio.sleep(2 * WINDOW_S)
    push.request()
    await asyncio.sleep(2 * WINDOW_S)
    assert calls == 2
    await push.close()
