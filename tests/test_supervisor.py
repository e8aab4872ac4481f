"""Supervisors on /counselor: monitor live, whisper (never to the visitor), take over, help
alerts; and every supervisor-only event refused to a counselor who sends it by hand."""

from __future__ import annotations

import redis.asyncio as aioredis

from tests.conftest import CounselorFactory
from tests.support import chat_with, redis_text, visitor


async def test_supervisor_monitors_live_and_whispers_never_reach_the_visitor(
    base_url: str, counselor_factory: CounselorFactory, redis_client: aioredis.Redis
) -> None:
    anna = await counselor_factory("anna", display_name="anna")
    bram = await counselor_factory("bram", role="supervisor", display_name="bram")
    youth, session, cid = await chat_with(base_url, anna)
    first = await youth.call("message", {"client_id": "v-1", "text": "ik weet het niet meer"})
    assert first["ok"]

    board = await bram.call("board", {})
    assert board["ok"] and [c["conversation_id"] for c in board["chats"]] == [cid]
    assert board["chats"][0]["counselor_name"] == "anna"
    watched = await bram.call("monitor", {"conversation_id": cid})
    assert watched["ok"] and watched["conversation"]["counselor_name"] == "anna"
    assert [m["text"] for m in watched["conversation"]["messages"]] == ["ik weet het niet meer"]

    # Live: the visitor's and the counselor's messages and the visitor's typing reach bram.
    await youth.call("typing", {"typing": True})
    assert (await bram.client.wait_for("typing"))["conversation_id"] == cid
    await youth.call("message", {"client_id": "v-2", "text": "ben je er nog?"})
    await anna.call("message", {"conversation_id": cid, "client_id": "c-1", "text": "Ja hoor"})
    await bram.client.wait_for("message", lambda m: m["text"] == "ben je er nog?")
    await bram.client.wait_for("message", lambda m: m["text"] == "Ja hoor")

    secret = "Vraag door naar de veiligheid thuis"
    whispered = await bram.call("whisper", {"conversation_id": cid, "text": secret})
    assert whispered["ok"] and whispered["whisper"]["from_name"] == "bram"
    got = await anna.client.wait_for("whisper")
    assert got["text"] == secret and got["conversation_id"] == cid
    assert (await anna.call("whispers", {"conversation_id": cid}))["whispers"][0]["text"] == secret

    # The visitor: no whisper event, no message carrying it, not in sync, not after reconnect.
    await anna.call("message", {"conversation_id": cid, "client_id": "c-2",
                                "text": "Hoe is het thuis?"})
    await youth.wait_for("message", lambda m: m["text"] == "Hoe is het thuis?")
    assert youth.received("whisper") == []
    assert all(secret not in str(data) for _, data in youth.events)
    synced = await youth.call("sync", {})
    assert secret not in str(synced) and len(synced["messages"]) == 4
    await youth.close()
    youth, _ = await visitor(base_url, token=session["token"])
    assert secret not in str(await youth.call("sync", {}))
    counselor_sync = await anna.call("sync", {"conversation_id": cid})
    assert secret not in str(counselor_sync)
    # Stored apart from the conversation's message stream, and gone when the chat ends.
    stream = await redis_client.xrange(f"hc:log:{cid}")
    assert stream and all(secret not in str(fields) for _, fields in stream)
    await anna.call("end_chat", {"conversation_id": cid})
    assert (await bram.client.wait_for("chat_ended"))["conversation_id"] == cid
    assert secret not in await redis_text(redis_client)
    await youth.close()


