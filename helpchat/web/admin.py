"""The admin pages under /admin/ (role admin on every route): roster, counselors, emergency
contacts, canned responses, settings and the audit log."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from helpchat import duty_rules
from helpchat.web import (
    admin_approvals,
    admin_blocks,
    admin_contacts,
    admin_counselors,
    admin_home,
    admin_insights,
    admin_roster,
    admin_settings,
)
from helpchat.web.admin_common import Ctx, admin_only

AUDIT_PAGE = 100


def setup_routes(app: web.Application) -> None:
    admin_home.setup_routes(app)
    app.router.add_get("/admin/audit", audit_page)
    admin_roster.setup_routes(app)
    admin_approvals.setup_routes(app)
    admin_counselors.setup_routes(app)
    admin_contacts.setup_routes(app)
    admin_settings.setup_routes(app)
    admin_insights.setup_routes(app)
    admin_blocks.setup_routes(app)


@admin_only
async def audit_page(ctx: Ctx) -> web.StreamResponse:
    page = ctx.request.query.get("page", "1")
    number = int(page) if page.isdigit() and 0 < int(page) < 1000 else 1
    entries = await ctx.store.audit.recent(AUDIT_PAGE, (number - 1) * AUDIT_PAGE)
    total = await ctx.store.audit.count()
    zone = (await admin_roster.current_roster(ctx)).zone

    def when(ts_ms: int) -> str:
        return f"{datetime.fromtimestamp(ts_ms / 1000, zone):%Y-%m-%d %H:%M:%S}"

    return ctx.render("admin/audit.html", entries=entries, when=when, page=number,
                      more=number * AUDIT_PAGE < total, total=total,
                      now=duty_rules.instant(ctx.hub.now_ms()))
