"""Counselor login: POST/DELETE /api/session, and the helpers the login form and pages share."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from helpchat import appkeys, login_backoff, password_policy, two_factor
from helpchat.errors import HelpchatError, invalid
from helpchat.realtime.hub import COUNSELOR_NS
from helpchat.store.auth import LoginSession
from helpchat.store.models import Counselor
from helpchat.web import session_cookie

log = logging.getLogger(__name__)
MAX_NAME = 100
MAX_PASSWORD = password_policy.MAX_LENGTH
MAX_CODE = 40  # a recovery code with spaces and hyphens


def login_scope(request: web.Request, username: str) -> str:
    """What the back-off counts failures against: the name, or the name and this browser's
    device cookie when it logged in to the account before."""
    device = session_cookie.device_nonce(request.cookies, request.app[appkeys.HUB].settings,
                                         username)
    return username.strip().lower() + (f"\0{device}" if device else "")


async def _check_wait(app: web.Application, scope: str) -> None:
    hub = app[appkeys.HUB]
    _failures, until_ms = await app[appkeys.STORE].auth.login_wait(scope)
    if until_ms > hub.now_ms():
        raise HelpchatError("rate_limited", extra={"retry_after_ms": until_ms - hub.now_ms()})


async def _failed(app: web.Application, scope: str) -> None:
    """One more failure on `scope` (a wrong password or a wrong second-factor code alike)."""
    store, settings = app[appkeys.STORE], app[appkeys.HUB].settings
    failures = await store.auth.record_failure(scope, settings.login_window_minutes * 60)
    wait = login_backoff.wait_s(failures, free=settings.login_max_failures,
                                cap=settings.login_backoff_max_seconds)
    if wait:
        await store.auth.set_wait(scope, app[appkeys.HUB].now_ms() + wait * 1000)


async def authenticate(request: web.Request, username: str, password: str) -> Counselor:
    """The counselor for these credentials, or HelpchatError rate_limited (with
    retry_after_ms) / unauthorized. Every failing account state costs the same one argon2
    verification and gets the same answer; failures slow down further attempts on that name
    (helpchat/login_backoff.py) but never lock the account. With two-factor on, the failures
    are forgotten only once the code is right too (verify_code): a known password must not
    buy unlimited code guesses."""
    app = request.app
    store = app[appkeys.STORE]
    scope = login_scope(request, username)
    await _check_wait(app, scope)
    counselor = await store.counselors.by_name(username)
    valid = await app[appkeys.PASSWORDS].verify(counselor.password_hash if counselor else None,
                                                password)
    if not valid or counselor is None or counselor.disabled:
        await _failed(app, scope)
        log.info("login failed")
        raise HelpchatError("unauthorized", "error.bad_login")
    if not await store.two_factor.sealed_secret(counselor.id):
        await store.auth.clear_failures(scope)
    log.info("login counselor=%s", counselor.id)
    return counselor


async def verify_code(app: web.Application, counselor_id: str, scope: str,
                      text: str) -> two_factor.CodeKind:
    """Check a second-factor code (six digits from the app, or a recovery code, which is then
    used up); which kind it was. A wrong, replayed or spent code counts as a failed login on
    `scope`; HelpchatError unauthorized or rate_limited as in authenticate()."""
    store, hub = app[appkeys.STORE], app[appkeys.HUB]
    await _check_wait(app, scope)
    found = two_factor.classify(text)
    accepted = False
    if found and found[0] == "totp":
        sealed = await store.two_factor.sealed_secret(counselor_id)
        secret = sealed and two_factor.unseal(hub.settings.secret_key, counselor_id, sealed)
        accepted = bool(secret) and await totp_accepted(app, counselor_id, secret or "",
                                                         found[1])
    elif found:
        digest = two_factor.recovery_digest(hub.settings.secret_key, counselor_id, found[1])
        accepted = await store.two_factor.use_recovery_code(counselor_id, digest)
    if not found or not accepted:
        await _failed(app, scope)
        log.info("second factor failed counselor=%s", counselor_id)
        raise HelpchatError("unauthorized", "error.bad_code")
    await store.auth.clear_failures(scope)
    log.info("second factor counselor=%s kind=%s", counselor_id, found[0])
    return found[0]


async def totp_accepted(app: web.Application, counselor_id: str, secret: str,
                        code: str) -> bool:
    """`code` matches `secret` now and its time step was not used before (no replay)."""
    step = two_factor.matched_step(secret, code, app[appkeys.HUB].now_ms() / 1000)
    return step is not None and await app[appkeys.STORE].two_factor.use_step(counselor_id, step)


async def enrolment_due(app: web.Application, counselor: Counselor) -> bool:
    """An admin in production without two-factor (unless the requirement is turned off):
    nothing but the enrolment page opens until it is set up."""
    return (two_factor.required(app[appkeys.HUB].settings, counselor)
            and not await app[appkeys.STORE].two_factor.sealed_secret(counselor.id))


async def start_session(request: web.Request, counselor: Counselor,
                        response: web.StreamResponse) -> LoginSession:
    """A fresh session id at every login (no fixation); ends the one the browser had."""
    app = request.app
    old = session_cookie.session_id(request.cookies, app[appkeys.HUB].settings)
    if old:
        await end_session(app, old)
    session_id, login = await app[appkeys.STORE].auth.create(counselor.id,
                                                             app[appkeys.HUB].now_ms())
    settings = app[appkeys.HUB].settings
    session_cookie.set_session_cookie(response, session_id, settings)
    session_cookie.set_device_cookie(response, request.cookies, settings, counselor.name)
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
    return {"id": counselor.id, "name": counselor.name, "display_name": counselor.display_name,
            "roles": list(counselor.roles)}


def _error(exc: HelpchatError, detail: str | None = None) -> web.Response:
    message = detail or exc.detail or exc.code
    error: dict[str, Any] = {"code": exc.code, "message": message}
    headers = {}
    if "retry_after_ms" in exc.extra:
        error["retry_after_ms"] = exc.extra["retry_after_ms"]
        headers["Retry-After"] = str(retry_after_s(exc))
    return web.json_response({"ok": False, "error": error}, status=exc.http_status,
                             headers=headers)


def retry_after_s(exc: HelpchatError) -> int:
    """Whole seconds, rounded up, for Retry-After and for people."""
    return max(1, -(-int(exc.extra.get("retry_after_ms", 1000)) // 1000))


async def _credentials(request: web.Request) -> tuple[str, str, str | None]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, LookupError):  # LookupError: charset
        raise invalid("body must be JSON: {\"username\": ..., \"password\": ...}") from None
    if not isinstance(body, dict):
        raise invalid("body must be a JSON object")
    username, password, code = body.get("username"), body.get("password"), body.get("code")
    if not isinstance(username, str) or not 0 < len(username) <= MAX_NAME:
        raise invalid("username must be a non-empty string")
    if not isinstance(password, str) or not 0 < len(password) <= MAX_PASSWORD:
        raise invalid("password must be a non-empty string")
    if code is not None and (not isinstance(code, str) or len(code) > MAX_CODE):
        raise invalid("code must be a string: six digits or a recovery code")
    return username, password, code


async def post_session(request: web.Request) -> web.Response:
    messages = {"unauthorized": "invalid username or password",
                "rate_limited": "too many attempts; try again after Retry-After seconds"}
    try:
        username, password, code = await _credentials(request)
        counselor = await authenticate(request, username, password)
        if await request.app[appkeys.STORE].two_factor.sealed_secret(counselor.id):
            if code is None:
                return web.json_response({"ok": False, "error": {
                    "code": "unauthorized", "message": "two-factor code required",
                    "two_factor": True}}, status=401)
            messages["unauthorized"] = "invalid two-factor code"
            await verify_code(request.app, counselor.id, login_scope(request, username), code)
        elif await enrolment_due(request.app, counselor):
            return _error(HelpchatError("forbidden"),
                          "set up two-factor login on the login page in a browser first")
    except HelpchatError as exc:
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
