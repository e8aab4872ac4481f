"""Which browser origins may talk to us: our own always, widget hosts only on /visitor."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from helpchat.config import LiveSettings, Settings


class MalformedOrigin(ValueError):
    """An Origin (or Host) that is no scheme://host[:port]: a 400, never a crash."""


def normalize_origin(origin: str) -> str:
    """scheme://host[:port] in lower case, the default port left out; MalformedOrigin when the
    value is not an origin at all (e.g. `http://a:b`, `http://[::1`)."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError as exc:  # a port that is no number, an unclosed IPv6 bracket
        raise MalformedOrigin(str(exc)) from None
    if not parts.scheme or not parts.hostname:
        raise MalformedOrigin("no scheme or host")
    netloc = parts.netloc
    if port is not None and port == {"http": 80, "https": 443}.get(parts.scheme):
        netloc = parts.hostname
    return f"{parts.scheme}://{netloc}"


def parsed_origin(value: str) -> str | None:
    """normalize_origin, or None for "null" (an opaque origin) and anything malformed."""
    try:
        return normalize_origin(value) if value != "null" else None
    except MalformedOrigin:
        return None


def malformed(value: str | None, *, scheme: str = "") -> bool:
    """Whether an Origin (or, with the request's scheme, a Host) header cannot be parsed."""
    if value is None or value == "null":  # "null" is a valid (opaque) origin
        return False
    return parsed_origin(f"{scheme}://{value}" if scheme else value) is None


def own_origins(environ: Mapping[str, Any], settings: Settings) -> set[str]:
    """This server as the browser addressed it (Host header) and as configured."""
    origins = {normalize_origin(settings.base_url)}
    host = environ.get("HTTP_HOST")
    if host and not malformed(host, scheme="http"):
        scheme = environ.get("wsgi.url_scheme", "http")
        origins.add(normalize_origin(f"{scheme}://{host}"))
        if not settings.production:
            origins.add(normalize_origin(f"http://{host}"))
    return origins


def same_origin(origin: str, environ: Mapping[str, Any], settings: Settings) -> bool:
    normalized = parsed_origin(origin)
    return normalized is not None and normalized in own_origins(environ, settings)


def widget_origin_allowed(origin: str, environ: Mapping[str, Any], settings: Settings) -> bool:
    normalized = parsed_origin(origin)
    if normalized is None:
        return False
    return normalized in own_origins(environ, settings) or normalized in {
        normalize_origin(o) for o in settings.widget_origins
    }


def socketio_origin_check(live: LiveSettings) -> Callable[[str | None, Mapping[str, Any]], bool]:
    """engine.io's cors_allowed_origins callable. Requests without an Origin header (non-browser
    clients such as an organization's own app) are not subject to it."""

    def check(origin: str | None, environ: Mapping[str, Any]) -> bool:
        return origin is None or widget_origin_allowed(origin, environ, live.current)

    return check
