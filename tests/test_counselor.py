"""The /counselor namespace: tabs, reconnects, typing, and other counselors' chats."""

from __future__ import annotations

from aiohttp.test_utils import TestServer

from helpchat import appkeys
from tests.conftest import CounselorFactory
from tests.support import chat_with, connect_counselor, eventually, visitor


async def test_reconnecting_counselor_gets_assigned_for_each_active_chat(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    await anna.call("set_duty", {"on": True})
    youths = [(await visitor(base_url))[0] for _ in range(2)]
    cids = set()
    for youth in youths:
        await youth.call("request_chat", {})
        cids.add((await anna.call("take", {}))["conversation"]["id"])
    await anna.client.close()
    anna.client = await connect_counselor(base_url, anna.cookie)
    first = await anna.client.wait_for("assigned")
    second = await anna.client.wait_for("assigned")
    assert {first["conversation"]["id"], second["conversation"]["id"]} == cids
    duty = await anna.client.wait_for("duty")
    assert duty["active_chats"] == 2 and duty["on"] is True
    for youth in youths:
        await youth.close()


async def test_every_tab_of_a_counselor_gets_the_same_events(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    second_tab = await connect_counselor(base_url, anna.cookie)
    anna.extra.append(second_tab)
    youth, _, _cid = await chat_with(base_url, anna)
    await youth.call("message", {"client_id": "1", "text": "hoi"})
    for tab in (anna.client, second_tab):
        assert (await tab.wait_for("message"))["text"] == "hoi"
    await youth.close()


async def test_typing_goes_both_ways_and_is_never_stored(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    youth, _, cid = await chat_with(base_url, anna)
    assert await youth.call("typing", {"typing": True}) == {"ok": True}
    assert await anna.client.wait_for("typing") == {"conversation_id": cid, "typing": True}
    assert (await anna.call("typing", {"conversation_id": cid, "typing": True}))["ok"]
    assert await youth.wait_for("typing") == {"typing": True}
    assert (await youth.call("sync", {}))["messages"] == []
    await youth.close()


async def test_a_counselor_cannot_touch_a_colleagues_chat(
    base_url: str, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    bert = await counselor_factory("bert")
    youth, _, cid = await chat_with(base_url, anna)
    await anna.call("message", {"conversation_id": cid, "client_id": "c-1", "text": "geheim"})
    for event, extra in [("sync", {}), ("end_chat", {}), ("block", {"reason": "x"}),
                         ("message", {"client_id": "x", "text": "hoi"}),
                         ("message", {"client_id": "c-1", "text": "raden"}),
                         ("typing", {"typing": True}), ("transfer", {"to": None})]:
        ack = await bert.call(event, {"conversation_id": cid, **extra})
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (event, ack)
    assert (await youth.call("sync", {}))["state"] == "chatting"
    await youth.close()


async def test_disabled_account_is_refused_on_its_next_event(
    server: TestServer, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    await server.app[appkeys.STORE].counselors.update(anna.id, disabled="1")
    ack = await anna.call("set_duty", {"on": True})
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"

    async def gone() -> bool:
        return not anna.client.sio.connected

    await eventually(gone)
