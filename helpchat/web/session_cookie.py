"""The counselor session cookie: HttpOnly, SameSite=Strict, Secure outside development."""

from __future__ import annotations

from aiohttp import web

from helpchat.config import Settings

COOKIE_NAME = "helpchat_session"


def set_session_cookie(response: web.StreamResponse, session_id: str, settings: Settings) -> None:
    response.set_cookie(
        COOKIE_NAME, session_id, httponly=True, samesite="Strict", secure=settings.production,
        path="/", max_age=settings.session_absolute_hours * 3600,
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE_NAME, path="/")
