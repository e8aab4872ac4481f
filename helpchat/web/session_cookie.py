"""The counselor session cookie: HttpOnly, SameSite=Strict, Secure outside development.

In production its name carries the `__Host-` prefix: browsers then accept it only when it is
Secure, has Path=/ and no Domain, so neither a sibling subdomain nor plain http can plant or
overwrite it (session fixation through a cookie set elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie

from aiohttp import web

from helpchat.config import Settings

COOKIE_NAME = "helpchat_session"
HOST_PREFIX = "__Host-"
# secrets.token_urlsafe(32) and nothing else: a cookie that cannot be ours is no cookie at all.
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{20,100}")


def cookie_name(settings: Settings) -> str:
    return HOST_PREFIX + COOKIE_NAME if settings.production else COOKIE_NAME


def session_id(cookies: Mapping[str, str], settings: Settings) -> str | None:
    """The session id the browser sent, if it has the shape of one."""
    value = cookies.get(cookie_name(settings))
    return value if value and SESSION_ID.fullmatch(value) else None


def session_id_from_header(header: str, settings: Settings) -> str | None:
    """The same, from a raw Cookie header (the socket.io handshake)."""
    try:
        cookie = SimpleCookie(header)
    except CookieError:
        return None
    return session_id({name: morsel.value for name, morsel in cookie.items()}, settings)


def set_session_cookie(response: web.StreamResponse, session_id: str, settings: Settings) -> None:
    response.set_cookie(
        cookie_name(settings), session_id, httponly=True, samesite="Strict",
        secure=settings.production, path="/", max_age=settings.session_absolute_hours * 3600,
    )


def clear_session_cookie(response: web.StreamResponse, settings: Settings) -> None:
    response.del_cookie(cookie_name(settings), path="/", secure=settings.production)
