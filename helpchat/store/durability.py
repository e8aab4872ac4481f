"""When an acknowledged write is safe. With Sentinel a write on the master is lost if the master
fails before a replica has it (after a failover the old master is flushed when it is demoted),
so under `durability = strict` a chat message is acknowledged only once a replica confirmed it:
`WAIT` on the same connection as the write, in the same pipeline. A message a replica did not
confirm in time is answered `internal` with a retry hint and resent with its client_id (stored
once). A plain Redis needs no replica: `strict` there means `appendfsync always` on the server.

One exception keeps the service up: when the node that took the write is the master every
reachable sentinel names now (all of them: right after a failover some still name the old one
for a second or two), no sentinel is in the middle of a failover, and it has no replica
connected at all (right after a failover with one
replica, until the old master rejoins; or the replica died), there is nothing to wait for, and
the write is acknowledged as on a single Redis. A demoted master that still answers as master
is never the named one, so what it takes is never acknowledged."""

from __future__ import annotations

import logging
from typing import Any

from redis.asyncio.sentinel import SentinelConnectionPool
from redis.exceptions import RedisError

from helpchat.config import Settings
from helpchat.store.connection import Redis

log = logging.getLogger(__name__)
REPLICA_WAIT_MS = 500  # a healthy local replica confirms in well under a millisecond
# While the master is alone, a short wait only notices a replica coming back.
ALONE_WAIT_MS = 10


class UnconfirmedWrite(RedisError):  # type: ignore[misc]
    """No replica confirmed the write in time, and the node is not a lone named master."""


class ReplicaConfirm:
    replicas = 1

    def __init__(self, pool: SentinelConnectionPool, client: Redis,
                 timeout_ms: int = REPLICA_WAIT_MS) -> None:
        self._pool = pool
        self._client = client
        self.timeout_ms = timeout_ms
        self._alone = False  # told once: acknowledging on a master without replicas

    def queue(self, pipe: Any) -> None:
        """Queue the confirmation after the write, on the write's pipeline."""
        pipe.execute_command("WAIT", self.replicas,
                             ALONE_WAIT_MS if self._alone else self.timeout_ms)
        pipe.client_info()  # which node took the write (laddr), for the exception above

    async def settle(self, confirmed: int, client_info: dict[str, Any]) -> None:
        if confirmed >= self.replicas:
            if self._alone:
                self._alone = False
                log.warning("a replica confirms writes again")
            return
        host, _, port = str(client_info.get("laddr", "")).rpartition(":")
        await self._pool.get_master_address()  # drops idle connections if the master moved
        if await self._named_by_every_sentinel(host, port):
            replication = await self._client.info("replication")
            if int(replication.get("connected_slaves", 0)) == 0:
                if not self._alone:
                    self._alone = True
                    log.warning("the redis master has no replica connected: messages are "
                                "acknowledged on the master alone until one is back")
                return
        raise UnconfirmedWrite(f"{confirmed} of {self.replicas} replicas confirmed")


    async def _named_by_every_sentinel(self, host: str, port: str) -> bool:
        """Every reachable sentinel (at least a quorum) names this node and none is failing
        over. A failover promotes the replica first and renames the master only at its end:
        meanwhile the old master has no replica and every sentinel still names it, but the
        leading sentinel says failover_in_progress."""
        named: set[tuple[str, str] | None] = set()
        asked = 0
        for sentinel in self._pool.sentinel_manager.sentinels:
            try:
                state = await sentinel.sentinel_master(self._pool.service_name)
            except RedisError:
                continue
            asked += 1
            if "failover_in_progress" in state.get("flags", ()):
                return False
            named.add(_address((state["ip"], state["port"])))
        quorum = len(self._pool.sentinel_manager.sentinels) // 2 + 1
        return asked >= quorum and named == {(host, port)}


def _address(address: tuple[Any, Any]) -> tuple[str, str]:
    host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
    return host, str(address[1])  # sentinel connections may not decode: bytes or str


def replica_confirm(settings: Settings, client: Redis) -> ReplicaConfirm | None:
    """What a message write waits for before its ack: a replica, under Sentinel and strict."""
    pool = client.connection_pool
    if isinstance(pool, SentinelConnectionPool) and settings.durability == "strict":
        return ReplicaConfirm(pool, client)
    return None
