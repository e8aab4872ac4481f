"""Admin: settings that change without a restart (store.settings keeps them in Redis; every
process applies them within a second or two), and the watcher each process runs."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from helpchat import appkeys, widget_texts
from helpchat.config import ConfigError, Settings, validate
from helpchat.i18n import LANGUAGES
from helpchat.store import keys
from helpchat.store.settings import SettingsWatcher, apply_overrides, watching
from helpchat.validation import MAX_TOPIC
from helpchat.web import admin_forms as forms
from helpchat.web.admin_common import Ctx, Errors, Msg, admin_only

MAX_TOPICS = 20
MAX_ORIGINS = 50
MAX_INTRO = 300
CHECK_TIMEOUT_S = 5
CHECK_BYTES = 512 * 1024


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/admin/settings", settings_page)
    app.router.add_post("/admin/settings", save_settings)
    app.router.add_get("/admin/settings/embed-check", embed_check)
    app.cleanup_ctx.append(settings_sync)


async def settings_sync(app: web.Application) -> AsyncIterator[None]:
    """Apply stored overrides before serving, then follow changes made on any process."""
    watcher = SettingsWatcher(app[appkeys.STORE].settings, app[appkeys.SETTINGS],
                              app[appkeys.LIVE_SETTINGS])
    async with watching(watcher):
        yield


def form_values(settings: Settings) -> dict[str, str]:
    return {
        "widget_origins": "\n".join(settings.widget_origins),
        "widget_title": settings.widget_title,
        "widget_title_en": settings.widget_title_en,
        "widget_intro": settings.widget_intro,
        "widget_intro_en": settings.widget_intro_en,
        "topics_en": "\n".join(settings.topics_en),
        "widget_color": settings.widget_color,
        "quick_exit_url": settings.quick_exit_url,
        "topics": "\n".join(settings.topics),
        "queue_cap": str(settings.queue_cap),
        "last_intake_minutes": str(settings.last_intake_minutes),
        "transcript_retention_hours": f"{settings.transcript_retention_hours:g}",
        "visitor_grace_seconds": str(settings.visitor_grace_seconds),
        "counselor_grace_seconds": str(settings.counselor_grace_seconds),
        "allow_unscheduled_duty": "on" if settings.allow_unscheduled_duty else "",
        "roster_approval": "on" if settings.roster_approval else "",
    }


def embed_tag(settings: Settings) -> str:
    """The exact line a site pastes, for this server (README "Embedding the widget")."""
    return (f'<script src="{settings.base_url}/widget.js" '
            f'data-lang="{settings.default_language}" async></script>')


def embed_status(html: str, settings: Settings) -> str:
    """What a site's home page says about the embed: found / other_server / missing."""
    if f"{settings.base_url}/widget.js" in html:
        return "found"
    return "other_server" if re.search(r"""src=["'][^"']*/widget\.js["']""", html) else "missing"


async def fetch_home_page(origin: str) -> str | None:
    """The site's home page (first CHECK_BYTES), or None when it cannot be fetched."""
    timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT_S)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.DummyCookieJar(),
                                  headers={"User-Agent": "helpchat-embed-check"}) as http,
            http.get(origin + "/", max_redirects=3) as response,
        ):
            if response.status >= 400:
                return ""  # it answered: the site is there, the code is not on that page
            return (await response.content.read(CHECK_BYTES)).decode("utf-8", "replace")
    except (aiohttp.ClientError, TimeoutError, UnicodeError, ValueError):
        return None


async def render(ctx: Ctx, values: Any, errors: Errors | None = None) -> web.Response:
    refused = await ctx.store.refused.recent(ctx.hub.now_ms())
    settings = ctx.hub.settings
    contacts = {lang: await ctx.store.contacts.list(lang) for lang in LANGUAGES}
    return ctx.render("admin/settings.html", values=values, errors=errors, refused=refused,
                      gaps=widget_texts.gaps(settings, contacts),
                      refused_days=keys.REFUSED_DAYS, embed_tag=embed_tag(settings),
                      widget_origins=settings.widget_origins)


