"""The message flood: rate limits, conversation caps, typing throttle and a paged transcript,
with a real server, Redis and socket.io clients."""

from __future__ import annotations

import asyncio
import json
import time

from aiohttp.test_utils import TestServer

from helpchat import appkeys
from helpchat.store.conversations import Caps
from tests.conftest import ServerFactory
from tests.support import Client, Counselor, chat_with, make_counselor, visitor

EMOJI_2000 = "\U0001f600" * 2000


def _url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


async def _chat(start_server: ServerFactory, **settings: object
                ) -> tuple[TestServer, Counselor, Client, str]:
    server = await start_server(**settings)
    anna = await make_counselor(server.app, _url(server), "anna")
    youth, _, cid = await chat_with(_url(server), anna)
    return server, anna, youth, cid


async def test_a_visitor_script_is_rate_limited_with_retry_after(
    start_server: ServerFactory
) -> None:
    server = await start_server(visitor_message_burst=5, visitor_messages_per_minute=60)
    youth, _ = await visitor(_url(server))
    anna = await make_counselor(server.app, _url(server), "anna")
    await anna.call("set_duty", {"on": True})
    assert (await youth.call("request_chat", {}))["ok"]
    acks = await asyncio.gather(*(youth.call("message", {"client_id": f"m{n}", "text": "spam"})
                                  for n in range(30)))
    accepted = [a for a in acks if a["ok"]]
    refused = [a["error"] for a in acks if not a["ok"]]
    assert len(accepted) in (5, 6)  # the burst (plus at most one refill while sending)
    assert {e["code"] for e in refused} == {"rate_limited"}
    assert all(0 < e["retry_after_ms"] <= 1000 for e in refused)
    assert "snel" in refused[0]["message"]  # plain words, in the session's language
    later = min(e["retry_after_ms"] for e in refused)
    await asyncio.sleep(later / 1000 + 0.05)
    assert (await youth.call("message", {"client_id": "after", "text": "weer"}))["ok"]
    taken = await anna.call("take", {})
    assert len(taken["conversation"]["messages"]) == len(accepted) + 1
    await youth.close()
    await anna.close()


async def test_a_counselor_is_rate_limited_too(start_server: ServerFactory) -> None:
    _, anna, youth, cid = await _chat(start_server, counselor_message_burst=3)
    acks = [await anna.call("message", {"conversation_id": cid, "client_id": f"c{n}",
                                        "text": "hoi"}) for n in range(5)]
    assert [a["ok"] for a in acks] == [True, True, True, False, False]
    assert acks[3]["error"]["code"] == "rate_limited" and acks[3]["error"]["retry_after_ms"] > 0
    await youth.close()
    await anna.close()


async def test_past_the_cap_the_visitor_gets_too_large_and_the_counselor_is_told_once(
    start_server: ServerFactory
) -> None:
    _, anna, youth, cid = await _chat(start_server, max_conversation_messages=4,
                                      visitor_message_burst=50)
    for n in range(4):
        assert (await youth.call("message", {"client_id": f"m{n}", "text": "x"}))["ok"]
    refused = await youth.call("message", {"client_id": "m4", "text": "x"})
    assert refused["error"]["code"] == "too_large"
    assert "te lang" not in refused["error"]["message"] and "hulpverlener" in \
        refused["error"]["message"]
    assert (await anna.client.wait_for("chat_full"))["conversation_id"] == cid
    again = await youth.call("message", {"client_id": "m5", "text": "x"})
    assert again["error"]["code"] == "too_large"
    mine = await anna.call("message", {"conversation_id": cid, "client_id": "c", "text": "y"})
    assert mine["error"]["code"] == "too_large"
    assert anna.client.received("chat_full") == []  # told once, not on every refusal
    assert (await anna.call("end_chat", {"conversation_id": cid}))["ok"]
    await youth.close()
    await anna.close()


async def test_the_byte_cap_holds_for_a_few_huge_messages(start_server: ServerFactory) -> None:
    _, anna, youth, _ = await _chat(start_server, max_conversation_bytes=20_000)
    sent = [await youth.call("message", {"client_id": f"m{n}", "text": EMOJI_2000})
            for n in range(4)]  # 8,000 bytes of UTF-8 each
    assert [a["ok"] for a in sent] == [True, True, False, False]
    assert sent[2]["error"]["code"] == "too_large"
    await youth.close()
    await anna.close()


