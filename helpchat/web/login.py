"""The counselor login form (GET/POST /login) and logout (POST /logout), plus what every
server-rendered page of the console shares: its language, its CSP, rendering.

Login uses helpchat.web.auth.authenticate(), so the form and POST /api/session share one rate
limit and one generic answer. The form's CSRF token is bound to a random nonce in a
SameSite=Strict cookie (a token alone could be fetched by another site and replayed to log a
victim into the attacker's account).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Any
from urllib.parse import quote

from aiohttp import web
from multidict import MultiDictProxy

from helpchat import appkeys
from helpchat.errors import HelpchatError
from helpchat.i18n import LANGUAGES, normalize_language, translate
from helpchat.store import keys
from helpchat.store.models import Counselor
from helpchat.web import auth, csrf
from helpchat.web.session_cookie import clear_session_cookie, session_id

log = logging.getLogger(__name__)

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; "
            "form-action 'self'; base-uri 'none'; object-src 'none'")
LANG_COOKIE = "helpchat_lang"
NONCE_COOKIE = "helpchat_login_nonce"
PENDING_COOKIE = "helpchat_login_2fa"
NONCE_MAX_AGE_S = 2 * 3600
DEFAULT_NEXT = "/console/"
MAX_FORM_BYTES = 16 * 1024
CSRF_FIELD = "csrf_token"


# --- what every page shares ------------------------------------------------------------------


def page_language(request: web.Request) -> str:
    """?lang=, then the remembered choice, then the browser's Accept-Language, then Dutch."""
    default = request.app[appkeys.HUB].settings.default_language
    chosen = request.query.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen:
        return normalize_language(chosen, default)
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return default


def render_page(request: web.Request, template: str, lang: str, *, status: int = 200,
                **context: Any) -> web.Response:
    def t(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    body = request.app[appkeys.TEMPLATES].get_template(template).render(
        t=t, lang=lang, path=request.path, **context)
    response = web.Response(text=body, status=status, content_type="text/html")
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = "no-store"
    # Forms post to this site; "no-referrer" would make browsers send "Origin: null" there.
    response.headers["Referrer-Policy"] = "same-origin"
    if request.query.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="Strict", path="/",
                            max_age=365 * 24 * 3600)
    return response


def safe_next(value: str | None) -> str:
    """Only a path on this site: no scheme, no //host, no backslash tricks."""
    if (not value or not value.startswith("/") or value.startswith(("//", "/\\"))
            or any(ord(ch) < 32 for ch in value) or "\\" in value):
        return DEFAULT_NEXT
    return value


# --- login -----------------------------------------------------------------------------------


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _login_token(request: web.Request, nonce: str) -> str:
    secret = request.app[appkeys.HUB].settings.secret_key.encode()
    return hmac.new(secret, f"csrf:login:{nonce}".encode(), hashlib.sha256).hexdigest()


def login_form(request: web.Request, lang: str, *, status: int = 200,
                error_key: str | None = None, error_params: dict[str, Any] | None = None,
                username: str = "", next_path: str = DEFAULT_NEXT) -> web.Response:
    nonce = secrets.token_urlsafe(24)
    response = render_page(
        request, "login.html", lang, status=status, error_key=error_key,
        error_params=error_params or {}, username=username,
        next_path=next_path, csrf_token=_login_token(request, nonce), csrf_field=CSRF_FIELD,
    )
    settings = request.app[appkeys.HUB].settings
    response.set_cookie(NONCE_COOKIE, nonce, httponly=True, samesite="Strict",
                        secure=settings.production, path="/login", max_age=NONCE_MAX_AGE_S)
    return response


async def get_login(request: web.Request) -> web.StreamResponse:
    next_path = safe_next(request.query.get("next"))
    if await auth.current_login(request):
        return redirect(next_path)
    return login_form(request, page_language(request), next_path=next_path)


