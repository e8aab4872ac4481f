"""The counselor session cookie: HttpOnly, SameSite=Strict, Secure outside development.

In production its name carries the `__Host-` prefix: browsers then accept it only when it is
Secure, has Path=/ and no Domain, so neither a sibling subdomain nor plain http can plant or
overwrite it (session fixation through a cookie set elsewhere).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie

from aiohttp import web

from helpchat.config import Settings

COOKIE_NAME = "helpchat_session"
# Marks a browser that logged in to an account before, so that failures of others on that name
# do not slow it down (helpchat/login_backoff.py). Signed, nothing stored: "nonce.mac".
DEVICE_COOKIE = "helpchat_device"
DEVICE_MAX_AGE_S = 365 * 24 * 3600
DEVICE_VALUE = re.compile(r"([A-Za-z0-9_-]{16,40})\.([0-9a-f]{32})")
HOST_PREFIX = "__Host-"
# secrets.token_urlsafe(32) and nothing else: a cookie that cannot be ours is no cookie at all.
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{20,100}")


def cookie_name(settings: Settings, base: str = COOKIE_NAME) -> str:
    return HOST_PREFIX + base if settings.production else base


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


def _device_mac(settings: Settings, username: str, nonce: str) -> str:
    message = f"device:{username.strip().lower()}:{nonce}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def device_nonce(cookies: Mapping[str, str], settings: Settings, username: str) -> str | None:
    """The nonce of this browser's device cookie if it was issued for `username`."""
    found = DEVICE_VALUE.fullmatch(cookies.get(cookie_name(settings, DEVICE_COOKIE)) or "")
    if not found or not hmac.compare_digest(found.group(2),
                                            _device_mac(settings, username, found.group(1))):
        return None
    return found.group(1)


def set_device_cookie(response: web.StreamResponse, cookies: Mapping[str, str],
                      settings: Settings, username: str) -> None:
    """After a successful login: keep this browser's nonce for the account, or make one."""
    nonce = device_nonce(cookies, settings, username) or secrets.token_urlsafe(18)
    response.set_cookie(
        cookie_name(settings, DEVICE_COOKIE), f"{nonce}.{_device_mac(settings, username, nonce)}",
        httponly=True, samesite="Strict", secure=settings.production, path="/",
        max_age=DEVICE_MAX_AGE_S)
