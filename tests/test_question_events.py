"""Questions for later through the real server: /visitor asks and picks up, /counselor works
the inbox; real socket.io clients, real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys, insights, proof
from helpchat.config import load_settings
from helpchat.store import Store
from tests.conftest import CounselorFactory, ServerFactory
from tests.faults import TEST_SECRET, ServerProcess
from tests.support import (
    Client,
    add_account,
    chat_with,
    connect_counselor,
    login,
    make_counselor,
    visitor,
)
from tests.test_proof_gate import start_of_a_minute

DAY_MS = 24 * 3600 * 1000


async def _ask(base_url: str, text: str = "Ik durf het niet thuis te zeggen",
               lang: str = "nl") -> tuple[Client, dict]:
    youth, _ = await visitor(base_url, lang=lang)
    asked = await youth.call("ask", {"text": text, "client_id": "q1"})
    assert asked["ok"], asked
    return youth, asked


async def test_ask_close_come_back_with_the_code_read_the_answer_reply_and_delete(
    base_url: str, counselor_factory: CounselorFactory,
) -> None:
    youth, asked = await _ask(base_url)
    assert len(asked["code"].split()) == 6
    assert asked["answer_time"]["promise_hours"] == 48
    await youth.close()  # the tab is closed; only the written-down code remains

    anna = await counselor_factory("anna")
    inbox = await anna.call("questions")
    assert [e["thread_id"] for e in inbox["waiting"]] == [asked["thread_id"]]
    assert inbox["waiting"][0]["preview"].startswith("Ik durf")
    claimed = await anna.call("claim_question", {})
    assert claimed["ok"] and claimed["thread"]["messages"][0]["sender"] == "visitor"
    answered = await anna.call("answer_question", {
        "thread_id": asked["thread_id"], "client_id": "a1", "text": "Fijn dat je het vraagt."})
    assert answered["ok"] and answered["in_review"] is False
    assert answered["message"]["counselor_name"] is None  # no display name: never the login

    back, _ = await visitor(base_url)
    picked = await back.call("pickup", {"code": asked["code"].upper().replace(" ", "-")})
    assert picked["ok"], picked
    thread = picked["thread"]
    assert thread["state"] == "answered"
    assert [m["sender"] for m in thread["messages"]] == ["visitor", "counselor"]
    replied = await back.call("reply", {"thread_id": thread["id"], "client_id": "r1",
                                        "text": "Dank je"})
    assert replied["ok"]
    assert (await anna.call("questions"))["waiting"][0]["thread_id"] == thread["id"]
    assert (await back.call("delete_thread", {"thread_id": thread["id"]}))["ok"]
    assert (await anna.call("questions"))["waiting"] == []
    again, _ = await visitor(base_url)
    gone = await again.call("pickup", {"code": asked["code"]})
    assert gone["error"]["code"] == "not_found"
    for client in (back, again):
        await client.close()


async def test_wrong_and_expired_codes_get_the_same_answer(
    server: TestServer, base_url: str,
) -> None:
    youth, asked = await _ask(base_url)
    wrong = await youth.call("pickup", {"code": "appel " * 6})
    typo = await youth.call("pickup", {"code": asked["code"] + "x"})
    hub = server.app[appkeys.HUB]
    real_clock = hub.clock
    hub.clock = lambda: real_clock() + 31 * DAY_MS / 1000
    assert await hub.questions.sweep() == 1
    expired = await youth.call("pickup", {"code": asked["code"]})
    assert wrong == typo == expired
    assert expired["ok"] is False and expired["error"]["code"] == "not_found"
    await youth.close()


async def test_a_thread_id_alone_opens_nothing(base_url: str) -> None:
    youth, asked = await _ask(base_url)
    other, _ = await visitor(base_url)
    for event, extra in (("reply", {"client_id": "x", "text": "hoi"}), ("thread_done", {}),
                         ("delete_thread", {})):
        answer = await other.call(event, {"thread_id": asked["thread_id"], **extra})
        assert answer["error"]["code"] == "not_found", event
    for client in (youth, other):
        await client.close()


async def test_failed_lookups_above_the_global_ceiling_are_rate_limited(
    start_server: ServerFactory,
) -> None:
    server = await start_server(pickup_failures_per_second=3)
    url = str(server.make_url("")).rstrip("/")
    hub = server.app[appkeys.HUB]
    hub.clock = lambda: 1_700_000_000.5  # one fixed second: the test cannot straddle two
    guessers = [(await visitor(url))[0] for _ in range(2)]
    answers = [await guessers[i % 2].call("pickup", {"code": "appel " * 6}) for i in range(5)]
    assert [a["error"]["code"] for a in answers] == ["not_found"] * 3 + ["rate_limited"] * 2
    assert 0 < answers[-1]["error"]["retry_after_ms"] <= 1000
    for client in guessers:
        await client.close()


async def test_text_is_capped_in_size_and_count(start_server: ServerFactory) -> None:
    server = await start_server(question_max_chars=50, question_max_messages=3)
    url = str(server.make_url("")).rstrip("/")
    youth, _ = await visitor(url)
    too_long = await youth.call("ask", {"text": "x" * 51})
    assert too_long["error"]["code"] == "too_large"
    asked = await youth.call("ask", {"text": "vraag"})
    tid = asked["thread_id"]
    replies = [await youth.call("reply", {"thread_id": tid, "client_id": f"r{i}", "text": "en"})
               for i in range(3)]
    assert [r["ok"] for r in replies] == [True, True, False]
    assert replies[-1]["error"]["code"] == "too_large"
    await youth.close()


@pytest.fixture
async def two_processes(redis_url: str, tmp_path: Path) -> AsyncIterator[list[ServerProcess]]:
    """Two `run.py serve` processes on the suite's Redis, as an operator runs them."""
    # Many asks within a second: the proof of work stays off, as in make_settings.
    started = [ServerProcess(redis_url, tmp_path / f"p{i}", proof_joins_per_minute=100_000)
               for i in range(2)]
    try:
        await asyncio.gather(*(asyncio.to_thread(p.start) for p in started))
        yield started
    finally:
        for process in started:
            await asyncio.to_thread(process.stop)


