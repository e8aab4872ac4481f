"""Small JSON API: availability (the widget's fallback when the socket fails)."""

from __future__ import annotations

from aiohttp import web

from helpchat import appkeys
from helpchat.i18n import normalize_language


async def get_availability(request: web.Request) -> web.Response:
    hub = request.app[appkeys.HUB]
    lang = normalize_language(request.query.get("lang"), hub.settings.default_language)
    response = web.json_response(await hub.pushes.recent_availability(lang))
    # The widget on another site calls this when the socket fails; no credentials involved.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/api/availability", get_availability)
