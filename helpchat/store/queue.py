"""The waiting queue: urgent first, then oldest; `take` is one Lua script (see lua/take.lua)."""

from __future__ import annotations

from helpchat.store import keys
from helpchat.store.connection import Redis, Scripts
from helpchat.store.conversations import read_conversations
from helpchat.store.models import QueueEntry

# Scores order the zset: requeued chats before urgent ones before the rest, each oldest first.
# Millisecond timestamps (~1.8e12) stay exact in a double with these offsets.
_FRONT_OFFSET = -(10**13)
_NORMAL_OFFSET = 10**13


def queue_score(now_ms: int, *, urgent: bool = False, front: bool = False) -> int:
    if front:
        return _FRONT_OFFSET + now_ms
    return now_ms if urgent else _NORMAL_OFFSET + now_ms


class Queue:
    def __init__(self, client: Redis, scripts: Scripts) -> None:
        self._redis = client
        self._scripts = scripts

    async def enqueue(
        self, *, vid: str, cid: str, now_ms: int, topic: str | None, urgent: bool, cap: int,
        pseudonym_code: str, lang: str,
    ) -> tuple[str, str | None]:
        """('ok', cid) | ('exists', cid) | ('full'|'blocked'|'gone', None)."""
        result = await self._scripts.enqueue(
            keys=[keys.visitor(vid), keys.QUEUE, keys.conversation(cid)],
            args=[cid, queue_score(now_ms, urgent=urgent), now_ms, topic or "",
                  "1" if urgent else "0", cap, keys.CONTENT_TTL, vid, pseudonym_code, lang],
        )
        return result[0], (result[1] if len(result) > 1 else None)

    async def take(self, counselor_id: str, cid: str | None, *, now_ms: int,
                   max_chats: int) -> tuple[str, str | None]:
        """('ok', cid) or (off_duty|limit|empty|conflict|not_found, None)."""
        result = await self._scripts.take(
            keys=[keys.QUEUE, keys.DUTY, keys.counselor_chats(counselor_id)],
            args=[counselor_id, cid or "", now_ms, max_chats, keys.PREFIX],
        )
        return result[0], (result[1] if len(result) > 1 else None)

    async def requeue_front(self, cid: str, counselor_id: str, *, now_ms: int) -> str | None:
        """Put an active chat back at the front; the visitor's id, or None if not theirs."""
        result = await self._scripts.requeue(
            keys=[keys.QUEUE, keys.conversation(cid), keys.counselor_chats(counselor_id)],
            args=[cid, queue_score(now_ms, front=True), counselor_id, keys.PREFIX],
        )
        return result[1] if result[0] == "ok" else None

    async def transfer(self, cid: str, from_id: str, to_id: str, *, to_max_chats: int) -> str:
        """'ok' or conflict|off_duty|wrap_up|limit."""
        result = await self._scripts.transfer(
            keys=[keys.conversation(cid), keys.counselor_chats(from_id),
                  keys.counselor_chats(to_id), keys.DUTY, keys.wrap_ups(to_id)],
            args=[cid, from_id, to_id, to_max_chats],
        )
        return str(result[0])

    async def length(self) -> int:
        return int(await self._redis.zcard(keys.QUEUE))

    async def position(self, cid: str) -> int | None:
        rank = await self._redis.zrank(keys.QUEUE, cid)
        return None if rank is None else rank + 1

    async def entries(self) -> list[QueueEntry]:
        """Everyone waiting, in the order they will be taken."""
        cids: list[str] = await self._redis.zrange(keys.QUEUE, 0, -1)
        if not cids:
            return []
        conversations = await read_conversations(self._redis, cids)
        stale = set(cids) - {conv.id for conv in conversations}
        if stale:
            # A queued conversation whose hash expired can never be taken; drop it.
            await self._redis.zrem(keys.QUEUE, *stale)
        return [QueueEntry(conv, position) for position, conv in enumerate(conversations, 1)]
