"""Anonymous visitor sessions, keyed by the HMAC of the token (never the token itself)."""

from __future__ import annotations

from helpchat.store import keys
from helpchat.store.connection import Redis
from helpchat.store.models import VisitorSession


class VisitorSessions:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    async def create(self, vid: str, lang: str, now_ms: int) -> VisitorSession:
        key = keys.visitor(vid)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key, mapping={"lang": lang, "state": "idle", "conv": "", "created_ms": now_ms}
            )
            pipe.expire(key, keys.VISITOR_TTL)
            await pipe.execute()
        return VisitorSession(vid, lang, "idle", None, False)

    async def get(self, vid: str) -> VisitorSession | None:
        """The session, its expiry pushed back: an active visitor keeps its session."""
        key = keys.visitor(vid)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(key)
            pipe.expire(key, keys.VISITOR_TTL)
            data, _ = await pipe.execute()
        if not data:
            return None
        return VisitorSession(
            vid=vid,
            lang=data.get("lang", "nl"),
            state=data.get("state", "idle"),
            conversation_id=data.get("conv") or None,
            blocked=data.get("blocked") == "1",
        )

    async def set_lang(self, vid: str, lang: str) -> None:
        await self._redis.hset(keys.visitor(vid), "lang", lang)

    async def reset_after_end(self, vid: str) -> None:
        """After feedback or 'new chat' the visitor is idle again."""
        await self._redis.hset(keys.visitor(vid), mapping={"state": "idle", "conv": ""})

    async def mark_turned_away(self, vid: str) -> bool:
        """True the first time this visit is told "not available": it counts once."""
        return bool(await self._redis.hsetnx(keys.visitor(vid), "turned_away", "1"))

    async def block(self, vid: str) -> None:
        await self._redis.hset(keys.visitor(vid), "blocked", "1")

    async def delete(self, vid: str) -> None:
        await self._redis.delete(keys.visitor(vid))
