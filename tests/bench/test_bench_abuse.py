"""Flood generators for issue 8 (make bench ARGS=tests/bench/test_bench_abuse.py): one attacker's
message flood, a bystander chat on another process during it, and a session flood. They print
figures and assert only that the work was done. Written against the protocol only, so the same
file runs on a checkout from before the limits (settings it names are then ignored)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
import socketio
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from tests.bench.session_flood import chat_during_flood
from tests.conftest import ServerFactory
from tests.faults import ServerProcess
from tests.support import (
    Client,
    chat_with,
    eventually,
    make_counselor,
    visitor,
)

pytestmark = pytest.mark.bench
EMOJI_2000 = "\U0001f600" * 2000
FLOOD_S = 10.0
SESSIONS = 10_000
_ids = itertools.count()  # client ids unique across concurrent senders on one socket


def _url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


async def _used(client: aioredis.Redis) -> int:
    return int((await client.info("memory"))["used_memory"])


async def _dataset(client: aioredis.Redis) -> tuple[int, int]:
    """(used_memory_dataset, connected_clients): data without Redis's own overhead (client
    buffers, dict tables), and how many connections the app's pool holds open."""
    memory, clients = await client.info("memory"), await client.info("clients")
    return int(memory["used_memory_dataset"]), int(clients["connected_clients"])


async def _flood(client: Client, seconds: float, data: dict[str, Any]) -> tuple[int, int]:
    """(sent, accepted) 2,000-emoji messages and typing, as fast as acks come back."""
    sent = accepted = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        sent += 1
        ack = await client.call("message", {**data, "client_id": f"f{next(_ids)}",
                                            "text": EMOJI_2000})
        accepted += bool(ack.get("ok"))
        await client.call("typing", {**data, "typing": sent % 2 == 0})
    return sent, accepted


