"""Malformed headers answered 400 without a trace or an address in the log, and the security
headers on every response: returned, raised (404, 302), redirects, the websocket upgrade."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from tests.support import PASSWORD, Client, create_account

ADDRESS = "127.0.0.1"


def assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing in the log names the client's address or carries a traceback."""
    for record in caplog.records:
        assert ADDRESS not in record.getMessage(), record.getMessage()
        assert not record.exc_info, record.getMessage()


async def raw_request(server: TestServer, head: str) -> bytes:
    reader, writer = await asyncio.open_connection(ADDRESS, server.port)
    writer.write(head.encode("latin-1"))
    await writer.drain()
    data = await asyncio.wait_for(reader.read(65536), 5)
    writer.close()
    return data


@pytest.mark.parametrize(("method", "path", "headers"), [
    ("POST", "/api/session", {"Origin": "http://a:b"}),
    ("POST", "/login", {"Origin": "http://[::1"}),
    ("GET", "/socket.io/?EIO=4&transport=polling", {"Origin": "http://a:b"}),
    ("GET", "/login", {"Host": "a:b"}),
    ("GET", "/widget/", {"Host": "x; script-src *"}),
])
async def test_a_malformed_origin_or_host_is_a_400_with_nothing_logged(
    http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture,
    method: str, path: str, headers: dict[str, str],
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await http.request(method, path, headers=headers, json={})
    assert response.status == 400
    body = await response.json()
    assert body["error"]["code"] == "invalid" and "malformed" in body["error"]["message"]
    assert_quiet(caplog)


@pytest.mark.parametrize("content_type", [
    "multipart/form-data",  # no boundary
    "application/x-www-form-urlencoded; charset=no-such-charset",
])
async def test_a_form_body_that_cannot_be_parsed_is_a_400(
    http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture, content_type: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await http.post("/login", data=b"a=b", headers={"Content-Type": content_type})
    assert response.status == 400
    assert_quiet(caplog)


async def test_an_undecodable_session_cookie_is_no_session(
    server: TestServer, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = await raw_request(server, "GET /console/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                       "Cookie: helpchat_session=\xff\xfe\r\n"
                                       "Connection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 303"), answer[:80]
    assert_quiet(caplog)


async def test_an_unparsable_header_line_is_logged_without_address_or_trace(
    server: TestServer, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = await raw_request(server, "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                       "X-Secret: s3cret\x01value\r\nConnection: close\r\n\r\n")
    assert b" 400 " in answer.split(b"\r\n")[0]
    assert_quiet(caplog)
    assert "s3cret" not in caplog.text
    assert "malformed request" in caplog.text


@pytest.mark.parametrize("head", [
    "HZ / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",  # no such method
    "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b\x01c\r\nConnection: close\r\n\r\n",
])
async def test_aiohttp_s_own_400_for_an_unparsable_request_names_no_versions(
    server: TestServer, head: str,
) -> None:
    answer = await raw_request(server, head)
    status, *lines = answer.split(b"\r\n\r\n")[0].split(b"\r\n")
    assert b" 400 " in status
    servers = [line for line in lines if line.lower().startswith(b"server:")]
    assert servers == [b"Server: helpchat"], servers
    assert b"aiohttp" not in answer and b"Python/" not in answer


def assert_secure_headers(headers: aiohttp.typedefs.LooseHeaders) -> None:
    assert headers.get("X-Content-Type-Options") == "nosniff"  # type: ignore[union-attr]
    csp = headers.get("Content-Security-Policy") or ""  # type: ignore[union-attr]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert headers.get("Referrer-Policy")  # type: ignore[union-attr]
    assert "Server" not in headers


async def test_raised_404_and_302_carry_the_security_headers_and_no_banner(
    http: aiohttp.ClientSession,
) -> None:
    missing = await http.get("/no/such/page")
    assert missing.status == 404
    assert_secure_headers(missing.headers)
    to_login = await http.get("/admin/", allow_redirects=False)
    assert to_login.status == 302 and to_login.headers["Location"].startswith("/login")
    assert_secure_headers(to_login.headers)
    for path in ("/healthz", "/static/common/base.css", "/login"):
        response = await http.get(path)
        assert response.status == 200
        assert_secure_headers(response.headers)
    assert "Strict-Transport-Security" not in missing.headers  # development runs on http


async def test_the_websocket_upgrade_carries_no_banner(base_url: str) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(
            f"{base_url}/socket.io/?EIO=4&transport=websocket") as ws:
        headers = ws._response.headers  # the 101 Switching Protocols answer
        assert "Server" not in headers
        assert headers.get("X-Content-Type-Options") == "nosniff"


async def test_production_sends_hsts_and_a_host_prefixed_secure_session_cookie(
    start_server: object,
) -> None:
    server = await start_server(environment="production")  # type: ignore[operator]
    await create_account(server.app, "anna")
    async with aiohttp.ClientSession(str(server.make_url(""))) as http:
        response = await http.post("/api/session", json={"username": "anna",
                                                         "password": PASSWORD})
        assert response.status == 200
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        cookie = response.cookies["__Host-helpchat_session"]
        assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        assert "helpchat_session" not in response.cookies
    # The console's socket authenticates with the prefixed cookie too.
    console = await Client().connect(str(server.make_url("")), "/counselor", headers={
        "Cookie": f"__Host-helpchat_session={cookie.value}"})
    await console.wait_for("duty")
    await console.close()
