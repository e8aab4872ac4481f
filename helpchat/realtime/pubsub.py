"""The socket.io client manager that shares emits between processes over Redis pub/sub, with
one addition: when Redis dropped its subscriber (output buffer exceeded, Redis restarted), the
emits published meanwhile are lost to this process, so after resubscribing it tells every
socket it holds to `resync` (fetch what it missed with `sync` after its last message id)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import socketio

log = logging.getLogger(__name__)
NAMESPACES = ("/visitor", "/counselor")
FIRST_RETRY_S, LAST_RETRY_S = 0.1, 5.0


class ResyncingRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    def __init__(self, url: str, *, channel: str) -> None:
        super().__init__(url, channel=channel)
        self.resubscribes = 0  # for tests and the log: how often the subscriber came back

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        # As python-socketio's own loop, with a quicker first retry and the resync hook.
        retry_s, first = FIRST_RETRY_S, True
        while True:
            try:
                self._redis_connect()
                await self.pubsub.subscribe(self.channel)
                if not first:
                    self.resubscribes += 1
                    log.warning("pub/sub subscriber resubscribed; asking clients to resync")
                    self.server.start_background_task(self._ask_resync)
                first, retry_s = False, FIRST_RETRY_S
                async for message in self.pubsub.listen():
                    yield message
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: reconnect and resubscribe
                if retry_s == FIRST_RETRY_S:  # once per outage, not once per retry
                    log.warning("pub/sub subscriber lost (%s); retrying", type(exc).__name__)
                await asyncio.sleep(retry_s)
                retry_s = min(retry_s * 2, LAST_RETRY_S)

    async def follow_new_master(self) -> None:
        """After a Sentinel failover: subscribe and publish on the new master. The old one may
        answer as master for seconds and keep whatever is published there to itself; closing
        the subscriber makes the listen loop connect anew (a fresh Sentinel lookup), resubscribe
        and ask every client to resync what it may have missed."""
        old = self.redis
        await self.pubsub.aclose()
        self.connected = False  # the next publish connects anew as well
        await old.aclose()

    async def _ask_resync(self) -> None:
        # Local sockets only (ignore_queue): every process does this for its own.
        for namespace in NAMESPACES:
            await self.emit("resync", {}, namespace=namespace, ignore_queue=True)
