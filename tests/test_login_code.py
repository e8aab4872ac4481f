"""The second login step over real HTTP against real Redis (issue 10, two-factor): no session
before the code, a code accepted once, recovery codes used up, wrong codes ending the pending
login and counting in the back-off, and the same rules on POST /api/session."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator

import aiohttp
import pyotp
import pytest
from aiohttp.test_utils import TestServer

from helpchat import appkeys, two_factor
from helpchat.store import Store
from tests.conftest import TEST_SECRET, ServerFactory
from tests.support import PASSWORD, create_account, redis_text
from tests.test_login import login_form, post_login

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RECOVERY = "abcde-fghjk"


async def enrol(store: Store, counselor_id: str) -> pyotp.TOTP:
    """Two-factor on, as the enrolment page leaves it; one known recovery code."""
    secret = two_factor.new_secret()
    digest = two_factor.recovery_digest(TEST_SECRET, counselor_id, RECOVERY.replace("-", ""))
    await store.two_factor.enrol(counselor_id, two_factor.seal(TEST_SECRET, counselor_id,
                                                               secret), [digest])
    return pyotp.TOTP(secret)


def code_at(totp: pyotp.TOTP, steps_ahead: int = 0) -> str:
    return totp.at(time.time() + steps_ahead * two_factor.STEP_S)


@pytest.fixture
async def http(base_url: str) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
        yield s


@pytest.fixture
async def supervisor(server: TestServer) -> tuple[str, pyotp.TOTP]:
    counselor_id = await create_account(server.app, "sofie", "supervisor")
    return counselor_id, await enrol(server.app[appkeys.STORE], counselor_id)


async def send_code(http: aiohttp.ClientSession, code: str) -> aiohttp.ClientResponse:
    page = await http.get("/login/code", allow_redirects=False)
    assert page.status == 200, page.status
    token = CSRF.search(await page.text())
    assert token
    return await http.post("/login/code", data={"csrf_token": token.group(1), "code": code},
                           allow_redirects=False)


async def logged_in(http: aiohttp.ClientSession) -> bool:
    return (await http.get("/console/session")).status == 200


async def test_the_password_alone_gives_no_session_until_the_code_is_right(
    http: aiohttp.ClientSession, supervisor: tuple[str, pyotp.TOTP]
) -> None:
    _, totp = supervisor
    response = await post_login(http, "sofie", PASSWORD, next="/admin/insights")
    assert response.status == 303 and response.headers["Location"] == "/login/code"
    assert "helpchat_session" not in response.cookies
    pending = response.cookies["helpchat_login_2fa"]
    assert pending["httponly"] and pending["samesite"] == "Strict"
    assert not await logged_in(http)
    page = await http.get("/login/code")
    assert 'autocomplete="one-time-code"' in await page.text()
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    answer = await send_code(http, code_at(totp))
    assert answer.status == 303 and answer.headers["Location"] == "/admin/insights"
    assert await logged_in(http)


async def test_a_code_just_used_is_refused_and_the_next_one_accepted(
    http: aiohttp.ClientSession, supervisor: tuple[str, pyotp.TOTP]
) -> None:
    _, totp = supervisor
    code = code_at(totp)
    await post_login(http, "sofie", PASSWORD)
    assert (await send_code(http, code)).status == 303
    http.cookie_jar.clear()
    await post_login(http, "sofie", PASSWORD)
    replay = await send_code(http, code)
    assert replay.status == 401
    assert "al gebruikt" in await replay.text()
    assert not await logged_in(http)
    assert (await send_code(http, code_at(totp, 1))).status == 303


async def test_a_recovery_code_logs_in_once_and_says_so(
    http: aiohttp.ClientSession, supervisor: tuple[str, pyotp.TOTP], server: TestServer
) -> None:
    counselor_id, _ = supervisor
    await post_login(http, "sofie", PASSWORD)
    answer = await send_code(http, RECOVERY.upper())
    assert answer.status == 303
    assert answer.headers["Location"].startswith("/account/two-factor?notice=")
    page = await (await http.get(answer.headers["Location"])).text()
    assert "herstelcode" in page and "Ongebruikte herstelcodes: 0." in page
    assert await server.app[appkeys.STORE].two_factor.recovery_codes_left(counselor_id) == 0
    http.cookie_jar.clear()
    await post_login(http, "sofie", PASSWORD)
    assert (await send_code(http, RECOVERY)).status == 401


async def test_five_wrong_codes_end_the_pending_login(
    http: aiohttp.ClientSession, supervisor: tuple[str, pyotp.TOTP]
) -> None:
    await post_login(http, "sofie", PASSWORD)
    for _ in range(4):
        assert (await send_code(http, "000000")).status == 401
    page = await http.get("/login/code", allow_redirects=False)
    token = CSRF.search(await page.text())
    assert token
    last = await http.post("/login/code", data={"csrf_token": token.group(1),
                                                "code": "000000"}, allow_redirects=False)
    assert last.status == 401 and "Log opnieuw in" in await last.text()
    assert (await http.get("/login/code", allow_redirects=False)).status == 303
    assert not await logged_in(http)


async def test_wrong_codes_count_in_the_login_back_off(
    start_server: ServerFactory,
) -> None:
    server = await start_server(login_max_failures=2)
    counselor_id = await create_account(server.app, "sofie", "supervisor")
    totp = await enrol(server.app[appkeys.STORE], counselor_id)
    base = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await post_login(http, "sofie", PASSWORD)
        for wrong in ("000000", "111111", "222222"):  # two free failures, then a wait
            assert (await send_code(http, wrong)).status == 401
        waiting = await send_code(http, code_at(totp))
        assert waiting.status == 429 and int(waiting.headers["Retry-After"]) >= 1
        # A right password does not wipe the count: the code step is what clears it.
        http.cookie_jar.clear()
        again = await post_login(http, "sofie", PASSWORD)
        assert again.status == 429


async def test_the_code_form_needs_its_csrf_token_and_a_pending_login(
    http: aiohttp.ClientSession, supervisor: tuple[str, pyotp.TOTP]
) -> None:
    _, totp = supervisor
    assert (await http.get("/login/code", allow_redirects=False)).status == 303
    alone = await http.post("/login/code", data={"code": code_at(totp)},
                            allow_redirects=False)
    assert alone.status == 401
    await post_login(http, "sofie", PASSWORD)
    forged = await http.post("/login/code", data={"csrf_token": "x", "code": code_at(totp)},
                             allow_redirects=False)
    assert forged.status == 400
    assert not await logged_in(http)


async def test_an_account_without_two_factor_logs_in_as_before(
    http: aiohttp.ClientSession, server: TestServer
) -> None:
    await create_account(server.app, "anna", "supervisor")
    response = await post_login(http, "anna", PASSWORD, token=await login_form(http))
    assert response.status == 303 and response.headers["Location"] == "/console/"


async def test_the_api_asks_for_the_code_and_checks_it_once(
    base_url: str, supervisor: tuple[str, pyotp.TOTP]
) -> None:
    _, totp = supervisor
    async with aiohttp.ClientSession(base_url) as http:
        ask = await http.post("/api/session", json={"username": "sofie", "password": PASSWORD})
        assert ask.status == 401 and "helpchat_session" not in ask.cookies
        assert (await ask.json())["error"] == {"code": "unauthorized", "two_factor": True,
                                               "message": "two-factor code required"}
        wrong = await http.post("/api/session", json={"username": "sofie",
                                                      "password": PASSWORD, "code": "000000"})
        assert wrong.status == 401
        code = code_at(totp)
        right = await http.post("/api/session", json={"username": "sofie",
                                                      "password": PASSWORD, "code": code})
        assert right.status == 200 and right.cookies["helpchat_session"].value
        replay = await http.post("/api/session", json={"username": "sofie",
                                                       "password": PASSWORD, "code": code})
        assert replay.status == 401
        bad = await http.post("/api/session", json={"username": "sofie",
                                                     "password": PASSWORD, "code": 123456})
        assert bad.status == 400


async def test_no_code_secret_or_recovery_code_is_stored_or_logged_in_the_clear(
    http: aiohttp.ClientSession, supervisor: tuple[str, pyotp.TOTP], server: TestServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    counselor_id, totp = supervisor
    code = code_at(totp)
    await post_login(http, "sofie", PASSWORD)
    await send_code(http, code)
    store = server.app[appkeys.STORE]
    everything = await redis_text(store.redis)
    assert totp.secret not in everything and RECOVERY.replace("-", "") not in everything
    logged = caplog.text
    assert totp.secret not in logged and code not in logged
    assert f"second factor counselor={counselor_id} kind=totp" in logged
