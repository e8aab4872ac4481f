"""Messages: idempotent sends, sync, and transcripts that do not outlive their retention."""

from __future__ import annotations

import redis.asyncio as aioredis

from tests.conftest import CounselorFactory, ServerFactory
from tests.support import chat_with, make_counselor, redis_text, visitor


async def test_resend_with_the_same_client_id_is_stored_and_delivered_once(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    youth, _, _cid = await chat_with(base_url, anna)
    first = await youth.call("message", {"client_id": "m-1", "text": "hallo"})
    again = await youth.call("message", {"client_id": "m-1", "text": "hallo"})
    assert first["ok"] and again["ok"]
    assert again["message"] == first["message"]
    await youth.call("message", {"client_id": "m-2", "text": "daarna"})
    await anna.client.wait_for("message", lambda m: m["text"] == "daarna")
    delivered = [m for m in anna.client.received("message") if m["text"] == "hallo"]
    assert len(delivered) == 1
    synced = await youth.call("sync", {})
    assert [m["client_id"] for m in synced["messages"]] == ["m-1", "m-2"]
    await youth.close()


async def test_sync_returns_only_messages_after_the_given_id(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    youth, _, cid = await chat_with(base_url, anna)
    ids = []
    for n in range(3):
        ids.append((await youth.call("message", {"client_id": f"m{n}", "text": f"t{n}"}))
                   ["message"]["id"])
    synced = await anna.call("sync", {"conversation_id": cid, "after": ids[0]})
    assert [m["id"] for m in synced["messages"]] == ids[1:]
    await youth.close()


async def test_retention_zero_leaves_no_message_text_in_redis(
    base_url: str, counselor_factory: CounselorFactory, redis_client: aioredis.Redis
) -> None:
    anna = await counselor_factory("anna")
    youth, _, cid = await chat_with(base_url, anna)
    await youth.call("message", {"client_id": "s1", "text": "geheim-verhaal-van-de-bezoeker"})
    await anna.call("message", {"conversation_id": cid, "client_id": "s2",
                                "text": "antwoord-van-de-hulpverlener"})
    assert "geheim-verhaal" in await redis_text(redis_client)
    await youth.call("end_chat", {})
    await youth.wait_for("chat_ended")
    everything = await redis_text(redis_client)
    assert "geheim-verhaal" not in everything
    assert "antwoord-van-de-hulpverlener" not in everything
    assert [k async for k in redis_client.scan_iter(f"*{cid}*")] == []
    await youth.close()


async def test_every_key_holding_chat_content_expires(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    server = await start_server(transcript_retention_hours=2)
    url = str(server.make_url("")).rstrip("/")
    anna = await make_counselor(server.app, url, "anna")
    await anna.call("set_duty", {"on": True})
    youth, _ = await visitor(url)
    cid = (await youth.call("request_chat", {"topic": "School"}))["conversation_id"]
    await anna.call("take", {})
    await youth.call("message", {"client_id": "a", "text": "tekst"})
    for key in (f"hc:conv:{cid}", f"hc:log:{cid}", f"hc:cids:{cid}"):
        assert 0 < await redis_client.ttl(key) <= 24 * 3600
    await anna.call("end_chat", {"conversation_id": cid})
    await youth.wait_for("chat_ended")
    for key in (f"hc:conv:{cid}", f"hc:log:{cid}", f"hc:cids:{cid}"):
        assert 3600 < await redis_client.ttl(key) <= 2 * 3600
    await youth.call("feedback", {"rating": 4, "comment": "goed"})
    assert [k async for k in redis_client.scan_iter("hc:feedback:*")]
    async for key in redis_client.scan_iter("hc:feedback:*"):
        assert await redis_client.ttl(key) > 0
    await youth.close()
    await anna.close()
