"""The second login step (GET/POST /login/code) for accounts with two-factor on: after the
password, a six-digit code from the app or one recovery code. The pending login
(store.two_factor) lives five minutes in this browser only; five wrong codes end it, and every
wrong code also counts in the login back-off, so knowing the password buys no free guesses."""

from __future__ import annotations

import hashlib
import hmac
import logging

from aiohttp import web

from helpchat import appkeys
from helpchat.errors import HelpchatError
from helpchat.store.two_factor import PendingLogin
from helpchat.web import auth, csrf, login
from helpchat.web.login import CSRF_FIELD, PENDING_COOKIE, page_language, redirect, render_page

log = logging.getLogger(__name__)
MAX_TRIES = 5


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/login/code", get_code)
    app.router.add_post("/login/code", post_code)


def _token(request: web.Request, pending_token: str) -> str:
    # The form's CSRF token is bound to the pending login, whose cookie is SameSite=Strict.
    secret = request.app[appkeys.HUB].settings.secret_key.encode()
    return hmac.new(secret, f"csrf:code:{pending_token}".encode(), hashlib.sha256).hexdigest()


async def _pending(request: web.Request) -> tuple[str, PendingLogin] | None:
    token = request.cookies.get(PENDING_COOKIE, "")
    found = token and await request.app[appkeys.STORE].two_factor.pending(token[:100])
    return (token, found) if found else None


def _form(request: web.Request, token: str, *, status: int = 200,
          error_key: str | None = None, **params: int) -> web.Response:
    return render_page(request, "login_code.html", page_language(request), status=status,
                       error_key=error_key, error_params=params, csrf_field=CSRF_FIELD,
                       csrf_token=_token(request, token))


def _start_over(request: web.Request, error_key: str) -> web.Response:
    response = login.login_form(request, page_language(request), status=401,
                                error_key=error_key)
    response.del_cookie(PENDING_COOKIE, path="/login")
    return response


async def get_code(request: web.Request) -> web.StreamResponse:
    found = await _pending(request)
    if not found:
        return redirect("/login")
    return _form(request, found[0])


async def post_code(request: web.Request) -> web.StreamResponse:
    found = await _pending(request)
    if not found:
        return _start_over(request, "console.login.error_code_expired")
    token, pending = found
    form = await csrf.read_form(request)
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(),
                                                            _token(request, token).encode()):
        log.info("code form refused: missing or wrong CSRF token")
        return _form(request, token, status=400, error_key="console.login.error_expired")
    store = request.app[appkeys.STORE]
    counselor = await store.counselors.get(pending.counselor_id)
    if counselor is None or counselor.disabled:
        await store.two_factor.end_pending(token)
        return _start_over(request, "console.login.error_generic")
    code = form.get("code")
    try:
        kind = await auth.verify_code(request.app, counselor.id, pending.scope,
                                      code[:auth.MAX_CODE] if isinstance(code, str) else "")
    except HelpchatError as exc:
        if exc.code == "rate_limited":
            wait_s = auth.retry_after_s(exc)
            response = _form(request, token, status=429,
                             error_key="console.login.error_rate_limited"
                             + ("_one" if wait_s == 1 else ""), seconds=wait_s)
            response.headers["Retry-After"] = str(wait_s)
            return response
        if await store.two_factor.pending_failed(token) >= MAX_TRIES:
            await store.two_factor.end_pending(token)
            return _start_over(request, "console.login.error_code_tries")
        return _form(request, token, status=401, error_key="console.login.error_code")
    await store.two_factor.end_pending(token)
    next_path = pending.next_path
    if kind == "recovery":
        # Say how many are left, where new ones can be made (the account page).
        next_path = "/account/two-factor?notice=admin.notice.recovery_code_used"
    response = await login.finish_login(request, counselor, next_path)
    response.del_cookie(PENDING_COOKIE, path="/login")
    return response
