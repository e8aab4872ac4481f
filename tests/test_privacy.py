"""Privacy is the product: no raw token, no IP address, no message text where it must not be."""

from __future__ import annotations

import logging

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from tests.conftest import CounselorFactory
from tests.support import PASSWORD, chat_with, create_account, redis_text, visitor
from tests.test_login import post_login
from tests.test_login_code import code_at, enrol


async def test_no_raw_token_and_no_ip_address_anywhere_in_redis(
    base_url: str, counselor_factory: CounselorFactory, redis_client: aioredis.Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    anna = await counselor_factory("anna")
    youth, session, cid = await chat_with(base_url, anna)
    await youth.call("message", {"client_id": "p1", "text": "prive-bericht-123"})
    await anna.call("message", {"conversation_id": cid, "client_id": "p2",
                                "text": "antwoord-456"})
    await youth.close()
    youth, _ = await visitor(base_url, token=session["token"])

    everything = await redis_text(redis_client)
    assert session["token"] not in everything
    assert "127.0.0.1" not in everything and "localhost" not in everything
    assert PASSWORD not in everything

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (session["token"], "prive-bericht-123", "antwoord-456", PASSWORD,
                   anna.cookie, "127.0.0.1"):
        assert secret not in logged
    assert "chat taken" in logged  # the log does say what happened, by id
    await youth.close()


# Families that hold no chat content (accounts, configuration, counters, id sets) may persist.
PERMANENT = ("hc:queue", "hc:counselor:", "hc:counselors", "hc:duty", "hc:cchats:", "hc:gone",
             "hc:procs",
             "hc:stats:", "hc:canned", "hc:helpreq", "hc:roster", "hc:settings", "hc:contacts",
             "hc:audit", "hc:icalgen:", "hc:tinbox", "hc:tclaimed", "hc:treview",
             "hc:texpiry", "hc:totp:", "hc:recovery:")


async def test_every_key_without_an_expiry_is_one_that_holds_no_chat_content(
    base_url: str, counselor_factory: CounselorFactory, redis_client: aioredis.Redis,
) -> None:
    anna = await counselor_factory("anna")
    youth, _, cid = await chat_with(base_url, anna)
    waiting, _ = await visitor(base_url)
    await waiting.call("request_chat", {})
    await waiting.call("message", {"client_id": "w", "text": "ik wacht nog"})
    await youth.call("message", {"client_id": "1", "text": "hallo"})
    await anna.call("message", {"conversation_id": cid, "client_id": "2", "text": "hoi"})
    for key in [k async for k in redis_client.scan_iter("*")]:
        if await redis_client.ttl(key) == -1:
            assert key.startswith(PERMANENT), key
    await anna.call("end_chat", {"conversation_id": cid})
    await youth.wait_for("chat_ended")
    await youth.call("feedback", {"rating": 3, "comment": "oké"})
    for key in [k async for k in redis_client.scan_iter("*")]:
        if await redis_client.ttl(key) == -1:
            assert key.startswith(PERMANENT), key
    for client in (youth, waiting):
        await client.close()


async def test_question_threads_expire_and_neither_code_nor_text_is_logged_or_kept_forever(
    base_url: str, counselor_factory: CounselorFactory, redis_client: aioredis.Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    anna = await counselor_factory("anna")
    youth, _ = await visitor(base_url)
    asked = await youth.call("ask", {"text": "geheime-vraag-789", "client_id": "q"})
    other = await youth.call("ask", {"text": "tweede-vraag", "client_id": "q"})
    await anna.call("claim_question", {"thread_id": asked["thread_id"]})
    await anna.call("answer_question", {"thread_id": asked["thread_id"], "client_id": "a",
                                        "text": "geheim-antwoord-012"})
    await youth.call("pickup", {"code": asked["code"]})
    await youth.call("reply", {"thread_id": asked["thread_id"], "client_id": "r",
                               "text": "geheime-reactie-345"})
    await anna.call("claim_question", {"thread_id": other["thread_id"]})
    for key in [k async for k in redis_client.scan_iter("*")]:
        if await redis_client.ttl(key) == -1:
            assert key.startswith(PERMANENT), key
    everything = await redis_text(redis_client)
    assert asked["code"] not in everything and other["code"] not in everything
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (asked["code"], other["code"], "geheime-vraag-789", "geheim-antwoord-012",
                   "geheime-reactie-345"):
        assert secret not in logged
    assert "question answered thread=" in logged  # ids and events are logged
    await youth.close()


async def test_console_extras_expire_and_the_counselor_families_never_name_a_chat(
    base_url: str, counselor_factory: CounselorFactory, redis_client: aioredis.Redis,
) -> None:
    """Issue 13's families: watchers, handover notes, cool-downs, check-ins and call-backs."""
    anna = await counselor_factory("anna")
    carla = await counselor_factory("carla")
    bram = await counselor_factory("bram", role="supervisor")
    await carla.call("set_duty", {"status": "on"})
    youth, _, cid = await chat_with(base_url, anna)
    await bram.call("monitor", {"conversation_id": cid})
    await anna.call("transfer", {"conversation_id": cid, "to": carla.id,
                                 "note": "overdracht-notitie-77"})
    await carla.client.wait_for("assigned")
    await carla.call("end_chat", {"conversation_id": cid})
    wrap = await carla.client.wait_for("wrap_up")
    await carla.call("wrap_up", {"id": wrap["id"], "category": "home", "age_band": "unknown",
                                 "outcome": "listened", "heavy": True})
    await carla.call("check_in", {"feeling": "heavy", "call_back": True})
    for key in [k async for k in redis_client.scan_iter("*")]:
        if await redis_client.ttl(key) == -1:
            assert key.startswith(PERMANENT), key
    everything = await redis_text(redis_client)
    assert "overdracht-notitie-77" not in everything  # ended with retention 0: gone at once
    for pattern in ("hc:cooldown:*", "hc:checkin:*", "hc:callbacks", "hc:watchers:*"):
        found = [k async for k in redis_client.scan_iter(pattern)]
        if pattern != "hc:watchers:*":
            assert found, pattern
        for key in found:
            assert cid not in key and cid not in str(await redis_client.dump(key)), key
    assert [k async for k in redis_client.scan_iter("hc:watchers:*")] == []
    await youth.close()


async def test_two_factor_families_expire_except_the_account_s_own_factor(
    server: TestServer, base_url: str, redis_client: aioredis.Redis,
) -> None:
    """Issue 10's two-factor families: a pending login, the enrolment candidate and the last
    used step expire; the sealed secret and the recovery HMACs are the account's."""
    counselor_id = await create_account(server.app, "sofie", "supervisor")
    totp = await enrol(server.app[appkeys.STORE], counselor_id)
    await server.app[appkeys.STORE].two_factor.set_candidate(counselor_id, "v1.x")
    async with aiohttp.ClientSession(base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await post_login(http, "sofie", PASSWORD)  # a pending login, left waiting
        async with aiohttp.ClientSession(base_url) as api:
            await api.post("/api/session", json={"username": "sofie", "password": PASSWORD,
                                                 "code": code_at(totp)})
    families = set()
    for key in [k async for k in redis_client.scan_iter("*")]:
        families.add(key.split(":")[1])
        if await redis_client.ttl(key) == -1:
            assert key.startswith(PERMANENT), key
    assert {"totp", "totpnew", "totpstep", "recovery", "mfa"} <= families