async def test_claim_is_atomic_across_two_processes(
    two_processes: list[ServerProcess], redis_client: aioredis.Redis, redis_url: str,
) -> None:
    """Four counselors on two real server processes race twelve claims for six questions:
    every question goes to exactly one of them (one Lua script, thread_claim.lua)."""
    urls = [p.url for p in two_processes]
    store = Store.create(redis_client, load_settings(environ={}, redis_url=redis_url,
                                                     secret_key=TEST_SECRET))
    counselors = []
    for i in range(4):
        await add_account(store, f"c{i}")
        url = urls[i % 2]
        counselors.append(await connect_counselor(url, await login(url, f"c{i}")))
    for i in range(6):
        youth, _ = await _ask(urls[i % 2], text=f"vraag {i}")
        await youth.close()
    results = await asyncio.gather(*(c.call("claim_question", {})
                                     for c in counselors for _ in range(3)))
    claimed = [r["thread"]["thread_id"] for r in results if r["ok"]]
    assert len(claimed) == len(set(claimed)) == 6
    assert {r["error"]["code"] for r in results if not r["ok"]} <= {"not_found", "conflict"}
    for counselor in counselors:
        await counselor.close()


async def test_live_chats_come_first_for_a_counselor_on_duty(
    base_url: str, counselor_factory: CounselorFactory,
) -> None:
    anna = await counselor_factory("anna")
    youth, _ = await _ask(base_url)
    await youth.close()
    await anna.call("set_duty", {"status": "on"})
    live, _ = await visitor(base_url)
    assert (await live.call("request_chat", {}))["ok"]
    refused = await anna.call("claim_question", {})
    assert refused["error"]["code"] == "forbidden"
    assert (await anna.call("questions"))["live_waiting"] == 1
    await anna.call("take", {})
    assert (await anna.call("claim_question", {}))["ok"]
    await live.close()


