"""A block sticks for its duration: across reconnects, until it ends or an admin lifts it."""

from __future__ import annotations

import time
from datetime import time as clock_time

import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from helpchat.limits import block_ends
from tests.conftest import ServerFactory
from tests.support import chat_with, eventually, make_counselor, visitor


def _url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


async def test_a_blocked_visitor_reconnects_blocked_until_the_block_ends(
    start_server: ServerFactory
) -> None:
    server = await start_server(block_hours=0.0005)  # 1.8 s
    url = _url(server)
    anna = await make_counselor(server.app, url, "anna")
    youth, session, cid = await chat_with(url, anna)
    assert (await anna.call("block", {"conversation_id": cid, "reason": "scheldt"}))["ok"]
    ended = await youth.wait_for("chat_ended")
    assert ended["reason"] == "blocked" and ended["contacts"]  # the widget: "the chat ended"
    await youth.close()

    youth, again = await visitor(url, token=session["token"])
    assert again["token"] == session["token"]
    assert again["state"] == "blocked" and again["conversation_id"] is None
    refused = await youth.call("request_chat", {})
    assert refused["error"]["code"] == "blocked"
    assert "scheldt" not in str(refused)
    await youth.close()

    async def unblocked() -> bool:
        client, state = await visitor(url, token=session["token"])
        await client.close()
        return bool(state["state"] != "blocked")

    await eventually(unblocked, timeout=10)
    youth, after = await visitor(url, token=session["token"])
    assert after["token"] == session["token"]
    assert (await youth.call("request_chat", {}))["ok"]
    await youth.close()
    await anna.close()


async def test_a_block_lasts_until_six_the_next_morning_by_default(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    server = await start_server()
    url = _url(server)
    anna = await make_counselor(server.app, url, "anna")
    youth, _, cid = await chat_with(url, anna)
    now_ms = int(time.time() * 1000)
    assert (await anna.call("block", {"conversation_id": cid, "reason": "test"}))["ok"]
    store = server.app[appkeys.STORE]
    [block] = await store.sessions.blocks(now_ms)
    expected = block_ends(now_ms, hours=0, ends_at=clock_time(6), timezone="Europe/Amsterdam")
    assert abs(block.until_ms - expected) < 5000
    assert block.by_name == "anna" and block.reason == "test" and len(block.pseudonym_code) == 4
    ttl_ms = await redis_client.pttl(f"hc:block:{block.vid}")
    assert abs(now_ms + ttl_ms - block.until_ms) < 5000
    session_ttl = await redis_client.ttl(f"hc:v:{block.vid}")
    assert session_ttl * 1000 >= block.until_ms - now_ms - 5000  # the session outlives it
    await youth.close()
    await anna.close()


async def test_a_lifted_block_lets_the_visitor_in_again_at_once(
    start_server: ServerFactory
) -> None:
    server = await start_server()
    url = _url(server)
    anna = await make_counselor(server.app, url, "anna")
    youth, session, cid = await chat_with(url, anna)
    await anna.call("block", {"conversation_id": cid, "reason": "test"})
    await youth.close()
    store = server.app[appkeys.STORE]
    [block] = await store.sessions.blocks(int(time.time() * 1000))
    lifted = await store.sessions.lift(block.vid)
    assert lifted is not None and lifted.reason == "test"
    assert await store.sessions.blocks(int(time.time() * 1000)) == []
    assert await store.sessions.lift(block.vid) is None
    youth, again = await visitor(url, token=session["token"])
    assert again["state"] == "ended"
    await youth.call("feedback", {"rating": 3})
    assert (await youth.call("request_chat", {}))["ok"]
    await youth.close()
    await anna.close()
