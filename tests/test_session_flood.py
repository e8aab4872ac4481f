"""Sessions cost nothing until used: opening the widget stores nothing, a refused first request
only briefly, a thousand sessions opened and dropped leave Redis as it was, and a flood of them
does not slow a chat under way."""

from __future__ import annotations

import asyncio
import re
import urllib.request
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import identity
from tests.bench.session_flood import chat_during_flood
from tests.conftest import TEST_SECRET, ServerFactory
from tests.faults import ServerProcess
from tests.support import Client, eventually, make_counselor, visitor

FLOOD = 400


@pytest.fixture
def redis_url(own_redis_url: str) -> str:
    """A Redis of each test's own: the figures here are Redis's memory and a chat's pace, and
    the e2e tests' session-long server works in the suite's shared one meanwhile."""
    return own_redis_url


def _url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


def _vid(token: str) -> str:
    return identity.visitor_id(TEST_SECRET, token)


async def test_opening_the_widget_stores_no_session_and_a_closed_service_only_briefly(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    server = await start_server(visitor_idle_session_seconds=300)
    # Closed: the visit is told "not available" once, and counted once (turned away): that
    # mark is all that is stored, for the short idle expiry.
    closed, session = await visitor(_url(server))
    await closed.wait_for("availability")
    key = f"hc:v:{_vid(session['token'])}"

    async def marked() -> bool:
        return bool(await redis_client.exists(key))

    await eventually(marked)
    assert 0 < await redis_client.ttl(key) <= 300
    await closed.close()
    # Open: nothing at all (the welcome is done once its availability has arrived).
    anna = await make_counselor(server.app, _url(server), "anna")
    assert (await anna.call("set_duty", {"status": "on"}))["ok"]
    youth, session = await visitor(_url(server))
    assert (await youth.wait_for("availability"))["available"]
    assert session["state"] == "idle"
    assert (await youth.call("sync", {}))["state"] == "idle"  # and the visit still works
    assert not await redis_client.exists(f"hc:v:{_vid(session['token'])}")
    await youth.close()
    await anna.close()


async def test_a_refused_first_request_is_kept_minutes_and_a_queued_one_a_day(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    server = await start_server(visitor_idle_session_seconds=300, queue_cap=1)
    url = _url(server)
    anna = await make_counselor(server.app, url, "anna")
    await anna.call("set_duty", {"on": True})
    first, one = await visitor(url)
    assert (await first.call("request_chat", {}))["ok"]
    assert await redis_client.ttl(f"hc:v:{_vid(one['token'])}") > 23 * 3600
    second, two = await visitor(url)
    refused = await second.call("request_chat", {})  # the queue is full
    assert refused["error"]["code"] == "closed"
    assert 0 < await redis_client.ttl(f"hc:v:{_vid(two['token'])}") <= 300
    await second.call("sync", {})  # using it does not make it a day either
    assert 0 < await redis_client.ttl(f"hc:v:{_vid(two['token'])}") <= 300
    await first.close()
    await second.close()
    await anna.close()


async def _open_and_drop(url: str, count: int, batch: int = 50) -> None:
    async def one() -> None:
        client = await Client().connect(url, "/visitor")
        await client.wait_for("session")
        await client.close()

    for _ in range(0, count, batch):
        await asyncio.gather(*(one() for _ in range(batch)))


async def test_a_thousand_sessions_opened_and_dropped_leave_redis_as_it_was(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    # Closed (nobody on duty): each visit is counted as turned away once, which stores it for
    # the idle expiry, here one second.
    server = await start_server(visitor_grace_seconds=0, visitor_idle_session_seconds=1)
    url = _url(server)
    await _open_and_drop(url, 10)  # scripts loaded, first-use allocations made
    await eventually(lambda: _gone_empty(redis_client))
    await eventually(lambda: _keys(redis_client, 0, "hc:v:*"))
    used_before = await _dataset(redis_client)
    await _open_and_drop(url, FLOOD)
    await eventually(lambda: _gone_empty(redis_client), timeout=60)  # the grace sweep
    for family in ("hc:v:*", "hc:vconn:*"):  # and expiry (other families tick on by minute)
        await eventually(lambda family=family: _keys(redis_client, 0, family), timeout=60)
    grown = await _dataset(redis_client) - used_before
    print(f"\n{FLOOD} sessions opened and dropped: Redis grew by {grown / 1024:.0f} KiB")
    assert grown < 200 * 1024  # the budget is < 2 MB for 10,000


async def _dataset(client: aioredis.Redis) -> int:
    """Redis's data, without its own overhead: the client buffers of the connections the
    server's pool opens during the flood (up to 31, about 20 KiB each) are not per session."""
    return int((await client.info("memory"))["used_memory_dataset"])


async def _keys(client: aioredis.Redis, count: int, match: str) -> bool:
    return len([key async for key in client.scan_iter(match)]) == count


async def _gone_empty(client: aioredis.Redis) -> bool:
    return await client.zcard("hc:gone") == 0


def _paced(url: str) -> float:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:  # noqa: S310
        found = re.search(rb"^helpchat_arrivals_paced_total (\S+)$", response.read(), re.M)
    assert found
    return float(found[1])


async def test_a_flood_of_sessions_from_another_process_does_not_slow_a_running_chat(
    redis_url: str, tmp_path: Path
) -> None:
    # Measured, as an attacker's laptop floods: the server as operators run it, the flood in a
    # process of its own. Unpaced, the chat's median round trip was 60-73 ms during such a
    # flood (2-3 ms quiet); paced, 8 ms (tests/bench: arrival_busy_percent).
    server = ServerProcess(redis_url, tmp_path / "s", visitor_grace_seconds=0,
                           visitor_idle_session_seconds=2, visitor_message_burst=100_000).start()
    try:
        report = await chat_during_flood(server.url, redis_url, 1000)
        print(f"\n{report}")
        assert report.flood.startswith("1000 of 1000 sessions served")  # slowed, not refused
        assert _paced(server.url) > 0
        assert report.median < max(0.020, 5 * report.quiet_median), report
    finally:
        await asyncio.to_thread(server.stop)