@admin_only
async def embed_check(ctx: Ctx) -> web.StreamResponse:
    """Live check of one configured site (only configured ones: no fetching on request of
    arbitrary addresses). JSON {"status", "text"} for the settings page's script."""
    origin = ctx.request.query.get("origin", "")
    if origin not in ctx.hub.settings.widget_origins:
        raise web.HTTPNotFound()
    html = await fetch_home_page(origin)
    status = "unreachable" if html is None else embed_status(html, ctx.hub.settings)
    return web.json_response({"status": status, "text": ctx.t(f"admin.embed.{status}")})


@admin_only
async def settings_page(ctx: Ctx) -> web.StreamResponse:
    return await render(ctx, form_values(ctx.hub.settings))


def parse_lists(ctx: Ctx, errors: Errors) -> dict[str, Any]:
    origins = forms.lines(ctx.form.get("widget_origins") or "")
    if len(origins) > MAX_ORIGINS or not all(forms.origin(o) for o in origins):
        errors["widget_origins"] = Msg("admin.settings.error.origins")
    values: dict[str, Any] = {"widget_origins": tuple(o.rstrip("/") for o in origins)}
    for name in ("topics", "topics_en"):
        topics = forms.lines(ctx.form.get(name) or "")
        if len(topics) > MAX_TOPICS or any(len(t) > MAX_TOPIC for t in topics):
            errors[name] = Msg("admin.settings.error.topics", {"max": MAX_TOPICS,
                                                               "chars": MAX_TOPIC})
        values[name] = tuple(topics)
    return values


def parse_settings(ctx: Ctx) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    values = parse_lists(ctx, errors)
    values["widget_title"] = forms.text(errors, "widget_title", ctx.text("widget_title", 60),
                                        60, required=True)
    values["widget_title_en"] = forms.text(errors, "widget_title_en",
                                           ctx.text("widget_title_en", 60), 60)
    for name in ("widget_intro", "widget_intro_en"):
        values[name] = forms.text(errors, name, ctx.text(name, MAX_INTRO), MAX_INTRO)
    color = ctx.text("widget_color", 7)
    if not forms.HEX_COLOR.fullmatch(color):
        errors["widget_color"] = Msg("admin.settings.error.color")
    values["widget_color"] = color.lower()
    exit_url = ctx.text("quick_exit_url", 300)
    # https only in production (config.validate says the same at start-up); http is left for
    # local test pages.
    schemes = ("https",) if ctx.hub.settings.production else ("https", "http")
    values["quick_exit_url"] = forms.https_url(errors, "quick_exit_url", exit_url,
                                               schemes=schemes) or ""
    if not exit_url:
        errors["quick_exit_url"] = Msg("admin.error.required")
    for name, low, high in (("queue_cap", 1, 500), ("last_intake_minutes", 0, 240),
                            ("visitor_grace_seconds", 0, 3600),
                            ("counselor_grace_seconds", 0, 3600)):
        values[name] = forms.integer(errors, name, ctx.text(name, 10), low, high)
    values["transcript_retention_hours"] = forms.decimal(
        errors, "transcript_retention_hours", ctx.text("transcript_retention_hours", 10), 0, 720)
    for name in ("allow_unscheduled_duty", "roster_approval"):
        values[name] = ctx.form.get(name) == "on"
    return values, errors


def changes(old: Settings, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {name: (getattr(old, name), value) for name, value in values.items()
            if getattr(old, name) != value}


def shown(value: Any) -> str:
    return ", ".join(value) if isinstance(value, tuple) else str(value)


@admin_only
async def save_settings(ctx: Ctx) -> web.StreamResponse:
    values, errors = parse_settings(ctx)
    if not errors:
        try:  # the same rules as at start-up, so a saved value can never stop a restart
            validate(dataclasses.replace(ctx.hub.settings, **values))
        except ConfigError as exc:
            name = str(exc).split(":", 1)[0]
            field = name if name in values else "widget_title"
            errors[field] = Msg("admin.error.refused", {"reason": str(exc)})
    if errors:
        return await render(ctx, ctx.form, errors)
    diff = changes(ctx.hub.settings, values)
    await ctx.store.settings.save(values)
    await apply_overrides(ctx.store.settings, ctx.app[appkeys.SETTINGS], ctx.hub.live)
    for name, (old, new) in diff.items():
        await ctx.audit("settings.changed", name, f"{shown(old)} -> {shown(new)}")
    await ctx.hub.pushes.push_availability()
    raise ctx.redirect("/admin/settings", "saved")

