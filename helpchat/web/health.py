"""GET /healthz: is the process up and can it reach Redis."""

from __future__ import annotations

from aiohttp import web

from helpchat import appkeys


async def healthz(request: web.Request) -> web.Response:
    redis_ok = await request.app[appkeys.STORE].ping()
    return web.json_response(
        {"status": "ok" if redis_ok else "degraded", "redis": "ok" if redis_ok else "down"},
        status=200 if redis_ok else 503,
    )


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
