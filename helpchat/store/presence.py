"""Who is connected: the socket ids of each visitor and counselor, and since when the last one
of them has been gone (hc:gone), which drives the grace periods.

A socket also belongs to the server process that holds it (hc:psocks:{process}), and every
process keeps a heartbeat (hc:procs). A process that dies without a goodbye (kill -9, power
loss, a partition) stops beating; the others then close its sockets here, and the grace periods
start from its last heartbeat, as if each of its sockets had disconnected then.

A process that only stalled (CPU starvation, a long pause) past the timeout comes back to find
itself taken for dead: it knows which sockets it still holds, so its next heartbeat puts them
back, and whatever the others did meanwhile (a released queue place, a requeued chat) already
reached those sockets as ordinary pushes."""

from __future__ import annotations

import asyncio
from typing import Literal

from helpchat.store import keys
from helpchat.store.connection import LUA_DIR, Redis

Kind = Literal["v", "c"]  # visitor (by vid) or counselor (by id)
_CONNECTIONS = {"v": (keys.visitor_conns, keys.VISITOR_TTL),
                "c": (keys.counselor_conns, keys.COUNSELOR_CONN_TTL)}


def _member(kind: str, ident: str) -> str:
    return f"{kind}:{ident}"


def _socket(kind: Kind, ident: str, sid: str) -> str:
    return f"{kind}:{ident}:{sid}"


class Presence:
    def __init__(self, client: Redis, process_id: str) -> None:
        self._redis = client
        self.process_id = process_id
        # The sockets this process holds, as registered: what a process taken for dead puts back.
        self._held: set[str] = set()
        self._beaten = False
        self._bury = client.register_script((LUA_DIR / "bury_process.lua").read_text())
        self._open = client.register_script((LUA_DIR / "socket_open.lua").read_text())
        self._close = client.register_script((LUA_DIR / "socket_close.lua").read_text())

    async def connect(self, kind: Kind, ident: str, sid: str) -> None:
        member = _socket(kind, ident, sid)
        self._held.add(member)
        await self._register(member)

    async def _register(self, member: str) -> None:
        """This socket is open, on this process, and its owner not gone (socket_open.lua)."""
        kind, ident, sid = member.split(":", 2)
        key_of, ttl = _CONNECTIONS[kind]
        await self._open(keys=[key_of(ident), keys.GONE, keys.process_sockets(self.process_id)],
                         args=[sid, ttl, _member(kind, ident), member,
                               keys.PROCESS_SOCKETS_TTL])

    async def disconnect(self, kind: Kind, ident: str, sid: str, now_ms: int,
                         process_id: str | None = None) -> int:
        """Drop one socket; when it was the last, the grace period starts. Sockets left."""
        key = _CONNECTIONS[kind][0](ident)
        if process_id in (None, self.process_id):
            # Before the write: a disconnect lost to an outage is no longer held either.
            self._held.discard(_socket(kind, ident, sid))
        return int(await self._close(
            keys=[key, keys.GONE, keys.process_sockets(process_id or self.process_id)],
            args=[sid, _member(kind, ident), _socket(kind, ident, sid), now_ms]))

    # processes ------------------------------------------------------------------------------
    async def beat(self, now_ms: int) -> int:
        """One heartbeat. When another process had taken this one for dead meanwhile (its entry
        was gone), the sockets it still holds are registered again. Sockets put back."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zadd(keys.PROCESSES, {self.process_id: now_ms})
            pipe.expire(keys.process_sockets(self.process_id), keys.PROCESS_SOCKETS_TTL)
            added, _ = await pipe.execute()
        first, self._beaten = not self._beaten, True
        if not added or first or not self._held:
            return 0
        held = list(self._held)
        await asyncio.gather(*map(self._register, held))  # batched (store/batching.py)
        return len(held)

    async def retire(self) -> None:
        """A clean stop: the others handle this process's sockets at their next sweep."""
        await self._redis.zadd(keys.PROCESSES, {self.process_id: 0})

    async def processes(self) -> dict[str, int]:
        """Every process that beat and was not yet handled as dead: id -> last beat ms."""
        rows = await self._redis.zrange(keys.PROCESSES, 0, -1, withscores=True)
        return {member: int(score) for member, score in rows}

    async def others_beating(self, cutoff_ms: int) -> int:
        """How many other processes beat since cutoff_ms (0: this one serves alone)."""
        alive = await self._redis.zrangebyscore(keys.PROCESSES, cutoff_ms, "+inf")
        return sum(1 for member in alive if member != self.process_id)

    async def silent_since(self, cutoff_ms: int) -> list[tuple[str, int]]:
        """(process id, last beat ms) of the other processes silent since cutoff_ms."""
        rows = await self._redis.zrangebyscore(keys.PROCESSES, "-inf", cutoff_ms,
                                               withscores=True)
        return [(member, int(score)) for member, score in rows if member != self.process_id]

    async def bury(self, process_id: str, cutoff_ms: int, now_ms: int) -> tuple[int, int] | None:
        """Close the sockets of a process silent since cutoff_ms, as if they disconnected at its
        last beat. (last beat ms, sockets closed) for the one caller, of all processes, that
        handled it; None when it beat again meanwhile or another process handled it."""
        done = await self._bury(
            keys=[keys.PROCESSES, keys.GONE, keys.process_sockets(process_id)],
            args=[process_id, cutoff_ms, now_ms, keys.visitor_conns(""), keys.counselor_conns("")])
        return (int(float(done[0])), int(done[1])) if done else None

    async def sockets_of(self, process_id: str) -> list[tuple[Kind, str, str]]:
        """(kind, id, socket id) of every socket registered to that process."""
        found: list[tuple[Kind, str, str]] = []
        for member in await self._redis.smembers(keys.process_sockets(process_id)):
            kind, ident, sid = member.split(":", 2)
            if kind in _CONNECTIONS:
                found.append((kind, ident, sid))
        return found

    async def gone_at(self, kind: Kind, idents: list[str]) -> list[int | None]:
        """For each id, when its last socket closed (ms), or None while connected."""
        if not idents:
            return []
        scores = await self._redis.zmscore(keys.GONE, [_member(kind, i) for i in idents])
        return [None if score is None else int(score) for score in scores]

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
