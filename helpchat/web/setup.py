"""One-time links opened without a login: a counselor's invite or reset link (set a password)
and the first-admin setup link printed on a first start without any admin. No default accounts
exist, ever: the first admin comes from this link or from `run.py create-user`."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from aiohttp import web

from helpchat import appkeys, identity
from helpchat.config import Settings
from helpchat.i18n import translate
from helpchat.passwords import MIN_LENGTH, hash_password, policy_error
from helpchat.store import Store
from helpchat.store.audit import AuditEntry
from helpchat.store.connection import connect
from helpchat.store.invites import Invite, digest
from helpchat.store.models import Counselor
from helpchat.web import csrf
from helpchat.web.admin_common import Errors, Msg, page_language, reason_page, render_template
from helpchat.web.admin_counselors import NAME

log = logging.getLogger(__name__)
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
MAX_PASSWORD = 1024


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/invite/{token}", invite_page)
    app.router.add_post("/invite/{token}", invite_submit)
    app.router.add_get("/setup/{token}", setup_page)
    app.router.add_post("/setup/{token}", setup_submit)


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


def password_problem(password: str, again: str) -> Msg | None:
    if len(password) < MIN_LENGTH:
        return Msg("admin.password.too_short", {"min": MIN_LENGTH})
    if len(password) > MAX_PASSWORD:
        return Msg("admin.error.too_long", {"max": MAX_PASSWORD})
    if policy_error(password):
        return Msg("admin.password.too_common")
    if password != again:
        return Msg("admin.password.mismatch")
    return None


def lang_of(request: web.Request) -> str:
    return page_language(request)


def form_page(request: web.Request, token: str, kind: str, errors: Errors | None = None,
              **context: Any) -> web.Response:
    lang = lang_of(request)
    shown = {k: render_msg(lang, m) for k, m in (errors or {}).items()}
    secret = request.app[appkeys.HUB].settings.secret_key
    return render_template(request, "admin/password.html", lang, status=400 if errors else 200,
                           kind=kind, errors=shown, min_length=MIN_LENGTH,
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
    problem = password_problem(form["password"], form["password_again"])
    if problem:
        return form_page(request, token, "invite", {"password": problem}, name=counselor.name,
                         purpose=invite.purpose)
    store, hub = request.app[appkeys.STORE], request.app[appkeys.HUB]
    if await store.invites.consume(token) is None:
        return gone(request)
    await store.counselors.set_password_hash(counselor.id, await hash_password(form["password"]))
    # A reset means the old password may be known to someone else: end every old session.
    for sid in await store.auth.delete_all(counselor.id):
        await hub.sio.disconnect(sid, namespace="/counselor")
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


def setup_errors(form: dict[str, str]) -> Errors:
    errors: Errors = {}
    if not NAME.fullmatch(form["name"].strip()):
        errors["name"] = Msg("admin.counselors.error.name")
    problem = password_problem(form["password"], form["password_again"])
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
    errors = setup_errors(form)
    if errors:
        return form_page(request, token, "setup", errors, values={"name": form["name"]})
    store, hub = request.app[appkeys.STORE], request.app[appkeys.HUB]
    if await store.invites.consume(token) is None:
        return gone(request)
    counselor_id, name = identity.new_id(), form["name"].strip()
    created = await store.counselors.create(
        counselor_id, name=name, roles=("admin",), max_chats=hub.settings.default_max_chats,
        password_hash=await hash_password(form["password"]), now_ms=hub.now_ms())
    if not created:
        return gone(request)
    admin = await store.counselors.get(counselor_id)
    if admin:
        await audit(request, admin, "counselor.first_admin_created")
    log.info("first admin created counselor=%s", counselor_id)
    return done(request, "admin.link.admin_created")
