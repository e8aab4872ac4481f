"""The waiting queue: urgent first, then oldest; `take` is one Lua script (see lua/take.lua).

An entry whose visitor has disconnected (listed in hc:gone) keeps its place for the grace
period, but is "away": it does not count against the cap, take-next skips it, and the
positions of those behind it do not count it.
"""

from __future__ import annotations

import asyncio
from typing import NamedTuple

from helpchat.store import keys
from helpchat.store.connection import Redis, Scripts
from helpchat.store.conversations import conversation_from, read_conversations, visitor_activity
from helpchat.store.models import Conversation, QueueEntry

# Scores order the zset: requeued chats before urgent ones before the rest, each oldest first.
# Millisecond timestamps (~1.8e12) stay exact in a double with these offsets.
_FRONT_OFFSET = -(10**13)
_NORMAL_OFFSET = 10**13


def queue_score(now_ms: int, *, urgent: bool = False, front: bool = False) -> int:
    if front:
        return _FRONT_OFFSET + now_ms
    return now_ms if urgent else _NORMAL_OFFSET + now_ms


class Joined(NamedTuple):
    status: str  # ok | exists | full | blocked | gone
    cid: str | None  # the conversation queued (ok) or already under way (exists)
    position: int  # its place as `position` counts it; 0 when it is not queued (chatting)


class Taken(NamedTuple):
    status: str  # ok, or why not: off_duty | wrap_up | cooldown | limit | empty | conflict | ...
    conversation: Conversation | None  # as it is now, with its counselor
    first: bool  # the first time a counselor took it (not after a transfer or requeue)


class Queue:
    def __init__(self, client: Redis, scripts: Scripts) -> None:
        self._redis = client
        self._scripts = scripts

    async def enqueue(
        self, *, vid: str, cid: str, now_ms: int, topic: str | None, urgent: bool, cap: int,
        pseudonym_code: str, lang: str, ranked: bool | None = None,
        new_session: list[str | int] | None = None,
    ) -> Joined:
        """Queued (ok), or already queued or chatting (exists), or refused (full, blocked,
        gone). `ranked`: whether an urgent entry is placed before normal ones (default: when
        urgent). `new_session`: a visit not stored yet, whose session is stored here
        (VisitorSessions.new_session_args), whatever the answer."""
        ranked = urgent if ranked is None else ranked
        result = await self._scripts.enqueue(
            keys=[keys.visitor(vid), keys.QUEUE, keys.conversation(cid), keys.GONE],
            args=[cid, queue_score(now_ms, urgent=urgent and ranked), now_ms, topic or "",
                  "1" if urgent else "0", cap, keys.CONTENT_TTL, vid, pseudonym_code, lang,
                  keys.PREFIX, *(new_session or ())],
        )
        if len(result) == 1:
            return Joined(result[0], None, 0)
        return Joined(result[0], result[1], int(result[2]))

    async def take(self, counselor_id: str, cid: str | None, *, now_ms: int,
                   max_chats: int) -> Taken:
        """The conversation `cid` (None: the next by priority) for the counselor, read back in
        the same script, or why not."""
        result = await self._scripts.take(
            keys=[keys.QUEUE, keys.DUTY, keys.counselor_chats(counselor_id), keys.GONE],
            args=[counselor_id, cid or "", now_ms, max_chats, keys.PREFIX],
        )
        if result[0] != "ok":
            return Taken(result[0], None, False)
        fields = result[3]
        conv = conversation_from(result[1], dict(zip(fields[::2], fields[1::2], strict=True)))
        return Taken("ok", conv, bool(result[2]))

    async def requeue_front(self, cid: str, counselor_id: str, *, now_ms: int) -> str | None:
        """Put an active chat back at the front; the visitor's id, or None if not theirs."""
        result = await self._scripts.requeue(
            keys=[keys.QUEUE, keys.conversation(cid), keys.counselor_chats(counselor_id)],
            args=[cid, queue_score(now_ms, front=True), counselor_id, keys.PREFIX],
        )
        return result[1] if result[0] == "ok" else None

    async def transfer(self, cid: str, from_id: str, to_id: str, *, to_max_chats: int) -> str:
        """'ok' or conflict|off_duty|wrap_up|cooldown|limit."""
        result = await self._scripts.transfer(
            keys=[keys.conversation(cid), keys.counselor_chats(from_id),
                  keys.counselor_chats(to_id), keys.DUTY, keys.wrap_ups(to_id),
                  keys.cooldown(to_id)],
            args=[cid, from_id, to_id, to_max_chats],
        )
        return str(result[0])

    async def length(self) -> int:
        """Visitors waiting and connected: what counts against the cap and the estimates."""
        count, _ = await self._scripts.queue_place(keys=[keys.QUEUE, keys.GONE],
                                                   args=[keys.PREFIX, ""])
        return int(count)

    async def position(self, cid: str) -> int | None:
        """The place `entries` gives this conversation (connected entries ahead + 1)."""
        place, found = await self._scripts.queue_place(keys=[keys.QUEUE, keys.GONE],
                                                       args=[keys.PREFIX, cid])
        return int(place) if found else None

    async def entries(self) -> list[QueueEntry]:
        """Everyone in the queue, in the order they will be taken; positions count only the
        connected entries ahead (take-next skips the away ones)."""
        cids: list[str] = await self._redis.zrange(keys.QUEUE, 0, -1)
        if not cids:
            return []
        conversations = await read_conversations(self._redis, cids)
        stale = set(cids) - {conv.id for conv in conversations}
        if stale:
            # A queued conversation whose hash expired can never be taken; drop it.
            await self._redis.zrem(keys.QUEUE, *stale)
        if not conversations:
            return []
        gone, activity = await asyncio.gather(  # one round trip (batching.py)
            self._redis.zmscore(keys.GONE, [f"v:{c.vid}" for c in conversations]),
            visitor_activity(self._redis, [conv.id for conv in conversations]))
        entries: list[QueueEntry] = []
        ahead = 0
        for conv, since in zip(conversations, gone, strict=True):
            wrote, chars = activity[conv.id]
            entries.append(QueueEntry(conv, ahead + 1, away=since is not None,
                                      visitor_messages=wrote, visitor_chars=chars))
            ahead += since is None
        return entries