async def test_counselor_sending_supervisor_events_by_hand_gets_forbidden(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    carl = await counselor_factory("carl")
    youth, _, cid = await chat_with(base_url, anna)
    supervisor_only = {
        "board": {},
        "monitor": {"conversation_id": cid},
        "unmonitor": {"conversation_id": cid},
        "whisper": {"conversation_id": cid, "text": "psst"},
        "take_over": {"conversation_id": cid},
        "debrief_done": {"counselor_id": anna.id},
    }
    for event, payload in supervisor_only.items():
        ack = await carl.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (event, ack)
    # Nor can a counselor read or act on a colleague's chat in other ways.
    for event, payload in {
        "whispers": {"conversation_id": cid},
        "sync": {"conversation_id": cid},
        "need_help": {"conversation_id": cid},
        "message": {"conversation_id": cid, "client_id": "x-1", "text": "hoi"},
        "end_chat": {"conversation_id": cid},
    }.items():
        ack = await carl.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (event, ack)
    # The refused monitor joined no room: carl hears nothing of the chat.
    await youth.call("message", {"client_id": "v-9", "text": "alleen voor anna"})
    await anna.client.wait_for("message", lambda m: m["text"] == "alleen voor anna")
    assert all("alleen voor anna" not in str(data) for _, data in carl.client.events)
    assert (await anna.call("board", {}))["error"]["code"] == "forbidden"
    await youth.close()


async def test_supervisor_takes_over_and_the_counselor_is_told(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna", display_name="anna")
    # bram has no display name: colleagues see a neutral name, the youth "Hulpverlener".
    bram = await counselor_factory("bram", role="supervisor")
    bram_shown = f"Hulpverlener {bram.id[:4]}"
    youth, _, cid = await chat_with(base_url, anna)
    off_duty = await bram.call("take_over", {"conversation_id": cid})
    assert off_duty["error"]["code"] == "forbidden"
    await bram.call("set_duty", {"status": "on"})
    taken = await bram.call("take_over", {"conversation_id": cid, "note": "Ga even wat drinken"})
    assert taken["ok"] is True and taken["duty"]["active_chats"] == 1
    assigned = await bram.client.wait_for("assigned")
    assert assigned["conversation"]["id"] == cid
    assert assigned["handover"] == {"kind": "take_over", "from_name": "anna", "note": None}
    ended = await anna.client.wait_for("chat_ended")
    assert ended == {"conversation_id": cid, "by": "counselor", "reason": "taken_over",
                     "to_name": bram_shown, "note": "Ga even wat drinken"}
    notice = await youth.wait_for("message", lambda m: m["sender"] == "system")
    assert "bram" not in notice["text"] and bram_shown not in notice["text"]  # visitors' view
    assert "Hulpverlener" in notice["text"]
    # Handed on, not ended: no wrap-up for anna.
    assert anna.client.received("wrap_up") == []
    reply = await bram.call("message", {"conversation_id": cid, "client_id": "b-1", "text": "Hoi"})
    assert reply["ok"]
    # The note is kept with the chat's whispers: bram reads it again after a reload, anna if
    # the chat comes back to her; the youth never gets it.
    whispers = (await bram.call("whispers", {"conversation_id": cid}))["whispers"]
    assert [(w["kind"], w["from_name"], w["text"]) for w in whispers] == [
        ("takeover", bram_shown, "Ga even wat drinken")]
    await anna.call("set_duty", {"status": "on"})
    assert (await bram.call("transfer", {"conversation_id": cid, "to": anna.id}))["ok"]
    back = (await anna.call("whispers", {"conversation_id": cid}))["whispers"]
    assert [w["text"] for w in back] == ["Ga even wat drinken"]
    assert "drinken" not in str(await youth.call("sync", {}))
    assert all("drinken" not in str(data) for _, data in youth.events)
    await youth.close()


async def test_take_over_off_duty_puts_the_supervisor_on_duty_in_one_step(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    bram = await counselor_factory("bram", role="supervisor")
    youth, _, cid = await chat_with(base_url, anna)
    await bram.call("set_duty", {"status": "off"})
    taken = await bram.call("take_over", {"conversation_id": cid, "go_on_duty": True})
    assert taken["ok"] and taken["duty"]["status"] == "on"
    assert (await bram.client.wait_for("assigned"))["conversation"]["id"] == cid
    await youth.close()


async def test_monitoring_tells_the_counselor_who_is_watching(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna", display_name="anna")
    bram = await counselor_factory("bram", role="supervisor", display_name="bram")
    youth, _, cid = await chat_with(base_url, anna)
    await bram.call("monitor", {"conversation_id": cid})
    assert (await anna.client.wait_for("watchers")) == {"conversation_id": cid, "names": ["bram"]}
    again = await anna.call("sync", {"conversation_id": cid})
    assert again["ok"]
    await bram.call("unmonitor", {"conversation_id": cid})
    assert (await anna.client.wait_for("watchers"))["names"] == []
    # A supervisor's closed tab stops watching too.
    await bram.call("monitor", {"conversation_id": cid})
    assert (await anna.client.wait_for("watchers"))["names"] == ["bram"]
    await bram.client.close()
    assert (await anna.client.wait_for("watchers"))["names"] == []
    await youth.close()


async def test_need_help_alerts_the_supervisors_and_marks_the_chat_on_the_board(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna", display_name="anna")
    alone = await counselor_factory("dirk", display_name="dirk")
    youth, _, cid = await chat_with(base_url, anna)
    assert (await anna.call("need_help", {"conversation_id": cid}))["notified"] == 0
    bram = await counselor_factory("bram", role="supervisor", display_name="bram")
    asked = await anna.call("need_help", {"conversation_id": cid})
    assert asked["ok"] and asked["notified"] == 1
    alert = await bram.client.wait_for("alert", lambda a: a["kind"] == "need_help")
    assert alert["conversation_id"] == cid and alert["counselor_name"] == "anna"
    board = await bram.call("board", {})
    assert board["chats"][0]["help_requested_ms"] is not None
    assert alone.client.received("alert") == []
    await youth.close()
