"""My shifts: a counselor's coming shifts, and a private iCalendar feed of them (revocable) so
the roster shows up in their phone's calendar."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from aiohttp import web

from helpchat import appkeys
from helpchat import roster as rosters
from helpchat.i18n import translate
from helpchat.roster import Occurrence, Roster
from helpchat.store.models import Counselor
from helpchat.web.admin_common import Ctx, any_counselor

PAGE_WEEKS = 4
FEED_PAST = timedelta(days=14)
FEED_AHEAD = timedelta(weeks=12)
COUNSELOR_ID = re.compile(r"[0-9a-f]{32}")
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/shifts/feed", renew_feed)
    app.router.add_post("/shifts/feed/revoke", revoke_feed)
    app.router.add_get("/shifts/feed/{counselor}/{token}.ics", feed)


def feed_token(secret_key: str, counselor_id: str, generation: int) -> str:
    mac = hmac.new(secret_key.encode(), f"ical:{counselor_id}:{generation}".encode(),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def mine(roster: Roster, counselor_id: str, start: datetime, end: datetime) -> list[Occurrence]:
    return [o for o in rosters.occurrences(roster, start, end) if counselor_id in o.counselor_ids]


def now(ctx_or_app: web.Application) -> datetime:
    return datetime.fromtimestamp(ctx_or_app[appkeys.HUB].now_ms() / 1000, UTC)


async def feed_url(ctx: Ctx) -> str | None:
    generation = await ctx.store.feeds.generation(ctx.me.id)
    if generation is None:
        return None
    settings = ctx.hub.settings
    token = feed_token(settings.secret_key, ctx.me.id, generation)
    return f"{ctx.base_url}/shifts/feed/{ctx.me.id}/{token}.ics"


@any_counselor
async def renew_feed(ctx: Ctx) -> web.StreamResponse:
    await ctx.store.feeds.renew(ctx.me.id)
    await ctx.audit("shifts.feed_renewed", ctx.me.name)
    raise ctx.redirect("/shifts/", "feed_renewed")


@any_counselor
async def revoke_feed(ctx: Ctx) -> web.StreamResponse:
    await ctx.store.feeds.revoke(ctx.me.id)
    await ctx.audit("shifts.feed_revoked", ctx.me.name)
    raise ctx.redirect("/shifts/", "feed_revoked")


async def feed_owner(request: web.Request) -> Counselor | None:
    counselor_id, token = request.match_info["counselor"], request.match_info["token"]
    if not COUNSELOR_ID.fullmatch(counselor_id) or not FEED_TOKEN.fullmatch(token):
        return None
    store, settings = request.app[appkeys.STORE], request.app[appkeys.HUB].settings
    generation = await store.feeds.generation(counselor_id)
    if generation is None:
        return None
    expected = feed_token(settings.secret_key, counselor_id, generation)
    if not hmac.compare_digest(expected, token):
        return None
    counselor = await store.counselors.get(counselor_id)
    return None if counselor is None or counselor.disabled else counselor


async def feed(request: web.Request) -> web.StreamResponse:
    """No login: calendar apps cannot log in. The unguessable, revocable link is the key."""
    counselor = await feed_owner(request)
    if counselor is None:
        raise web.HTTPNotFound()
    app = request.app
    saved = await app[appkeys.STORE].roster.load() or Roster()
    settings = app[appkeys.HUB].settings
    roster = dataclasses.replace(saved, timezone=settings.timezone,
                                 last_intake_minutes=settings.last_intake_minutes)
    at = now(app)
    # A calendar app sends no language: the feed speaks the server's default, names included.
    lang = settings.default_language
    names = {c.id: c.shown_name_in(lang) for c in await app[appkeys.STORE].counselors.all()}
    title = translate(lang, "admin.shifts.event_title")
    body = calendar(mine(roster, counselor.id, at - FEED_PAST, at + FEED_AHEAD), names, at, title)
    return web.Response(body=body.encode(), content_type="text/calendar", charset="utf-8",
                        headers={"Cache-Control": "private, max-age=900"})


# --- iCalendar (RFC 5545) ----------------------------------------------------------------------


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start = 0
    while start < len(data):
        end = min(start + (75 if not parts else 74), len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a UTF-8 char
            end -= 1
        parts.append(data[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event(occ: Occurrence, names: dict[str, str], generated: datetime, title: str) -> list[str]:
    colleagues = ", ".join(sorted(names.get(c, "?") for c in occ.counselor_ids))
    summary = f"{title}: {occ.label}" if occ.label else title
    return [
        "BEGIN:VEVENT",
        f"UID:{occ.shift_id}-{occ.start.astimezone(UTC):%Y%m%dT%H%M}@helpchat",
        f"DTSTAMP:{stamp(generated)}",
        f"DTSTART:{stamp(occ.start)}",
        f"DTEND:{stamp(occ.end)}",
        f"SUMMARY:{escape(summary)}",
        f"DESCRIPTION:{escape(colleagues)}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def calendar(occurrences: Iterable[Occurrence], names: dict[str, str], generated: datetime,
             title: str) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//helpchat//shifts//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(title)}"]
    for occ in occurrences:
        lines += event(occ, names, generated, title)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
