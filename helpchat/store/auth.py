"""Counselor login sessions and failed-login counters. Only hashes of session ids are stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from helpchat.store import keys
from helpchat.store.connection import Redis


@dataclass(frozen=True)
class LoginSession:
    digest: str  # sha256 of the cookie value: names the session without revealing it
    counselor_id: str
    csrf: str
    created_ms: int


class AuthSessions:
    def __init__(self, client: Redis, *, idle_s: int, absolute_s: int) -> None:
        self._redis = client
        self._idle_s = idle_s
        self._absolute_s = absolute_s

    async def create(self, counselor_id: str, now_ms: int) -> tuple[str, LoginSession]:
        """A fresh session id (the cookie value) for every login: no fixation."""
        session_id = secrets.token_urlsafe(32)
        digest = keys.auth_digest(session_id)
        csrf = secrets.token_urlsafe(24)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.auth(digest), mapping={
                "counselor": counselor_id, "csrf": csrf, "created_ms": now_ms,
            })
            pipe.expire(keys.auth(digest), self._idle_s)
            pipe.sadd(keys.auth_index(counselor_id), digest)
            pipe.expire(keys.auth_index(counselor_id), self._absolute_s)
            await pipe.execute()
        return session_id, LoginSession(digest, counselor_id, csrf, now_ms)

    async def get(self, session_id: str, now_ms: int) -> LoginSession | None:
        """The live session, its idle timer reset; None when expired or past its lifetime."""
        digest = keys.auth_digest(session_id)
        key = keys.auth(digest)
        data = await self._redis.hgetall(key)
        if not data.get("counselor"):
            return None
        created = int(data.get("created_ms") or 0)
        remaining_s = self._absolute_s - (now_ms - created) // 1000
        if remaining_s <= 0:
            await self.delete(session_id)
            return None
        await self._redis.expire(key, min(self._idle_s, remaining_s))
        return LoginSession(digest, data["counselor"], data["csrf"], created)

    async def delete(self, session_id: str) -> list[str]:
        """End one session; returns the socket ids that were opened with it."""
        return await self._delete_digest(keys.auth_digest(session_id))

    async def delete_all(self, counselor_id: str) -> list[str]:
        """End every session of a counselor (disabled account); their socket ids."""
        digests = await self._redis.smembers(keys.auth_index(counselor_id))
        sids: list[str] = []
        for digest in digests:
            sids.extend(await self._delete_digest(digest))
        await self._redis.delete(keys.auth_index(counselor_id))
        return sids

    async def _delete_digest(self, digest: str) -> list[str]:
        sockets_key = keys.auth_sockets(digest)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.smembers(sockets_key)
            pipe.delete(keys.auth(digest), sockets_key)
            sids, _ = await pipe.execute()
        return sorted(sids)

    async def add_socket(self, digest: str, sid: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(keys.auth_sockets(digest), sid)
            pipe.expire(keys.auth_sockets(digest), self._absolute_s)
            await pipe.execute()

    async def remove_socket(self, digest: str, sid: str) -> None:
        await self._redis.srem(keys.auth_sockets(digest), sid)

    # login back-off (helpchat/login_backoff.py) -------------------------------------------------
    async def login_wait(self, scope: str) -> tuple[int, int]:
        """(consecutive failures, ms timestamp before which no attempt is checked)."""
        data = await self._redis.hgetall(keys.login_wait(scope))
        return int(data.get("failures") or 0), int(data.get("until_ms") or 0)

    async def record_failure(self, scope: str, window_s: int) -> int:
        """One more failure; the counter is forgotten `window_s` after the last one."""
        key = keys.login_wait(scope)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, "failures", 1)
            pipe.expire(key, window_s)
            count, _ = await pipe.execute()
        return int(count)

    async def set_wait(self, scope: str, until_ms: int) -> None:
        await self._redis.hset(keys.login_wait(scope), "until_ms", until_ms)

    async def clear_failures(self, scope: str) -> None:
        await self._redis.delete(keys.login_wait(scope))
