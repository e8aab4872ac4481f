"""Admin: the active blocks (pseudonym, when, by whom, reason, until) and lifting one."""

from __future__ import annotations

import re
from datetime import datetime

from aiohttp import web

from helpchat import identity
from helpchat.web import admin_roster
from helpchat.web.admin_common import Ctx, NotFound, admin_only

# The session key (an HMAC of the token) travels only in the POST body: paths reach the
# access log, form bodies do not.
VISITOR_ID = re.compile(r"^[0-9a-f]{64}$")


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/admin/blocks", blocks_page)
    app.router.add_post("/admin/blocks/lift", lift)


@admin_only
async def blocks_page(ctx: Ctx) -> web.StreamResponse:
    blocks = await ctx.store.sessions.blocks(ctx.hub.now_ms())
    zone = (await admin_roster.current_roster(ctx)).zone

    def when(ts_ms: int) -> str:
        return f"{datetime.fromtimestamp(ts_ms / 1000, zone):%Y-%m-%d %H:%M}"

    rows = [{"vid": b.vid, "pseudonym": identity.pseudonym(b.pseudonym_code, ctx.lang),
             "at": when(b.at_ms), "by": b.by_name, "reason": b.reason, "until": when(b.until_ms)}
            for b in blocks]
    return ctx.render("admin/blocks.html", blocks=rows)


@admin_only
async def lift(ctx: Ctx) -> web.StreamResponse:
    vid = ctx.text("vid", 64)
    if not VISITOR_ID.match(vid):
        raise NotFound("admin.blocks.gone")
    lifted = await ctx.store.sessions.lift(vid)
    if lifted is None:
        raise NotFound("admin.blocks.gone")
    await ctx.audit("block.lifted", identity.pseudonym(lifted.pseudonym_code, "en"),
                    f"blocked by {lifted.by_name}")
    raise ctx.redirect("/admin/blocks", "block_lifted")