async def test_release_and_hand_over_keep_the_question_in_order(
    base_url: str, counselor_factory: CounselorFactory,
) -> None:
    anna, bert = await counselor_factory("anna"), await counselor_factory("bert")
    youths = [await _ask(base_url, text) for text in ("eerste", "tweede")]
    (_, first), (_, second) = youths
    for youth, _ in youths:
        await youth.close()
    tid = (await anna.call("claim_question", {}))["thread"]["thread_id"]
    assert tid == first["thread_id"]
    assert (await bert.call("release_question", {"thread_id": tid}))["error"]["code"] == \
        "forbidden"
    assert (await anna.call("release_question", {"thread_id": tid}))["ok"]
    waiting = (await bert.call("questions"))["waiting"]
    assert [w["thread_id"] for w in waiting] == [first["thread_id"], second["thread_id"]]
    assert (await anna.call("claim_question", {"thread_id": tid}))["ok"]
    assert (await anna.call("hand_over_question", {"thread_id": tid, "to": bert.id}))["ok"]
    await bert.client.wait_for("question_assigned")
    assert [m["thread_id"] for m in (await bert.call("questions"))["mine"]] == [tid]
    answer = await anna.call("answer_question", {"thread_id": tid, "client_id": "a",
                                                 "text": "hoi"})
    assert answer["error"]["code"] == "conflict"
    assert (await bert.call("answer_question", {"thread_id": tid, "client_id": "a",
                                                "text": "hoi"}))["ok"]


async def test_with_review_on_the_answer_is_visible_only_after_a_supervisor_approves(
    start_server: ServerFactory,
) -> None:
    server = await start_server(question_review=True)
    url = str(server.make_url("")).rstrip("/")
    anna = await make_counselor(server.app, url, "anna")
    sam = await make_counselor(server.app, url, "sam", role="supervisor")
    youth, asked = await _ask(url)
    tid = asked["thread_id"]
    await anna.call("claim_question", {"thread_id": tid})
    held = await anna.call("answer_question", {"thread_id": tid, "client_id": "a1",
                                               "text": "concept"})
    assert held == {"ok": True, "message": None, "in_review": True}
    picked = await youth.call("pickup", {"code": asked["code"]})
    assert [m["sender"] for m in picked["thread"]["messages"]] == ["visitor"]
    assert (await anna.call("review_answer", {"thread_id": tid, "approve": True}))["error"][
        "code"] == "forbidden"
    review = (await sam.call("questions"))["review"]
    assert [r["thread_id"] for r in review] == [tid]
    rejected = await sam.call("review_answer", {"thread_id": tid, "approve": False,
                                                "note": "iets warmer"})
    assert rejected["ok"]
    reopened = await anna.call("open_question", {"thread_id": tid})
    assert reopened["thread"]["review_note"] == "iets warmer"
    await anna.call("answer_question", {"thread_id": tid, "client_id": "a2", "text": "warmer"})
    approved = await sam.call("review_answer", {"thread_id": tid, "approve": True})
    assert approved["ok"] and approved["message"]["text"] == "warmer"
    pushed = await youth.wait_for("thread_message")
    assert pushed["text"] == "warmer" and pushed["counselor_name"] is None
    for client in (anna, sam, youth):
        await client.close()


async def test_mark_done_takes_it_out_of_the_inbox_until_the_next_reply(
    base_url: str, counselor_factory: CounselorFactory,
) -> None:
    anna = await counselor_factory("anna")
    youth, asked = await _ask(base_url)
    tid = asked["thread_id"]
    assert (await youth.call("thread_done", {"thread_id": tid}))["ok"]
    assert (await anna.call("questions"))["waiting"] == []
    assert (await youth.call("reply", {"thread_id": tid, "client_id": "r", "text": "toch"}))["ok"]
    assert [w["thread_id"] for w in (await anna.call("questions"))["waiting"]] == [tid]
    await youth.close()


