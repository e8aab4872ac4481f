"""GET /metrics: this process's operator metrics in the Prometheus text format.

Answered only to a client address in metrics_allowed or to "Authorization: Bearer <token>"
with metrics_token; everyone else gets 403 (and nothing is logged about who asked).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from redis.exceptions import RedisError

from helpchat import appkeys
from helpchat.config import Settings
from helpchat.metrics import Readings
from helpchat.store import Store

log = logging.getLogger(__name__)


def allowed(settings: Settings, remote: str | None, authorization: str | None) -> bool:
    token = settings.metrics_token.encode()
    scheme, _, given = (authorization or "").partition(" ")
    if token and scheme == "Bearer" and hmac.compare_digest(given.encode(), token):
        return True
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote.split("%")[0])
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False)
               for net in settings.metrics_allowed)


async def readings(store: Store) -> Readings:
    ids = [c.id for c in await store.counselors.all()]
    on_duty = [cid for cid, state in (await store.counselors.on_duty()).items() if state == "on"]
    return Readings(
        queue_length=await store.queue.length(),
        chats_active=sum((await store.counselors.active_chat_counts(ids)).values()),
        counselors_on_duty=len(on_duty),
    )


async def metrics(request: web.Request) -> web.Response:
    settings = request.app[appkeys.HUB].settings
    if not allowed(settings, request.remote, request.headers.get("Authorization")):
        log.info("refused /metrics: address not allowed and no valid token")
        return web.Response(status=403, text="forbidden\n")
    hub = request.app[appkeys.HUB]
    try:
        found: Readings | None = await readings(request.app[appkeys.STORE])
    except RedisError:
        hub.metrics.redis_errors.inc()
        found = None  # the process's own figures still tell the operator something
    response = web.Response(body=hub.metrics.render(found))
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    response.headers["Cache-Control"] = "no-store"
    return response


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics)
