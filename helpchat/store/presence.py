"""Who is connected: the socket ids of each visitor and counselor, and since when the last one
of them has been gone (hc:gone), which drives the grace periods."""

from __future__ import annotations

from typing import Literal

from helpchat.store import keys
from helpchat.store.connection import Redis

Kind = Literal["v", "c"]  # visitor (by vid) or counselor (by id)
_CONNECTIONS = {"v": (keys.visitor_conns, keys.VISITOR_TTL),
                "c": (keys.counselor_conns, keys.COUNSELOR_CONN_TTL)}


def _member(kind: Kind, ident: str) -> str:
    return f"{kind}:{ident}"


class Presence:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    async def connect(self, kind: Kind, ident: str, sid: str) -> None:
        key_of, ttl = _CONNECTIONS[kind]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(key_of(ident), sid)
            pipe.expire(key_of(ident), ttl)
            pipe.zrem(keys.GONE, _member(kind, ident))
            await pipe.execute()

    async def disconnect(self, kind: Kind, ident: str, sid: str, now_ms: int) -> int:
        """Drop one socket; when it was the last, the grace period starts. Sockets left."""
        key = _CONNECTIONS[kind][0](ident)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.srem(key, sid)
            pipe.scard(key)
            _, left = await pipe.execute()
        if left == 0:
            await self._redis.zadd(keys.GONE, {_member(kind, ident): now_ms})
        return int(left)

    async def sockets(self, kind: Kind, ident: str) -> set[str]:
        """The socket ids open now (on any process)."""
        return set(await self._redis.smembers(_CONNECTIONS[kind][0](ident)))

    async def gone_since(self, cutoff_ms: int) -> list[tuple[Kind, str, int]]:
        """(kind, id, disconnect ms) of everyone whose last socket closed by cutoff_ms."""
        rows = await self._redis.zrangebyscore(keys.GONE, "-inf", cutoff_ms, withscores=True)
        found: list[tuple[Kind, str, int]] = []
        for member, score in rows:
            kind, _, ident = member.partition(":")
            if kind in _CONNECTIONS:
                found.append((kind, ident, int(score)))
        return found

    async def claim_gone(self, kind: Kind, ident: str) -> bool:
        """True for the one caller, of all processes, that removed the entry: it handles it."""
        return bool(await self._redis.zrem(keys.GONE, _member(kind, ident)))

    async def forget(self, kind: Kind, ident: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(_CONNECTIONS[kind][0](ident))
            pipe.zrem(keys.GONE, _member(kind, ident))
            await pipe.execute()
