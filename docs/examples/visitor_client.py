"""A minimal helpchat visitor client (python-socketio AsyncClient), for docs/protocol.md.

    pip install "python-socketio[asyncio_client]"
    python docs/examples/visitor_client.py --url http://127.0.0.1:8080 --text "Hoi, is daar iemand?"

It connects to /visitor with auth {"lang": "nl"}, prints `session` and `availability`, asks for
a chat, sends one message with a client_id, and prints every event until the chat ends (or
--wait seconds pass). A dropped connection is resumed with the same token, followed by a
`sync` from the last message id seen. Nothing is written to disk: the token is printed so you
can resume with --token, and --forget deletes the session on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
from typing import Any

import socketio

NS = "/visitor"


def show(label: str, data: Any) -> None:
    print(f"{label:<24} {json.dumps(data, ensure_ascii=False)}", flush=True)


async def run(args: argparse.Namespace) -> int:
    sio = socketio.AsyncClient(reconnection=True)
    state: dict[str, Any] = {"token": args.token, "last_id": None, "sessions": 0}
    first_availability: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    ended = asyncio.Event()

    def auth() -> dict[str, str]:
        # Called on every (re)connect: a reconnect resumes the same session with the token.
        data = {"lang": args.lang}
        if state["token"]:
            data["token"] = state["token"]
        return data

    async def call(event: str, payload: dict[str, Any]) -> dict[str, Any]:
        ack: dict[str, Any] = await sio.call(event, payload, namespace=NS, timeout=10)
        show(f"ack {event}", ack)
        return ack

    async def resync() -> None:
        ack = await call("sync", {"after": state["last_id"]} if state["last_id"] else {})
        for message in ack.get("messages", []):
            state["last_id"] = message["id"]

    @sio.on("session", namespace=NS)
    async def on_session(data: dict[str, Any]) -> None:
        show("<- session", data)
        state["token"] = data["token"]  # a browser keeps this in sessionStorage only
        state["sessions"] += 1
        if state["sessions"] > 1 and data["state"] in ("queued", "chatting"):
            # Reconnected: fetch what was sent while we were away. Not inside the handler
            # itself, which would block the client's reader while waiting for the ack.
            asyncio.get_running_loop().create_task(resync())

    @sio.on("availability", namespace=NS)
    async def on_availability(data: dict[str, Any]) -> None:
        show("<- availability", data)
        if not first_availability.done():
            first_availability.set_result(data)

    @sio.on("message", namespace=NS)
    async def on_message(data: dict[str, Any]) -> None:
        show("<- message", data)
        state["last_id"] = data["id"]

    @sio.on("chat_ended", namespace=NS)
    async def on_chat_ended(data: dict[str, Any]) -> None:
        show("<- chat_ended", data)
        ended.set()

    for event in ("queue_position", "chat_started", "typing"):
        sio.on(event, lambda data, event=event: show(f"<- {event}", data), namespace=NS)

    await sio.connect(args.url, namespaces=[NS], auth=auth, socketio_path="socket.io",
                      transports=["websocket", "polling"], wait_timeout=10)
    try:
        availability = await asyncio.wait_for(first_availability, timeout=10)
        if not availability["available"]:
            # request_chat would answer {"ok": false, "error": {"code": "closed"}, ...}:
            # show the contacts instead, as the widget does.
            print(f"chat unavailable ({availability['reason']}); contacts:")
            for contact in availability["contacts"]:
                print(f"  {contact['name']}: {contact['phone'] or contact['url']}")
            return 1
        queued = await call("request_chat", {"topic": args.topic} if args.topic else {})
        if not queued["ok"]:
            return 1
        client_id = secrets.token_hex(16)  # one per message; reuse it only to resend that one
        sent = await call("message", {"client_id": client_id, "text": args.text})
        if sent["ok"]:
            state["last_id"] = sent["message"]["id"]
        try:
            await asyncio.wait_for(ended.wait(), timeout=args.wait)
        except TimeoutError:
            print(f"no end after {args.wait}s; ending the chat")
            await call("end_chat", {})
        if args.rating:
            await call("feedback", {"rating": args.rating})
        print(f"token (resume with --token): {state['token']}")
        return 0
    finally:
        if args.forget and sio.connected:
            await call("forget_me", {})
        await sio.disconnect()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--lang", default="nl", choices=("nl", "en"))
    parser.add_argument("--token", help="resume an earlier session")
    parser.add_argument("--topic", help="one of the server's configured topics")
    parser.add_argument("--text", default="Hoi, is daar iemand?")
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for the end")
    parser.add_argument("--rating", type=int, choices=range(1, 6), help="feedback after the end")
    parser.add_argument("--forget", action="store_true", help="forget_me before leaving")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