async def test_bench_one_queued_visitor_floods_then_a_counselor_takes_and_ends(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    server = await start_server()
    url = _url(server)
    anna = await make_counselor(server.app, url, "anna")
    await anna.call("set_duty", {"on": True})
    youth, _ = await visitor(url)
    cid = (await youth.call("request_chat", {}))["conversation_id"]
    before = await _used(redis_client)
    results = await asyncio.gather(*(_flood(youth, FLOOD_S, {}) for _ in range(4)))
    sent, accepted = sum(r[0] for r in results), sum(r[1] for r in results)
    grown = await _used(redis_client) - before
    print(f"\nmessage flood {FLOOD_S:.0f} s, 4 senders: {sent} sent, {accepted} stored, Redis "
          f"+{grown / 1e6:.1f} MB")
    started = time.perf_counter()
    try:
        taken = await anna.call("take", {})
    except socketio.exceptions.TimeoutError:  # the ack never came (5 s)
        print("take: no ack within 5 s")
        return
    took = time.perf_counter() - started
    size = len(json.dumps(taken))
    started = time.perf_counter()
    ended = await anna.call("end_chat", {"conversation_id": cid})
    end_s = time.perf_counter() - started
    print(f"take {took * 1000:.0f} ms, ack {size / 1e6:.2f} MB, "
          f"{len(taken['conversation']['messages'])} messages; end {end_s * 1000:.0f} ms "
          f"(ok={ended['ok']})")
    assert sent > 0
    await youth.close()
    await anna.close()


async def test_bench_bystander_latency_on_another_process_during_a_flood(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    for label, settings in (("default limits", {}),
                            ("rate limits off", {"visitor_message_burst": 100_000,
                                                 "counselor_message_burst": 100_000})):
        await redis_client.flushall()
        one, two = await start_server(**settings), await start_server(**settings)
        anna = await make_counselor(one.app, _url(one), f"anna{len(label)}")
        flooder, _, flood_cid = await chat_with(_url(two), anna)
        bob = await make_counselor(two.app, _url(two), f"bob{len(label)}")
        youth, _, _ = await chat_with(_url(one), bob)
        arrived: dict[str, float] = {}
        bob.client.sio.on("message",
                          lambda m, arrived=arrived: arrived.setdefault(m["client_id"],
                                                                        time.perf_counter()),
                          namespace="/counselor")
        floods = [asyncio.create_task(_flood(flooder, FLOOD_S, {})) for _ in range(4)]
        floods.append(asyncio.create_task(_flood(anna.client, FLOOD_S,
                                                 {"conversation_id": flood_cid})))
        sent_at: dict[str, float] = {}
        refused = 0
        for n in range(int(FLOOD_S * 2)):  # a person's pace: one message every half second
            client_id = f"b{label[0]}{n}"
            sent_at[client_id] = time.perf_counter()
            ack = await youth.call("message", {"client_id": client_id, "text": f"bystander {n}"})
            refused += not ack.get("ok")
            await asyncio.sleep(0.5)
        flood = await asyncio.gather(*floods)
        with contextlib.suppress(AssertionError):  # whatever is lost stays lost: count it
            await eventually(lambda arrived=arrived, sent_at=sent_at, refused=refused:
                             _all(arrived, sent_at, refused), timeout=30)
        latencies = sorted(arrived[c] - sent_at[c] for c in sent_at if c in arrived)
        lost = len(sent_at) - refused - len(latencies)
        p99 = latencies[max(0, int(0.99 * len(latencies)) - 1)] if latencies else float("nan")
        drops = sum(getattr(server.app[appkeys.SIO].manager, "resubscribes", 0)
                    for server in (one, two))
        print(f"\nbystander, {label}: flood {sum(f[0] for f in flood)} sent / "
              f"{sum(f[1] for f in flood)} accepted; bystander {len(latencies)} delivered, "
              f"{lost} lost, {refused} refused, p99 {p99 * 1000:.1f} ms, max "
              f"{(latencies[-1] if latencies else float('nan')) * 1000:.1f} ms; subscriber "
              f"resubscribes {drops}")
        for client in (youth, flooder):
            await client.close()
        await anna.close()
        await bob.close()


async def _drained(client: aioredis.Redis, sessions: int) -> bool:
    """The grace sweep and expiry are done: no one gone, only the `sessions` kept before."""
    return await client.zcard("hc:gone") == 0 and \
        len([k async for k in client.scan_iter("hc:v:*")]) <= sessions


async def _all(arrived: dict[str, float], sent_at: dict[str, float], refused: int) -> bool:
    return len(arrived) >= len(sent_at) - refused


async def test_bench_ten_thousand_sessions_opened_and_dropped(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    # The running chat writes 5 messages a second to sample latency: above the visitor rate.
    # The flood's own clients run on the server's event loop here, so arrival pacing (which
    # reads that loop as busy) is off: this one measures Redis growth; the chat's pace during
    # a flood is measured from another process below.
    server = await start_server(visitor_grace_seconds=0, visitor_idle_session_seconds=2,
                                visitor_message_burst=100_000, arrival_busy_percent=0)
    url = _url(server)
    anna = await make_counselor(server.app, url, "anna")
    youth, _, cid = await chat_with(url, anna)  # a running chat, timed during the flood
    before = await _used(redis_client)
    data_before, clients_before = await _dataset(redis_client)
    kept = len([k async for k in redis_client.scan_iter("hc:v:*")])  # the chatting youth's

    async def one() -> None:
        client = await Client().connect(url, "/visitor")
        await client.wait_for("session")
        await client.close()

    async def flood() -> None:
        for _ in range(0, SESSIONS, 50):
            await asyncio.gather(*(one() for _ in range(50)))

    task = asyncio.create_task(flood())
    started, rounds = time.perf_counter(), []
    n = 0
    while not task.done():
        n += 1
        t0 = time.perf_counter()
        await youth.call("message", {"client_id": f"r{n}", "text": "nog daar?"})
        await anna.client.wait_for("message", lambda m, n=n: m["client_id"] == f"r{n}",
                                   timeout=60)
        rounds.append(time.perf_counter() - t0)
        await asyncio.sleep(0.2)
    await task
    flood_s = time.perf_counter() - started
    peak = await _used(redis_client) - before
    # The grace sweep and expiry (bounded: before the limits, sessions lived a day).
    with contextlib.suppress(AssertionError):
        await eventually(lambda: _drained(redis_client, kept), timeout=60)
    after = await _used(redis_client) - before
    data_after, clients_after = await _dataset(redis_client)
    print(f"\nafter expiry: dataset {(data_after - data_before) / 1e6:+.2f} MB, Redis "
          f"connections {clients_before} -> {clients_after}")
    rounds.sort()
    print(f"\nsession flood: {SESSIONS} opened and dropped in {flood_s:.0f} s; Redis +"
          f"{peak / 1e6:.2f} MB at the end of the flood, +{after / 1e6:.2f} MB after expiry; "
          f"running chat round trip median {rounds[len(rounds) // 2] * 1000:.1f} ms, max "
          f"{rounds[-1] * 1000:.1f} ms over {len(rounds)}")
    await youth.close()
    await anna.close()
    assert cid


async def test_bench_ten_thousand_sessions_from_another_process(
    redis_url: str, tmp_path: Path, redis_client: aioredis.Redis
) -> None:
    """The same flood as above, measured from outside: the server in its own `run.py serve`
    process and the flood in another (above, flood, probe and server share one event loop, so
    the probe also waits for the flood's own clients)."""
    server = ServerProcess(redis_url, tmp_path / "s", visitor_grace_seconds=0,
                           visitor_idle_session_seconds=2, visitor_message_burst=100_000).start()
    try:
        print(f"\nsession flood from another process: "
              f"{await chat_during_flood(server.url, redis_url, SESSIONS)}")
    finally:
        await asyncio.to_thread(server.stop)
