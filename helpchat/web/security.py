"""What every HTTP request and response goes through: malformed headers answered 400, cross-site
state changes refused (the middleware), and the security headers on every response (the
response hook).

The headers are set in `on_response_prepare` rather than in the middleware because that hook
runs for every response the application sends: ones a handler returns, HTTPExceptions a handler
or the router raises (a 404, the 302 to the login page), static files, and the websocket
upgrade, which is sent before the handler returns and so before a middleware could touch it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web, web_response

from helpchat import appkeys
from helpchat.errors import HelpchatError
from helpchat.web.origins import malformed, same_origin

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# host[:port] as browsers send it: a name or an IPv4/IPv6 literal, nothing else (the Host ends
# up in origin checks and in the widget's CSP, so a stray ";" or space must never get through).
HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:[0-9]{1,5})?")
# The policy of the server-rendered pages (README, "Admin"), for every response that does not
# bring its own: error pages, redirects, JSON. Pages that may be framed (the widget) set theirs.
DEFAULT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; "
               "form-action 'self'; base-uri 'none'; object-src 'none'")
# Two years, as the HSTS preload list asks; only sent in production (development runs on http).
HSTS = "max-age=63072000; includeSubDomains"
BANNER = "helpchat"  # what aiohttp's own parse-error answer names (no_version_banner)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": {"code": "invalid", "message": reason}},
                             status=400)


def header_problem(request: web.Request) -> str | None:
    """Why the request's headers cannot be trusted to be what they claim, or None."""
    host = request.headers.get(hdrs.HOST)
    if host is not None and not HOST.fullmatch(host):
        return "malformed Host header"
    if malformed(request.headers.get(hdrs.ORIGIN)):
        return "malformed Origin header"
    return None


def _cross_site(request: web.Request) -> bool:
    if request.method not in UNSAFE_METHODS or request.path.startswith("/socket.io/"):
        return False
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    origin = request.headers.get(hdrs.ORIGIN)
    environ = {"HTTP_HOST": request.host, "wsgi.url_scheme": request.scheme}
    return bool(origin) and not same_origin(origin or "", environ,
                                            request.app[appkeys.HUB].settings)


@web.middleware
async def security_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse malformed headers and cross-site state changes; map domain errors to JSON."""
    problem = header_problem(request)
    if problem:
        return _bad_request(problem)
    if _cross_site(request):
        return web.json_response(
            {"ok": False, "error": {"code": "forbidden", "message": "cross-site request"}},
            status=403)
    try:
        return await handler(request)
    except HelpchatError as exc:
        response = web.json_response(
            {"ok": False, "error": {"code": exc.code, "message": exc.detail or exc.code}},
            status=exc.http_status)
        if "retry_after_ms" in exc.extra:
            response.headers["Retry-After"] = str(-(-int(exc.extra["retry_after_ms"]) // 1000))
        return response


def no_version_banner() -> None:
    """The 400 that aiohttp itself sends for a request it cannot parse (a bad method, a control
    character in a header) is built below the application: no middleware and no
    on_response_prepare hook sees it (aiohttp issues #6463 and #3287, open; there is no option
    for it), so it would carry `Server: Python/3.x aiohttp/3.y`. aiohttp fills that header from
    a module constant, so the constant is set here, once per process: that answer says
    `Server: helpchat` and no versions; every other response has no Server header at all
    (security_headers). tests/test_security.py fails if aiohttp stops reading it there."""
    web_response.SERVER_SOFTWARE = BANNER


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: the same safe defaults on every response this application sends."""
    headers = response.headers
    headers.popall(hdrs.SERVER, None)  # no "Python/3.11 aiohttp/3.x" banner
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.app[appkeys.HUB].settings.production:
        headers.setdefault("Strict-Transport-Security", HSTS)
