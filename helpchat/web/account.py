"""My account (every counselor): the name visitors and colleagues see. The login name stays
with the admins (issue 10)."""

from __future__ import annotations

from aiohttp import web

from helpchat import display_names, two_factor
from helpchat.web.admin_common import Ctx, Errors, Msg, any_counselor


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/account", account_page)
    app.router.add_post("/account/name", save_name)


async def show(ctx: Ctx, errors: Errors | None = None,
               value: str | None = None) -> web.Response:
    shown = ctx.me.display_name or display_names.suggestion(ctx.me.name)
    return ctx.render("account/account.html", errors=errors,
                      values={"display_name": shown if value is None else value},
                      two_factor_offered=two_factor.offered(ctx.me),
                      two_factor_on=bool(await ctx.store.two_factor.sealed_secret(ctx.me.id)))


@any_counselor
async def account_page(ctx: Ctx) -> web.StreamResponse:
    return await show(ctx)


@any_counselor
async def save_name(ctx: Ctx) -> web.StreamResponse:
    value = display_names.clean(ctx.text("display_name", display_names.MAX_CHARS + 20))
    problem = display_names.problem(value, ctx.me.name)
    if problem:
        error = Msg(f"admin.counselors.error.display_{problem}")
        return await show(ctx, {"display_name": error}, value)
    await ctx.store.counselors.set_display_name(ctx.me.id, value)
    await ctx.audit("counselor.display_name", ctx.me.name, value)
    raise ctx.redirect("/account", "display_name_saved")
