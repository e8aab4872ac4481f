"""GET /healthz: is the process up, can it reach Redis, and how close is Redis to its memory
ceiling (at the ceiling it refuses writes: new chats and messages fail until memory frees)."""

from __future__ import annotations

from aiohttp import web

from helpchat import appkeys

HIGH, FULL = 0.8, 0.95


def pressure(used: int, maximum: int) -> str:
    """"ok", "high" (80 %), "full" (95 %: writes are about to be refused), or "unknown"
    when Redis has no ceiling (a configured server that sets none)."""
    if maximum <= 0:
        return "unknown"
    share = used / maximum
    return "full" if share >= FULL else "high" if share >= HIGH else "ok"


async def healthz(request: web.Request) -> web.Response:
    store = request.app[appkeys.STORE]
    memory = await store.memory()
    if memory is None:
        return web.json_response({"status": "degraded", "redis": "down"}, status=503)
    used, maximum = memory
    level = pressure(used, maximum)
    return web.json_response({
        "status": "degraded" if level in ("high", "full") else "ok",
        "redis": "ok",
        "memory": {"pressure": level, "used_bytes": used, "max_bytes": maximum or None},
    })


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
