"""One-time links opened without a login: a counselor's invite or reset link (set a password)
and the first-admin setup link printed on a first start without any admin. No default accounts
exist, ever: the first admin comes from this link or from `run.py create-user`."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from aiohttp import web

from helpchat import appkeys, identity, password_policy
from helpchat.config import Settings
from helpchat.i18n import translate
from helpchat.store import Store
from helpchat.store.audit import AuditEntry
from helpchat.store.connection import connect
from helpchat.store.invites import Invite, digest
from helpchat.store.models import Counselor
from helpchat.web import auth, csrf
from helpchat.web.admin_common import Errors, Msg, page_language, reason_page, render_template
from helpchat.web.admin_counselors import NAME

log = logging.getLogger(__name__)
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/invite/{token}", invite_page)
    app.router.add_post("/invite/{token}", invite_submit)
    app.router.add_post("/invite/{token}/strength", invite_strength)
    app.router.add_get("/setup/{token}", setup_page)
    app.router.add_post("/setup/{token}", setup_submit)
    app.router.add_post("/setup/{token}/strength", setup_strength)


# --- the first-admin link ----------------------------------------------------------------------


async def has_admin(store: Store) -> bool:
    return any(c.has_role("admin") and not c.disabled for c in await store.counselors.all())


async def setup_link_if_needed(store: Store, settings: Settings) -> str | None:
    """A fresh one-time setup link while no admin exists (the previous link dies), else None."""
    if await has_admin(store):
        return None
    token = await store.invites.create("", "setup")
    return f"{settings.base_url}/setup/{token}"


def first_run_setup_link(settings: Settings) -> str | None:
    """For the command line, before the server's event loop starts."""

    async def run() -> str | None:
        client = connect(settings.redis_url)
        try:
            return await setup_link_if_needed(Store.create(client, settings), settings)
        finally:
            await client.aclose()

    return asyncio.run(run())


# --- shared ------------------------------------------------------------------------------------


async def password_problem(request: web.Request, password: str, again: str,
                           names: list[str]) -> Msg | None:
    verdict = await request.app[appkeys.PASSWORDS].strength(password, names)
    if verdict.problem:
        return problem_message(verdict.problem)
    if password != again:
        return Msg("admin.password.mismatch")
    return None


def problem_message(problem: str) -> Msg:
    """The catalog message for a password_policy problem."""
    params = {"too_short": {"min": password_policy.MIN_LENGTH},
              "too_long": {"max": password_policy.MAX_LENGTH}}.get(problem, {})
    return Msg(f"admin.password.{problem}", params)


def lang_of(request: web.Request) -> str:
    return page_language(request)


def form_page(request: web.Request, token: str, kind: str, errors: Errors | None = None,
              **context: Any) -> web.Response:
    lang = lang_of(request)
    shown = {k: render_msg(lang, m) for k, m in (errors or {}).items()}
    secret = request.app[appkeys.HUB].settings.secret_key
    return render_template(request, "admin/password.html", lang, status=400 if errors else 200,
                           kind=kind, errors=shown, min_length=password_policy.MIN_LENGTH,
                           strength_url=f"{request.path}/strength?lang={lang}",
                           csrf_token=csrf.signed_token(secret, f"{kind}:{digest(token)}"),
                           **context)


def render_msg(lang: str, msg: Msg) -> str:
    return translate(lang, msg.key, **msg.params)


def gone(request: web.Request) -> web.Response:
    return reason_page(request, 410, "admin.link.gone")


async def checked(request: web.Request, token: str, kind: str) -> dict[str, str] | None:
    settings = request.app[appkeys.HUB].settings
    try:
        form = await csrf.checked_form(
            request, csrf.signed_token(settings.secret_key, f"{kind}:{digest(token)}"), settings)
    except csrf.CsrfError as exc:
        log.info("refused %s form: %s", kind, exc.reason)
        return None
    return {k: form.get(k) or "" for k in ("name", "password", "password_again")}


def done(request: web.Request, key: str) -> web.Response:
    return render_template(request, "admin/password_done.html", lang_of(request), message_key=key)


async def audit(request: web.Request, actor: Counselor, action: str) -> None:
    hub = request.app[appkeys.HUB]
    await request.app[appkeys.STORE].audit.record(AuditEntry(
        ts_ms=hub.now_ms(), actor_id=actor.id, actor_name=actor.name, action=action,
        target=actor.name))


# --- invite and reset links --------------------------------------------------------------------


async def live_invite(request: web.Request) -> tuple[str, Invite, Counselor] | None:
    token = request.match_info["token"]
    if not TOKEN.fullmatch(token):
        return None
    store = request.app[appkeys.STORE]
    invite = await store.invites.peek(token)
    if invite is None or invite.purpose == "setup":
        return None
    counselor = await store.counselors.get(invite.counselor_id)
    if counselor is None or counselor.disabled:
        return None
    return token, invite, counselor


