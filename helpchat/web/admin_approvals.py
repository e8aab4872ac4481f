"""Admin: approving or refusing the swaps and give-aways that colleagues accepted while
`roster_approval` is on (issue 14, point 10). The rules are roster_signup's; the steps run
through My shifts' `step`, so they are one atomic write and audited the same way."""

from __future__ import annotations

from aiohttp import web

from helpchat import roster_signup as signup
from helpchat.roster_signup import ShiftRequest
from helpchat.web.admin_common import Ctx, Msg, admin_only
from helpchat.web.admin_roster import show
from helpchat.web.my_shifts import request_target, step, steps

admin_step = steps(admin_only)


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/admin/roster/requests/{id}/approve", approve)
    app.router.add_post("/admin/roster/requests/{id}/refuse", refuse)


async def refused(ctx: Ctx, code: str) -> web.Response:
    """The roster page with the reason above the approvals (409)."""
    message = Msg("admin.error.refused", {"reason": ctx.t(f"admin.shifts.refused.{code}")})
    return await show(ctx, {"approvals": message}, "approvals")


@admin_step
async def approve(ctx: Ctx) -> web.StreamResponse:
    request_id = ctx.request.match_info["id"]
    req: ShiftRequest = await step(
        ctx, lambda r, q, at: signup.approve(r, q, request_id, at), refused)
    await ctx.hub.pushes.push_availability()
    await ctx.audit("roster.request_approved", *(await request_target(ctx, req)))
    raise ctx.redirect("/admin/roster", "request_approved")


@admin_step
async def refuse(ctx: Ctx) -> web.StreamResponse:
    request_id = ctx.request.match_info["id"]
    req: ShiftRequest = await step(
        ctx, lambda r, q, at: (r, *signup.close(q, request_id, "refused", "")), refused)
    await ctx.audit("roster.request_refused", *(await request_target(ctx, req)))
    raise ctx.redirect("/admin/roster", "request_refused")
