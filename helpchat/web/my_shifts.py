"""My shifts (every counselor): the coming weeks' runs, and the volunteer's own roster steps
(issue 14, point 10): claim an open place, give a place back, offer a run away or ask a
colleague to swap, accept or decline what colleagues offer, withdraw one's own request.
The rules are roster_signup's; every step is one atomic write of the roster document,
audited, and followed by availability (the iCal feeds read the same roster)."""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from aiohttp import web

from helpchat import roster as rosters
from helpchat import roster_signup as signup
from helpchat.roster import Occurrence, Roster
from helpchat.roster_signup import ShiftRequest, SignupError
from helpchat.store.roster import Requests
from helpchat.web.admin_common import Ctx, CtxHandler, Handler, any_counselor
from helpchat.web.admin_roster import current_roster, describe_run, request_rows
from helpchat.web.shifts import PAGE_WEEKS, feed_url, now

RUN = re.compile(r"([A-Za-z0-9_-]{1,40})/([0-9]{4}-[0-9]{2}-[0-9]{2})")  # "shift id/day"
MAX_SWAP_CHOICES = 80


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/shifts", my_shifts)
    app.router.add_get("/shifts/", my_shifts)
    app.router.add_post("/shifts/claim", claim)
    app.router.add_post("/shifts/give-back", give_back)
    app.router.add_post("/shifts/requests", make_request)
    app.router.add_post("/shifts/requests/{id}/accept", accept)
    app.router.add_post("/shifts/requests/{id}/decline", decline)
    app.router.add_post("/shifts/requests/{id}/withdraw", withdraw)


def run_key(occ: Occurrence) -> str:
    return f"{occ.shift_id}/{occ.day}"


def parse_run(value: str) -> tuple[str, date] | None:
    match = RUN.fullmatch(value)
    if match is None:
        return None
    try:
        return match[1], date.fromisoformat(match[2])
    except ValueError:
        return None


async def page(ctx: Ctx, problem: str | None = None) -> web.Response:
    """The page; after a refused step `problem` is the catalog key saying why (409)."""
    roster = await current_roster(ctx)
    requests = await ctx.store.roster.requests()
    at = now(ctx.app)
    me = ctx.me.id
    ahead = signup.upcoming(roster, at, timedelta(weeks=PAGE_WEEKS))
    everyone = await ctx.store.counselors.all()
    names = {c.id: c.shown_name_in(ctx.lang) for c in everyone}
    live_runs = {(r.shift_id, r.day) for r in requests if r.live and r.requester == me}

    def colleagues(occ: Occurrence) -> str:
        others = (names.get(c, "?") for c in occ.counselor_ids if c != me)
        return ", ".join(sorted(others, key=str.lower))

    # A run under way stays listed (without buttons): the counselor is on it right now.
    mine = [o for o in rosters.occurrences(roster, at, at + timedelta(weeks=PAGE_WEEKS))
            if me in o.counselor_ids]
    open_runs = [o for o in ahead if o.open_places > 0 and me not in o.counselor_ids]
    swap_choices = [(o, c) for o in ahead if me not in o.counselor_ids
                    for c in o.counselor_ids][:MAX_SWAP_CHOICES]
    all_rows = request_rows(roster, requests)
    offers = [row for row in all_rows if row.request.status == "open"
              and row.request.requester != me and row.run is not None
              and row.run.start > at and me not in row.run.counselor_ids
              and (row.request.kind == "giveaway" or row.request.colleague == me)]
    context: dict[str, Any] = {
        "shifts": mine, "colleagues": colleagues, "weeks": PAGE_WEEKS,
        "feed": await feed_url(ctx), "zone": roster.zone, "open_runs": open_runs,
        "swap_choices": swap_choices, "offers": offers,
        "my_requests": [row for row in all_rows if row.request.requester == me],
        "names": names, "run_key": run_key, "live_runs": live_runs,
        "started": lambda occ: occ.start <= at,
        "may_give_back": lambda occ: signup.open_shift(roster, occ.shift_id),
        "clashes": lambda occ: signup.overlaps(roster, me, occ),
        "describe": lambda occ: describe_run(occ, ctx.t, roster.zone),
        "approval": ctx.hub.settings.roster_approval,
        "problem": ctx.t(f"admin.shifts.refused.{problem}") if problem else None,
    }
    # Malformed input is a 400; a step the roster does not allow (full, overlap...) a 409.
    status = 200 if problem is None else 400 if problem == "invalid" else 409
    return ctx.render("shifts/my_shifts.html", status=status, **context)


@any_counselor
async def my_shifts(ctx: Ctx) -> web.StreamResponse:
    return await page(ctx)


# --- the steps -----------------------------------------------------------------------------

Change = Callable[[Roster, Requests, datetime], tuple[Roster, Requests, Any]]


class Refused(Exception):
    """A step refused: answered with the page saying why."""

    def __init__(self, response: web.Response) -> None:
        super().__init__("refused")
        self.response = response


def steps(guard: Callable[[CtxHandler], Handler]) -> Callable[[CtxHandler], Handler]:
    """`guard` (who may) around a handler whose refused step answers with its page."""

    def decorate(handler: CtxHandler) -> Handler:
        @functools.wraps(handler)
        async def wrapped(ctx: Ctx) -> web.StreamResponse:
            try:
                return await handler(ctx)
            except Refused as exc:
                return exc.response

        return guard(wrapped)

    return decorate


counselor_step = steps(any_counselor)
Page = Callable[[Ctx, str], Awaitable[web.Response]]


