"""Which browser origins may talk to us: our own always, widget hosts only on /visitor."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from helpchat.config import LiveSettings, Settings


def normalize_origin(origin: str) -> str:
    parts = urlsplit(origin.strip().lower())
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = parts.netloc
    if parts.port is not None and parts.port == default_port:
        netloc = parts.hostname or netloc
    return f"{parts.scheme}://{netloc}"


def own_origins(environ: Mapping[str, Any], settings: Settings) -> set[str]:
    """This server as the browser addressed it (Host header) and as configured."""
    origins = {normalize_origin(settings.base_url)}
    host = environ.get("HTTP_HOST")
    if host:
        scheme = environ.get("wsgi.url_scheme", "http")
        origins.add(normalize_origin(f"{scheme}://{host}"))
        if not settings.production:
            origins.add(normalize_origin(f"http://{host}"))
    return origins


def same_origin(origin: str, environ: Mapping[str, Any], settings: Settings) -> bool:
    return normalize_origin(origin) in own_origins(environ, settings)


def widget_origin_allowed(origin: str, environ: Mapping[str, Any], settings: Settings) -> bool:
    normalized = normalize_origin(origin)
    return normalized in own_origins(environ, settings) or normalized in {
        normalize_origin(o) for o in settings.widget_origins
    }


def socketio_origin_check(live: LiveSettings) -> Callable[[str | None, Mapping[str, Any]], bool]:
    """engine.io's cors_allowed_origins callable. Requests without an Origin header (non-browser
    clients such as an organization's own app) are not subject to it."""

    def check(origin: str | None, environ: Mapping[str, Any]) -> bool:
        return origin is None or widget_origin_allowed(origin, environ, live.current)

    return check
