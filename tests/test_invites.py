"""One-time links: a new counselor's invite, a password reset, and the first-admin setup link.
Only a hash of a link's token is stored; a link works once and for 48 hours."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import aiohttp
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from helpchat.config import PROJECT_ROOT
from helpchat.embedded_redis import free_port
from helpchat.store import keys
from helpchat.store.invites import digest
from helpchat.web.setup import setup_link_if_needed
from tests.admin_helpers import WebClient, csrf_in, web_client
from tests.support import connect_counselor, eventually

NEW_PASSWORD = "a long and fine passphrase"
LINK = re.compile(r'value="(http://[^"]+/invite/([A-Za-z0-9_-]+))"')


async def everything_in_redis(client: aioredis.Redis) -> str:
    parts = []
    async for key in client.scan_iter("*"):
        kind = await client.type(key)
        value = {"string": client.get, "hash": client.hgetall, "list": lambda k: client.lrange(
            k, 0, -1), "set": client.smembers, "zset": lambda k: client.zrange(k, 0, -1)}
        parts.append(f"{key}={await value[kind](key)}" if kind in value else key)
    return "\n".join(parts)


async def create_counselor(admin: WebClient, name: str) -> tuple[str, str]:
    """(link, token) shown to the admin after creating an account."""
    status, body, _ = await admin.post("/admin/counselors",
                                       {"name": name, "role": "counselor", "max_chats": "2"})
    assert status == 200, body
    found = LINK.search(body)
    assert found, "no invite link on the page"
    return found.group(1), found.group(2)


async def set_password(url: str, token: str, password: str, again: str | None = None,
                       path: str = "invite", **extra: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/{path}/{token}") as page:
            if page.status != 200:
                return page.status, await page.text()
            form = {"csrf_token": csrf_in(await page.text()), "password": password,
                    "password_again": password if again is None else again, **extra}
        async with http.post(f"{url}/{path}/{token}", data=form,
                             headers={"Origin": url}) as response:
            return response.status, await response.text()


async def can_log_in(url: str, name: str, password: str) -> bool:
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"{url}/api/session",
                                   json={"username": name, "password": password})
        return response.status == 200


async def test_invite_link_sets_the_password_once(
    server: TestServer, base_url: str, redis_client: aioredis.Redis
) -> None:
    admin = await web_client(base_url, server.app, "root")
    link, token = await create_counselor(admin, "nadia")
    assert link.endswith(f"/invite/{token}")
    assert not await can_log_in(base_url, "nadia", NEW_PASSWORD)  # no password before
    dump = await everything_in_redis(redis_client)
    assert token not in dump  # only its hash
    ttl = await redis_client.ttl(keys.invite(digest(token)))
    assert 47 * 3600 < ttl <= 48 * 3600

    status, body = await set_password(base_url, token, "short")
    assert status == 400 and "minstens 10 tekens" in body
    status, body = await set_password(base_url, token, NEW_PASSWORD, "something else")
    assert status == 400 and "niet gelijk" in body
    status, body = await set_password(base_url, token, NEW_PASSWORD)
    assert status == 200 and "wachtwoord is opgeslagen" in body
    assert await can_log_in(base_url, "nadia", NEW_PASSWORD)
    assert (await set_password(base_url, token, "another long passphrase"))[0] == 410
    actions = [e.action for e in await server.app[appkeys.STORE].audit.recent()]
    assert actions == ["counselor.password_set_invite", "counselor.created"]
    await admin.close()


async def test_reset_link_replaces_the_previous_and_ends_sessions(
    server: TestServer, base_url: str
) -> None:
    admin = await web_client(base_url, server.app, "root")
    _, first = await create_counselor(admin, "omar")
    assert (await set_password(base_url, first, NEW_PASSWORD))[0] == 200
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"{base_url}/api/session",
                                   json={"username": "omar", "password": NEW_PASSWORD})
        cookie = response.cookies["helpchat_session"].value
    socket = await connect_counselor(base_url, cookie)
    omar = await server.app[appkeys.STORE].counselors.by_name("omar")
    assert omar is not None
    _, body, _ = await admin.post(f"/admin/counselors/{omar.id}/reset")
    found = LINK.search(body)
    assert found
    _, older, _ = await admin.post(f"/admin/counselors/{omar.id}/reset")
    newest = LINK.search(older)
    assert newest
    assert (await set_password(base_url, found.group(2), "replaced passphrase 1"))[0] == 410
    assert (await set_password(base_url, newest.group(2), "replaced passphrase 2"))[0] == 200
    assert await can_log_in(base_url, "omar", "replaced passphrase 2")
    assert not await can_log_in(base_url, "omar", NEW_PASSWORD)

    async def dropped() -> bool:
        return not socket.sio.connected

    await eventually(dropped)
    await admin.close()


async def test_first_admin_setup_link_works_once_and_only_without_admins(
    server: TestServer, base_url: str
) -> None:
    store, settings = server.app[appkeys.STORE], server.app[appkeys.HUB].settings
    link = await setup_link_if_needed(store, settings)
    assert link and "/setup/" in link
    token = link.rsplit("/", 1)[1]
    newer = await setup_link_if_needed(store, settings)
    assert newer and newer != link
    assert (await set_password(base_url, token, NEW_PASSWORD, path="setup",
                               name="boss"))[0] == 410  # replaced by the newer link
    token = newer.rsplit("/", 1)[1]
    status, body = await set_password(base_url, token, NEW_PASSWORD, path="setup", name="x")
    assert status == 400 and "2–40 tekens" in body
    # Logged in at once and on the admin home with its checklist (issue 14, point 11).
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{base_url}/setup/{token}") as page:
            form = {"csrf_token": csrf_in(await page.text()), "password": NEW_PASSWORD,
                    "password_again": NEW_PASSWORD, "name": "boss"}
        async with http.post(f"{base_url}/setup/{token}", data=form, headers={"Origin": base_url},
                             allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"].startswith("/admin/?notice=")
        async with http.get(base_url + response.headers["Location"]) as home:
            body = await home.text()
    assert home.status == 200 and "Zo is de chat klaar voor gebruik" in body
    assert "Je beheerdersaccount is aangemaakt en je bent ingelogd." in body
    assert "0 van de 4 stappen gedaan" in body
    boss = await store.counselors.by_name("boss")
    assert boss is not None and boss.roles == ("admin",)
    assert await can_log_in(base_url, "boss", NEW_PASSWORD)
    assert await setup_link_if_needed(store, settings) is None  # an admin exists now
    assert (await set_password(base_url, token, NEW_PASSWORD, path="setup",
                               name="boss2"))[0] == 410


async def test_no_default_accounts_exist(server: TestServer) -> None:
    assert await server.app[appkeys.STORE].counselors.all() == []


# --- the first start prints the setup link ------------------------------------------------------


async def serve_banner(redis_url: str, data_dir: Path) -> str:
    """Start `run.py serve` on the test Redis, return its start-up banner, stop it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPCHAT_")}
    env.update(HELPCHAT_REDIS_URL=redis_url, HELPCHAT_DATA_DIR=str(data_dir),
               HELPCHAT_SECRET_KEY="x" * 40, HELPCHAT_LOG_LEVEL="WARNING")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "run.py", "serve", "--port", str(free_port()), cwd=PROJECT_ROOT,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while not lines or "CTRL+C" not in lines[-1]:
            line = await asyncio.wait_for(process.stdout.readline(), 20)
            assert line, "serve exited before printing its banner"
            lines.append(line.decode())
    finally:
        process.terminate()
        await process.wait()
    return "".join(lines)