async def test_insights_count_asked_answered_within_the_promise_and_codes_redeemed(
    server: TestServer, base_url: str, counselor_factory: CounselorFactory,
) -> None:
    anna = await counselor_factory("anna")
    youth, asked = await _ask(base_url)
    await anna.call("claim_question", {})
    await anna.call("answer_question", {"thread_id": asked["thread_id"], "client_id": "a",
                                        "text": "antwoord"})
    await youth.call("pickup", {"code": asked["code"]})
    store = server.app[appkeys.STORE]
    today, _ = store.insights.slot(server.app[appkeys.HUB].now_ms())
    day = insights.parse_day((await store.insights.days(today, today))[today])

    def total(name: str) -> int:
        return sum(hour.get(name, 0) for hour in day.hours)

    assert total("questions_asked") == total("answered_async") == 1
    assert total("answered_async_in_promise") == total("codes_redeemed") == 1
    assert day.histograms["qans"] == {0: 1}  # answered within 10 s
    assert await store.threads.answer_times() == [0]  # what the widget's estimate uses
    await youth.close()


async def test_under_abnormal_demand_ask_and_pickup_need_a_solved_challenge(
    start_server: ServerFactory,
) -> None:
    """The same gate as request_chat: once joins per minute are abnormal, ask and every
    pickup (a guess included) cost a solved single-use challenge."""
    server = await start_server(proof_joins_per_minute=1, proof_min_number=10,
                                proof_max_number=20, proof_cost=1)
    start_of_a_minute(server)
    url = str(server.make_url("")).rstrip("/")
    youth, _ = await visitor(url)
    asked = await youth.call("ask", {"text": "eerste vraag"})
    assert asked["ok"]  # the first of the minute is free
    refused = await youth.call("ask", {"text": "tweede vraag"})
    assert refused["error"]["code"] == "rate_limited" and refused["error"]["challenge"]
    solved = proof.solve(refused["error"]["challenge"])
    assert (await youth.call("ask", {"text": "tweede vraag", "proof": solved}))["ok"]
    guess = await youth.call("pickup", {"code": asked["code"]})
    assert guess["error"]["code"] == "rate_limited"
    picked = await youth.call("pickup", {"code": asked["code"],
                                         "proof": proof.solve(guess["error"]["challenge"])})
    assert picked["ok"] and picked["thread"]["id"] == asked["thread_id"]
    await youth.close()


async def test_keep_talking_later_turns_the_chat_into_a_thread_held_by_its_counselor(
    base_url: str, counselor_factory: CounselorFactory,
) -> None:
    anna = await counselor_factory("anna")
    youth, _, cid = await chat_with(base_url, anna)
    await youth.call("message", {"client_id": "m1", "text": "Ik wil er nog over nadenken"})
    await anna.call("message", {"conversation_id": cid, "client_id": "m2",
                                "text": "Prima, we praten later verder"})
    assert (await anna.call("offer_later", {"conversation_id": cid}))["ok"]
    assert (await youth.wait_for("later_offered"))["conversation_id"] == cid
    later = await youth.call("keep_talking_later", {})
    assert later["ok"], later
    assert [m["text"] for m in later["thread"]["messages"]] == [
        "Ik wil er nog over nadenken", "Prima, we praten later verder"]
    accepted = await anna.client.wait_for("later_accepted")
    assert accepted == {"conversation_id": cid, "thread_id": later["thread_id"]}
    assert [m["thread_id"] for m in (await anna.call("questions"))["mine"]] == \
        [later["thread_id"]]
    again = await youth.call("keep_talking_later", {})
    assert again["error"]["code"] == "conflict"
    await anna.call("end_chat", {"conversation_id": cid})
    await youth.close()

    back, _ = await visitor(base_url)
    picked = await back.call("pickup", {"code": later["code"]})
    assert picked["ok"] and picked["thread"]["state"] == "waiting"
    # Anna holds it and is on duty: she is offered for a live chat (no display name set: no
    # name, never her login name).
    assert picked["thread"]["live_counselor"] == {"name": None}
    await back.call("reply", {"thread_id": later["thread_id"], "client_id": "r",
                              "text": "Ik heb nagedacht"})
    reply = await anna.client.wait_for("question_message")
    assert reply["text"] == "Ik heb nagedacht"
    answered = await anna.call("answer_question", {"thread_id": later["thread_id"],
                                                   "client_id": "a", "text": "Vertel"})
    assert answered["ok"]
    await back.close()


