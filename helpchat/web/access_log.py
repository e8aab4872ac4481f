"""What the server writes about requests: never an address, never a secret in a URL.

The access log names the method, the path with its secret segments replaced and no query string
(widget pages carry the embedding site's origin there, socket.io its session id), the status,
the size and the time. Setup, invite and reset links and the iCalendar feed URLs are bearer
secrets: whoever reads them in a log could use them.

aiohttp itself logs "Error handling request from <address>" with a traceback for requests it
cannot parse (a malformed header) and for handler errors; `keep_addresses_out` rewrites those
records: no address ever, and no traceback for what is only a client's malformed request.
"""

from __future__ import annotations

import logging
import re

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError

# Everything after these prefixes is (or may be) a bearer secret.
SECRET_PATHS = re.compile(r"^(/setup/|/invite/|/shifts/feed/).+")
SERVER_LOGGER = "aiohttp.server"


def redact_path(path: str) -> str:
    """The path as the access log may show it (the query string is never passed in)."""
    return SECRET_PATHS.sub(r"\1…", path)


class RedactingAccessLogger(AbstractAccessLogger):
    """aiohttp's access logger, with `"%r" %s %b %Tf` written from the redacted path."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        version = f"HTTP/{request.version.major}.{request.version.minor}"
        self.logger.info('"%s %s %s" %d %d %.6f', request.method, redact_path(request.path),
                         version, response.status, response.body_length, time)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)


class _NoAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if "from %s" not in str(record.msg):
            return True
        record.msg, record.args = str(record.msg).replace(" from %s", ""), ()
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            # The client sent something unparsable and got a 400: worth a line, not a trace
            # (whose message would quote the offending header, perhaps a cookie).
            record.msg = f"refused a malformed request ({exc.code}, {type(exc).__name__})"
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def keep_addresses_out() -> None:
    """Install the filter on aiohttp's server logger, once per process."""
    logger = logging.getLogger(SERVER_LOGGER)
    if not any(isinstance(f, _NoAddresses) for f in logger.filters):
        logger.addFilter(_NoAddresses())