def _token_ok(request: web.Request, form: MultiDictProxy[str | Any]) -> bool:
    nonce = request.cookies.get(NONCE_COOKIE)
    sent = form.get(CSRF_FIELD)
    if not nonce or not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent.encode(), _login_token(request, nonce).encode())


def _field(form: MultiDictProxy[str | Any], name: str, max_chars: int) -> str:
    value = form.get(name)
    return value[:max_chars] if isinstance(value, str) else ""


async def post_login(request: web.Request) -> web.StreamResponse:
    lang = page_language(request)
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        return login_form(request, lang, status=413, error_key="console.login.error_invalid")
    form = await csrf.read_form(request)
    next_path = safe_next(_field(form, "next", 500) or None)
    username = _field(form, "username", auth.MAX_NAME).strip()
    password = _field(form, "password", auth.MAX_PASSWORD)
    if not _token_ok(request, form):
        log.info("login form refused: missing or wrong CSRF token")
        return login_form(request, lang, status=400, error_key="console.login.error_expired",
                           username=username, next_path=next_path)
    if not username or not password:
        return login_form(request, lang, status=400, error_key="console.login.error_missing",
                           username=username, next_path=next_path)
    try:
        counselor = await auth.authenticate(request, username, password)
    except HelpchatError as exc:
        if exc.code != "rate_limited":
            return login_form(request, lang, status=401, error_key="console.login.error_generic",
                               username=username, next_path=next_path)
        wait_s = auth.retry_after_s(exc)
        response = login_form(request, lang, status=429,
                               error_key="console.login.error_rate_limited"
                               + ("_one" if wait_s == 1 else ""),
                               error_params={"seconds": wait_s}, username=username,
                               next_path=next_path)
        response.headers["Retry-After"] = str(wait_s)
        return response
    if await request.app[appkeys.STORE].two_factor.sealed_secret(counselor.id):
        return await ask_for_code(request, counselor, auth.login_scope(request, username),
                                  next_path)
    if await auth.enrolment_due(request.app, counselor):
        next_path = f"/account/two-factor?next={quote(next_path, safe='/')}"
    return await finish_login(request, counselor, next_path)


async def ask_for_code(request: web.Request, counselor: Counselor, scope: str,
                       next_path: str) -> web.Response:
    """The password was right and the account has two-factor on: no session yet, only a
    pending login (five minutes, this browser) that web/login_code.py completes."""
    token = await request.app[appkeys.STORE].two_factor.start_pending(counselor.id, scope,
                                                                      next_path)
    response = redirect("/login/code")
    response.set_cookie(PENDING_COOKIE, token, httponly=True, samesite="Strict",
                        secure=request.app[appkeys.HUB].settings.production, path="/login",
                        max_age=keys.TOTP_PENDING_TTL)
    return response


async def finish_login(request: web.Request, counselor: Counselor,
                       next_path: str) -> web.Response:
    """Both factors passed (or the account has one): a fresh session, off to `next_path`."""
    response = redirect(next_path)
    await auth.start_session(request, counselor, response)
    response.del_cookie(NONCE_COOKIE, path="/login")
    return response


# --- logout ----------------------------------------------------------------------------------


async def post_logout(request: web.Request) -> web.StreamResponse:
    """Ends the login session and closes every socket opened with it (all tabs, all
    processes). Needs the session's CSRF token: another site cannot log a counselor out."""
    found = await auth.current_login(request)
    if found:
        login, counselor = found
        form = await csrf.read_form(request)
        sent = form.get(CSRF_FIELD)
        if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(),
                                                                 login.csrf.encode()):
            raise web.HTTPForbidden(text="missing or wrong CSRF token")
        cookie = session_id(request.cookies, request.app[appkeys.HUB].settings)
        await auth.end_session(request.app, cookie or "")
        log.info("logout counselor=%s", counselor.id)
    response = redirect("/login")
    clear_session_cookie(response, request.app[appkeys.HUB].settings)
    return response


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/login", get_login)
    app.router.add_post("/login", post_login)
    app.router.add_post("/logout", post_logout)