async def test_keep_talking_later_needs_a_live_chat(base_url: str) -> None:
    youth, _ = await visitor(base_url)
    refused = await youth.call("keep_talking_later", {})
    assert refused["error"]["code"] == "closed"
    await youth.close()


async def test_question_entries_name_colleagues_by_display_name_never_by_login_name(
    start_server: ServerFactory,
) -> None:
    """Staff views follow issue 10: the display name, or "Hulpverlener" with the start of the
    account id; the login name never leaves for a counselor's or supervisor's screen."""
    server = await start_server(question_review=True)
    url = str(server.make_url("")).rstrip("/")
    store = server.app[appkeys.STORE]
    anna = await make_counselor(server.app, url, "anna.login")
    bert = await make_counselor(server.app, url, "bert.login")
    sam = await make_counselor(server.app, url, "sam.login", role="supervisor")
    await store.counselors.set_display_name(anna.id, "Anna (vrijwilliger)")
    youths = [await _ask(url, text) for text in ("eerste", "tweede")]
    first, second = (asked["thread_id"] for _, asked in youths)

    await anna.call("claim_question", {"thread_id": first})
    await anna.call("answer_question", {"thread_id": first, "client_id": "a1", "text": "hoi"})
    await bert.call("claim_question", {"thread_id": second})
    await bert.call("answer_question", {"thread_id": second, "client_id": "b1", "text": "hoi"})
    inbox = await sam.call("questions")
    names = {e["thread_id"]: e["counselor_name"] for e in inbox["review"]}
    assert names == {first: "Anna (vrijwilliger)", second: f"Hulpverlener {bert.id[:4]}"}
    opened = await sam.call("open_question", {"thread_id": second})
    assert opened["thread"]["counselor_name"] == f"Hulpverlener {bert.id[:4]}"

    await sam.call("review_answer", {"thread_id": first, "approve": False, "note": "korter"})
    assert (await anna.client.wait_for("question_assigned"))["from"] == f"Hulpverlener {sam.id[:4]}"
    await store.counselors.set_display_name(sam.id, "Sam")
    await anna.call("claim_question", {"thread_id": first})
    await anna.call("hand_over_question", {"thread_id": first, "to": bert.id})
    assert (await bert.client.wait_for("question_assigned"))["from"] == "Anna (vrijwilliger)"
    for payload in (inbox, opened):
        assert ".login" not in str(payload)
    for client in (anna, bert, sam, *(youth for youth, _ in youths)):
        await client.close()


async def _answered(base_url: str, counselor: Client | Any, text: str = "Hoi") -> dict:
    """A question asked and answered by `counselor`; the ask ack (with the code)."""
    youth, asked = await _ask(base_url)
    await youth.close()
    await counselor.call("claim_question", {"thread_id": asked["thread_id"]})
    answered = await counselor.call("answer_question", {
        "thread_id": asked["thread_id"], "client_id": "a1", "text": text})
    assert answered["ok"], answered
    return asked


