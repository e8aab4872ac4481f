"""The login form and logout over real HTTP: CSRF, the generic error, the shared rate limit,
safe redirects, and logout closing the session's sockets."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from yarl import URL

from helpchat import appkeys
from tests.support import PASSWORD, StoppedClock, connect_counselor, create_account

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def login_form(http: aiohttp.ClientSession, query: str = "") -> str:
    response = await http.get(f"/login{query}")
    assert response.status == 200
    found = CSRF.search(await response.text())
    assert found
    return found.group(1)


async def post_login(http: aiohttp.ClientSession, username: str, password: str,
                     token: str | None = None, **extra: str) -> aiohttp.ClientResponse:
    token = token if token is not None else await login_form(http)
    data = {"csrf_token": token, "username": username, "password": password, **extra}
    return await http.post("/login", data=data, allow_redirects=False)


@pytest.fixture
async def http(base_url: str) -> AsyncIterator[aiohttp.ClientSession]:
    """Like a browser: keeps cookies, also those of an IP-address host (127.0.0.1)."""
    async with aiohttp.ClientSession(base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
        yield s


@pytest.fixture
async def anna(server: TestServer) -> str:
    return await create_account(server.app, "anna")


async def test_login_page_sends_strict_csp_and_a_csrf_token(
    http: aiohttp.ClientSession,
) -> None:
    response = await http.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    html = await response.text()
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "frame-ancestors 'none'"):
        assert directive in csp
    assert "<script" not in html and " style=" not in html
    assert CSRF.search(html)
    assert "Log in for counselors" in html
    dutch = await (await http.get("/login")).text()
    assert "Inloggen voor hulpverleners" in dutch


async def test_right_password_logs_in_and_goes_to_the_console(
    http: aiohttp.ClientSession, anna: str
) -> None:
    response = await post_login(http, "anna", PASSWORD)
    assert response.status == 303
    assert response.headers["Location"] == "/console/"
    cookie = response.cookies["helpchat_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    console = await http.get("/console/", allow_redirects=False)
    assert console.status == 200
    assert "frame-ancestors 'none'" in console.headers["Content-Security-Policy"]


async def test_wrong_password_and_unknown_user_get_the_same_generic_error(
    http: aiohttp.ClientSession, anna: str
) -> None:
    wrong = await post_login(http, "anna", "not the password")
    unknown = await post_login(http, "nobody", "not the password")
    assert wrong.status == unknown.status == 401
    wrong_html, unknown_html = await wrong.text(), await unknown.text()
    assert "Gebruikersnaam of wachtwoord klopt niet." in wrong_html
    assert "Gebruikersnaam of wachtwoord klopt niet." in unknown_html
    assert "helpchat_session" not in wrong.cookies
    assert (await http.get("/console/", allow_redirects=False)).status == 303


async def test_back_off_is_shared_with_the_session_api_and_says_how_long_to_wait(
    server: TestServer, http: aiohttp.ClientSession, anna: str
) -> None:
    server.app[appkeys.HUB].clock = StoppedClock()
    for _ in range(5):
        api = await http.post("/api/session", json={"username": "anna", "password": "nope"})
        assert api.status == 401
    assert (await post_login(http, "anna", "nope")).status == 401  # the 6th: wait a second
    limited = await post_login(http, "anna", PASSWORD)
    assert limited.status == 429 and limited.headers["Retry-After"] == "1"
    assert "Probeer het over een seconde opnieuw" in await limited.text()
    api = await http.post("/api/session", json={"username": "anna", "password": PASSWORD})
    assert api.status == 429 and api.headers["Retry-After"] == "1"


async def test_login_without_a_valid_csrf_token_is_refused(
    http: aiohttp.ClientSession, base_url: str, anna: str
) -> None:
    missing = await post_login(http, "anna", PASSWORD, token="")
    assert missing.status == 400 and "helpchat_session" not in missing.cookies
    forged = await post_login(http, "anna", PASSWORD, token="0" * 64)
    assert forged.status == 400
    # A token fetched by another browser (another nonce cookie) does not work here either.
    async with aiohttp.ClientSession(base_url,
                                     cookie_jar=aiohttp.CookieJar(unsafe=True)) as attacker:
        stolen = await login_form(attacker)
    assert (await post_login(http, "anna", PASSWORD, token=stolen)).status == 400


async def test_login_redirects_only_to_paths_on_this_site(
    http: aiohttp.ClientSession, anna: str
) -> None:
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        http.cookie_jar.clear()
        response = await post_login(http, "anna", PASSWORD, next=evil)
        assert response.headers["Location"] == "/console/"
    http.cookie_jar.clear()
    response = await post_login(http, "anna", PASSWORD, next="/admin/")
    assert response.headers["Location"] == "/admin/"


async def test_logout_ends_the_session_and_closes_its_sockets(
    http: aiohttp.ClientSession, base_url: str, anna: str
) -> None:
    assert (await post_login(http, "anna", PASSWORD)).status == 303
    cookie = http.cookie_jar.filter_cookies(URL(base_url))["helpchat_session"].value
    socket = await connect_counselor(base_url, cookie)
    await socket.wait_for("duty")
    page = await (await http.get("/console/")).text()
    found = CSRF.search(page)
    assert found
    refused = await http.post("/logout", data={"csrf_token": "wrong"}, allow_redirects=False)
    assert refused.status == 403
    response = await http.post("/logout", data={"csrf_token": found.group(1)},
                               allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"
    for _ in range(50):
        if not socket.sio.connected:
            break
        await socket.sio.sleep(0.05)
    assert not socket.sio.connected
    assert (await http.get("/console/", allow_redirects=False)).status == 303
    async with aiohttp.ClientSession(base_url, cookies={"helpchat_session": cookie}) as again:
        assert (await again.get("/console/session")).status == 401
