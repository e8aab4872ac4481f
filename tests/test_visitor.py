"""The /visitor namespace: origins, sessions, leaving, blocking, forgetting, grace periods."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys, identity, insights
from helpchat.store import keys
from tests.conftest import TEST_SECRET, CounselorFactory, ServerFactory
from tests.support import StoppedClock, chat_with, eventually, make_counselor, visitor


async def test_connection_from_a_foreign_origin_is_refused(start_server: ServerFactory) -> None:
    server = await start_server(widget_origins="https://allowed.example")
    url = str(server.make_url("")).rstrip("/")
    youth, _ = await visitor(url, headers={"Origin": "https://allowed.example"})
    await youth.close()
    own, _ = await visitor(url, headers={"Origin": url})
    await own.close()
    with pytest.raises(Exception):  # noqa: B017 - the client raises ConnectionError
        await visitor(url, headers={"Origin": "https://evil.example"})


async def test_english_session_gets_english_pseudonym_and_contacts(base_url: str) -> None:
    youth, session = await visitor(base_url, lang="en")
    assert session["pseudonym"].startswith("Visitor ")
    availability = await youth.wait_for("availability")
    assert availability["contacts"][0]["name"].startswith("Emergency")
    assert availability["reason"] == "no_counselor"
    await youth.close()


async def test_unknown_or_malformed_token_starts_a_fresh_session(base_url: str) -> None:
    for token in ("x" * 43, "not a token!", 12):
        youth, session = await visitor(base_url, token=token)  # type: ignore[arg-type]
        assert session["token"] != token and session["state"] == "idle"
        await youth.close()


async def test_leave_queue_ends_the_request_with_contacts(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    await anna.call("set_duty", {"on": True})
    youth, _ = await visitor(base_url)
    await youth.call("request_chat", {})
    await anna.client.wait_for("queue", lambda q: len(q["entries"]) == 1)
    assert await youth.call("leave_queue", {}) == {"ok": True}
    ended = await youth.wait_for("chat_ended")
    assert ended["by"] == "visitor" and ended["contacts"]
    await anna.client.wait_for("queue", lambda q: q["entries"] == [])
    again = await youth.call("leave_queue", {})
    assert again["ok"] is False
    await youth.close()


async def test_blocked_session_cannot_request_again(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    youth, _, cid = await chat_with(base_url, anna)
    missing = await anna.call("block", {"conversation_id": cid})
    assert missing["error"]["code"] == "invalid"
    assert (await anna.call("block", {"conversation_id": cid, "reason": "scheldt"}))["ok"]
    assert (await youth.wait_for("chat_ended"))["reason"] == "blocked"
    refused = await youth.call("request_chat", {})
    assert refused["ok"] is False and refused["error"]["code"] == "blocked"
    await youth.close()


async def test_forget_me_ends_the_chat_and_kills_the_token(
    base_url: str, counselor_factory: CounselorFactory, redis_client: aioredis.Redis
) -> None:
    anna = await counselor_factory("anna")
    youth, session, cid = await chat_with(base_url, anna)
    await youth.call("message", {"client_id": "1", "text": "hoi"})
    assert await youth.call("forget_me", {"reason": "quick_exit"}) == {"ok": True}
    ended = await anna.client.wait_for("chat_ended")
    assert ended == {"conversation_id": cid, "by": "visitor", "reason": "quick_exit"}
    assert (await youth.call("sync", {}))["error"]["code"] == "unauthorized"
    await youth.close()
    assert [k async for k in redis_client.scan_iter("hc:v:*")] == []
    fresh, again = await visitor(base_url, token=session["token"])
    assert again["token"] != session["token"] and again["state"] == "idle"
    await fresh.close()


async def test_queued_visitor_gone_past_the_grace_period_leaves_the_queue(
    server: TestServer, base_url: str, counselor_factory: CounselorFactory
) -> None:
    hub = server.app[appkeys.HUB]
    anna = await counselor_factory("anna")
    await anna.call("set_duty", {"on": True})
    youth, _ = await visitor(base_url)
    await youth.call("request_chat", {})
    await youth.close()
    await eventually(lambda: hub.store.redis.zcard("hc:gone"))
    await hub.sweeps.sweep()
    assert len(await hub.store.queue.entries()) == 1  # still within its grace period
    real_clock = hub.clock
    hub.clock = lambda: real_clock() + 121
    await hub.sweeps.sweep()
    assert await hub.store.queue.entries() == []
    await anna.client.wait_for("queue", lambda q: q["entries"] == [])


async def test_counselor_gone_past_the_grace_period_returns_chats_to_the_front(
    server: TestServer, base_url: str, counselor_factory: CounselorFactory
) -> None:
    hub = server.app[appkeys.HUB]
    anna = await counselor_factory("anna")
    bert = await counselor_factory("bert")
    youth, _, cid = await chat_with(base_url, anna)
    other, _ = await visitor(base_url)
    await other.call("request_chat", {})
    await anna.close()
    await eventually(lambda: hub.store.redis.zscore("hc:gone", f"c:{anna.id}"))
    real_clock = hub.clock
    hub.clock = lambda: real_clock() + 61
    await hub.sweeps.sweep()
    queue = await bert.client.wait_for("queue", lambda q: len(q["entries"]) == 2)
    assert queue["entries"][0]["conversation_id"] == cid
    notice = await youth.wait_for("message", lambda m: m["sender"] == "system")
    assert "vooraan" in notice["text"]
    assert await hub.store.counselors.duty(anna.id) == "off"
    for client in (youth, other):
        await client.close()


async def test_counselor_free_text_end_reason_is_not_shown_to_the_visitor(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    youth, _, cid = await chat_with(base_url, anna, lang="en")
    not_queued = await youth.call("leave_queue", {})
    assert not_queued["error"] == {"code": "conflict", "message": "You are not in the queue."}
    await anna.call("end_chat", {"conversation_id": cid, "reason": "interne notitie"})
    ended = await youth.wait_for("chat_ended")
    assert ended["by"] == "counselor" and ended["reason"] is None
    late = await youth.call("message", {"client_id": "late", "text": "nog iets"})
    assert late["ok"] is False and late["error"]["code"] == "closed"
    await youth.close()


async def test_an_open_widget_switched_to_unavailable_is_turned_away_once(
    server: TestServer, base_url: str, counselor_factory: CounselorFactory,
    redis_client: aioredis.Redis,
) -> None:
    # The hour stands still, so every count lands in one cell of the funnel.
    hub = server.app[appkeys.HUB]
    hub.clock = StoppedClock()
    day, hour = server.app[appkeys.STORE].insights.slot(hub.now_ms())
    anna = await counselor_factory("anna")
    await anna.call("set_duty", {"on": True})
    open_widget, _ = await visitor(base_url)
    assert (await open_widget.wait_for("availability"))["available"]
    queued, _ = await visitor(base_url)
    assert (await queued.call("request_chat", {}))["ok"]
    # Claimed while available: nothing is counted.
    assert await open_widget.call("unavailable_shown", {}) == {"ok": True}

    assert (await anna.call("set_duty", {"on": False}))["ok"]
    for client in (open_widget, queued):
        await client.wait_for("availability", lambda a: not a["available"])
    # What the widget sends when the push switched it to "not available"; twice is once.
    assert await open_widget.call("unavailable_shown", {}) == {"ok": True}
    assert await open_widget.call("unavailable_shown", {}) == {"ok": True}
    # A queued visitor still sees its place in the queue: not turned away.
    assert await queued.call("unavailable_shown", {}) == {"ok": True}
    assert (await open_widget.call("unavailable_shown", "junk"))["error"]["code"] == "invalid"
    assert (await queued.call("leave_queue", {}))["ok"]

    counts = await redis_client.hgetall(f"hc:ins:{day.isoformat()}")
    cell = {name: int(counts.get(f"{hour:02d}:{name}", 0)) for name in insights.FUNNEL}
    assert cell == {"offered": 2, "answered": 0, "abandoned_before_estimate": 1,
                    "abandoned_after_estimate": 0, "turned_away": 1}
    assert int(counts[f"{hour:02d}:turned_no_counselor"]) == 1
    for client in (open_widget, queued):
        await client.close()


async def test_a_visit_that_opens_on_unavailable_is_counted_once_and_kept_only_briefly(
    server: TestServer, base_url: str, redis_client: aioredis.Redis,
) -> None:
    hub = server.app[appkeys.HUB]
    hub.clock = StoppedClock()
    day, hour = server.app[appkeys.STORE].insights.slot(hub.now_ms())
    youth, session = await visitor(base_url)
    assert not (await youth.wait_for("availability"))["available"]  # nobody on duty
    assert await youth.call("unavailable_shown", {}) == {"ok": True}  # the same visit again
    # The visit was never stored (no chat asked): its mark lives for the idle expiry only.
    key = keys.visitor(identity.visitor_id(TEST_SECRET, session["token"]))
    assert await redis_client.hgetall(key) == {"turned_away": "1"}
    idle_s = server.app[appkeys.SETTINGS].visitor_idle_session_seconds
    assert 0 < await redis_client.ttl(key) <= idle_s

    async def counted() -> str | None:  # the welcome counts it in a task of its own
        return await redis_client.hget(f"hc:ins:{day.isoformat()}", f"{hour:02d}:turned_away")
    await eventually(counted)
    assert await counted() == "1"
    await youth.close()


async def test_a_message_right_after_a_new_chat_began_elsewhere_reaches_the_new_chat(
    start_server: ServerFactory,
) -> None:
    """A youth's messages read the session from a one-second memory. Within that second the
    chat ends, and the same youth (another tab) begins a new one, all on another process: the
    first tab's next message finds the new chat, not "the chat has ended"."""
    here, there = await start_server(), await start_server()
    url_here, url_there = (str(s.make_url("")).rstrip("/") for s in (here, there))
    anna = await make_counselor(there.app, url_there, "anna")
    bert = await make_counselor(there.app, url_there, "bert")
    await anna.call("set_duty", {"status": "on"})
    tab, session = await visitor(url_here)
    first = (await tab.call("request_chat", {}))["conversation_id"]
    assert (await anna.call("take", {"conversation_id": first}))["ok"]
    await tab.wait_for("chat_started")
    assert (await tab.call("message", {"client_id": "a1", "text": "hoi"}))["ok"]  # remembered
    assert (await anna.call("end_chat", {"conversation_id": first}))["ok"]
    await tab.wait_for("chat_ended")
    other_tab, _ = await visitor(url_there, token=session["token"])
    await bert.call("set_duty", {"status": "on"})
    second = (await other_tab.call("request_chat", {}))["conversation_id"]
    assert (await bert.call("take", {"conversation_id": second}))["ok"]
    sent = await tab.call("message", {"client_id": "b1", "text": "ben je er?"})
    assert sent["ok"], sent
    got = await bert.client.wait_for("message", lambda m: m["client_id"] == "b1")
    assert got["conversation_id"] == second
    for client in (tab, other_tab, anna, bert):
        await client.close()
