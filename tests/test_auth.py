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
from helpchat.passwords import _DUMMY_PASSWORD, hash_password, verify_password
from helpchat.web.admin_counselors import PENDING_HASH
from tests.support import PASSWORD, connect_counselor, create_account, login


async def test_login_returns_the_counselor_and_a_strict_httponly_cookie(
    server: TestServer, http: aiohttp.ClientSession
) -> None:
    counselor_id = await create_account(server.app, "anna", "supervisor")
    response = await http.post("/api/session", json={"username": "Anna", "password": PASSWORD})
    assert response.status == 200
    body = await response.json()
    assert body == {"ok": True, "counselor": {"id": counselor_id, "name": "anna",
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


async def test_sixth_failure_within_the_window_is_rate_limited_even_with_the_right_password(
    server: TestServer, http: aiohttp.ClientSession
) -> None:
    await create_account(server.app, "anna")
    for _ in range(5):
        response = await http.post("/api/session", json={"username": "anna", "password": "x"})
        assert response.status == 401
    limited = await http.post("/api/session", json={"username": "anna", "password": PASSWORD})
    assert limited.status == 429
    assert (await limited.json())["error"]["code"] == "rate_limited"
    other = await create_account(server.app, "bert")
    assert other
    fine = await http.post("/api/session", json={"username": "bert", "password": PASSWORD})
    assert fine.status == 200  # limits are per username


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


async def test_an_account_without_a_password_hash_cannot_log_in() -> None:
    assert await verify_password("", _DUMMY_PASSWORD) is False
    assert await verify_password(None, _DUMMY_PASSWORD) is False


async def test_every_failing_account_state_takes_the_same_time(
    server: TestServer, http: aiohttp.ClientSession
) -> None:
    """Unknown name, invited account without a password, disabled account, wrong password:
    30 tries each. On a loaded machine wall-clock times drift with whatever else runs, so the
    tries go in rounds of one per state in random order, each try is divided by its round's
    mean, and the medians of those ratios must lie within 20 % of each other. Every try uses
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
        mean = statistics.fmean(took.values())
        for state, value in took.items():
            seconds[state].append(value)
            ratios[state].append(value / mean)
    medians = {state: round(statistics.median(v) * 1000, 1) for state, v in seconds.items()}
    relative = {state: round(statistics.median(v), 3) for state, v in ratios.items()}
    print("medians (ms):", medians, "median share of round mean:", relative)
    assert max(relative.values()) <= 1.2 * min(relative.values()), (medians, relative)
