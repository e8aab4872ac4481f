"""POST/DELETE /api/session: credentials, rate limit, cookie flags, sockets closed at logout."""

from __future__ import annotations

import asyncio
import random
import statistics
import time

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from helpchat import appkeys, identity
from helpchat.passwords import MAX_CONCURRENT, MAX_WAITING, hash_password
from helpchat.web.admin_counselors import PENDING_HASH
from tests.support import (
    PASSWORD,
    StoppedClock,
    connect_counselor,
    create_account,
    login,
    make_counselor,
    visitor,
)


async def test_login_returns_the_counselor_and_a_strict_httponly_cookie(
    server: TestServer, http: aiohttp.ClientSession
) -> None:
    counselor_id = await create_account(server.app, "anna", "supervisor")
    response = await http.post("/api/session", json={"username": "Anna", "password": PASSWORD})
    assert response.status == 200
    body = await response.json()
    assert body == {"ok": True, "counselor": {"id": counselor_id, "name": "anna",
                                              "display_name": "",
                                              "roles": ["supervisor"]}}
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # development; production adds it


async def test_unknown_user_and_wrong_password_get_the_same_401(
    server: TestServer, http: aiohttp.ClientSession
) -> None:
    await create_account(server.app, "anna")
    wrong = await http.post("/api/session", json={"username": "anna", "password": "nope" * 3})
    unknown = await http.post("/api/session", json={"username": "bob", "password": "nope" * 3})
    assert wrong.status == unknown.status == 401
    assert await wrong.json() == await unknown.json()


async def attempt(http: aiohttp.ClientSession, name: str, password: str) -> aiohttp.ClientResponse:
    return await http.post("/api/session", json={"username": name, "password": password})


async def test_failures_past_the_free_ones_make_the_name_wait_longer_and_longer_never_locked(
    server: TestServer, http: aiohttp.ClientSession
) -> None:
    clock = StoppedClock()
    server.app[appkeys.HUB].clock = clock
    await create_account(server.app, "anna")
    for _ in range(6):  # five free failures, then the first wait: one second
        assert (await attempt(http, "anna", "x" * 10)).status == 401
    limited = await attempt(http, "anna", PASSWORD)  # waiting: not even checked
    assert limited.status == 429 and limited.headers["Retry-After"] == "1"
    error = (await limited.json())["error"]
    assert error["code"] == "rate_limited" and 0 < error["retry_after_ms"] <= 1000
    clock.now += 1.0
    assert (await attempt(http, "anna", "x" * 10)).status == 401  # 7th failure: two seconds
    assert (await attempt(http, "anna", PASSWORD)).headers["Retry-After"] == "2"
    assert (await create_account(server.app, "bert"))
    assert (await attempt(http, "bert", PASSWORD)).status == 200  # per name
    clock.now += 2.0
    assert (await attempt(http, "anna", PASSWORD)).status == 200  # waited: never locked
    for _ in range(6):  # a success starts the count afresh
        assert (await attempt(http, "anna", "x" * 10)).status == 401


