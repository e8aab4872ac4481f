"""The embeddable widget: the loader (/widget.js), the chat page in its iframe (/widget/),
the page's static files, and the /demo organization page.

The loader runs on organizations' sites; the chat page runs on this server's origin inside an
iframe, so the host page can never read the chat. The two talk only through postMessage with
exact origins, which is why the page learns its parent's origin from a checked query parameter.
"""

from __future__ import annotations

import json
import logging
import re
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from helpchat import widget_texts
from helpchat.appkeys import HUB, LIVE_SETTINGS, STORE, TEMPLATES
from helpchat.config import PROJECT_ROOT, Settings
from helpchat.i18n import LANGUAGES, catalog_with_prefix, normalize_language, translate
from helpchat.store.stats import WIDGET_EMBEDDED
from helpchat.web.origins import normalize_origin, parsed_origin, widget_origin_allowed

log = logging.getLogger(__name__)

WIDGETS_DIR = PROJECT_ROOT / "widgets"
NODE_MODULES = PROJECT_ROOT / "node_modules"
SOCKETIO_CLIENT = NODE_MODULES / "socket.io-client" / "dist" / "socket.io.min.js"
# ALTCHA's PBKDF2 solver, a self-contained Web Worker script (see widgets/chat/proof.js).
ALTCHA_WORKER = NODE_MODULES / "altcha" / "dist" / "workers" / "pbkdf2.js"
LOADER = WIDGETS_DIR / "embed.js"
# The loader carries a marker that we replace with this server's configuration, so the file
# stays valid JavaScript on its own and no template syntax leaks into it.
CONFIG_MARKER = re.compile(r"/\*@config\*/.*?/\*@end\*/", re.DOTALL)
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_TITLE = 60
MAX_ORIGIN = 200

# The chat page's ES modules (no build step: the browser loads them one by one; main.js is the
# entry the page names).
CHAT_MODULES = ("main.js", "state.js", "transport.js", "contacts.js", "transcript.js", "views.js",
                "quickexit.js", "clock.js", "proof.js", "questions.js")
# Files of the chat page served under /widget/, name -> (path, content type).
ASSETS: dict[str, tuple[Path, str]] = {
    **{name: (WIDGETS_DIR / "chat" / name, "text/javascript") for name in CHAT_MODULES},
    "chat.css": (WIDGETS_DIR / "chat" / "chat.css", "text/css"),
    "socket.io.min.js": (SOCKETIO_CLIENT, "text/javascript"),
    "altcha-pbkdf2.js": (ALTCHA_WORKER, "text/javascript"),
}


def setup_routes(app: web.Application) -> None:
    if not SOCKETIO_CLIENT.exists():
        log.warning("widget: %s is missing; run `npm ci` in the project root", SOCKETIO_CLIENT)
    app.router.add_get("/widget.js", loader)
    app.router.add_get("/widget", redirect_to_page)
    app.router.add_get("/widget/", chat_page)
    app.router.add_get("/widget/{name}", asset)
    app.router.add_get("/demo", demo_page)


# --- origins -------------------------------------------------------------------------------


def settings_of(request: web.Request) -> Settings:
    return request.app[LIVE_SETTINGS].current


def own_origin(settings: Settings) -> str:
    return normalize_origin(settings.base_url)


def parent_origin(request: web.Request, value: str | None) -> str | None:
    """The host page's origin from the query, if it is one allowed to embed the widget.

    The chat page posts messages only to this exact origin, never to "*".
    """
    if not value or not value.startswith(("http://", "https://")):
        return None
    environ = {"HTTP_HOST": request.host, "wsgi.url_scheme": request.scheme}
    if not widget_origin_allowed(value, environ, settings_of(request)):
        return None
    return normalize_origin(value)


async def count_refused(request: web.Request, value: str | None) -> None:
    """A site embedding the widget without being allowed: the youth there sees the loader's
    contacts (the page refuses to be framed), and the admin sees the site counted."""
    site = parsed_origin(value) if value and value.startswith(("http://", "https://")) else None
    if site is not None and len(site) <= MAX_ORIGIN:
        await request.app[STORE].refused.count(site, request.app[HUB].now_ms())


def content_security_policy(settings: Settings, request: web.Request) -> str:
    # Websockets to our own host: CSP3 'self' covers ws(s), older engines need it spelled out.
    ws_scheme = "wss" if urlsplit(settings.base_url).scheme == "https" or request.secure else "ws"
    widget_hosts = (normalize_origin(origin) for origin in settings.widget_origins)
    ancestors = " ".join(dict.fromkeys(["'self'", *widget_hosts]))
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        f"connect-src 'self' {ws_scheme}://{request.host}",
        "base-uri 'none'",
        "form-action 'none'",
        f"frame-ancestors {ancestors}",
    ])


# --- shared view data ----------------------------------------------------------------------


def widget_color(settings: Settings, requested: str | None = None) -> str:
    if requested and COLOR.match(requested):
        return requested.lower()
    return settings.widget_color if COLOR.match(settings.widget_color) else "#1f5fa8"


