"""Admin home (/admin/): where a new admin lands after the first setup, with the few steps that
make the chat usable. Each step ticks itself off from what the service already knows; nobody
ticks a box by hand."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from helpchat.store import keys
from helpchat.store.stats import WIDGET_EMBEDDED
from helpchat.web.admin_common import Ctx, admin_only


@dataclass(frozen=True)
class Step:
    key: str  # admin.home.step.<key>
    done: bool
    href: str


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/admin", home)
    app.router.add_get("/admin/", home)
    app.router.add_post("/admin/contacts/checked", contacts_checked)


async def steps(ctx: Ctx) -> list[Step]:
    store = ctx.store
    accounts = await store.counselors.all()
    roster = await store.roster.load()
    audit = await store.audit.recent(keys.AUDIT_CAP)
    counts = await store.stats.counts()
    return [
        Step("contacts", any(e.action.startswith("contacts.") for e in audit), "/admin/contacts"),
        Step("counselor", any(not c.has_role("admin") for c in accounts), "/admin/counselors"),
        Step("roster", bool(roster and (roster.shifts or roster.extra_shifts)), "/admin/roster"),
        Step("embedded", counts.get(WIDGET_EMBEDDED, 0) > 0, "/admin/settings#embed-title"),
    ]


@admin_only
async def home(ctx: Ctx) -> web.StreamResponse:
    found = await steps(ctx)
    return ctx.render("admin/home.html", steps=found, done=sum(s.done for s in found))


@admin_only
async def contacts_checked(ctx: Ctx) -> web.StreamResponse:
    """"These contacts are right for our region": recorded once per click in the audit log,
    which is what the home page's first step looks for."""
    await ctx.audit("contacts.checked", ctx.t("admin.nav.contacts"))
    raise ctx.redirect("/admin/contacts", "contacts_checked")
