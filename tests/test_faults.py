"""Faults as an operator meets them: server processes killed with SIGKILL, Redis restarted,
Sentinel failing over. Real `run.py serve` processes, real Redis, real socket.io clients; every
acknowledged send goes through the history checker (lost, duplicated, unexpected all 0)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from helpchat.config import load_settings
from helpchat.store import Store
from tests.faults import History, ServerProcess
from tests.support import Client, add_account, connect_counselor, login, visitor

_ids = itertools.count()


@pytest.fixture
async def processes(redis_url: str, tmp_path: Path) -> AsyncIterator[Callable[..., ServerProcess]]:
    """Start `run.py serve` processes on the suite's Redis; all are stopped afterwards."""
    started: list[ServerProcess] = []

    def start(**settings: Any) -> ServerProcess:
        process = ServerProcess(redis_url, tmp_path / f"p{len(started)}", **settings).start()
        started.append(process)
        return process

    yield start
    for process in started:
        await asyncio.to_thread(process.stop)


async def account(redis_url: str, name: str) -> None:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    settings = load_settings(environ={}, redis_url=redis_url,
                             secret_key="test-secret-key-with-more-than-32-characters!")
    await add_account(Store.create(client, settings), name)
    await client.aclose()


async def send(client: Client, history: History, data: dict[str, Any]) -> None:
    """One message as the widget and console send it: a `rate_limited` answer is resent with
    the same client_id after `retry_after_ms`."""
    client_id = f"m{next(_ids)}"
    history.send(client_id)
    body = {**data, "client_id": client_id, "text": f"tekst {client_id}"}
    answer = await client.call("message", body)
    while not answer["ok"] and answer["error"]["code"] == "rate_limited":
        await asyncio.sleep(answer["error"]["retry_after_ms"] / 1000)
        answer = await client.call("message", body)
    history.ack(client_id, answer)


async def test_a_killed_process_loses_no_acknowledged_message_when_both_sides_move_over(
    processes: Callable[..., ServerProcess], redis_url: str
) -> None:
    # A checker sends faster than a person types: the message buckets are deep enough for it.
    first, second = (processes(visitor_message_burst=50, counselor_message_burst=50)
                     for _ in range(2))
    await account(redis_url, "anna")
    cookie = await login(first.url, "anna")
    console = await connect_counselor(first.url, cookie)
    await console.wait_for("duty")
    assert (await console.call("set_duty", {"on": True}))["ok"]
    youth, session = await visitor(first.url)
    queued = await youth.call("request_chat", {})
    cid = queued["conversation_id"]
    assert (await console.call("take", {"conversation_id": cid}))["ok"]
    history = History()
    for _ in range(10):
        await send(youth, history, {})
        await send(console, history, {"conversation_id": cid})

    await asyncio.to_thread(first.kill)
    youth, _ = await visitor(second.url, token=session["token"])
    console = await connect_counselor(second.url, cookie)
    await console.wait_for("assigned")
    for _ in range(10):
        await send(youth, history, {})
        await send(console, history, {"conversation_id": cid})

    transcript = (await console.call("sync", {"conversation_id": cid}))["messages"]
    report = history.check(transcript)
    assert report.acked == 40
    assert report.clean, report
    seen_by_youth = (await youth.call("sync", {}))["messages"]
    assert history.check(seen_by_youth).clean
    await youth.close()
    await console.close()