async def contacts(app: web.Application, lang: str) -> list[dict[str, Any]]:
    return await app[STORE].contacts.list(lang)


def _json_for_script(data: Any) -> str:
    # ensure_ascii escapes U+2028/9; "<" escaped so no "</script>" can end a block early.
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")


# --- handlers ------------------------------------------------------------------------------


async def loader(request: web.Request) -> web.Response:
    settings = settings_of(request)
    config = {
        "origin": own_origin(settings),
        "default_lang": settings.default_language,
        "color": widget_color(settings),
        "quick_exit_url": settings.quick_exit_url,
        "time_zone": settings.timezone,  # the roster's: contact hours are read in it
        "i18n": {lang: _loader_strings(settings, lang) for lang in LANGUAGES},
        "contacts": {lang: await contacts(request.app, lang) for lang in LANGUAGES},
    }
    source = LOADER.read_text(encoding="utf-8")
    body = CONFIG_MARKER.sub(lambda _: _json_for_script(config), source, count=1)
    response = web.Response(
        text=body,
        content_type="text/javascript",
        headers={
            # Short: the contacts inside change when admins edit them.
            "Cache-Control": "public, max-age=300",
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
    response.enable_compression()
    return response


def _loader_strings(settings: Settings, lang: str) -> dict[str, str]:
    keys = ("close", "quick_exit", "frame_title", "offline_title", "offline_text",
            "contacts_title", "call", "website", "new_message")
    strings = {key: translate(lang, f"widget.loader.{key}") for key in keys}
    # The loader marks closed helplines as the chat page does (issue 14, point 7).
    for key in ("closed_today", "closed_tomorrow", "closed_later"):
        strings[key] = translate(lang, f"widget.contacts.{key}")
    strings["title"] = widget_texts.title(settings, lang)
    return strings


async def chat_page(request: web.Request) -> web.Response:
    settings = settings_of(request)
    lang = normalize_language(request.query.get("lang"), settings.default_language)
    page_contacts = await contacts(request.app, lang)
    title = request.query.get("title", "").strip()[:MAX_TITLE] or widget_texts.title(settings, lang)
    topics = widget_texts.topics(settings, lang)
    asked_origin = request.query.get("origin")
    config = {
        "lang": lang,
        "title": title,
        "color": widget_color(settings, request.query.get("color")),
        "parent_origin": parent_origin(request, asked_origin),
        "quick_exit_url": settings.quick_exit_url,
        "time_zone": settings.timezone,  # the roster's: every time shown is in it
        "topics": list(topics),
        "max_chars": settings.max_message_chars,
        "contacts": page_contacts,
        "i18n": catalog_with_prefix(lang, "widget."),
        "questions": await _questions_config(request.app) if settings.questions_enabled else None,
    }
    if asked_origin and config["parent_origin"] is None:
        await count_refused(request, asked_origin)
    elif config["parent_origin"] not in (None, own_origin(settings)):
        # The admin home's "widget on your site" step; a number, nothing about the visitor.
        await request.app[STORE].stats.count(WIDGET_EMBEDDED)
    html = request.app[TEMPLATES].get_template("chat/index.html").render(
        lang=lang,
        t=partial(translate, lang),
        title=config["title"],
        topics=topics,
        intro=widget_texts.intro(settings, lang),
        max_chars=settings.max_message_chars,
        questions=settings.questions_enabled,
        question_max_chars=settings.question_max_chars,
        config_json=_json_for_script(config),
    )
    return web.Response(
        text=html,
        content_type="text/html",
        headers={
            "Content-Security-Policy": content_security_policy(settings, request),
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def _questions_config(app: web.Application) -> dict[str, Any]:
    """What the widget says about questions for later: the promise and measured answer times."""
    settings = app[HUB].settings
    return {"answer_time": (await app[HUB].questions.answer_time()).payload(),
            "max_chars": settings.question_max_chars,
            "offer_after_wait_s": round(settings.question_offer_after_wait_minutes * 60)}


async def asset(request: web.Request) -> web.StreamResponse:
    found = ASSETS.get(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound()
    path, content_type = found
    if not path.exists():
        raise web.HTTPServiceUnavailable(text="widget assets missing: run `npm ci`")
    return web.FileResponse(
        path,
        headers={
            "Content-Type": content_type,
            "Cache-Control": "public, max-age=3600",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def demo_page(request: web.Request) -> web.Response:
    settings = settings_of(request)
    if not settings.demo_enabled or settings.production:
        raise web.HTTPNotFound()
    lang = normalize_language(request.query.get("lang"), settings.default_language)
    html = request.app[TEMPLATES].get_template("widget/demo.html").render(
        lang=lang, t=partial(translate, lang), other_lang="en" if lang == "nl" else "nl",
        base_url=settings.base_url,
    )
    # A stand-in for an organization's page, with its own inline style (development only).
    csp = ("default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
           "base-uri 'none'; object-src 'none'")
    return web.Response(text=html, content_type="text/html",
                        headers={"Content-Security-Policy": csp})


async def redirect_to_page(request: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect(request.rel_url.with_path("/widget/").with_query(request.query))

