"""Anonymous visitor sessions, keyed by the HMAC of the token (never the token itself).

A session is stored only when it first asks for a chat, with a short expiry
(`visitor_idle_session_seconds`); once in the queue it keeps VISITOR_TTL from its last use.
Opening the widget and leaving stores nothing (hc:gone aside, for the grace period)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from helpchat.store import keys
from helpchat.store.connection import LUA_DIR, Redis, Scripts
from helpchat.store.models import VisitorSession

# How long `recent_chat` may answer from memory (seconds): a youth's every message needs it.
RECENT_S = 1.0
RECENT_MAX = 10_000  # chatting youths, not every visitor: only a bound against surprises


@dataclass(frozen=True)
class Block:
    """An active block: who (pseudonym code only), when, by whom, why, until when."""

    vid: str
    pseudonym_code: str
    at_ms: int
    by_id: str
    by_name: str
    reason: str
    until_ms: int


def _block(vid: str, data: dict[str, str]) -> Block:
    return Block(vid, data.get("pseudonym", ""), int(data.get("at_ms") or 0),
                 data.get("by_id", ""), data.get("by_name", ""), data.get("reason", ""),
                 int(data.get("until_ms") or 0))


class VisitorSessions:
    def __init__(self, client: Redis, scripts: Scripts, *, idle_ttl_s: int) -> None:
        self._redis = client
        self._scripts = scripts
        self._idle_ttl_s = idle_ttl_s
        self._hash_set = client.register_script((LUA_DIR / "hash_set.lua").read_text())
        self._flag_once = client.register_script((LUA_DIR / "flag_once.lua").read_text())
        self._recent: dict[str, tuple[float, VisitorSession]] = {}

    def new_session_args(self, lang: str, now_ms: int) -> list[str | int]:
        """A visit's session as it is first stored: its idle expiry, then field, value, ...
        (hash_set.lua's arguments; enqueue.lua takes the same for a visit's first join)."""
        return [self._idle_ttl_s, "lang", lang, "state", "idle", "conv", "", "created_ms", now_ms]

    async def create(self, vid: str, lang: str, now_ms: int) -> VisitorSession:
        await self._hash_set(keys=[keys.visitor(vid)], args=self.new_session_args(lang, now_ms))
        return VisitorSession(vid, lang, "idle", None, False)

    async def keep(self, vid: str) -> None:
        """In the queue now: the session lives VISITOR_TTL from its last use."""
        await self._redis.expire(keys.visitor(vid), keys.VISITOR_TTL)

    async def recent_chat(self, vid: str) -> VisitorSession | None:
        """The session as read at most RECENT_S ago while it was in a chat (queued or
        chatting), else read now: for a youth's every message and keystroke. Each write checks
        the conversation itself (owner, state), so a chat that ended meanwhile answers
        "closed", and the caller reads the session afresh (`get`) before it gives up."""
        now = time.monotonic()
        hit = self._recent.get(vid)
        if hit and hit[0] > now:
            return hit[1]
        session = await self.get(vid)
        if session and session.conversation_id and session.state in ("queued", "chatting"):
            if len(self._recent) >= RECENT_MAX:
                self._recent.clear()
            self._recent[vid] = (now + RECENT_S, session)
        return session

    async def get(self, vid: str) -> VisitorSession | None:
        """The session, its expiry pushed back (see touch_session.lua)."""
        self._recent.pop(vid, None)  # read afresh: what was remembered may be out of date
        raw = await self._scripts.touch_session(
            keys=[keys.visitor(vid), keys.block(vid)], args=[keys.VISITOR_TTL])
        if not raw:
            return None
        data = dict(zip(raw[::2], raw[1::2], strict=True))
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
        """True the first time this visit is told "not available": it counts once. A visit
        not stored yet is stored for the short idle expiry, never without one."""
        return bool(await self._flag_once(keys=[keys.visitor(vid)],
                                          args=["turned_away", self._idle_ttl_s]))

    async def block(self, block: Block) -> None:
        """Block the session until `block.until_ms`; the session lives at least that long."""
        key = keys.visitor(block.vid)
        ttl_s = max(keys.VISITOR_TTL, -(-(block.until_ms - block.at_ms) // 1000))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.block(block.vid), mapping={
                "pseudonym": block.pseudonym_code, "at_ms": block.at_ms, "by_id": block.by_id,
                "by_name": block.by_name, "reason": block.reason, "until_ms": block.until_ms})
            pipe.pexpireat(keys.block(block.vid), block.until_ms)
            pipe.zadd(keys.BLOCKS, {block.vid: block.until_ms})
            pipe.hset(key, "blocked", "1")
            pipe.expire(key, ttl_s)
            await pipe.execute()

    async def blocks(self, now_ms: int) -> list[Block]:
        """Active blocks, soonest to end first (ended ones are dropped from the index)."""
        await self._redis.zremrangebyscore(keys.BLOCKS, "-inf", now_ms)
        vids = await self._redis.zrange(keys.BLOCKS, 0, -1)
        async with self._redis.pipeline(transaction=False) as pipe:
            for vid in vids:
                pipe.hgetall(keys.block(vid))
            rows = await pipe.execute()
        return [_block(vid, data) for vid, data in zip(vids, rows, strict=True) if data]

    async def lift(self, vid: str) -> Block | None:
        """End a block now; the lifted block, or None when there was none."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(keys.block(vid))
            pipe.delete(keys.block(vid))
            pipe.zrem(keys.BLOCKS, vid)
            pipe.hdel(keys.visitor(vid), "blocked")
            data, *_ = await pipe.execute()
        return _block(vid, data) if data else None

    async def delete(self, vid: str) -> None:
        self._recent.pop(vid, None)
        await self._redis.delete(keys.visitor(vid))
