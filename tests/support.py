"""Test helpers: socket.io clients that wait for events, and counselor accounts."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import redis.asyncio as aioredis
import socketio
from aiohttp import web

from helpchat import appkeys, identity
from helpchat.passwords import hash_password
from helpchat.store import Store

PASSWORD = "correct horse battery"
TIMEOUT = 5.0


class Client:
    """A real python-socketio client that remembers every event it received."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self._changed = asyncio.Event()
        self.sio.on("*", self._record, namespace="*")

    async def _record(self, event: str, namespace: str, data: Any = None) -> None:
        self.events.append((event, data))
        self._changed.set()

    async def connect(self, url: str, namespace: str, **kwargs: Any) -> Client:
        await self.sio.connect(url, namespaces=[namespace], transports=["websocket"],
                               wait_timeout=TIMEOUT, **kwargs)
        self.namespace = namespace
        return self

    async def call(self, event: str, data: Any = None) -> Any:
        args = () if data is None else (data,)
        return await self.sio.call(event, *args, namespace=self.namespace, timeout=TIMEOUT)

    async def wait_for(self, event: str, predicate: Callable[[Any], bool] = lambda _: True,
                       timeout: float = TIMEOUT) -> Any:
        """The first matching event received so far or within `timeout` (then consumed)."""
        async def find() -> Any:
            while True:
                for index, (name, data) in enumerate(self.events):
                    if name == event and predicate(data):
                        del self.events[index]
                        return data
                self._changed.clear()
                await self._changed.wait()
        return await asyncio.wait_for(find(), timeout)

    def received(self, event: str) -> list[Any]:
        return [data for name, data in self.events if name == event]

    async def close(self) -> None:
        await self.sio.disconnect()


async def visitor(url: str, *, token: str | None = None, lang: str | None = None,
                  headers: dict[str, str] | None = None) -> tuple[Client, dict[str, Any]]:
    """A connected visitor and its `session` event."""
    auth = {k: v for k, v in {"token": token, "lang": lang}.items() if v}
    client = await Client().connect(url, "/visitor", auth=auth, headers=headers or {})
    session = await client.wait_for("session")
    return client, session


@dataclass
class Counselor:
    id: str
    name: str
    cookie: str
    client: Client
    extra: list[Client] = field(default_factory=list)

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.client.call(event, data)

    async def close(self) -> None:
        for client in (self.client, *self.extra):
            await client.close()


async def add_account(store: Store, name: str, role: str = "counselor",
                      max_chats: int = 2, display_name: str = "") -> str:
    """A counselor account with PASSWORD, straight into Redis; its id. Without a display
    name it is like an account from before display names (visitors see "Hulpverlener")."""
    counselor_id = identity.new_id()
    created = await store.counselors.create(
        counselor_id, name=name, roles=(role,), max_chats=max_chats,
        password_hash=await hash_password(PASSWORD), now_ms=0, display_name=display_name,
    )
    assert created, f"name {name} taken"
    return counselor_id


async def create_account(app: web.Application, name: str, role: str = "counselor",
                         max_chats: int = 2, display_name: str = "") -> str:
    return await add_account(app[appkeys.STORE], name, role, max_chats, display_name)


async def login(url: str, name: str, password: str = PASSWORD) -> str:
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"{url}/api/session",
                                   json={"username": name, "password": password})
        assert response.status == 200, await response.text()
        return response.cookies["helpchat_session"].value


async def connect_counselor(url: str, cookie: str) -> Client:
    return await Client().connect(url, "/counselor",
                                  headers={"Cookie": f"helpchat_session={cookie}"})


async def make_counselor(app: web.Application, url: str, name: str, role: str = "counselor",
                         max_chats: int = 2, display_name: str = "") -> Counselor:
    counselor_id = await create_account(app, name, role, max_chats, display_name)
    cookie = await login(url, name)
    client = await connect_counselor(url, cookie)
    await client.wait_for("duty")
    return Counselor(counselor_id, name, cookie, client)


class StoppedClock:
    """A hub clock that stands still until the test moves it (`hub.clock = StoppedClock()`)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def eventually(condition: Callable[[], Any], timeout: float = TIMEOUT) -> None:
    """Await an async condition that another process or task makes true (no fixed sleeps)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def chat_with(base_url: str, counselor: Counselor,
                    lang: str | None = None) -> tuple[Client, dict[str, Any], str]:
    """A visitor in an active chat with `counselor`: (visitor client, its session, chat id)."""
    await counselor.call("set_duty", {"status": "on"})
    youth, session = await visitor(base_url, lang=lang)
    queued = await youth.call("request_chat", {"topic": "School"})
    assert queued["ok"], queued
    taken = await counselor.call("take", {"conversation_id": queued["conversation_id"]})
    assert taken["ok"], taken
    await youth.wait_for("chat_started")
    return youth, session, queued["conversation_id"]


async def redis_text(client: aioredis.Redis) -> str:
    """Every key name and value in Redis, as one string (streams, hashes, lists, sets...)."""
    parts: list[str] = []
    async for key in client.scan_iter():
        parts.append(key)
        kind = await client.type(key)
        if kind == "string":
            parts.append(str(await client.get(key)))
        elif kind == "hash":
            parts.extend(f"{k}={v}" for k, v in (await client.hgetall(key)).items())
        elif kind == "list":
            parts.extend(await client.lrange(key, 0, -1))
        elif kind == "set":
            parts.extend(await client.smembers(key))
        elif kind == "zset":
            parts.extend(await client.zrange(key, 0, -1))
        elif kind == "stream":
            parts.extend(str(fields) for _, fields in await client.xrange(key))
    return "\n".join(parts)


def metric_sample(text: str, name: str, labels: str = "") -> float:
    """One sample's value from a Prometheus text page (labels as printed, sorted by name)."""
    found = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", text, re.M)
    assert found, f"{name}{labels} missing"
    return float(found.group(1))
