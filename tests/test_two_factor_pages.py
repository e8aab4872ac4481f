"""Setting up two-factor login on My account, an admin's audited reset, and the production rule
that admins must have it (real HTTP, real Redis)."""

from __future__ import annotations

import html
import re

import aiohttp
import pyotp
import pytest
import socketio
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from helpchat.store import Store
from tests.admin_helpers import WebClient, csrf_in, web_client
from tests.conftest import ServerFactory
from tests.support import PASSWORD, Client, create_account, redis_text
from tests.test_login_code import code_at, enrol

SECRET = re.compile(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<')
CODES = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


async def enrol_page(client: WebClient) -> pyotp.TOTP:
    status, page = await client.get("/account/two-factor")
    assert status == 200, page
    assert "<svg" in page and "<script" not in page.split("<main")[1].split("</main>")[0]
    found = SECRET.search(page)
    assert found
    client.token = csrf_in(page)  # from this view: another GET would make a new secret
    return pyotp.TOTP(found.group(1).replace(" ", ""))


async def test_a_supervisor_enrols_with_a_first_code_and_gets_recovery_codes_once(
    server: TestServer, base_url: str
) -> None:
    client = await web_client(base_url, server.app, "sofie", "supervisor")
    store: Store = server.app[appkeys.STORE]
    try:
        await enrol_page(client)
        totp = await enrol_page(client)  # a second view: a new secret, the first one dies
        status, page, _ = await client.post("/account/two-factor", {"code": "000000"})
        assert status == 400 and "klopt niet" in page
        assert not await store.two_factor.sealed_secret(client.counselor_id or "")
        status, page, _ = await client.post("/account/two-factor", {"code": code_at(totp)})
        assert status == 200, page
        codes = CODES.findall(page)
        assert len(codes) == 10 and "Ongebruikte herstelcodes: 10." in page
        assert await store.two_factor.sealed_secret(client.counselor_id or "")
        stored = await redis_text(store.redis)
        assert totp.secret not in stored
        assert not any(code.replace("-", "") in stored for code in codes)
        status, again = await client.get("/account/two-factor")
        assert status == 200 and not CODES.findall(again) and not SECRET.search(again)
        assert "Ongebruikte herstelcodes: 10." in again
        audit = await store.audit.recent()
        assert audit[0].action == "counselor.two_factor_on" and audit[0].target == "sofie"
    finally:
        await client.close()


async def test_new_recovery_codes_and_turning_off_need_a_current_code(
    server: TestServer, base_url: str
) -> None:
    client = await web_client(base_url, server.app, "sofie", "supervisor")
    store: Store = server.app[appkeys.STORE]
    counselor_id = client.counselor_id or ""
    try:
        totp = await enrol(store, counselor_id)
        await client.csrf("/account/two-factor")
        status, page, _ = await client.post("/account/two-factor/recovery-codes",
                                            {"code_new": "000000"})
        assert status == 400 and await store.two_factor.recovery_codes_left(counselor_id) == 1
        status, page, _ = await client.post("/account/two-factor/recovery-codes",
                                            {"code_new": code_at(totp)})
        assert status == 200 and len(CODES.findall(page)) == 10
        assert await store.two_factor.recovery_codes_left(counselor_id) == 10
        status, _, _ = await client.post("/account/two-factor/off", {"code_off": code_at(totp)})
        assert status == 400  # the step was just used for the new codes
        status, _, location = await client.post("/account/two-factor/off",
                                                {"code_off": code_at(totp, 1)})
        assert status == 303 and location.startswith("/account?")
        assert not await store.two_factor.sealed_secret(counselor_id)
        assert [e.action for e in await store.audit.recent()][:2] == [
            "counselor.two_factor_off", "counselor.recovery_codes_new"]
    finally:
        await client.close()


async def test_counselors_are_not_offered_two_factor(server: TestServer, base_url: str) -> None:
    client = await web_client(base_url, server.app, "anna", "counselor")
    try:
        status, page = await client.get("/account/two-factor")
        assert status == 403 and "begeleiders en beheerders" in page
        status, page = await client.get("/account")
        assert status == 200 and "twee stappen" not in page
    finally:
        await client.close()


async def test_an_admin_reset_is_audited_and_the_password_alone_works_again(
    server: TestServer, base_url: str
) -> None:
    store: Store = server.app[appkeys.STORE]
    sofie = await create_account(server.app, "sofie", "supervisor")
    await enrol(store, sofie)
    admin = await web_client(base_url, server.app, "root", "admin")
    try:
        status, page = await admin.get("/admin/counselors")
        assert status == 200 and "2 stappen" in page
        status, page = await admin.get(f"/admin/counselors/{sofie}")
        assert "wachtwoord en code" in page
        await admin.csrf(f"/admin/counselors/{sofie}")
        status, _, location = await admin.post(f"/admin/counselors/{sofie}/two-factor-reset")
        assert status == 303 and "two_factor_reset" in location
        assert not await store.two_factor.sealed_secret(sofie)
        entry = (await store.audit.recent())[0]
        assert (entry.action, entry.target, entry.actor_name) == (
            "counselor.two_factor_reset", "sofie", "root")
        async with aiohttp.ClientSession(base_url) as http:
            answer = await http.post("/api/session",
                                     json={"username": "sofie", "password": PASSWORD})
            assert answer.status == 200
    finally:
        await admin.close()


async def production_admin(start_server: ServerFactory,
                           **settings: object) -> tuple[TestServer, str, str]:
    server = await start_server(environment="production", demo_enabled=False, **settings)
    counselor_id = await create_account(server.app, "root", "admin")
    session_id, _ = await server.app[appkeys.STORE].auth.create(
        counselor_id, server.app[appkeys.HUB].now_ms())
    return server, counselor_id, session_id


async def test_in_production_an_admin_without_two_factor_is_sent_to_set_it_up(
    start_server: ServerFactory,
) -> None:
    server, counselor_id, session_id = await production_admin(start_server)
    base = str(server.make_url("")).rstrip("/")
    cookie = {"Cookie": f"__Host-helpchat_session={session_id}"}
    async with aiohttp.ClientSession(base) as http:
        for path in ("/admin/", "/admin/counselors", "/console/"):
            page = await http.get(path, headers=cookie, allow_redirects=False)
            assert page.status in (302, 303), path
            assert page.headers["Location"].startswith("/account/two-factor?next="), path
        post = await http.post("/admin/counselors", headers={**cookie, "Origin": base},
                               data={"name": "x"}, allow_redirects=False)
        assert post.status == 403
        enrol_page = await http.get("/account/two-factor", headers=cookie)
        body = html.unescape(await enrol_page.text())
        assert enrol_page.status == 200 and "moet je inloggen in twee stappen instellen" in body
        api = await http.post("/api/session", json={"username": "root", "password": PASSWORD})
        assert api.status == 403 and "__Host-helpchat_session" not in api.cookies
    with pytest.raises(socketio.exceptions.ConnectionError):
        await Client().connect(base, "/counselor", headers=dict(cookie))  # it takes Cookie out
    await enrol(server.app[appkeys.STORE], counselor_id)
    async with aiohttp.ClientSession(base) as http:
        page = await http.get("/admin/", headers=cookie, allow_redirects=False)
        assert page.status == 200
    console = await Client().connect(base, "/counselor", headers=dict(cookie))
    await console.wait_for("duty")
    await console.close()


async def test_the_production_requirement_can_be_turned_off(
    start_server: ServerFactory,
) -> None:
    server, _, session_id = await production_admin(start_server,
                                                   admin_two_factor_required=False)
    base = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession(base) as http:
        page = await http.get("/admin/", allow_redirects=False,
                              headers={"Cookie": f"__Host-helpchat_session={session_id}"})
        assert page.status == 200
