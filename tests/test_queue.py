"""Queue order and the atomic take, across counselors and across server processes."""

from __future__ import annotations

import asyncio
import random

import redis.asyncio as aioredis

from helpchat.config import load_settings
from helpchat.identity import new_id
from helpchat.store import Store, keys
from tests.conftest import TEST_SECRET, CounselorFactory, ServerFactory
from tests.support import chat_with, make_counselor, visitor


async def test_urgent_chats_come_before_older_normal_ones(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    await anna.call("set_duty", {"on": True})
    first, _ = await visitor(base_url)
    second, _ = await visitor(base_url)
    normal = await first.call("request_chat", {})
    urgent = await second.call("request_chat", {"urgent": True})
    assert urgent["position"] == 1
    assert (await first.wait_for("queue_position", lambda p: p["position"] == 2))
    taken = await anna.call("take", {})
    assert taken["conversation"]["id"] == urgent["conversation_id"]
    assert taken["conversation"]["urgent"] is True
    assert (await first.wait_for("queue_position", lambda p: p["position"] == 1))
    assert (await anna.call("take", {}))["conversation"]["id"] == normal["conversation_id"]
    for client in (first, second):
        await client.close()


async def test_two_counselors_racing_take_on_one_chat_exactly_one_wins(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    bert = await counselor_factory("bert")
    for counselor in (anna, bert):
        await counselor.call("set_duty", {"on": True})
    youth, _ = await visitor(base_url)
    cid = (await youth.call("request_chat", {}))["conversation_id"]
    results = await asyncio.gather(
        anna.call("take", {"conversation_id": cid}), bert.call("take", {"conversation_id": cid})
    )
    winners = [r for r in results if r["ok"]]
    losers = [r for r in results if not r["ok"]]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0]["error"]["code"] == "conflict"
    await youth.close()


async def test_take_is_atomic_across_two_processes(start_server: ServerFactory) -> None:
    """Two servers on one Redis (as two processes would be), ten chats, many racing takes:
    every chat goes to exactly one counselor and nobody goes over their limit."""
    one, two = await start_server(), await start_server()
    url_one, url_two = (str(s.make_url("")).rstrip("/") for s in (one, two))
    counselors = [
        await make_counselor(one.app if i % 2 == 0 else two.app,
                             url_one if i % 2 == 0 else url_two, f"c{i}", max_chats=3)
        for i in range(4)
    ]
    for counselor in counselors:
        await counselor.call("set_duty", {"on": True})
    visitors = [(await visitor(url_one if i % 2 else url_two))[0] for i in range(10)]
    for youth in visitors:
        assert (await youth.call("request_chat", {}))["ok"]
    results = await asyncio.gather(*(c.call("take", {}) for c in counselors for _ in range(4)))
    taken = [r["conversation"]["id"] for r in results if r["ok"]]
    assert len(taken) == len(set(taken)) == 10
    refused = {r["error"]["code"] for r in results if not r["ok"]}
    assert refused <= {"forbidden", "not_found"}
    for counselor in counselors:
        await counselor.close()
    for youth in visitors:
        await youth.close()


async def test_counselor_at_chat_limit_or_off_duty_is_forbidden(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna", max_chats=1)
    youths = [(await visitor(base_url))[0] for _ in range(2)]
    off = await anna.call("take", {})
    assert off["ok"] is False and off["error"]["code"] == "forbidden"
    await anna.call("set_duty", {"on": True})
    for youth in youths:
        await youth.call("request_chat", {})
    assert (await anna.call("take", {}))["ok"] is True
    full = await anna.call("take", {})
    assert full["ok"] is False and full["error"]["code"] == "forbidden"
    for youth in youths:
        await youth.close()


async def test_transfer_to_colleague_and_back_to_the_front_of_the_queue(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    bert = await counselor_factory("bert")
    await bert.call("set_duty", {"on": True})
    youth, _, cid = await chat_with(base_url, anna)
    waiting, _ = await visitor(base_url)
    await waiting.call("request_chat", {})

    assert (await anna.call("transfer", {"conversation_id": cid, "to": bert.id}))["ok"]
    assigned = await bert.client.wait_for("assigned")
    assert assigned["conversation"]["id"] == cid
    assert (await anna.client.wait_for("chat_ended"))["reason"] == "transferred"
    assert (await youth.wait_for("chat_started"))["conversation_id"] == cid

    assert (await bert.call("transfer", {"conversation_id": cid, "to": None}))["ok"]
    queue = await anna.client.wait_for("queue", lambda q: len(q["entries"]) == 2)
    assert queue["entries"][0]["conversation_id"] == cid  # in front of the one waiting
    notice = await youth.wait_for("message", lambda m: "wachtrij" in m["text"])
    assert notice["sender"] == "system"
    stale = await bert.call("message", {"conversation_id": cid, "client_id": "x", "text": "hoi"})
    assert stale["ok"] is False
    for client in (youth, waiting):
        await client.close()


async def test_no_transfer_to_a_colleague_with_an_open_wrap_up(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    bert = await counselor_factory("bert")
    first, _, ended_by_bert = await chat_with(base_url, bert)
    await bert.call("end_chat", {"conversation_id": ended_by_bert})
    await bert.client.wait_for("wrap_up")
    second, _, cid = await chat_with(base_url, anna)
    refused = await anna.call("transfer", {"conversation_id": cid, "to": bert.id})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    assert (await second.call("sync", {}))["state"] == "chatting"
    for client in (first, second):
        await client.close()


async def test_disconnected_entries_neither_fill_the_cap_nor_get_taken_next(
    start_server: ServerFactory,
) -> None:
    """Issue 8: throwaway sessions that join and drop must not keep a real youth out."""
    server = await start_server(queue_cap=2)
    url = str(server.make_url("")).rstrip("/")
    anna = await make_counselor(server.app, url, "anna")
    await anna.call("set_duty", {"on": True})
    for _ in range(2):
        prank, _ = await visitor(url)
        assert (await prank.call("request_chat", {"urgent": True}))["ok"]
        await prank.close()
    queue = await anna.client.wait_for(
        "queue", lambda q: len(q["entries"]) == 2
        and all("away" in e["flags"] for e in q["entries"]))
    assert [e["position"] for e in queue["entries"]] == [1, 1]
    youth, _ = await visitor(url)
    availability = await youth.wait_for("availability")
    assert availability["available"] is True
    joined = await youth.call("request_chat", {})
    assert joined["ok"] and joined["position"] == 1
    taken = await anna.call("take", {})
    assert taken["conversation"]["id"] == joined["conversation_id"]
    await youth.wait_for("chat_started")
    # Only away entries left: take-next finds nobody to talk to.
    assert (await anna.call("take", {}))["error"]["code"] == "not_found"
    await youth.close()
    await anna.close()


async def test_a_visitor_who_reconnects_within_the_grace_period_keeps_their_place(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna", max_chats=3)
    await anna.call("set_duty", {"on": True})
    first, session = await visitor(base_url)
    first_cid = (await first.call("request_chat", {}))["conversation_id"]
    await first.close()
    await anna.client.wait_for(
        "queue", lambda q: bool(q["entries"]) and "away" in q["entries"][0]["flags"])
    second, _ = await visitor(base_url)
    assert (await second.call("request_chat", {}))["position"] == 1
    back, again = await visitor(base_url, token=session["token"])
    assert again["state"] == "queued"
    assert (await back.wait_for("queue_position"))["position"] == 1
    await second.wait_for("queue_position", lambda p: p["position"] == 2)
    queue = await anna.client.wait_for(
        "queue", lambda q: len(q["entries"]) == 2 and not q["entries"][0]["flags"])
    assert queue["entries"][0]["conversation_id"] == first_cid
    assert (await anna.call("take", {}))["conversation"]["id"] == first_cid
    for client in (back, second):
        await client.close()


async def test_length_and_places_counted_in_redis_match_the_entries_the_console_sees(
    own_redis_url: str,
) -> None:
    """The one-script count (queue_place.lua, and enqueue.lua's answer) against `entries`,
    which reads every entry: away entries keep a place but count for nobody, an expired one
    counts for nothing."""
    client = aioredis.Redis.from_url(own_redis_url, decode_responses=True)
    try:
        store = Store.create(client, load_settings(environ={}, secret_key=TEST_SECRET))
        chooser, now, cids = random.Random(8), 1_796_000_000_000, []
        for n in range(30):
            vid, cid = new_id(), new_id()
            await store.sessions.create(vid, "nl", now)
            joined = await store.queue.enqueue(
                vid=vid, cid=cid, now_ms=now + n, topic=None, urgent=chooser.random() < 0.2,
                cap=1000, pseudonym_code="ab12", lang="nl")
            assert joined.status == "ok"
            assert joined.position == await store.queue.position(cid)  # told with the join
            cids.append(cid)
            if chooser.random() < 0.3:  # its visitor's connection is gone
                await client.zadd(keys.GONE, {f"v:{vid}": now})
        await client.delete(keys.conversation(cids[7]))  # expired
        length = await store.queue.length()
        places = {cid: await store.queue.position(cid) for cid in cids}
        entries = await store.queue.entries()  # (which also drops the expired one)
        assert 0 < sum(e.away for e in entries) < len(entries)
        assert length == sum(not e.away for e in entries)
        assert places == {cids[7]: None} | {e.conversation.id: e.position for e in entries}
        assert await store.queue.position(new_id()) is None
    finally:
        await client.aclose()


async def test_a_visits_first_join_stores_its_session_in_the_same_script(
    own_redis_url: str,
) -> None:
    """enqueue.lua stores a visit not stored yet (as VisitorSessions.create would, with the
    idle expiry) when given its session; without it a session that expired is gone."""
    client = aioredis.Redis.from_url(own_redis_url, decode_responses=True)
    try:
        store = Store.create(client, load_settings(environ={}, secret_key=TEST_SECRET))
        args = {"now_ms": 1_796_000_000_000, "topic": None, "urgent": False, "cap": 10,
                "pseudonym_code": "ab12", "lang": "en"}
        expired = await store.queue.enqueue(vid=new_id(), cid=new_id(), **args)
        assert expired.status == "gone"
        vid = new_id()
        joined = await store.queue.enqueue(  # (the default idle expiry: 600 s)
            vid=vid, cid=new_id(), new_session=store.sessions.new_session_args(
                "en", args["now_ms"]), **args)
        assert (joined.status, joined.position) == ("ok", 1)
        assert 590 < await client.ttl(keys.visitor(vid)) <= 600
        assert await client.hget(keys.visitor(vid), "created_ms") == str(args["now_ms"])
        session = await store.sessions.get(vid)
        assert session is not None
        assert (session.state, session.lang, session.conversation_id) == \
            ("queued", "en", joined.cid)
    finally:
        await client.aclose()
