"""CSRF protection for HTML forms: a token in every form, plus the browser's own signals.

Every form carries a hidden `csrf_token`: the login session's token for logged-in pages, or a
token derived from the secret key and a scope (such as an invite link) for anonymous forms.
On top of that a POST is refused when the browser says it came from another site
(`Sec-Fetch-Site`) or names a foreign `Origin`. The session cookie is SameSite=Strict as well;
each layer alone would do for modern browsers, together they also cover older ones.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from helpchat.config import Settings
from helpchat.web.origins import same_origin

FIELD = "csrf_token"
MAX_FORM_BYTES = 64 * 1024


class CsrfError(Exception):
    """The form was not sent by one of our own pages; `reason` is for logs and the error page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signed_token(secret_key: str, scope: str) -> str:
    """A token for a form without a login session, bound to `scope` (e.g. an invite digest)."""
    return hmac.new(secret_key.encode(), f"csrf:{scope}".encode(), hashlib.sha256).hexdigest()


def check_origin(headers: Mapping[str, str], host: str, scheme: str, settings: Settings) -> None:
    site = headers.get("Sec-Fetch-Site")
    if site is not None and site != "same-origin":
        raise CsrfError(f"Sec-Fetch-Site is {site}")
    origin = headers.get("Origin")
    environ = {"HTTP_HOST": host, "wsgi.url_scheme": scheme}
    if origin is not None and (origin == "null" or not same_origin(origin, environ, settings)):
        raise CsrfError("foreign Origin")


def check_token(sent: str | None, expected: str) -> None:
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfError("missing or wrong CSRF token")


async def checked_form(request: web.Request, expected: str,
                       settings: Settings) -> MultiDictProxy[str]:
    """The POSTed form, once origin and token passed; raises CsrfError otherwise."""
    check_origin(request.headers, request.host, request.scheme, settings)
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        raise CsrfError("form too large")
    form = await read_form(request)
    token = form.get(FIELD)
    check_token(token if isinstance(token, str) else None, expected)
    return _text_fields(form)


async def read_form(request: web.Request) -> MultiDictProxy[Any]:
    """The POSTed form; a body that cannot be one is the client's 400, not our 500."""
    try:
        return await request.post()
    except (ValueError, LookupError):  # multipart without a boundary, an unknown charset
        raise web.HTTPBadRequest(text="malformed form body") from None


def _text_fields(form: MultiDictProxy[Any]) -> MultiDictProxy[str]:
    """Only text fields: a file upload where text is expected is simply absent."""
    return MultiDictProxy(MultiDict((k, v) for k, v in form.items() if isinstance(v, str)))
