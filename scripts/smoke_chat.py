"""Complete one chat against a running server, as a visitor and a counselor would.

    python run.py create-user smoke --role counselor --password-stdin   # once
    python scripts/smoke_chat.py --url http://127.0.0.1:8080 --user smoke --password-stdin

Prints each step; exits 1 at the first step that does not behave as PROTOCOL.md says.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import aiohttp
import socketio


class Fail(Exception):
    pass


def check(condition: bool, step: str, detail: Any = "") -> None:
    print(f"{'ok  ' if condition else 'FAIL'} {step} {detail}")
    if not condition:
        raise Fail(step)


async def wait_event(queue: asyncio.Queue[tuple[str, Any]], name: str) -> Any:
    while True:
        event, data = await asyncio.wait_for(queue.get(), 10)
        if event == name:
            return data


async def client(url: str, namespace: str, **kwargs: Any) -> tuple[socketio.AsyncClient,
                                                                    asyncio.Queue[Any]]:
    sio = socketio.AsyncClient(reconnection=False)
    events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    async def record(event: str, ns: str, data: Any = None) -> None:
        await events.put((event, data))

    sio.on("*", record, namespace="*")
    await sio.connect(url, namespaces=[namespace], **kwargs)
    return sio, events


async def run(url: str, user: str, password: str) -> None:
    async with aiohttp.ClientSession() as http:
        health = await http.get(f"{url}/healthz")
        check(health.status == 200, "GET /healthz", await health.json())
        login = await http.post(f"{url}/api/session", json={"username": user,
                                                             "password": password})
        check(login.status == 200, "POST /api/session", login.status)
        # Production names the cookie __Host-helpchat_session.
        name = next(n for n in login.cookies if n.endswith("helpchat_session"))
        cookie = login.cookies[name].value

    counselor, c_events = await client(url, "/counselor",
                                       headers={"Cookie": f"{name}={cookie}"})
    visitor, v_events = await client(url, "/visitor", auth={"lang": "nl"})
    session = await wait_event(v_events, "session")
    check(session["state"] == "idle", "visitor session", session["pseudonym"])

    duty = await counselor.call("set_duty", {"on": True}, namespace="/counselor")
    check(duty["ok"], "counselor on duty", duty)
    queued = await visitor.call("request_chat", {"topic": "School"}, namespace="/visitor")
    check(queued["ok"], "visitor queued", f"position {queued.get('position')}")
    taken = await counselor.call("take", {}, namespace="/counselor")
    check(taken["ok"], "counselor took the chat", taken["conversation"]["pseudonym"])
    cid = taken["conversation"]["id"]
    started = await wait_event(v_events, "chat_started")
    check(started["conversation_id"] == cid, "visitor sees chat_started", started)

    sent = await visitor.call("message", {"client_id": "smoke-1", "text": "Hoi"},
                              namespace="/visitor")
    got = await wait_event(c_events, "message")
    check(sent["ok"] and got["text"] == "Hoi", "visitor -> counselor message")
    await counselor.call("message", {"conversation_id": cid, "client_id": "smoke-2",
                                     "text": "Hoi, ik ben er"}, namespace="/counselor")
    got = await wait_event(v_events, "message")
    while got["sender"] != "counselor":
        got = await wait_event(v_events, "message")
    check(got["text"] == "Hoi, ik ben er", "counselor -> visitor message")

    ended = await counselor.call("end_chat", {"conversation_id": cid}, namespace="/counselor")
    notice = await wait_event(v_events, "chat_ended")
    check(ended["ok"] and bool(notice["contacts"]), "chat ended, contacts shown",
          f"{len(notice['contacts'])} contacts")
    feedback = await visitor.call("feedback", {"rating": 5}, namespace="/visitor")
    check(feedback["ok"], "feedback accepted")
    await counselor.call("set_duty", {"on": False}, namespace="/counselor")
    await visitor.disconnect()
    await counselor.disconnect()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-stdin", action="store_true", required=True)
    args = parser.parse_args()
    password = sys.stdin.readline().rstrip("\n")
    try:
        asyncio.run(run(args.url.rstrip("/"), args.user, password))
    except (TimeoutError, Fail, socketio.exceptions.ConnectionError) as exc:
        print(f"smoke chat failed: {exc!r}", file=sys.stderr)
        return 1
    print("a whole chat completed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
