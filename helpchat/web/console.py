"""The counselor console: GET /console/ (a server-rendered shell; static/console/*.js does the
live part over the /counselor namespace) and the small endpoints only the console uses.

The page hands its JavaScript a JSON data block (never executed: the CSP allows no inline
script) with the counselor, the strings of the page's language and the wrap-up choices.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from helpchat import appkeys, validation
from helpchat.config import PROJECT_ROOT
from helpchat.i18n import DEFAULT_LANGUAGE, catalog_with_prefix, translate
from helpchat.store.models import Counselor
from helpchat.web import auth
from helpchat.web.login import page_language, redirect, render_page

log = logging.getLogger(__name__)

SOCKETIO_CLIENT = PROJECT_ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


def json_for_script(data: Any) -> str:
    # "<" escaped so no "</script>" inside a string can end the data block early.
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")


def console_config(counselor: Counselor, lang: str, max_chars: int, max_chats: int,
                   reply_wait_alert_seconds: int,
                   nudge_minutes: tuple[float, ...]) -> dict[str, Any]:
    return {
        "lang": lang,
        # message_name: what this counselor's messages carry as counselor_name (the display
        # name, null while none is set), by which the console knows its own messages.
        "me": {"id": counselor.id, "name": counselor.name, "roles": list(counselor.roles),
               "message_name": counselor.display_name or None,
               "shown_name": counselor.shown_name,
               "supervisor": counselor.has_role("supervisor"),
               "max_chats": min(counselor.max_chats, max_chats)},
        "max_chars": max_chars,
        "reply_wait_alert_seconds": reply_wait_alert_seconds,
        "nudge_minutes": list(nudge_minutes),
        "wrap_up": {"categories": list(validation.WRAPUP_CATEGORIES),
                    "age_bands": list(validation.AGE_BANDS),
                    "outcomes": list(validation.OUTCOMES),
                    "endings": list(validation.WRAPUP_ENDINGS)},
        "i18n": catalog_with_prefix(lang, "console."),
        # Accounts without a display name reach every console as "Hulpverlener 3f2a" in the
        # default language (one broadcast serves consoles of both); the console shows the name
        # in its own (i18n.js staffName).
        "unnamed": {"sent": translate(DEFAULT_LANGUAGE, "counselor.unnamed", tag="{tag}"),
                    "shown": translate(lang, "counselor.unnamed", tag="{tag}")},
    }


async def console_page(request: web.Request) -> web.StreamResponse:
    found = await auth.current_login(request)
    if not found:
        return redirect("/login?next=/console/")
    login, counselor = found
    if await auth.enrolment_due(request.app, counselor):
        return redirect("/account/two-factor?next=/console/")
    lang = page_language(request)
    settings = request.app[appkeys.HUB].settings
    config = console_config(counselor, lang, settings.max_message_chars,
                            settings.max_chats_limit, settings.reply_wait_alert_seconds,
                            settings.chat_length_nudge_minutes)
    return render_page(request, "console/index.html", lang, me=counselor,
                       csrf_token=login.csrf, config_json=json_for_script(config),
                       wrap_up=config["wrap_up"], shed_kinds=validation.SHED_KINDS,
                       questions_enabled=settings.questions_enabled)


async def session_check(request: web.Request) -> web.Response:
    """The console asks now and then while the counselor is active: this keeps the login's
    idle timer going during a long shift, and tells a page whose session ended to log in."""
    found = await auth.current_login(request)
    response = web.json_response({"ok": bool(found)}, status=200 if found else 401)
    response.headers["Cache-Control"] = "no-store"
    return response


async def socketio_client(request: web.Request) -> web.StreamResponse:
    if not SOCKETIO_CLIENT.exists():
        raise web.HTTPServiceUnavailable(text="socket.io client missing: run `npm ci`")
    return web.FileResponse(SOCKETIO_CLIENT, headers={
        "Content-Type": "text/javascript", "Cache-Control": "public, max-age=3600"})


async def to_console(request: web.Request) -> web.Response:
    return redirect("/console/")


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/console", to_console)
    app.router.add_get("/console/", console_page)
    app.router.add_get("/console/session", session_check)
    app.router.add_get("/console/socket.io.min.js", socketio_client)