async def step(ctx: Ctx, change: Change, refused: Page | None = None) -> Any:
    """Run one step on the stored roster and requests (pruned of old requests on the way)
    and return its result; a refusal raises Refused with the page saying why (My shifts
    unless `refused` gives another)."""
    at = now(ctx.app)
    settings = ctx.hub.settings

    def apply(stored: Roster, requests: Requests) -> tuple[Roster, Requests, Any]:
        # Days and times are the settings' zone, as everywhere the roster is read.
        roster = replace(stored, timezone=settings.timezone,
                         last_intake_minutes=settings.last_intake_minutes)
        today = at.astimezone(roster.zone).date()
        new, new_requests, result = change(roster, signup.prune(requests, today), at)
        kept = replace(new, timezone=stored.timezone,
                       last_intake_minutes=stored.last_intake_minutes)
        return kept, new_requests, result

    try:
        return await ctx.store.roster.signup(apply)
    except SignupError as exc:
        raise Refused(await (refused or page)(ctx, exc.code)) from None


def form_run(ctx: Ctx, name: str = "run") -> tuple[str, date] | None:
    return parse_run(ctx.text(name, 60))


async def done(ctx: Ctx, action: str, target: str, detail: str, notice: str,
               roster_changed: bool = True) -> web.HTTPSeeOther:
    if roster_changed:
        await ctx.hub.pushes.push_availability()
    await ctx.audit(action, target, detail)
    return ctx.redirect("/shifts/", notice)


async def run_text(ctx: Ctx, shift_id: str, day: date | None) -> str:
    """The run as the audit log names it, in no page's language: "2026-12-08 18:00-22:00 Avond"."""
    roster = await current_roster(ctx)
    occ = signup.run_of(roster, shift_id, day) if day else None
    if occ is None:
        return f"{shift_id} {day} (gone)"
    start, end = occ.start.astimezone(roster.zone), occ.end.astimezone(roster.zone)
    return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M} {occ.label}".rstrip()


@counselor_step
async def claim(ctx: Ctx) -> web.StreamResponse:
    run = form_run(ctx)
    if run is None:
        return await page(ctx, "invalid")
    await step(ctx, lambda r, q, at: (signup.claim(r, *run, ctx.me.id, at), q, None))
    raise await done(ctx, "roster.place_claimed", await run_text(ctx, *run), ctx.me.name,
                     "place_claimed")


@counselor_step
async def give_back(ctx: Ctx) -> web.StreamResponse:
    run = form_run(ctx)
    if run is None:
        return await page(ctx, "invalid")
    await step(ctx, lambda r, q, at: (signup.give_back(r, q, *run, ctx.me.id, at), q, None))
    raise await done(ctx, "roster.place_given_back", await run_text(ctx, *run), ctx.me.name,
                     "place_given_back")


@counselor_step
async def make_request(ctx: Ctx) -> web.StreamResponse:
    kind = ctx.text("kind", 10)
    run = form_run(ctx)
    theirs = ctx.text("theirs", 100).rpartition("/")
    their_run = parse_run(theirs[0]) if kind == "swap" else None
    if run is None or kind not in signup.KINDS or (kind == "swap" and their_run is None):
        return await page(ctx, "invalid")
    new = ShiftRequest(
        id=secrets.token_hex(8), kind="swap" if kind == "swap" else "giveaway",
        shift_id=run[0], day=run[1], requester=ctx.me.id, created_ms=ctx.hub.now_ms(),
        colleague=theirs[2] if their_run else "",
        their_shift_id=their_run[0] if their_run else "",
        their_day=their_run[1] if their_run else None)
    await step(ctx, lambda r, q, at: (r, signup.request(r, q, new, at), None))
    names = {c.id: c.name for c in await ctx.store.counselors.all()}
    detail = ctx.me.name
    if their_run:
        detail += f" <-> {names.get(new.colleague, '?')}: {await run_text(ctx, *their_run)}"
    raise await done(ctx, f"roster.{new.kind}_requested", await run_text(ctx, *run), detail,
                     f"{new.kind}_requested", roster_changed=False)


async def request_target(ctx: Ctx, req: ShiftRequest) -> tuple[str, str]:
    """(target, detail) of an audit entry about a request: the run, and who is involved."""
    names = {c.id: c.name for c in await ctx.store.counselors.all()}
    parts = [f"{req.kind} {names.get(req.requester, '?')}"]
    if req.accepted_by or req.colleague:
        parts.append(f"-> {names.get(req.accepted_by or req.colleague, '?')}")
    if req.their_day:
        parts.append(f"for {await run_text(ctx, req.their_shift_id, req.their_day)}")
    return await run_text(ctx, req.shift_id, req.day), " ".join(parts)


@counselor_step
async def accept(ctx: Ctx) -> web.StreamResponse:
    request_id = ctx.request.match_info["id"]
    approval = ctx.hub.settings.roster_approval
    req: ShiftRequest = await step(ctx, lambda r, q, at: signup.accept(
        r, q, request_id, ctx.me.id, at, approval))
    target, detail = await request_target(ctx, req)
    if req.status == "pending":
        raise await done(ctx, "roster.request_accepted", target, detail, "request_pending",
                         roster_changed=False)
    raise await done(ctx, "roster.request_done", target, detail, "request_done")


async def close(ctx: Ctx, status: signup.Status, notice: str) -> web.StreamResponse:
    request_id = ctx.request.match_info["id"]
    req: ShiftRequest = await step(ctx, lambda r, q, at: (
        r, *signup.close(q, request_id, status, ctx.me.id)))
    target, detail = await request_target(ctx, req)
    raise await done(ctx, f"roster.request_{status}", target, detail, notice,
                     roster_changed=False)


@counselor_step
async def decline(ctx: Ctx) -> web.StreamResponse:
    return await close(ctx, "declined", "request_declined")


@counselor_step
async def withdraw(ctx: Ctx) -> web.StreamResponse:
    return await close(ctx, "withdrawn", "request_withdrawn")
