"""The whole chat, end to end, with real clients against a real server and Redis."""

from __future__ import annotations

import aiohttp

from tests.conftest import CounselorFactory
from tests.support import visitor


async def test_full_flow_closed_duty_queue_take_messages_reconnect_sync_end_feedback(
    base_url: str, counselor_factory: CounselorFactory, http: aiohttp.ClientSession
) -> None:
    youth, session = await visitor(base_url, lang="nl")
    assert session["state"] == "idle" and session["pseudonym"].startswith("Bezoeker ")
    closed = await youth.wait_for("availability")
    assert closed["available"] is False and closed["reason"] == "no_counselor"
    assert closed["contacts"][0]["phone"] == "112"
    refused = await youth.call("request_chat", {})
    assert refused["ok"] is False and refused["error"]["code"] == "closed"
    assert refused["availability"]["contacts"]

    anna = await counselor_factory("anna")
    assert (await anna.call("set_duty", {"on": True}))["on"] is True
    opened = await youth.wait_for("availability", lambda a: a["available"])
    assert opened["reason"] is None

    queued = await youth.call("request_chat", {"topic": "School", "urgent": False})
    assert queued["ok"] is True and queued["position"] == 1
    cid = queued["conversation_id"]
    retried = await youth.call("request_chat", {})  # a safe retry: the same place
    assert retried["conversation_id"] == cid and retried["position"] == 1
    assert (await youth.wait_for("queue_position"))["position"] == 1
    queue = await anna.client.wait_for("queue", lambda q: q["entries"])
    assert queue["entries"][0]["conversation_id"] == cid
    assert queue["entries"][0]["topic"] == "School"

    early = await youth.call("message", {"client_id": "v-1", "text": "hoi, is daar iemand?"})
    assert early["ok"] is True

    taken = await anna.call("take", {})
    assert taken["ok"] is True and taken["conversation"]["id"] == cid
    assert [m["text"] for m in taken["conversation"]["messages"]] == ["hoi, is daar iemand?"]
    started = await youth.wait_for("chat_started")
    assert started == {"conversation_id": cid, "counselor_name": "Hulpverlener"}  # no display name
    assert await youth.call("request_chat", {}) == {  # once taken: the same chat, no place
        "ok": True, "conversation_id": cid, "position": 0, "estimated_wait_s": None}

    reply = await anna.call("message", {"conversation_id": cid, "client_id": "c-1",
                                        "text": "Hoi! Ik ben er."})
    assert reply["ok"] is True and reply["message"]["sender"] == "counselor"
    got = await youth.wait_for("message", lambda m: m["sender"] == "counselor")
    assert got["text"] == "Hoi! Ik ben er." and got["counselor_name"] is None
    last_seen = got["id"]

    await youth.close()
    second = await anna.call("message", {"conversation_id": cid, "client_id": "c-2",
                                         "text": "Ben je er nog?"})
    assert second["ok"] is True
    youth, again = await visitor(base_url, token=session["token"])
    assert again["state"] == "chatting" and again["conversation_id"] == cid
    assert again["token"] == session["token"]
    synced = await youth.call("sync", {"after": last_seen})
    assert [m["text"] for m in synced["messages"]] == ["Ben je er nog?"]

    back = await youth.call("message", {"client_id": "v-2", "text": "ja"})
    assert back["ok"] is True
    assert (await anna.client.wait_for("message", lambda m: m["text"] == "ja"))["sender"] == \
        "visitor"

    assert (await anna.call("end_chat", {"conversation_id": cid}))["ok"] is True
    ended = await youth.wait_for("chat_ended")
    assert ended["by"] == "counselor" and ended["contacts"]
    feedback = await youth.call("feedback", {"rating": 5, "comment": "fijn"})
    assert feedback == {"ok": True}
    await youth.close()
