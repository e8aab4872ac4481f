"""What every namespace shares: event dispatch that validates, acks and never raises."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from redis.exceptions import OutOfMemoryError, RedisError

from helpchat.errors import HelpchatError
from helpchat.outage import RETRY_AFTER_MS
from helpchat.realtime import payloads
from helpchat.realtime.hub import Hub
from helpchat.store.durability import UnconfirmedWrite

log = logging.getLogger(__name__)

Handler = Callable[[str, Any], Awaitable[dict[str, Any]]]
LIFECYCLE_EVENTS = ("connect", "disconnect")
OUT_OF_MEMORY_RETRY_MS = 30_000


class GuardedNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    """Dispatches only to `on_<event>` handlers listed in `events`, with one JSON payload, and
    turns every outcome into an Ack: {"ok": true, ...} or {"ok": false, "error": {...}}."""

    events: frozenset[str] = frozenset()

    def __init__(self, namespace: str, hub: Hub) -> None:
        super().__init__(namespace)
        self.hub = hub

    async def trigger_event(self, event: Any, *args: Any) -> Any:
        if event in LIFECYCLE_EVENTS:
            # The server calls these while the socket is not (or no longer) connected; a client
            # can send an event *named* "connect" only over a connected socket: refuse that one.
            if not self.server.manager.is_connected(args[0], self.namespace):
                return await self._lifecycle(event, *args)
            return await self._refuse(args[0], "reserved event name")
        sid = args[0]
        if not isinstance(event, str) or event not in self.events:
            return await self._refuse(sid, "unknown event")
        if len(args) > 2:
            return await self._refuse(sid, "one payload object expected")
        handler: Handler = getattr(self, f"on_{event}")
        lang = await self.language(sid)
        started = time.perf_counter()
        try:
            return await handler(sid, args[1] if len(args) == 2 else None)
        except HelpchatError as exc:
            return payloads.error(exc, lang)
        except asyncio.CancelledError:
            raise
        except OutOfMemoryError:
            # Redis is at its ceiling and refuses writes (noeviction): nothing was half done,
            # the client may retry later; /healthz shows "full".
            self.hub.metrics.redis_errors.inc()
            log.warning("redis refused a write (maxmemory) namespace=%s event=%s",
                        self.namespace, event)
            return payloads.error(HelpchatError("internal", "error.busy", fields={
                "retry_after_ms": OUT_OF_MEMORY_RETRY_MS}), lang)
        except UnconfirmedWrite:
            # A failover under way: no replica holds the message yet, so no ack; the client
            # resends it with its client_id (stored once) after the hint. Not an outage.
            return payloads.error(HelpchatError("internal", fields={
                "retry_after_ms": RETRY_AFTER_MS}), lang)
        except RedisError as exc:
            # Nothing was half done (each step is one script or transaction): the client
            # resends after the hint. The outage is logged once, not once per event.
            self.hub.metrics.redis_errors.inc()
            self.hub.redis_watch.failed(exc)
            return payloads.error(HelpchatError("internal", fields={
                "retry_after_ms": RETRY_AFTER_MS}), lang)
        except Exception:
            # Ids and event names only: the payload may hold a young person's message.
            log.exception("event failed namespace=%s event=%s", self.namespace, event)
            return payloads.error(HelpchatError("internal"), lang)
        finally:
            # Event names come from the fixed `events` set: no label carries a visitor value.
            self.hub.metrics.ack_latency_of(self.namespace, event).observe(
                time.perf_counter() - started)

    async def _lifecycle(self, event: str, *args: Any) -> Any:
        try:
            return await super().trigger_event(event, *args)
        except RedisError as exc:
            self.hub.metrics.redis_errors.inc()
            self.hub.redis_watch.failed(exc)
            if event == "connect":  # the client gets connect_error and retries
                raise socketio.exceptions.ConnectionRefusedError(
                    {"code": "internal", "retry_after_ms": RETRY_AFTER_MS}) from None
            # A lost disconnect: `reconcile` closes the socket's presence once Redis is back.
            return None

    async def _refuse(self, sid: str, detail: str) -> dict[str, Any]:
        log.info("refused event namespace=%s sid=%s: %s", self.namespace, sid, detail)
        return payloads.error(HelpchatError("invalid", detail=detail), await self.language(sid))

    async def language(self, sid: str) -> str:
        try:
            session = await self.get_session(sid)
        except KeyError:
            return str(self.hub.settings.default_language)
        return str(session.get("lang", self.hub.settings.default_language))

    async def after_connect(self, sid: str, welcome: Awaitable[None]) -> None:
        """Run `welcome` once the server has confirmed the connection to the client, so the
        first events cannot overtake the CONNECT packet."""

        async def run() -> None:
            for _ in range(100):
                if self.server.manager.is_connected(sid, self.namespace):
                    break
                await asyncio.sleep(0.01)
            else:
                welcome.close()  # type: ignore[attr-defined]
                return
            try:
                await welcome
            except RedisError as exc:
                # An outage, not a bug: logged once per outage; the client syncs on reconnect.
                self.hub.redis_watch.failed(exc)
            except Exception:
                log.exception("welcome failed namespace=%s sid=%s", self.namespace, sid)

        self.server.start_background_task(run)
