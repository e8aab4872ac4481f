"""The proof-of-work gate in front of the queue, with real servers, Redis and socket.io clients:
free at normal load, a single-use challenge under a flood, capped admissions, the urgent policy."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys, proof
from tests.conftest import ServerFactory
from tests.support import Client, Counselor, eventually, make_counselor, visitor

# Cheap work for tests: at most 20 one-iteration tries per challenge.
FAST = {"proof_min_number": 10, "proof_max_number": 20, "proof_cost": 1}


def start_of_a_minute(server: TestServer) -> None:
    """Run the hub's clock from just after the start of a one-minute window, so the per-minute
    counters cannot roll over in the middle of a test."""
    hub = server.app[appkeys.HUB]
    real_start = time.time()
    aligned = (real_start // 60 + 1) * 60 + 0.5
    hub.clock = lambda: aligned + (time.time() - real_start)


async def gated_server(start_server: ServerFactory, **overrides: Any
                       ) -> tuple[TestServer, str, Counselor]:
    """A server with a counselor on duty, so the queue is open."""
    server = await start_server(**{"proof_joins_per_minute": 1, **FAST, **overrides})
    start_of_a_minute(server)
    url = str(server.make_url("")).rstrip("/")
    anna = await make_counselor(server.app, url, "anna", max_chats=3)
    await anna.call("set_duty", {"on": True})
    return server, url, anna


async def join(url: str, body: dict[str, Any] | None = None) -> tuple[Client, dict[str, Any]]:
    """A fresh visitor that asks for a chat, solving a challenge if one is asked for."""
    youth, _ = await visitor(url)
    answer = await youth.call("request_chat", body or {})
    if not answer["ok"] and answer["error"]["code"] == "rate_limited":
        solved = proof.solve(answer["error"]["challenge"])
        answer = await youth.call("request_chat", {**(body or {}), "proof": solved})
    return youth, answer


async def test_joins_are_free_at_normal_load(start_server: ServerFactory) -> None:
    _, url, anna = await gated_server(start_server, proof_joins_per_minute=20)
    for _ in range(3):
        youth, _ = await visitor(url)
        assert (await youth.call("request_chat", {}))["ok"] is True
        await youth.close()
    await anna.close()


async def test_past_the_threshold_a_join_needs_a_solved_challenge(
    start_server: ServerFactory,
) -> None:
    _, url, anna = await gated_server(start_server)
    first, joined = await join(url)
    assert joined["ok"] and not first.received("message")
    youth, _ = await visitor(url)
    refused = await youth.call("request_chat", {"topic": "School"})
    assert refused["ok"] is False
    error = refused["error"]
    assert error["code"] == "rate_limited" and error["retry_after_ms"] == 0
    assert error["message"].startswith("Het is nu erg druk")
    assert error["challenge"]["parameters"]["algorithm"] == "PBKDF2/SHA-256"
    assert error["challenge"]["signature"]
    solved = proof.solve(error["challenge"])
    joined = await youth.call("request_chat", {"topic": "School", "proof": solved})
    assert joined["ok"] and joined["position"] == 2
    for client in (first, youth, anna):
        await client.close()


async def test_each_challenge_admits_one_join_only(
    start_server: ServerFactory, redis_client: aioredis.Redis,
) -> None:
    _, url, anna = await gated_server(start_server)
    first, _ = await join(url)
    second, _ = await visitor(url)
    challenge = (await second.call("request_chat", {}))["error"]["challenge"]
    solved = proof.solve(challenge)
    assert (await second.call("request_chat", {"proof": solved}))["ok"]
    third, _ = await visitor(url)
    replay = await third.call("request_chat", {"proof": solved})
    assert replay["error"]["code"] == "rate_limited"
    assert replay["error"]["challenge"]["signature"] != challenge["signature"]
    for junk in ({"challenge": {}, "solution": {}}, "bm90IGEgcHJvb2Y="):
        assert (await third.call("request_chat", {"proof": junk}))["error"]["code"] == \
            "rate_limited"
    assert (await third.call("request_chat", {"proof": 12}))["error"]["code"] == "invalid"
    # Counters and used marks only, all expiring (nothing per visitor).
    pow_keys = [k async for k in redis_client.scan_iter("hc:pow:*")]
    assert any(k.startswith("hc:pow:used:") for k in pow_keys)
    assert all(0 < ttl <= 121 for ttl in [await redis_client.ttl(k) for k in pow_keys])
    for client in (first, second, third, anna):
        await client.close()


async def test_scripts_that_solve_get_at_most_the_admissions_per_minute(
    start_server: ServerFactory,
) -> None:
    server, url, anna = await gated_server(start_server, proof_admissions_per_minute=3)
    free, _ = await join(url)  # below the threshold: no proof, not counted as an admission
    results = [await join(url) for _ in range(5)]
    admitted = [answer for _, answer in results if answer["ok"]]
    refused = [answer["error"] for _, answer in results if not answer["ok"]]
    assert len(admitted) == 3 and len(refused) == 2
    assert all(e["code"] == "rate_limited" and 0 < e["retry_after_ms"] <= 60_000
               and e["challenge"] for e in refused)
    assert len(await server.app[appkeys.STORE].queue.entries()) == 4
    for client in (free, *(client for client, _ in results), anna):
        await client.close()


async def test_urgent_keeps_its_priority_but_a_flood_of_urgent_joins_cannot_fill_the_front(
    start_server: ServerFactory,
) -> None:
    _, url, anna = await gated_server(start_server, proof_urgent_per_minute=1)
    normal, first = await join(url, {"topic": "School"})
    real, urgent = await join(url, {"urgent": True})
    fake, flooded = await join(url, {"urgent": True})
    assert urgent["ok"] and urgent["position"] == 1  # paid the proof, kept its priority
    assert flooded["ok"] and flooded["position"] == 3  # past the urgent budget: by arrival
    queue = await anna.client.wait_for("queue", lambda q: len(q["entries"]) == 3)
    order = [(e["conversation_id"], e["urgent"]) for e in queue["entries"]]
    assert order == [(urgent["conversation_id"], True), (first["conversation_id"], False),
                     (flooded["conversation_id"], True)]
    for client in (normal, real, fake, anna):
        await client.close()


async def test_at_normal_load_too_only_so_many_urgent_joins_a_minute_go_first(
    start_server: ServerFactory,
) -> None:
    _, url, anna = await gated_server(start_server, proof_joins_per_minute=20,
                                      proof_urgent_per_minute=1)
    normal, _ = await join(url)
    urgent, placed = await join(url, {"urgent": True})
    second, unplaced = await join(url, {"urgent": True})
    assert [placed["position"], unplaced["position"]] == [1, 3]
    for client in (normal, urgent, second, anna):
        await client.close()


async def test_a_flood_of_scripts_that_skip_the_proof_does_not_delay_a_real_youth(
    start_server: ServerFactory,
) -> None:
    """Issue 8's target, in small: ~100 joins/s from scripts that never solve, while a youth
    joins (solving, as the widget does) and is taken at once."""
    _, url, anna = await gated_server(start_server, proof_joins_per_minute=20,
                                     proof_min_number=20, proof_max_number=200)
    scripts = [(await visitor(url))[0] for _ in range(10)]
    stop = asyncio.Event()
    answers = {"free": 0, "refused": 0}

    async def flood(client: Client) -> None:
        while not stop.is_set():
            answer = await client.call("request_chat", {"urgent": True})
            if answer["ok"]:  # one of the free joins before the detector rose: go again
                answers["free"] += 1
                assert (await client.call("leave_queue", {}))["ok"]
                await client.call("feedback", {"rating": 1})
            else:
                assert answer["error"]["code"] == "rate_limited"
                answers["refused"] += 1
            await asyncio.sleep(0.1)

    async def risen() -> bool:
        return answers["refused"] >= 30

    flooding = [asyncio.create_task(flood(c)) for c in scripts]
    await eventually(risen, timeout=10)
    started = time.perf_counter()
    youth, joined = await join(url, {"topic": "School"})
    assert joined["ok"] and joined["position"] == 1
    taken = await anna.call("take", {})
    took = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*flooding)
    assert taken["ok"] and taken["conversation"]["id"] == joined["conversation_id"]
    assert took < 2.0
    # A cold start lets a burst of four in for free (20 a minute read over ten seconds).
    assert answers["free"] <= 4
    for client in (youth, *scripts, anna):
        await client.close()
