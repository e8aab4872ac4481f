"""store.threads and the lookup behind pickup codes, on the real embedded Redis."""

from __future__ import annotations

import random
import time

import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys, pickup_codes
from helpchat.store import keys
from tests.support import visitor

DAY_S = 24 * 3600


async def _ask(base_url: str, text: str = "mag ik iets vragen?") -> tuple[str, str]:
    youth, _ = await visitor(base_url)
    asked = await youth.call("ask", {"text": text, "client_id": "q1"})
    await youth.close()
    assert asked["ok"], asked
    return asked["code"], asked["thread_id"]


async def test_only_an_hmac_and_a_slow_hash_of_the_code_are_stored(
    server: TestServer, base_url: str, redis_client: aioredis.Redis,
) -> None:
    code, tid = await _ask(base_url)
    thread = await redis_client.hgetall(keys.thread(tid))
    assert thread["code_hash"].startswith("$argon2id$")
    digest = pickup_codes.lookup_digest(server.app[appkeys.SETTINGS].secret_key, code)
    assert await redis_client.get(keys.thread_code(digest)) == tid
    everything = [k async for k in redis_client.scan_iter()]
    for key in everything:
        for word in code.split():
            assert word not in key
    dump = str([await redis_client.dump(k) for k in everything])
    assert code not in dump and code.replace(" ", "") not in dump


async def test_every_thread_key_expires_the_ttl_after_its_last_message(
    server: TestServer, base_url: str, redis_client: aioredis.Redis,
) -> None:
    code, tid = await _ask(base_url)
    digest = pickup_codes.lookup_digest(server.app[appkeys.SETTINGS].secret_key, code)
    content = [keys.thread(tid), keys.thread_log(tid), keys.thread_client_ids(tid),
               keys.thread_code(digest)]
    for key in content:
        assert 29 * DAY_S < await redis_client.ttl(key) <= 30 * DAY_S, key
    for key in content:
        await redis_client.expire(key, 60)
    youth, _ = await visitor(base_url)
    assert (await youth.call("pickup", {"code": code}))["ok"]
    assert (await youth.call("reply", {"thread_id": tid, "client_id": "r1",
                                       "text": "nog iets"}))["ok"]
    for key in content:
        assert await redis_client.ttl(key) > 29 * DAY_S, key
    await youth.close()


async def test_a_million_random_guesses_find_nothing(
    server: TestServer, base_url: str,
) -> None:
    """Guesses straight at the lookup the pickup event uses (no proof of work, no ceiling):
    with 5 live threads, 10^6 random six-word codes hit none of them. Each miss ends at the
    index lookup; none reaches the slow hash, which is why this takes seconds."""
    desk = server.app[appkeys.HUB].questions
    real = [await _ask(base_url) for _ in range(5)]
    words = pickup_codes.wordlist("nl") + pickup_codes.wordlist("en")
    rng = random.Random(12)
    started = time.perf_counter()
    hits = 0
    for _ in range(100):
        batch = [" ".join(rng.choices(words, k=6)) for _ in range(10_000)]
        hits += sum(found is not None for found in await desk.lookup(batch))
    elapsed = time.perf_counter() - started
    assert hits == 0
    print(f"10^6 guesses in {elapsed:.1f} s")
    # The same function does find a real code, so the zero above can fail.
    found = await desk.lookup([real[0][0], "wrong " * 6])
    assert found[0] is not None and found[0].id == real[0][1] and found[1] is None
