"""Benchmarks (make bench): print figures with a baseline measured in the same run.

Not timed tests: they assert only that the work was done, and print what it cost.
"""

from __future__ import annotations

import statistics
import time

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys, identity
from tests.conftest import CounselorFactory, ServerFactory
from tests.support import visitor

pytestmark = pytest.mark.bench
ROUNDS = 300


@pytest.fixture
async def server(start_server: ServerFactory) -> TestServer:
    """ROUNDS messages in a row from one visitor: the per-sender bucket (30 a minute) would
    refuse all but the first few, so it is made deep enough; its check stays in the path."""
    return await start_server(visitor_message_burst=ROUNDS + 10)


def _report(name: str, samples_s: list[float], baseline_s: list[float]) -> None:
    median, base = statistics.median(samples_s), statistics.median(baseline_s)
    p95 = sorted(samples_s)[int(0.95 * len(samples_s)) - 1]
    print(f"\n{name}: median {median * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms over "
          f"{len(samples_s)} rounds; baseline median {base * 1000:.2f} ms; "
          f"ratio {median / base:.1f}x")


async def test_bench_message_round_trip_visitor_to_counselor(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    """From the visitor's send to the counselor's receipt, against a bare socket.io round trip
    (an unknown event, answered without touching Redis) on the same server."""
    anna = await counselor_factory("anna")
    await anna.call("set_duty", {"on": True})
    youth, _ = await visitor(base_url)
    await youth.call("request_chat", {})
    await anna.call("take", {})
    baseline, samples = [], []
    for n in range(ROUNDS):
        start = time.perf_counter()
        await youth.call("no_such_event", {})
        baseline.append(time.perf_counter() - start)
        start = time.perf_counter()
        ack = await youth.call("message", {"client_id": f"b{n}", "text": f"bericht {n}"})
        await anna.client.wait_for("message", lambda m, n=n: m["client_id"] == f"b{n}")
        samples.append(time.perf_counter() - start)
        assert ack["ok"]
    anna.client.events.clear()
    _report("message visitor->counselor", samples, baseline)
    await youth.close()


async def test_bench_atomic_take_against_plain_zpopmin(
    server: TestServer, redis_client: aioredis.Redis
) -> None:
    """The take script (duty and limit checks, queue -> counselor, visitor state) against the
    cheapest possible dequeue, ZPOPMIN on a plain sorted set, on the same Redis."""
    store = server.app[appkeys.STORE]
    counselor_id = identity.new_id()
    await store.counselors.set_duty(counselor_id, "on")
    for n in range(ROUNDS):
        vid = identity.visitor_id("bench", f"token-{n}")
        await store.sessions.create(vid, "nl", 0)
        status, _, _ = await store.queue.enqueue(vid=vid, cid=identity.new_id(), now_ms=n,
                                              topic=None, urgent=False, cap=ROUNDS,
                                              pseudonym_code="ABCD", lang="nl")
        assert status == "ok"
        await redis_client.zadd("bench:plain", {f"c{n}": n})
    samples, baseline = [], []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        assert await redis_client.zpopmin("bench:plain")
        baseline.append(time.perf_counter() - start)
        start = time.perf_counter()
        status, _, _ = await store.queue.take(counselor_id, None, now_ms=1,
                                              max_chats=ROUNDS + 1)
        samples.append(time.perf_counter() - start)
        assert status == "ok"
    _report("take (Lua)", samples, baseline)