@pytest.mark.parametrize("body", [
    b"not json", b"[1, 2]", b'{"username": 5, "password": "x"}', b'{"username": "a"}',
    b'{"username": "", "password": ""}', "\ufffe".encode("utf-16"),
])
async def test_malformed_login_bodies_get_400_with_a_reason(
    http: aiohttp.ClientSession, body: bytes
) -> None:
    response = await http.post("/api/session", data=body,
                               headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid"


async def test_each_login_gets_a_fresh_session_id(server: TestServer, base_url: str) -> None:
    await create_account(server.app, "anna")
    assert await login(base_url, "anna") != await login(base_url, "anna")


async def test_logout_ends_the_session_and_disconnects_its_sockets(
    server: TestServer, base_url: str
) -> None:
    await create_account(server.app, "anna")
    cookie = await login(base_url, "anna")
    client = await connect_counselor(base_url, cookie)
    await client.wait_for("duty")
    async with aiohttp.ClientSession(base_url) as http:
        response = await http.delete("/api/session",
                                     headers={"Cookie": f"helpchat_session={cookie}"})
        assert response.status == 200
    for _ in range(100):
        if not client.sio.connected:
            break
        await asyncio.sleep(0.05)
    assert not client.sio.connected
    with pytest.raises(Exception, match=r"unauthorized|One or more namespaces failed"):
        await connect_counselor(base_url, cookie)


async def test_counselor_namespace_refuses_connections_without_a_valid_session(
    base_url: str,
) -> None:
    for cookie in ("", "made-up"):
        with pytest.raises(Exception, match=r"unauthorized|One or more namespaces failed"):
            await connect_counselor(base_url, cookie)


async def test_cross_site_login_post_is_refused(server: TestServer, http: aiohttp.ClientSession,
                                                ) -> None:
    await create_account(server.app, "anna")
    response = await http.post("/api/session", json={"username": "anna", "password": PASSWORD},
                               headers={"Origin": "https://evil.example"})
    assert response.status == 403


async def test_an_outsider_who_read_a_name_cannot_lock_the_counselor_out(
    server: TestServer, base_url: str
) -> None:
    """A visitor learns the name in chat_started and hammers the login with it: the name's
    back-off grows, but the counselor's own browser (device cookie) logs in at once."""
    anna = await make_counselor(server.app, base_url, "anna")
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(base_url, cookie_jar=jar) as browser:
        assert (await attempt(browser, "anna", PASSWORD)).status == 200  # anna's own browser
        assert any(c.key == "helpchat_device" for c in jar)
        await anna.call("set_duty", {"status": "on"})
        youth, _ = await visitor(base_url)
        await youth.call("request_chat", {"topic": "School"})
        assert (await anna.call("take", {}))["ok"]
        name = (await youth.wait_for("chat_started"))["counselor_name"]
        statuses = []
        async with aiohttp.ClientSession(base_url) as outsider:
            for _ in range(20):
                statuses.append((await attempt(outsider, name, "guess" * 3)).status)
            assert set(statuses) <= {401, 429} and 429 in statuses
            late = await attempt(outsider, name, PASSWORD)  # even the right password waits
            assert late.status == 429 and int(late.headers["Retry-After"]) >= 1
        assert (await attempt(browser, "anna", PASSWORD)).status == 200
        await youth.close()
    await anna.close()


async def test_credential_stuffing_across_names_is_capped_per_process(
    server: TestServer, http: aiohttp.ClientSession
) -> None:
    """40 different names at once: at most MAX_CONCURRENT argon2 checks run, MAX_WAITING wait,
    the rest get 429 busy at once; the event loop keeps answering."""
    answers = await asyncio.gather(*(attempt(http, f"stuffed{i}", "hunter2hunter2")
                                     for i in range(40)), http.get("/healthz"))
    health, logins = answers[-1], answers[:-1]
    assert health.status == 200
    statuses = [r.status for r in logins]
    assert set(statuses) == {401, 429}, statuses
    busy = [r for r in logins if r.status == 429]
    assert all(r.headers["Retry-After"] == "1" for r in busy)
    assert len(busy) >= 40 - MAX_CONCURRENT - MAX_WAITING


async def test_every_failing_account_state_takes_the_same_time(
    server: TestServer, http: aiohttp.ClientSession
) -> None:
    """Unknown name, invited account without a password, disabled account, wrong password:
    30 tries each. On a loaded machine wall-clock times drift with whatever else runs, so the
    tries go in rounds of one per state in random order, each try is divided by its round's
    median, and the medians of those ratios must lie within 20 % of each other. Every try uses
    a fresh account, so no throttling policy can skew the figures."""
    tries = 30
    states = ("unknown", "pending", "disabled", "wrong")
    store = server.app[appkeys.STORE]
    shared_hash = await hash_password(PASSWORD)  # one argon2 hash for all accounts
    for i in range(tries):
        for state in states[1:]:
            counselor_id = identity.new_id()
            await store.counselors.create(
                counselor_id, name=f"{state}{i}", roles=("counselor",), max_chats=2,
                password_hash=PENDING_HASH if state == "pending" else shared_hash, now_ms=0)
            if state == "disabled":
                await store.counselors.update(counselor_id, disabled="1")
    password = {state: "not the password" if state == "wrong" else PASSWORD for state in states}
    seconds: dict[str, list[float]] = {state: [] for state in states}
    ratios: dict[str, list[float]] = {state: [] for state in states}
    shuffle = random.Random(10).shuffle
    for i in range(tries):
        order = list(states)
        shuffle(order)
        took: dict[str, float] = {}
        for state in order:
            start = time.perf_counter()
            response = await http.post("/api/session", json={"username": f"{state}{i}",
                                                             "password": password[state]})
            took[state] = time.perf_counter() - start
            assert response.status == 401, (state, response.status)
        middle = statistics.median(took.values())  # one slow try does not skew the others
        for state, value in took.items():
            seconds[state].append(value)
            ratios[state].append(value / middle)
    medians = {state: round(statistics.median(v) * 1000, 1) for state, v in seconds.items()}
    relative = {state: round(statistics.median(v), 3) for state, v in ratios.items()}
    print("medians (ms):", medians, "median share of the round's median:", relative)
    assert max(relative.values()) <= 1.2 * min(relative.values()), (medians, relative)
