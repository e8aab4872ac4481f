"""A role change, a disabled account, a password or two-factor reset reach every open console
socket on every process within a second (issue 10): told with `account_changed`, closed, its
rooms left; two real servers share one Redis, the admin acts on one, the socket lives on the
other."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import socketio
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from tests.admin_helpers import WebClient, web_client
from tests.conftest import ServerFactory
from tests.support import (
    Counselor,
    chat_with,
    connect_counselor,
    eventually,
    make_counselor,
)
from tests.test_login_code import enrol

WITHIN_S = 1.0
RESET_LINK = re.compile(r'value="(http://[^"]+/invite/([A-Za-z0-9_-]+))"')


def url_of(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


async def two_processes(start_server: ServerFactory) -> tuple[TestServer, TestServer,
                                                                   WebClient]:
    first, second = await start_server(), await start_server()
    admin = await web_client(url_of(first), first.app, "root")
    return first, second, admin


async def closed_with_notice(person: Counselor, reason: str) -> None:
    """`account_changed` arrives and the socket is closed, both within WITHIN_S."""
    notice = await person.client.wait_for("account_changed", timeout=WITHIN_S)
    assert notice == {"reason": reason}

    async def closed() -> bool:
        return not person.client.sio.connected

    await eventually(closed, timeout=WITHIN_S)


async def test_a_demoted_supervisor_stops_watching_and_gets_no_more_alerts_within_a_second(
    start_server: ServerFactory,
) -> None:
    first, second, admin = await two_processes(start_server)
    anna = await make_counselor(first.app, url_of(first), "anna")
    sam = await make_counselor(second.app, url_of(second), "sam", "supervisor")
    youth, _, cid = await chat_with(url_of(first), anna)
    assert (await sam.call("monitor", {"conversation_id": cid}))["ok"]
    await youth.call("message", {"client_id": "v1", "text": "hoi"})
    await sam.client.wait_for("message", lambda m: m["client_id"] == "v1")

    status, _, _ = await admin.post(f"/admin/counselors/{sam.id}",
                                    {"role": "counselor", "max_chats": "2"})
    assert status == 303
    await closed_with_notice(sam, "role_changed")

    again = await connect_counselor(url_of(second), sam.cookie)  # the login itself still holds
    await again.wait_for("duty")
    refused = await again.call("monitor", {"conversation_id": cid})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    await anna.call("need_help", {"conversation_id": cid})
    await youth.call("message", {"client_id": "v2", "text": "nog iets"})
    await anna.client.wait_for("message", lambda m: m["client_id"] == "v2")
    await asyncio.sleep(0.2)  # what would have come, has come by now
    assert again.received("alert") == [] and again.received("message") == []
    for client in (again, youth):
        await client.close()
    for person in (anna, sam):
        await person.close()
    await admin.close()


async def test_a_promoted_counselor_gets_the_supervisor_rooms_after_the_reconnect(
    start_server: ServerFactory,
) -> None:
    _first, second, admin = await two_processes(start_server)
    bram = await make_counselor(second.app, url_of(second), "bram")
    status, _, _ = await admin.post(f"/admin/counselors/{bram.id}",
                                    {"role": "supervisor", "max_chats": "2"})
    assert status == 303
    await closed_with_notice(bram, "role_changed")
    again = await connect_counselor(url_of(second), bram.cookie)
    await again.wait_for("duty")
    assert (await again.call("board", {}))["ok"]
    await again.close()
    await bram.close()
    await admin.close()


async def test_disabling_closes_the_socket_on_the_other_process_within_a_second(
    start_server: ServerFactory,
) -> None:
    _first, second, admin = await two_processes(start_server)
    anna = await make_counselor(second.app, url_of(second), "anna")
    status, _, _ = await admin.post(f"/admin/counselors/{anna.id}/disable")
    assert status == 303
    await closed_with_notice(anna, "disabled")
    try:
        await connect_counselor(url_of(second), anna.cookie)
        raise AssertionError("a disabled account connected")
    except socketio.exceptions.ConnectionError:
        pass
    await anna.close()
    await admin.close()


async def test_a_password_reset_ends_every_session_on_every_process_within_a_second(
    start_server: ServerFactory,
) -> None:
    first, second, admin = await two_processes(start_server)
    anna = await make_counselor(second.app, url_of(second), "anna")
    status, page, _ = await admin.post(f"/admin/counselors/{anna.id}/reset")
    assert status == 200
    found = RESET_LINK.search(page)
    assert found
    assert anna.client.sio.connected  # a link alone logs nobody out
    async with aiohttp.ClientSession() as http:
        async with http.get(found.group(1)) as form_page:
            token = re.search(r'name="csrf_token" value="([^"]+)"', await form_page.text())
        assert token
        form = {"csrf_token": token.group(1), "password": "a brand new passphrase",
                "password_again": "a brand new passphrase"}
        async with http.post(found.group(1), data=form,
                             headers={"Origin": url_of(first)}) as done:
            assert done.status == 200
    await closed_with_notice(anna, "password_reset")
    try:
        await connect_counselor(url_of(second), anna.cookie)
        raise AssertionError("the old session still connects")
    except socketio.exceptions.ConnectionError:
        pass
    await anna.close()
    await admin.close()


async def test_a_two_factor_reset_ends_every_session_on_every_process_within_a_second(
    start_server: ServerFactory,
) -> None:
    _, second, admin = await two_processes(start_server)
    sofie = await make_counselor(second.app, url_of(second), "sofie", "supervisor")
    await enrol(second.app[appkeys.STORE], sofie.id)
    await admin.csrf(f"/admin/counselors/{sofie.id}")
    status, _, location = await admin.post(f"/admin/counselors/{sofie.id}/two-factor-reset")
    assert status == 303 and "two_factor_reset" in location
    # Whoever has the lost phone may hold a session too.
    await closed_with_notice(sofie, "two_factor_reset")
    try:
        await connect_counselor(url_of(second), sofie.cookie)
        raise AssertionError("the old session still connects")
    except socketio.exceptions.ConnectionError:
        pass
    await sofie.close()
    await admin.close()
