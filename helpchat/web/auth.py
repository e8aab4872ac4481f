"""Counselor login: POST/DELETE /api/session, and the helpers the login form and pages share."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from helpchat import appkeys, password_policy
from helpchat.errors import HelpchatError, invalid
from helpchat.realtime.hub import COUNSELOR_NS
from helpchat.store.auth import LoginSession
from helpchat.store.models import Counselor
from helpchat.web import session_cookie

log = logging.getLogger(__name__)
MAX_NAME = 100
MAX_PASSWORD = password_policy.MAX_LENGTH


async def authenticate(app: web.Application, username: str, password: str) -> Counselor:
    """The counselor for these credentials, or HelpchatError rate_limited / unauthorized.
    Unknown users and wrong passwords take the same time and get the same answer."""
    store, settings = app[appkeys.STORE], app[appkeys.HUB].settings
    if await store.auth.failures(username) >= settings.login_max_failures:
        raise HelpchatError("rate_limited")
    counselor = await store.counselors.by_name(username)
    valid = await app[appkeys.PASSWORDS].verify(counselor.password_hash if counselor else None,
                                                password)
    if not valid or counselor is None or counselor.disabled:
        await store.auth.record_failure(username, settings.login_window_minutes * 60)
        log.info("login failed")
        raise HelpchatError("unauthorized", "error.bad_login")
    await store.auth.clear_failures(username)
    log.info("login counselor=%s", counselor.id)
    return counselor


async def start_session(request: web.Request, counselor: Counselor,
                        response: web.StreamResponse) -> LoginSession:
    """A fresh session id at every login (no fixation); ends the one the browser had."""
    app = request.app
    old = session_cookie.session_id(request.cookies, app[appkeys.HUB].settings)
    if old:
        await end_session(app, old)
    session_id, login = await app[appkeys.STORE].auth.create(counselor.id,
                                                             app[appkeys.HUB].now_ms())
    session_cookie.set_session_cookie(response, session_id, app[appkeys.HUB].settings)
    return login


async def end_session(app: web.Application, session_id: str) -> None:
    """Delete the login session and close every socket opened with it, on any process."""
    for sid in await app[appkeys.STORE].auth.delete(session_id):
        await app[appkeys.SIO].disconnect(sid, namespace=COUNSELOR_NS)


async def current_login(request: web.Request) -> tuple[LoginSession, Counselor] | None:
    sent = session_cookie.session_id(request.cookies, request.app[appkeys.HUB].settings)
    if not sent:
        return None
    store = request.app[appkeys.STORE]
    login = await store.auth.get(sent, request.app[appkeys.HUB].now_ms())
    counselor = login and await store.counselors.get(login.counselor_id)
    if not login or not counselor or counselor.disabled:
        return None
    return login, counselor


def counselor_json(counselor: Counselor) -> dict[str, Any]:
    return {"id": counselor.id, "name": counselor.name, "roles": list(counselor.roles)}


def _error(exc: HelpchatError, detail: str | None = None) -> web.Response:
    message = detail or exc.detail or exc.code
    return web.json_response({"ok": False, "error": {"code": exc.code, "message": message}},
                             status=exc.http_status)


async def _credentials(request: web.Request) -> tuple[str, str]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, LookupError):  # LookupError: charset
        raise invalid("body must be JSON: {\"username\": ..., \"password\": ...}") from None
    if not isinstance(body, dict):
        raise invalid("body must be a JSON object")
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not 0 < len(username) <= MAX_NAME:
        raise invalid("username must be a non-empty string")
    if not isinstance(password, str) or not 0 < len(password) <= MAX_PASSWORD:
        raise invalid("password must be a non-empty string")
    return username, password


async def post_session(request: web.Request) -> web.Response:
    try:
        username, password = await _credentials(request)
        counselor = await authenticate(request.app, username, password)
    except HelpchatError as exc:
        messages = {"unauthorized": "invalid username or password",
                    "rate_limited": "too many failed logins; try again later"}
        return _error(exc, messages.get(exc.code))
    response = web.json_response({"ok": True, "counselor": counselor_json(counselor)})
    await start_session(request, counselor, response)
    return response


async def delete_session(request: web.Request) -> web.Response:
    settings = request.app[appkeys.HUB].settings
    sent = session_cookie.session_id(request.cookies, settings)
    if sent:
        await end_session(request.app, sent)
    response = web.json_response({"ok": True})
    session_cookie.clear_session_cookie(response, settings)
    return response


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/api/session", post_session)
    app.router.add_delete("/api/session", delete_session)
