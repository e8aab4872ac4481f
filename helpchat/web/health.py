"""GET /healthz: is the process up, can it reach Redis, and how close is Redis to its memory
ceiling (at the ceiling it refuses writes: new chats and messages fail until memory frees)."""

from __future__ import annotations

from aiohttp import web
from redis.exceptions import RedisError

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
        **await _processes(request.app),
    })


async def _processes(app: web.Application) -> dict[str, object]:
    """Which process answered, and the processes it sees beating (itself included)."""
    presence = app[appkeys.STORE].presence
    settings = app[appkeys.LIVE_SETTINGS].current
    cutoff = app[appkeys.HUB].now_ms() - settings.process_timeout_seconds * 1000
    try:
        beats = await presence.processes()
    except RedisError:
        beats = {}
    return {"process": presence.process_id,
            "processes": sorted(pid for pid, beat in beats.items() if beat >= cutoff)}


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
