"""What every admin (and My shifts) page shares: the role check, CSRF, rendering with the
admin CSP, the page language, notices after a redirect, and audit entries."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from helpchat import appkeys
from helpchat.i18n import catalog, translate
from helpchat.realtime.hub import Hub
from helpchat.store import Store
from helpchat.store.audit import AuditEntry
from helpchat.store.auth import LoginSession
from helpchat.store.models import Counselor
from helpchat.web import csrf, login
from helpchat.web.auth import current_login, enrolment_due

log = logging.getLogger(__name__)

ADMIN_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; "
             "form-action 'self'; base-uri 'none'; object-src 'none'")
LANG_COOKIE = "helpchat_lang"
ROLES = ("counselor", "supervisor", "admin")
EMPTY_FORM: MultiDictProxy[str] = MultiDictProxy(MultiDict())

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Msg(NamedTuple):
    """A message catalog key and its parameters: validation speaks keys, pages translate."""

    key: str
    params: Mapping[str, Any] = {}


Errors = dict[str, Msg]


def page_language(request: web.Request) -> str:
    """The same choice as the login and console pages: ?lang=, cookie, Accept-Language."""
    return login.page_language(request)


def finish(request: web.Request, response: web.Response, lang: str) -> web.Response:
    response.headers["Content-Security-Policy"] = ADMIN_CSP
    response.headers["Cache-Control"] = "no-store"
    if request.query.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="Strict", path="/",
                            max_age=365 * 24 * 3600)
    return response


def render_template(request: web.Request, template: str, lang: str, status: int = 200,
                    **context: Any) -> web.Response:
    def t(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    body = request.app[appkeys.TEMPLATES].get_template(template).render(
        t=t, lang=lang, path=request.path, **context)
    response = web.Response(text=body, status=status, content_type="text/html")
    return finish(request, response, lang)


def reason_page(request: web.Request, status: int, key: str, lang: str | None = None,
                **params: Any) -> web.Response:
    """A short page saying why the request was refused (401, 403, 404, 410)."""
    lang = lang or page_language(request)
    return render_template(request, "admin/reason.html", lang, status=status,
                           title_key=f"admin.status.{status}", message_key=key, params=params)


@dataclass
class Ctx:
    """One admin request: who is asking, in which language, with which (checked) form."""

    request: web.Request
    me: Counselor
    login: LoginSession
    lang: str
    form: MultiDictProxy[str] = field(default_factory=lambda: MultiDictProxy(MultiDict()))

    @property
    def app(self) -> web.Application:
        return self.request.app

    @property
    def store(self) -> Store:
        return self.app[appkeys.STORE]

    @property
    def hub(self) -> Hub:
        return self.app[appkeys.HUB]

    def t(self, key: str, **params: Any) -> str:
        return translate(self.lang, key, **params)

    @property
    def base_url(self) -> str:
        """For links the admin hands on: public_url when set, else this server as the browser
        reached it (a proxy in front must then pass Host and the scheme on)."""
        settings = self.hub.settings
        if settings.public_url:
            return settings.public_url.rstrip("/")
        return f"{self.request.scheme}://{self.request.host}"

    def text(self, name: str, max_chars: int = 1000) -> str:
        """A form field, stripped; over-long input is cut here and refused by validation."""
        return (self.form.get(name) or "").strip()[: max_chars + 1]

    def render(self, template: str, status: int = 200, errors: Errors | None = None,
               **context: Any) -> web.Response:
        shown = {name: self.t(msg.key, **msg.params) for name, msg in (errors or {}).items()}
        notice = self.request.query.get("notice", "")
        known = notice.startswith("admin.notice.") and notice in catalog(self.lang)
        return render_template(
            self.request, template, self.lang,
            status=400 if errors and status == 200 else status,
            me=self.me, csrf_token=self.login.csrf, errors=shown, empty=EMPTY_FORM,
            notice=self.t(notice) if known else None, **context)

    def redirect(self, path: str, notice: str | None = None, **query: str) -> web.HTTPSeeOther:
        params = {**query, **({"notice": f"admin.notice.{notice}"} if notice else {})}
        return web.HTTPSeeOther(f"{path}?{urlencode(params)}" if params else path)

    async def audit(self, action: str, target: str, detail: str = "") -> None:
        await self.store.audit.record(AuditEntry(
            ts_ms=self.hub.now_ms(), actor_id=self.me.id, actor_name=self.me.name,
            action=action, target=target, detail=detail))
        log.info("admin change action=%s counselor=%s", action, self.me.id)


CtxHandler = Callable[[Ctx], Awaitable[web.StreamResponse]]


class NotFound(Exception):
    """What the URL names does not exist (any more): answered with a 404 page saying so."""

    def __init__(self, message_key: str) -> None:
        super().__init__(message_key)
        self.message_key = message_key


def requires(role: str | None, *, enrolment: bool = False) -> Callable[[CtxHandler], Handler]:
    """Wrap a handler: a login with `role` (None: any counselor) on every request, and a valid
    CSRF token with a same-origin request on every POST. Anonymous GETs go to the login page;
    everything else refused gets a page saying why. An admin who must set up two-factor login
    first (helpchat/two_factor.py) is sent to it from every page but the enrolment pages
    (`enrolment=True`)."""

    def decorate(handler: CtxHandler) -> Handler:
        @functools.wraps(handler)
        async def wrapped(request: web.Request) -> web.StreamResponse:
            settings = request.app[appkeys.HUB].settings
            lang = page_language(request)
            found = await current_login(request)
            if found is None:
                if request.method == "GET":
                    raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='/')}")
                return reason_page(request, 401, "admin.denied.login", lang)
            login, me = found
            if role is not None and not me.has_role(role):
                log.info("refused path=%s counselor=%s: needs %s", request.path, me.id, role)
                return reason_page(request, 403, "admin.denied.role", lang,
                                   role=translate(lang, f"admin.role.{role}"))
            if not enrolment and await enrolment_due(request.app, me):
                if request.method == "GET":
                    next_path = quote(request.path_qs, safe="/")
                    raise web.HTTPFound(f"/account/two-factor?next={next_path}")
                return reason_page(request, 403, "admin.denied.two_factor", lang)
            ctx = Ctx(request, me, login, lang)
            if request.method == "POST":
                try:
                    ctx.form = await csrf.checked_form(request, login.csrf, settings)
                except csrf.CsrfError as exc:
                    log.info("refused form path=%s: %s", request.path, exc.reason)
                    return reason_page(request, 403, "admin.denied.csrf", lang)
            try:
                return await handler(ctx)
            except NotFound as exc:
                return reason_page(request, 404, exc.message_key, lang)

        return wrapped

    return decorate


admin_only = requires("admin")
any_counselor = requires(None)
enrolling = requires(None, enrolment=True)