async def invite_page(request: web.Request) -> web.StreamResponse:
    found = await live_invite(request)
    if found is None:
        return gone(request)
    token, invite, counselor = found
    return form_page(request, token, "invite", name=counselor.name, purpose=invite.purpose)


async def invite_submit(request: web.Request) -> web.StreamResponse:
    found = await live_invite(request)
    if found is None:
        return gone(request)
    token, invite, counselor = found
    form = await checked(request, token, "invite")
    if form is None:
        return reason_page(request, 403, "admin.denied.csrf")
    problem = await password_problem(request, form["password"], form["password_again"],
                                     [counselor.name])
    if problem:
        return form_page(request, token, "invite", {"password": problem}, name=counselor.name,
                         purpose=invite.purpose)
    store, hub = request.app[appkeys.STORE], request.app[appkeys.HUB]
    if await store.invites.consume(token) is None:
        return gone(request)
    passwords = request.app[appkeys.PASSWORDS]
    await store.counselors.set_password_hash(counselor.id, await passwords.hash(form["password"]))
    # A reset means the old password may be known to someone else: end every old session.
    await hub.sweeps.end_sessions(counselor.id, "password_reset")
    await audit(request, counselor, f"counselor.password_set_{invite.purpose}")
    return done(request, "admin.link.password_set")


# --- first-admin setup -------------------------------------------------------------------------


async def live_setup(request: web.Request) -> str | None:
    token = request.match_info["token"]
    store = request.app[appkeys.STORE]
    if not TOKEN.fullmatch(token) or await has_admin(store):
        return None
    invite = await store.invites.peek(token)
    return token if invite and invite.purpose == "setup" else None


async def setup_page(request: web.Request) -> web.StreamResponse:
    token = await live_setup(request)
    if token is None:
        return gone(request)
    return form_page(request, token, "setup", values={})


async def setup_errors(request: web.Request, form: dict[str, str]) -> Errors:
    errors: Errors = {}
    if not NAME.fullmatch(form["name"].strip()):
        errors["name"] = Msg("admin.counselors.error.name")
    problem = await password_problem(request, form["password"], form["password_again"],
                                     [form["name"]])
    if problem:
        errors["password"] = problem
    return errors


async def setup_submit(request: web.Request) -> web.StreamResponse:
    token = await live_setup(request)
    if token is None:
        return gone(request)
    form = await checked(request, token, "setup")
    if form is None:
        return reason_page(request, 403, "admin.denied.csrf")
    errors = await setup_errors(request, form)
    if errors:
        return form_page(request, token, "setup", errors, values={"name": form["name"]})
    store, hub = request.app[appkeys.STORE], request.app[appkeys.HUB]
    if await store.invites.consume(token) is None:
        return gone(request)
    counselor_id, name = identity.new_id(), form["name"].strip()
    created = await store.counselors.create(
        counselor_id, name=name, roles=("admin",), max_chats=hub.settings.default_max_chats,
        password_hash=await request.app[appkeys.PASSWORDS].hash(form["password"]),
        now_ms=hub.now_ms())
    if not created:
        return gone(request)
    admin = await store.counselors.get(counselor_id)
    if admin is None:
        return gone(request)
    await audit(request, admin, "counselor.first_admin_created")
    log.info("first admin created counselor=%s", counselor_id)
    # Logged in at once and on the admin home with its checklist: typing the password just
    # chosen again on a login page that then lands on the console helped nobody.
    response = web.HTTPSeeOther("/admin/?notice=admin.notice.admin_created")
    await auth.start_session(request, admin, response)
    raise response


# --- feedback as the counselor types -------------------------------------------------------------


async def strength(request: web.Request, names: list[str]) -> web.Response:
    """The verdict of the same rule the form will apply, in the page's language. Only for a
    live link: nobody else can make us run zxcvbn."""
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError, LookupError):
        body = None
    password = body.get("password") if isinstance(body, dict) else None
    if not isinstance(password, str) or len(password) > password_policy.MAX_LENGTH + 1:
        return web.json_response({"ok": False, "error": {"code": "invalid",
                                                         "message": "password: a string"}},
                                 status=400)
    typed_name = body.get("name") if isinstance(body, dict) else None  # the setup form's name
    if isinstance(typed_name, str):
        names = [*names, typed_name[:40]]
    verdict = await request.app[appkeys.PASSWORDS].strength(password, names)
    lang = lang_of(request)
    message = render_msg(lang, problem_message(verdict.problem) if verdict.problem
                         else Msg("admin.password.ok"))
    return web.json_response(
        {"ok": True, "acceptable": verdict.ok, "score": verdict.score, "problem": verdict.problem,
         "message": message}, headers={"Cache-Control": "no-store"})


async def invite_strength(request: web.Request) -> web.StreamResponse:
    found = await live_invite(request)
    if found is None:
        return gone(request)
    return await strength(request, [found[2].name])


async def setup_strength(request: web.Request) -> web.StreamResponse:
    if await live_setup(request) is None:
        return gone(request)
    return await strength(request, [])
