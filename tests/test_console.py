"""The console page and its /counselor events: wrap-ups (blocking take, counts only), canned
responses in the console's language, and the colleagues a chat can be transferred to."""

from __future__ import annotations

import json
import re

import aiohttp
import redis.asyncio as aioredis

from tests.conftest import CounselorFactory
from tests.support import Client, connect_counselor, visitor
from tests.test_supervisor import chat_with

CONFIG_BLOCK = re.compile(
    r'<script type="application/json" id="console-config">(.*?)</script>', re.DOTALL)


async def test_console_page_needs_a_login_and_has_no_inline_script(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    async with aiohttp.ClientSession() as anonymous:
        response = await anonymous.get(f"{base_url}/console/", allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/login?next=/console/"
    bram = await counselor_factory("bram", role="supervisor")
    cookies = {"helpchat_session": bram.cookie}
    async with aiohttp.ClientSession(cookies=cookies) as browser:
        response = await browser.get(f"{base_url}/console/?lang=en")
        html = await response.text()
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["Cache-Control"] == "no-store"
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert " style=" not in html and " onclick" not in html
    found = CONFIG_BLOCK.search(html)
    assert found
    config = json.loads(found.group(1))
    assert config["lang"] == "en" and config["me"]["supervisor"] is True
    assert config["i18n"]["console.queue.take_next"] == "Take next"
    assert 'id="board"' in html  # the supervisor's board; a counselor's page has none


async def test_wrap_up_blocks_new_chats_until_submitted(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    youth, _, cid = await chat_with(base_url, anna)
    await anna.call("end_chat", {"conversation_id": cid})
    wrap = await anna.client.wait_for("wrap_up")
    assert wrap["conversation_id"] == cid
    waiting, other = await chat_with_queued(base_url)
    refused = await anna.call("take", {})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    assert "registratie" in refused["error"]["message"]
    bad = await anna.call("wrap_up", {"id": wrap["id"], "category": "made-up", "outcome": "advice"})
    assert bad["error"]["code"] == "invalid"
    done = await anna.call("wrap_up", {"id": wrap["id"], "category": "school", "age_band": "15_17",
                                       "outcome": "advice", "debrief": True})
    assert done == {"ok": True, "open": 0}
    assert (await anna.client.wait_for("wrap_up_closed"))["id"] == wrap["id"]
    assert (await anna.call("wrap_up", {"id": wrap["id"], "skip": True}))["error"]["code"] == \
        "not_found"
    taken = await anna.call("take", {})
    assert taken["ok"] and taken["conversation"]["id"] == other
    await youth.close()
    await waiting.close()


async def chat_with_queued(base_url: str) -> tuple[Client, str]:
    youth, _ = await visitor(base_url)
    queued = await youth.call("request_chat", {})
    assert queued["ok"], queued
    return youth, queued["conversation_id"]


async def test_skipped_wrap_up_unblocks_and_nothing_links_it_to_the_chat(
    base_url: str, counselor_factory: CounselorFactory, redis_client: aioredis.Redis,
) -> None:
    anna = await counselor_factory("anna")
    first, _, cid = await chat_with(base_url, anna)
    await anna.call("end_chat", {"conversation_id": cid})
    wrap = await anna.client.wait_for("wrap_up")
    # The open wrap-up is an id and a time, nothing that names the chat.
    opened = await redis_client.hgetall(f"hc:wrapup:{anna.id}")
    assert list(opened) == [wrap["id"]] and cid not in str(opened)
    assert (await anna.call("wrap_up", {"id": wrap["id"], "skip": True}))["ok"]
    second, _, cid2 = await chat_with(base_url, anna)
    await anna.call("end_chat", {"conversation_id": cid2})
    wrap2 = await anna.client.wait_for("wrap_up")
    await anna.call("wrap_up", {"id": wrap2["id"], "category": "home", "age_band": "unknown",
                                "outcome": "listened"})
    stats_keys = [k async for k in redis_client.scan_iter("hc:wrapstats:*")]
    assert len(stats_keys) == 1
    stats = await redis_client.hgetall(stats_keys[0])
    assert stats == {"skipped": "1", "submitted": "1", "category:home": "1", "age:unknown": "1",
                     "outcome:listened": "1"}
    assert all(wrap2["id"] not in value for value in stats)
    await first.close()
    await second.close()


async def test_open_wrap_up_is_shown_again_after_a_reload(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    youth, _, cid = await chat_with(base_url, anna)
    await anna.call("end_chat", {"conversation_id": cid})
    wrap = await anna.client.wait_for("wrap_up")
    tab = await connect_counselor(base_url, anna.cookie)
    anna.extra.append(tab)
    again = await tab.wait_for("wrap_up")
    assert again == {"id": wrap["id"], "conversation_id": None}
    await youth.close()


async def test_canned_responses_come_in_the_consoles_language(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    dutch = await anna.call("canned", {})
    assert dutch["ok"] and dutch["items"][0].startswith("Hoi!")
    english = await Client().connect(base_url, "/counselor", auth={"lang": "en"},
                                     headers={"Cookie": f"helpchat_session={anna.cookie}"})
    anna.extra.append(english)
    items = (await english.call("canned", {}))["items"]
    assert items[0].startswith("Hi!")
    refused = await english.call("monitor", {"conversation_id": "0" * 32})
    assert refused["error"]["message"] == "Only supervisors may do that."


async def test_colleagues_are_those_on_duty_with_room_by_shown_name_never_the_login_name(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    bert = await counselor_factory("bert", max_chats=1)
    cees = await counselor_factory("cees")
    await counselor_factory("dora")  # off duty
    await cees.call("set_duty", {"status": "pause"})
    assert (await anna.call("colleagues", {}))["colleagues"] == []
    await bert.call("set_duty", {"status": "on"})
    found = (await anna.call("colleagues", {}))["colleagues"]
    # bert has no display name yet: colleagues see a neutral name, not the login name.
    assert [c["name"] for c in found] == [f"Hulpverlener {bert.id[:4]}"]
    youth, _, _ = await chat_with(base_url, bert)  # now bert is full (1 of 1)
    assert (await anna.call("colleagues", {}))["colleagues"] == []
    await youth.close()


async def test_canned_responses_come_in_every_language_for_the_youths_one(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    english = await Client().connect(base_url, "/counselor", auth={"lang": "en"},
                                     headers={"Cookie": f"helpchat_session={anna.cookie}"})
    anna.extra.append(english)
    canned = await english.call("canned", {})
    assert canned["items"] == canned["by_lang"]["en"]
    assert "Ben je op dit moment veilig?" in canned["by_lang"]["nl"]


async def test_queue_rows_and_chats_carry_language_and_what_the_youth_wrote_while_waiting(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    await anna.call("set_duty", {"status": "on"})
    youth, _ = await visitor(base_url, lang="en")
    queued = await youth.call("request_chat", {})
    for n, text in enumerate(("hello?", "is anyone there")):
        assert (await youth.call("message", {"client_id": f"v-{n}", "text": text}))["ok"]
    entry = (await anna.client.wait_for(
        "queue", lambda q: q["entries"] and q["entries"][0]["waiting_messages"] == 2))["entries"][0]
    assert entry["lang"] == "en" and entry["waiting_chars"] == len("hello?is anyone there")
    assert entry["flags"] == []
    taken = await anna.call("take", {"conversation_id": queued["conversation_id"]})
    assert taken["conversation"]["lang"] == "en" and taken["conversation"]["returning"] is False
    await youth.close()


async def test_end_reasons_reach_the_console_as_they_are_and_are_counted(
    base_url: str, counselor_factory: CounselorFactory, redis_client: aioredis.Redis
) -> None:
    anna = await counselor_factory("anna")
    fled, _, cid1 = await chat_with(base_url, anna)
    await fled.call("forget_me", {"reason": "quick_exit"})
    assert (await anna.client.wait_for("chat_ended"))["reason"] == "quick_exit"
    # The wrap-up registers how it ended.
    wrap = await anna.client.wait_for("wrap_up", lambda w: w["conversation_id"] == cid1)
    choices = {"id": wrap["id"], "category": "other", "age_band": "unknown",
               "outcome": "ended_early"}
    bad = await anna.call("wrap_up", {**choices, "ended": "ran away"})
    assert bad["error"]["code"] == "invalid"
    assert (await anna.call("wrap_up", {**choices, "ended": "quick_exit"}))["ok"]
    (stats_key,) = [k async for k in redis_client.scan_iter("hc:wrapstats:*")]
    stats = await redis_client.hgetall(stats_key)
    assert stats["ended:quick_exit"] == "1"
    left, _, cid2 = await chat_with(base_url, anna)
    await left.call("end_chat", {})
    assert (await anna.client.wait_for("chat_ended")) == {
        "conversation_id": cid2, "by": "visitor", "reason": None}
    counts = await redis_client.hgetall("hc:stats:counts")
    # A quick exit is counted once, in the hourly Insights figure, not also in the totals.
    assert "ended_quick_exit" not in counts and counts["ended_by_visitor"] == "1"
    quick_exits = [int(n) async for key in redis_client.scan_iter("hc:ins:*")
                   for field, n in (await redis_client.hgetall(key)).items()
                   if field.endswith(":quick_exit")]
    assert quick_exits == [1]
    await left.close()


async def test_transfer_carries_a_note_for_the_receiver_and_names_them_to_the_giver(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna", display_name="anna")
    carla = await counselor_factory("carla", display_name="carla")
    await carla.call("set_duty", {"status": "on"})
    youth, _, cid = await chat_with(base_url, anna)
    note = "Ze wil over school praten, nog niet over thuis."
    moved = await anna.call("transfer", {"conversation_id": cid, "to": carla.id, "note": note})
    assert moved["ok"]
    ended = await anna.client.wait_for("chat_ended")
    assert ended["reason"] == "transferred" and ended["to_name"] == "carla"
    assigned = await carla.client.wait_for("assigned")
    assert assigned["handover"] == {"kind": "transfer", "from_name": "anna", "note": note}
    # A reload shows the note again, among the chat's whispers, never to the youth.
    whispers = (await carla.call("whispers", {"conversation_id": cid}))["whispers"]
    assert [(w["kind"], w["text"], w["from_name"]) for w in whispers] == [
        ("handover", note, "anna")]
    assert note not in str(youth.events) and note not in str(await youth.call("sync", {}))
    too_long = await anna.call("transfer", {"conversation_id": cid, "to": None, "note": "x" * 501})
    assert too_long["error"]["code"] == "too_large"
    await youth.close()
