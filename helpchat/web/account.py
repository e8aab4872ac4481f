"""My account (every counselor): the name visitors and colleagues see. The login name stays
with the admins (issue 10)."""

from __future__ import annotations

from aiohttp import web

from helpchat import display_names
from helpchat.web.admin_common import Ctx, Errors, Msg, any_counselor


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/account", account_page)
    app.router.add_post("/account/name", save_name)


def show(ctx: Ctx, errors: Errors | None = None, value: str | None = None) -> web.Response:
    shown = ctx.me.display_name or display_names.suggestion(ctx.me.name)
    return ctx.render("account/account.html", errors=errors,
                      values={"display_name": shown if value is None else value})


@any_counselor
async def account_page(ctx: Ctx) -> web.StreamResponse:
    return show(ctx)


@any_counselor
async def save_name(ctx: Ctx) -> web.StreamResponse:
    value = display_names.clean(ctx.text("display_name", display_names.MAX_CHARS + 20))
    problem = display_names.problem(value, ctx.me.name)
    if problem:
        return show(ctx, {"display_name": Msg(f"admin.counselors.error.display_{problem}")},
                    value)
    await ctx.store.counselors.set_display_name(ctx.me.id, value)
    await ctx.audit("counselor.display_name", ctx.me.name, value)
    raise ctx.redirect("/account", "display_name_saved")
