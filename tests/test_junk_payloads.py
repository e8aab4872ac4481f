"""Whatever a client sends, every event answers with a well-formed Ack and nothing breaks.

Hypothesis drives real socket.io clients against a real server; the server and clients live
on an event loop in a background thread so that hypothesis' (synchronous) runner can call in.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpchat.app import create_app
from helpchat.embedded_redis import free_port
from helpchat.realtime.counselor import CounselorNamespace
from helpchat.realtime.visitor import VisitorNamespace
from tests.conftest import make_settings
from tests.support import Client, make_counselor, visitor

T = TypeVar("T")
ERROR_CODES = {"invalid", "unauthorized", "forbidden", "not_found", "conflict", "closed",
               "rate_limited", "blocked", "too_large", "internal"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(["client_id", "text", "conversation_id", "after", "typing",
                               "urgent", "topic", "rating", "comment", "to", "reason", "on",
                               "status"])
payloads = json_values | st.dictionaries(field_names, json_values, max_size=5)


class World:
    """A server, a counselor in a chat, a visitor in that chat and a bystander in the queue."""

    def __init__(self, redis_url: str, data_dir: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.run(self._setup(redis_url, data_dir))

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    async def _setup(self, redis_url: str, data_dir: Path) -> None:
        self.server = TestServer(create_app(make_settings(redis_url, data_dir)),
                                 host="127.0.0.1", port=free_port())
        await self.server.start_server()
        url = str(self.server.make_url("")).rstrip("/")
        self.counselor = await make_counselor(self.server.app, url, "anna", max_chats=3)
        await self.counselor.call("set_duty", {"on": True})
        self.visitor, _ = await visitor(url)
        self.cid = (await self.visitor.call("request_chat", {}))["conversation_id"]
        await self.counselor.call("take", {})
        self.bystander, _ = await visitor(url)
        self.waiting = (await self.bystander.call("request_chat", {}))["conversation_id"]

    async def _teardown(self) -> None:
        for client in (self.visitor, self.bystander):
            await client.close()
        await self.counselor.close()
        await self.server.close()

    def close(self) -> None:
        self.run(self._teardown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def world(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    import redis

    redis.Redis.from_url(redis_server).flushall()
    world = World(redis_server, tmp_path_factory.mktemp("junk"))
    yield world
    world.close()


def assert_ack(ack: Any) -> None:
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    if not ack["ok"]:
        assert ack["error"]["code"] in ERROR_CODES, ack
        assert ack["error"]["code"] != "internal", ack
        assert isinstance(ack["error"]["message"], str) and ack["error"]["message"]


# forget_me and end_chat would end the very chat the other events are fuzzed against.
VISITOR_EVENTS = sorted(VisitorNamespace.events - {"forget_me", "end_chat", "leave_queue"})
COUNSELOR_EVENTS = sorted(CounselorNamespace.events - {"end_chat", "block", "transfer"})
FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _call(world: World, client: Client, event: str, payload: Any) -> Any:
    return world.run(client.call(event, payload))


@FUZZ
@given(event=st.sampled_from(VISITOR_EVENTS), payload=payloads)
def test_junk_on_every_visitor_event_gets_a_well_formed_ack(
    world: World, event: str, payload: Any
) -> None:
    assert_ack(_call(world, world.visitor, event, payload))


@FUZZ
@given(event=st.sampled_from(COUNSELOR_EVENTS), payload=payloads)
def test_junk_on_every_counselor_event_gets_a_well_formed_ack(
    world: World, event: str, payload: Any
) -> None:
    assert_ack(_call(world, world.counselor.client, event, payload))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=st.text(min_size=1, max_size=20), payload=payloads)
def test_unknown_event_names_answer_invalid(world: World, event: str, payload: Any) -> None:
    known = VisitorNamespace.events | {"connect", "disconnect", "message"}
    if event in known:
        return
    ack = _call(world, world.visitor, event, payload)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"


def test_reserved_event_names_and_extra_arguments_are_refused(world: World) -> None:
    for event in ("connect", "disconnect"):
        ack = _call(world, world.visitor, event, {"x": 1})
        assert ack["error"]["code"] == "invalid"
    ack = world.run(world.visitor.sio.call("typing", ({"typing": True}, 2),
                                           namespace="/visitor", timeout=5))
    assert ack["error"]["code"] == "invalid"


def test_after_all_the_junk_both_chats_still_work(world: World) -> None:
    """Runs last in this module: nothing sent above disturbed the chat or the bystander."""
    sent = _call(world, world.visitor, "message", {"client_id": "final", "text": "nog hier"})
    assert sent["ok"] is True
    reply = _call(world, world.counselor.client, "message",
                  {"conversation_id": world.cid, "client_id": "final-c", "text": "ik ook"})
    assert reply["ok"] is True
    synced = _call(world, world.bystander, "sync", {})
    # A fuzzed `take` may legitimately have taken the bystander's chat; it is still theirs.
    assert synced["state"] in ("queued", "chatting")
    assert synced["conversation_id"] == world.waiting