async def test_typing_is_throttled_on_the_server(start_server: ServerFactory) -> None:
    _, anna, youth, _ = await _chat(start_server, typing_burst=3, typing_per_minute=60)
    acks = await asyncio.gather(*(youth.call("typing", {"typing": n % 2 == 0})
                                  for n in range(40)))
    assert all(a["ok"] for a in acks)  # dropped quietly: a client has nothing to resend
    marker = await youth.call("message", {"client_id": "after", "text": "klaar"})
    assert marker["ok"]
    await anna.client.wait_for("message", lambda m: m["client_id"] == "after")
    assert 3 <= len(anna.client.received("typing")) <= 4
    await youth.close()
    await anna.close()


async def _fill(server: TestServer, cid: str, count: int, text: str) -> None:
    store = server.app[appkeys.STORE]
    caps = Caps(10**6, 10**9)
    for n in range(count):
        added = await store.conversations.add_message(
            cid, sender="visitor", text=f"{n} {text}", now_ms=n, client_id=f"f{n}",
            owner=None, caps=caps)
        assert not isinstance(added, str)


async def test_a_huge_chat_is_taken_read_and_ended_within_two_seconds(
    start_server: ServerFactory
) -> None:
    server = await start_server()
    url = _url(server)
    anna = await make_counselor(server.app, url, "anna")
    await anna.call("set_duty", {"on": True})
    youth, _ = await visitor(url)
    cid = (await youth.call("request_chat", {}))["conversation_id"]
    await _fill(server, cid, 1000, EMOJI_2000)  # the poisoned chat of the issue, 8 MB of UTF-8

    started = time.perf_counter()
    taken = await anna.call("take", {})
    took = time.perf_counter() - started
    conversation = taken["conversation"]
    assert took < 2 and conversation["more"] is True
    assert 0 < len(conversation["messages"]) <= 100
    assert len(json.dumps(taken)) <= 256_000 + 2_000
    assert conversation["messages"][-1]["text"].startswith("999 ")
    assigned = await anna.client.wait_for("assigned")
    assert len(json.dumps(assigned)) <= 256_000 + 2_000

    oldest, slowest, read = conversation["messages"][0]["id"], 0.0, len(conversation["messages"])
    more = True
    while more:  # read the whole chat backwards, page by page ("load older")
        started = time.perf_counter()
        page = await anna.call("sync", {"conversation_id": cid, "before": oldest})
        slowest = max(slowest, time.perf_counter() - started)
        assert page["ok"] and len(json.dumps(page)) <= 256_000 + 2_000
        oldest, more = page["messages"][0]["id"], page["more"]
        read += len(page["messages"])
    assert read == 1000 and slowest < 2
    started = time.perf_counter()
    assert (await anna.call("end_chat", {"conversation_id": cid}))["ok"]
    await youth.wait_for("chat_ended")
    assert time.perf_counter() - started < 2
    await youth.close()
    await anna.close()


async def test_sync_pages_forwards_and_backwards_and_says_more(
    start_server: ServerFactory
) -> None:
    server, anna, youth, cid = await _chat(start_server)
    await _fill(server, cid, 25, "bericht")
    newest = await youth.call("sync", {"limit": 10})
    assert [m["text"] for m in newest["messages"]] == [f"{n} bericht" for n in range(15, 25)]
    assert newest["more"] is True
    older = await youth.call("sync", {"before": newest["messages"][0]["id"], "limit": 10})
    assert [m["text"] for m in older["messages"]] == [f"{n} bericht" for n in range(5, 15)]
    oldest = await youth.call("sync", {"before": older["messages"][0]["id"], "limit": 10})
    assert len(oldest["messages"]) == 5 and oldest["more"] is False
    forward = await anna.call("sync", {"conversation_id": cid, "limit": 15,
                                       "after": oldest["messages"][-1]["id"]})
    assert forward["messages"][0]["text"] == "5 bericht" and forward["more"] is True
    rest = await anna.call("sync", {"conversation_id": cid, "after": forward["messages"][-1]["id"]})
    assert rest["messages"][-1]["text"] == "24 bericht" and rest["more"] is False
    both = await youth.call("sync", {"after": rest["messages"][0]["id"],
                                     "before": rest["messages"][-1]["id"]})
    assert both["error"]["code"] == "invalid"
    assert (await youth.call("sync", {"limit": 0}))["error"]["code"] == "invalid"
    capped = await youth.call("sync", {"limit": 10_000})
    assert len(capped["messages"]) == 25 and capped["more"] is False
    await youth.close()
    await anna.close()
