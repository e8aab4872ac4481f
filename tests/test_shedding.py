"""Shedding a prank: one counselor action ends a test/prank/abusive contact with its wrap-up
category, optionally blocks it, and leaves only counts behind."""

from __future__ import annotations

import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys, insights
from tests.conftest import CounselorFactory
from tests.support import chat_with, visitor


async def test_shedding_a_prank_ends_it_blocks_it_and_counts_it_without_a_wrap_up_form(
    server: TestServer, base_url: str, counselor_factory: CounselorFactory,
    redis_client: aioredis.Redis,
) -> None:
    hub = server.app[appkeys.HUB]
    anna = await counselor_factory("anna")
    youth, _, cid = await chat_with(base_url, anna)
    real_clock = hub.clock
    hub.clock = lambda: real_clock() + 90  # the prank took a minute and a half
    ack = await anna.call("shed", {"conversation_id": cid, "kind": "prank", "block": True})
    assert ack == {"ok": True}
    ended = await youth.wait_for("chat_ended")
    assert ended["reason"] == "shed" and ended["contacts"]
    assert (await anna.client.wait_for("chat_ended"))["reason"] == "shed"
    totals = await hub.store.stats.counts()
    assert totals.get("ended_shed") == 1 and not totals.get("ended_by_counselor"), totals
    # The block is counted like any block: in the totals and in Insights' hourly figure.
    assert totals.get("blocked") == 1
    blocks = [int(n) async for key in redis_client.scan_iter("hc:ins:*")
              for field, n in (await redis_client.hgetall(key)).items()
              if field.endswith(":blocked")]
    assert blocks == [1]
    assert not anna.client.received("wrap_up")  # nothing left to fill in: the next chat can come
    assert await hub.store.wrapups.pending(anna.id) == {}
    refused = await youth.call("request_chat", {})
    assert refused["error"]["code"] == "blocked"
    today, _ = hub.store.insights.slot(hub.now_ms())
    stats = await hub.store.wrapups.stats(today, today)
    assert stats["category:prank"] == 1 and stats["outcome:not_serious"] == 1
    assert 90 <= stats["shed_seconds:prank"] <= 92
    # Counts only: the day's hash names no chat and no visitor.
    fields = " ".join(await redis_client.hkeys(f"hc:wrapstats:{today.isoformat()}"))
    assert cid not in fields
    await youth.close()


async def test_a_fake_urgent_entry_is_shed_from_the_queue_without_taking_it(
    server: TestServer, base_url: str, counselor_factory: CounselorFactory,
) -> None:
    hub = server.app[appkeys.HUB]
    anna = await counselor_factory("anna")
    await anna.call("set_duty", {"on": True})
    fake, _ = await visitor(base_url)
    real, _ = await visitor(base_url)
    fake_cid = (await fake.call("request_chat", {"urgent": True}))["conversation_id"]
    real_cid = (await real.call("request_chat", {}))["conversation_id"]
    ack = await anna.call("shed", {"conversation_id": fake_cid, "kind": "test"})
    assert ack == {"ok": True}
    await fake.wait_for("chat_ended")
    await anna.client.wait_for("queue", lambda q: [e["conversation_id"] for e in q["entries"]]
                               == [real_cid])
    assert (await real.wait_for("queue_position", lambda p: p["position"] == 1))
    assert (await fake.call("request_chat", {}))["ok"]  # not blocked: only ended
    today, _ = hub.store.insights.slot(hub.now_ms())
    stats = await hub.store.wrapups.stats(today, today)
    assert stats["category:test"] == 1 and stats["shed_seconds:test"] == 0
    for client in (fake, real):
        await client.close()


async def test_shedding_needs_a_known_kind_and_someone_elses_chat_is_refused(
    base_url: str, counselor_factory: CounselorFactory,
) -> None:
    anna = await counselor_factory("anna")
    bert = await counselor_factory("bert")
    youth, _, cid = await chat_with(base_url, anna)
    for body in ({"conversation_id": cid}, {"conversation_id": cid, "kind": "other"},
                 {"conversation_id": cid, "kind": "prank", "block": "yes"}, {"kind": "prank"}):
        assert (await anna.call("shed", body))["error"]["code"] == "invalid"
    refused = await bert.call("shed", {"conversation_id": cid, "kind": "abusive"})
    assert refused["error"]["code"] == "forbidden"
    missing = await anna.call("shed", {"conversation_id": "0" * 32, "kind": "abusive"})
    assert missing["error"]["code"] == "not_found"
    assert (await anna.call("shed", {"conversation_id": cid, "kind": "abusive"}))["ok"]
    again = await anna.call("shed", {"conversation_id": cid, "kind": "abusive"})
    assert again["error"]["code"] == "not_found"
    await youth.close()


def test_the_admin_sees_the_counselor_time_shed_contacts_took() -> None:
    counts = {"submitted": 3, "category:prank": 2, "category:test": 1,
              "shed_seconds:prank": 150, "shed_seconds:test": 30}
    summary = insights.wrapup_summary(counts, merged=False)
    assert summary["shed_seconds"] == 180
    assert insights.wrapup_summary({}, merged=True)["shed_seconds"] == 0