async def test_a_youth_back_with_a_code_while_open_reaches_the_counselor_who_answered(
    server: TestServer, base_url: str, counselor_factory: CounselorFactory,
) -> None:
    anna, bert = await counselor_factory("anna"), await counselor_factory("bert")
    await server.app[appkeys.STORE].counselors.set_display_name(anna.id, "Anna")
    asked = await _answered(base_url, anna, "Je mag altijd terugkomen.")
    for counselor in (anna, bert):
        await counselor.call("set_duty", {"status": "on"})

    back, _ = await visitor(base_url)
    picked = await back.call("pickup", {"code": asked["code"]})
    assert picked["thread"]["live_counselor"] == {"name": "Anna"}  # on duty: offered
    queued = await back.call("request_chat", {"thread_id": asked["thread_id"]})
    assert queued["ok"] and queued["same_counselor"] is True, queued
    started = await back.wait_for("chat_started")
    assert started == {"conversation_id": queued["conversation_id"], "counselor_name": "Anna"}
    assigned = (await anna.client.wait_for("assigned"))["conversation"]
    assert assigned["id"] == queued["conversation_id"] and assigned["returning"] is True
    assert [m["text"] for m in assigned["earlier_thread"]["messages"]] == [
        "Ik durf het niet thuis te zeggen", "Je mag altijd terugkomen."]
    assert "code" not in str(assigned["earlier_thread"]).lower()  # the thread, not its key
    assert (await bert.call("take", {}))["error"]["code"] == "not_found"  # never in the queue
    # Handed on, the chat goes without the thread: the young person chose Anna.
    assert (await anna.call("transfer", {"conversation_id": assigned["id"], "to": bert.id}))["ok"]
    handed = (await bert.client.wait_for("assigned"))["conversation"]
    assert "earlier_thread" not in handed and handed["returning"] is False
    await back.close()


async def test_when_that_counselor_cannot_take_it_the_chat_waits_for_anyone_without_the_thread(
    server: TestServer, base_url: str, counselor_factory: CounselorFactory,
) -> None:
    anna = await counselor_factory("anna", max_chats=1)
    bert = await counselor_factory("bert")
    asked = await _answered(base_url, anna)
    back, _ = await visitor(base_url)
    await anna.call("set_duty", {"status": "off"})
    picked = await back.call("pickup", {"code": asked["code"]})
    assert picked["thread"]["live_counselor"] is None  # off duty: nothing to offer

    await anna.call("set_duty", {"status": "on"})
    busy, _, _ = await chat_with(base_url, anna)  # her one chat: she is at her limit
    await bert.call("set_duty", {"status": "on"})
    queued = await back.call("request_chat", {"thread_id": asked["thread_id"]})
    assert queued["ok"] and queued["same_counselor"] is False, queued
    conv = await server.app[appkeys.STORE].conversations.get(queued["conversation_id"])
    assert conv is not None and conv.earlier_thread is None and conv.return_to is None
    taken = await bert.call("take", {})
    assert taken["conversation"]["id"] == queued["conversation_id"]
    assert "earlier_thread" not in taken["conversation"]
    stranger, _ = await visitor(base_url)
    refused = await stranger.call("request_chat", {"thread_id": asked["thread_id"]})
    assert refused["error"]["code"] == "not_found"  # a thread id alone opens nothing
    for client in (back, busy, stranger):
        await client.close()


async def test_replies_and_answers_are_rate_limited_like_chat_text(
    start_server: ServerFactory,
) -> None:
    server = await start_server(visitor_message_burst=2, visitor_messages_per_minute=6,
                                counselor_message_burst=1, counselor_messages_per_minute=6)
    url = str(server.make_url("")).rstrip("/")
    youth, asked = await _ask(url)
    tid = asked["thread_id"]
    replies = [await youth.call("reply", {"thread_id": tid, "client_id": f"r{i}",
                                          "text": f"nog iets {i}"}) for i in range(3)]
    assert [r["ok"] for r in replies] == [True, True, False]
    assert replies[2]["error"]["code"] == "rate_limited"
    assert replies[2]["error"]["retry_after_ms"] > 0
    anna = await make_counselor(server.app, url, "anna")
    await anna.call("claim_question", {"thread_id": tid})
    answers = [await anna.call("answer_question", {"thread_id": tid, "client_id": f"a{i}",
                                                   "text": "hoi"}) for i in range(2)]
    assert answers[0]["ok"] and answers[1]["error"]["code"] == "rate_limited"
    for client in (youth, anna):
        await client.close()
