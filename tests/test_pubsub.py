"""Pub/sub cannot be knocked over: one chat's flood leaves a bystander chat on another process
delivering promptly and completely, and a dropped subscriber comes back and has clients
resync. A process serving alone delivers locally, without Redis."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from helpchat.realtime.hub import COUNSELOR_NS, counselor_room, lang_room
from tests.conftest import ServerFactory
from tests.support import Client, chat_with, eventually, make_counselor, visitor

EMOJI_2000 = "\U0001f600" * 2000
BYSTANDER_MESSAGES = 60
FLOOD_SECONDS = 3.0


@pytest.fixture
def redis_url(own_redis_url: str) -> str:
    """A Redis of the test's own: whether a process serves alone depends on which others beat
    in it (the suite's shared one has the e2e tests' session-long server in it)."""
    return own_redis_url


def _url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


def _emitted(published: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The emits in what was published on the channel, batches opened."""
    return [emit for message in published for emit in
            (message["data"] if message.get("event") == "helpchat:batch" else [message])]


async def _flood(client: Client, stop: asyncio.Event, data: dict[str, Any]) -> int:
    """Send 2,000-emoji messages and typing as fast as acks come back; acks that were ok."""
    sent = ok = 0
    while not stop.is_set():
        sent += 1
        ack = await client.call("message", {**data, "client_id": f"f{sent}", "text": EMOJI_2000})
        ok += bool(ack["ok"])
        await client.call("typing", {**data, "typing": sent % 2 == 0})
    return ok


async def test_a_flooded_chat_leaves_a_bystander_on_another_process_on_time(
    start_server: ServerFactory
) -> None:
    # Rate limits off: the flood reaches pub/sub at full speed, bounded only by the caps and
    # the page size (the worst case; with the default rates most of it is refused at once).
    fast = {"visitor_message_burst": 100_000, "counselor_message_burst": 100_000}
    one, two = await start_server(**fast), await start_server(**fast)
    anna = await make_counselor(one.app, _url(one), "anna")
    flood_youth, _, flood_cid = await chat_with(_url(two), anna)
    bob = await make_counselor(two.app, _url(two), "bob")
    youth, _, cid = await chat_with(_url(one), bob)

    arrived: dict[str, float] = {}
    bob.client.sio.on("message", lambda m: arrived.setdefault(m["client_id"], time.perf_counter()),
                      namespace="/counselor")
    stop = asyncio.Event()
    floods = [asyncio.create_task(_flood(flood_youth, stop, {})) for _ in range(4)] + [
        asyncio.create_task(_flood(anna.client, stop, {"conversation_id": flood_cid}))]
    sent_at: dict[str, float] = {}
    interval = FLOOD_SECONDS / BYSTANDER_MESSAGES
    for n in range(BYSTANDER_MESSAGES):  # the bystander writes on, at a person's pace per side
        client_id = f"b{n}"
        sent_at[client_id] = time.perf_counter()
        sender = youth if n % 2 else bob.client
        data = {} if n % 2 else {"conversation_id": cid}
        assert (await sender.call("message", {**data, "client_id": client_id,
                                              "text": f"bystander {n}"}))["ok"]
        await asyncio.sleep(interval)
    stop.set()
    accepted = sum(await asyncio.gather(*floods))

    async def all_arrived() -> bool:
        return len(arrived) >= BYSTANDER_MESSAGES

    await eventually(all_arrived)
    latencies = sorted(arrived[c] - sent_at[c] for c in sent_at)
    p99 = latencies[int(0.99 * len(latencies)) - 1]
    print(f"\nflood: {accepted} flood messages accepted; bystander p99 {p99 * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms over {len(latencies)}")
    assert set(arrived) >= set(sent_at)  # nothing lost
    assert p99 < 0.2
    for server in (one, two):  # the subscribers were never dropped
        assert server.app[appkeys.SIO].manager.resubscribes == 0
    history = await bob.call("sync", {"conversation_id": cid, "limit": 100})
    assert len([m for m in history["messages"] if m["client_id"].startswith("b")]) == \
        BYSTANDER_MESSAGES
    for client in (youth, flood_youth):
        await client.close()
    await anna.close()
    await bob.close()