async def test_first_start_without_an_admin_prints_a_one_time_setup_link(
    redis_url: str, server: TestServer, base_url: str, tmp_path: Path
) -> None:
    banner = await serve_banner(redis_url, tmp_path)
    found = re.search(r"http://\S+/setup/([A-Za-z0-9_-]+)", banner)
    assert found, banner
    status, _ = await set_password(base_url, found.group(1), NEW_PASSWORD, path="setup",
                                   name="eerste")
    assert status == 200
    assert "/setup/" not in await serve_banner(redis_url, tmp_path)  # an admin exists now


async def test_invite_page_refuses_the_guessable_passwords_of_issue_10(
    server: TestServer, base_url: str
) -> None:
    admin = await web_client(base_url, server.app, "root")
    _, token = await create_counselor(admin, "noor")
    for weak in ("Summer2024!", "qwerty123456", "welkom01!!", "Wachtwoord1!", "voetbal123"):
        status, body = await set_password(base_url, token, weak)
        assert status == 400 and "te makkelijk te raden" in body, weak
    assert not await can_log_in(base_url, "noor", "Wachtwoord1!")
    await admin.close()


async def test_strength_feedback_answers_with_the_rule_of_the_form_for_live_links_only(
    server: TestServer, base_url: str
) -> None:
    admin = await web_client(base_url, server.app, "root")
    _, token = await create_counselor(admin, "pien")
    url = f"{base_url}/invite/{token}/strength"
    async with aiohttp.ClientSession() as http:
        weak = await (await http.post(url, json={"password": "welkom01!!"})).json()
        assert weak["ok"] and not weak["acceptable"] and weak["problem"] == "too_common"
        assert "te makkelijk te raden" in weak["message"]
        named = await (await http.post(f"{url}?lang=en", json={"password": "pien-pien-pien"}))\
            .json()
        assert not named["acceptable"] and "easy to guess" in named["message"]
        good = await (await http.post(url, json={"password": NEW_PASSWORD})).json()
        assert good["acceptable"] and good["score"] >= 3 and good["message"] == "Sterk genoeg."
        assert (await http.post(url, json={"password": 12})).status == 400
        dead = await http.post(f"{base_url}/invite/{'x' * 30}/strength",
                               json={"password": NEW_PASSWORD})
        assert dead.status == 410
    await admin.close()
