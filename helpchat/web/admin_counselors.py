"""Admin: counselor accounts. Created without a password: the admin hands over a one-time
link (48 h) where the counselor sets one. Roles, chat limit, disable/enable, reset link."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from helpchat import display_names, identity
from helpchat.store.models import Counselor
from helpchat.web import admin_forms as forms
from helpchat.web.admin_common import ROLES, Ctx, Errors, Msg, NotFound, admin_only

NAME = re.compile(r"[A-Za-z0-9._-]{2,40}")  # the same rule as `run.py create-user`
# Not an argon2 hash: no password verifies against it until the invite link is used.
PENDING_HASH = "!pending"
VALID_ID = re.compile(r"[0-9a-f]{32}")


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/admin/counselors", list_page)
    r.add_post("/admin/counselors", create)
    r.add_get("/admin/counselors/{id}", edit_page)
    r.add_post("/admin/counselors/{id}", save)
    r.add_post("/admin/counselors/{id}/disable", disable)
    r.add_post("/admin/counselors/{id}/enable", enable)
    r.add_post("/admin/counselors/{id}/reset", reset)
    r.add_post("/admin/counselors/{id}/two-factor-reset", reset_two_factor)


def role_of(counselor: Counselor) -> str:
    ranked = [r for r in ROLES if r in counselor.roles]
    return ranked[-1] if ranked else "counselor"


def invite_url(ctx: Ctx, token: str) -> str:
    return f"{ctx.base_url}/invite/{token}"


async def list_context(ctx: Ctx) -> dict[str, Any]:
    everyone = await ctx.store.counselors.all()
    duty = await ctx.store.counselors.on_duty()
    return {"counselors": everyone, "duty": duty, "role_of": role_of, "roles": ROLES,
            "unconfirmed": [c for c in everyone if not c.display_confirmed and not c.disabled],
            "two_factor": await ctx.store.two_factor.enrolled([c.id for c in everyone]),
            "pending": PENDING_HASH, "max_limit": ctx.hub.settings.max_chats_limit}


@admin_only
async def list_page(ctx: Ctx) -> web.StreamResponse:
    return await show_list(ctx)


async def show_list(ctx: Ctx, errors: Errors | None = None, **extra: Any) -> web.Response:
    values = ctx.form if errors else {"max_chats": str(ctx.hub.settings.default_max_chats)}
    return ctx.render("admin/counselors.html", errors=errors, values=values,
                      **(await list_context(ctx)), **extra)


def parse_display_name(ctx: Ctx, errors: Errors, login_name: str) -> str:
    """The display name from the form; "" when left empty (the account then waits for one,
    and the admin list asks for it)."""
    value = display_names.clean(ctx.text("display_name", display_names.MAX_CHARS + 20))
    problem = display_names.problem(value, login_name) if value else None
    if problem:
        errors["display_name"] = Msg(f"admin.counselors.error.display_{problem}")
    return value


def parse_role_and_limit(ctx: Ctx, errors: Errors) -> tuple[str, int]:
    role = ctx.text("role", 20)
    if role not in ROLES:
        errors["role"] = Msg("admin.counselors.error.role")
    limit = ctx.hub.settings.max_chats_limit
    return role, forms.integer(errors, "max_chats", ctx.text("max_chats", 5), 1, limit)


@admin_only
async def create(ctx: Ctx) -> web.StreamResponse:
    errors: Errors = {}
    name = ctx.text("name", 40)
    if not NAME.fullmatch(name):
        errors["name"] = Msg("admin.counselors.error.name")
    role, max_chats = parse_role_and_limit(ctx, errors)
    display_name = parse_display_name(ctx, errors, name)
    if errors:
        return await show_list(ctx, errors)
    counselor_id = identity.new_id()
    created = await ctx.store.counselors.create(
        counselor_id, name=name, roles=(role,), max_chats=max_chats,
        password_hash=PENDING_HASH, now_ms=ctx.hub.now_ms(), display_name=display_name)
    if not created:
        return await show_list(ctx, {"name": Msg("admin.counselors.error.name_taken")})
    token = await ctx.store.invites.create(counselor_id, "invite")
    await ctx.audit("counselor.created", name, f"role={role} max_chats={max_chats}")
    return ctx.render("admin/invite_link.html", name=name, link=invite_url(ctx, token),
                      purpose="invite")


async def target(ctx: Ctx) -> Counselor:
    counselor_id = ctx.request.match_info["id"]
    counselor = VALID_ID.fullmatch(counselor_id) and await ctx.store.counselors.get(counselor_id)
    if not counselor:
        raise NotFound("admin.counselors.not_found")
    return counselor


@admin_only
async def edit_page(ctx: Ctx) -> web.StreamResponse:
    counselor = await target(ctx)
    return await show_edit(ctx, counselor, edit_values(counselor))


def edit_values(counselor: Counselor) -> dict[str, str]:
    return {"role": role_of(counselor), "max_chats": str(counselor.max_chats),
            "display_name": counselor.display_name or display_names.suggestion(counselor.name)}


async def show_edit(ctx: Ctx, counselor: Counselor, values: Any,
                    errors: Errors | None = None) -> web.Response:
    return ctx.render("admin/counselor_edit.html", errors=errors, values=values,
                      counselor=counselor, roles=ROLES, role_of=role_of,
                      pending=PENDING_HASH, max_limit=ctx.hub.settings.max_chats_limit,
                      duty=await ctx.store.counselors.duty(counselor.id),
                      two_factor=bool(await ctx.store.two_factor.sealed_secret(counselor.id)))


async def other_active_admins(ctx: Ctx, counselor: Counselor) -> int:
    return sum(1 for c in await ctx.store.counselors.all()
               if c.id != counselor.id and not c.disabled and c.has_role("admin"))


@admin_only
async def save(ctx: Ctx) -> web.StreamResponse:
    counselor = await target(ctx)
    errors: Errors = {}
    role, max_chats = parse_role_and_limit(ctx, errors)
    display_name = parse_display_name(ctx, errors, counselor.name)
    if not errors and role != "admin" and counselor.has_role("admin") \
            and not await other_active_admins(ctx, counselor):
        errors["role"] = Msg("admin.counselors.error.last_admin")
    if errors:
        return await show_edit(ctx, counselor, ctx.form, errors)
    await ctx.store.counselors.update(counselor.id, roles=role, max_chats=max_chats)
    await ctx.audit("counselor.changed", counselor.name, f"role={role} max_chats={max_chats}")
    if role != role_of(counselor):
        # Rooms and monitor sessions follow the role: the open consoles reconnect into it.
        await ctx.hub.sweeps.account_changed(counselor.id, "role_changed")
    if display_name and (display_name != counselor.display_name
                         or not counselor.display_confirmed):
        await ctx.store.counselors.set_display_name(counselor.id, display_name)
        await ctx.audit("counselor.display_name", counselor.name, display_name)
    raise ctx.redirect(f"/admin/counselors/{counselor.id}", "saved")


@admin_only
async def disable(ctx: Ctx) -> web.StreamResponse:
    counselor = await target(ctx)
    if counselor.id == ctx.me.id:
        return await show_edit(ctx, counselor, edit_values(counselor),
                               {"disable": Msg("admin.counselors.error.disable_self")})
    await ctx.store.counselors.update(counselor.id, disabled="1")
    await ctx.store.invites.revoke(counselor.id)
    # Sessions and sockets go at once, on every process; their chats return to the queue.
    await ctx.hub.sweeps.remove_counselor(counselor.id)
    await ctx.audit("counselor.disabled", counselor.name)
    raise ctx.redirect(f"/admin/counselors/{counselor.id}", "disabled")


@admin_only
async def enable(ctx: Ctx) -> web.StreamResponse:
    counselor = await target(ctx)
    await ctx.store.counselors.update(counselor.id, disabled="0")
    await ctx.audit("counselor.enabled", counselor.name)
    raise ctx.redirect(f"/admin/counselors/{counselor.id}", "enabled")


@admin_only
async def reset(ctx: Ctx) -> web.StreamResponse:
    counselor = await target(ctx)
    token = await ctx.store.invites.create(counselor.id, "reset")
    await ctx.audit("counselor.reset_link", counselor.name)
    return ctx.render("admin/invite_link.html", name=counselor.name,
                      link=invite_url(ctx, token), purpose="reset")


@admin_only
async def reset_two_factor(ctx: Ctx) -> web.StreamResponse:
    """For a lost phone: the account logs in with its password alone again (an admin in
    production is asked to set it up anew at once). Audited. Whoever has the phone may hold
    a session too: every session and socket of the account ends, on every process."""
    counselor = await target(ctx)
    if await ctx.store.two_factor.remove(counselor.id):
        await ctx.hub.sweeps.end_sessions(counselor.id, "two_factor_reset")
        await ctx.audit("counselor.two_factor_reset", counselor.name)
    raise ctx.redirect(f"/admin/counselors/{counselor.id}", "two_factor_reset")