async def test_a_dropped_subscriber_resubscribes_and_clients_resync(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    server = await start_server()
    url = _url(server)
    anna = await make_counselor(server.app, url, "anna")
    youth, _, cid = await chat_with(url, anna)
    manager = server.app[appkeys.SIO].manager
    await redis_client.client_kill_filter(_type="pubsub")  # as Redis does past the buffer

    async def resubscribed() -> bool:
        return bool(manager.resubscribes == 1)

    await eventually(resubscribed)
    assert await youth.wait_for("resync") == {}
    assert await anna.client.wait_for("resync") == {}
    assert (await youth.call("sync", {}))["ok"]  # what the widget does on `resync`
    sent = await anna.call("message", {"conversation_id": cid, "client_id": "c1", "text": "hoi"})
    assert sent["ok"]
    assert (await youth.wait_for("message", lambda m: m["client_id"] == "c1"))["text"] == "hoi"
    await youth.close()
    await anna.close()


async def test_a_process_serving_alone_delivers_without_redis_until_another_starts(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    published: list[dict[str, Any]] = []
    listener = redis_client.pubsub()
    await listener.subscribe("helpchat")

    async def listen() -> None:
        async for item in listener.listen():
            if item["type"] == "message":
                published.append(json.loads(item["data"]))

    listening = asyncio.create_task(listen())
    one = await start_server()
    anna = await make_counselor(one.app, _url(one), "anna")
    youth, _, _ = await chat_with(_url(one), anna)
    assert one.app[appkeys.SIO].manager.alone
    for n in range(5):
        assert (await youth.call("message", {"client_id": f"a{n}", "text": "hoi"}))["ok"]
        await anna.client.wait_for("message", lambda m, n=n: m["client_id"] == f"a{n}")
    assert not [m for m in _emitted(published) if m.get("event") == "message"]

    two = await start_server()  # announces itself: the first one publishes from now on
    assert not one.app[appkeys.SIO].manager.alone
    bob = await make_counselor(two.app, _url(two), "bob")
    other, _, _ = await chat_with(_url(one), bob)  # a chat across the two processes
    assert (await other.call("message", {"client_id": "b1", "text": "hallo"}))["ok"]
    assert (await bob.client.wait_for("message", lambda m: m["client_id"] == "b1"))["text"] \
        == "hallo"
    assert [m for m in _emitted(published) if m.get("event") == "message"]
    listening.cancel()
    await listener.aclose()
    for client in (youth, other):
        await client.close()
    await anna.close()
    await bob.close()


async def test_an_emit_reaches_every_socket_of_a_room_when_one_closed_meanwhile(
    start_server: ServerFactory
) -> None:
    # Delivery hands packets over in place, one recipient after another (no task each): one
    # whose socket closed meanwhile must not cost the others theirs.
    server = await start_server()
    sio = server.app[appkeys.SIO]
    clients = [(await visitor(_url(server), lang="en"))[0] for _ in range(3)]
    first_sid = clients[0].sio.get_sid("/visitor")
    gone = sio.eio.sockets[sio.manager.eio_sid_from_sid(first_sid, "/visitor")]
    gone.closed = True  # as engineio marks a socket whose close is under way

    await sio.emit("availability", {"probe": 1}, room=lang_room("en"), namespace="/visitor")
    for client in clients[1:]:
        assert await client.wait_for("availability", lambda a: a.get("probe") == 1)
    assert not [a for a in clients[0].received("availability") if a.get("probe") == 1]
    for client in clients:
        await client.close()


async def test_a_process_stopped_while_its_subscriber_connects_stops_listening(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    """Its shutdown ends the listener and unsubscribes, and ends engineio's ping monitor:
    python-socketio's listener was left to the event loop's exit, where a cancel swallowed
    mid-subscribe hung the process for good."""
    server = await start_server()
    youth, _ = await visitor(_url(server))  # the first connect starts the listener
    manager = server.app[appkeys.SIO].manager
    await youth.close()
    await server.close()
    assert manager.thread.done()
    running = {task.get_coro().__qualname__ for task in asyncio.all_tasks()}
    assert not running & {"AsyncPubSubManager._thread", "AsyncServer._service_task"}, running

    async def unsubscribed() -> bool:
        return bool((await redis_client.pubsub_numsub("helpchat"))[0][1] == 0)

    await eventually(unsubscribed)


async def test_a_crossing_message_is_published_once_for_both_its_rooms_and_arrives_once(
    start_server: ServerFactory, redis_client: aioredis.Redis
) -> None:
    """A message's emits to the youth's room and to the counselor's go out together as one
    publish, ending with the host_id by which the sender's own listener passes over the echo
    before decoding it; each side gets each message once."""
    raw: list[str] = []
    listener = redis_client.pubsub()
    await listener.subscribe("helpchat")

    async def listen() -> None:
        async for item in listener.listen():
            if item["type"] == "message" and '"event":"message"' in item["data"]:
                raw.append(item["data"])

    listening = asyncio.create_task(listen())
    one, two = await start_server(), await start_server()
    bob = await make_counselor(two.app, _url(two), "bob")
    youth, _, cid = await chat_with(_url(one), bob)
    host_id = one.app[appkeys.SIO].manager.host_id
    for n in range(3):
        assert (await youth.call("message", {"client_id": f"x{n}", "text": "hoi"}))["ok"]
        await bob.client.wait_for("message", lambda m, n=n: m["client_id"] == f"x{n}")

    async def all_published() -> bool:
        return len(raw) == 3

    await eventually(all_published)
    assert all(r.endswith(f'"host_id":"{host_id}"}}') for r in raw)
    for n, published in enumerate(json.loads(r) for r in raw):
        assert (published["method"], published["event"]) == ("emit", "helpchat:batch")
        emits = [e for e in published["data"] if e.get("event") == "message"]
        assert [e["data"][0]["client_id"] for e in emits] == [f"x{n}", f"x{n}"]
        assert [e["namespace"] for e in emits] == ["/visitor", "/counselor"]
    for n in range(3):  # the youth's own, once each (bob's were taken by wait_for above)
        await youth.wait_for("message", lambda m, n=n: m["client_id"] == f"x{n}")
    assert not [m for m in [*youth.received("message"), *bob.client.received("message")]
                if m["conversation_id"] == cid]
    listening.cancel()
    await listener.aclose()
    await youth.close()
    await bob.close()


async def test_what_a_process_publishes_arrives_in_order_a_disconnect_after_the_emit_before_it(
    start_server: ServerFactory
) -> None:
    """python-socketio publishes a disconnect for a socket of another process itself: it goes
    out behind the emit made just before it (an account's `account_changed`, then its sockets
    closed), not ahead of it."""
    one, two = await start_server(), await start_server()
    anna = await make_counselor(two.app, _url(two), "anna")
    [sid] = await one.app[appkeys.STORE].presence.sockets("c", anna.id)
    sio = one.app[appkeys.SIO]
    await sio.emit("account_changed", {"reason": "disabled"}, room=counselor_room(anna.id),
                   namespace=COUNSELOR_NS)
    await sio.disconnect(sid, namespace=COUNSELOR_NS)
    assert await anna.client.wait_for("account_changed") == {"reason": "disabled"}

    async def closed() -> bool:
        return not anna.client.sio.connected

    await eventually(closed)
    await anna.close()
