"""Bare baselines for the load harness, each a process of its own like `run.py serve`:

- `relay`: a python-socketio relay on aiohttp that speaks just enough of helpchat's protocol for
  the load generator (session, request_chat, take, message with acks, chat_started) and keeps
  everything in memory; `--redis URL` puts it on AsyncRedisManager, as helpchat is.
- `ws`: a bare aiohttp websocket that sends one short text and then idles (memory per socket).

Nothing here is helpchat: no validation, no persistence, no presence. It is the floor that the
same generator measures against in the same run.
"""

from __future__ import annotations

import argparse
import itertools
import secrets
import time
from typing import Any

import socketio
from aiohttp import web

from helpchat.cli import LISTEN_BACKLOG

VISITOR, COUNSELOR = "/visitor", "/counselor"


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def login(_request: web.Request) -> web.Response:
    response = web.json_response({"ok": True, "counselor": {"id": "bench", "name": "bench"}})
    response.set_cookie("helpchat_session", secrets.token_urlsafe(16), httponly=True)
    return response


def relay_app(redis_url: str | None) -> web.Application:
    manager = socketio.AsyncRedisManager(redis_url, channel="bare") if redis_url else None
    sio = socketio.AsyncServer(async_mode="aiohttp", client_manager=manager,
                               cors_allowed_origins="*", logger=False, engineio_logger=False)
    chats: dict[str, str] = {}  # visitor sid -> conversation id (the visitor's own process)
    seq = itertools.count()

    def message(cid: str, sender: str, data: dict[str, Any]) -> dict[str, Any]:
        now = int(time.time() * 1000)
        return {"id": f"{now}-{next(seq)}", "conversation_id": cid, "sender": sender,
                "text": data.get("text"), "ts_ms": now, "client_id": data.get("client_id"),
                "counselor_name": "bench" if sender == "counselor" else None}

    async def relay(cid: str, msg: dict[str, Any]) -> None:
        await sio.emit("message", msg, to=cid, namespace=VISITOR)
        await sio.emit("message", msg, to=cid, namespace=COUNSELOR)

    @sio.on("connect", namespace=VISITOR)  # type: ignore[misc]
    async def visitor_connect(sid: str, _environ: Any, _auth: Any = None) -> None:
        await sio.emit("session", {"token": secrets.token_urlsafe(32), "pseudonym": "bench",
                                   "state": "idle", "conversation_id": None},
                       to=sid, namespace=VISITOR)

    @sio.on("disconnect", namespace=VISITOR)  # type: ignore[misc]
    async def visitor_disconnect(sid: str, *_args: Any) -> None:
        chats.pop(sid, None)

    @sio.on("request_chat", namespace=VISITOR)  # type: ignore[misc]
    async def request_chat(sid: str, _data: Any = None) -> dict[str, Any]:
        cid = secrets.token_hex(16)
        chats[sid] = cid
        await sio.enter_room(sid, cid, namespace=VISITOR)
        return {"ok": True, "conversation_id": cid, "position": 1, "estimated_wait_s": None}

    @sio.on("message", namespace=VISITOR)  # type: ignore[misc]
    async def visitor_message(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        msg = message(chats[sid], "visitor", data)
        await relay(chats[sid], msg)
        return {"ok": True, "message": msg}

    @sio.on("connect", namespace=COUNSELOR)  # type: ignore[misc]
    async def counselor_connect(sid: str, _environ: Any, _auth: Any = None) -> None:
        await sio.emit("duty", {"on": False, "active_chats": 0, "max_chats": 3},
                       to=sid, namespace=COUNSELOR)

    @sio.on("set_duty", namespace=COUNSELOR)  # type: ignore[misc]
    async def set_duty(_sid: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "on": bool(data.get("on"))}

    @sio.on("take", namespace=COUNSELOR)  # type: ignore[misc]
    async def take(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        cid = data["conversation_id"]
        await sio.enter_room(sid, cid, namespace=COUNSELOR)
        await sio.emit("chat_started", {"conversation_id": cid, "counselor_name": "bench"},
                       to=cid, namespace=VISITOR)
        return {"ok": True, "conversation": {"id": cid, "messages": [], "more": False}}

    @sio.on("message", namespace=COUNSELOR)  # type: ignore[misc]
    async def counselor_message(_sid: str, data: dict[str, Any]) -> dict[str, Any]:
        msg = message(data["conversation_id"], "counselor", data)
        await relay(data["conversation_id"], msg)
        return {"ok": True, "message": msg}

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/session", login)
    sio.attach(app)
    return app


def ws_app() -> web.Application:
    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()  # compress=True, aiohttp's default, as engineio leaves it
        await ws.prepare(request)
        await ws.send_str('{"hello": "bench"}')
        async for _msg in ws:
            pass
        return ws

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/ws", socket)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["relay", "ws"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", default=None, help="AsyncRedisManager on this Redis URL")
    args = parser.parse_args()
    app = relay_app(args.redis) if args.kind == "relay" else ws_app()
    # helpchat's listen backlog, so a burst of connections measures the servers, not aiohttp's
    # default queue of 128 (whose overflow costs a dropped SYN a second's retry).
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None,
                backlog=LISTEN_BACKLOG)


if __name__ == "__main__":
    main()
